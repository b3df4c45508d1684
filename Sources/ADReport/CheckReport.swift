// ADCheck's results (derivatives a user gave as closures) as reports: Markdown for people, JSON
// and JUnit for machines, like a catalogue run's.
import ADCatalog
import ADVerify
import Foundation

/// One check of a report: the name a person gave it (a test's or a function's name) and what
/// `DerivativeCheck` found.
public struct NamedCheckResult: Codable, Sendable {
    public var name: String
    public var result: DerivativeCheckResult

    public init(name: String, result: DerivativeCheckResult) {
        self.name = name
        self.result = result
    }
}

/// Renders the results of `DerivativeCheck` (ADCheck's `CheckResult`) as Markdown, JSON or JUnit
/// XML, and writes them to a folder.
///
/// - Markdown (`adcheck.md`): the verdict; per check the message a person reads first (each
///   failing entry: yours, each reference ± budget, who is wrong), then a table of every entry
///   (quantity, verdict, yours, each reference with its ± budget and verdict, evaluations) and the
///   problems and reasons behind any inconclusive cell as numbered notes.
/// - JSON (`adcheck.json`): the `Document`, the Codable results with a summary; sorted keys,
///   pretty printed, non-finite numbers as `"nan"`, `"inf"`, `"-inf"` (as `JSONReport`), so two
///   reports diff line by line. Read it back with `decode(_:)`.
/// - JUnit (`adcheck-junit.xml`): one `<testsuite>`, one `<testcase>` per check; a failed check
///   carries `<failure>` whose `message` is the first line of its description and whose body is
///   the whole description; an inconclusive check is `<skipped>` with the reason.
public enum CheckReport {
    /// The JSON layout's version; raised when a field changes meaning or goes away.
    public static let schemaVersion = 1

    /// What the JSON report holds.
    public struct Document: Codable, Sendable {
        public var schemaVersion: Int
        public var summary: Summary
        public var checks: [NamedCheckResult]
    }

    /// How many checks and entries passed, failed, or could not be decided.
    public struct Summary: Codable, Sendable, Hashable {
        public var checks: Int
        public var passed: Int
        public var failed: Int
        public var inconclusive: Int
        public var entries: Int
        public var failedEntries: Int
        public var inconclusiveEntries: Int

        public init(_ checks: [NamedCheckResult]) {
            let results = checks.map(\.result)
            self.checks = results.count
            passed = results.count { $0.verdict == .pass }
            failed = results.count { $0.verdict == .fail }
            inconclusive = results.count { $0.verdict.isInconclusive }
            let all = results.flatMap(\.entries)
            entries = all.count
            failedEntries = all.count { $0.verdict == .fail }
            inconclusiveEntries = all.count { $0.verdict.isInconclusive }
        }
    }

    /// Names results that have none: `gradient 1`, `vjp 2`, ... (their kind and position).
    public static func named(_ results: [DerivativeCheckResult]) -> [NamedCheckResult] {
        results.enumerated().map { NamedCheckResult(name: "\($0.element.kind.rawValue) \($0.offset + 1)", result: $0.element) }
    }

    /// The file a format is written to: `adcheck.md`, `adcheck.json`, `adcheck-junit.xml` (not
    /// the catalogue's names, so both can share a folder).
    public static func fileName(_ format: ReportFormat) -> String {
        switch format {
        case .markdown: "adcheck.md"
        case .json: "adcheck.json"
        case .junit: "adcheck-junit.xml"
        }
    }

    /// The report's bytes in `format`.
    public static func render(_ checks: [NamedCheckResult], format: ReportFormat) throws(ReportError) -> Data {
        switch format {
        case .markdown: return Data(markdown(checks).utf8)
        case .junit: return Data(junit(checks).utf8)
        case .json:
            do { return try json(checks) } catch {
                throw ReportError(path: fileName(.json), reason: "cannot encode the checks as JSON: \(error)")
            }
        }
    }

    /// Renders every format asked for, then writes the files into `directory` (created if
    /// missing), each atomically, through `ReportWriter`. Returns their paths.
    @discardableResult
    public static func write(
        _ checks: [NamedCheckResult], to directory: String, formats: [ReportFormat] = ReportFormat.allCases
    ) throws(ReportError) -> [String] {
        var files: [(name: String, data: Data)] = []
        for format in formats where !files.contains(where: { $0.name == fileName(format) }) {
            files.append((fileName(format), try render(checks, format: format)))
        }
        return try ReportWriter(directory: directory).writeAll(files)
    }

