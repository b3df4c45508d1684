// Check results as Markdown, JSON or JUnit from a test: ADReport's `CheckReport`, named for ADCheck.
import ADReport
import Foundation

extension ADCheck {
    /// `.markdown`, `.json`, `.junit` (ADReport's `ReportFormat`).
    public typealias ReportFormat = ADReport.ReportFormat

    /// One or several check results as a report, e.g. to attach to a test or print:
    /// ```swift
    /// let result = checkGradient(of: loss, gradient: lossGradient, at: theta)
    /// print(try ADCheck.report([("loss", result)], format: .markdown))
    /// ```
    /// - `.markdown`: the verdict; per check the message (each failing entry: yours, each
    ///   reference ± budget, who is wrong) and a table of every entry (quantity, verdict, yours,
    ///   each reference with its ± budget, evaluations); problems and inconclusive reasons.
    /// - `.json`: the Codable results with a summary (sorted keys; `CheckReport.decode` reads it).
    /// - `.junit`: one `<testcase>` per check, `<failure>` with the message when it failed,
    ///   `<skipped>` when inconclusive.
    public static func report(_ checks: [(name: String, result: CheckResult)], format: ReportFormat) throws -> String {
        let data = try CheckReport.render(checks.map { NamedCheckResult(name: $0.name, result: $0.result) }, format: format)
        return String(decoding: data, as: UTF8.self)
    }

    /// Results without names, named by kind and position (`gradient 1`, `vjp 2`).
    public static func report(_ results: [CheckResult], format: ReportFormat) throws -> String {
        let data = try CheckReport.render(CheckReport.named(results), format: format)
        return String(decoding: data, as: UTF8.self)
    }

    /// Writes the reports of `checks` into `directory` (created if missing; each file replaced
    /// atomically): `adcheck.md`, `adcheck.json`, `adcheck-junit.xml` for the formats asked for.
    /// Returns the files' paths.
    @discardableResult
    public static func writeReports(
        _ checks: [(name: String, result: CheckResult)], to directory: String, formats: [ReportFormat] = ReportFormat.allCases
    ) throws -> [String] {
        try CheckReport.write(checks.map { NamedCheckResult(name: $0.name, result: $0.result) }, to: directory, formats: formats)
    }

    /// Writes the reports of unnamed results (named `gradient 1`, `vjp 2`, ...) into `directory`.
    @discardableResult
    public static func writeReports(
        _ results: [CheckResult], to directory: String, formats: [ReportFormat] = ReportFormat.allCases
    ) throws -> [String] {
        try CheckReport.write(CheckReport.named(results), to: directory, formats: formats)
    }
}
