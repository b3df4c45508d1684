// A verification case as loaded from a case file: a graph, a point, and what is expected there.
import ADCore
import Foundation

/// One case of the catalogue: a function `R^n -> R^m` given as a graph, the point to check
/// it at, and the expected numbers. See docs/case-format.md for the YAML form.
public struct Case: Sendable {
    public var id: String
    public var title: String
    public var source: String?
    public var tags: [String]
    /// Free text, e.g. where a seed document prints a wrong number and what the case uses instead.
    public var note: String?
    /// Where the case's YAML document starts.
    public var location: SourceLocation
    /// The case's YAML document as written, for the report.
    public var text: String

    /// The function. Inputs in the order of `inputs:`, outputs in the order of `outputs:`.
    public var graph: Graph
    /// The point, one value per input.
    public var point: [Double]
    /// `output:` (a scalar function, gradients and adjoints apply) rather than `outputs:`.
    public var isScalar: Bool
    /// The `let` names in order.
    public var letNames: [String]
    /// The tangent seed directions named by `expect.tangents` (one number per input).
    public var tangentSeeds: [[Double]]
    /// The directions `v` of `expect.hvp` blocks (one number per input), for `∇²f v`.
    public var hvpDirections: [[Double]] = []
    /// The cotangents `u` of `expect.hvp` blocks (one number per output), for `Σ_k u_k ∇²F_k v`:
    /// `[1]` for a scalar output.
    public var hvpCotangents: [[Double]] = []
    /// Every expected number, in the order written.
    public var expectations: [Expectation]
    /// Tolerance for quoted-expression expectations.
    public var tolerance: ExpressionTolerance
    /// The kink convention the case's expected numbers were written for (`kinks:`), or `nil`
    /// for the run's (by default `x>=0`).
    public var kinks: KinkConvention? = nil
    /// `trace: true`: the report shows the case's slides-style trace tables even without
    /// `adverify run --traces`.
    public var wantsTrace: Bool = false
    /// For `kind: network`: the network, its data and what is expected of it. The graph is
    /// then the network lowered to ADCore (inputs: every parameter; output: the loss `L`),
    /// or empty when the case only checks the architecture.
    public var network: NetworkCase? = nil
    /// Where each node of `graph` was written in the case file (the operator, the function's
    /// name, the literal, the input's key), when known: one per node, or empty.
    public var nodePositions: [SourcePosition] = []
    /// The case file's text and lines, so a problem found while verifying can show the line.
    public var sourceFile: SourceFile? = nil
    /// The case's position in the catalogue it was loaded into (0 for the first case of the
    /// run, before `--filter` and `--shard` choose), set by ``Catalog/load(paths:)``; `nil` for
    /// a case loaded on its own. `adverify merge` puts the results of shards back in this order.
    public var catalogueIndex: Int? = nil

    public var inputNames: [String] { graph.inputNames }

    /// Where `node` was written, with its line for the caret display, when known.
    public func sourceError(_ message: String, node: Int) -> CatalogError? {
        guard node >= 0, node < nodePositions.count, nodePositions[node].isKnown, let sourceFile else { return nil }
        let p = nodePositions[node]
        return sourceFile.error(message, line: Int(p.line), column: Int(p.column))
    }
    public var outputNames: [String] { graph.outputNames }
}

/// `|computed - expected| <= atol + rtol * |expected|`, for expected values given as expressions.
public struct ExpressionTolerance: Sendable, Hashable, Codable {
    public var rtol: Double
    public var atol: Double

    public init(rtol: Double = 1e-10, atol: Double = 1e-12) {
        self.rtol = rtol
        self.atol = atol
    }

    public static let `default` = ExpressionTolerance()
}

/// Which computed number an expectation is about.
public enum Quantity: Sendable, Hashable, Codable {
    /// The value of output `output`.
    case value(output: Int)
    /// The primal value of a named node (a `let`, or an input).
    case nodeValue(node: Int)
    /// `∂ output / ∂ input`: a gradient entry (output 0) or a Jacobian entry.
    case partial(output: Int, input: Int)
    /// `∂ output / ∂ node` for the scalar output: the node's adjoint in reverse mode.
    case adjoint(node: Int)
    /// The node's tangent in forward mode for the case's tangent seed `seed`.
    case tangent(seed: Int, node: Int)
    /// `∂²f / ∂x_first ∂x_second` of the scalar output: an entry of its Hessian (`expect.hessian`).
    case secondPartial(first: Int, second: Int)
    /// Component `input` of `∇²f v` (of `Σ_k u_k ∇²F_k v` for a vector function) for the case's
    /// Hessian-vector block `direction` (`expect.hvp`).
    case hvp(direction: Int, input: Int)

    /// Whether the quantity is a second derivative (a Hessian entry or a Hessian-vector product's component).
    public var isSecondOrder: Bool {
        switch self {
        case .secondPartial, .hvp: true
        default: false
        }
    }
}

/// An expected number as written in the case file.
public struct Expected: Sendable, Hashable, Codable {
    public enum Form: Sendable, Hashable, Codable {
        /// A number literal with decimals: "the value as printed", matched to half a unit of its
        /// last digit (`-182.87` ± 0.005).
        case printed(decimals: Int)
        /// A quoted expression over the inputs, matched with the case's tolerance.
        case expression(ExpressionTolerance)
        /// An integer literal (`0`, `2`, `-3`): exact, matched with the case's tolerance. Teachers
        /// write 0, 1 and 2 for exact derivatives; as printed, `2` would pass anything in (1.5, 2.5).
        case exact(ExpressionTolerance)
    }

