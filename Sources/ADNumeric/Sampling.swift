// Internal helpers shared by the stencils: counted, error-catching evaluation and exact steps.

/// Unit round-off used in every round-off term: `Double.ulpOfOne`, 2^-52.
let eps = Double.ulpOfOne

/// How many ulps of error we assume in one evaluation of the user's function.
/// Library functions (exp, sin, pow) are within 1 ulp; a composite expression of a few of them
/// is usually within 2. Larger errors are what the comparison's safety factor is for.
let ulpsPerEvaluation = 2.0

/// Counts evaluations and remembers the first error a function threw.
struct EvaluationLog {
    var count = 0
    var failure: String?

    /// A note for an inconclusive result when the function threw.
    var failureReason: String? { failure.map { "the function threw: \($0)" } }
}

/// Evaluates `f(t)`, counting the call; a thrown error is recorded and becomes NaN, so every
/// stencil treats it like a point outside the function's domain.
@inline(__always)
func sample(_ f: (Double) throws -> Double, _ t: Double, _ log: inout EvaluationLog) -> Double {
    log.count += 1
    do {
        return try f(t)
    } catch {
        if log.failure == nil { log.failure = String(describing: error) }
        return .nan
    }
}

/// `h` adjusted so that `x + h` is exactly representable and `(x + h) - x == h`.
///
/// Without this the stencil's abscissae differ from `x ± h` by up to half an ulp of `x`, an error
/// of `eps * |x| / h` relative to the derivative that no step choice removes.
/// Multiples `2h`, `4h` are then exact too unless `x + kh` crosses a power of two; the round-off
/// terms include `eps * |x| / h * |f'|` for that case.
@inline(__always)
func representableStep(_ h: Double, at x: Double) -> Double {
    let r = (x + h) - x
    return r != 0 && r.isFinite ? r : h
}

/// The scale `max(|x|, 1)` the standard step rules are relative to: relative to `|x|` for large
/// arguments (so `x + h != x`), absolute near zero (so `h` does not vanish at `x = 0`).
@inline(__always)
func stepScale(_ x: Double) -> Double { Swift.max(abs(x), 1) }

/// Round-off of a stencil: `ulpsPerEvaluation * eps * sum|c_i f_i| / |h|` plus the
/// abscissa term `eps * |x| / |h| * |d|`, with `eps` the unit round-off of the precision f is
/// computed in (`epsilon`: `Double.ulpOfOne` unless f is a Float function seen through Double).
@inline(__always)
func stencilRoundoff(weightedMagnitude: Double, step h: Double, x: Double, derivative d: Double, epsilon: Double = eps) -> Double {
    ulpsPerEvaluation * epsilon * weightedMagnitude / abs(h) + epsilon * abs(x) / abs(h) * abs(d)
}
