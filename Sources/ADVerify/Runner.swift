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
    /// The kink convention of cases that do not choose one with `kinks:` (`adverify run --kinks`).
    public var kinkConvention: KinkConvention = .default
    /// Whether every case's result carries its slides-style trace (`adverify run --traces`);
    /// otherwise only the cases that ask for it with `trace: true` do.
    public var traces = false

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
        result.notices = looseExpectationNotice(c).map { [$0] }
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
    /// The quantity of each failed expectation check, by index into `checks`.
    var failedExpectations: [Int: Quantity] = [:]

    init(case c: Case, runner: Runner) {
        self.c = c
        self.runner = runner
        self.graph = c.graph
        self.oracleTolerance = runner.oracleTolerance.forGraph(nodeCount: c.graph.nodeCount)
        self.agreement = runner.agreement.forGraph(nodeCount: c.graph.nodeCount)
        self.names = c.graph.displayNames
        self.workspace = Workspace(for: c.graph)
        self.workspace.ruleMutation = runner.ruleMutation
        self.workspace.kinkConvention = c.kinks ?? runner.kinkConvention
    }

    /// The kink convention in force for this case: its own, else the run's.
    var kinks: KinkConvention { workspace.kinkConvention }

    func label(_ q: Quantity) -> String { c.label(q, displayNames: names) }

    mutating func run() -> CaseResult {
        var result = CaseResult(starting: c)
        result.inputs = zip(c.inputNames, c.point).map { NamedValue(name: $0, value: $1) }
        if graph.ops.contains(where: { $0.kink != nil }) { result.kinks = kinks }
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
        attributeExpectationFailures(&checks)
        explainFailuresAtKinks()
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
        // The nearest kink on the line of each node a tangent expectation names, along its seed.
        var seededKinks: [Quantity: (distance: Double, node: String)] = [:]
        for (s, seed) in c.tangentSeeds.enumerated() {
            do { try workspace.forward(seeds: seed, width: 1) } catch { throw CaseFailure(error.description) }
            seededTangents.append(workspace.tangents)
            for e in c.expectations {
                guard case let .tangent(es, node) = e.quantity, es == s, seededKinks[e.quantity] == nil else { continue }
                if let kink = KinkFinder(graph: graph, target: node).nearest(in: workspace) {
                    seededKinks[e.quantity] = (kink.distance, names[kink.node])
                }
            }
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
        let kinks = try partialKinks()
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
                             adSpread: spread?[k * n + i] ?? 0, kink: kinks[k][i])
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
            oracleChecks(ad: seededTangents[s][node], row: &row, along: c.tangentSeeds[s], output: node, kink: seededKinks[e.quantity])
            rows.append(row)
        }

        if c.hasSecondOrder { try secondOrderChecks() }

        try dotProductTest()

        if runner.traces || c.wantsTrace { result.trace = reportTrace(c, kinks: self.kinks) }
    }

    // MARK: Checks

    mutating func expectationChecks(_ quantity: Quantity, computed: Double, row: inout QuantityRow) {
        for k in expectationIndex[quantity] ?? [] {
            checks.append(checkExpectation(c.expectations[k].expected, computed: computed, row: &row))
            if checks[checks.count - 1].comparison.verdict == .fail { failedExpectations[checks.count - 1] = quantity }
        }
    }

    /// Oracles for `d node(x + t * direction) / dt` at t = 0 (a partial when `direction` is a unit vector).
    private mutating func oracleChecks(
        ad: Double, row: inout QuantityRow, along direction: [Double], output node: Int, adSpread: Double = 0,
        kink: (distance: Double, node: String)?
    ) {
        let x = c.point
        let graph = self.graph
        var ws = Workspace(for: graph)
        let line = LineDirection(direction)
        let t0 = line.start(x)
        var p = x
        let f: (Double) throws -> Double = { t in
            line.place(t, from: x, into: &p)
            try ws.evaluate(at: p)
            return ws.value(of: node)
        }
        let complex: ((Complex<Double>) throws -> Complex<Double>)? = graph.isAnalytic
            ? { t in try graph.evaluateComplex(at: line.complexPoint(t, from: x), node: node) } : nil
        // How accurately the graph computes this node, for the oracles' round-off.
        if roundingNoise[node] == nil { roundingNoise[node] = .some(workspace.roundingNoise(of: node)) }
        let evaluationError = (roundingNoise[node] ?? nil).map { Double.ulpOfOne * $0 } ?? 0
        evaluations += runOracles(
            ad: ad, of: f, at: t0,
            knowing: LineKnowledge(complex: complex, kink: kink, adSpread: adSpread, evaluationError: evaluationError),
            methods: runner.oracleMethods, tolerance: oracleTolerance, row: &row, checks: &checks)
    }

    /// `<u, J v>` by forward mode against `<Jᵀ u, v>` by reverse mode, with random non-unit
    /// `u` and `v` drawn from a generator seeded by the case id (so reports are reproducible).
    private mutating func dotProductTest() throws(CaseFailure) {
        let m = graph.outputCount, n = graph.inputCount
        let (u, v) = dotProductVectors(seed: c.id, outputs: m, inputs: n)
        let jv: [Double], jtu: [Double]
        do {
            jv = try workspace.jvp(at: c.point, direction: v)
            jtu = try workspace.vjp(at: c.point, cotangent: u)
        } catch {
            throw CaseFailure(error.description)
        }
        // |u|ᵀ A |v|: every path product that enters either side.
        var paths = 0.0
        if let a = pathProducts {
            for k in 0..<m { for j in 0..<n { paths += abs(u[k]) * a[k * n + j] * abs(v[j]) } }
        }
        checks.append(dotProductCheck(u: u, jv: jv, jtu: jtu, v: v, pathScale: paths, tolerance: agreement))
    }

    /// For each output and input, the nearest kink along the input's axis of a piecewise node
    /// that feeds the output (one forward sweep per input; none for an analytic graph).
    private mutating func partialKinks() throws(CaseFailure) -> [[(distance: Double, node: String)?]] {
        let m = graph.outputCount, n = graph.inputCount
        var kinks = [[(distance: Double, node: String)?]](repeating: [(distance: Double, node: String)?](repeating: nil, count: n), count: m)
        let finders = (0..<m).map { KinkFinder(graph: graph, target: graph.outputNodes[$0]) }
        guard finders.contains(where: { !$0.piecewise.isEmpty }) else { return kinks }
        for i in 0..<n {
            do { try workspace.forward(seeds: unit(i, n), width: 1) } catch { throw CaseFailure(error.description) }
            for k in 0..<m {
                kinks[k][i] = finders[k].nearest(in: workspace).map { ($0.distance, names[$0.node]) }
            }
        }
        return kinks
    }

    mutating func addCheck(_ check: Check, to row: inout QuantityRow) {
        checks.append(check)
        row.verdict = worse(row.verdict, check.comparison.verdict)
    }

    func unit(_ i: Int, _ n: Int) -> [Double] {
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
    switch expected.form {
    case .printed: form = "printed"
    case .expression: form = "expression"
    case .exact: form = "exact"
    }
    row.expected = ExpectedCell(text: expected.text, value: expected.value, budget: expected.budget, form: form, location: expected.location)
    let comparison = Comparison(
        verdict: expected.matches(computed) ? .pass : .fail, value: computed, reference: expected.value,
        budget: expected.budget, method: "expected")
    row.verdict = worse(row.verdict, comparison.verdict)
    // Digits say how closely AD meets a closed form; an expected 0 (met within atol) has none.
    if case .expression(let t) = expected.form, abs(expected.value) > t.atol {
        row.agreeingDigits = comparison.agreeingDigits
    } else if case .exact(let t) = expected.form, abs(expected.value) > t.atol {
        row.agreeingDigits = comparison.agreeingDigits
    }
    return Check(quantity: row.quantity, kind: .expectation, comparison: comparison, expectedText: expected.text, location: expected.location)
}

