// Applies every method to a case: primal, forward and reverse AD, the dot-product test,
// the expectations, and the numerical oracles for every partial.
import ADCatalog
import ADCore
import ADNetwork
import Foundation
import Numerics

/// Verifies cases. A value type with the tolerances; `verify(_:)` is pure and thread-safe.
public struct Runner: Sendable {
    public var oracleTolerance: OracleTolerance
    public var agreement: AgreementTolerance
    /// The oracles run for every partial, in report column order.
    public var oracleMethods: [DifferenceMethod]
    /// A wrong rule for one primitive's partials, injected into every AD sweep (`adverify
    /// selftest`); `nil` for the true rule table.
    public var ruleMutation: RuleMutation?
    /// A wrong step of the network core's backpropagation (`adverify selftest`).
    public var backpropMutation: BackpropMutation?

    public init(
        oracleTolerance: OracleTolerance = .default, agreement: AgreementTolerance = .default,
        oracleMethods: [DifferenceMethod] = Runner.defaultOracles
    ) {
        self.oracleTolerance = oracleTolerance
        self.agreement = agreement
        self.oracleMethods = oracleMethods
    }

    /// GSL central (falling back to GSL forward/backward at domain edges), central and
    /// 5-point differences, the complex step (analytic graphs), Richardson.
    public static let defaultOracles: [DifferenceMethod] = [.gslCentral, .central, .fivePoint, .complexStep, .richardson]

    /// Verifies every case concurrently; results come back in catalogue order.
    public func run(_ catalog: Catalog, tool: ToolInfo, paths: [String], startedAt: Date = Date()) async -> RunResult {
        let cases = catalog.cases
        let results = await withTaskGroup(of: (Int, CaseResult).self) { group in
            for (index, c) in cases.enumerated() {
                group.addTask { (index, self.verify(c)) }
            }
            var collected = [CaseResult?](repeating: nil, count: cases.count)
            for await (index, result) in group { collected[index] = result }
            return collected.compactMap { $0 }
        }
        return RunResult(
            tool: tool, startedAt: ISO8601DateFormatter().string(from: startedAt),
            duration: Date().timeIntervalSince(startedAt), paths: paths,
            loadErrors: catalog.errors, cases: results)
    }

    /// Verifies one case.
    public func verify(_ c: Case) -> CaseResult {
        let clock = ContinuousClock()
        let start = clock.now
        var result: CaseResult
        if let network = c.network {
            var verification = NetworkVerification(case: c, network: network, runner: self)
            result = verification.run()
        } else {
            var verification = CaseVerification(case: c, runner: self)
            result = verification.run()
        }
        let elapsed = clock.now - start
        result.duration = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        result.clipForReports()
        return result
    }
}

/// The state of one case's verification.
struct CaseVerification {
    let c: Case
    let runner: Runner
    let graph: Graph
    /// The runner's tolerances, sized for this graph (see `forGraph(nodeCount:)`).
    let oracleTolerance: OracleTolerance
    let agreement: AgreementTolerance
    /// Every node's display name, for the quantity labels.
    let names: [String]
    var workspace: Workspace
    var rows: [QuantityRow] = []
    var checks: [Check] = []
    var evaluations = 0
    /// The expectations of each quantity (indices into `c.expectations`), built once.
    var expectationIndex: [Quantity: [Int]] = [:]
    /// `Workspace.roundingNoise(of:)` by node, computed once per node the oracles evaluate.
    var roundingNoise: [Int: Double?] = [:]
    /// `Workspace.pathProductScale()` at the case's point, for the mode and dot-product checks.
    var pathProducts: [Double]?

    /// Above this many graph nodes the report leaves out the slides-style trace (as
    /// `adverify trace` does): its tables would have a row per node, three times.
    static let traceNodeLimit = 2000

    init(case c: Case, runner: Runner) {
        self.c = c
        self.runner = runner
        self.graph = c.graph
        self.oracleTolerance = runner.oracleTolerance.forGraph(nodeCount: c.graph.nodeCount)
        self.agreement = runner.agreement.forGraph(nodeCount: c.graph.nodeCount)
        self.names = c.graph.displayNames
        self.workspace = Workspace(for: c.graph)
        self.workspace.ruleMutation = runner.ruleMutation
    }

