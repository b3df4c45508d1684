// GSL's numerical differentiation (gsl_deriv_central/forward/backward) called from Swift closures.
import CGSL

/// Which of GSL's three differentiation routines to call.
public enum GSLRule: String, Codable, Sendable, Hashable, CaseIterable {
    /// `gsl_deriv_central`: 5-point rule at `x±h, x±h/2`, error from the 3-point rule, one
    /// adaptive step `h_opt = h (round / 2 trunc)^(1/3)` when truncation dominates.
    case central
    /// `gsl_deriv_forward`: 4-point open rule at `x + h/4, h/2, 3h/4, h` (never evaluates `f(x)`),
    /// error from the 2-point rule, one adaptive step `h_opt = h (round / trunc)^(1/2)`.
    case forward
    /// `gsl_deriv_backward`: the forward rule with `-h`.
    case backward

    var method: DifferenceMethod {
        switch self {
        case .central: .gslCentral
        case .forward: .gslForward
        case .backward: .gslBackward
        }
    }
}

/// What one GSL call returned, unchanged, plus what the bridge observed.
public struct GSLDerivativeResult: Codable, Sendable, Hashable {
    /// GSL's `result`.
    public var value: Double
    /// GSL's `abserr` (its truncation plus round-off estimate).
    public var absoluteError: Double
    /// The step passed to GSL.
    public var initialStep: Double
    /// The step GSL's answer came from: `initialStep`, or GSL's optimised step when it kept the
    /// second trial (determined by recomputing GSL's first-trial formula from the recorded
    /// values; if that does not reproduce GSL's answer bit for bit, the optimised step).
    public var step: Double
    /// How many times GSL called the function (4 or 8 for GSL 2.x).
    public var evaluations: Int
    /// GSL's return code (`GSL_SUCCESS` = 0).
    public var status: Int32
    /// Set when the function threw (GSL then saw NaN from that call on) or a value was not finite.
    public var failure: String?

    /// True when GSL succeeded, nothing threw and the value and error are finite.
    public var isUsable: Bool {
        status == GSL_SUCCESS && failure == nil && value.isFinite && absoluteError.isFinite
    }
}

/// Direct calls of GSL's differentiation routines.
///
/// Re-entrant and safe from concurrent tasks: the closure travels to GSL's C callback through
/// `gsl_function.params` as a pointer to a stack-allocated context, never through a global.
/// GSL's default error handler (which calls `abort()`) is switched off once, thread-safely,
/// before the first call.
public enum GSLDerivative {
    /// Calls `gsl_deriv_central`, `gsl_deriv_forward` or `gsl_deriv_backward` on `f` at `x` with
    /// initial step `h`. Never throws and never aborts: a thrown error, a non-finite value or a GSL
    /// error code is reported in `failure` / `status`.
    public static func evaluate(
        _ rule: GSLRule, of f: (Double) throws -> Double, at x: Double, step h: Double
    ) -> GSLDerivativeResult {
        _ = GSLSetup.errorHandlerDisabled
        return withoutActuallyEscaping(f) { body in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * recordCapacity) { record in
                var context = BridgeContext(body: body, record: record)
                var result = Double.nan, abserr = Double.nan
                let status = withUnsafeMutablePointer(to: &context) { pointer -> Int32 in
                    var function = gsl_function(
                        function: { t, params in
                            // GSL passes back the pointer we gave it; nil would be a GSL bug.
                            guard let params else { return .nan }
                            return params.assumingMemoryBound(to: BridgeContext.self).pointee.call(t)
                        },
                        params: UnsafeMutableRawPointer(pointer))
                    switch rule {
                    case .central: return gsl_deriv_central(&function, x, h, &result, &abserr)
                    case .forward: return gsl_deriv_forward(&function, x, h, &result, &abserr)
                    case .backward: return gsl_deriv_backward(&function, x, h, &result, &abserr)
                    }
                }
                var failure = context.failure
                if failure == nil, status != GSL_SUCCESS {
                    failure = "GSL error \(status): " + (gsl_strerror(status).map { String(cString: $0) } ?? "?")
                }
                if failure == nil, !(result.isFinite && abserr.isFinite) {
                    failure = context.nonFiniteAt.map { "f(\($0)) is not finite" }
                        ?? "GSL returned result \(result), abserr \(abserr)"
                }
                return GSLDerivativeResult(
                    value: result, absoluteError: abserr, initialStep: h,
                    step: acceptedStep(rule, x: x, h: h, result: result, context: context),
                    evaluations: context.evaluations, status: status, failure: failure)
            }
        }
    }
}

