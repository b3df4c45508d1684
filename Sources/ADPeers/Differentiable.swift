// Peers written with Swift's differentiable programming (`import _Differentiation`), in the
// styles its documentation shows, differentiated by the compiler.
import _Differentiation

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// sum-sin-exp written as a differentiable Swift function.
///
/// The guide "Sharp edges in Differentiable Swift" shows two ways over an array: a `for` loop
/// whose bound is wrapped in `withoutDerivative(at:)` and reads `x[i]`, and
/// `differentiableMap` / `differentiableReduce`. The loop compiles and is correct, but the
/// pullback of each `x[i]` read builds an array of n zeros and adds it to the adjoint, so its
/// gradient costs O(n²) (about 0.4 s at n = 10⁴). The fold below is linear, so it is the one
/// measured; the loop is kept as `SubscriptLoopSumSinExp`.
public enum DifferentiableSumSinExp {
    /// Which documented style the function is written in, one sentence for the report.
    public static let style =
        "an @differentiable(reverse) function that folds the array with differentiableReduce "
        + "(a Differentiable struct carrying the running sum and the previous element), as the "
        + "'Sharp edges in Differentiable Swift' guide shows, because the guide's for-loop over "
        + "x[i] has an O(n²) gradient; gradient(at:of:)"

    /// The fold's state: the sum so far and the previous element; `weight` is 0 on the first
    /// step (there is no previous element yet) and 1 after, so the reducer has no branch (a
    /// branch in the reducer makes the gradient about 2.5 times slower).
    struct Carry: Differentiable {
        var sum: Double
        var previous: Double
        @noDerivative var weight: Double

        @differentiable(reverse)
        init(sum: Double, previous: Double, weight: Double) {
            self.sum = sum
            self.previous = previous
            self.weight = weight
        }
    }

    @differentiable(reverse)
    static func function(_ x: [Double]) -> Double {
        let n = Double(withoutDerivative(at: x.count))
        let last = x.differentiableReduce(Carry(sum: 0, previous: 0, weight: 0)) { carry, xi in
            Carry(
                sum: carry.sum + carry.weight * (sin(carry.previous) * xi + exp(carry.previous / n)),
                previous: xi,
                weight: 1
            )
        }
        return last.sum
    }

    /// The @differentiable function itself, called plainly.
    public static func value(_ x: [Double]) -> Double {
        precondition(x.count >= 2, "sum-sin-exp needs at least 2 inputs, got \(x.count)")
        return function(x)
    }

    /// The gradient by `gradient(at:of:)`, as a plain array.
    public static func gradient(_ x: [Double]) -> [Double] {
        precondition(x.count >= 2, "sum-sin-exp needs at least 2 inputs, got \(x.count)")
        return plain(_Differentiation.gradient(at: x, of: function), count: x.count)
    }
}

/// sum-sin-exp as the guide's `for` loop over `x[i]` with the bound in `withoutDerivative(at:)`:
/// correct, but its gradient is O(n²) (see `DifferentiableSumSinExp`).
enum SubscriptLoopSumSinExp {
    @differentiable(reverse)
    static func function(_ x: [Double]) -> Double {
        let count = withoutDerivative(at: x.count)
        let n = Double(count)
        var f = 0.0
        for i in 0..<(count - 1) {
            f += sin(x[i]) * x[i + 1] + exp(x[i] / n)
        }
        return f
    }

    static func value(_ x: [Double]) -> Double {
        precondition(x.count >= 2, "sum-sin-exp needs at least 2 inputs, got \(x.count)")
        return function(x)
    }

    static func gradient(_ x: [Double]) -> [Double] {
        precondition(x.count >= 2, "sum-sin-exp needs at least 2 inputs, got \(x.count)")
        return plain(_Differentiation.gradient(at: x, of: function), count: x.count)
    }
}

/// Peharz's function written as a differentiable Swift function.
public enum DifferentiablePeharz {
    public static let style =
        "straight-line code in an @differentiable(reverse) function over the C library's exp, "
        + "cos and sqrt, whose derivatives _Differentiation registers, as in the Differentiable "
        + "Programming Manifesto; gradient(at:of:)"

    @differentiable(reverse)
    static func function(_ x: Double) -> Double {
        let a = x * x
        let b = exp(a)
        let c = a + b
        return sqrt(c) + cos(c)
    }

    public static func value(_ x: Double) -> Double {
        function(x)
    }

    /// The derivative by `gradient(at:of:)`.
    public static func derivative(_ x: Double) -> Double {
        gradient(at: x, of: function)
    }
}

/// An array tangent as a plain array of `count` elements (the zero tangent is the empty array).
private func plain(_ tangent: [Double].TangentVector, count: Int) -> [Double] {
    let base = tangent.base
    return base.isEmpty ? [Double](repeating: 0, count: count) : base
}
