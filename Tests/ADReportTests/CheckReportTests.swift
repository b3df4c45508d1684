// ADCheck's results as reports: the JSON reads back, the JUnit is well-formed with the right
// counts, the Markdown shows the failing entry's message and keeps its tables whole.
import ADCheck
import ADReport
import ADVerify
import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite("ADCheck reports")
struct CheckReportTests {
    /// `f(a, b) = sin(a) b + exp(b / 3)` at a seeded non-unit point.
    static func f(_ x: [Double]) -> Double { sin(x[0]) * x[1] + exp(x[1] / 3) }
    static func gradient(_ x: [Double]) -> [Double] { [cos(x[0]) * x[1], sin(x[0]) + exp(x[1] / 3) / 3] }
    static let x = [0.73, -1.31]

    /// A right gradient, a wrong one (∂f/∂b off by 1e-3, its input named with a pipe), and a
    /// VJP whose function throws at the point (a problem, not an entry).
    static func checks() -> [NamedCheckResult] {
        let right = ADCheck.check(function: f, gradient: gradient, at: x, options: CheckOptions(seed: 41))
        let wrong = ADCheck.check(
            function: f, gradient: { x in
                var g = gradient(x)
                g[1] += 1e-3
                return g
            }, at: x, options: CheckOptions(seed: 41, inputNames: ["a", "b|c"]))
        struct Boom: Error {}
        let problem = ADCheck.check(
            function: { (_: [Double]) throws -> [Double] in throw Boom() }, vjp: { _, u in u }, at: x, options: CheckOptions(seed: 41))
        return [
            NamedCheckResult(name: "right", result: right),
            NamedCheckResult(name: "wrong|pipe <&\">", result: wrong),
            NamedCheckResult(name: "throws", result: problem),
        ]
    }

    @Test func theFixtureHasAPassAFailingEntryAndAProblem() {
        let c = Self.checks()
        #expect(c[0].result.verdict == .pass, "\(c[0].result)")
        #expect(c[1].result.verdict == .fail, "\(c[1].result)")
        #expect(c[1].result.failures.map(\.quantity) == ["∂f/∂b|c"], "\(c[1].result)")
        #expect(c[2].result.verdict == .fail)
        #expect(c[2].result.problem?.contains("throws at the point") == true)
    }

    @Test func jsonReadsBackAndIsStable() throws {
        let checks = Self.checks()
        let data = try CheckReport.json(checks)
        let back = try CheckReport.decode(data)
        #expect(back.schemaVersion == CheckReport.schemaVersion)
        #expect(back.summary == CheckReport.Summary(checks))
        #expect(back.summary.failed == 2 && back.summary.passed == 1 && back.summary.failedEntries == 1)
        #expect(back.checks.map(\.name) == checks.map(\.name))
        #expect(back.checks.map(\.result.verdict) == checks.map(\.result.verdict))
        #expect(back.checks.map(\.result.description) == checks.map(\.result.description))
        #expect(back.checks[1].result.entries.map(\.claimed) == checks[1].result.entries.map(\.claimed))
        #expect(back.checks[1].result.options == checks[1].result.options)
        // The same checks give the same bytes, in sorted-key order.
        #expect(try CheckReport.json(back.checks) == data)
        let text = String(decoding: data, as: UTF8.self)
        let keys = ["\"checks\"", "\"schemaVersion\"", "\"summary\""].map { text.range(of: $0)?.lowerBound }
        #expect(keys.allSatisfy { $0 != nil } && keys == keys.sorted { $0! < $1! }, "top-level keys sorted")
        // Plain JSON any tool can read.
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((object["checks"] as? [Any])?.count == 3)
    }

    @Test func junitIsWellFormedWithOneTestcasePerCheckAndTheFailureCount() throws {
        let checks = Self.checks()
        let xml = CheckReport.junit(checks)
        let document = try XMLDocument(data: Data(xml.utf8), options: [])
        let root = try #require(document.rootElement())
        func attribute(_ e: XMLElement, _ name: String) -> String? { e.attribute(forName: name)?.stringValue }
        #expect(root.name == "testsuites")
        #expect(attribute(root, "tests") == "3")
        #expect(attribute(root, "failures") == "2")
        #expect(attribute(root, "skipped") == "0")
        let suite = try #require(root.elements(forName: "testsuite").first)
        let cases = suite.elements(forName: "testcase")
        #expect(cases.map { attribute($0, "name") } == ["right", "wrong|pipe <&\">", "throws"])
        #expect(cases.map { attribute($0, "classname") } == ["ADCheck.gradient", "ADCheck.gradient", "ADCheck.vjp"])
        #expect(cases[0].elements(forName: "failure").isEmpty)
        let failure = try #require(cases[1].elements(forName: "failure").first)
        let entry = try #require(checks[1].result.failures.first)
        #expect(failure.stringValue == checks[1].result.description)
        #expect(failure.stringValue?.contains(entry.message) == true)
        #expect(attribute(failure, "message")?.hasSuffix(entry.message) == true)
        let problem = try #require(cases[2].elements(forName: "failure").first)
        #expect(attribute(problem, "type") == "problem")
        #expect(attribute(problem, "message")?.contains("F throws at the point") == true)
    }

