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

    @Test("--update-baseline writes the ratios; a ratio far above its baseline exits 1 and is named")
    func regressionGate() throws {
        let reports = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reports) }
        let baseline = reports.appendingPathComponent("baseline.json")
        let arguments = ["bench", "--quick", "--family", "mlp", "--report", reports.path, "--baseline", baseline.path]
        let write = try Tool.run(arguments + ["--update-baseline"])
        #expect(write.status == 0, "\(write.stdout)\(write.stderr)")
        var object = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: baseline)) as? [String: Any])
        var entries = try #require(object["entries"] as? [[String: Any]])
        let key = "mlp/threads-1/64/loss-and-gradient"
        let index = try #require(entries.firstIndex { $0["key"] as? String == key })
        // Every other ratio gets a baseline no timing can exceed, so exactly one regresses
        // however loaded the machine is (a second measurement under load drifts by more than
        // the gate's factor 1.5 now and then).
        for k in entries.indices { entries[k]["value"] = k == index ? 0.01 : 1e9 }
        object["entries"] = entries
        try JSONSerialization.data(withJSONObject: object).write(to: baseline)
        let check = try Tool.run(arguments)
        #expect(check.status == 1, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("✗ regression | `\(key)`"))
        #expect(check.stderr.contains("1 ratio regressed"))
    }
}
