// `--shard K/N` and `adverify merge` at the library level: the shards of a run, merged, are the
// unsharded run (counts, case order, every check's verdict), and merge refuses an incomplete
// or overlapping set of shards.
import ADCatalog
import ADCore
import ADVerify
import Foundation
import Testing

@Suite("Sharding and merging")
struct ShardingTests {
    /// Ids out of alphabetical order, so that the shards (by sorted id) interleave the
    /// catalogue; one wrong expectation; one document that does not load.
    static let yaml = """
        id: zeta-square
        title: x squared
        inputs: {x: 1.5}
        output: x^2
        expect:
          gradient: {x: 3}
        ---
        id: alpha-sine
        title: sin x y
        inputs: {x: 0.7, y: -1.3}
        output: sin(x) * y + y
        ---
        id: mid-wrong
        title: a wrong expected gradient
        inputs: {x: 0.4}
        output: exp(x) + x
        expect:
          gradient: {x: 7}
        ---
        id: beta-exp
        title: exp of a product
        inputs: {a: 0.3, b: 1.1}
        output: exp(a * b)
        ---
        id: broken
        title: does not parse
        inputs: {x: 1}
        output: sin(x
        ---
        id: omega-log
        title: log of a sum
        inputs: {x: 2, y: 3}
        output: log(x + y) * x
        ---
        id: gamma-tanh
        title: tanh
        inputs: {x: -0.2}
        output: tanh(x) * tanh(x)
        """

    static let tool = ToolInfo(adverify: "test", gsl: gslVersion, swift: "", platform: "")

    /// The catalogue as `Catalog.load` makes it: every case numbered in catalogue order.
    static func catalog() -> Catalog {
        let (cases, errors) = CaseLoader.load(text: yaml, path: "shards.yaml")
        let numbered = cases.enumerated().map { index, c in
            var c = c
            c.catalogueIndex = index
            return c
        }
        return Catalog(files: ["shards.yaml"], cases: numbered, errors: errors)
    }

    /// Each shard runs the catalogue's share of cases; load errors are every shard's.
    static func runShard(_ shard: Shard, of catalog: Catalog) async -> RunResult {
        var share = catalog
        share.cases = shard.select(catalog.cases, id: \.id)
        var result = await Runner().run(share, tool: tool, paths: ["shards.yaml"])
        result.shard = shard
        return result
    }

    /// Every check of every case: kind, quantity, verdict.
    static func verdicts(_ run: RunResult) -> [[String]] {
        run.cases.map { c in c.checks.map { "\($0.kind) \($0.quantity) \($0.comparison.method) \($0.comparison.verdict)" } }
    }

