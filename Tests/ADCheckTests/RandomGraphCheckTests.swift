// ADCheck on the property tests' random graphs (GraphRecipe in ADTestSupport), each taken with
// one output and evaluated as a plain Swift closure, with the reference AD core's reverse-mode
// gradient as the "user's" gradient:
//
// - correct gradients (Double, and a subset rounded to Float) must never fail;
// - the gradient of a Workspace with one rule mutated (a primitive the output depends on, a
//   seeded mutation from RuleMutation) must fail, unless it is equivalent here (its gradient
//   equals the true one to `equivalentBelow` relative: a mutated partial multiplied by zero
//   downstream, the partial with respect to a constant) or no reference can resolve it (every
//   changed partial within twice the tightest budget of the references that judged it).
//
// The test prints one line with the counts. Measured with ADCHECK_GRAPHS=10000 on two streams
// of seeds: no false fail in 20,000 Double and 6,668 Float checks, and 1 miss in 14,821
// resolvable mutants, flagged (its partial inconclusive: central differences, conclusive and
// wrong on a 289-node graph whose values carry ~40 ulps of rounding, disagreed with the other
// three references), none silent.
//
// ADCHECK_GRAPHS=1000 checks that many graphs (default `defaultGraphs`); ADVERIFY_PROPERTY_SEED
// picks another stream of seeds, ADVERIFY_PROPERTY_REPLAY=0x... checks one graph.
import ADCheck
import ADCore
import ADTestSupport
import Foundation
import Testing

/// One scalar random graph, the user's function and the reference core's gradient as closures.
struct ScalarRandomGraph {
    let random: RandomGraph
    var graph: Graph { random.graph }
    var point: [Double] { random.point }
    var seed: UInt64 { random.recipe.seed }

    /// The property tests' graph of `seed` (analytic for even seeds, as they draw them), with
    /// one output: the recipe's first output node plus the weighted inputs.
    init(seed: UInt64) {
        var recipe = GraphRecipe.random(seed: seed, analytic: seed & 1 == 0)
        recipe.outputs = 1
        random = recipe.build()
    }

    /// The user's function: the graph evaluated (values only) at `x`.
    func value(_ x: [Double], _ ws: inout Workspace) throws -> Double {
        try ws.evaluate(at: x)
        return ws.outputValue(0)
    }

    /// Reverse mode's gradient at `x`, with `mutation` applied to the stored partials.
    func gradient(_ x: [Double], mutation: RuleMutation? = nil) throws -> [Double] {
        var ws = Workspace(for: graph)
        ws.ruleMutation = mutation
        return try ws.gradient(at: x)
    }

    /// The primitives of the nodes the output depends on, in rule-table order.
    var livePrimitives: [Op] {
        var live = Set(graph.outputNodes)
        for i in stride(from: graph.nodeCount - 1, through: 0, by: -1) where live.contains(i) && !graph.ops[i].isLeaf {
            live.insert(Int(graph.lhs[i]))
            if graph.rhs[i] >= 0 { live.insert(Int(graph.rhs[i])) }
        }
        let ops = Set(live.map { graph.ops[$0] })
        return Op.primitives.filter { ops.contains($0) }
    }

    /// A seeded mutant of a primitive the output depends on: the primitive first, then one of
    /// its `candidateMutants`.
    func mutant() -> RuleMutation {
        var rng = seededGenerator(seed ^ 0x0015_AD0C_4EC4_3D17)
        let ops = livePrimitives.filter { Self.candidateMutants[$0] != nil }
        let op = ops.randomElement(using: &rng)!
        return Self.candidateMutants[op]!.randomElement(using: &rng)!
    }

    /// Per primitive, RuleMutation's mutants less those no graph of this family can tell
    /// apart: the ones equivalent on the probe points (as `adverify selftest` leaves them
    /// out: `+` with its argument doubled is still `(1, 1)`), and the kink conventions, which
    /// act only at a kink, where the family never puts a point (`GraphRecipe.kinkMargin`).
    static let candidateMutants: [Op: [RuleMutation]] = {
        var table: [Op: [RuleMutation]] = [:]
        for op in Op.primitives {
            let mutants = RuleMutation.mutants(of: op).filter {
                $0.kind != .kinkConvention && !$0.isEquivalent(at: RuleMutation.probePoints)
            }
            if !mutants.isEmpty { table[op] = mutants }
        }
        return table
    }()

