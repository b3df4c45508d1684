import Foundation

/// Which derivative a piecewise primitive takes at its kink, where it has none.
///
/// Away from a kink every convention gives the same partials; exactly at one (the switching
/// argument is 0: `x = 0` for relu, abs, leaky_relu and elu, `x = y` for max and min) they
/// differ:
///
/// | at the kink       | `x>=0` (default) | `pytorch`  | `jax`      |
/// |-------------------|------------------|------------|------------|
/// | `relu'(0)`        | 1                | 0          | 0          |
/// | `abs'(0)`         | 1                | 0          | 1          |
/// | `leaky_relu'(0, a)` | 1              | a          | 1          |
/// | `elu'(0, a)`      | 1                | a          | a          |
/// | `max(x, x)`: `∂/∂x, ∂/∂y` | 1, 0     | 1/2, 1/2   | 1/2, 1/2   |
/// | `min(x, x)`: `∂/∂x, ∂/∂y` | 1, 0     | 1/2, 1/2   | 1/2, 1/2   |
///
/// The framework columns are read from their own sources: PyTorch's `derivatives.yaml`
/// (`relu`: `threshold_backward`, which passes the adjoint only where the input is above 0;
/// `abs`: `grad * self.sgn()`; `maximum` / `minimum`: `grad / 2` to each side of a tie) and
/// its CPU kernels (`leaky_relu_backward`: `x > 0 ? grad : grad * negval`; `elu_backward`:
/// `x <= 0 ? grad * alpha * exp(x) : grad`); JAX's `jax.nn.relu` (a custom JVP with
/// `select(x > 0, g, 0)`), `lax.abs`'s JVP (`select(x >= 0, g, -g)`), `lax.max` / `lax.min`
/// (`_balanced_eq`: a tie gives each side half), `jax.nn.leaky_relu`
/// (`where(x >= 0, x, a x)`) and `jax.nn.elu` (`where(x > 0, x, a expm1(x))`). The
/// parameter `a` of leaky_relu and elu gets 0 at the kink under every convention (the value
/// there is 0 whichever branch is taken).
///
/// PyTorch and JAX disagree at `abs` and `leaky_relu`, so there is no single "frameworks"
/// convention; ``init(parsing:)`` refuses that name and says which two to choose from.
public enum KinkConvention: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// The derivative of the `x >= 0` branch, as in the indicator `1(x >= 0)` of the Peharz
    /// slides; a tie of `max` / `min` goes to the first operand.
    case nonNegativeBranch = "x>=0"
    /// PyTorch's values at kinks.
    case pytorch
    /// JAX's values at kinks.
    case jax

    /// The convention adverify uses unless a case or a run chooses another.
    public static let `default` = KinkConvention.nonNegativeBranch

    /// The name in case files, the command line and reports: `x>=0`, `pytorch`, `jax`.
    public var description: String { rawValue }

    /// The names a case file or the command line may use, for messages.
    public static let names = allCases.map(\.rawValue).joined(separator: ", ")

    /// The convention named `text`, or a message saying what is wrong with it (for a
    /// `file:line:column` error or a usage error).
    public static func parse(_ text: String) -> Result<KinkConvention, KinkConventionError> {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let c = KinkConvention(rawValue: t) { return .success(c) }
        switch t.lowercased() {
        case "x >= 0", "x>=0", "xge0", "default": return .success(.nonNegativeBranch)
        case "pytorch", "torch": return .success(.pytorch)
        case "jax": return .success(.jax)
        case "frameworks", "framework":
            return .failure(KinkConventionError(
                "'\(t)' does not name one convention: PyTorch and JAX differ at kinks (abs'(0) is 0 in PyTorch and 1 in JAX, leaky_relu'(0) is a and 1): write pytorch or jax"))
        default:
            return .failure(KinkConventionError("unknown kink convention '\(t)': one of \(names)"))
        }
    }

    /// In words, for messages: `relu'(0) = 0, abs'(0) = 0, ...`.
    public var summary: String {
        switch self {
        case .nonNegativeBranch: "the x >= 0 branch: relu'(0) = 1, abs'(0) = 1, leaky_relu'(0) = 1, elu'(0) = 1, a tie of max/min to the first operand"
        case .pytorch: "PyTorch's: relu'(0) = 0, abs'(0) = 0, leaky_relu'(0) = a, elu'(0) = a, a tie of max/min split in halves"
        case .jax: "JAX's: relu'(0) = 0, abs'(0) = 1, leaky_relu'(0) = 1, elu'(0) = a, a tie of max/min split in halves"
        }
    }
}

/// Why a kink convention's name was refused.
public struct KinkConventionError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension Op {
    /// The local partials exactly at the kink (``switchingArgument(_:_:)`` is 0) under
    /// `convention`: the table in ``KinkConvention``. For smooth primitives, and for the
    /// default convention, the rule table's own ``partials(_:_:value:)``.
    public func kinkPartials(_ a: Double, _ b: Double, convention: KinkConvention) -> (Double, Double) {
        switch (self, convention) {
        case (_, .nonNegativeBranch): partials(a, b, value: value(a, b))
        case (.relu, _): (0, 0)
        case (.abs, .pytorch): (0, 0)
        case (.abs, .jax): (1, 0)
        case (.leakyRelu, .pytorch): (b, 0)
        case (.leakyRelu, .jax): (1, 0)
        case (.elu, _): (b, 0)
        case (.max, _), (.min, _): (0.5, 0.5)
        default: partials(a, b, value: value(a, b))
        }
    }

    /// The partials on either side of the kink at `(a, b)`: `left` for the switching argument
    /// just below 0 (`x < 0`; for max the second operand winning, for min the first),
    /// `right` just above. For the messages that name the one-sided interval.
    public func oneSidedPartials(_ a: Double, _ b: Double) -> (left: (Double, Double), right: (Double, Double)) {
        func at(_ a: Double, _ b: Double) -> (Double, Double) { partials(a, b, value: value(a, b)) }
        switch self {
        case .max, .min: return (at(a, b.nextUp), at(a, b.nextDown))
        default: return (at(-Double.leastNonzeroMagnitude, b), at(Double.leastNonzeroMagnitude, b))
        }
    }

    /// The local partials at `(a, b)` under `convention`: the rule table's away from a kink,
    /// ``kinkPartials(_:_:convention:)`` exactly at one.
    @inlinable
    public func partials(_ a: Double, _ b: Double, value v: Double, convention: KinkConvention) -> (Double, Double) {
        if convention != .nonNegativeBranch, kink != nil, switchingArgument(a, b) == 0 {
            return kinkPartials(a, b, convention: convention)
        }
        return partials(a, b, value: v)
    }
}