/// Runs every oracle `methods` on `f` at `t0` through the `ReferenceEngine` (the complex step
/// on `knowledge.complex`, when given), compares each with `ad`, and records cells, checks and
/// the row's best digits. Returns the function evaluations spent.
func runOracles(
    ad: Double, of f: (Double) throws -> Double, at t0: Double, knowing knowledge: LineKnowledge,
    methods: [DifferenceMethod], tolerance: OracleTolerance, row: inout QuantityRow, checks: inout [Check],
    closure: OracleClosure? = nil
) -> Int {
    let engine = ReferenceEngine(methods: methods, tolerance: tolerance)
    let (judgements, evaluations) = engine.judge(ad, along: f, at: t0, knowing: knowledge)
    var best: Double?
    for j in judgements {
        var comparison = j.comparison
        if let closure { comparison.method = closure.prefix + comparison.method }
        row.oracles.append(OracleCell(
            method: j.estimate.method, requested: j.requested, value: j.estimate.value, error: j.estimate.error,
            verdict: comparison.verdict, note: j.estimate.note, closure: closure))
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

extension CaseResult {
    /// A case's result before anything is verified: its identity, verdict fail until decided.
    init(starting c: Case) {
        self.init(
            id: c.id, title: c.title, source: c.source, note: c.note, tags: c.tags, location: c.location,
            text: c.text, inputs: [], outputs: [], isAnalytic: c.graph.isAnalytic, nodeCount: c.graph.nodeCount,
            verdict: .fail, rows: [], checks: [], worstAgreeingDigits: nil, oracleEvaluations: 0, trace: nil,
            error: nil, duration: 0)
        catalogueIndex = c.catalogueIndex
    }
}

/// Above this many graph nodes a report leaves out a case's slides-style trace (expression and
/// network cases alike): three tables with a row per node, which past a few hundred rows nobody
/// reads and which make a report too large to read where it is published. `adverify trace`
/// prints up to 2000 nodes of one case on request.
let reportTraceNodeLimit = 400

/// The slides-style trace of a case for its report: along its first tangent seed (or the first
/// input), with the first output's cotangent; `nil` above `reportTraceNodeLimit` nodes.
func reportTrace(_ c: Case, kinks: KinkConvention, keepingTableKinks: Set<Int> = []) -> Trace? {
    let graph = c.graph
    guard graph.nodeCount <= reportTraceNodeLimit, graph.inputCount > 0, graph.outputCount > 0 else { return nil }
    var seed = [Double](repeating: 0, count: graph.inputCount)
    seed[0] = 1
    var cotangent = [Double](repeating: 0, count: graph.outputCount)
    cotangent[0] = 1
    if c.hasSecondOrder, !c.hvpCotangents.isEmpty { cotangent = c.hvpCotangent(0) }
    // A case that expects second derivatives also gets the adjoints' tangents, along its first
    // Hessian-vector direction when it has one.
    let direction = c.hasSecondOrder ? c.hvpDirections.first ?? c.tangentSeeds.first ?? seed : c.tangentSeeds.first ?? seed
    return try? graph.trace(
        at: c.point, tangentSeed: direction, cotangent: cotangent, kinks: kinks, keepingTableKinks: keepingTableKinks,
        secondOrder: c.hasSecondOrder)
}

/// One notice for a case whose as-printed expected numbers are looser than 1 % of their value
/// (`0.5` means ± 0.05): which ones, and the fix.
func looseExpectationNotice(_ c: Case) -> String? {
    let loose = c.expectations.filter(\.expected.isLoose)
    guard !loose.isEmpty else { return nil }
    let names = c.graph.displayNames
    let listed = loose.prefix(5).map { e in
        "\(c.label(e.quantity, displayNames: names)) = \(e.expected.text) (± \(format(e.expected.budget)), line \(e.expected.location.line))"
    }.joined(separator: ", ") + (loose.count > 5 ? " and \(loose.count - 5) more" : "")
    return "as printed, \(loose.count == 1 ? "this expected number matches" : "these expected numbers match") anything within more than 1 % of the value: \(listed); "
        + "write more digits, or quote an expression (\"cos(c)\") to hold it to the case's tolerance"
}
