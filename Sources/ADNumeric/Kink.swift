// Kink detection: left and right one-sided derivatives that disagree beyond their error bars.

/// A second-order one-sided derivative with its error estimate.
struct OneSided {
    var value: Double
    var truncation: Double
    var roundoff: Double
    var error: Double { truncation + roundoff }

    /// The second-order one-sided rule for a signed step `h` (h > 0: right, h < 0: left):
    /// ```
    /// D2 = (-3 f(x) + 4 f(x+h) - f(x+2h)) / 2h       error O(h^2)
    /// D1 = (f(x+h) - f(x)) / h                         error O(h)
    /// truncation(D2) <= |D2 - D1|                      (conservative: the O(h) term)
    /// ```
    /// Using the first-order difference as the error estimate makes the bar wide enough
    /// (`~ h |f''| / 2`) that for a smooth function the left and right values, which differ
    /// only by `O(h^3)`, never look like a kink.
    init(fx: Double, f1: Double, f2: Double, step h: Double, x: Double) {
        let d2 = (-3 * fx + 4 * f1 - f2) / (2 * h)
        let d1 = (f1 - fx) / h
        value = d2
        truncation = abs(d2 - d1)
        roundoff = stencilRoundoff(
            weightedMagnitude: (3 * abs(fx) + 4 * abs(f1) + abs(f2)) / 2, step: h, x: x, derivative: d2)
    }
}

/// How far apart the one-sided values must be, in units of the sum of their error bars,
/// to call the point a kink. For a smooth function `|R - L|` is `O(h^3)` while the bars are
/// `O(h)`, so 4 leaves a wide margin for evaluation errors above our 2-ulp assumption.
let kinkSeparation = 4.0

/// Classifies `x` from the stencil values `f(x), f(x±h), f(x±2h)`, which the symmetric
/// methods have already computed: no extra evaluations.
///
/// Returns `.kink(left, leftError, right, rightError)` when
/// ```
/// |R - L| > 4 (err_L + err_R) + 64 eps max(|L|, |R|)
/// ```
/// and `.ok` otherwise (also when a one-sided value is not finite: no claim is made then).
func kinkStatus(
    fx: Double, fm1: Double, fm2: Double, fp1: Double, fp2: Double, step h: Double, x: Double
) -> EstimateStatus {
    let right = OneSided(fx: fx, f1: fp1, f2: fp2, step: h, x: x)
    let left = OneSided(fx: fx, f1: fm1, f2: fm2, step: -h, x: x)
    guard right.value.isFinite, left.value.isFinite, right.error.isFinite, left.error.isFinite else {
        return .ok
    }
    let gap = abs(right.value - left.value)
    let threshold = kinkSeparation * (left.error + right.error)
        + 64 * eps * Swift.max(abs(left.value), abs(right.value))
    guard gap > threshold else { return .ok }
    return .kink(left: left.value, leftError: left.error, right: right.value, rightError: right.error)
}

/// Left and right one-sided derivatives at `x` and whether they disagree.
///
/// ```
/// L = (3 f(x) - 4 f(x-h) + f(x-2h)) / 2h,   R = (-3 f(x) + 4 f(x+h) - f(x+2h)) / 2h
/// ```
/// with `h = cbrt(eps) * max(|x|, 1)` by default (5 evaluations). The result's `status` is
/// `.kink` when `|R - L|` exceeds 4 times the sum of their error bars, `.ok` otherwise; `value`
/// is the mean of `L` and `R`. Use it before trusting a symmetric oracle (GSL central,
/// Richardson) whose own stencil cannot see a kink.
public func kinkCheck(of f: (Double) throws -> Double, at x: Double, step: Double? = nil) -> Estimate {
    var log = EvaluationLog()
    let h = representableStep(step ?? StepRule.central(at: x), at: x)
    let fx = sample(f, x, &log)
    let fp1 = sample(f, x + h, &log), fm1 = sample(f, x - h, &log)
    let fp2 = sample(f, x + 2 * h, &log), fm2 = sample(f, x - 2 * h, &log)
    guard [fx, fp1, fm1, fp2, fm2].allSatisfy(\.isFinite) else {
        return .inconclusive(
            log.failureReason ?? "f is not finite on x - 2h ... x + 2h (h = \(h)): cannot compare sides",
            method: .central, step: h, evaluations: log.count)
    }
    let right = OneSided(fx: fx, f1: fp1, f2: fp2, step: h, x: x)
    let left = OneSided(fx: fx, f1: fm1, f2: fm2, step: -h, x: x)
    let status = kinkStatus(fx: fx, fm1: fm1, fm2: fm2, fp1: fp1, fp2: fp2, step: h, x: x)
    return Estimate(
        value: (left.value + right.value) / 2,
        truncationError: Swift.max(left.truncation, right.truncation) + abs(left.value - right.value) / 2,
        roundoffError: Swift.max(left.roundoff, right.roundoff),
        step: h, evaluations: log.count, method: .central, status: status,
        note: "one-sided comparison: left \(left.value) ± \(left.error), right \(right.value) ± \(right.error)")
}
