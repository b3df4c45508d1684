// `--shard K/N` and `adverify merge` as a CI matrix uses them: the shards' reports, merged, are
// the unsharded run's (summary, case order, exit code); bad shards and incomplete sets exit 2.
import Foundation
import Testing

@Suite("adverify --shard and merge", .serialized)
struct ShardMergeCommandTests {
    static let fixtures = [Tool.fixtures.appendingPathComponent("pass").path, Tool.fixtures.appendingPathComponent("fail").path]

    /// The decoded JSON object of `file`.
    static func json(_ file: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
    }

    /// The summary of a verification.json, as a comparable dictionary.
    static func summary(_ report: [String: Any]) throws -> [String: Int] {
        try #require(report["summary"] as? [String: Int])
    }

    static func caseIDs(_ report: [String: Any]) -> [String] {
        (report["cases"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    /// The count line without its duration.
    static func countLine(_ stdout: String) -> String? {
        stdout.components(separatedBy: "\n").last { $0.contains(" checks: ") }?.components(separatedBy: " (").first
    }

    @Test("run --shard 1/2 and 2/2, merged: the unsharded run's summary, case order, count line and exit code")
    func runShardsMerged() throws {
        let dir = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let whole = try Tool.run(["run"] + Self.fixtures + ["--report", "U"], in: dir)
        let first = try Tool.run(["run"] + Self.fixtures + ["--shard", "1/2", "--report", "A"], in: dir)
        let second = try Tool.run(["run"] + Self.fixtures + ["--shard", "2/2", "--report", "B"], in: dir)
        #expect(whole.status == 1, "\(whole.stdout)\(whole.stderr)")
        #expect(first.status == 0 || first.status == 1)
        #expect(second.status == 0 || second.status == 1)

        let u = try Self.json(dir.appendingPathComponent("U/verification.json"))
        let a = try Self.json(dir.appendingPathComponent("A/verification.json"))
        let b = try Self.json(dir.appendingPathComponent("B/verification.json"))
        // Each shard verified a part, and says which.
        #expect(a["shard"] as? [String: Int] == ["index": 1, "count": 2])
        #expect(b["shard"] as? [String: Int] == ["index": 2, "count": 2])
        #expect(u["shard"] == nil)
        #expect(Self.caseIDs(a).count + Self.caseIDs(b).count == Self.caseIDs(u).count)
        #expect(!Self.caseIDs(a).isEmpty && !Self.caseIDs(b).isEmpty)
        #expect(Set(Self.caseIDs(a)).isDisjoint(with: Self.caseIDs(b)))

        // Given in either order, the merge is the unsharded run; its summary goes to the job's page.
        for (inputs, report) in [(["A", "B"], "M"), (["B", "A"], "N")] {
            let stepSummary = dir.appendingPathComponent("step-summary-\(report).md")
            let merged = try Tool.run(["merge"] + inputs + ["--report", report], in: dir, environment: ["GITHUB_STEP_SUMMARY": stepSummary.path])
            #expect(merged.status == whole.status, "\(merged.stdout)\(merged.stderr)")
            let m = try Self.json(dir.appendingPathComponent("\(report)/verification.json"))
            #expect(try Self.summary(m) == Self.summary(u))
            #expect(Self.caseIDs(m) == Self.caseIDs(u))
            #expect(m["shard"] == nil)
            #expect(Self.countLine(merged.stdout) != nil)
            #expect(Self.countLine(merged.stdout) == Self.countLine(whole.stdout))
            let summary = try String(contentsOf: stepSummary, encoding: .utf8)
            #expect(summary.contains("1 of 3 cases failed"), "\(summary)")
            for file in ["verification.md", "junit.xml"] {
                #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("\(report)/\(file)").path))
            }
        }
    }

    @Test("more shards than cases: the empty shard says so, writes reports without cases, exit 0, and the set still merges")
    func emptyShard() throws {
        let dir = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pass = Tool.fixtures.appendingPathComponent("pass").path
        let whole = try Tool.run(["run", pass, "--report", "U"], in: dir)
        #expect(whole.status == 0)
        var outputs: [Tool.Output] = []
        for k in 1...3 { outputs.append(try Tool.run(["run", pass, "--shard", "\(k)/3", "--report", "S\(k)"], in: dir)) }
        #expect(outputs.map(\.status) == [0, 0, 0])
        #expect(outputs[2].stdout.contains("shard 3/3: none of the 2 selected cases falls in this shard"), "\(outputs[2].stdout)")
        #expect(outputs[2].stdout.contains("0 cases: 0 passed, 0 failed, 0 inconclusive"))
        let empty = try Self.json(dir.appendingPathComponent("S3/verification.json"))
        #expect(Self.caseIDs(empty).isEmpty)

        let merged = try Tool.run(["merge", "S1", "S2", "S3", "--report", "M", "--quiet"], in: dir)
        #expect(merged.status == 0, "\(merged.stdout)\(merged.stderr)")
        let m = try Self.json(dir.appendingPathComponent("M/verification.json"))
        let u = try Self.json(dir.appendingPathComponent("U/verification.json"))
        #expect(try Self.summary(m) == Self.summary(u))
        #expect(Self.caseIDs(m) == Self.caseIDs(u))

        // An empty selection before sharding stays an input error: nothing runs, no report.
        let none = try Tool.run(["run", pass, "--filter", "no-such-*", "--shard", "1/2", "--report", "F"], in: dir)
        #expect(none.status == 2)
        #expect(none.stderr.contains("--filter 'no-such-*' matches none"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("F").path))
    }

    @Test("--shard that is not K/N with 1 <= K <= N is a usage error (exit 2) for run and selftest")
    func badShard() throws {
        let pass = Tool.fixtures.appendingPathComponent("pass").path
        for command in ["run", "selftest"] {
            for bad in ["0/2", "3/2", "x", "1/0", "1/2/3", ""] {
                let r = try Tool.run([command, pass, "--shard", bad, "--report", "/nonexistent/never-written"])
                #expect(r.status == 2, "\(command) --shard '\(bad)': \(r.stdout)\(r.stderr)")
                #expect(r.stderr.contains("--shard: '\(bad)' is not K/N with 1 <= K <= N"), "\(r.stderr)")
            }
        }
    }

    @Test("merge refuses an incomplete or repeated set of shards and writes nothing")
    func incompleteSet() throws {
        let dir = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for k in [1, 3] {
            _ = try Tool.run(["run"] + Self.fixtures + ["--shard", "\(k)/3", "--report", "S\(k)", "--quiet"], in: dir)
        }
        let missing = try Tool.run(["merge", "S1", "S3", "--report", "M"], in: dir)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("shard 2/3 is missing"), "\(missing.stderr)")
        let repeated = try Tool.run(["merge", "S1", "S1/verification.json", "S3", "--report", "M"], in: dir)
        #expect(repeated.status == 2)
        #expect(repeated.stderr.contains("shard 1/3 is repeated: S1/verification.json and S1/verification.json"), "\(repeated.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("M").path))
    }

    @Test("merge: an argument that is no report folder or readable report is exit 2 with 'path: what is wrong'")
    func badArguments() throws {
        let dir = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("empty"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("broken"), withIntermediateDirectories: true)
        try "{\"schemaVersion\": 1, \"cases\": [".write(to: dir.appendingPathComponent("broken/verification.json"), atomically: true, encoding: .utf8)
        try "{\"schemaVersion\": 1}".write(to: dir.appendingPathComponent("partial.json"), atomically: true, encoding: .utf8)
        let cases: [(String, String)] = [
            ("no-such-folder", "error: no-such-folder: no such file or folder"),
            ("empty", "error: empty: no verification.json or mutation.json in this folder"),
            ("broken", "error: broken/verification.json: not a verification.json adverify can read: not JSON"),
            ("partial.json", "error: partial.json: neither a verification.json nor a mutation.json of adverify"),
        ]
        for (argument, message) in cases {
            let r = try Tool.run(["merge", argument, "--report", "M"], in: dir)
            #expect(r.status == 2, "\(argument): \(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains(message), "\(argument): \(r.stderr)")
        }
        let nothing = try Tool.run(["merge"], in: dir)
        #expect(nothing.status == 2)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("M").path))
    }

    @Test("selftest --shard 1/2 and 2/2, merged: the unsharded selftest's mutants, score and exit code")
    func selftestShardsMerged() throws {
        let dir = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
            id: relu-product
            title: relu(x) y + relu(y)
            inputs: {x: 0.7, y: -1.3}
            output: relu(x) * y + relu(y)
            ---
            id: relu-shifted
            title: relu(x² - 0.1) + x
            inputs: {x: -0.4}
            output: relu(x*x - 0.1) + x
            """.write(to: dir.appendingPathComponent("relu.yaml"), atomically: true, encoding: .utf8)
        let common = ["selftest", "relu.yaml", "--mutants", "relu/*"]
        let whole = try Tool.run(common + ["--report", "U"], in: dir)
        let first = try Tool.run(common + ["--shard", "1/2", "--report", "A"], in: dir)
        let second = try Tool.run(common + ["--shard", "2/2", "--report", "B"], in: dir)
        #expect(whole.status == 1, "\(whole.stdout)\(whole.stderr)")
        #expect(first.status != 2 && second.status != 2)

        func mutants(_ report: [String: Any]) -> [String] {
            (report["mutants"] as? [[String: Any]] ?? []).compactMap { m in
                guard let id = m["id"] as? String, let status = m["status"] as? String else { return nil }
                return "\(id) \(status)"
            }
        }
        let u = try Self.json(dir.appendingPathComponent("U/mutation.json"))
        let a = try Self.json(dir.appendingPathComponent("A/mutation.json"))
        let b = try Self.json(dir.appendingPathComponent("B/mutation.json"))
        #expect(a["shard"] as? [String: Int] == ["index": 1, "count": 2])
        #expect(mutants(a).count + mutants(b).count == mutants(u).count)
        #expect(mutants(u).count == 13)  // 9 first-order, 4 second-order (equivalent: relu'' = 0)

        let merged = try Tool.run(["merge", "B", "A", "--report", "M"], in: dir)
        #expect(merged.status == whole.status, "\(merged.stdout)\(merged.stderr)")
        let m = try Self.json(dir.appendingPathComponent("M/mutation.json"))
        #expect(mutants(m) == mutants(u))
        func score(_ stdout: String) -> String? {
            stdout.components(separatedBy: "\n").last { $0.hasPrefix("mutation score: ") }?.components(separatedBy: " (").dropLast().joined(separator: " (")
        }
        #expect(score(merged.stdout) != nil)
        #expect(score(merged.stdout) == score(whole.stdout), "\(merged.stdout)")
        let md = try String(contentsOf: dir.appendingPathComponent("M/mutation.md"), encoding: .utf8)
        #expect(md.contains("**Mutation score: 5 of 8 killable mutants killed (62.5 %).**"))
    }
}
