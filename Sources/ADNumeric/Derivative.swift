// One entry point for every real-valued method, so callers can loop over `DifferenceMethod`.

/// The derivative of `f` at `x` by `method`, with that method's default step unless `step` is given.
///
/// `.complexStep` needs a complex closure: use `complexStepDerivative(of:at:step:estimateError:)`;
/// here it returns `.inconclusive`. `estimateError: false` only changes forward/backward
/// (the plain Domke loop, error `+infinity`); the other methods always estimate their error.
/// For `.richardson` `step` is the initial step; for the GSL methods it is GSL's initial step.
public func derivative(
    of f: (Double) throws -> Double, at x: Double, method: DifferenceMethod, step: Double? = nil,
    estimateError: Bool = true
) -> Estimate {
    var log = EvaluationLog()
    return estimateDerivative(f, x, method: method, step: step, fx: nil, estimateError: estimateError, &log)
}

/// Shared by `derivative` and the gradient loops; `fx` is `f(x)` when the caller has it already.
func estimateDerivative(
    _ f: (Double) throws -> Double, _ x: Double, method: DifferenceMethod, step: Double?, fx: Double?,
    estimateError: Bool, _ log: inout EvaluationLog
) -> Estimate {
    switch method {
    case .forward:
        return oneSidedDifference(f, x, sign: 1, step: step, fx: fx, estimateError: estimateError, &log)
    case .backward:
        return oneSidedDifference(f, x, sign: -1, step: step, fx: fx, estimateError: estimateError, &log)
    case .central:
        return central(f, x, step: step, fx: fx, &log)
    case .fivePoint:
        return fivePoint(f, x, step: step, fx: fx, &log)
    case .richardson:
        return richardson(f, x, initialStep: step, fx: fx, &log)
    case .gslCentral:
        return gslDerivative(of: f, at: x, rule: .central, step: step)
    case .gslForward:
        return gslDerivative(of: f, at: x, rule: .forward, step: step)
    case .gslBackward:
        return gslDerivative(of: f, at: x, rule: .backward, step: step)
    case .complexStep:
        return .inconclusive(
            "the complex step needs a complex closure: use complexStepDerivative(of:at:)",
            method: .complexStep, step: .nan, evaluations: 0)
    }
}
