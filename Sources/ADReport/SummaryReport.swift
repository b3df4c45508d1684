// `summary.md` (for a pull request or a CI job summary), the inconclusive checks grouped by
// reason, and GitHub workflow annotations: what a run found, sized for where people read it.
import ADCatalog
import ADVerify
import Foundation

/// The inconclusive checks of a run, grouped by why no reference could decide them.
public struct InconclusiveReasons: Sendable {
    public struct Group: Sendable {
        /// The reason in words, without the numbers of any one check.
        public var reason: String
        public var checks: Int
        /// The ids of the cases with such a check, in run order.
        public var cases: [String]
    }

    /// Largest group first.
    public var groups: [Group]

    public init(_ cases: [CaseResult]) {
        var byReason: [String: Group] = [:]
        var order: [String] = []
        for c in cases {
            for check in c.checks {
                guard case .inconclusive(let reason) = check.comparison.verdict else { continue }
                let key = Self.classify(reason)
                if byReason[key] == nil {
                    byReason[key] = Group(reason: key, checks: 0, cases: [])
                    order.append(key)
                }
                byReason[key]?.checks += 1
                if byReason[key]?.cases.last != c.id { byReason[key]?.cases.append(c.id) }
            }
        }
        groups = order.compactMap { byReason[$0] }.enumerated()
            .sorted { ($0.element.checks, -$0.offset) > ($1.element.checks, -$1.offset) }.map(\.element)
    }

    /// A reason without the numbers of one check: `central: kink at x; AD value 2 lies between
    /// …` becomes "at a kink: AD lies between the one-sided derivatives".
    public static func classify(_ reason: String) -> String {
        let r = reason.lowercased()
        if r.contains("kink with non-finite") { return "at a kink, with non-finite one-sided derivatives" }
        if r.contains("kink at x") { return "at a kink: AD lies between the one-sided derivatives" }
        if r.contains("the kink of"), r.contains("reach") { return "a kink within the stencil's reach" }
        if r.contains("references disagree") || r.contains("disagrees with") { return "the references disagree with each other" }
        if r.contains("error budget") { return "the reference's error budget is too large for its estimate" }
        if r.contains("domain") { return "the stencil leaves the function's domain" }
        if r.contains("is not finite") || r.contains("non-finite") { return "a reference or AD value is not finite" }
        if r.contains("no finite derivative") { return "no finite derivative to compare" }
        if r.contains("taylor remainder") { return "the Taylor remainder's slope could not decide" }
        if r.contains("nothing checked") || r.contains("no check could decide") || r.contains("no reference could decide") {
            return "no reference could decide"
        }
        // Anything else: the words, with numbers blanked, cut short.
        var out = ""
        var inNumber = false
        for ch in reason {
            if ch.isNumber || (inNumber && (ch == "." || ch == "e" || ch == "-" || ch == "+")) {
                if !inNumber { out += "…" }
                inNumber = true
            } else {
                inNumber = false
                out.append(ch)
            }
        }
        return out.count > 100 ? String(out.prefix(100)) + "…" : out
    }

    /// `| reason | checks | cases |`, with the first few case ids (linked to their pages when asked).
    public func table(linkingCases: Bool, limit: Int = 20) -> String {
        var rows = groups.prefix(limit).map { g -> [String] in
            let examples = g.cases.prefix(3).map { id in
                linkingCases ? "[\(Markdown.text(id))](\(MarkdownReport.casePath(of: id)))" : Markdown.code(id)
            }.joined(separator: ", ") + (g.cases.count > 3 ? ", …" : "")
            return [Markdown.text(g.reason), "\(g.checks)", "\(g.cases.count)", examples]
        }
        if groups.count > limit {
            let rest = groups.dropFirst(limit)
            rows.append(["\(rest.count) other reasons", "\(rest.reduce(0) { $0 + $1.checks })", "", ""])
        }
        return Markdown.table(["reason", "checks", "cases", "for example"], align: [.left, .right, .right, .left], rows: rows)
    }
}

/// `summary.md`: counts, the failures with their located messages, the inconclusive checks by
/// reason and links to the details, in under ``characterLimit`` characters whatever the
/// catalogue's size (a pull-request comment or a job summary allows 65,536).
public enum SummaryReport {
    public static let characterLimit = 60_000
    /// Characters the failures may take; the rest is for the counts, the reasons and the links.
    static let failuresBudget = 40_000
    static let messagesPerCase = 5
    static let messageLength = 600