/// GSL 2.x evaluates at most 8 points per call; record them to find the step GSL kept.
private let recordCapacity = 8

private enum GSLSetup {
    /// Swift runs a static stored property's initializer exactly once, thread-safely
    /// (swift_once), so this is the one place GSL's abort-on-error handler is switched off.
    static let errorHandlerDisabled: Bool = {
        _ = gsl_set_error_handler_off()
        return true
    }()
}

/// The per-call state the C callback reaches through `params`. Lives on the caller's stack.
private struct BridgeContext {
    let body: (Double) throws -> Double
    /// `record[i]` = abscissa of call i, `record[capacity + i]` = its value.
    let record: UnsafeMutableBufferPointer<Double>
    var evaluations = 0
    var failure: String?
    var nonFiniteAt: Double?

    init(body: @escaping (Double) throws -> Double, record: UnsafeMutableBufferPointer<Double>) {
        self.body = body
        self.record = record
    }

    mutating func call(_ t: Double) -> Double {
        // After a throw every further point is NaN: GSL's answer is then NaN and we report why.
        guard failure == nil else { return .nan }
        let y: Double
        do {
            y = try body(t)
        } catch {
            failure = "the function threw at x = \(t): \(error)"
            y = .nan
        }
        if !y.isFinite, nonFiniteAt == nil { nonFiniteAt = t }
        if evaluations < recordCapacity {
            record[evaluations] = t
            record[recordCapacity + evaluations] = y
        }
        evaluations += 1
        return y
    }
}

/// The step GSL's returned value belongs to. GSL tries `h`, and if truncation dominated, one
/// optimised step; it keeps the second only if it is better. We recompute the first trial's
/// formula exactly as deriv.c writes it: if it reproduces `result`, the step was `h`.
private func acceptedStep(_ rule: GSLRule, x: Double, h: Double, result: Double, context: BridgeContext) -> Double {
    let n = context.evaluations
    guard n >= 8, n <= recordCapacity else { return h }
    let y = { (i: Int) in context.record[recordCapacity + i] }
    let t = { (i: Int) in context.record[i] }
    switch rule {
    case .central:
        // Order in deriv.c: x-h, x+h, x-h/2, x+h/2.
        let r3 = 0.5 * (y(1) - y(0))
        let r5 = (4.0 / 3.0) * (y(3) - y(2)) - (1.0 / 3.0) * r3
        if r5 / h == result { return h }
        return (t(5) - t(4)) / 2
    case .forward, .backward:
        // Order in deriv.c: x+h/4, x+h/2, x+3h/4, x+h (h negated for backward).
        let s = rule == .forward ? h : -h
        let r4 = (22.0 / 3.0) * (y(3) - y(2)) - (62.0 / 3.0) * (y(2) - y(1)) + (52.0 / 3.0) * (y(1) - y(0))
        if r4 / s == result { return h }
        return abs(t(7) - x)
    }
}

