// Forward, backward, central and 5-point differences with error estimates and domain fallbacks.

/// The forward difference, the loop of Domke's footnote: one extra evaluation per parameter.
///
/// ```
/// D+(h) = (f(x+h) - f(x)) / h,            h = sqrt(eps) * max(|x|, 1)
/// truncation(D+(h)) ≈ |D+(h) - D+(2h)|    (both are f' + h f''/2 + ..., k h f''/2 apart)
/// round-off         ≈ 2 eps (|f(x)| + |f(x+h)|) / h
/// ```
/// The estimate is trusted only if `|D+(4h) - D+(2h)| / |D+(2h) - D+(h)|` is near 2 (the
/// stencil is in its asymptotic regime) or both differences are round-off; otherwise the step
/// is reduced, and if that never helps the result is inconclusive.
/// Domain: `f` finite at `x`; if `f(x+h)` or `f(x+2h)` is not finite the step is reduced, then
/// the other side is tried (see the `central` documentation).
/// Cost: 4 evaluations (2 with `estimateError: false`, which reports `error = +infinity`).
/// The `value` is always the plain first-order quotient; the `2h`, `4h` points only feed the error.
public func forwardDifference(
    of f: (Double) throws -> Double, at x: Double, step: Double? = nil, estimateError: Bool = true
) -> Estimate {
    var log = EvaluationLog()
    return oneSidedDifference(f, x, sign: 1, step: step, fx: nil, estimateError: estimateError, &log)
}

/// The backward difference, the mirror image of `forwardDifference(of:at:step:estimateError:)`.
///
/// ```
/// D-(h) = (f(x) - f(x-h)) / h,            h = sqrt(eps) * max(|x|, 1)
/// truncation ≈ |D-(h) - D-(2h)|,  round-off ≈ 2 eps (|f(x)| + |f(x-h)|) / h
/// ```
/// Cost: 4 evaluations (2 with `estimateError: false`).
public func backwardDifference(
    of f: (Double) throws -> Double, at x: Double, step: Double? = nil, estimateError: Bool = true
) -> Estimate {
    var log = EvaluationLog()
    return oneSidedDifference(f, x, sign: -1, step: step, fx: nil, estimateError: estimateError, &log)
}

/// The central difference with an error estimate and a kink check.
///
/// ```
/// D0(h) = (f(x+h) - f(x-h)) / 2h,         h = cbrt(eps) * max(|x|, 1)
/// truncation(D0(h)) ≈ |D0(h) - D5(h)| = |D0(2h) - D0(h)| / 3     (D5: the 5-point rule)
/// round-off         ≈ 2 eps (|f(x+h)| + |f(x-h)|) / 2h + eps |x| / h |D0|
/// ```
/// Trusted only if `|D0(4h) - D0(2h)| / |D0(2h) - D0(h)|` is near 4 or both are round-off
/// (otherwise the step is too large for the function's scale: it is reduced, or inconclusive).
/// The points `x±h, x±2h` with `f(x)` give second-order left and right derivatives; when they differ by
/// more than 4 times their error bars the status is `.kink(left:leftError:right:rightError:)`.
///
/// Domain: when a stencil value is not finite (log near 0, sqrt of a negative) the step is
/// divided by 8 until the stencil fits (up to 12 times); failing that, the second-order
/// one-sided rule is used on the finite side; failing that, the result is `.inconclusive`.
/// A function that throws is treated like a point outside its domain.
/// A function that oscillates with a period below `h` can pass the asymptotic check by chance
/// (random graphs: `tan` of an argument moving by 6.6e5 per unit, f' = 8.8e5, central -7180 ± 24),
/// so the result is also checked against the central differences at `h/8, h/4, h/2`
/// (`LocalCentral`): inconclusive when they disagree, its error raised to their difference or
/// spread otherwise.
/// Cost: 13 evaluations (`f(x)`, `x±h`, `x±2h`, `x±4h`, and `x±h/8`, `x±h/4`, `x±h/2`) when no
/// fallback is needed.
public func centralDifference(of f: (Double) throws -> Double, at x: Double, step: Double? = nil) -> Estimate {
    var log = EvaluationLog()
    return central(f, x, step: step, fx: nil, &log)
}

/// The 5-point central stencil.
///
/// ```
/// D5(h) = (f(x-2h) - 8 f(x-h) + 8 f(x+h) - f(x+2h)) / 12h,    h = eps^(1/5) * max(|x|, 1)
/// truncation(D5(h)) = h^4 |f^(5)| / 30 + ... ≈ |D5(2h) - D5(h)| / 15
/// round-off         ≈ 2 eps (|f(x-2h)| + 8|f(x-h)| + 8|f(x+h)| + |f(x+2h)|) / 12h
/// ```
/// Asymptotic check (ratio near 16, using `x±8h`), kink check and domain fallback as for
/// `centralDifference(of:at:step:)`. The stencil reaches 8h, and f may vary on a smaller scale:
/// the result is checked against central differences at a step below its own (`LocalCentral`),
/// inconclusive when they disagree, its error raised to their difference or spread otherwise;
/// a kink it sees must be seen there too.
/// Cost: 15 evaluations (`f(x)`, `x±h`, `x±2h`, `x±4h`, `x±8h`, and the central step's 6).
public func fivePointDifference(of f: (Double) throws -> Double, at x: Double, step: Double? = nil) -> Estimate {
    var log = EvaluationLog()
    return fivePoint(f, x, step: step, fx: nil, &log)
}

