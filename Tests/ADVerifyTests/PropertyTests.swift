// Property-based tests over random expression graphs (see GraphRecipe.swift): forward against
// reverse mode, the complex step, the dot-product test, and the verifier's oracles, each on a
// stream of seeded graphs; a failure shrinks to a small graph and prints its seed and text.
//
// ADVERIFY_PROPERTY_GRAPHS=10000 checks that many graphs per property (and prints statistics);
// ADVERIFY_PROPERTY_SEED picks another stream; ADVERIFY_PROPERTY_REPLAY=0x... checks one seed.
import ADCatalog
import ADCore
import ADNumeric
import ADTestSupport
import ADVerify
import ComplexModule
import Foundation
import PropertyBased
import Testing

/// For output `k` and input `j`: the sum over all paths from `x_j` to `y_k` of the product of
/// the magnitudes of the local partials, `Σ_paths Π |∂v/∂u|`. Both modes add up exactly these
/// path products (in different orders), so their rounding errors are bounded by about
/// `(path length) · eps · A[k][j]`; `|J[k][j]| <= A[k][j]`, with equality unless terms cancel.
/// Needs a linearized workspace.
func absoluteJacobian(_ ws: Workspace) -> [[Double]] {
    let g = ws.graph
    let n = g.inputCount
    var t = [Double](repeating: 0, count: g.nodeCount * n)
    for i in 0..<g.nodeCount {
        switch g.ops[i] {
        case .input: t[i * n + Int(g.lhs[i])] = 1
        case .constant: break
        default:
            let (signedA, signedB) = ws.partials(of: i)
            let pa = abs(signedA), pb = abs(signedB)
            let l = Int(g.lhs[i]), r = Int(g.rhs[i])
            for j in 0..<n {
                t[i * n + j] = pa * t[l * n + j] + (r >= 0 ? pb * t[r * n + j] : 0)
            }
        }
    }
    return g.outputNodes.map { node in (0..<n).map { t[node * n + $0] } }
}

/// How far forward mode's `J u` moves when every rounding of the computation falls differently:
/// the largest change over `runs` recomputations in which each node's value, each local partial
/// and each tangent update is multiplied by `1 + r eps`, `r` uniform in [-1, 1] (Monte Carlo
/// arithmetic), against the same computation without the factors. Where f' depends strongly on
/// an intermediate value (`exp(tan(139.46...))`: the argument's last bit moves tan' by 1e-13
/// relative) AD and the complex step, which round those values differently, differ by this much
/// however right both are. Its own sweep, measured against its own unperturbed run, so a wrong
/// sweep in the workspace cannot widen the bound that should catch it.
func jvpRoundingSpread(_ g: Graph, at x: [Double], direction u: [Double], runs: Int, seed: UInt64) -> [Double] {
    var rng = seededGenerator(seed)
    var v = [Double](repeating: 0, count: g.nodeCount), t = v
    var reference = [Double](repeating: 0, count: g.outputCount), spread = reference
    for run in 0...runs {
        func jitter() -> Double { run == 0 ? 1 : 1 + Double.random(in: -1...1, using: &rng) * Double.ulpOfOne }
        for i in 0..<g.nodeCount {
            switch g.ops[i] {
            case .input:
                v[i] = x[Int(g.lhs[i])]
                t[i] = u[Int(g.lhs[i])]
            case .constant:
                v[i] = g.payload[i]
                t[i] = 0
            default:
                let l = Int(g.lhs[i]), r = Int(g.rhs[i])
                let a = v[l], b = r >= 0 ? v[r] : 0
                v[i] = g.ops[i].value(a, b) * jitter()
                let (pa, pb) = g.ops[i].partials(a, b, value: v[i])
                t[i] = (pa * jitter() * t[l] + (r >= 0 ? pb * jitter() * t[r] : 0)) * jitter()
            }
        }
        for (k, node) in g.outputNodes.enumerated() {
            if run == 0 { reference[k] = t[node] } else { spread[k] = max(spread[k], abs(t[node] - reference[k])) }
        }
    }
    return spread
}

/// Counts and sizes for the long run's report.
final class PropertyStatistics: @unchecked Sendable {
    private let lock = NSLock()
    private var nodes: [Int] = []
    private var worst = 0.0
    private var counts: [String: Int] = [:]
    private let name: String
    private let start = Date()

    init(_ name: String) { self.name = name }

    func graph(nodes count: Int, worstRatio: Double = 0) {
        lock.withLock {
            nodes.append(count)
            worst = max(worst, worstRatio)
        }
    }

    func count(_ key: String, _ amount: Int = 1) {
        lock.withLock { counts[key, default: 0] += amount }
    }

    subscript(key: String) -> Int { lock.withLock { counts[key] ?? 0 } }

