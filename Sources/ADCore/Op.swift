import Foundation

/// The operation of one node of a ``Graph``: a leaf (input or constant) or a primitive.
///
/// This enum *is* the primitive rule table. For every primitive it gives, in one place:
/// its name and arity, its value (``value(_:_:)``), its local partial derivatives
/// (``partials(_:_:value:)``), whether it is analytic (``isAnalytic``, so the complex step
/// is valid), and where it has kinks (``kink``, ``switchingArgument(_:_:)``). Forward and
/// reverse mode both use the same partials, so a rule is written once.
///
/// Adding a primitive: one case here, one entry in each `switch` below, one name in the
/// expression language, one case file in `cases/primitives/`.
///
/// Conventions at kinks (documented, and recorded in ``kink`` so verification can treat them
/// specially): the derivative is the one of the `x >= 0` branch, as in the indicator
/// `1(x >= 0)` of the Peharz slides. So `relu'(0) = 1`, `abs'(0) = 1`,
/// `leaky_relu'(0) = 1`, `elu'(0) = 1`. For `max(x, y)` and `min(x, y)` a tie goes to the
/// first argument: at `x == y`, `∂max/∂x = 1`, `∂max/∂y = 0` (likewise for `min`).
///
/// Structural zeros: sweeps treat a zero tangent or adjoint as exactly zero even when it meets
/// an infinite or NaN local partial (`0 · ∞ = 0`), so `x + sqrt(y)` at `y = 0` still has
/// `∂/∂x = 1`. See ``scaled(_:by:)``.
@frozen
public enum Op: UInt8, CaseIterable, Sendable, Codable {
    /// An input of the graph; the node's `lhs` holds the input's position.
    case input
    /// A constant; its value is the node's payload.
    case constant
    case add, sub, mul, div, neg
    /// `x ^ y` for a variable exponent: `∂/∂y = x^y log x` needs `x > 0`.
    case pow
    /// `x ^ c` with `c` a constant node: the fast path, `∂/∂x = c x^(c-1)`, defined for
    /// negative `x` too, and no `log`.
    case powConst
    case exp, log, sqrt, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh
    case sigmoid, softplus, relu
    /// `leaky_relu(x, a) = x` for `x >= 0`, `a x` otherwise.
    case leakyRelu
    /// `elu(x, a) = x` for `x >= 0`, `a (exp(x) - 1)` otherwise.
    case elu
    case abs, max, min

    /// Every primitive (every case but the leaves), in rule-table order.
    public static let primitives: [Op] = allCases.filter { !$0.isLeaf }

    /// Whether this is an input or a constant rather than a primitive.
    @inlinable public var isLeaf: Bool { self == .input || self == .constant }

    /// The name used in expressions and traces (`leaky_relu`, `exp`, `+`).
    public var name: String {
        switch self {
        case .input: "input"
        case .constant: "constant"
        case .add: "+"
        case .sub: "-"
        case .mul: "*"
        case .div: "/"
        case .neg: "neg"
        case .pow, .powConst: "^"
        case .leakyRelu: "leaky_relu"
        default: String(describing: self)
        }
    }

    /// The number of operands: 0 for leaves, 1 or 2 for primitives.
    @inlinable public var arity: Int {
        switch self {
        case .input, .constant: 0
        case .neg, .exp, .log, .sqrt, .sin, .cos, .tan, .asin, .acos, .atan, .sinh, .cosh, .tanh,
             .sigmoid, .softplus, .relu, .abs:
            1
        case .add, .sub, .mul, .div, .pow, .powConst, .leakyRelu, .elu, .max, .min: 2
        }
    }

    /// Whether the primitive is complex-analytic, so that the complex step
    /// `Im f(x + ih) / h` gives its derivative. The piecewise primitives are not.
    public var isAnalytic: Bool {
        switch self {
        case .relu, .leakyRelu, .elu, .abs, .max, .min: false
        default: true
        }
    }

    /// Where a primitive is not differentiable although it is defined on both sides.
    public enum Kink: Sendable, Equatable, CustomStringConvertible {
        /// At `x = 0` of the first operand.
        case atZeroOfFirstOperand
        /// Where the two operands are equal.
        case whereOperandsAreEqual

        public var description: String {
            switch self {
            case .atZeroOfFirstOperand: "x = 0"
            case .whereOperandsAreEqual: "x = y"
            }
        }
    }