    // MARK: JSON

    public static func json(_ checks: [NamedCheckResult]) throws -> Data {
        try JSONReport.encoder().encode(Document(schemaVersion: schemaVersion, summary: Summary(checks), checks: checks))
    }

    public static func decode(_ data: Data) throws -> Document {
        try JSONReport.decoder().decode(Document.self, from: data)
    }

    // MARK: Markdown

    public static func markdown(_ checks: [NamedCheckResult], title: String = "ADCheck report") -> String {
        var blocks = ["# " + Markdown.line(title), headline(Summary(checks))]
        if !checks.isEmpty {
            blocks.append(index(checks))
            for (i, check) in checks.enumerated() { blocks.append(section(check, anchor: anchor(i))) }
        }
        return blocks.joined(separator: "\n\n") + "\n"
    }

    static func anchor(_ i: Int) -> String { "check-\(i + 1)" }

    static func headline(_ s: Summary) -> String {
        let entries = "\(s.entries) \(s.entries == 1 ? "entry" : "entries")"
        if s.checks == 0 { return "**No checks.**" }
        if s.failed > 0 {
            return "**✗ \(s.failed) of \(s.checks) \(s.checks == 1 ? "check" : "checks") failed** · \(s.failedEntries) of \(entries) wrong"
        }
        if s.passed == 0 { return "**? No check could be decided** (\(entries), \(s.inconclusiveEntries) inconclusive)" }
        let all = s.checks == 1 ? "The check" : "All \(s.checks) checks"
        let open = s.inconclusive > 0 ? ", \(s.inconclusive) inconclusive" : ""
        return "**✓ \(s.inconclusive > 0 ? "\(s.passed) of \(s.checks) checks" : all) passed**\(open) (\(entries), \(s.inconclusiveEntries) inconclusive)"
    }

    static func index(_ checks: [NamedCheckResult]) -> String {
        let rows = checks.enumerated().map { i, check -> [String] in
            let r = check.result
            let tally = "\(r.entries.count { $0.verdict == .pass }) ✓ · \(r.entries.count { $0.verdict == .fail }) ✗ · \(r.entries.count { $0.verdict.isInconclusive }) ?"
            return [r.verdict.mark, "[\(Markdown.text(check.name))](#\(anchor(i)))", r.kind.rawValue, Markdown.text(r.precision), tally, "\(r.evaluations)"]
        }
        return Markdown.table(
            ["", "check", "kind", "precision", "entries", "evaluations"], align: [.center, .left, .left, .left, .right, .right], rows: rows)
    }

    static func section(_ check: NamedCheckResult, anchor: String) -> String {
        let r = check.result
        var blocks = ["## <a id=\"\(anchor)\"></a>\(r.verdict.mark) \(Markdown.text(check.name))"]
        // What the test printed: the sentence a person reads first and each failing entry.
        blocks.append(Markdown.fence(r.description, language: "text"))
        blocks.append(facts(r))
        if !r.entries.isEmpty { blocks.append(entryTable(r)) }
        return blocks.joined(separator: "\n\n")
    }

    static func facts(_ r: DerivativeCheckResult) -> String {
        var verdict = "**Verdict:** \(r.verdict.mark) \(r.verdict.word)"
        if let reason = r.verdict.reason { verdict += " (\(Markdown.text(reason)))" }
        var items = [verdict]
        if let problem = r.problem { items.append("**Problem:** " + Markdown.text(problem)) }
        let n = r.point.count
        let names = r.options.inputNames?.count == n ? r.options.inputNames! : (0..<n).map { "x[\($0)]" }
        items.append("**Point:** " + zip(names, r.point).map { "\(Markdown.text($0.0)) = \(format($0.1))" }.joined(separator: ", "))
        items.append("**Precision:** \(Markdown.text(r.precision)) (ε = \(Numbers.short(r.epsilon))); \(r.evaluations) evaluations of the function")
        if let u = r.cotangent { items.append("**Cotangent u:** " + u.map(format).joined(separator: ", ")) }
        if let v = r.tangent { items.append("**Tangent v:** " + v.map(format).joined(separator: ", ")) }
        let o = r.options
        let references = methods(r).map { DerivativeCheck.displayName($0.rawValue) }.joined(separator: ", ")
        items.append("**Options:** seed \(o.seed), tolerance factor \(format(o.toleranceFactor)), references \(references)")
        return items.map { "- " + $0 }.joined(separator: "\n")
    }