// MARK: - Implementations shared with the gradient loops (which pass f(x) once for all partials)

/// A user-supplied step must be positive and finite; `nil` means the default rule.
func checkedStep(_ step: Double?, default rule: Double, at x: Double) -> Double? {
    let h = step ?? rule
    guard h.isFinite, h > 0, x + h != x else { return nil }
    return representableStep(h, at: x)
}

/// Where a stencil starts: its checked step and `f(x)`, or the inconclusive estimate that ends it.
enum StencilStart {
    case ready(step: Double, fx: Double)
    case stop(Estimate)
}

func startStencil(
    _ f: (Double) throws -> Double, _ x: Double, step: Double?, rule: Double, fx known: Double?,
    method: DifferenceMethod, _ log: inout EvaluationLog
) -> StencilStart {
    guard let h = checkedStep(step, default: rule, at: x) else { return .stop(invalidStep(step, x, method)) }
    switch centerValue(f, x, known: known, &log) {
    case .success(let fx): return .ready(step: h, fx: fx)
    case .failure(let e): return .stop(.inconclusive(e.reason, method: method, step: h, evaluations: log.count))
    }
}

/// `f(x + k h)` and `f(x - k h)` for `k = 1, 2, 4, …` (`levels` of them), sampled in that
/// order; `nil` as soon as one is not finite (the domain fallback then shrinks the step).
func symmetricSamples(
    _ f: (Double) throws -> Double, _ x: Double, _ h: Double, levels: Int, _ log: inout EvaluationLog
) -> (plus: [Double], minus: [Double])? {
    var plus: [Double] = [], minus: [Double] = []
    plus.reserveCapacity(levels)
    minus.reserveCapacity(levels)
    var k = 1.0
    for _ in 0..<levels {
        let p = sample(f, x + k * h, &log), m = sample(f, x - k * h, &log)
        guard p.isFinite, m.isFinite else { return nil }
        plus.append(p)
        minus.append(m)
        k *= 2
    }
    return (plus, minus)
}

func invalidStep(_ step: Double?, _ x: Double, _ method: DifferenceMethod) -> Estimate {
    .inconclusive(
        "step \(step.map { "\($0)" } ?? "rule") is not a positive finite number that changes x = \(x)",
        method: method, step: step ?? .nan, evaluations: 0)
}

func oneSidedDifference(
    _ f: (Double) throws -> Double, _ x: Double, sign: Double, step: Double?, fx known: Double?,
    estimateError: Bool, epsilon: Double = eps, _ log: inout EvaluationLog
) -> Estimate {
    let method: DifferenceMethod = sign > 0 ? .forward : .backward
    let h: Double, fx: Double
    switch startStencil(f, x, step: step, rule: StepRule.oneSided(at: x, epsilon: epsilon), fx: known, method: method, &log) {
    case let .ready(step, value): (h, fx) = (step, value)
    case let .stop(estimate): return estimate
    }
    return withDomainFallback(of: f, at: x, fx: fx, step: h, method: method, epsilon: epsilon, log: &log) { h, log in
        let s = representableStep(sign * h, at: x)
        let f1 = sample(f, x + s, &log)
        guard f1.isFinite else { return .nonFinite }
        let d1 = (f1 - fx) / s
        let round = stencilRoundoff(weightedMagnitude: abs(f1) + abs(fx), step: s, x: x, derivative: d1, epsilon: epsilon)
        guard estimateError else {
            return .estimate(Estimate(
                value: d1, truncationError: .infinity, roundoffError: round, step: abs(s), evaluations: 0,
                method: method, note: "no error estimate requested"))
        }
        let f2 = sample(f, x + 2 * s, &log)
        guard f2.isFinite else { return .nonFinite }
        let f4 = sample(f, x + 4 * s, &log)
        guard f4.isFinite else { return .nonFinite }
        let d2 = (f2 - fx) / (2 * s)
        let d4 = (f4 - fx) / (4 * s)
        if let why = asymptoticViolation(d1, d2, d4, order: 1, roundoff: round, step: abs(s)) { return .notAsymptotic(why) }
        return .estimate(Estimate(
            value: d1, truncationError: abs(d1 - d2), roundoffError: round, step: abs(s), evaluations: 0,
            method: method))
    }
}