    @Test func junitSkipsAnInconclusiveCheck() throws {
        // At a kink every reference is inconclusive about a value between the one-sided slopes.
        let kink = ADCheck.check(function: { (x: [Double]) in abs(x[0]) }, gradient: [0.25], at: [0.0])
        try #require(kink.verdict.isInconclusive, "\(kink)")
        let xml = CheckReport.junit([NamedCheckResult(name: "kink", result: kink)])
        let root = try #require(try XMLDocument(data: Data(xml.utf8), options: []).rootElement())
        #expect(root.attribute(forName: "skipped")?.stringValue == "1")
        #expect(root.attribute(forName: "failures")?.stringValue == "0")
        let skipped = try #require(root.elements(forName: "testsuite").first?.elements(forName: "testcase").first?.elements(forName: "skipped").first)
        #expect(skipped.attribute(forName: "message")?.stringValue?.hasPrefix("inconclusive: ") == true)
    }

    @Test func markdownShowsTheMessageAndEscapesPipesInNames() throws {
        let checks = Self.checks()
        let markdown = CheckReport.markdown(checks)
        #expect(markdown.contains("**✗ 2 of 3 checks failed** · 1 of 4 entries wrong"))
        // The failing entry's message, as the test printed it (in a fence: nothing is escaped).
        let entry = try #require(checks[1].result.failures.first)
        #expect(markdown.contains("```text\n" + checks[1].result.description + "\n```"))
        #expect(markdown.contains(entry.message))
        #expect(markdown.contains("**Problem:** F throws at the point"))

        let tables = markdownTables(markdown)
        // The index: one row per check, a pipe in a check's name escaped (the row keeps 6 cells).
        let index = try #require(tables.first { $0.header == ["", "check", "kind", "precision", "entries", "evaluations"] })
        #expect(index.rows.count == 3)
        #expect(index.rows.allSatisfy { $0.count == 6 })
        #expect(index.rows[1][1] == #"[wrong\|pipe &lt;&"&gt;](#check-2)"#)
        #expect(index.rows.map { $0[0] } == ["✓", "✗", "✗"])

        // The wrong check's entries: the pipe in the input's name escaped, yours, each reference.
        let header = ["quantity", "verdict", "yours", "4-point central", "central difference", "GSL central", "5-point", "Richardson", "evaluations"]
        let entryTables = tables.filter { $0.header == header }
        #expect(entryTables.count == 2, "the check with a problem has no entries")
        let wrong = try #require(entryTables.dropFirst().first)
        #expect(wrong.rows.count == 2, "\(wrong.rows)")
        #expect(wrong.rows.allSatisfy { $0.count == header.count })
        let row = try #require(wrong.rows.first { $0[0] == #"∂f/∂b\|c"# })
        #expect(row[1].hasPrefix("✗ the references agree with each other and your value is off by"))
        #expect(row[2] == format(entry.claimed))
        for check in entry.checks {
            let column = try #require(header.firstIndex(of: DerivativeCheck.displayName(check.comparison.method)))
            #expect(row[column].hasPrefix(format(check.comparison.reference) + "<br>±"), "\(row[column])")
        }
        #expect(row[header.count - 1] == "\(entry.evaluations)")
    }

    @Test func adCheckReportAndWriteReports() throws {
        let checks = Self.checks()
        let pairs = checks.map { (name: $0.name, result: $0.result) }
        #expect(try ADCheck.report(pairs, format: .markdown) == CheckReport.markdown(checks))
        #expect(try ADCheck.report(pairs, format: .junit) == CheckReport.junit(checks))
        let unnamed = try ADCheck.report(checks.map(\.result), format: .json)
        #expect(try CheckReport.decode(Data(unnamed.utf8)).checks.map(\.name) == ["gradient 1", "gradient 2", "vjp 3"])

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("adcheck-report-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let paths = try ADCheck.writeReports(pairs, to: directory)
        #expect(paths.map { ($0 as NSString).lastPathComponent } == ["adcheck.md", "adcheck.json", "adcheck-junit.xml"])
        #expect(try String(contentsOfFile: paths[0], encoding: .utf8) == CheckReport.markdown(checks))
        #expect(try CheckReport.decode(Data(contentsOf: URL(fileURLWithPath: paths[1]))).checks.count == 3)
        #expect(try String(contentsOfFile: paths[2], encoding: .utf8) == CheckReport.junit(checks))
    }
}
