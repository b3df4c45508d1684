// The one engine that judges a claimed derivative against the numerical references: the
// catalogue runner (expression and network cases) and DerivativeCheck (ADCheck, a user's own
// closures) are its clients. What differs between them is what they know about f (a graph's
// rounding, the distance to a kink, the function's precision) and when they stop; the loop over
// the references, the kink rule and the comparison are here once.
import ADCatalog
import ADCore
import ADNumeric
import Foundation
import Numerics

/// One reference's value for a claimed derivative, and its verdict on the claim.
struct ReferenceJudgement {
    /// The method asked for (GSL central may fall back to forward or backward at a domain edge:
    /// `estimate.method` says which ran).
    var requested: DifferenceMethod
    var estimate: Estimate
    var comparison: Comparison
}

/// What is known about the line `g(t)` a claimed derivative `d/dt g(t0)` is judged along.
struct LineKnowledge {
    /// `g(t0)` when the caller has it: the 4-point central rule's kink check then costs nothing.
    var value: Double?
    /// `g` in complex arithmetic, for the complex step; `nil`: the complex step is skipped.
    var complex: ((Complex<Double>) throws -> Complex<Double>)?
    /// The distance along t to the nearest kink of a piecewise node of f, and that node's name.
    /// A reference that fails with its stencil reaching that far is inconclusive, not a failure:
    /// its differences straddle two branches.
    var kink: (distance: Double, node: String)?
    /// How far the claimed value itself moves with the rounding inside f; see `OracleTolerance.compare`.
    var adSpread: Double = 0
    /// The typical error of one value of g, added to every reference's budget through its stencil.
    var evaluationError: Double = 0
    /// An error of each value of g that only GSL's budgets lack (its `abserr` assumes double
    /// precision; ADNumeric's stencils carry a coarser precision through `epsilon`).
    var gslEvaluationError: Double = 0
    /// When given, every step is chosen for an argument of this size instead of `|t0|` (a
    /// direction's t starts at 0, its point does not).
    var stepScale: Double?

    init(
        value: Double? = nil, complex: ((Complex<Double>) throws -> Complex<Double>)? = nil, kink: (distance: Double, node: String)? = nil,
        adSpread: Double = 0, evaluationError: Double = 0, gslEvaluationError: Double = 0, stepScale: Double? = nil
    ) {
        self.value = value
        self.complex = complex
        self.kink = kink
        self.adSpread = adSpread
        self.evaluationError = evaluationError
        self.gslEvaluationError = gslEvaluationError
        self.stepScale = stepScale
    }
}

/// The references, the tolerance that judges them and the precision of f.
struct ReferenceEngine {
    /// In the order they run (the catalogue's report column order; ADCheck's cheapest first).
    var methods: [DifferenceMethod]
    var tolerance: OracleTolerance
    /// The unit round-off of the precision f computes in: the references' steps and round-off.
    var epsilon: Double = .ulpOfOne

    /// Whether f computes in a coarser precision than Double (its values rounded to epsilon).
    var coarse: Bool { epsilon > Double.ulpOfOne }