    @Test("K/N parses with 1 <= K <= N; anything else does not")
    func parsing() {
        #expect(Shard(parsing: "1/1") == Shard(index: 1, count: 1))
        #expect(Shard(parsing: "3/4")?.index == 3)
        #expect(Shard(parsing: "3/4")?.count == 4)
        #expect(Shard(parsing: "12/12")?.description == "12/12")
        for bad in ["0/2", "3/2", "x", "1/0", "0/0", "", "/", "1/", "/2", "1/2/3", "-1/2", "+1/2", " 1/2", "1 /2", "1.0/2", "٣/4",
                    "99999999999999999999/1", "1/99999999999999999999"] {
            #expect(Shard(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test("the shards of a selection are disjoint and cover it, every N-th id in sorted order, each in the given order")
    func selection() {
        let ids = ["delta", "alpha", "echo", "charlie", "bravo"]
        let shards = (1...2).map { Shard(index: $0, count: 2)! }
        // Sorted: alpha bravo charlie delta echo; shard 1 takes positions 0, 2, 4.
        #expect(shards[0].select(ids, id: { $0 }) == ["alpha", "echo", "charlie"])
        #expect(shards[1].select(ids, id: { $0 }) == ["delta", "bravo"])
        for n in 1...7 {
            let parts = (1...n).map { Shard(index: $0, count: n)!.select(ids, id: { $0 }) }
            #expect(parts.flatMap { $0 }.sorted() == ids.sorted(), "\(n) shards")
            #expect((parts.map(\.count).max() ?? 0) - (parts.map(\.count).min() ?? 0) <= 1)
        }
        // More shards than items: the rest are empty.
        #expect(Shard(index: 7, count: 7)!.select(ids, id: { $0 }).isEmpty)
    }

    @Test("Catalog.load numbers the cases in catalogue order, and the runner copies the number into the result")
    func catalogueIndex() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("adverify-shard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "id: b-second\ntitle: t\ninputs: {x: 1}\noutput: x * x\n---\nid: a-first\ntitle: t\ninputs: {x: 1}\noutput: x + x\n"
            .write(to: dir.appendingPathComponent("1.yaml"), atomically: true, encoding: .utf8)
        try "id: a-first\ntitle: again\ninputs: {x: 1}\noutput: x\n---\nid: c-third\ntitle: t\ninputs: {x: 1}\noutput: sin(x)\n"
            .write(to: dir.appendingPathComponent("2.yaml"), atomically: true, encoding: .utf8)
        let catalog = Catalog.load(paths: [dir.path])
        // The duplicate id is dropped (a load error) and takes no number.
        #expect(catalog.cases.map(\.id) == ["b-second", "a-first", "c-third"])
        #expect(catalog.cases.map(\.catalogueIndex) == [0, 1, 2])
        #expect(catalog.errors.count == 1)
        let result = await Runner().run(catalog, tool: Self.tool, paths: [dir.path])
        #expect(result.cases.map(\.catalogueIndex) == [0, 1, 2])
    }

    @Test("shards 1/3, 2/3, 3/3 merged: the unsharded run's counts, case order and check verdicts")
    func mergedEqualsUnsharded() async throws {
        let catalog = Self.catalog()
        #expect(catalog.cases.count == 6)
        #expect(catalog.errors.count == 1)
        let whole = await Runner().run(catalog, tool: Self.tool, paths: ["shards.yaml"])
        #expect(whole.summary.failedCases == 1)

        var shards: [RunResult] = []
        for k in 1...3 { shards.append(await Self.runShard(Shard(index: k, count: 3)!, of: catalog)) }
        #expect(shards.map(\.cases.count) == [2, 2, 2])
        // Every shard reports the file's load error.
        #expect(shards.allSatisfy { $0.loadErrors.count == 1 })
        // The longest shard and the earliest start are neither the first input's nor the same one's.
        (shards[0].duration, shards[0].startedAt) = (5, "2026-01-02T10:00:09Z")
        (shards[1].duration, shards[1].startedAt) = (3, "2026-01-02T09:59:59Z")
        (shards[2].duration, shards[2].startedAt) = (1, "2026-01-02T10:00:05Z")

        // Given out of order: the merge does not depend on the order of its arguments.
        let inputs = [("reports-3", shards[2]), ("reports-1", shards[0]), ("reports-2", shards[1])]
        let (merged, warnings) = try RunResult.merge(inputs.map { (source: $0.0, result: $0.1) })
        #expect(warnings.isEmpty)
        #expect(merged.summary == whole.summary)
        #expect(merged.cases.map(\.id) == whole.cases.map(\.id))
        #expect(merged.cases.map(\.id) == ["zeta-square", "alpha-sine", "mid-wrong", "beta-exp", "omega-log", "gamma-tanh"])
        #expect(Self.verdicts(merged) == Self.verdicts(whole))
        #expect(merged.loadErrors == whole.loadErrors)
        #expect(merged.exitCode == whole.exitCode)
        #expect(merged.shard == nil)
        #expect(merged.duration == 5)
        #expect(merged.startedAt == "2026-01-02T09:59:59Z")
    }

    @Test("the shard and the catalogue index survive JSON, and results without them still decode")
    func jsonRoundTrip() async throws {
        let shard = await Self.runShard(Shard(index: 2, count: 3)!, of: Self.catalog())
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let data = try encoder.encode(shard)
        let back = try decoder.decode(RunResult.self, from: data)
        #expect(back.shard == Shard(index: 2, count: 3))
        #expect(back.cases.map(\.catalogueIndex) == shard.cases.map(\.catalogueIndex))
        #expect(back.cases.allSatisfy { $0.catalogueIndex != nil })
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["shard"] as? [String: Int] == ["index": 2, "count": 3])

        // As written before: no shard, no catalogue index.
        object["shard"] = nil
        object["cases"] = (object["cases"] as? [[String: Any]])?.map { c in
            var c = c
            c["catalogueIndex"] = nil
            return c
        }
        let old = try decoder.decode(RunResult.self, from: try JSONSerialization.data(withJSONObject: object))
        #expect(old.shard == nil)
        #expect(old.cases.count == shard.cases.count)
        #expect(old.cases.allSatisfy { $0.catalogueIndex == nil })
    }

    @Test("without catalogue indices (older results), shards come back in file and line order")
    func fileAndLineFallback() async throws {
        let catalog = Self.catalog()
        var shards: [(source: String, result: RunResult)] = []
        for k in 1...3 {
            var r = await Self.runShard(Shard(index: k, count: 3)!, of: catalog)
            for i in r.cases.indices { r.cases[i].catalogueIndex = nil }
            shards.append(("reports-\(k)", r))
        }
        let (merged, _) = try RunResult.merge(Array(shards.reversed()))
        #expect(merged.cases.map(\.id) == catalog.cases.map(\.id))
    }

    @Test("refused: a missing shard, a repeated shard, shards of two splits, a shard with a whole run, a case in two inputs, another schema")
    func refusals() async throws {
        let catalog = Self.catalog()
        var shards: [RunResult] = []
        for k in 1...3 { shards.append(await Self.runShard(Shard(index: k, count: 3)!, of: catalog)) }
        let whole = await Runner().run(catalog, tool: Self.tool, paths: ["shards.yaml"])

        func refusal(_ inputs: [(String, RunResult)]) -> String? {
            do {
                _ = try RunResult.merge(inputs.map { (source: $0.0, result: $0.1) })
                return nil
            } catch {
                return error.message
            }
        }
        #expect(refusal([("A", shards[0]), ("C", shards[2])]) == "shard 2/3 is missing: merge every shard of the run (3 in all)")
        #expect(refusal([("A", shards[0])]) == "shards 2/3 and 3/3 are missing: merge every shard of the run (3 in all)")
        #expect(refusal([("A", shards[0]), ("B", shards[1]), ("A2", shards[0]), ("C", shards[2])])
                == "shard 1/3 is repeated: A and A2")
        var otherSplit = shards[1]
        otherSplit.shard = Shard(index: 2, count: 4)
        #expect(refusal([("A", shards[0]), ("B", otherSplit), ("C", shards[2])])
                == "A is shard 1/3 but B is shard 2/4: merge the shards of one split")
        #expect(refusal([("A", shards[0]), ("B", shards[1]), ("C", shards[2]), ("W", whole)])
                == "W is not a shard but A is shard 1/3: merge all the shards of one run, or unsharded runs")
        // Unsharded runs merge, but never the same case twice.
        let twice = try #require(refusal([("U", whole), ("V", whole)]))
        #expect(twice == "case 'zeta-square' is in both U and V: merge the shards of one run, each once")
        var future = shards[1]
        future.schemaVersion = RunResult.currentSchemaVersion + 1
        #expect(refusal([("A", shards[0]), ("B", future), ("C", shards[2])])?.hasPrefix("B: schemaVersion \(RunResult.currentSchemaVersion + 1)") == true)
        #expect(refusal([]) == "nothing to merge")
        // A case in two shards (a shard that ran the wrong share) is refused too.
        var overlapping = shards[1]
        overlapping.cases.append(shards[0].cases[0])
        #expect(refusal([("A", shards[0]), ("B", overlapping), ("C", shards[2])])?.contains("is in both A and B") == true)
    }

    @Test("a different tool is merged with a warning naming both inputs")
    func toolWarning() async throws {
        let catalog = Self.catalog()
        let first = await Self.runShard(Shard(index: 1, count: 2)!, of: catalog)
        var second = await Self.runShard(Shard(index: 2, count: 2)!, of: catalog)
        second.tool.adverify = "other"
        let (_, warnings) = try RunResult.merge([(source: "A", result: first), (source: "B", result: second)])
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("B was made by adverify other") == true)
    }

    @Test("selftest shards merged: the unsharded selftest's mutants, in its order, with its score")
    func mutationMerge() async throws {
        let (cases, errors) = CaseLoader.load(text: MutationTestingTests.yaml, path: "mutants.yaml")
        #expect(errors.isEmpty)
        let catalog = Catalog(files: ["mutants.yaml"], cases: cases, errors: [])
        let chosen = Mutant.all.filter { $0.id.hasPrefix("relu/") || $0.id.hasPrefix("sin/") }
        let whole = await MutationTesting(mutants: chosen).run(catalog, tool: Self.tool, paths: ["mutants.yaml"])
        #expect(whole.killed > 0 && whole.survived > 0 && whole.equivalent > 0)

        var shards: [(source: String, result: MutationRun)] = []
        for k in 1...3 {
            let shard = Shard(index: k, count: 3)!
            var run = await MutationTesting(mutants: shard.select(chosen, id: \.id)).run(catalog, tool: Self.tool, paths: ["mutants.yaml"])
            run.shard = shard
            shards.append(("reports-\(k)", run))
        }
        let (merged, warnings) = try MutationRun.merge(Array(shards.reversed()))
        #expect(warnings.isEmpty)
        #expect(merged.mutants.map(\.id) == whole.mutants.map(\.id))
        #expect(merged.mutants.map(\.status) == whole.mutants.map(\.status))
        #expect(merged.mutants.map { $0.killers.map(\.id) } == whole.mutants.map { $0.killers.map(\.id) })
        #expect(merged.mutants.map(\.casesRun) == whole.mutants.map(\.casesRun))
        #expect(merged.score == whole.score)
        #expect(merged.exitCode == whole.exitCode)
        #expect(merged.excludedCases == whole.excludedCases)
        #expect(merged.cases == whole.cases)
        #expect(merged.shard == nil)

        do {
            _ = try MutationRun.merge([shards[0], shards[2]])
            Issue.record("a missing selftest shard was merged")
        } catch {
            #expect(error.message == "shard 2/3 is missing: merge every shard of the run (3 in all)")
        }
        do {
            _ = try MutationRun.merge([shards[0], (source: "again", result: shards[0].result)].map { s in
                var s = s
                s.result.shard = nil
                return s
            })
            Issue.record("a mutant in two inputs was merged")
        } catch {
            #expect(error.message.contains("is in both reports-1 and again"))
        }
    }
}
