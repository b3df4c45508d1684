// The complex-step derivative: no subtraction, so no cancellation, so a tiny step.
import Numerics

/// The complex-step derivative of a function that is analytic near the real point `x`.
///
/// ```
/// D(h) = Im f(x + ih) / h,        h = 1e-20 * max(|x|, 1e-150)
/// D(h) = f'(x) - h^2 f'''(x) / 6 + O(h^4)
/// error ≈ (9/8) |D(3h) - D(h)| + 2 eps |D(h)|
/// ```
/// `|D(3h) - D(h)| = 8 h^2 |f'''| / 6` estimates the truncation; because `3h` is not a power of
/// two apart from `h` the two evaluations round differently, so the same difference also shows
/// round-off from cancellation inside `f` (e.g. `x - sin(x)` near 0), and it exposes a function
/// that is not real on the real axis (`log` at `x < 0` gives `Im ≈ π`, `D(h) ≈ π / h`).
///
/// Domain: `f` analytic at `x` and real for real arguments. The caller refuses non-analytic
/// functions (`abs`, `max`, `relu`) by throwing; the result is then `.inconclusive` with the
/// error's description. Non-finite values give `.inconclusive` too: there is no stencil to move.
/// Cost: 2 complex evaluations (1 with `estimateError: false`, which reports `error = +infinity`).
///
/// See also: Squire & Trapp (1998); Martins, Sturdza & Alonso (2003).
public func complexStepDerivative(
    of f: (Complex<Double>) throws -> Complex<Double>, at x: Double, step: Double? = nil,
    estimateError: Bool = true
) -> Estimate {
    let h = step ?? StepRule.complexStep(at: x)
    guard h.isFinite, h > 0 else {
        return .inconclusive("complex step \(h) is not positive and finite", method: .complexStep, step: h, evaluations: 0)
    }
    var evaluations = 0
    func imaginaryQuotient(_ s: Double) -> Result<Double, NonFiniteCenter> {
        evaluations += 1
        do {
            let z = try f(Complex(x, s))
            let d = z.imaginary / s
            guard d.isFinite else {
                return .failure(NonFiniteCenter(reason: "Im f(x + ih) / h = \(d) at x = \(x), h = \(s) is not finite"))
            }
            return .success(d)
        } catch {
            return .failure(NonFiniteCenter(reason: "the function threw: \(error)"))
        }
    }
    let d1: Double
    switch imaginaryQuotient(h) {
    case .success(let d): d1 = d
    case .failure(let e): return .inconclusive(e.reason, method: .complexStep, step: h, evaluations: evaluations)
    }
    let round = ulpsPerEvaluation * eps * abs(d1)
    guard estimateError else {
        return Estimate(
            value: d1, truncationError: .infinity, roundoffError: round, step: h, evaluations: evaluations,
            method: .complexStep, note: "no error estimate requested")
    }
    let d3: Double
    switch imaginaryQuotient(3 * h) {
    case .success(let d): d3 = d
    case .failure(let e): return .inconclusive(e.reason, method: .complexStep, step: h, evaluations: evaluations)
    }
    let spread = abs(d3 - d1)
    return Estimate(
        value: d1, truncationError: spread / 8, roundoffError: round + spread, step: h,
        evaluations: evaluations, method: .complexStep)
}
