// Random case documents from the case grammar (ADTestSupport's CaseDocumentGenerator), each loaded
// with CaseLoader: nothing may crash, every error is located on a line of the document with its
// text and a caret, and every loaded case is built and swept at its own point the way the runner
// starts (indices in range, primal, tangent and adjoint sweeps). The runner itself (ADVerify) is
// not a dependency of these tests; the end-to-end tests run the command line.
//
// ADVERIFY_GENERATOR_DOCS=20000 loads that many documents (default `defaultCount`) and prints what
// they did; ADVERIFY_GENERATOR_SEED=0x... fixes the stream (otherwise a random seed, printed);
// ADVERIFY_GENERATOR_REPLAY=0x... loads the one document of that seed and prints it. The document
// being loaded is written to a scratch file first, so a crash leaves it behind (the path is printed).
// ADVERIFY_GENERATOR_WRITE=DIR also writes every document to DIR/gN.yaml, for `adverify run DIR`.
import ADCatalog
import ADCore
import ADTestSupport
import Foundation
import Testing

@Suite("Generated case documents")
struct GeneratedDocumentTests {
    static let defaultCount = 300
    static let path = "generated.yaml"

    /// What went wrong with one document, for the failure message.
    struct Problem: CustomStringConvertible {
        var seed: UInt64
        var what: String
        var text: String
        var description: String {
            "document seed 0x\(String(seed, radix: 16)) (ADVERIFY_GENERATOR_REPLAY=0x\(String(seed, radix: 16))): \(what)\n\(text)"
        }
    }

