// Two models as a Swift ML user writes them: `Differentiable` structs whose loss Swift
// differentiates, calling the activations' registered derivatives.
import _Differentiation

/// Logistic regression, `p(y = 1 | x) = σ(w·x + b)`, trained with the binary cross-entropy on
/// logits, `L = mean_k softplus(z_k) − y_k z_k` (the stable form of `−y log p − (1 − y) log(1 − p)`).
public struct LogisticRegression: Differentiable, Sendable {
    public var w: [Double]
    public var b: Double

    public init(w: [Double], b: Double) {
        self.w = w
        self.b = b
    }

    /// The logit `w·x + b` of one sample.
    @differentiable(reverse)
    public func logit(_ x: [Double]) -> Double {
        var z = b
        for j in withoutDerivative(at: w.indices) { z = z + w[j] * x[j] }
        return z
    }

    /// The mean binary cross-entropy over a batch (`ys` are 0 or 1).
    @differentiable(reverse)
    public func loss(_ xs: [[Double]], _ ys: [Double]) -> Double {
        var total = 0.0
        for k in withoutDerivative(at: xs.indices) {
            let z = logit(xs[k])
            total = total + softplus(z) - ys[k] * z
        }
        return total / Double(withoutDerivative(at: xs.count))
    }

    /// The same loss through `softplusWithSlip`, whose registered derivative is wrong for z < 0.
    @differentiable(reverse)
    public func lossWithSlip(_ xs: [[Double]], _ ys: [Double]) -> Double {
        var total = 0.0
        for k in withoutDerivative(at: xs.indices) {
            let z = logit(xs[k])
            total = total + softplusWithSlip(z) - ys[k] * z
        }
        return total / Double(withoutDerivative(at: xs.count))
    }
}

/// Softmax regression over three classes, `logits = W x + b`, with the cross-entropy
/// `L = logSumExp(logits) − logits[y]` (through `logSumExp`'s registered derivative).
public struct SoftmaxRegression: Differentiable, Sendable {
    /// Rows of weights, one per class.
    public var w0: [Double], w1: [Double], w2: [Double]
    public var b: [Double]

    public init(w0: [Double], w1: [Double], w2: [Double], b: [Double]) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.b = b
    }

    @differentiable(reverse)
    static func dot(_ w: [Double], _ x: [Double]) -> Double {
        var s = 0.0
        for j in withoutDerivative(at: w.indices) { s = s + w[j] * x[j] }
        return s
    }

    /// The cross-entropy of one sample of class `y` (0, 1 or 2).
    @differentiable(reverse)
    public func loss(_ x: [Double], _ y: Int) -> Double {
        let logits = [Self.dot(w0, x) + b[0], Self.dot(w1, x) + b[1], Self.dot(w2, x) + b[2]]
        return logSumExp(logits) - logits[y]
    }
}