    /// Runs the references on `g` at `t0` in order and judges `claimed` with each, until
    /// `stop(index, comparison)` says the last one settles it. Returns the judgements and the
    /// evaluations of g (the complex step's included) they spent.
    func judge(
        _ claimed: Double, along g: (Double) throws -> Double, at t0: Double, knowing k: LineKnowledge = LineKnowledge(),
        stop: (Int, Comparison) -> Bool = { _, _ in false }
    ) -> (judgements: [ReferenceJudgement], evaluations: Int) {
        var judgements: [ReferenceJudgement] = []
        var evaluations = 0
        for method in methods {
            var estimate: Estimate
            if method == .complexStep {
                guard let complex = k.complex else { continue }
                estimate = complexStepDerivative(of: complex, at: t0)
            } else {
                estimate = derivative(
                    of: g, at: t0, method: method, step: step(method, at: t0, scale: k.stepScale), epsilon: epsilon,
                    fx: method == .fourPointCentral ? k.value : nil)
            }
            evaluations += estimate.evaluations
            let evaluationError = k.evaluationError + (method.isGSL ? k.gslEvaluationError : 0)
            if method.isGSL, evaluationError > 0, case let .kink(left, leftError, right, rightError) = estimate.status {
                // GSL's kink test compares its one-sided rules by their abserr, which knows
                // nothing of f's own rounding: a smooth Float function showed "kinks" whose sides
                // differ by 1e-4 relative (noise: a one-sided rule sums 91 |f| / h) and whose
                // interval missed the true derivative. Each side carries that noise too.
                let noise = OracleTolerance.stencilWeight(.gslForward) * evaluationError / StepRule.oneSided(at: t0, epsilon: epsilon)
                estimate.status = .kink(left: left, leftError: leftError + noise, right: right, rightError: rightError + noise)
            }
            var comparison = tolerance.compare(claimed, with: estimate, adSpread: k.adSpread, evaluationError: evaluationError)
            if comparison.verdict == .fail, let kink = k.kink {
                // Ridders' tableau starts 0.1 max(|t|, 1) away; the other stencils' checks reach 8 steps.
                let reach = method == .richardson ? Swift.max(8 * estimate.step, StepRule.richardson(at: t0)) : 8 * estimate.step
                if kink.distance <= reach {
                    comparison.verdict = .inconclusive(
                        reason: "\(estimate.method): the kink of \(kink.node) lies \(format(kink.distance)) away, within the stencil's reach \(format(reach)): the difference straddles two branches")
                }
            }
            if method == .fourPointCentral, comparison.verdict == .pass, !stop(judgements.count, comparison),
                let better = secondTrial(of: estimate, along: g, at: t0, knowing: k)
            {
                // It passed, but round-off kept it from settling: the same rule at the step that
                // balances its two error terms (4 more evaluations), kept when it is tighter and
                // consistent. A failing or inconclusive first trial escalates at once: a tighter
                // bar would not settle it.
                evaluations += better.evaluations
                if better.error < estimate.error, abs(better.value - estimate.value) <= 4 * estimate.error {
                    var both = better
                    both.evaluations += estimate.evaluations
                    estimate = both
                    comparison = tolerance.compare(claimed, with: estimate, adSpread: k.adSpread, evaluationError: evaluationError)
                }
            }
            judgements.append(ReferenceJudgement(requested: method, estimate: estimate, comparison: comparison))
            if stop(judgements.count - 1, comparison) { break }
        }
        return (judgements, evaluations)
    }

    /// The 4-point central rule again at the step that balances its error terms, when round-off
    /// dominates its first trial (a function whose value is large against the partial: a sum of
    /// n terms differenced along one input). Its round-off falls as `1/h` and its truncation term
    /// grows as `h²`, so their sum is least at
    /// ```
    /// h_opt = h (R / 2T)^(1/3)      clamped to 4 h ... 16 h (16 h when T = 0)
    /// ```
    /// the step GSL's `gsl_deriv_central` takes for its second trial (which GSL only takes to
    /// shrink a step). At least 4 h: where R dominates, the measured T (`|value - D0(h)|`) is
    /// mostly R's own noise, so `(R / 2T)^(1/3)` understates how far the step can grow
    /// (sum-sin-exp at n = 100: T measured 1.2e-9 at h where h² |f‴| / 6 is 4e-11; the formula's
    /// factor 1.55 left the bar above the resolution, 4 h brought T + R from 1e-8 to 2.4e-9).
    /// Nothing when the first trial is not an ordinary estimate.
    func secondTrial(of first: Estimate, along g: (Double) throws -> Double, at t0: Double, knowing k: LineKnowledge) -> Estimate? {
        guard case .ok = first.status, first.value.isFinite, first.step > 0,
            first.roundoffError > first.truncationError
        else { return nil }
        let factor = first.truncationError > 0 ? Swift.min(16, Swift.max(4, cbrt(first.roundoffError / (2 * first.truncationError)))) : 16
        return derivative(of: g, at: t0, method: .fourPointCentral, step: first.step * factor, epsilon: epsilon, fx: k.value)
    }

    /// The step of `method` at `t0`: ADNumeric's default for `|t0|` unless `scale` is given or
    /// f is coarse and the method is Richardson.
    ///
    /// Round-off, eps |f| / h, limits a coarse precision's Richardson tableau, and its restarts
    /// only shrink the step: it starts 8 times wider (0.8 max(|t|, 1)). Its checks against the
    /// central and 5-point differences near t still guard the wide steps.
    func step(_ method: DifferenceMethod, at t0: Double, scale: Double?) -> Double? {
        if coarse, method == .richardson { return 8 * StepRule.richardson(at: scale ?? t0) }
        guard let scale else { return nil }
        switch method {
        case .central, .gslCentral: return StepRule.central(at: scale, epsilon: epsilon)
        case .fourPointCentral: return StepRule.fourPointCentral(at: scale, epsilon: epsilon)
        case .fivePoint: return StepRule.fivePoint(at: scale, epsilon: epsilon)
        case .richardson: return StepRule.richardson(at: scale)
        case .forward, .backward, .gslForward, .gslBackward: return StepRule.oneSided(at: scale, epsilon: epsilon)
        case .complexStep, .secondCentral, .secondRichardson: return nil
        }
    }
}