    @Test("generated documents load or fail with a located error, and loaded cases sweep at their point")
    func generatedDocuments() throws {
        let env = ProcessInfo.processInfo.environment
        let replay = env["ADVERIFY_GENERATOR_REPLAY"].flatMap(RecipeStream.parse)
        let base = env["ADVERIFY_GENERATOR_SEED"].flatMap(RecipeStream.parse) ?? UInt64.random(in: 0...UInt64.max)
        let count = replay != nil ? 1 : env["ADVERIFY_GENERATOR_DOCS"].flatMap { Int($0) } ?? Self.defaultCount
        let longRun = env["ADVERIFY_GENERATOR_DOCS"] != nil
        let writeTo = env["ADVERIFY_GENERATOR_WRITE"]
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("adverify-generated-\(ProcessInfo.processInfo.processIdentifier).yaml")
        print("generated documents: \(count), seed 0x\(String(base, radix: 16)) (ADVERIFY_GENERATOR_SEED); the document being loaded is in \(scratch.path)")

        var problems: [Problem] = []
        var loaded = (expression: 0, network: 0, evaluated: 0), failed = 0
        var messages: [String: Int] = [:]
        let start = ContinuousClock.now
        for index in 0..<count {
            let seed = replay ?? RecipeStream.mix(RecipeStream.mix(base) &+ UInt64(index))
            // Every fourth document with many mistakes, to reach the error paths deeper in.
            var generator = CaseDocumentGenerator(seed: seed, mistakeRate: seed % 4 == 3 ? 0.25 : 0.05)
            let text = generator.document(id: "g\(index)")
            try? text.write(to: scratch, atomically: false, encoding: .utf8)
            if replay != nil { print(text) }
            if let folder = writeTo { try? text.write(toFile: "\(folder)/g\(index).yaml", atomically: false, encoding: .utf8) }
            let (cases, errors) = CaseLoader.load(text: text, path: Self.path)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for error in errors {
                failed += 1
                if let problem = Self.check(error, lines: lines) {
                    problems.append(Problem(seed: seed, what: "\(problem): \(error)", text: text))
                }
                messages[Self.kind(of: error.message), default: 0] += 1
                if replay != nil { print(error) }
            }
            for c in cases {
                if c.network != nil { loaded.network += 1 } else { loaded.expression += 1 }
                if c.graph.nodeCount > 0 { loaded.evaluated += 1 }
                if let problem = Self.exercise(c) {
                    problems.append(Problem(seed: seed, what: problem, text: text))
                }
            }
            if cases.isEmpty, errors.isEmpty {
                problems.append(Problem(seed: seed, what: "neither a case nor an error", text: text))
            }
        }
        try? FileManager.default.removeItem(at: scratch)
        let elapsed = ContinuousClock.now - start
        let summary = "\(count) documents in \(elapsed): \(loaded.expression) expression and \(loaded.network) network cases loaded (\(loaded.evaluated) with a graph), \(failed) located errors"
        print(summary)
        if longRun {
            for (message, n) in messages.sorted(by: { $0.value > $1.value }).prefix(40) { print(String(format: "%6d  %@", n, message)) }
        }
        for problem in problems.prefix(10) { Issue.record("\(problem)") }
        // The generator must keep reaching past the first checks: a share of its documents load.
        // The stream's seed is random, so the floors sit far below the usual counts (per 300
        // documents over 60 seeds: 17-38 network cases, mean 27.5, sd about 4; expression about
        // 46 %): a floor of 5 % once failed CI on an unchanged tree with 13 network cases.
        if replay == nil, count >= 100 {
            #expect(loaded.expression >= count / 10 && loaded.network >= count / 100,
                    "\(summary); seed 0x\(String(base, radix: 16)) (ADVERIFY_GENERATOR_SEED)")
        }
    }

    /// Why `error` is not a proper located error on one of the document's `lines`, or nil.
    static func check(_ error: CatalogError, lines: [String]) -> String? {
        let l = error.location
        guard l.file == path else { return "the error names the file \(l.file)" }
        guard l.line >= 1, l.line <= lines.count else { return "the error's line \(l.line) is not one of the document's \(lines.count)" }
        let line = lines[l.line - 1]
        guard l.column >= 1, l.column <= line.unicodeScalars.count + 1 else { return "the error's column \(l.column) is outside its line" }
        guard !error.message.isEmpty else { return "an error without a message" }
        guard error.sourceLine == line else { return "the error shows the line '\(error.sourceLine)', not line \(l.line)" }
        let description = error.description
        guard description.hasPrefix("\(path):\(l.line):\(l.column): "), description.hasSuffix("^") else {
            return "the error is not rendered as file:line:column: message, the line and a caret"
        }
        for leak in ["Optional(", "ADCoreError", "NetworkError(", "Swift.", "<unknown>"] where error.message.contains(leak) {
            return "the message shows an internal value (\(leak))"
        }
        return nil
    }

    /// The message's first words, with numbers and quoted names blanked: a class of errors.
    static func kind(of message: String) -> String {
        var words: [String] = []
        for word in message.split(separator: " ").prefix(7) {
            words.append(word.contains(where: \.isNumber) || word.contains("'") ? "_" : String(word))
        }
        return words.joined(separator: " ")
    }

    /// What the runner relies on before the oracles, or why it does not hold.
    static func exercise(_ c: Case) -> String? {
        let graph = c.graph
        let n = graph.inputCount, m = graph.outputCount, nodes = graph.nodeCount
        if c.network != nil, nodes == 0 { return nil }  // an architecture-only network case
        guard m >= 1 else { return "a graph without outputs" }
        guard c.point.count == n else { return "\(c.point.count) point values for \(n) inputs" }
        guard c.point.allSatisfy(\.isFinite) else { return "a point value is not finite" }
        guard !c.isScalar || m == 1 else { return "a scalar case with \(m) outputs" }
        for seed in c.tangentSeeds where seed.count != n { return "a tangent seed of \(seed.count) for \(n) inputs" }
        for e in c.expectations {
            switch e.quantity {
            case .value(let k): guard k >= 0, k < m else { return "value of output \(k) of \(m)" }
            case .nodeValue(let node), .adjoint(let node): guard node >= 0, node < nodes else { return "node \(node) of \(nodes)" }
            case let .partial(k, i): guard k >= 0, k < m, i >= 0, i < n else { return "partial \(k), \(i) of \(m) x \(n)" }
            case let .tangent(s, node): guard s >= 0, s < c.tangentSeeds.count, node >= 0, node < nodes else { return "tangent \(s), \(node)" }
            case let .secondPartial(i, j): guard c.isScalar, i >= 0, i < n, j >= 0, j < n else { return "second partial \(i), \(j) of \(n)" }
            case let .hvp(d, i):
                guard d >= 0, d < c.hvpDirections.count, c.hvpDirections[d].count == n, c.hvpCotangents.count == c.hvpDirections.count,
                      c.hvpCotangents[d].count == m, i >= 0, i < n else { return "hvp \(d), \(i)" }
            }
            guard e.expected.value.isFinite else { return "an expected value that is not finite" }
            _ = c.label(e.quantity)
        }
        if let evaluation = c.network?.evaluation {
            guard evaluation.outputNodes.allSatisfy({ (0..<nodes).contains($0) }) else { return "an output node outside the graph" }
            guard evaluation.layerNodes.joined().allSatisfy({ (0..<nodes).contains($0) }) else { return "a layer node outside the graph" }
        }
        var workspace = Workspace(for: graph)
        workspace.kinkConvention = c.kinks ?? .default
        do {
            try workspace.linearize(at: c.point)
            var cotangent = [Double](repeating: 0, count: m)
            cotangent[0] = 1
            try workspace.reverse(cotangent: cotangent)
            var unit = [Double](repeating: 0, count: n)
            if n > 0 { unit[0] = 1 }
            for seed in c.tangentSeeds.prefix(2) + [unit] { try workspace.forward(seeds: seed, width: 1) }
        } catch {
            return "the loaded graph cannot be swept at its own point: \(error)"
        }
        return nil
    }
}
