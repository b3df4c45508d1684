// One entry point for every real-valued method, so callers can loop over `DifferenceMethod`.

/// The derivative of `f` at `x` by `method`, with that method's default step unless `step` is given.
///
/// `.complexStep` needs a complex closure: use `complexStepDerivative(of:at:step:estimateError:)`;
/// here it returns `.inconclusive`. `estimateError: false` only changes forward/backward
/// (the plain Domke loop, error `+infinity`); the other methods always estimate their error.
/// For `.richardson` `step` is the initial step; for the GSL methods it is GSL's initial step.
///
/// `epsilon` is the unit round-off of the precision f computes in (`Float.ulpOfOne` for a Float
/// function wrapped in a Double closure): it sets the default steps (`StepRule`) and every
/// round-off term, so a Float function gets steps that balance its own rounding and error bars
/// that include it. GSL's `abserr` assumes double precision whatever `epsilon` says; only its
/// default step, kink threshold and local check follow it (the comparison adds f's own
/// evaluation error for GSL, see `OracleTolerance.compare`).
///
/// `fx`: `f(x)` when the caller has it (it must be the value `f` returns at `x`); the stencils
/// that need `f(x)` then do not evaluate it again. GSL's rules never use it.
public func derivative(
    of f: (Double) throws -> Double, at x: Double, method: DifferenceMethod, step: Double? = nil,
    estimateError: Bool = true, epsilon: Double = .ulpOfOne, fx: Double? = nil
) -> Estimate {
    var log = EvaluationLog()
    return estimateDerivative(f, x, method: method, step: step, fx: fx, estimateError: estimateError, epsilon: epsilon, &log)
}

/// Shared by `derivative` and the gradient loops; `fx` is `f(x)` when the caller has it already.
func estimateDerivative(
    _ f: (Double) throws -> Double, _ x: Double, method: DifferenceMethod, step: Double?, fx: Double?,
    estimateError: Bool, epsilon: Double = eps, _ log: inout EvaluationLog
) -> Estimate {
    switch method {
    case .forward:
        return oneSidedDifference(f, x, sign: 1, step: step, fx: fx, estimateError: estimateError, epsilon: epsilon, &log)
    case .backward:
        return oneSidedDifference(f, x, sign: -1, step: step, fx: fx, estimateError: estimateError, epsilon: epsilon, &log)
    case .central:
        return central(f, x, step: step, fx: fx, epsilon: epsilon, &log)
    case .fivePoint:
        return fivePoint(f, x, step: step, fx: fx, epsilon: epsilon, &log)
    case .richardson:
        return richardson(f, x, initialStep: step, fx: fx, epsilon: epsilon, &log)
    case .fourPointCentral:
        return fourPointCentral(f, x, step: step, fx: fx, epsilon: epsilon, &log)
    case .gslCentral:
        return gslDerivative(of: f, at: x, rule: .central, step: step, epsilon: epsilon)
    case .gslForward:
        return gslDerivative(of: f, at: x, rule: .forward, step: step, epsilon: epsilon)
    case .gslBackward:
        return gslDerivative(of: f, at: x, rule: .backward, step: step, epsilon: epsilon)
    case .secondCentral, .secondRichardson:
        return .inconclusive(
            "\(method.rawValue) estimates a second derivative: use secondDifference(of:diagonal:at:method:)",
            method: method, step: .nan, evaluations: 0)
    case .complexStep:
        return .inconclusive(
            "the complex step needs a complex closure: use complexStepDerivative(of:at:)",
            method: .complexStep, step: .nan, evaluations: 0)
    }
}