    /// What a failing expectation prints: the seed to replay, and for a small graph its
    /// Wengert list, case file and recipe.
    func describe(_ result: CheckResult) -> String {
        "\(random.testDescription)\npoint \(point)\n\(result)\nevery entry:\n"
            + result.entries.map(\.message).joined(separator: "\n")
    }
}

/// The relative change of a partial, `|a - b| / max(|a|, |b|)` (0 where both are 0; infinite
/// where one is not finite and they differ).
func relativeChange(_ a: Double, _ b: Double) -> Double {
    guard a.isFinite, b.isFinite else { return a.bitPattern == b.bitPattern ? 0 : .infinity }
    let scale = max(abs(a), abs(b))
    return scale == 0 ? 0 : abs(a - b) / scale
}

@Suite("ADCheck on the property tests' random graphs")
struct RandomGraphCheckTests {
    /// Graphs checked by default (about 2.5 s in a debug build); ADCHECK_GRAPHS sets another
    /// count (issue 15 asks for 1000).
    static let defaultGraphs = 1000
    /// Every `floatEvery`-th graph is also checked in Float.
    static let floatEvery = 3
    /// A mutant whose gradient is within this relative change of the true one in every partial
    /// is equivalent at this point: nothing can tell it apart, and it is not counted as a miss.
    static let equivalentBelow = 1e-9
    /// The check's resolution in Double (`max(1e-7, 100 eps)`): reported, the changes beyond
    /// twice it that still no reference resolved (a function whose values are noisy).
    static let resolution = 1e-7

    /// Whether a reference of the entry could tell the changed partial from the true one: the
    /// change exceeds twice the budget of the tightest conclusive reference that judged it. A
    /// reference within its budget `b` of the truth passes any value within `2b` of the truth:
    /// a smaller change is below what the references that ran can resolve.
    static func resolves(_ entry: EntryCheck, change: Double) -> Bool {
        let budgets = entry.checks.map(\.comparison).filter { !$0.verdict.isInconclusive }.map(\.budget)
        guard let tightest = budgets.min() else { return true }
        return change > 2 * tightest
    }

    static var graphCount: Int {
        let env = ProcessInfo.processInfo.environment
        if env["ADVERIFY_PROPERTY_REPLAY"] != nil { return 1 }
        return env["ADCHECK_GRAPHS"].flatMap { Int($0) } ?? defaultGraphs
    }

