// The cheapest central rule with an honest error bar: GSL central's first trial, 4 evaluations.

/// The 4-point central rule: the 5-point rule on `x±h, x±h/2` (the centre's weight is 0), with
/// the 3-point rule's difference from it as its truncation error. It is the first trial of GSL's
/// `gsl_deriv_central`, computed here with f's own precision and a kink check, and without GSL's
/// second trial at an optimised step.
///
/// ```
/// D0(s)      = (f(x+s) - f(x-s)) / 2s
/// value      = (4 D0(h/2) - D0(h)) / 3                    5-point rule, error  h^4 |f^(5)| / 480
/// truncation = |value - D0(h)| = 4/3 |D0(h/2) - D0(h)|    D0(h)'s error, ≈ h^2 |f'''| / 6: an
///                                                         over-estimate of value's error when
///                                                         h is small on f's scale
/// round-off  = 2 eps (4/3 (|f(x+h/2)| + |f(x-h/2)|) + 1/6 (|f(x+h)| + |f(x-h)|)) / h
///            + 1.5 eps |x| max(|D0(h)|, |value|) / h     (the abscissae rounded to f's precision)
/// h          = cbrt(18 eps) max(|x|, 1)                   (`StepRule.fourPointCentral`: balances
///                                                         the two terms when |f'''| ~ |f|)
/// ```
/// `eps` is `epsilon`, the unit round-off of the precision f computes in (`Float.ulpOfOne` for a
/// Float function seen through a Double closure): it sets the step and the round-off term.
///
/// Kinks: with `f(x)` the samples give second-order one-sided derivatives at step `h/2`; when
/// they differ by more than 4 times their error bars the status is `.kink` (as `centralDifference`).
/// Domain: as `centralDifference` (the step is divided by 8 when a value is not finite, then
/// the one-sided rule on the finite side).
/// Not checked, unlike `centralDifference`: that the stencil is in its asymptotic regime (two
/// steps give one difference, no ratio) and aliasing at a smaller step. A function that varies
/// on a scale below h gets a large truncation term, not a small wrong one, unless `D0(h)` and
/// `D0(h/2)` agree by chance; a caller that must not rely on one estimate runs another rule.
///
/// Cost: 4 evaluations when `fx` is given, 5 otherwise (plus the fallback's when the stencil
/// leaves the domain).
public func fourPointCentralDifference(
    of f: (Double) throws -> Double, at x: Double, step: Double? = nil, fx: Double? = nil, epsilon: Double = .ulpOfOne
) -> Estimate {
    var log = EvaluationLog()
    return fourPointCentral(f, x, step: step, fx: fx, epsilon: epsilon, &log)
}

func fourPointCentral(
    _ f: (Double) throws -> Double, _ x: Double, step: Double?, fx known: Double?, epsilon: Double = eps,
    _ log: inout EvaluationLog
) -> Estimate {
    let method = DifferenceMethod.fourPointCentral
    let h: Double, fx: Double
    switch startStencil(f, x, step: step, rule: StepRule.fourPointCentral(at: x, epsilon: epsilon), fx: known, method: method, &log) {
    case let .ready(step, value): (h, fx) = (step, value)
    case let .stop(estimate): return estimate
    }
    return withDomainFallback(of: f, at: x, fx: fx, step: h, method: method, epsilon: epsilon, log: &log) { h, log in
        // The inner step exact at x; the outer 2s is exact unless x + 2s crosses a power of two
        // (the abscissa term covers that).
        let s = representableStep(h / 2, at: x)
        let fp1 = sample(f, x + 2 * s, &log)
        let fm1 = sample(f, x - 2 * s, &log)
        let fph = sample(f, x + s, &log)
        let fmh = sample(f, x - s, &log)
        guard fp1.isFinite, fm1.isFinite, fph.isFinite, fmh.isFinite else { return .nonFinite }
        let outer = 2 * s
        let d0 = (fp1 - fm1) / (2 * outer)
        let d0Half = (fph - fmh) / (2 * s)
        let value = (4 * d0Half - d0) / 3
        let weighted = (4.0 / 3.0) * (abs(fph) + abs(fmh)) + (abs(fp1) + abs(fm1)) / 6
        let round = ulpsPerEvaluation * epsilon * weighted / outer
            + 1.5 * epsilon * abs(x) * Swift.max(abs(d0), abs(value)) / outer
        return .estimate(Estimate(
            value: value, truncationError: abs(value - d0), roundoffError: round, step: outer, evaluations: 0,
            method: method,
            status: kinkStatus(fx: fx, fm1: fmh, fm2: fm1, fp1: fph, fp2: fp1, step: s, x: x, epsilon: epsilon)))
    }
}
