/// Builds a ``Graph`` node by node, validating as it goes: operands must already exist
/// (no forward references), arities match the rule table, names are unique identifiers.
///
/// ```swift
/// var b = GraphBuilder()
/// let x = try b.input("x")
/// let a = try b.apply(.pow, x, b.constant(2), name: "a")
/// try b.output(try b.apply(.exp, a), name: "f")
/// let graph = try b.build()
/// ```
public struct GraphBuilder: Sendable {
    private var graph = Graph()
    private var usedNames: Set<String> = []

    public init() {}

    /// Number of nodes so far.
    public var nodeCount: Int { graph.nodeCount }

    /// The name of `node`, if it has one.
    public func name(of node: Int) -> String? { graph.names[node] }

    /// Adds an input; inputs are numbered in the order they are added.
    @discardableResult
    public mutating func input(_ name: String) throws(ADCoreError) -> Int {
        try claim(name)
        return try append(.input, lhs: Int32(graph.inputNodes.count), rhs: -1, payload: 0, name: name) {
            $0.inputNodes.append($1)
        }
    }

    /// Adds a constant (optionally named, e.g. `pi`).
    public mutating func constant(_ value: Double, name: String? = nil) throws(ADCoreError) -> Int {
        if let name { try claim(name) }
        return try append(.constant, lhs: -1, rhs: -1, payload: value, name: name)
    }

    /// Adds a primitive application. `pow` with a constant exponent becomes the `powConst`
    /// fast path.
    public mutating func apply(_ op: Op, _ a: Int, _ b: Int? = nil, name: String? = nil) throws(ADCoreError) -> Int {
        guard !op.isLeaf else { throw .arity(op: op, expected: 0, got: b == nil ? 1 : 2) }
        let given = b == nil ? 1 : 2
        guard given == op.arity else { throw .arity(op: op, expected: op.arity, got: given) }
        guard (0..<graph.nodeCount).contains(a) else {
            throw .forwardReference(op: op, operand: a, nodeCount: graph.nodeCount)
        }
        if let b, !(0..<graph.nodeCount).contains(b) {
            throw .forwardReference(op: op, operand: b, nodeCount: graph.nodeCount)
        }
        var op = op
        if op == .pow, let b, graph.ops[b] == .constant { op = .powConst }
        if op == .powConst, let b, graph.ops[b] != .constant { op = .pow }
        if let name { try claim(name) }
        return try append(op, lhs: Int32(a), rhs: b.map(Int32.init) ?? -1, payload: 0, name: name)
    }

    /// Gives an existing unnamed node a name (used by the recorder).
    public mutating func name(_ node: Int, _ name: String) throws(ADCoreError) {
        guard node >= 0, node < graph.nodeCount else {
            throw .forwardReference(op: .input, operand: node, nodeCount: graph.nodeCount)
        }
        if graph.names[node] == name { return }
        try claim(name)
        if let old = graph.names[node] { usedNames.remove(old) }
        graph.names[node] = name
    }

    /// Marks a node as an output. Output names default to `y<k>` (or the node's name).
    public mutating func output(_ node: Int, name: String? = nil) throws(ADCoreError) {
        guard node >= 0, node < graph.nodeCount else {
            throw .forwardReference(op: .input, operand: node, nodeCount: graph.nodeCount)
        }
        graph.outputNodes.append(node)
        graph.outputNames.append(name ?? graph.names[node] ?? "y\(graph.outputNodes.count - 1)")
    }

    /// The finished graph; it must have at least one output.
    public func build() throws(ADCoreError) -> Graph {
        guard !graph.outputNodes.isEmpty else { throw .noOutputs }
        return graph
    }

    /// Whether `name` is a plain identifier: a letter or `_`, then letters, digits, `_`.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first,
              first == "_" || first.properties.isAlphabetic else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }

    private mutating func claim(_ name: String) throws(ADCoreError) {
        guard GraphBuilder.isValidName(name) else { throw .invalidName(name) }
        guard usedNames.insert(name).inserted else { throw .duplicateName(name) }
    }

    private mutating func append(
        _ op: Op, lhs: Int32, rhs: Int32, payload: Double, name: String?,
        also: (inout Graph, Int) -> Void = { _, _ in }
    ) throws(ADCoreError) -> Int {
        guard graph.nodeCount < Int(Int32.max) else { throw .tooManyNodes }
        let index = graph.nodeCount
        graph.ops.append(op)
        graph.lhs.append(lhs)
        graph.rhs.append(rhs)
        graph.payload.append(payload)
        graph.names.append(name)
        also(&graph, index)
        return index
    }
}
