// When an AD derivative agrees with a numerical oracle: the oracle's own error budget decides.
import ADNumeric

/// The tolerance model for comparing an AD derivative with an oracle's `Estimate`.
///
/// ```
/// scale  = max(|ad|, |oracle|)
/// budget = max(safetyFactor * (oracle.error + adSpread), ulpFloor * ulp(scale))
///          (oracle.error with its round-off part times evaluationNoise, see forGraph(nodeCount:),
///          plus f's own evaluation error through the stencil; adSpread: AD's own rounding; see compare)
/// inconclusive  if the oracle is inconclusive or not finite,
///               or budget > maxRelativeBudget * |oracle| and budget > absoluteFloor
/// kink(L, R)    ad in [min(L,R) - budget_side, max(L,R) + budget_side]  -> inconclusive
///               otherwise                                               -> fail
///               (reported as reference = the interval's midpoint, budget = its half-width)
/// pass          if |ad - oracle| <= budget
/// fail          otherwise
/// ```
/// - `safetyFactor = 10`: the error estimates are estimates, not bounds. Round-off assumes
///   each evaluation is good to 2 ulps (composite functions may be worse); truncation
///   estimates from stencil differences can be low by a small factor when terms cancel.
///   10 still leaves 5-6 orders of magnitude between the typical budget (~1e-10 relative for
///   central differences, ~1e-15 for the complex step) and a real derivative error of 1e-4.
/// - `ulpFloor = 4`: an exact oracle (complex step on a polynomial) still rounds.
/// - `maxRelativeBudget = 0.1`: an oracle whose budget is 10% of the value cannot tell a right
///   derivative from a wrong one; it is inconclusive, never "failed".
/// - `absoluteFloor = 1e-6`: where the derivative is (near) zero a relative budget means nothing;
///   a budget below this absolute size is trusted regardless.
///
/// The comparison is not symmetric and not transitive; it trusts the oracle's error estimate.
public struct OracleTolerance: Codable, Sendable, Hashable {
    public var safetyFactor: Double
    public var ulpFloor: Double
    public var maxRelativeBudget: Double
    public var absoluteFloor: Double
    /// How many times worse than 2 ulps an evaluation of f is: the oracles' round-off terms
    /// (and all of GSL's `abserr`, which mixes truncation and round-off) are multiplied by it.
    public var evaluationNoise: Double

    public init(
        safetyFactor: Double = 10, ulpFloor: Double = 4, maxRelativeBudget: Double = 0.1, absoluteFloor: Double = 1e-6,
        evaluationNoise: Double = 1
    ) {
        self.safetyFactor = safetyFactor
        self.ulpFloor = ulpFloor
        self.maxRelativeBudget = maxRelativeBudget
        self.absoluteFloor = absoluteFloor
        self.evaluationNoise = evaluationNoise
    }

    public static let `default` = OracleTolerance()

    /// This tolerance for a function evaluated by a graph of `nodeCount` nodes.
    ///
    /// ```
    /// evaluationNoise = max(1, sqrt(nodeCount / 64))
    /// ```
    /// The oracles assume f is good to 2 ulps; a graph of n nodes accumulates rounding like a
    /// random walk, ~sqrt(n) ulps, so a sum of 100,000 terms must not turn a central
    /// difference's honest round-off into a false failure. Graphs up to 64 nodes are unchanged.
    public func forGraph(nodeCount: Int) -> OracleTolerance {
        var t = self
        t.evaluationNoise = Swift.max(evaluationNoise, (Double(nodeCount) / 64).squareRoot())
        return t
    }

    /// The estimate's error with its round-off part scaled by `evaluationNoise`, plus what an
    /// error of `evaluationError` in each value of f does to its difference quotient (see
    /// `stencilWeight(_:)`).
    func error(of estimate: Estimate, evaluationError: Double = 0) -> Double {
        let own = switch estimate.method {
        case .gslCentral, .gslForward, .gslBackward: evaluationNoise * estimate.error
        default: estimate.truncationError + evaluationNoise * estimate.roundoffError
        }
        guard evaluationError > 0, estimate.step > 0 else { return own }
        return own + OracleTolerance.stencilWeight(estimate.method) * evaluationError / estimate.step
    }

    /// `Σ |c_i|` of a method's difference quotient `Σ c_i f(x_i) / h`: how many times an error
    /// in each value of f, divided by the step, reaches the estimate. Forward/backward 2, central
    /// 1, 5-point (1 + 8 + 8 + 1) / 12, GSL central and the 4-point central rule (the 5-point
    /// rule at h and h/2: 2 (4/3) + 2 (1/6)) 3, GSL's
    /// 4-point forward rule 91; Richardson 4 (the central difference at its best step, times
    /// what two levels of extrapolation do to noise); the complex step 0 (it takes no difference).
    static func stencilWeight(_ method: DifferenceMethod) -> Double {
        switch method {
        case .forward, .backward: 2
        case .central: 1
        case .fivePoint: 1.5
        case .richardson: 4
        case .gslCentral, .fourPointCentral: 3
        case .gslForward, .gslBackward: 91
        // The second differences carry f's evaluation error in their own round-off (it
        // reaches them divided by h², not h).
        case .complexStep, .secondCentral, .secondRichardson: 0
        }
    }