extension DifferenceMethod {
    /// GSL's rules, whose `abserr` knows nothing of f's precision.
    var isGSL: Bool { self == .gslCentral || self == .gslForward || self == .gslBackward }
}

// MARK: The dot-product test

/// `⟨u, J v⟩` against `⟨Jᵀu, v⟩`, computed by two sweeps (forward and reverse mode, or a graph
/// and a network core), with random non-unit `u` and `v`; see `compareModes`.
///
/// The scale is the sum of the magnitudes of both inner products' terms, or `pathScale` when
/// larger (the path products that enter either side, where paths cancel).
func dotProductCheck(
    u: [Double], jv: [Double], jtu: [Double], v: [Double], pathScale: Double = 0, tolerance: AgreementTolerance,
    detail: String? = nil
) -> Check {
    let lhs = zip(u, jv).reduce(0) { $0 + $1.0 * $1.1 }
    let rhs = zip(jtu, v).reduce(0) { $0 + $1.0 * $1.1 }
    // Both sweeps non-finite: the Jacobian is (the modes' checks say where). One sweep finite
    // and the other not is a disagreement, and fails in `compareModes`.
    if !lhs.isFinite, !rhs.isFinite {
        return Check(
            quantity: "<u, J v>", kind: .dotProduct,
            comparison: Comparison(
                verdict: .inconclusive(reason: "the Jacobian has non-finite entries: no inner product to compare"),
                value: .nan, reference: .nan, budget: .nan, method: "reverse"))
    }
    let terms = zip(u, jv).reduce(0) { $0 + abs($1.0 * $1.1) } + zip(jtu, v).reduce(0) { $0 + abs($1.0 * $1.1) }
    var check = Check(
        quantity: "<u, J v>", kind: .dotProduct,
        comparison: compareModes(forward: lhs, reverse: rhs, scale: Swift.max(terms, pathScale), tolerance: tolerance))
    check.detail = detail
    return check
}

/// The seeded non-unit `u` (m entries) and `v` (n entries) of a case's dot-product test.
func dotProductVectors(seed: String, outputs m: Int, inputs n: Int) -> (u: [Double], v: [Double]) {
    var generator = SplitMix64(seed: seed)
    let u = (0..<m).map { _ in generator.nonUnit() }
    let v = (0..<n).map { _ in generator.nonUnit() }
    return (u, v)
}

// MARK: Kinks

/// Finds how far a line can go before a piecewise node that feeds `target` switches branch
/// (abs, max, min, relu, ...): from a forward sweep's tangents, to first order,
/// `|s| / |ds/dt|` for the node's switching argument `s`. The references are told that distance
/// (`LineKnowledge.kink`): a disagreement of a stencil that reaches across it is inconclusive.
struct KinkFinder {
    let graph: Graph
    /// The piecewise nodes `target` depends on (a kink elsewhere cannot bend its line).
    let piecewise: [Int]

    init(graph: Graph, target: Int) {
        self.graph = graph
        guard !graph.isAnalytic else {
            piecewise = []
            return
        }
        var feeds = [Bool](repeating: false, count: graph.nodeCount)
        if target < graph.nodeCount { feeds[target] = true }
        var found: [Int] = []
        for node in stride(from: Swift.min(target, graph.nodeCount - 1), through: 0, by: -1) where feeds[node] {
            if graph.ops[node].kink != nil { found.append(node) }
            let a = Int(graph.lhs[node]), b = Int(graph.rhs[node])
            if a >= 0 { feeds[a] = true }
            if b >= 0 { feeds[b] = true }
        }
        piecewise = found.reversed()
    }

    /// The nearest kink along direction `j` of the workspace's last forward sweep: its distance
    /// in t and its node. `nil` when no piecewise node feeds the target.
    func nearest(in ws: Workspace, direction j: Int = 0) -> (distance: Double, node: Int)? {
        var nearest: (distance: Double, node: Int)?
        for node in piecewise {
            let a = Int(graph.lhs[node]), b = Int(graph.rhs[node])
            guard let s = graph.ops[node].switchingArgument(ws.value(of: a), b >= 0 ? ws.value(of: b) : 0) else { continue }
            let ds = ws.tangent(of: a, direction: j) - (graph.ops[node].kink == .whereOperandsAreEqual ? ws.tangent(of: b, direction: j) : 0)
            let distance = s == 0 ? 0 : (ds == 0 ? Double.infinity : abs(s / ds))
            if distance < (nearest?.distance ?? .infinity) { nearest = (distance, node) }
        }
        return nearest
    }
}

