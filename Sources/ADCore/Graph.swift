/// A Wengert list: inputs, constants and primitive applications in topological order.
///
/// Storage is flat, one array per field, indexed by node: `ops[i]` is the operation,
/// `lhs[i]`/`rhs[i]` the operand node indices (`-1` when absent; for an input node `lhs`
/// is its input position), `payload[i]` a constant's value. A ``Workspace`` copies them once
/// into its own evaluation order (inputs, constants, then the primitives in runs of one op).
///
/// Build one with ``GraphBuilder`` or ``Graph/record(inputNames:_:)``; evaluate and
/// differentiate it in a ``Workspace``.
public struct Graph: Sendable, Hashable {
    /// The operation of each node.
    public internal(set) var ops: [Op] = []
    /// First operand of each node (input position for `.input`, `-1` when absent).
    public internal(set) var lhs: [Int32] = []
    /// Second operand of each node (`-1` when absent).
    public internal(set) var rhs: [Int32] = []
    /// Value of each constant node (0 for the others).
    public internal(set) var payload: [Double] = []
    /// Name of each node, if it has one (inputs always have one).
    public internal(set) var names: [String?] = []
    /// Node index of each input, in input order (the gradient's column order).
    public internal(set) var inputNodes: [Int] = []
    /// Node index of each output, in output order (the Jacobian's row order).
    public internal(set) var outputNodes: [Int] = []
    /// Name of each output.
    public internal(set) var outputNames: [String] = []

    /// Number of nodes, leaves included.
    /// The empty graph (no inputs, no nodes), e.g. for a case that is checked without one.
    public init() {}

    @inlinable public var nodeCount: Int { ops.count }
    /// Number of inputs (`n` of `R^n -> R^m`).
    @inlinable public var inputCount: Int { inputNodes.count }
    /// Number of outputs (`m` of `R^n -> R^m`).
    @inlinable public var outputCount: Int { outputNodes.count }

    /// Names of the inputs, in order.
    public var inputNames: [String] { inputNodes.map { names[$0] ?? "" } }

    /// Node index of the node or input called `name`.
    public func node(named name: String) -> Int? {
        names.firstIndex(of: name)
    }

    /// Whether every primitive of the graph is analytic (the complex step applies).
    public var isAnalytic: Bool { ops.allSatisfy(\.isAnalytic) }

    /// The first non-analytic node, for error messages.
    public var firstNonAnalyticNode: Int? { ops.firstIndex { !$0.isAnalytic } }

    /// A display name for every node: its own name, else `v<index>` (made unique).
    public var displayNames: [String] {
        var used = Set(names.compactMap { $0 })
        return names.enumerated().map { index, name in
            if let name { return name }
            var candidate = "v\(index)"
            while used.contains(candidate) { candidate += "'" }
            used.insert(candidate)
            return candidate
        }
    }

    /// The formula a node computes from its operands' display names, as in `a + b`,
    /// `exp(a)`, `x ^ 2`. Constants are shown by value (or name).
    public func formula(of node: Int, displayNames: [String]) -> String {
        let op = ops[node]
        func operand(_ index: Int32) -> String {
            let i = Int(index)
            if ops[i] == .constant, names[i] == nil { return Graph.format(payload[i]) }
            return displayNames[i]
        }
        switch op {
        case .input: return "input \(lhs[node])"
        case .constant: return Graph.format(payload[node])
        case .add, .sub, .mul, .div, .pow, .powConst:
            return "\(operand(lhs[node])) \(op.name) \(operand(rhs[node]))"
        case .neg: return "-\(operand(lhs[node]))"
        default:
            return op.arity == 2
                ? "\(op.name)(\(operand(lhs[node])), \(operand(rhs[node])))"
                : "\(op.name)(\(operand(lhs[node])))"
        }
    }

    /// A number as a person writes it: `2`, `0.5`, `1e-07`, and `pi` for `Double.pi`.
    public static func format(_ x: Double) -> String {
        if x == .pi { return "pi" }
        if x.isFinite, x == x.rounded(), Swift.abs(x) < 1e15 { return String(Int64(x)) }
        return String(describing: x)
    }
}