    private func label(_ q: Quantity) -> String { c.label(q, displayNames: names) }

    mutating func run() -> CaseResult {
        var result = CaseResult(
            id: c.id, title: c.title, source: c.source, note: c.note, tags: c.tags, location: c.location,
            text: c.text, inputs: zip(c.inputNames, c.point).map { NamedValue(name: $0, value: $1) },
            outputs: [], isAnalytic: graph.isAnalytic, nodeCount: graph.nodeCount, verdict: .fail, rows: [],
            checks: [], worstAgreeingDigits: nil, oracleEvaluations: 0, trace: nil, error: nil, duration: 0)
        do {
            try verifyAll(into: &result)
        } catch {
            result.error = error.description
            result.diagnostic = error.diagnostic
            result.checks = checks
            result.rows = rows
            result.verdict = .fail
            return result
        }
        result.rows = rows
        result.checks = checks
        result.oracleEvaluations = evaluations
        result.worstAgreeingDigits = rows.compactMap(\.agreeingDigits).min()
        result.verdict = caseVerdict(checks, stoppedWithError: false)
        return result
    }

    // MARK: Steps

    private mutating func verifyAll(into result: inout CaseResult) throws(CaseFailure) {
        let x = c.point
        let m = graph.outputCount, n = graph.inputCount
        for (k, e) in c.expectations.enumerated() { expectationIndex[e.quantity, default: []].append(k) }
        do { try workspace.linearize(at: x) } catch { throw CaseFailure(error.description) }
        if let problem = NonFiniteNode.first(in: graph, values: workspace.values, displayNames: names) {
            // Where the node was written in the case file, with the line and a caret.
            let message = problem.message + "; the case cannot be verified at its inputs"
            throw CaseFailure(message, diagnostic: c.sourceError(message, node: problem.node))
        }
        let values = workspace.values
        result.outputs = (0..<m).map { NamedValue(name: graph.outputNames[$0], value: workspace.outputValue($0)) }

        // Reverse mode: one adjoint sweep per output; forward mode: identity seeds in chunks.
        let reverseJ: Jacobian, forwardJ: Jacobian
        do {
            reverseJ = try workspace.jacobianReverse(at: x)
        } catch { throw CaseFailure(error.description) }
        // For a scalar output the last (only) adjoint sweep is ∂f/∂node for every node.
        let adjointsOfOutput = c.isScalar ? workspace.adjoints : []
        do {
            forwardJ = try workspace.jacobianForward(at: x)
        } catch { throw CaseFailure(error.description) }
        // A partial that is not finite: the node whose local derivative made it so, per input.
        var derivativeNotes: [Int: String] = [:]
        for i in 0..<n where (0..<m).contains(where: { !forwardJ[$0, i].isFinite || !reverseJ[$0, i].isFinite }) {
            do { try workspace.forward(seeds: unit(i, n), width: 1) } catch { throw CaseFailure(error.description) }
            let ws = workspace
            derivativeNotes[i] = NonFiniteNode.firstTangent(
                in: graph, values: values, tangent: { ws.tangent(of: $0) }, along: c.inputNames[i], displayNames: names)
        }
        // Tangents for each seed the case names.
        var seededTangents: [[Double]] = []
        for seed in c.tangentSeeds {
            do { try workspace.forward(seeds: seed, width: 1) } catch { throw CaseFailure(error.description) }
            seededTangents.append(workspace.tangents)
        }

        // Values.
        for k in 0..<m {
            let value = values[graph.outputNodes[k]]
            var row = QuantityRow(quantity: c.outputName(k), kind: .value, forward: value, reverse: value)
            expectationChecks(.value(output: k), computed: value, row: &row)
            rows.append(row)
        }
        var valueNodes: Set<Int> = []
        for e in c.expectations {
            guard case .nodeValue(let node) = e.quantity, valueNodes.insert(node).inserted else { continue }
            var row = QuantityRow(quantity: label(e.quantity), kind: .nodeValue, forward: values[node], reverse: values[node])
            expectationChecks(e.quantity, computed: values[node], row: &row)
            rows.append(row)
        }

        // Partials: expectations, forward vs reverse (on the Jacobian's scale), oracles.
        let scale = forwardJ.entries.reduce(0.0) { Swift.max($0, $1.isFinite ? abs($1) : 0) }
        let spread = graph.jacobianRoundingSpread(at: x, seed: c.id)
        // The two modes sum the same path products in different orders: compare them on the
        // scale of those products where paths cancel.
        pathProducts = workspace.pathProductScale()
        for k in 0..<m {
            for i in 0..<n {
                let q = Quantity.partial(output: k, input: i)
                var row = QuantityRow(quantity: label(q), kind: .partial, forward: forwardJ[k, i], reverse: reverseJ[k, i])
                expectationChecks(q, computed: reverseJ[k, i], row: &row)
                var modes = Check(
                    quantity: row.quantity, kind: .modes,
                    comparison: compareModes(
                        forward: forwardJ[k, i], reverse: reverseJ[k, i],
                        scale: Swift.max(scale, pathProducts?[k * n + i] ?? 0), tolerance: agreement))
                if !forwardJ[k, i].isFinite || !reverseJ[k, i].isFinite { modes.detail = derivativeNotes[i] }
                addCheck(modes, to: &row)
                oracleChecks(ad: reverseJ[k, i], row: &row, along: unit(i, n), output: graph.outputNodes[k],
                             adSpread: spread?[k * n + i] ?? 0)
                rows.append(row)
            }
        }

        // Adjoints of every let (scalar output) and of the expected nodes.
        if c.isScalar {
            // Node by name through one dictionary: a linear search per let is quadratic.
            var byName: [String: Int] = [:]
            for (node, name) in graph.names.enumerated() { if let name, byName[name] == nil { byName[name] = node } }
            var nodes = c.letNames.compactMap { byName[$0] }.filter { $0 != graph.outputNodes[0] }
            var listed = Set(nodes)
            for e in c.expectations {
                if case .adjoint(let node) = e.quantity, listed.insert(node).inserted { nodes.append(node) }
            }
            for node in nodes {
                let q = Quantity.adjoint(node: node)
                var row = QuantityRow(quantity: label(q), kind: .adjoint, forward: nil, reverse: adjointsOfOutput[node])
                expectationChecks(q, computed: adjointsOfOutput[node], row: &row)
                rows.append(row)
            }
        }

        // Expected tangents, each checked against oracles of the node's directional derivative.
        for e in c.expectations {
            guard case let .tangent(s, node) = e.quantity else { continue }
            var row = QuantityRow(quantity: label(e.quantity), kind: .tangent, forward: seededTangents[s][node], reverse: nil)
            expectationChecks(e.quantity, computed: seededTangents[s][node], row: &row)
            oracleChecks(ad: seededTangents[s][node], row: &row, along: c.tangentSeeds[s], output: node)
            rows.append(row)
        }

        try dotProductTest()

        if graph.nodeCount <= Self.traceNodeLimit {
            result.trace = try? graph.trace(
                at: x, tangentSeed: c.tangentSeeds.first ?? unit(0, n),
                cotangent: unit(0, m))
        }
    }

