// Differentiable Swift for the tests: numerically stable rules with their own @derivative (which
// must pass), planted bugs in registered derivatives (which must fail), and a small model.
#if canImport(_Differentiation)
import _Differentiation
import ADCheck
import Foundation

// MARK: Correct rules

/// `softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^-|x|)`: never overflows.
func softplus(_ x: Double) -> Double { max(x, 0) + log1p(exp(-abs(x))) }

/// `σ(x) = 1 / (1 + e^-x)`, stable on both sides: `e^x / (1 + e^x)` for `x < 0`.
func sigmoid(_ x: Double) -> Double { x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)) }

/// `softplus' = σ`.
@derivative(of: softplus)
func softplusVJP(_ x: Double) -> (value: Double, pullback: (Double) -> Double) {
    let s = sigmoid(x)
    return (softplus(x), { v in v * s })
}

func softplusF(_ x: Float) -> Float { max(x, 0) + log1p(exp(-abs(x))) }
func sigmoidF(_ x: Float) -> Float { x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)) }

@derivative(of: softplusF)
func softplusFVJP(_ x: Float) -> (value: Float, pullback: (Float) -> Float) {
    let s = sigmoidF(x)
    return (softplusF(x), { v in v * s })
}

/// `stableLogSumExp(x) = m + log Σ e^(x_i - m)`, `m = max x_i`: no overflow at large x.
func stableLogSumExp(_ x: [Double]) -> Double {
    let m = x.max() ?? 0
    return m + log(x.reduce(0) { $0 + exp($1 - m) })
}

/// `∂/∂x_i stableLogSumExp = stableSoftmax(x)_i = e^(x_i - lse)`.
@derivative(of: stableLogSumExp)
func stableLogSumExpVJP(_ x: [Double]) -> (value: Double, pullback: (Double) -> [Double].TangentVector) {
    let lse = stableLogSumExp(x)
    let softmax = x.map { exp($0 - lse) }
    return (lse, { v in .init(softmax.map { v * $0 }) })
}

func logSumExpF(_ x: [Float]) -> Float {
    let m = x.max() ?? 0
    return m + log(x.reduce(0) { $0 + exp($1 - m) })
}

@derivative(of: logSumExpF)
func logSumExpFVJP(_ x: [Float]) -> (value: Float, pullback: (Float) -> [Float].TangentVector) {
    let lse = logSumExpF(x)
    let softmax = x.map { exp($0 - lse) }
    return (lse, { v in .init(softmax.map { v * $0 }) })
}

/// `logAddExp(a, b) = log(e^a + e^b) = max(a, b) + log1p(e^-|a - b|)`; `∂/∂a = σ(a - b)`.
func logAddExp(_ a: Double, _ b: Double) -> Double { max(a, b) + log1p(exp(-abs(a - b))) }

@derivative(of: logAddExp)
func logAddExpVJP(_ a: Double, _ b: Double) -> (value: Double, pullback: (Double) -> (Double, Double)) {
    let s = sigmoid(a - b)
    return (logAddExp(a, b), { v in (v * s, v * (1 - s)) })
}

/// `stableSoftmax(x)_i = e^(x_i - m) / Σ e^(x_j - m)`, a vector result; pullback
/// `∂L/∂x = s ⊙ (v - ⟨v, s⟩)`.
func stableSoftmax(_ x: [Double]) -> [Double] {
    let m = x.max() ?? 0
    let e = x.map { exp($0 - m) }
    let total = e.reduce(0, +)
    return e.map { $0 / total }
}

@derivative(of: stableSoftmax)
func stableSoftmaxVJP(_ x: [Double]) -> (value: [Double], pullback: ([Double].TangentVector) -> [Double].TangentVector) {
    let s = stableSoftmax(x)
    return (s, { v in
        let vs = zip(v.base, s).reduce(0) { $0 + $1.0 * $1.1 }
        return .init(zip(v.base, s).map { ($0 - vs) * $1 })
    })
}

// MARK: Planted bugs

/// `sin(2x)`, whose derivative drops the chain rule's factor 2: `cos(2x)`.
func sin2x(_ x: Double) -> Double { sin(2 * x) }

