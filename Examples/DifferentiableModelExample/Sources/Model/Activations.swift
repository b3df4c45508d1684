// Numerically stable activations with their own derivatives, as a model's code registers them.
import Foundation
import _Differentiation

/// `σ(x) = 1 / (1 + e^-x)`, written so that `e^x` never overflows: `e^x / (1 + e^x)` for `x < 0`.
public func sigmoid(_ x: Double) -> Double {
    x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
}

/// `softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^-|x|)`: finite for every finite `x`
/// (the naive form overflows above 709). Its derivative is registered below.
public func softplus(_ x: Double) -> Double {
    max(x, 0) + log1p(exp(-abs(x)))
}

/// `softplus'(x) = σ(x)`. Swift's AD uses this instead of differentiating `max` and `abs`.
@derivative(of: softplus)
public func softplusVJP(_ x: Double) -> (value: Double, pullback: (Double) -> Double) {
    let s = sigmoid(x)
    return (softplus(x), { v in v * s })
}

/// `logSumExp(x) = m + log Σ e^(x_i − m)`, `m = max x_i`: no overflow for large logits.
public func logSumExp(_ x: [Double]) -> Double {
    let m = x.max() ?? 0
    return m + log(x.reduce(0) { $0 + exp($1 - m) })
}

/// `∂ logSumExp / ∂x_i = softmax(x)_i = e^(x_i − logSumExp(x))`.
@derivative(of: logSumExp)
public func logSumExpVJP(_ x: [Double]) -> (value: Double, pullback: (Double) -> [Double].TangentVector) {
    let lse = logSumExp(x)
    let softmax = x.map { exp($0 - lse) }
    return (lse, { v in .init(softmax.map { v * $0 }) })
}

/// The same softplus, whose registered derivative has the slip the example's tests must catch:
/// for `x < 0` the stable `σ(x) = e^x / (1 + e^x)` is written `e^x` (right only far below 0).
public func softplusWithSlip(_ x: Double) -> Double {
    max(x, 0) + log1p(exp(-abs(x)))
}

@derivative(of: softplusWithSlip)
public func softplusWithSlipVJP(_ x: Double) -> (value: Double, pullback: (Double) -> Double) {
    let s = x >= 0 ? 1 / (1 + exp(-x)) : exp(x)
    return (softplusWithSlip(x), { v in v * s })
}