    var summary: String {
        lock.withLock {
            let sorted = nodes.sorted()
            let median = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
            var s = "\(name): \(nodes.count) graphs in \(String(format: "%.1f", Date().timeIntervalSince(start))) s, nodes min \(sorted.first ?? 0) / median \(median) / max \(sorted.last ?? 0)"
            if worst > 0 { s += String(format: ", worst |difference| / allowed = %.3g", worst) }
            for key in counts.keys.sorted() { s += "\n  \(key): \(counts[key]!)" }
            return s
        }
    }

    func report() {
        if RecipeStream.isLongRun { print(summary) }
    }
}

@Suite("Properties over random graphs")
struct PropertyTests {
    /// The agreement asked of forward and reverse mode, the complex step and the dot-product
    /// test, relative to the magnitudes of the terms summed (`absoluteJacobian`): 1e-12 is
    /// ~4500 eps, and the graphs' paths are at most a few hundred nodes long.
    static let relative = 1e-12

    @Test("forward mode's Jacobian equals reverse mode's to 1e-12 of the path products", .shrinking)
    func forwardEqualsReverse() async {
        let stream = RecipeStream(property: 1)
        let stats = PropertyStatistics("forward == reverse")
        await propertyCheck(count: RecipeStream.count(default: 1000), input: stream.graphs { $0 & 1 == 0 }) { g in
            var ws = Workspace(for: g.graph)
            let forward = try ws.jacobianForward(at: g.point)
            let reverse = try ws.jacobianReverse(at: g.point)
            let scale = absoluteJacobian(ws)
            var worst = (ratio: 0.0, k: 0, j: 0)
            for k in 0..<g.graph.outputCount {
                for j in 0..<g.graph.inputCount {
                    let d = abs(forward[k, j] - reverse[k, j])
                    let ratio = d == 0 ? 0 : d / (Self.relative * scale[k][j])
                    if !(ratio <= worst.ratio) { worst = (ratio, k, j) }
                }
            }
            stats.graph(nodes: g.graph.nodeCount, worstRatio: worst.ratio)
            let (k, j) = (worst.k, worst.j)
            #expect(worst.ratio <= 1,
                    "∂y\(k)/∂x\(j): forward \(forward[k, j]), reverse \(reverse[k, j]), path-product scale \(scale[k][j])")
        }
        stats.report()
    }

    /// Rounding spreads (`jvpRoundingSpread`) the complex step may differ from forward mode by,
    /// on top of `relative` times the path products: the spread is a sample of 4 runs, both
    /// methods carry such an error, and a wrong rule is off by a relative O(1).
    static let spreads = 16.0

    @Test("on analytic graphs the complex step Im f(x + ih u) / h equals J u by forward mode", .shrinking)
    func complexStep() async {
        let stream = RecipeStream(property: 2)
        let stats = PropertyStatistics("complex step == J u")
        await propertyCheck(count: RecipeStream.count(default: 1000), input: stream.graphs { _ in true }) { g in
            let n = g.graph.inputCount, m = g.graph.outputCount
            let u = g.vector(n, stream: 2)
            var ws = Workspace(for: g.graph)
            let ju = try ws.jvp(at: g.point, direction: u)
            let paths = absoluteJacobian(ws).map { row in zip(row, u).reduce(0) { $0 + $1.0 * abs($1.1) } }
            let spread = jvpRoundingSpread(g.graph, at: g.point, direction: u, runs: 4, seed: g.recipe.seed ^ 2)
            let h = 1e-20
            let z = zip(g.point, u).map { Complex($0, h * $1) }
            let step = try g.graph.evaluateComplex(at: z).map { $0.imaginary / h }
            var worst = (ratio: 0.0, k: 0)
            for k in 0..<m {
                let d = abs(step[k] - ju[k])
                let ratio = d == 0 ? 0 : d / (Self.relative * paths[k] + Self.spreads * spread[k])
                if !(ratio <= worst.ratio) { worst = (ratio, k) }
            }
            stats.graph(nodes: g.graph.nodeCount, worstRatio: worst.ratio)
            let k = worst.k
            #expect(worst.ratio <= 1,
                    "y\(k) along u = \(u): complex step \(step[k]), forward mode \(ju[k]), path products \(paths[k]), rounding spread \(spread[k])")
        }
        stats.report()
    }

    @Test("dot-product test: <w, J u> by forward mode equals <Jᵀ w, u> by reverse mode", .shrinking)
    func dotProduct() async {
        let stream = RecipeStream(property: 3)
        let stats = PropertyStatistics("dot product")
        await propertyCheck(count: RecipeStream.count(default: 1000), input: stream.graphs { $0 & 1 == 0 }) { g in
            let n = g.graph.inputCount, m = g.graph.outputCount
            let u = g.vector(n, stream: 3), w = g.vector(m, stream: 4)
            var ws = Workspace(for: g.graph)
            let ju = try ws.jvp(at: g.point, direction: u)
            let jtw = try ws.vjp(at: g.point, cotangent: w)
            let a = absoluteJacobian(ws)
            let left = zip(w, ju).reduce(0) { $0 + $1.0 * $1.1 }
            let right = zip(jtw, u).reduce(0) { $0 + $1.0 * $1.1 }
            // |w|ᵀ A |u|: the magnitude of every path product that enters either side.
            var scale = 0.0
            for k in 0..<m { for j in 0..<n { scale += abs(w[k]) * a[k][j] * abs(u[j]) } }
            let d = abs(left - right)
            stats.graph(nodes: g.graph.nodeCount, worstRatio: d == 0 ? 0 : d / (Self.relative * scale))
            #expect(d <= Self.relative * scale,
                    "u = \(u), w = \(w): <w, J u> = \(left), <Jᵀ w, u> = \(right), scale \(scale)")
        }
        stats.report()
    }

    /// `verify(_:)` of a case made of a random graph at its point, with no expectations: what
    /// `adverify eval` does for an expression.
    static func verify(_ g: RandomGraph) throws -> CaseResult {
        var c = try Case.adHoc(expression: "x0", inputs: [("x0", 1)])
        c.id = "property-\(String(g.recipe.seed, radix: 16))"
        c.title = "random graph"
        c.text = g.caseYAML
        c.graph = g.graph
        c.point = g.point
        c.isScalar = g.graph.outputCount == 1
        return Runner().verify(c)
    }

    @Test("the verifier never fails a correct graph: no oracle, mode or dot-product check says fail", .shrinking)
    func oraclesAgree() async {
        let stream = RecipeStream(property: 4)
        let stats = PropertyStatistics("oracle agreement")
        await propertyCheck(count: RecipeStream.count(default: 1000), input: stream.graphs { $0 & 1 == 0 }) { g in
            let result = try Self.verify(g)
            stats.graph(nodes: g.graph.nodeCount)
            #expect(result.error == nil, "\(result.error ?? "")")
            #expect(result.failures.isEmpty, "\(result.failures.map(\.message).joined(separator: "\n"))")
            for row in result.rows where row.kind == .partial {
                stats.count("partials")
                if row.oracles.allSatisfy(\.verdict.isInconclusive) { stats.count("partials with no conclusive oracle") }
                for cell in row.oracles {
                    let verdict = switch cell.verdict { case .pass: "pass"; case .fail: "FAIL"; case .inconclusive: "inconclusive" }
                    stats.count("\(cell.requested.rawValue) \(verdict)")
                }
            }
        }
        stats.report()
        // Oracles that are always inconclusive would never fail either: most must decide.
        let partials = stats["partials"]
        #expect(partials > 0)
        #expect(Double(stats["partials with no conclusive oracle"]) <= 0.05 * Double(partials), "\(stats.summary)")
    }

    @Test("the shrinker's dead-step removal builds the same function from fewer steps, every node live")
    func deadStepRemoval() throws {
        let stream = RecipeStream(property: 6)
        var removed = 0
        for _ in 0..<200 {
            let seed = stream.nextSeed()
            let r = GraphRecipe.random(seed: seed, analytic: seed & 1 == 0)
            guard let pruned = r.withoutDeadSteps() else { continue }
            removed += 1
            let g = r.build(), p = pruned.build()
            // Fewer steps; fewer nodes unless every dead step was one that made no node.
            #expect(p.point == g.point && pruned.steps.count < r.steps.count && p.graph.nodeCount <= g.graph.nodeCount)
            #expect(pruned.withoutDeadSteps() == nil, "seed 0x\(String(seed, radix: 16)): dead steps left after pruning")
            var a = Workspace(for: g.graph), b = Workspace(for: p.graph)
            #expect(try b.jacobianReverse(at: p.point) == a.jacobianReverse(at: g.point))
            #expect(b.outputValues == a.outputValues, "seed 0x\(String(seed, radix: 16))")
        }
        #expect(removed > 100)
    }

    @Test("the printed case file of a random graph loads to a graph with the same values and Jacobian")
    func caseFileRoundTrip() throws {
        let stream = RecipeStream(property: 5)
        for _ in 0..<20 {
            let seed = stream.nextSeed()
            let g = GraphRecipe.random(seed: seed, analytic: seed & 1 == 0).build()
            let (cases, errors) = CaseLoader.load(text: g.caseYAML, path: "property.yaml")
            #expect(errors.isEmpty, "\(errors)\n\(g.caseYAML)")
            let c = try #require(cases.first)
            #expect(c.point == g.point)
            var ws = Workspace(for: g.graph), parsed = Workspace(for: c.graph)
            try ws.evaluate(at: g.point)
            try parsed.evaluate(at: c.point)
            #expect(parsed.outputValues == ws.outputValues)
            #expect(try parsed.jacobianReverse(at: c.point) == ws.jacobianReverse(at: g.point))
        }
    }
}