    public static func render(_ run: RunResult) -> String {
        let s = run.summary
        var blocks = ["## adverify: " + MarkdownReport.headline(run)]
        blocks.append(MarkdownReport.counts(s))
        if !run.loadErrors.isEmpty {
            var lines = ["### Load errors"]
            for e in run.loadErrors.prefix(10) {
                lines.append("- " + Markdown.code("\(e.location.file):\(e.location.line):\(e.location.column)") + " " + Markdown.text(Markdown.clip(e.message, messageLength)))
            }
            if run.loadErrors.count > 10 { lines.append("- … and \(run.loadErrors.count - 10) more") }
            blocks.append(lines.joined(separator: "\n"))
        }
        let failed = run.cases.filter { $0.verdict == .fail }
        if !failed.isEmpty { blocks.append(failures(failed)) }
        let reasons = InconclusiveReasons(run.cases)
        if !reasons.groups.isEmpty {
            blocks.append("### Inconclusive checks by reason\n\n" + reasons.table(linkingCases: false, limit: 15))
        }
        blocks.append(
            "Details: [verification.md](verification.md) (the failures, the index), one page per case in `cases/`, "
                + "the complete record in `verification.json`; adverify \(Markdown.text(run.tool.adverify)), "
                + "\(Numbers.seconds(run.duration)).")
        var text = blocks.joined(separator: "\n\n") + "\n"
        // A guard for the limit whatever the inputs (the budgets above keep it far below).
        if text.count > characterLimit { text = String(text.prefix(characterLimit - 100)) + "\n\n… (cut to fit a job summary)\n" }
        return text
    }

    /// The failed cases, each with its located failure messages, while the budget lasts.
    static func failures(_ cases: [CaseResult]) -> String {
        var lines = ["### Failures"]
        var used = 0, shown = 0
        for c in cases {
            var part = ["- ✗ **\(Markdown.text(c.id))** " + Markdown.code("\(c.location.file):\(c.location.line)")
                + " — [details](\(MarkdownReport.casePath(of: c.id)))"]
            if let error = c.error { part.append("  - could not be verified: " + Markdown.text(Markdown.clip(error, messageLength))) }
            for check in c.failures.prefix(messagesPerCase) {
                let place = check.location.map { Markdown.code("\($0.file):\($0.line):\($0.column)") + " " } ?? ""
                part.append("  - " + place + Markdown.text(Markdown.clip(check.message, messageLength)))
            }
            if c.failures.count > messagesPerCase { part.append("  - … and \(c.failures.count - messagesPerCase) more failed checks") }
            let text = part.joined(separator: "\n")
            if shown > 0, used + text.count > failuresBudget { break }
            lines.append(text)
            used += text.count
            shown += 1
        }
        if shown < cases.count { lines.append("- … and \(cases.count - shown) more failed cases (all in verification.md's index)") }
        return lines.joined(separator: "\n")
    }
}

/// GitHub workflow commands for the failures of a run: `::error file=…,line=…,title=…::…` at
/// the place each failed check was written (an expectation's line, else its case's), at most
/// ``limit``, then one notice with how many more.
public enum GitHubAnnotations {
    public static let limit = 10

    public static func lines(_ run: RunResult, limit: Int = GitHubAnnotations.limit) -> [String] {
        var all: [(file: String, line: Int, column: Int, title: String, message: String)] = []
        for e in run.loadErrors {
            all.append((e.location.file, e.location.line, e.location.column, "adverify: a case file does not load", e.message))
        }
        for c in run.cases where c.verdict == .fail {
            if let error = c.error {
                all.append((c.location.file, c.location.line, c.location.column, "adverify: \(c.id) could not be verified", error))
            }
            for check in c.failures {
                let place = check.location ?? c.location
                all.append((place.file, place.line, place.column, "adverify: \(c.id)", check.message))
            }
        }
        var out = all.prefix(limit).map { a in
            "::error file=\(property(a.file)),line=\(a.line),col=\(a.column),title=\(property(a.title))::\(data(Markdown.clip(a.message, 2000)))"
        }
        if all.count > limit {
            out.append("::notice title=adverify::\(all.count - limit) more failed checks are not annotated: see the job summary, reports/summary.md or reports/verification.md")
        }
        return out
    }

    /// A command's message: `%`, CR and LF escaped.
    public static func data(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    /// A command's property value: also `:` and `,` escaped.
    public static func property(_ s: String) -> String {
        data(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
