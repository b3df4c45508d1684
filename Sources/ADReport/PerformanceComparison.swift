// The comparison of a benchmark run with a baseline, for the places people read it: a Markdown
// page sized for a pull-request comment or a job summary, and github-action-benchmark's JSON.
import ADBench
import Foundation

/// Renders a ``BenchComparison``.
public enum PerformanceComparison {
    public static let fileName = "performance-comparison.md"
    public static let jsonFileName = "performance-comparison.json"
    public static let benchmarkActionFileName = "benchmark-action.json"
    /// A pull-request comment holds 65,536 characters; the page stays under this.
    public static let characterLimit = 60_000

    /// One sentence: the verdict.
    public static func headline(_ c: BenchComparison) -> String {
        let compared = c.rows.filter { $0.status != .missing && $0.status != .new }
        let gated = compared.filter(\.gated).count
        let regressions = c.regressions
        if regressions.isEmpty {
            return "No regression: \(compared.count) ratios compared, \(gated) of them gated."
        }
        let names = regressions.prefix(10).map { Markdown.code($0.key) }.joined(separator: ", ")
        return "**\(regressions.count) ratio\(regressions.count == 1 ? "" : "s") regressed** (\(names)\(regressions.count > 10 ? ", …" : "")), of \(compared.count) compared, \(gated) gated."
    }

    /// The decision rule, in the words the README uses.
    static func rule(_ c: BenchComparison) -> String {
        "A ratio regresses when the median of this run's pair ratios is above the entry's threshold times its baseline "
            + "(the threshold is at least \(String(format: "%.2f", Baseline.minimumThreshold))x and at least \(String(format: "%.2f", Baseline.noiseMargin)) times the largest run-to-run move the baseline measured, quiet and loaded) "
            + "and a Mann–Whitney U test on the pair ratios says this run is slower at p < \(Numbers.short(c.alpha)); "
            + "a gated ratio above its threshold over \(String(format: "%.1f", Baseline.suspectMargin)) is re-measured in a fresh process with more pairs and judged on both measurements together, and only what still regresses fails the gate. "
            + "Entries whose own noise would hide a \(String(format: "%.1f", Baseline.detectableSlowdown))x slowdown are shown, not gated; "
            + "`summary/…` rows are the geometric mean of one method's changes over every family."
    }

    /// The page: verdict, machine, rule, the regressed, improved and ungated-slower ratios, the
    /// rest folded. Cut to ``characterLimit`` (the JSON keeps everything).
    public static func render(_ c: BenchComparison, title: String = "adverify bench against the baseline") -> String {
        var parts: [String] = []
        parts.append("## \(c.passed ? "✓" : "✗") \(title)")
        parts.append(headline(c))
        if c.machineDiffers {
            parts.append(
                "> **This run's machine differs from the baseline's:** "
                    + c.machineDifferences.map(Markdown.text).joined(separator: "; ")
                    + ". Ratios move between machines; compare the two revisions in one job for a decision that means something.")
        }
        var source = "Baseline: `\(c.baselineSource)`, \(c.baselineCreatedAt)"
        if let revision = c.baselineRevision { source += ", revision `\(revision)`" }
        source += ", \(c.baselineRuns.count) run\(c.baselineRuns.count == 1 ? "" : "s")"
        if c.baselineRuns.count > 1 || c.baselineRuns.first != "as it was" { source += " (\(loads(c.baselineRuns)))" }
        source += "."
        parts.append(source + " " + rule(c))

        let regressed = c.rows.filter { $0.status == .regression }
        let improved = c.rows.filter { $0.status == .improved }
        let slower = c.rows.filter { $0.status == .slower }
        let cleared = c.rows.filter { $0.status == .ok && $0.firstChange != nil }
        if !regressed.isEmpty { parts.append("### Regressed\n\n" + table(regressed)) }
        if !cleared.isEmpty { parts.append("### Suspected, cleared by re-measuring\n\n" + table(cleared)) }
        if !improved.isEmpty { parts.append("### Improved\n\n" + table(improved)) }
        if !slower.isEmpty { parts.append("### Slower, not gated\n\n" + table(slower)) }
        var text = parts.joined(separator: "\n\n")

        let rest = c.rows.filter { $0.status == .ok && $0.firstChange == nil }
        let other = c.rows.filter { $0.status == .missing || $0.status == .new }
        var folds: [String] = []
        if !rest.isEmpty { folds.append(fold("The other \(rest.count) ratios, within their thresholds or not clearly changed", table(rest))) }
        if !other.isEmpty { folds.append(fold("\(other.count) ratios in only one of the two runs", table(other))) }
        let ungated = Dictionary(grouping: c.rows.filter { !$0.gated && $0.status != .new }, by: { $0.reason ?? "not gated" })
        if !ungated.isEmpty {
            let lines = ungated.sorted { $0.value.count > $1.value.count }.map { reason, rows in
                "- " + Markdown.text(reason) + ": " + rows.prefix(40).map { Markdown.code($0.key) }.joined(separator: ", ") + (rows.count > 40 ? ", and \(rows.count - 40) more" : "")
            }
            folds.append(fold("\(ungated.values.map(\.count).reduce(0, +)) ratios not gated, and why", lines.joined(separator: "\n")))
        }
        for f in folds {
            if text.count + f.count + 200 > characterLimit {
                text += "\n\n(The rest is cut to keep this page under \(Numbers.grouped(characterLimit)) characters; `\(jsonFileName)` has every row.)"
                break
            }
            text += "\n\n" + f
        }
        return text + "\n"
    }