    /// The references as columns: the options' (cheapest first, as they ran), then any other
    /// method an entry shows.
    static func methods(_ r: DerivativeCheckResult) -> [DifferenceMethod] {
        var methods = r.options.oracles.filter { $0 != .complexStep }
        for entry in r.entries {
            for check in entry.checks {
                if let m = DifferenceMethod(rawValue: check.comparison.method), !methods.contains(m) { methods.append(m) }
            }
        }
        return methods
    }

    static func entryTable(_ r: DerivativeCheckResult) -> String {
        let methods = methods(r)
        var notes = MarkdownReport.Notes()
        var rows: [[String]] = []
        for entry in r.entries {
            var verdict = entry.verdict.mark
            if entry.verdict != .pass { verdict += " " + Markdown.text(entry.finding) }
            if let reason = entry.verdict.reason { verdict += notes.refs([reason]) }
            var cells = [Markdown.text(entry.quantity), verdict, format(entry.claimed)]
            for method in methods {
                guard let c = entry.checks.first(where: { $0.comparison.method == method.rawValue })?.comparison else {
                    cells.append("")  // did not run: the cheaper reference settled the entry
                    continue
                }
                var cell = format(c.reference) + "\n" + Numbers.plusMinus(c.budget) + MarkdownReport.nbsp + c.verdict.mark
                if let reason = c.verdict.reason { cell += notes.refs([reason]) }
                cells.append(cell)
            }
            cells.append("\(entry.evaluations)")
            rows.append(cells)
        }
        let header = ["quantity", "verdict", "yours"] + methods.map { DerivativeCheck.displayName($0.rawValue) } + ["evaluations"]
        let align: [Markdown.Alignment] = [.left, .left, .right] + methods.map { _ in .right } + [.right]
        var text = Markdown.table(header, align: align, rows: rows)
        text += "\n\nA reference's cell is its value, its budget (the largest difference it lets pass) and its verdict on yours; "
            + "— where it did not run (a cheaper reference settled the entry)."
        if !notes.items.isEmpty { text += "\n\n" + notes.markdown }
        return text
    }

    // MARK: JUnit

    /// One `<testsuite name="suite">` with one `<testcase>` per check (`classname` is
    /// `suite.kind`, `name` the check's name).
    public static func junit(_ checks: [NamedCheckResult], suite: String = "ADCheck") -> String {
        let s = Summary(checks)
        let attributes = JUnitReport.attributes
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += "<testsuites" + attributes([
            ("name", suite), ("tests", "\(s.checks)"), ("failures", "\(s.failed)"), ("errors", "0"), ("skipped", "\(s.inconclusive)"),
        ]) + ">\n"
        xml += "  <testsuite" + attributes([
            ("name", suite), ("tests", "\(s.checks)"), ("failures", "\(s.failed)"), ("errors", "0"), ("skipped", "\(s.inconclusive)"),
        ]) + ">\n"
        for check in checks {
            let r = check.result
            let open = "    <testcase" + attributes([
                ("classname", "\(suite).\(r.kind.rawValue)"), ("name", check.name), ("assertions", "\(r.entries.count)"),
            ])
            switch r.verdict {
            case .pass:
                xml += open + "/>\n"
            case .fail:
                let first = r.description.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
                let message = r.problem.map { "\(first): \($0)" } ?? (r.failures.first.map { "\(first): \($0.message)" } ?? first)
                xml += open + ">\n"
                xml += "      <failure" + attributes([("message", message), ("type", r.problem == nil ? "derivative" : "problem")]) + ">"
                xml += JUnitReport.escape(r.description, attribute: false) + "</failure>\n"
                xml += "    </testcase>\n"
            case .inconclusive(let reason):
                xml += open + ">\n"
                xml += "      <skipped" + attributes([("message", "inconclusive: \(reason)")]) + "/>\n"
                xml += "    </testcase>\n"
            }
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }
}