func central(
    _ f: (Double) throws -> Double, _ x: Double, step: Double?, fx known: Double?, epsilon: Double = eps,
    _ log: inout EvaluationLog
) -> Estimate {
    let h: Double, fx: Double
    switch startStencil(f, x, step: step, rule: StepRule.central(at: x, epsilon: epsilon), fx: known, method: .central, &log) {
    case let .ready(step, value): (h, fx) = (step, value)
    case let .stop(estimate): return estimate
    }
    var estimate = withDomainFallback(of: f, at: x, fx: fx, step: h, method: .central, epsilon: epsilon, log: &log) { h, log in
        guard let (fp, fm) = symmetricSamples(f, x, h, levels: 3, &log) else { return .nonFinite }
        let (fp1, fp2, fp4, fm1, fm2, fm4) = (fp[0], fp[1], fp[2], fm[0], fm[1], fm[2])
        let d1 = (fp1 - fm1) / (2 * h)
        let d2 = (fp2 - fm2) / (4 * h)
        let d4 = (fp4 - fm4) / (8 * h)
        let round = stencilRoundoff(weightedMagnitude: (abs(fp1) + abs(fm1)) / 2, step: h, x: x, derivative: d1, epsilon: epsilon)
        if let why = asymptoticViolation(d1, d2, d4, order: 2, roundoff: round, step: h) { return .notAsymptotic(why) }
        return .estimate(Estimate(
            value: d1, truncationError: abs(d2 - d1) / 3, roundoffError: round,
            step: h, evaluations: 0, method: .central,
            status: kinkStatus(fx: fx, fm1: fm1, fm2: fm2, fp1: fp1, fp2: fp2, step: h, x: x, epsilon: epsilon)))
    }
    // A function that oscillates with a period below h aliases D0(h), D0(2h), D0(4h) alike, and
    // they can pass the asymptotic check by chance: check against the differences at h/8.
    if estimate.status.isOK {
        var leftDomain = false
        if let local = LocalCentral(f, at: x, below: estimate.step, &log, leftDomain: &leftDomain, epsilon: epsilon) { local.check(&estimate) }
        estimate.evaluations = log.count
    }
    return estimate
}

func fivePoint(
    _ f: (Double) throws -> Double, _ x: Double, step: Double?, fx known: Double?, epsilon: Double = eps,
    _ log: inout EvaluationLog
) -> Estimate {
    let h: Double, fx: Double
    switch startStencil(f, x, step: step, rule: StepRule.fivePoint(at: x, epsilon: epsilon), fx: known, method: .fivePoint, &log) {
    case let .ready(step, value): (h, fx) = (step, value)
    case let .stop(estimate): return estimate
    }
    var estimate = withDomainFallback(of: f, at: x, fx: fx, step: h, method: .fivePoint, epsilon: epsilon, log: &log) { h, log in
        guard let (fp, fm) = symmetricSamples(f, x, h, levels: 4, &log) else { return .nonFinite }
        let (fp1, fp2, fp4, fp8, fm1, fm2, fm4, fm8) = (fp[0], fp[1], fp[2], fp[3], fm[0], fm[1], fm[2], fm[3])
        let d5 = (fm2 - 8 * fm1 + 8 * fp1 - fp2) / (12 * h)
        let d5wide = (fm4 - 8 * fm2 + 8 * fp2 - fp4) / (24 * h)
        let d5wider = (fm8 - 8 * fm4 + 8 * fp4 - fp8) / (48 * h)
        let weighted = (abs(fm2) + 8 * abs(fm1) + 8 * abs(fp1) + abs(fp2)) / 12
        let round = stencilRoundoff(weightedMagnitude: weighted, step: h, x: x, derivative: d5, epsilon: epsilon)
        if let why = asymptoticViolation(d5, d5wide, d5wider, order: 4, roundoff: round, step: h) { return .notAsymptotic(why) }
        return .estimate(Estimate(
            value: d5, truncationError: abs(d5wide - d5) / 15, roundoffError: round,
            step: h, evaluations: 0, method: .fivePoint,
            status: kinkStatus(fx: fx, fm1: fm1, fm2: fm2, fp1: fp1, fp2: fp2, step: h, x: x, epsilon: epsilon)))
    }
    // The stencil reaches 8h: check it against central differences at a smaller step, and a kink
    // it sees must be there too (one-sided differences 2h wide also disagree where f merely
    // changes faster than the stencil can follow).
    if estimate.status.isOK || estimate.status.isKink {
        var leftDomain = false
        if let local = LocalCentral(f, at: x, below: estimate.step, &log, leftDomain: &leftDomain, epsilon: epsilon) {
            if estimate.status.isKink {
                let (fp, fm) = (local.plus, local.minus)
                if !kinkStatus(fx: fx, fm1: fm[0], fm2: fm[1], fp1: fp[0], fp2: fp[1], step: local.step, x: x, epsilon: epsilon).isKink {
                    estimate.status = .inconclusive(
                        reason: "the one-sided differences at step \(estimate.step) disagree but those at step \(local.step) do not: f changes faster than the stencil can follow")
                }
            } else {
                local.check(&estimate)
            }
        } else if leftDomain {
            // f is not finite close to x although the wider stencil was: it changes faster than
            // that stencil can follow.
            estimate.status = .inconclusive(
                reason: "f is not finite within 4 steps of \(Swift.min(StepRule.central(at: x, epsilon: epsilon), estimate.step / 8)) of x, inside the stencil's reach \(8 * estimate.step): the estimate cannot be checked there")
        }
        estimate.evaluations = log.count
    }
    return estimate
}