    static func fold(_ summary: String, _ body: String) -> String {
        "<details><summary>\(Markdown.text(summary))</summary>\n\n\(body)\n\n</details>"
    }

    static func loads(_ runs: [String]) -> String {
        var counts: [(String, Int)] = []
        for r in runs {
            if let i = counts.firstIndex(where: { $0.0 == r }) { counts[i].1 += 1 } else { counts.append((r, 1)) }
        }
        return counts.map { "\($0.1) \($0.0)" }.joined(separator: ", ")
    }

    /// A table of comparison rows.
    public static func table(_ rows: [BaselineComparison]) -> String {
        Markdown.table(
            ["ratio", "quantity", "baseline", "now", "change", "99% interval", "threshold", "p", "pairs", "first measurement"],
            align: [.left, .left, .right, .right, .right, .right, .right, .right, .right, .right],
            rows: rows.map { r in
                [
                    Markdown.code(r.key), Markdown.text(r.description),
                    r.baseline.map(PerformanceReport.ratio) ?? "", r.current.map(PerformanceReport.ratio) ?? "",
                    r.change.map { String(format: "%.2fx", $0) } ?? "",
                    r.interval.map { String(format: "%.2f–%.2fx", $0.lower, $0.upper) } ?? "",
                    r.threshold.map { String(format: "%.2fx", $0) + (r.gated ? "" : " (not gated)") } ?? "",
                    r.pValue.map(pValue) ?? "", r.samples > 0 ? String(r.samples) : "",
                    r.firstChange.map { String(format: "%.2fx", $0) } ?? "",
                ]
            })
    }

    static func pValue(_ p: Double) -> String {
        p < 1e-4 ? "< 0.0001" : String(format: "%.4f", p)
    }

    /// github-action-benchmark's `customSmallerIsBetter` input: one entry per ratio of the run,
    /// the median as its value and the pairs' range.
    public static func benchmarkAction(_ report: BenchReport) throws -> Data {
        struct Entry: Encodable {
            var name: String
            var unit: String
            var value: Double
            var range: String
            var extra: String
        }
        let entries = Baseline.quantities(of: report).filter { $0.ratio.median.isFinite }.map { q in
            Entry(
                name: q.key, unit: "x", value: q.ratio.median,
                range: String(format: "%.3g–%.3g", q.ratio.min, q.ratio.max),
                extra: "\(q.description); \(q.ratio.count) pairs; \(report.environment.cpu), \(report.environment.blas)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(entries)
    }
}
