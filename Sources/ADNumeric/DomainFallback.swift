// What a stencil does when it steps outside the function's domain (log near 0, sqrt of a negative).

/// One attempt of a stencil at a given (representable) step; `nil` when a value was not finite.
typealias StencilAttempt = (_ step: Double, _ log: inout EvaluationLog) -> Estimate?

/// At most this many step reductions by 8 (a factor of 6.9e10 in all) before giving up on a
/// symmetric stencil; each costs the stencil's evaluations again.
let maxStepReductions = 12

/// Runs `attempt` at `h`; when a value is not finite, first retries at `h/8, h/64, ...` (a domain
/// edge closer than `2h` to `x` is usually farther than a smaller step), then falls back to the
/// second-order one-sided rule on whichever side is finite, again with shrinking steps.
/// If nothing finite remains the result is inconclusive with that reason.
///
/// `fx = f(x)` must be finite (the callers check it: without it there is no derivative).
func withDomainFallback(
    of f: (Double) throws -> Double, at x: Double, fx: Double, step h: Double,
    method: DifferenceMethod, log: inout EvaluationLog, attempt: StencilAttempt
) -> Estimate {
    if var e = attempt(h, &log) {
        e.evaluations = log.count
        return e
    }
    var hs = abs(h)
    for _ in 0..<maxStepReductions {
        hs /= 8
        guard x + hs != x, x - hs != x else { break }
        let step = representableStep(hs, at: x)
        if var e = attempt(step, &log) {
            e.evaluations = log.count
            e.note = "step reduced from \(abs(h)) to \(step): the stencil left the function's domain"
            return e
        }
    }
    for side in [1.0, -1.0] {
        var hs = abs(h) / 8
        for _ in 0..<maxStepReductions {
            guard x + side * hs != x else { break }
            let step = representableStep(side * hs, at: x)
            let f1 = sample(f, x + step, &log)
            let f2 = f1.isFinite ? sample(f, x + 2 * step, &log) : .nan
            if f1.isFinite, f2.isFinite {
                let o = OneSided(fx: fx, f1: f1, f2: f2, step: step, x: x)
                return Estimate(
                    value: o.value, truncationError: o.truncation, roundoffError: o.roundoff,
                    step: abs(step), evaluations: log.count, method: method,
                    note: "\(side > 0 ? "right" : "left") one-sided fallback at step \(abs(step)): "
                        + "the \(method.rawValue) stencil at step \(abs(h)) left the function's domain")
            }
            hs /= 8
        }
    }
    return .inconclusive(
        log.failureReason
            ?? "no finite stencil: f is not finite on either side of x = \(x) for steps from \(abs(h)) down",
        method: method, step: abs(h), evaluations: log.count)
}

/// Evaluates `f(x)` unless the caller already has it; `nil` (with the reason) when not finite.
func centerValue(
    _ f: (Double) throws -> Double, _ x: Double, known: Double?, _ log: inout EvaluationLog
) -> Result<Double, NonFiniteCenter> {
    let fx = known ?? sample(f, x, &log)
    guard fx.isFinite else {
        return .failure(NonFiniteCenter(reason: log.failureReason ?? "f(x) = \(fx) at x = \(x) is not finite"))
    }
    return .success(fx)
}

struct NonFiniteCenter: Error { var reason: String }