    // MARK: Checks

    private mutating func expectationChecks(_ quantity: Quantity, computed: Double, row: inout QuantityRow) {
        for k in expectationIndex[quantity] ?? [] {
            checks.append(checkExpectation(c.expectations[k].expected, computed: computed, row: &row))
        }
    }

    /// Oracles for `d node(x + t * direction) / dt` at t = 0 (a partial when `direction` is a unit vector).
    private mutating func oracleChecks(
        ad: Double, row: inout QuantityRow, along direction: [Double], output node: Int, adSpread: Double = 0
    ) {
        let x = c.point
        let graph = self.graph
        var ws = Workspace(for: graph)
        // Along a coordinate the oracles see the input itself (its steps are scaled to x_i);
        // along another direction, t with t = 0 at the point.
        let axis = direction.firstIndex(of: 1).flatMap { i in direction.enumerated().allSatisfy { $0.offset == i || $0.element == 0 } ? i : nil }
        let t0 = axis.map { x[$0] } ?? 0
        var p = x
        let f: (Double) throws -> Double = { t in
            if let i = axis {
                p[i] = t
            } else {
                for j in p.indices { p[j] = x[j] + t * direction[j] }
            }
            try ws.evaluate(at: p)
            return ws.values[node]
        }
        let complex: ((Complex<Double>) throws -> Complex<Double>)? = graph.isAnalytic ? { (t: Complex<Double>) throws -> Complex<Double> in
            let z: [Complex<Double>]
            if let i = axis {
                var p = x.map { Complex($0, 0) }
                p[i] = t
                z = p
            } else {
                z = zip(x, direction).map { Complex($0, 0) + t * Complex($1, 0) }
            }
            return try graph.evaluateComplex(at: z, node: node)
        } : nil
        // How accurately the graph computes this node, for the oracles' round-off.
        if roundingNoise[node] == nil { roundingNoise[node] = .some(workspace.roundingNoise(of: node)) }
        let evaluationError = (roundingNoise[node] ?? nil).map { Double.ulpOfOne * $0 } ?? 0
        evaluations += runOracles(
            ad: ad, of: f, complex: complex, at: t0, methods: runner.oracleMethods, tolerance: oracleTolerance,
            row: &row, checks: &checks, adSpread: adSpread, evaluationError: evaluationError)
    }