/// GSL's derivative as an `Estimate`, with domain fallback and, for the central rule, a kink check.
///
/// ```
/// value = GSL result,   error = GSL abserr   (reported as truncationError; roundoffError = 0)
/// default h: central cbrt(eps) * max(|x|, 1); forward/backward sqrt(eps) * max(|x|, 1)
/// ```
/// - Domain: when GSL's answer is not finite, the step is divided by 8 (up to 12 times); then
///   the one-sided rules on the finite side are tried (forward first); otherwise inconclusive.
/// - Kinks (central only): GSL's forward and backward derivatives at the one-sided step are
///   compared; when `|R - L| > 4 (abserr_R + abserr_L)` the status is `.kink`. This keeps the
///   GSL oracle free of ADNumeric's own stencils. Costs up to 16 more evaluations.
/// - Aliasing (central only): the result is checked against central differences at an eighth of
///   GSL's step (`LocalCentral`): inconclusive when they disagree, its error raised to their
///   difference or spread otherwise. (This one check is ADNumeric's own, not GSL's.)
/// Cost: 4-8 evaluations per GSL call; central with kink check and aliasing check 18-30.
public func gslDerivative(
    of f: (Double) throws -> Double, at x: Double, rule: GSLRule = .central, step: Double? = nil, epsilon: Double = .ulpOfOne
) -> Estimate {
    let method = rule.method
    let defaultStep = rule == .central ? StepRule.central(at: x, epsilon: epsilon) : StepRule.oneSided(at: x, epsilon: epsilon)
    guard let h = checkedStep(step, default: defaultStep, at: x) else { return invalidStep(step, x, method) }
    var evaluations = 0
    var lastFailure: String?
    func estimate(_ r: GSLDerivativeResult, _ m: DifferenceMethod, note: String?) -> Estimate {
        Estimate(
            value: r.value, truncationError: r.absoluteError, roundoffError: 0, step: r.step,
            evaluations: evaluations, method: m, note: note)
    }
    func attempt(_ rule: GSLRule, _ h: Double) -> GSLDerivativeResult? {
        let r = GSLDerivative.evaluate(rule, of: f, at: x, step: h)
        evaluations += r.evaluations
        if !r.isUsable { lastFailure = r.failure }
        return r.isUsable ? r : nil
    }

    var found: Estimate?
    if let r = attempt(rule, h) {
        found = estimate(r, method, note: nil)
    } else {
        var hs = h
        for _ in 0..<maxStepReductions where found == nil {
            hs /= 8
            guard x + hs != x, x - hs != x else { break }
            if let r = attempt(rule, representableStep(hs, at: x)) {
                found = estimate(r, method, note: "step reduced from \(h) to \(r.initialStep): GSL's stencil left the function's domain")
            }
        }
        let sides: [GSLRule] = rule == .central ? [.forward, .backward] : [rule == .forward ? .backward : .forward]
        for side in sides where found == nil {
            var hs = rule == .central ? StepRule.oneSided(at: x, epsilon: epsilon) : h
            for _ in 0..<maxStepReductions where found == nil {
                guard x + hs != x else { break }
                if let r = attempt(side, representableStep(hs, at: x)) {
                    found = estimate(r, side.method, note: "GSL \(side.rawValue) fallback at step \(r.initialStep): the \(rule.rawValue) rule left the function's domain")
                }
                hs /= 8
            }
        }
    }
    guard var result = found else {
        return .inconclusive(
            lastFailure.map { "GSL: \($0)" } ?? "GSL found no finite stencil near x = \(x)",
            method: method, step: h, evaluations: evaluations)
    }
    if rule == .central, result.method == .gslCentral {
        // GSL's central rule at |x| returns exactly 0 with abserr 0: ask its one-sided rules.
        let hs = representableStep(StepRule.oneSided(at: x, epsilon: epsilon), at: x)
        if let right = attempt(.forward, hs), let left = attempt(.backward, hs) {
            let gap = abs(right.value - left.value)
            let bars = right.absoluteError + left.absoluteError
            if gap > kinkSeparation * bars + 64 * epsilon * Swift.max(abs(left.value), abs(right.value)) {
                result.status = .kink(
                    left: left.value, leftError: left.absoluteError, right: right.value, rightError: right.absoluteError)
            }
        }
        result.evaluations = evaluations
    }
    // GSL's rule aliases a function that oscillates with a period below its step as the central
    // difference does (its error estimate compares two rules on the same points): check it
    // against ADNumeric's central differences at an eighth of its step (`LocalCentral`).
    if result.status.isOK, result.method == .gslCentral {
        var log = EvaluationLog()
        var leftDomain = false
        if let local = LocalCentral(f, at: x, below: result.step, &log, leftDomain: &leftDomain, epsilon: epsilon) { local.check(&result) }
        evaluations += log.count
        result.evaluations = evaluations
    }
    return result
}

/// The version of the GSL library linked at run time (e.g. `"2.7.1"`), for reports.
public let gslVersion: String = adverify_gsl_version().map { String(cString: $0) } ?? "unknown"
