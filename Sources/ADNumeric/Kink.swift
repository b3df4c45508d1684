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
    init(fx: Double, f1: Double, f2: Double, step h: Double, x: Double, epsilon: Double = eps) {
        let d2 = (-3 * fx + 4 * f1 - f2) / (2 * h)
        let d1 = (f1 - fx) / h
        value = d2
        truncation = abs(d2 - d1)
        roundoff = stencilRoundoff(
            weightedMagnitude: (3 * abs(fx) + 4 * abs(f1) + abs(f2)) / 2, step: h, x: x, derivative: d2, epsilon: epsilon)
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
    fx: Double, fm1: Double, fm2: Double, fp1: Double, fp2: Double, step h: Double, x: Double, epsilon: Double = eps
) -> EstimateStatus {
    let right = OneSided(fx: fx, f1: fp1, f2: fp2, step: h, x: x, epsilon: epsilon)
    let left = OneSided(fx: fx, f1: fm1, f2: fm2, step: -h, x: x, epsilon: epsilon)
    guard right.value.isFinite, left.value.isFinite, right.error.isFinite, left.error.isFinite else {
        return .ok
    }
    let gap = abs(right.value - left.value)
    let threshold = kinkSeparation * (left.error + right.error)
        + 64 * epsilon * Swift.max(abs(left.value), abs(right.value))
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

/// How far apart, in units of the sum of their error bars, a wide stencil's estimate and the
/// central difference at a small step may be before the wide stencil is not trusted.
let localSeparation = 10.0

/// Central differences at a step well below a wide stencil's (Richardson's tableau, the 5-point
/// rule): `D0(kh) = (f(x+kh) - f(x-kh)) / 2kh` for `k = 1, 2, 4`, which see f near x only.
///
/// Richardson's tableau starts at `0.1 max(|x|, 1)`, the 5-point rule reaches `8 eps^(1/5) max(|x|, 1)`:
/// a function that varies on a smaller scale, or has a kink within that reach, can give
/// differences that extrapolate consistently (and pass the asymptotic check) to a number that
/// is not `f'(x)`. `relu(w) - w + 0.75 x` with `w = 4 sin(8x + 4) + 2` at x = -2.9875 is
/// `0.75 x` at every point of Ridders' tableau, which converges to 0.75 with an error of 1e-14
/// where f' = -15.16; `tanh(64 tan(1152 x) + 72 x) + 0.75 x` at x = 2.1125 is exactly
/// `1 + 0.75 x` in double precision at every point of the tableau, while f' - 0.75 = 1.9e-7;
/// `tanh(tan(1024 (x + x²)))` aliases the 5-point stencil (see WideStencilTests).
struct LocalCentral {
    let step: Double
    let plus: [Double], minus: [Double]
    /// `D0(h)` and its error bar `|D0(2h) - D0(h)| / 3` plus round-off, as in `centralDifference`.
    let value: Double, bar: Double
    /// Why `D0(h), D0(2h), D0(4h)` are not in their asymptotic regime, if they are not.
    let violation: String?

    /// The samples at `min(central step, wide step / 8)`; nil when that step does not move x or
    /// a sample is not finite (`leftDomain` then says which).
    init?(
        _ f: (Double) throws -> Double, at x: Double, below wideStep: Double, _ log: inout EvaluationLog, leftDomain: inout Bool,
        epsilon: Double = eps
    ) {
        let h = representableStep(Swift.min(StepRule.central(at: x, epsilon: epsilon), wideStep / 8), at: x)
        guard h > 0, x + h != x, x - h != x else { return nil }
        guard let (plus, minus) = symmetricSamples(f, x, h, levels: 3, &log) else {
            leftDomain = true
            return nil
        }
        step = h
        self.plus = plus
        self.minus = minus
        let d1 = (plus[0] - minus[0]) / (2 * h), d2 = (plus[1] - minus[1]) / (4 * h), d4 = (plus[2] - minus[2]) / (8 * h)
        let round = stencilRoundoff(weightedMagnitude: (abs(plus[0]) + abs(minus[0])) / 2, step: h, x: x, derivative: d1, epsilon: epsilon)
        value = d1
        bar = abs(d2 - d1) / 3 + round
        violation = asymptoticViolation(d1, d2, d4, order: 2, roundoff: round, step: h)
    }

    /// How closely these differences pin f' down: their error bar, or when they are not in their
    /// asymptotic regime the spread of `D0(h), D0(2h), D0(4h)`.
    var resolution: Double {
        guard violation != nil else { return bar }
        let d2 = (plus[1] - minus[1]) / (4 * step), d4 = (plus[2] - minus[2]) / (8 * step)
        return Swift.max(abs(d2 - value), abs(d4 - d2))
    }

    /// Checks the wide estimate `e` against these differences, which must agree with it:
    /// - When they are not in their asymptotic regime (f is not smooth on the scale `4h`, or its
    ///   evaluation is noisier than 2 ulps), f is not smooth on the wide stencil's scale either,
    ///   whatever its samples say: `e`'s truncation error is raised to the spread of
    ///   `D0(h), D0(2h), D0(4h)`, and `e` is inconclusive if it is farther than `localSeparation`
    ///   times that spread plus its own error from `D0(h)`.
    /// - Otherwise `e` is inconclusive if it differs from `D0(h)` by more than `localSeparation`
    ///   times the sum of both error bars; when it differs by more than `D0(h)`'s own bar, its
    ///   truncation error is raised to that difference (the wide stencil cannot claim to be
    ///   closer to f' than its distance from a finer estimate that exceeds the finer one's error).
    func check(_ e: inout Estimate) {
        let gap = abs(e.value - value)
        let spread = violation == nil ? nil : resolution
        let bar = resolution
        if gap > localSeparation * (bar + e.error) {
            e.status = .inconclusive(
                reason: "the estimate \(e.value) ± \(e.error) at step \(e.step) disagrees with the central difference "
                    + "\(value) ± \(bar) at step \(step): f varies on a smaller scale than the wide steps, or has a kink within them"
                    + (violation.map { " (\($0))" } ?? ""))
            return
        }
        let floor = spread ?? (gap > self.bar ? gap : 0)
        if floor > e.truncationError {
            e.truncationError = floor
            e.error = e.truncationError + e.roundoffError
        }
    }
}