    /// `<u, J v>` by forward mode against `<Jᵀ u, v>` by reverse mode, with random non-unit
    /// `u` and `v` drawn from a generator seeded by the case id (so reports are reproducible).
    private mutating func dotProductTest() throws(CaseFailure) {
        var generator = SplitMix64(seed: c.id)
        let m = graph.outputCount, n = graph.inputCount
        let u = (0..<m).map { _ in generator.nonUnit() }
        let v = (0..<n).map { _ in generator.nonUnit() }
        let jv: [Double], jtu: [Double]
        do {
            jv = try workspace.jvp(at: c.point, direction: v)
            jtu = try workspace.vjp(at: c.point, cotangent: u)
        } catch {
            throw CaseFailure(error.description)
        }
        guard jv.allSatisfy(\.isFinite), jtu.allSatisfy(\.isFinite) else {
            checks.append(Check(
                quantity: "<u, J v>", kind: .dotProduct,
                comparison: Comparison(
                    verdict: .inconclusive(reason: "the Jacobian has non-finite entries: no inner product to compare"),
                    value: .nan, reference: .nan, budget: .nan, method: "reverse")))
            return
        }
        let forward = zip(u, jv).reduce(0) { $0 + $1.0 * $1.1 }
        let reverse = zip(jtu, v).reduce(0) { $0 + $1.0 * $1.1 }
        var scale = zip(u, jv).reduce(0) { $0 + abs($1.0 * $1.1) } + zip(jtu, v).reduce(0) { $0 + abs($1.0 * $1.1) }
        if let a = pathProducts {
            // |u|ᵀ A |v|: every path product that enters either side.
            var paths = 0.0
            for k in 0..<m { for j in 0..<n { paths += abs(u[k]) * a[k * n + j] * abs(v[j]) } }
            scale = Swift.max(scale, paths)
        }
        checks.append(Check(
            quantity: "<u, J v>", kind: .dotProduct,
            comparison: compareModes(forward: forward, reverse: reverse, scale: scale, tolerance: agreement)))
    }

    private mutating func addCheck(_ check: Check, to row: inout QuantityRow) {
        checks.append(check)
        row.verdict = worse(row.verdict, check.comparison.verdict)
    }

    private func unit(_ i: Int, _ n: Int) -> [Double] {
        var e = [Double](repeating: 0, count: n)
        if i < n { e[i] = 1 }
        return e
    }
}

/// A case's verdict: fail when it stopped with an error or a check failed, pass when a check
/// passed, inconclusive when no check could decide.
func caseVerdict(_ checks: [Check], stoppedWithError: Bool) -> Verdict {
    if stoppedWithError || checks.contains(where: { $0.comparison.verdict == .fail }) { return .fail }
    if checks.contains(where: { $0.comparison.verdict == .pass }) { return .pass }
    return .inconclusive(reason: "no check could decide")
}

/// fail over pass over inconclusive: a row fails if any check fails, passes if one passes.
func worse(_ a: Verdict?, _ b: Verdict) -> Verdict {
    guard let a else { return b }
    if a == .fail || b == .fail { return .fail }
    if a == .pass || b == .pass { return .pass }
    return a
}

