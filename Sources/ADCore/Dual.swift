/// A dual number `value + derivative·ε` (`ε² = 0`): forward mode by operator overloading,
/// one tangent direction.
///
/// ```swift
/// let y = Dual.derivative(at: 2) { x in Dual.sqrt(x * x + Dual.exp(x * x)) }
/// ```
///
/// Uses the same rule table as the graph sweeps, including the structural-zero rule: a zero
/// tangent stays zero through an infinite or NaN partial.
@frozen
public struct Dual: ADScalar, Sendable, Hashable, CustomStringConvertible {
    public var value: Double
    public var derivative: Double

    @inlinable public init(_ value: Double, derivative: Double) {
        self.value = value
        self.derivative = derivative
    }

    /// A constant: derivative 0.
    @inlinable public init(_ constant: Double) { self.init(constant, derivative: 0) }
    @inlinable public init(floatLiteral value: Double) { self.init(value) }
    @inlinable public init(integerLiteral value: Int) { self.init(Double(value)) }

    /// The independent variable: derivative 1.
    @inlinable public static func variable(_ x: Double) -> Dual { Dual(x, derivative: 1) }

    @inlinable
    public static func apply(_ op: Op, _ a: Dual, _ b: Dual) -> Dual {
        let v = op.value(a.value, b.value)
        let (pa, pb) = op.partials(a.value, b.value, value: v)
        var d = scaled(pa, by: a.derivative)
        if op.arity == 2 { d += scaled(pb, by: b.derivative) }
        return Dual(v, derivative: d)
    }

    public var description: String { "\(value) + \(derivative)ε" }

    /// `f(x)` and `f'(x)` for a scalar function.
    @inlinable
    public static func derivative(at x: Double, of f: (Dual) throws -> Dual) rethrows -> (value: Double, derivative: Double) {
        let y = try f(.variable(x))
        return (y.value, y.derivative)
    }

    /// The directional derivative `<∇f(x), u>` in one pass.
    @inlinable
    public static func directionalDerivative(at x: [Double], direction u: [Double], of f: ([Dual]) throws -> Dual) rethrows -> Double {
        var duals = [Dual]()
        duals.reserveCapacity(x.count)
        for k in x.indices { duals.append(Dual(x[k], derivative: k < u.count ? u[k] : 0)) }
        return try f(duals).derivative
    }

    /// The gradient of `f: R^n -> R` by `n` forward passes, one per input.
    public static func gradient(at x: [Double], of f: ([Dual]) throws -> Dual) rethrows -> [Double] {
        var duals = x.map { Dual($0) }
        var g = [Double](repeating: 0, count: x.count)
        for k in x.indices {
            duals[k].derivative = 1
            g[k] = try f(duals).derivative
            duals[k].derivative = 0
        }
        return g
    }
}