// MARK: Lines

/// The line through a point that a derivative is taken along: an input's axis (the references
/// see the input itself, `t0 = x_i`, their steps scaled to it) or a direction (`t0 = 0`).
enum LineDirection {
    case axis(Int)
    case vector([Double])

    /// A unit vector is its axis: the steps then follow the input's own size.
    init(_ direction: [Double]) {
        if let i = direction.firstIndex(of: 1), direction.indices.allSatisfy({ $0 == i || direction[$0] == 0 }) {
            self = .axis(i)
        } else {
            self = .vector(direction)
        }
    }

    /// Where t starts: `x_i` on an axis, 0 along a direction.
    func start(_ x: [Double]) -> Double {
        switch self {
        case .axis(let i): x[i]
        case .vector: 0
        }
    }

    /// Writes the line's point at `t` into `p`, which holds `x` off the line's coordinates.
    func place(_ t: Double, from x: [Double], into p: inout [Double]) {
        switch self {
        case .axis(let i): p[i] = t
        case .vector(let d): for j in p.indices { p[j] = x[j] + t * d[j] }
        }
    }

    /// The line's point at a complex `t`, for the complex step.
    func complexPoint(_ t: Complex<Double>, from x: [Double]) -> [Complex<Double>] {
        switch self {
        case .axis(let i):
            var z = x.map { Complex($0, 0) }
            z[i] = t
            return z
        case .vector(let d):
            return zip(x, d).map { Complex($0, 0) + t * Complex($1, 0) }
        }
    }
}

// MARK: Whose number is wrong

/// Says, for each failed expectation of a derivative, whose number is wrong, from the oracle
/// checks of the same quantity (written into the check's `detail`, which its message shows):
/// - AD and the conclusive references agree (with each other and with AD): the expected number
///   is off, by how much;
/// - the conclusive references agree with each other but not with AD: AD is wrong, and whether
///   the expected number agrees with the references;
/// - the conclusive references disagree with each other, or none is conclusive: nobody can tell.
func attributeExpectationFailures(_ checks: inout [Check]) {
    var oracles: [String: [Comparison]] = [:]
    for check in checks where check.kind == .oracle { oracles[check.quantity, default: []].append(check.comparison) }
    for index in checks.indices where checks[index].kind == .expectation && checks[index].comparison.verdict == .fail {
        guard let comparisons = oracles[checks[index].quantity] else { continue }
        checks[index].detail = whoseNumber(checks[index].comparison, expectedText: checks[index].expectedText, references: comparisons)
    }
}

/// The sentence for one failed expectation `e` (value: AD's, reference: the expected number,
/// as written in the case when `expectedText` is given).
func whoseNumber(_ e: Comparison, expectedText: String? = nil, references: [Comparison]) -> String {
    let ad = e.value, expected = e.reference
    let conclusive = references.filter { !$0.verdict.isInconclusive }
    guard !conclusive.isEmpty else {
        return "no reference could decide this derivative: nobody can tell whether AD's \(format(ad)) or the expected number is wrong"
    }
    for (k, a) in conclusive.enumerated() {
        for b in conclusive[(k + 1)...] where abs(a.reference - b.reference) > a.budget + b.budget {
            return "the references disagree with each other (\(a.method) \(format(a.reference)) ± \(short(a.budget)), \(b.method) \(format(b.reference)) ± \(short(b.budget))): nobody can tell whose number is wrong"
        }
    }
    let best = conclusive.min { $0.budget < $1.budget } ?? conclusive[0]
    let count = conclusive.count == 1 ? "1 reference" : "\(conclusive.count) references"
    if conclusive.allSatisfy({ $0.verdict == .pass }) {
        return "AD and \(count) agree on \(format(best.reference)) (± \(short(best.budget))): the expected \(expectedText ?? format(expected)) is off by \(short(abs(expected - ad), digits: 4))"
    }
    let expectedAgrees = abs(expected - best.reference) <= e.budget + best.budget
    return "\(count == "1 reference" ? "1 reference says" : "\(count) agree with each other on") \(format(best.reference)) (± \(short(best.budget))) and AD's \(format(ad)) is off by \(short(abs(ad - best.reference), digits: 4)): the derivative is wrong"
        + (expectedAgrees ? "; the expected number agrees with the references" : "; the expected number is off too")
}

/// A budget or a difference for a message: `digits` significant digits.
private func short(_ x: Double, digits: Int = 2) -> String {
    x.isFinite ? String(format: "%.\(digits)g", x) : format(x)
}