/// Checks `computed` against an expected number: fills the row's expected cell, its verdict
/// and (for a closed form) its digits, and returns the check.
func checkExpectation(_ expected: Expected, computed: Double, row: inout QuantityRow) -> Check {
    let form: String
    if case .printed = expected.form { form = "printed" } else { form = "expression" }
    row.expected = ExpectedCell(text: expected.text, value: expected.value, budget: expected.budget, form: form, location: expected.location)
    let comparison = Comparison(
        verdict: expected.matches(computed) ? .pass : .fail, value: computed, reference: expected.value,
        budget: expected.budget, method: "expected")
    row.verdict = worse(row.verdict, comparison.verdict)
    // Digits say how closely AD meets a closed form; an expected 0 (met within atol) has none.
    if case .expression(let t) = expected.form, abs(expected.value) > t.atol {
        row.agreeingDigits = comparison.agreeingDigits
    }
    return Check(quantity: row.quantity, kind: .expectation, comparison: comparison, expectedText: expected.text, location: expected.location)
}

/// Runs every oracle `methods` on `f` at `t0` (the complex step on `complex`, when given),
/// compares each with `ad`, and records cells, checks and the row's best digits. Returns the
/// function evaluations spent.
///
/// `kink`: the distance along `t` to the nearest kink of a piecewise node (and the node's
/// name), when known. A disagreement with an oracle whose stencil reaches that far is
/// inconclusive, not a failure: the stencil straddles two branches.
/// `adSpread`, `evaluationError`: how far `ad` itself moves with the rounding inside f, and the
/// typical error of one value of f; see `OracleTolerance.compare`.
func runOracles(
    ad: Double, of f: (Double) throws -> Double, complex: ((Complex<Double>) throws -> Complex<Double>)?, at t0: Double,
    methods: [DifferenceMethod], tolerance: OracleTolerance, row: inout QuantityRow, checks: inout [Check],
    kink: (distance: Double, node: String)? = nil, adSpread: Double = 0, evaluationError: Double = 0
) -> Int {
    var evaluations = 0
    var best: Double?
    for method in methods {
        let estimate: Estimate
        if method == .complexStep {
            guard let complex else { continue }
            estimate = complexStepDerivative(of: complex, at: t0)
        } else {
            estimate = derivative(of: f, at: t0, method: method)
        }
        evaluations += estimate.evaluations
        var comparison = tolerance.compare(ad, with: estimate, adSpread: adSpread, evaluationError: evaluationError)
        if comparison.verdict == .fail, let kink {
            // Ridders' tableau starts 0.1 max(|t|, 1) away; the other stencils' checks reach 8 steps.
            let reach = method == .richardson ? Swift.max(8 * estimate.step, StepRule.richardson(at: t0)) : 8 * estimate.step
            if kink.distance <= reach {
                comparison.verdict = .inconclusive(
                    reason: "\(estimate.method): the kink of \(kink.node) lies \(format(kink.distance)) away, within the stencil's reach \(format(reach)): the difference straddles two branches")
            }
        }
        row.oracles.append(OracleCell(
            method: estimate.method, requested: method, value: estimate.value, error: estimate.error,
            verdict: comparison.verdict, note: estimate.note))
        checks.append(Check(quantity: row.quantity, kind: .oracle, comparison: comparison))
        row.verdict = worse(row.verdict, comparison.verdict)
        // Relative digits mean nothing for a derivative that is zero to within the absolute
        // floor (AD 0 against a central difference of 1e-9): such a row shows no digits.
        let magnitude = Swift.max(abs(ad), abs(comparison.reference))
        if comparison.verdict == .pass, ad == comparison.reference || magnitude > tolerance.absoluteFloor {
            best = Swift.max(best ?? 0, comparison.agreeingDigits)
        }
    }
    if let best { row.agreeingDigits = Swift.max(row.agreeingDigits ?? 0, best) }
    return evaluations
}

/// A case that cannot be verified, with the reason.
struct CaseFailure: Error, CustomStringConvertible {
    var description: String
    /// The reason located in the case file, when it is about a place there.
    var diagnostic: CatalogError?
    init(_ description: String, diagnostic: CatalogError? = nil) {
        self.description = description
        self.diagnostic = diagnostic
    }
}
