/// A deliberately wrong rule for one primitive's local partial derivatives: the mutants that
/// `adverify selftest` injects to measure whether the catalogue catches wrong derivatives.
///
/// A mutation is applied in memory by a ``Workspace`` whose ``Workspace/ruleMutation`` is set:
/// after the primal sweep has stored every node's partials, the nodes of ``op`` get the mutated
/// partials instead. Values are never touched (so numerical oracles still see the true
/// function), and the rule table itself (``Op/partials(_:_:value:)``) is not changed. Forward
/// and reverse mode both read the stored partials, so they agree with each other on a mutant,
/// as they would on a real bug in the rule table.
public struct RuleMutation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// How the rule is made wrong.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// `∂v/∂operand` with its sign flipped.
        case signFlipped = "sign-flipped"
        /// `∂v/∂operand` doubled.
        case doubled
        /// `∂v/∂operand` set to 0: its term of the chain rule dropped.
        case dropped
        /// `∂v/∂operand` off by a relative 1e-6 (``relativeError``).
        case slightlyOff = "off-by-1e-6"
        /// The whole rule evaluated at the operand doubled (`cos(x)` → `cos(2x)` for `sin`).
        case argumentDoubled = "argument-doubled"
        /// `∂v/∂a` and `∂v/∂b` of a binary primitive exchanged (``operand`` is ignored).
        case swapped
        /// A piecewise primitive's rule for `x >= 0` (for `max`/`min`: for the first operand
        /// winning) used on both sides: `relu' = 1`, `abs' = 1` everywhere (``operand`` is ignored).
        case oneBranch = "one-branch"
        /// At a piecewise primitive's kink, a value other than the convention's (the mutant's
        /// ``RuleMutation/convention``; under any other convention the rule is the true one).
        /// Under `x>=0`, the other side's derivative: `relu'(0) = 0` instead of 1, a tie of
        /// `max` going to the second operand (a `>=` written `>`). Under `pytorch` and `jax`,
        /// the `x>=0` value where the convention's differs from it (`relu'(0) = 1`, a tie not
        /// split), else the `x < 0` side (JAX's `abs'(0) = -1`). ``operand`` is ignored.
        case kinkConvention = "kink-convention"
        /// Second order: `∂²v/∂a²` (operand 0) or `∂²v/∂b²` (operand 1) with its sign flipped.
        /// The first partials stay true, so only a second derivative can tell.
        case secondSignFlipped = "second-sign-flipped"
        /// Second order: `∂²v/∂a²` or `∂²v/∂b²` doubled.
        case secondDoubled = "second-doubled"
        /// Second order: `∂²v/∂a²` or `∂²v/∂b²` set to 0.
        case secondDropped = "second-dropped"
        /// Second order: the second partials evaluated at the operand doubled (`-sin(2x)` for `sin`).
        case secondArgumentDoubled = "second-argument-doubled"
        /// Second order: the mixed `∂²v/∂a∂b` of a binary primitive with its sign flipped
        /// (``operand`` is ignored).
        case mixedSignFlipped = "mixed-sign-flipped"
        /// Second order: the mixed `∂²v/∂a∂b` set to 0 (``operand`` is ignored).
        case mixedDropped = "mixed-dropped"

        /// Whether the kind changes the second-order partials only (``Op/secondPartials(_:_:value:)``).
        public var isSecondOrder: Bool {
            switch self {
            case .secondSignFlipped, .secondDoubled, .secondDropped, .secondArgumentDoubled, .mixedSignFlipped, .mixedDropped: true
            default: false
            }
        }

        /// Kinds that name no operand.
        static let operandFree: [Kind] = [.swapped, .oneBranch, .kinkConvention, .mixedSignFlipped, .mixedDropped]
    }

    /// Whether the mutant changes the second-order partials only: a Hessian or a Hessian-vector
    /// product can kill it, no first derivative can.
    public var isSecondOrder: Bool { kind.isSecondOrder }

    /// The relative error of ``Kind/slightlyOff``.
    public static let relativeError = 1e-6

    public var op: Op
    public var kind: Kind
    /// The operand whose partial (or argument) is mutated: 0 for `a`, 1 for `b`.
    public var operand: Int
    /// The kink convention a ``Kind/kinkConvention`` mutant breaks (`x>=0` for every other kind).
    public var convention: KinkConvention

    public init(op: Op, kind: Kind, operand: Int = 0, convention: KinkConvention = .default) {
        self.op = op
        self.kind = kind
        self.operand = Kind.operandFree.contains(kind) ? 0 : operand
        self.convention = kind == .kinkConvention ? convention : .default
    }

    private enum CodingKeys: String, CodingKey { case op, kind, operand, convention }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            op: try c.decode(Op.self, forKey: .op), kind: try c.decode(Kind.self, forKey: .kind),
            operand: try c.decode(Int.self, forKey: .operand),
            convention: try c.decodeIfPresent(KinkConvention.self, forKey: .convention) ?? .default)
    }

    /// The operands whose partials can carry a derivative: both for binary primitives, only
    /// `a` for unary ones and for `powConst` (its exponent is a constant node).
    public static func differentiableOperands(of op: Op) -> [Int] {
        switch op.arity {
        case 2 where op != .powConst: [0, 1]
        case 1, 2: [0]
        default: []
        }
    }

    /// Every mutant of `op`: each kind for each differentiable operand, plus the swap for
    /// binary primitives. The argument is doubled for every operand of the primitive,
    /// differentiable or not (`x^c` → with `2c`).
    public static func mutants(of op: Op) -> [RuleMutation] {
        let operands = differentiableOperands(of: op)
        guard !operands.isEmpty else { return [] }
        var result: [RuleMutation] = []
        for k in operands {
            for kind in [Kind.signFlipped, .doubled, .dropped, .slightlyOff] {
                result.append(RuleMutation(op: op, kind: kind, operand: k))
            }
        }
        for k in 0..<op.arity { result.append(RuleMutation(op: op, kind: .argumentDoubled, operand: k)) }
        if operands.count == 2 { result.append(RuleMutation(op: op, kind: .swapped)) }
        if op.kink != nil {
            result.append(RuleMutation(op: op, kind: .oneBranch))
            for convention in KinkConvention.allCases {
                result.append(RuleMutation(op: op, kind: .kinkConvention, convention: convention))
            }
        }
        for k in operands {
            for kind in [Kind.secondSignFlipped, .secondDoubled, .secondDropped, .secondArgumentDoubled] {
                result.append(RuleMutation(op: op, kind: kind, operand: k))
            }
        }
        if operands.count == 2 {
            result.append(RuleMutation(op: op, kind: .mixedSignFlipped))
            result.append(RuleMutation(op: op, kind: .mixedDropped))
        }
        return result
    }

    /// Every mutant of every primitive, in rule-table order.
    public static var all: [RuleMutation] { Op.primitives.flatMap(mutants(of:)) }

    /// A stable identifier: `sin/argument-doubled`, `div/sign-flipped/b`,
    /// `relu/kink-convention` (under `x>=0`), `max/kink-convention/pytorch`.
    public var id: String {
        var s = "\(op)/\(kind.rawValue)"
        if !Kind.operandFree.contains(kind), op.arity == 2 { s += operand == 0 ? "/a" : "/b" }
        if kind == .kinkConvention, convention != .default { s += "/\(convention)" }
        return s
    }

    /// In words: `∂/∂b of '/' with its sign flipped`.
    public var description: String {
        let partial = op.arity == 2 ? (operand == 0 ? "∂/∂a" : "∂/∂b") : "the derivative"
        let second = op.arity == 2 ? (operand == 0 ? "∂²/∂a²" : "∂²/∂b²") : "the second derivative"
        let name = "'\(op.name)'" + (op == .powConst ? " (constant exponent)" : op == .pow ? " (variable exponent)" : "")
        return switch kind {
        case .signFlipped: "\(partial) of \(name) with its sign flipped"
        case .doubled: "\(partial) of \(name) doubled"
        case .dropped: "\(partial) of \(name) dropped (0)"
        case .slightlyOff: "\(partial) of \(name) off by a relative 1e-6"
        case .argumentDoubled: "the rule of \(name) evaluated at \(op.arity == 2 ? (operand == 0 ? "2a" : "2b") : "2x")"
        case .swapped: "∂/∂a and ∂/∂b of \(name) swapped"
        case .oneBranch: op.kink == .whereOperandsAreEqual
            ? "the rule of \(name) for the first operand winning used everywhere"
            : "the rule of \(name) for x >= 0 used for x < 0 too"
        case .kinkConvention:
            convention == .default
                ? (op.kink == .whereOperandsAreEqual
                    ? "a tie of \(name) going to the second operand"
                    : "the derivative of \(name) at x = 0 taken from the x < 0 side")
                : "under the \(convention) kink convention, " + (op.kink == .whereOperandsAreEqual
                    ? "a tie of \(name) not split in halves (the first operand's rule)"
                    : RuleMutation.convention(convention, agreesWithDefaultAt: op)
                        ? "the derivative of \(name) at x = 0 taken from the x < 0 side"
                        : "the derivative of \(name) at x = 0 taken from the x >= 0 branch")
        case .secondSignFlipped: "\(second) of \(name) with its sign flipped"
        case .secondDoubled: "\(second) of \(name) doubled"
        case .secondDropped: "\(second) of \(name) dropped (0)"
        case .secondArgumentDoubled: "the second-order rule of \(name) evaluated at \(op.arity == 2 ? (operand == 0 ? "2a" : "2b") : "2x")"
        case .mixedSignFlipped: "∂²/∂a∂b of \(name) with its sign flipped"
        case .mixedDropped: "∂²/∂a∂b of \(name) dropped (0)"
        }
    }

    /// The mutated second-order partials `(∂²v/∂a², ∂²v/∂a∂b, ∂²v/∂b²)` at `(a, b)`, given the
    /// node's (true) value `v`: the true ones for a first-order mutant.
    @inlinable
    public func secondPartials(_ a: Double, _ b: Double, value v: Double) -> (Double, Double, Double) {
        var (aa, ab, bb) = op.secondPartials(a, b, value: v)
        switch kind {
        case .secondSignFlipped: if operand == 0 { aa = -aa } else { bb = -bb }
        case .secondDoubled: if operand == 0 { aa *= 2 } else { bb *= 2 }
        case .secondDropped: if operand == 0 { aa = 0 } else { bb = 0 }
        case .secondArgumentDoubled:
            let (a2, b2) = operand == 0 ? (2 * a, b) : (a, 2 * b)
            (aa, ab, bb) = op.secondPartials(a2, b2, value: op.value(a2, b2))
        case .mixedSignFlipped: ab = -ab
        case .mixedDropped: ab = 0
        default: break
        }
        return (aa, ab, bb)
    }

    /// Whether `convention` gives `op` the same partials at its kink as the default does
    /// (JAX's `abs'(0) = 1`): its mutant then takes the `x < 0` side instead.
    public static func convention(_ convention: KinkConvention, agreesWithDefaultAt op: Op) -> Bool {
        // A kink point with a non-zero parameter, so leaky_relu's and elu's `a` shows.
        let (a, b) = op.kink == .whereOperandsAreEqual ? (0.75, 0.75) : (0.0, 0.3)
        let mine = op.kinkPartials(a, b, convention: convention), theirs = op.kinkPartials(a, b, convention: .default)
        return mine == theirs
    }

    /// The mutated partials at `(a, b)` under the default kink convention, given the node's
    /// (true) value `v`.
    public func partials(_ a: Double, _ b: Double, value v: Double) -> (Double, Double) {
        partials(a, b, value: v, convention: .default)
    }

    /// The mutated partials at `(a, b)` in a workspace whose kink convention is `inForce`.
    @inlinable
    public func partials(_ a: Double, _ b: Double, value v: Double, convention inForce: KinkConvention) -> (Double, Double) {
        var (pa, pb) = op.partials(a, b, value: v, convention: inForce)
        func mutate(_ p: inout Double) {
            switch kind {
            case .signFlipped: p = -p
            case .doubled: p *= 2
            case .dropped: p = 0
            case .slightlyOff: p *= 1 + RuleMutation.relativeError
            default: break
            }
        }
        switch kind {
        case .swapped:
            swap(&pa, &pb)
        case .oneBranch:
            // The mirrored point is on the x >= 0 (first operand winning) side.
            // `min`'s first operand wins where a - b <= 0, every other primitive's where the
            // switching argument is >= 0.
            guard let switching = op.switchingArgument(a, b), op == .min ? switching > 0 : switching < 0 else { break }
            let (a2, b2) = op.kink == .whereOperandsAreEqual ? (b, a) : (-a, b)
            (pa, pb) = op.partials(a2, b2, value: op.value(a2, b2), convention: inForce)
        case .kinkConvention:
            guard inForce == convention, op.switchingArgument(a, b) == 0 else { break }
            if convention != .default, op.kink == .whereOperandsAreEqual || !RuleMutation.convention(convention, agreesWithDefaultAt: op) {
                // The x >= 0 rule where this convention's differs from it.
                (pa, pb) = op.kinkPartials(a, b, convention: .default)
                break
            }
            // Just across the kink: x slightly negative, or the second operand just winning.
            let (a2, b2): (Double, Double) = switch op {
            case .max: (a, b.nextUp)
            case .min: (a, b.nextDown)
            default: (-Double.leastNonzeroMagnitude, b)
            }
            (pa, pb) = op.partials(a2, b2, value: op.value(a2, b2))
        case .argumentDoubled:
            let (a2, b2) = operand == 0 ? (2 * a, b) : (a, 2 * b)
            (pa, pb) = op.partials(a2, b2, value: op.value(a2, b2), convention: inForce)
        default:
            if operand == 0 { mutate(&pa) } else { mutate(&pb) }
        }
        return (pa, pb)
    }

    /// Whether the mutant gives the true partials (on its differentiable operands) at every
    /// one of `points`: then no test can tell it apart, and it is an equivalent mutant
    /// (`+`'s rule evaluated at `2a` is still `(1, 1)`; `relu'(2x) = relu'(x)`).
    /// Under every kink convention.
    public func isEquivalent(at points: [(Double, Double)]) -> Bool {
        let operands = RuleMutation.differentiableOperands(of: op)
        if isSecondOrder {
            // The second partials of the differentiable operands: aa, ab (both), bb.
            func same(_ t: Double, _ m: Double) -> Bool { t == m || (t.isNaN && m.isNaN) }
            for (a, b) in points {
                let v = op.value(a, b)
                let truth = op.secondPartials(a, b, value: v), mutant = secondPartials(a, b, value: v)
                if operands.contains(0), !same(truth.0, mutant.0) { return false }
                if operands.count == 2, !same(truth.1, mutant.1) { return false }
                if operands.contains(1), !same(truth.2, mutant.2) { return false }
            }
            return true
        }
        for convention in KinkConvention.allCases {
            for (a, b) in points {
                let v = op.value(a, b)
                let truth = op.partials(a, b, value: v, convention: convention)
                let mutant = partials(a, b, value: v, convention: convention)
                for k in operands {
                    let t = k == 0 ? truth.0 : truth.1, m = k == 0 ? mutant.0 : mutant.1
                    if t != m && !(t.isNaN && m.isNaN) { return false }
                }
            }
        }
        return true
    }

    /// Points spread over every primitive's domain and both sides of every kink, for
    /// ``isEquivalent(at:)``: a grid of `a` and `b` in `[-3, 3]` (with `±0.5` steps and a few
    /// irrational offsets) — 1,369 pairs.
    public static let probePoints: [(Double, Double)] = {
        let axis = stride(from: -3.0, through: 3.0, by: 0.5).map { $0 } + [-2.7182818, -0.3183099, 0.1414213, 0.7071067, 1.6180339, 2.2360679, 0.0314159, -1.4142135, 2.9, -0.9, 0.35, -0.05, 0.95, 1.05, 0.6, -0.6, 0.2, -2.2, 1.3, -1.7, 0.45, 2.45, -2.45, 0.01]
        return axis.flatMap { a in axis.map { b in (a, b) } }
    }()
}