    /// The expected value (the literal's value, or the expression evaluated at the case's point).
    public var value: Double
    /// The text as written: `-182.87`, `2*(1 - pi)`.
    public var text: String
    public var form: Form
    public var location: SourceLocation

    public init(value: Double, text: String, form: Form, location: SourceLocation) {
        self.value = value
        self.text = text
        self.form = form
        self.location = location
    }

    /// The largest difference that still matches:
    /// ```
    /// printed:            0.5 * 10^-d          (d = decimals of the literal, negative with an exponent)
    /// expression, exact:  atol + rtol * |value|
    /// ```
    public var budget: Double {
        switch form {
        case .printed(let d): 0.5 * Foundation.pow(10, Double(-d))
        case .expression(let t), .exact(let t): t.atol + t.rtol * abs(value)
        }
    }

    /// Whether an as-printed budget is wider than 1 % of the value (`0.5` means ± 0.05, `1e3`
    /// means ± 500): such an expectation passes numbers far from the one meant.
    public var isLoose: Bool {
        guard case .printed = form else { return false }
        return budget > 0.01 * abs(value)
    }

    /// Whether `computed` matches; NaN never does, equal infinities are not expressible.
    public func matches(_ computed: Double) -> Bool {
        computed.isFinite && abs(computed - value) <= budget
    }
}

/// One expected number and what it is about.
public struct Expectation: Sendable, Hashable, Codable {
    public var quantity: Quantity
    public var expected: Expected

    public init(quantity: Quantity, expected: Expected) {
        self.quantity = quantity
        self.expected = expected
    }
}

extension Case {
    /// The output's display name: `f` for `output:` unless the expression was a single name.
    public func outputName(_ k: Int) -> String { graph.outputNames[k] }

    /// A short label for a quantity, as in the report's tables:
    /// `f`, `a`, `∂f/∂x`, `∂y1/∂x2`, `adjoint c`, `tangent a (seed x)`.
    public func label(_ quantity: Quantity) -> String { label(quantity, displayNames: graph.displayNames) }

    /// `label(_:)` with the graph's `displayNames` computed once by the caller.
    public func label(_ quantity: Quantity, displayNames names: [String]) -> String {
        switch quantity {
        case .value(let k): return outputName(k)
        case .nodeValue(let node): return names[node]
        case let .partial(k, i): return "∂\(outputName(k))/∂\(inputNames[i])"
        case .adjoint(let node): return "∂\(outputName(0))/∂\(names[node]) (adjoint)"
        case let .tangent(seed, node): return "\(Case.dotted(names[node])) (seed \(seedLabel(seed)))"
        case let .secondPartial(i, j):
            let f = outputName(0)
            return i == j ? "∂²\(f)/∂\(inputNames[i])²" : "∂²\(f)/∂\(inputNames[i])∂\(inputNames[j])"
        case let .hvp(d, i):
            if isScalar { return "(∇²\(outputName(0)) v)_\(inputNames[i]) (v: \(directionLabel(d)))" }
            return "(Σ u_k ∇²F_k v)_\(inputNames[i]) (v: \(directionLabel(d)); u: \(cotangentLabel(d)))"
        }
    }

    /// `x = 0.3, y = -1.2`: the nonzero entries of Hessian-vector direction `d`.
    public func directionLabel(_ d: Int) -> String {
        let parts = zip(inputNames, hvpDirections[d]).filter { $0.1 != 0 }.map { "\($0.0) = \(Graph.format($0.1))" }
        return parts.isEmpty ? "0" : parts.joined(separator: ", ")
    }

    /// `u = 1, v = -0.5`: the nonzero entries of Hessian-vector block `d`'s cotangent.
    public func cotangentLabel(_ d: Int) -> String {
        let u = hvpCotangent(d)
        let parts = zip(outputNames, u).filter { $0.1 != 0 }.map { "\($0.0) = \(Graph.format($0.1))" }
        return parts.isEmpty ? "0" : parts.joined(separator: ", ")
    }

    /// The cotangent of Hessian-vector block `d` (`[1, 0, …]` when the case gives none, and for
    /// `d = -1`: the Hessian's).
    public func hvpCotangent(_ d: Int) -> [Double] {
        if d >= 0, d < hvpCotangents.count { return hvpCotangents[d] }
        return (0..<graph.outputCount).map { $0 == 0 ? 1 : 0 }
    }

    /// Whether the case expects second derivatives (`expect.hessian` or `expect.hvp`): the runner
    /// then computes them and runs their oracles.
    public var hasSecondOrder: Bool { expectations.contains { $0.quantity.isSecondOrder } }

    /// `ẋ1`: a tangent, the dot over the name's first letter as on the slides (v̇₁).
    public static func dotted(_ name: String) -> String {
        guard let first = name.first else { return name }
        return String(first) + "\u{307}" + name.dropFirst()
    }

    /// `ẋ = 1` or `ẋ = 1, ẏ = 0.5`: the nonzero entries of tangent seed `s`.
    public func seedLabel(_ s: Int) -> String {
        let seed = tangentSeeds[s]
        let parts = zip(inputNames, seed).filter { $0.1 != 0 }.map { "\(Case.dotted($0.0)) = \(Graph.format($0.1))" }
        return parts.isEmpty ? "0" : parts.joined(separator: ", ")
    }
}
