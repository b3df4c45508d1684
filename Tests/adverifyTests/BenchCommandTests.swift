import Foundation
import Testing

@Suite("adverify bench", .serialized)
struct BenchCommandTests {
    @Test("the error curve alone: exit 0, performance.md, performance.json and its SVG plot")
    func errorCurve() throws {
        let reports = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reports) }
        let r = try Tool.run(["bench", "--family", "error-curve", "--report", reports.path])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let markdown = try String(contentsOf: reports.appendingPathComponent("performance.md"), encoding: .utf8)
        #expect(markdown.contains("the error against the step"))
        #expect(markdown.contains("(performance-fd-error-vs-step.svg)"))
        let svg = try String(contentsOf: reports.appendingPathComponent("performance-fd-error-vs-step.svg"), encoding: .utf8)
        #expect(svg.contains("<svg") && svg.contains("central"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: reports.appendingPathComponent("performance.json"))) as? [String: Any]
        let exact = try #require((json?["errorCurve"] as? [String: Any])?["exact"] as? Double)
        #expect(abs(exact + 182.869807305982783) < 1e-12)
    }

    @Test("an unreadable baseline, an unknown family: exit 2 with the reason")
    func usageErrors() throws {
        let reports = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reports) }
        let missing = try Tool.run(["bench", "--family", "error-curve", "--report", reports.path, "--baseline", reports.appendingPathComponent("none.json").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read the baseline") && missing.stderr.contains("--update-baseline"))
        let garbage = reports.appendingPathComponent("garbage.json")
        try Data("{\"entries\": 3}".utf8).write(to: garbage)
        let broken = try Tool.run(["bench", "--family", "error-curve", "--report", reports.path, "--baseline", garbage.path])
        #expect(broken.status == 2, "\(broken.stderr)")
        let family = try Tool.run(["bench", "--family", "sum-sin-exp,nope"])
        #expect(family.status == 2 && family.stderr.contains("unknown family 'nope'"))
    }

    /// Rewrites a baseline's entries: `scale(key)` multiplies the value, samples and run medians.
    static func doctor(_ baseline: URL, _ scale: (String) -> Double) throws {
        var object = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: baseline)) as? [String: Any])
        var entries = try #require(object["entries"] as? [[String: Any]])
        for k in entries.indices {
            let factor = scale(entries[k]["key"] as? String ?? "")
            entries[k]["value"] = (entries[k]["value"] as? Double ?? 0) * factor
            entries[k]["samples"] = (entries[k]["samples"] as? [Double] ?? []).map { $0 * factor }
            entries[k]["runMedians"] = (entries[k]["runMedians"] as? [Double] ?? []).map { $0 * factor }
        }
        object["entries"] = entries
        try JSONSerialization.data(withJSONObject: object).write(to: baseline)
    }

    @Test("--update-baseline writes the ratios; a ratio far above its baseline is re-measured, still regressed, exits 1 and is named")
    func regressionGate() throws {
        let reports = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reports) }
        let baseline = reports.appendingPathComponent("baseline.json")
        let arguments = ["bench", "--quick", "--family", "mlp", "--report", reports.path, "--baseline", baseline.path]
        let write = try Tool.run(arguments + ["--update-baseline"])
        #expect(write.status == 0, "\(write.stdout)\(write.stderr)")
        #expect(write.stdout.contains("baseline: \(baseline.path) ("))
        let key = "mlp/threads-1/64/loss-and-gradient"
        // Every other ratio gets a baseline no timing can exceed, so exactly one regresses
        // however loaded the machine is.
        try BenchCommandTests.doctor(baseline) { $0 == key ? 0.01 : 1e9 }
        let summary = reports.appendingPathComponent("summary.md")
        let check = try Tool.run(arguments, environment: ["GITHUB_STEP_SUMMARY": summary.path])
        #expect(check.status == 1, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("**1 ratio regressed** (`\(key)`)"))
        #expect(check.stderr.contains("re-measuring 1 suspected regression"))
        #expect(containsWhole(check.stderr, "1 ratio regressed"), "\(check.stderr)")
        let page = try String(contentsOf: reports.appendingPathComponent("performance-comparison.md"), encoding: .utf8)
        #expect(page.hasPrefix("## ✗ adverify bench against the baseline"))
        #expect(page.contains("### Regressed\n\n| ratio"))
        #expect(page.count < 60_000)
        // The job summary got the same page.
        let appended = try String(contentsOf: summary, encoding: .utf8)
        #expect(appended.contains("### Regressed"))
        let json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: reports.appendingPathComponent("performance-comparison.json"))) as? [String: Any])
        let rows = try #require(json["rows"] as? [[String: Any]])
        let row = try #require(rows.first { $0["key"] as? String == key })
        #expect(row["status"] as? String == "regression")
        #expect(row["firstChange"] is Double)
    }

    @Test("an earlier run's performance.json is a baseline; benchmark-action JSON; bad --runs and --format")
    func performanceJSONAsBaseline() throws {
        let reports = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reports) }
        let first = try Tool.run(["bench", "--quick", "--family", "mlp", "--report", reports.path, "--format", "json,benchmark-action"])
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(!FileManager.default.fileExists(atPath: reports.appendingPathComponent("performance.md").path))
        let action = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: reports.appendingPathComponent("benchmark-action.json"))) as? [[String: Any]])
        #expect(action.count > 0 && action.count % 6 == 0)  // 2 ratios × 3 batches × 1 or more thread counts
        #expect(action.allSatisfy { $0["unit"] as? String == "x" && $0["value"] is Double && $0["name"] is String && $0["range"] is String })
        // The same run against itself (nothing measured): no regression.
        let performance = reports.appendingPathComponent("performance.json").path
        let other = reports.appendingPathComponent("again")
        let same = try Tool.run(["bench", "--from", performance, "--baseline", performance, "--report", other.path])
        #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
        // The mlp ratios and the loss-and-gradient summary over the one-thread rows.
        #expect(same.stdout.contains("No regression: \(action.count + 1) ratios compared"))
        let page = try String(contentsOf: other.appendingPathComponent("performance-comparison.md"), encoding: .utf8)
        #expect(page.hasPrefix("## ✓ adverify bench against the baseline"))
        #expect(containsWhole(page, "1 run") && !page.contains("differs from the baseline's"))
        // Usage errors.
        let runs = try Tool.run(["bench", "--quick", "--runs", "3"])
        #expect(runs.status == 2 && runs.stderr.contains("--runs goes with --update-baseline"))
        let format = try Tool.run(["bench", "--quick", "--format", "md,html"])
        #expect(format.status == 2 && format.stderr.contains("unknown format 'html'"))
        let thresholds = try Tool.run(["bench", "--quick", "--thresholds", performance])
        #expect(thresholds.status == 2 && thresholds.stderr.contains("--thresholds goes with --baseline"))
    }
}
