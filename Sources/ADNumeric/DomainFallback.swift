// What a stencil does when it steps outside the function's domain (log near 0, sqrt of a negative).

/// What one attempt of a stencil at a given (representable) step produced.
enum Attempt {
    case estimate(Estimate)
    /// A stencil value was not finite: the stencil left the domain.
    case nonFinite
    /// The differences between the stencil at h, 2h, 4h do not shrink like h^p: the step is too
    /// large for the scale on which f varies (or f oscillates across the stencil).
    case notAsymptotic(String)
}

typealias StencilAttempt = (_ step: Double, _ log: inout EvaluationLog) -> Attempt

/// Checks that a stencil of order `p` is in its asymptotic regime at step h.
///
/// ```
/// e1 = |D(2h) - D(h)|,  e2 = |D(4h) - D(2h)|,   asymptotically e2 / e1 = 2^p
/// ```
/// Only checked when the differences stand out of round-off (`max(e1, e2) > 8 r`); a ratio
/// outside `[2^p / 2, 2^p * 2]` means the error estimate from `e1` cannot be trusted (e.g.
/// `sin` at `x = 1e5` with a step relative to `|x|` aliases, and `D(h)`, `D(2h)` are both
/// tiny and close while the derivative is 1). Returns the reason, or nil when fine.
func asymptoticViolation(_ d1: Double, _ d2: Double, _ d4: Double, order p: Double, roundoff r: Double, step h: Double) -> String? {
    let e1 = abs(d2 - d1), e2 = abs(d4 - d2)
    guard Swift.max(e1, e2) > 8 * r else { return nil }
    let expected = Double(sign: .plus, exponent: Int(p), significand: 1)
    let ratio = e2 / e1
    if ratio >= expected / 2, ratio <= expected * 2 { return nil }
    return "at step \(h) the estimates D(h), D(2h), D(4h) = \(d1), \(d2), \(d4) do not converge like h^\(Int(p)): "
        + "the step is too large for the scale on which f varies"
}

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
    method: DifferenceMethod, epsilon: Double = eps, log: inout EvaluationLog, attempt: StencilAttempt
) -> Estimate {
    var lastProblem: Attempt
    switch attempt(h, &log) {
    case .estimate(var e):
        e.evaluations = log.count
        return e
    case let problem: lastProblem = problem
    }
    var hs = abs(h)
    for _ in 0..<maxStepReductions {
        hs /= 8
        guard x + hs != x, x - hs != x else { break }
        let step = representableStep(hs, at: x)
        switch attempt(step, &log) {
        case .estimate(var e):
            e.evaluations = log.count
            let why: String
            if case .notAsymptotic = lastProblem {
                why = "the stencil at the larger step was not in its asymptotic regime"
            } else {
                why = "the stencil left the function's domain"
            }
            e.note = "step reduced from \(abs(h)) to \(step): \(why)"
            return e
        case let problem: lastProblem = problem
        }
    }
    if case .notAsymptotic(let reason) = lastProblem {
        // The domain was fine; a one-sided rule would not converge either.
        return .inconclusive(reason, method: method, step: abs(h), evaluations: log.count)
    }
    for side in [1.0, -1.0] {
        var hs = abs(h) / 8
        for _ in 0..<maxStepReductions {
            guard x + side * hs != x else { break }
            let step = representableStep(side * hs, at: x)
            let f1 = sample(f, x + step, &log)
            let f2 = f1.isFinite ? sample(f, x + 2 * step, &log) : .nan
            if f1.isFinite, f2.isFinite {
                let o = OneSided(fx: fx, f1: f1, f2: f2, step: step, x: x, epsilon: epsilon)
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