    /// `max(safetyFactor * error, ulpFloor * ulp(scale))`.
    public func budget(error: Double, scale: Double) -> Double {
        Swift.max(safetyFactor * error, ulpFloor * scale.ulp)
    }

    /// The verdict on `ad` given the oracle's `estimate`; see the type's documentation.
    ///
    /// What is known about how accurately f and AD are computed, when f is a graph (both 0 when
    /// nothing is known):
    /// - `evaluationError`: the typical error of one value of f (`eps * Workspace.roundingNoise(of:)`).
    ///   The oracles' own round-off terms assume 2 ulps of |f|; a graph in which large intermediate
    ///   values cancel or are amplified computes f far less accurately (absolutely, so also where
    ///   f(x) = 0), and every difference quotient inherits that error divided by its step.
    /// - `adSpread`: how far AD's own value moves with the rounding of f's intermediate values
    ///   (see `Graph.jacobianRoundingSpread`); it is added to the oracle's error in the budget.
    public func compare(_ ad: Double, with estimate: Estimate, adSpread: Double = 0, evaluationError: Double = 0) -> Comparison {
        let method = estimate.method.rawValue
        func result(_ v: Verdict, reference: Double, budget: Double) -> Comparison {
            Comparison(
                verdict: v, value: ad, reference: reference, budget: budget, step: estimate.step,
                evaluations: estimate.evaluations, method: method)
        }
        switch estimate.status {
        case .inconclusive(let reason):
            return result(.inconclusive(reason: "\(method): \(reason)"), reference: estimate.value, budget: .nan)
        case let .kink(left, leftError, right, rightError):
            let scale = Swift.max(abs(left), abs(right), abs(ad))
            let lo = Swift.min(left - budget(error: leftError, scale: scale), right - budget(error: rightError, scale: scale))
            let hi = Swift.max(left + budget(error: leftError, scale: scale), right + budget(error: rightError, scale: scale))
            guard ad.isFinite, lo.isFinite, hi.isFinite else {
                return result(.inconclusive(reason: "\(method): kink with non-finite one-sided values"), reference: estimate.value, budget: .nan)
            }
            let within = ad >= lo && ad <= hi
            let mid = (lo + hi) / 2
            return result(
                within
                    ? .inconclusive(reason: "\(method): kink at x; AD value \(ad) lies between the one-sided derivatives \(left) and \(right)")
                    : .fail,
                reference: mid, budget: (hi - lo) / 2)
        case .ok:
            break
        }
        let oracle = estimate.value
        guard oracle.isFinite, estimate.error.isFinite else {
            return result(
                .inconclusive(reason: "\(method): the estimate \(oracle) ± \(estimate.error) is not finite"),
                reference: oracle, budget: .nan)
        }
        let scale = Swift.max(abs(ad), abs(oracle))
        let b = budget(error: error(of: estimate, evaluationError: evaluationError) + adSpread, scale: scale.isFinite ? scale : abs(oracle))
        // Judged against the oracle's own value, not the AD value: an oracle that claims
        // 4.6e-5 ± 8.7e-5 is too rough to contradict any AD value (an aliased stencil does this).
        if b > maxRelativeBudget * abs(oracle), b > absoluteFloor {
            return result(
                .inconclusive(reason: "\(method): error budget \(b) is more than \(maxRelativeBudget) of the estimate \(oracle)"),
                reference: oracle, budget: b)
        }
        // A non-finite AD value against a finite, conclusive oracle is a failure.
        return result(ad.isFinite && abs(ad - oracle) <= b ? .pass : .fail, reference: oracle, budget: b)
    }
}

/// Compares an AD derivative with an oracle's estimate; see `OracleTolerance`.
public func compare(ad: Double, with estimate: Estimate, tolerance: OracleTolerance = .default) -> Comparison {
    tolerance.compare(ad, with: estimate)
}

/// Compares an AD gradient with an oracle gradient, partial by partial.
/// Missing partials (different lengths) compare against an inconclusive NaN estimate and fail.
public func compare(
    ad gradient: [Double], with estimate: GradientEstimate, tolerance: OracleTolerance = .default
) -> [Comparison] {
    let n = Swift.max(gradient.count, estimate.partials.count)
    return (0..<n).map { i in
        let ad = i < gradient.count ? gradient[i] : .nan
        guard i < estimate.partials.count else {
            return Comparison(verdict: .fail, value: ad, reference: .nan, budget: .nan, method: estimate.method.rawValue)
        }
        guard i < gradient.count else {
            return Comparison(verdict: .fail, value: .nan, reference: estimate.partials[i].value, budget: .nan, method: estimate.method.rawValue)
        }
        return tolerance.compare(ad, with: estimate.partials[i])
    }
}