    @Test("correct gradients pass or are inconclusive, never fail; one mutated rule fails")
    func randomGraphs() throws {
        let stream = RecipeStream(property: 15)
        let count = Self.graphCount
        var pass = 0, inconclusive = 0, falseFails = 0
        var partials = 0, inconclusivePartials = 0, evaluations = 0
        var floatGraphs = 0, floatPass = 0, floatInconclusive = 0, floatFalseFails = 0
        // Mutants: equivalent here; caught; unresolved (every changed partial within twice the
        // tightest budget of its references, `resolves`); missed. A miss is silent when a
        // partial that a reference resolved passed, flagged when they were all inconclusive
        // (the check then passes on its other partials).
        var mutants = 0, equivalent = 0, caught = 0, unresolved = 0, unresolvedCoarse = 0
        var silent = 0, flagged = 0
        var caughtByKind: [RuleMutation.Kind: Int] = [:], resolvableByKind: [RuleMutation.Kind: Int] = [:]
        let start = ContinuousClock.now
        for index in 0..<count {
            let g = ScalarRandomGraph(seed: stream.nextSeed())
            let options = CheckOptions(seed: g.seed)
            var ws = Workspace(for: g.graph)
            let truth = try g.gradient(g.point)

            // Correct, Double.
            let result = ADCheck.check(function: { try g.value($0, &ws) }, gradient: truth, at: g.point, options: options)
            partials += result.entries.count
            inconclusivePartials += result.entries.filter(\.verdict.isInconclusive).count
            evaluations += result.evaluations
            switch result.verdict {
            case .pass: pass += 1
            case .inconclusive: inconclusive += 1
            case .fail: falseFails += 1
            }
            #expect(!result.verdict.isFail, "false fail (Double): \(g.describe(result))")

            // Correct, Float: the function's value and the gradient rounded to Float, at the
            // point rounded to Float.
            if index % Self.floatEvery == 0 {
                floatGraphs += 1
                let x = g.point.map { Float($0) }
                let gradient = try g.gradient(x.map { Double($0) }).map { Float($0) }
                let result = ADCheck.check(
                    function: { (x: [Float]) in Float(try g.value(x.map { Double($0) }, &ws)) }, gradient: gradient, at: x,
                    options: options)
                switch result.verdict {
                case .pass: floatPass += 1
                case .inconclusive: floatInconclusive += 1
                case .fail: floatFalseFails += 1
                }
                #expect(!result.verdict.isFail, "false fail (Float): \(g.describe(result))")
            }

            // One rule mutated.
            let mutation = g.mutant()
            mutants += 1
            let wrong = try g.gradient(g.point, mutation: mutation)
            let changes = zip(wrong, truth).map { relativeChange($0, $1) }
            let change = changes.max() ?? 0
            if change <= Self.equivalentBelow {
                equivalent += 1
                continue
            }
            let mutated = ADCheck.check(function: { try g.value($0, &ws) }, gradient: wrong, at: g.point, options: options)
            if mutated.verdict.isFail {
                caught += 1
                caughtByKind[mutation.kind, default: 0] += 1
                resolvableByKind[mutation.kind, default: 0] += 1
                continue
            }
            let resolved = mutated.entries.filter { entry in
                entry.input.map { abs(wrong[$0] - truth[$0]) > 0 && Self.resolves(entry, change: abs(wrong[$0] - truth[$0])) } ?? false
            }
            guard !resolved.isEmpty else {
                unresolved += 1
                if change > 2 * Self.resolution { unresolvedCoarse += 1 }
                continue
            }
            resolvableByKind[mutation.kind, default: 0] += 1
            let isSilent = resolved.contains { $0.verdict == .pass }
            if isSilent { silent += 1 } else { flagged += 1 }
            let what = "missed mutant (\(isSilent ? "silent" : "its partials inconclusive")) \(mutation.id) (\(mutation)), gradient changed by \(change) relative: true gradient \(truth), mutated \(wrong)\n\(g.describe(mutated))"
            #expect(!isSilent, "\(what)")
            print(what)
        }
        let resolvable = caught + silent + flagged
        let elapsed = (ContinuousClock.now - start).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
        let kinds = RuleMutation.Kind.allCases.compactMap { kind -> String? in
            guard let r = resolvableByKind[kind] else { return nil }
            return "\(kind.rawValue) \(caughtByKind[kind] ?? 0)/\(r)"
        }
        print("""
            ADCheck on random graphs: \(count) graphs (Double): \(pass) pass, \(inconclusive) inconclusive, \(falseFails) false fails, \
            \(String(format: "%.1f", Double(evaluations) / Double(max(partials, 1)))) evaluations per partial (\(partials) partials); \
            \(inconclusivePartials) partials inconclusive; \
            \(floatGraphs) in Float: \(floatPass) pass, \(floatInconclusive) inconclusive, \(floatFalseFails) false fails; \
            \(mutants) mutants: \(equivalent) equivalent (gradient within \(Self.equivalentBelow) relative), \
            \(unresolved) unresolved (each change within twice the tightest reference's budget; \(unresolvedCoarse) of them \
            changed by more than \(2 * Self.resolution)); \(resolvable) resolvable: \(caught) caught, \(silent + flagged) missed \
            (\(silent) silent, \(flagged) with the resolved partials inconclusive; caught by kind \(kinds.joined(separator: ", "))); \
            \(String(format: "%.1f", seconds)) s
            """)
        #expect(falseFails == 0 && floatFalseFails == 0)
        // Silent misses: none (checked per graph above). A flagged miss: the first reference
        // (central differences) is conclusive and wrong, the others agree with each other and
        // against it, and the entry is inconclusive for the true gradient too (measured: 1 in
        // 14,821 resolvable mutants of 20,000 graphs). At most 1 in 1000.
        #expect(flagged <= resolvable / 1000, "\(flagged) flagged misses of \(resolvable) resolvable mutants")
        // The mutants must be able to fail a check, and most must change the gradient.
        #expect(caught > 0 && resolvable >= count / 2, "\(caught) caught of \(resolvable) resolvable")
    }
}
