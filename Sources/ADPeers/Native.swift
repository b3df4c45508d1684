// Plain Swift peers: each function as a plain loop (the practical limit of a primal) and its
// gradient by a hand-written adjoint (the practical limit of a gradient).
#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// sum-sin-exp, f(x) = sum_{i=0}^{n-2} [sin(x_i) x_{i+1} + exp(x_i / n)] with n = x.count >= 2,
/// written in plain Swift.
public enum NativeSumSinExp {
    /// The function as a plain Swift loop over the array (the practical limit of a primal).
    public static func value(_ x: [Double]) -> Double {
        let n = x.count
        precondition(n >= 2, "sum-sin-exp needs at least 2 inputs, got \(n)")
        let dn = Double(n)
        return x.withUnsafeBufferPointer { p in
            var f = 0.0
            for i in 0..<(n - 1) {
                f += sin(p[i]) * p[i + 1] + exp(p[i] / dn)
            }
            return f
        }
    }

    /// Value and gradient by a hand-written adjoint (one forward loop, one backward loop, no tape),
    /// writing the gradient into `g` (count n, reused across calls, no allocation per call).
    ///
    /// `g` is resized (one allocation) only when its count is not `x.count`. The forward loop
    /// computes the value and keeps what the backward loop would otherwise recompute in `g`
    /// itself: sin(x_i), the whole partial of term i with respect to x_{i+1}, and exp(x_i / n) / n,
    /// the exp part of its partial with respect to x_i. The backward loop adds the remaining
    /// partial cos(x_i) x_{i+1} with the adjoint of f seeded to 1. So each of sin, exp and cos is
    /// evaluated once per element, as a reverse sweep over stored intermediates would.
    public static func valueAndGradient(_ x: [Double], into g: inout [Double]) -> Double {
        let n = x.count
        precondition(n >= 2, "sum-sin-exp needs at least 2 inputs, got \(n)")
        if g.count != n {
            g = [Double](repeating: 0, count: n)
        }
        let dn = Double(n)
        return x.withUnsafeBufferPointer { p in
            g.withUnsafeMutableBufferPointer { gb in
                // Forward: the value, and the partials that fall out of it.
                var f = 0.0
                gb[0] = 0
                for i in 0..<(n - 1) {
                    let s = sin(p[i])
                    let e = exp(p[i] / dn)
                    f += s * p[i + 1] + e
                    gb[i] += e / dn
                    gb[i + 1] = s
                }
                // Backward: x̄_i += f̄ ∂(sin(x_i) x_{i+1})/∂x_i with f̄ = 1.
                var i = n - 2
                while i >= 0 {
                    gb[i] += cos(p[i]) * p[i + 1]
                    i -= 1
                }
                return f
            }
        }
    }
}

/// Peharz's function, f(x) = sqrt(x² + exp(x²)) + cos(x² + exp(x²)), written in plain Swift.
public enum NativePeharz {
    public static func value(_ x: Double) -> Double {
        let a = x * x
        let c = a + exp(a)
        return c.squareRoot() + cos(c)
    }

    /// Value and derivative by a hand-written adjoint of a = x², b = exp(a), c = a + b,
    /// d = sqrt(c), e = cos(c), f = d + e.
    public static func valueAndDerivative(_ x: Double) -> (value: Double, derivative: Double) {
        // Forward.
        let a = x * x
        let b = exp(a)
        let c = a + b
        let d = c.squareRoot()
        let e = cos(c)
        let f = d + e
        // Backward with f̄ = 1: d̄ = ē = 1; c̄ = d̄ / (2d) − ē sin(c); b̄ = c̄; ā = c̄ + b̄ b; x̄ = ā 2x.
        let cBar = 0.5 / d - sin(c)
        let bBar = cBar
        let aBar = cBar + bBar * b
        let xBar = aBar * 2 * x
        return (f, xBar)
    }
}
