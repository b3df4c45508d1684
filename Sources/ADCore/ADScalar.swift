/// A scalar that user code can be written over once and then run as plain numbers
/// (`Double`), as forward-mode dual numbers (``Dual``) or recorded into a ``Graph``
/// (``Recorded``), so the same function can be differentiated by every method.
///
/// ```swift
/// func f<T: ADScalar>(_ x: [T]) -> T { T.log(x[0]) + x[0] * x[1] - T.sin(x[1]) }
/// let value = f([2.0, 5.0])                                   // Double
/// let dfdx1 = f([Dual.variable(2), Dual(5)]).derivative       // forward mode
/// let graph = try Graph.record(inputCount: 2) { f($0) }       // every sweep, every oracle
/// ```
///
/// A conforming type implements one thing, ``apply(_:_:_:)``: a primitive of the rule table
/// applied to operands. Operators and the elementary functions (`T.exp(x)`, `T.relu(x)`, …)
/// are defined on top of it, so every scalar follows the same rules and kink conventions.
public protocol ADScalar: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    /// A constant.
    init(_ constant: Double)
    /// The primitive `op` applied to `a` (and `b` for binary primitives; ignored otherwise).
    static func apply(_ op: Op, _ a: Self, _ b: Self) -> Self
}

extension ADScalar {
    @inlinable static func unary(_ op: Op, _ x: Self) -> Self { apply(op, x, x) }

    @inlinable public static func + (l: Self, r: Self) -> Self { apply(.add, l, r) }
    @inlinable public static func - (l: Self, r: Self) -> Self { apply(.sub, l, r) }
    @inlinable public static func * (l: Self, r: Self) -> Self { apply(.mul, l, r) }
    @inlinable public static func / (l: Self, r: Self) -> Self { apply(.div, l, r) }
    @inlinable public static prefix func - (x: Self) -> Self { unary(.neg, x) }

    @inlinable public static func + (l: Self, r: Double) -> Self { l + Self(r) }
    @inlinable public static func + (l: Double, r: Self) -> Self { Self(l) + r }
    @inlinable public static func - (l: Self, r: Double) -> Self { l - Self(r) }
    @inlinable public static func - (l: Double, r: Self) -> Self { Self(l) - r }
    @inlinable public static func * (l: Self, r: Double) -> Self { l * Self(r) }
    @inlinable public static func * (l: Double, r: Self) -> Self { Self(l) * r }
    @inlinable public static func / (l: Self, r: Double) -> Self { l / Self(r) }
    @inlinable public static func / (l: Double, r: Self) -> Self { Self(l) / r }

    @inlinable public static func += (l: inout Self, r: Self) { l = l + r }
    @inlinable public static func -= (l: inout Self, r: Self) { l = l - r }
    @inlinable public static func *= (l: inout Self, r: Self) { l = l * r }

    /// `x ^ y`; a constant `y` takes the constant-exponent rule (valid for negative `x`).
    @inlinable public static func pow(_ x: Self, _ y: Self) -> Self { apply(.pow, x, y) }
    @inlinable public static func exp(_ x: Self) -> Self { unary(.exp, x) }
    /// The natural logarithm.
    @inlinable public static func log(_ x: Self) -> Self { unary(.log, x) }
    @inlinable public static func sqrt(_ x: Self) -> Self { unary(.sqrt, x) }
    @inlinable public static func sin(_ x: Self) -> Self { unary(.sin, x) }
    @inlinable public static func cos(_ x: Self) -> Self { unary(.cos, x) }
    @inlinable public static func tan(_ x: Self) -> Self { unary(.tan, x) }
    @inlinable public static func asin(_ x: Self) -> Self { unary(.asin, x) }
    @inlinable public static func acos(_ x: Self) -> Self { unary(.acos, x) }
    @inlinable public static func atan(_ x: Self) -> Self { unary(.atan, x) }
    @inlinable public static func sinh(_ x: Self) -> Self { unary(.sinh, x) }
    @inlinable public static func cosh(_ x: Self) -> Self { unary(.cosh, x) }
    @inlinable public static func tanh(_ x: Self) -> Self { unary(.tanh, x) }
    @inlinable public static func sigmoid(_ x: Self) -> Self { unary(.sigmoid, x) }
    @inlinable public static func softplus(_ x: Self) -> Self { unary(.softplus, x) }
    /// `max(x, 0)`, with `relu'(0) = 1`.
    @inlinable public static func relu(_ x: Self) -> Self { unary(.relu, x) }
    /// `|x|`, with `abs'(0) = 1`.
    @inlinable public static func abs(_ x: Self) -> Self { unary(.abs, x) }
    /// The larger of `x` and `y`; a tie differentiates as `x`.
    @inlinable public static func max(_ x: Self, _ y: Self) -> Self { apply(.max, x, y) }
    /// The smaller of `x` and `y`; a tie differentiates as `x`.
    @inlinable public static func min(_ x: Self, _ y: Self) -> Self { apply(.min, x, y) }
    /// `x` for `x >= 0`, `a x` otherwise.
    @inlinable public static func leakyRelu(_ x: Self, _ a: Self) -> Self { apply(.leakyRelu, x, a) }
    /// `x` for `x >= 0`, `a (exp(x) - 1)` otherwise.
    @inlinable public static func elu(_ x: Self, _ a: Self) -> Self { apply(.elu, x, a) }
}

extension Double: ADScalar {
    /// Plain evaluation by the rule table (the same values a ``Graph`` computes).
    @inlinable public static func apply(_ op: Op, _ a: Double, _ b: Double) -> Double { op.value(a, b) }
}