    /// The primitive's kink, if it has one. `elu` is listed although it is C¹ when `a = 1`.
    public var kink: Kink? {
        switch self {
        case .relu, .leakyRelu, .elu, .abs: .atZeroOfFirstOperand
        case .max, .min: .whereOperandsAreEqual
        default: nil
        }
    }

    /// The quantity whose sign selects the branch of a piecewise primitive (`x` for relu,
    /// `x - y` for max), or `nil` for smooth primitives. A kink is where it is zero; its
    /// magnitude is the distance to the kink, which verification compares with a stencil's
    /// reach.
    @inlinable
    public func switchingArgument(_ a: Double, _ b: Double) -> Double? {
        switch self {
        case .relu, .leakyRelu, .elu, .abs: a
        case .max, .min: a - b
        default: nil
        }
    }

    // MARK: - Values

    /// The primitive's value at `(a, b)`; `b` is ignored by unary primitives.
    ///
    /// Numerically careful forms: `sigmoid` never overflows, `softplus` is
    /// `max(x, 0) + log1p(exp(-|x|))`, `elu` uses `expm1`.
    @inlinable @inline(__always)
    public func value(_ a: Double, _ b: Double) -> Double {
        switch self {
        case .input, .constant: a
        case .add: a + b
        case .sub: a - b
        case .mul: a * b
        case .div: a / b
        case .neg: -a
        case .pow, .powConst: Foundation.pow(a, b)
        case .exp: Foundation.exp(a)
        case .log: Foundation.log(a)
        case .sqrt: a.squareRoot()
        case .sin: Foundation.sin(a)
        case .cos: Foundation.cos(a)
        case .tan: Foundation.tan(a)
        case .asin: Foundation.asin(a)
        case .acos: Foundation.acos(a)
        case .atan: Foundation.atan(a)
        case .sinh: Foundation.sinh(a)
        case .cosh: Foundation.cosh(a)
        case .tanh: Foundation.tanh(a)
        case .sigmoid: Op.sigmoid(a)
        case .softplus: Swift.max(a, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(a)))
        case .relu: a >= 0 ? a : 0
        case .leakyRelu: a >= 0 ? a : b * a
        case .elu: a >= 0 ? a : b * Foundation.expm1(a)
        case .abs: Swift.abs(a)
        case .max: a >= b ? a : b
        case .min: a <= b ? a : b
        }
    }

    /// `1 / (1 + exp(-x))`, in a form that cannot overflow.
    @inlinable
    static func sigmoid(_ x: Double) -> Double {
        if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }

    // MARK: - Local partial derivatives

    /// The local partial derivatives `(∂v/∂a, ∂v/∂b)` at `(a, b)`, given the node's value
    /// `v` (already computed by ``value(_:_:)``, so `exp`, `sqrt` and friends reuse it).
    /// `∂v/∂b` is 0 for unary primitives and for `powConst`.
    ///
    /// Forms chosen for accuracy in ulps: `tanh' = 1/cosh²` (not `1 - tanh²`, which loses
    /// all digits for large |x|), `sigmoid' = σ(x) σ(-x)` (the Peharz table's form),
    /// `asin' = 1/sqrt((1 - x)(1 + x))`.
    @inlinable @inline(__always)
    public func partials(_ a: Double, _ b: Double, value v: Double) -> (Double, Double) {
        switch self {
        case .input, .constant: return (0, 0)
        case .add: return (1, 1)
        case .sub: return (1, -1)
        case .mul: return (b, a)
        case .div: return (1 / b, -v / b)
        case .neg: return (-1, 0)
        case .pow:
            let dx = b == 0 ? 0 : b * Foundation.pow(a, b - 1)
            let dy: Double = a > 0 ? v * Foundation.log(a) : (a == 0 && b > 0 ? 0 : .nan)
            return (dx, dy)
        case .powConst: return (b == 0 ? 0 : b * Foundation.pow(a, b - 1), 0)
        case .exp: return (v, 0)
        case .log: return (1 / a, 0)
        case .sqrt: return (0.5 / v, 0)
        case .sin: return (Foundation.cos(a), 0)
        case .cos: return (-Foundation.sin(a), 0)
        case .tan:
            let c = Foundation.cos(a)
            return (1 / (c * c), 0)
        case .asin: return (1 / ((1 - a) * (1 + a)).squareRoot(), 0)
        case .acos: return (-1 / ((1 - a) * (1 + a)).squareRoot(), 0)
        case .atan: return (1 / (1 + a * a), 0)
        case .sinh: return (Foundation.cosh(a), 0)
        case .cosh: return (Foundation.sinh(a), 0)
        case .tanh:
            let c = Foundation.cosh(a)
            return (1 / (c * c), 0)
        case .sigmoid: return (v * Op.sigmoid(-a), 0)
        case .softplus: return (Op.sigmoid(a), 0)
        case .relu: return (a >= 0 ? 1 : 0, 0)
        case .leakyRelu: return a >= 0 ? (1, 0) : (b, a)
        case .elu: return a >= 0 ? (1, 0) : (b * Foundation.exp(a), Foundation.expm1(a))
        case .abs: return (a >= 0 ? 1 : -1, 0)
        case .max: return a >= b ? (1, 0) : (0, 1)
        case .min: return a <= b ? (1, 0) : (0, 1)
        }
    }

    // MARK: - Second-order local partials

    /// The second-order local partials `(∂²v/∂a², ∂²v/∂a∂b, ∂²v/∂b²)` at `(a, b)`, given the
    /// node's value `v`: the rule for Hessian-vector products (forward over reverse). The terms
    /// with `b` are 0 for unary primitives and for `powConst`.
    ///
    /// The piecewise primitives take the branch their first partials take (the `x >= 0` one at
    /// a kink), so their second partials are 0 but for `leaky_relu`'s and `elu`'s terms in the
    /// slope `a`. Forms chosen for accuracy, as for the first partials: `tanh'' = -2 tanh /
    /// cosh²`, `sigmoid'' = -σ(x) σ(-x) tanh(x / 2)` (no `1 - 2σ`, which cancels near 0).
    @inlinable
    public func secondPartials(_ a: Double, _ b: Double, value v: Double) -> (aa: Double, ab: Double, bb: Double) {
        switch self {
        case .input, .constant, .add, .sub, .neg, .relu, .abs, .max, .min: return (0, 0, 0)
        case .mul: return (0, 1, 0)
        case .div: return (0, -1 / (b * b), 2 * v / (b * b))
        case .pow:
            let ab: Double = a > 0 ? Foundation.pow(a, b - 1) * (1 + b * Foundation.log(a)) : (a == 0 && b > 1 ? 0 : .nan)
            let bb: Double
            if a > 0 {
                let l = Foundation.log(a)
                bb = v * l * l
            } else {
                bb = a == 0 && b > 0 ? 0 : .nan
            }
            return (Op.powSecond(a, b), ab, bb)
        case .powConst: return (Op.powSecond(a, b), 0, 0)
        case .exp: return (v, 0, 0)
        case .log: return (-1 / (a * a), 0, 0)
        case .sqrt: return (-0.25 / (a * v), 0, 0)
        case .sin, .cos: return (-v, 0, 0)
        case .sinh, .cosh: return (v, 0, 0)
        case .tan:
            let c = Foundation.cos(a)
            return (2 * v / (c * c), 0, 0)
        case .asin, .acos:
            let s = (1 - a) * (1 + a)
            let d = a / (s * s.squareRoot())
            return (self == .asin ? d : -d, 0, 0)
        case .atan:
            let d = 1 + a * a
            return (-2 * a / (d * d), 0, 0)
        case .tanh:
            let c = Foundation.cosh(a)
            return (-2 * v / (c * c), 0, 0)
        case .sigmoid: return (-v * Op.sigmoid(-a) * Foundation.tanh(a / 2), 0, 0)
        case .softplus: return (Op.sigmoid(a) * Op.sigmoid(-a), 0, 0)
        case .leakyRelu: return a >= 0 ? (0, 0, 0) : (0, 1, 0)
        case .elu:
            guard a < 0 else { return (0, 0, 0) }
            let e = Foundation.exp(a)
            return (b * e, e, 0)
        }
    }

    /// `∂²(x^c)/∂x² = c (c - 1) x^(c - 2)`, 0 for `c` = 0 or 1 (where `x^(c - 2)` may be infinite).
    @inlinable
    static func powSecond(_ a: Double, _ b: Double) -> Double {
        b == 0 || b == 1 ? 0 : b * (b - 1) * Foundation.pow(a, b - 2)
    }
}

/// `partial * incoming`, except that a zero incoming tangent or adjoint stays zero even when
/// the partial is infinite or NaN: a derivative that does not flow must not poison the sum.
@inlinable @inline(__always)
public func scaled(_ partial: Double, by incoming: Double) -> Double {
    incoming == 0 ? 0 : partial * incoming
}