func sin2xMissingFactor(_ x: Double) -> (value: Double, pullback: (Double) -> Double) {
    let c = cos(2 * x)
    return (sin(2 * x), { v in v * c })
}

/// softplus' rounded to 1 above 15, while the value is still computed exactly: `1 - σ(x) =
/// σ(-x) ≈ e^-x`, 3e-7 at 15, is dropped (Float cannot see it beyond about 16.6, Double can).
func softplusDroppedTerm(_ x: Double) -> (value: Double, pullback: (Double) -> Double) {
    let s = x > 15 ? 1 : sigmoid(x)
    return (softplus(x), { v in v * s })
}

/// A pullback that returns σ(x) whatever its cotangent: right at v = 1 only.
func softplusConstantPullback(_ x: Double) -> (value: Double, pullback: (Double) -> Double) {
    let s = sigmoid(x)
    return (softplus(x), { _ in s })
}

/// A pullback that scales by its cotangent squared: right at v = ±1 only.
func softplusSquaredCotangent(_ x: Double) -> (value: Double, pullback: (Double) -> Double) {
    let s = sigmoid(x)
    return (softplus(x), { v in v * v * s })
}

/// `logAddExp`'s derivative that forgets the second argument: `(v σ(a - b), 0)`.
func logAddExpIgnoresB(_ a: Double, _ b: Double) -> (value: Double, pullback: (Double) -> (Double, Double)) {
    let s = sigmoid(a - b)
    return (logAddExp(a, b), { v in (v * s, 0) })
}

/// softplus whose derivative's value is computed in Float: off by about 1e-8 relative.
func softplusFloatValue(_ x: Double) -> (value: Double, pullback: (Double) -> Double) {
    let s = sigmoid(x)
    return (Double(Float(softplus(x))), { v in v * s })
}

/// softmax whose pullback forgets the `- ⟨v, s⟩` term (right only when Σ v_i = 0).
func stableSoftmaxDroppedTerm(_ x: [Double]) -> (value: [Double], pullback: ([Double].TangentVector) -> [Double].TangentVector) {
    let s = stableSoftmax(x)
    return (s, { v in .init(zip(v.base, s).map { $0 * $1 }) })
}

/// `softplus(2x)` registered with a derivative that drops the inner factor 2: every
/// differentiable function that calls it inherits the slip.
func softplusOfDouble(_ x: Double) -> Double { softplus(2 * x) }

@derivative(of: softplusOfDouble)
func softplusOfDoubleVJP(_ x: Double) -> (value: Double, pullback: (Double) -> Double) {
    let s = sigmoid(2 * x)
    return (softplus(2 * x), { v in v * s })
}

// MARK: A model

/// Logistic regression, `p = σ(w·x + b)`, with the binary cross-entropy written through
/// softplus: `L = Σ softplus(z) - y z` over a batch.
struct Logistic: Differentiable {
    var w: [Double]
    var b: Double

    @differentiable(reverse)
    func loss(_ xs: [[Double]], _ ys: [Double]) -> Double {
        var total = 0.0
        for k in withoutDerivative(at: xs.indices) {
            var z = b
            for j in withoutDerivative(at: w.indices) { z = z + w[j] * xs[k][j] }
            total = total + softplus(z) - ys[k] * z
        }
        return total
    }
}

extension Logistic: CheckableDifferentiable {
    func flatValues(of t: TangentVector) -> [Double] { w.flatValues(of: t.w) + [t.b] }
    func tangentVector(flatValues v: [Double]) -> TangentVector {
        TangentVector(w: w.tangentVector(flatValues: Array(v[..<w.count])), b: v[w.count])
    }
}

/// Seeded random numbers of magnitude 0.5 to 1.5 and random signs, scaled.
func randomValues(_ n: Int, seed: UInt64, scale: Double = 1) -> [Double] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1
    return (0..<n).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let u = Double(state >> 11) * 0x1p-53
        return scale * ((state >> 7) & 1 == 0 ? 0.5 + u : -(0.5 + u))
    }
}
#endif
