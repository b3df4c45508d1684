/// One row of a trace: a node with the formula it computes and its numbers, as in the
/// primal, tangent and adjoint tables of the lecture slides.
public struct TraceRow: Sendable, Codable, Equatable {
    /// Node index in the graph.
    public var node: Int
    /// The node's name (its own, or `v<index>`).
    public var name: String
    /// The operation (`+`, `exp`, `input`).
    public var op: String
    /// The formula over operand names: `a + b`, `exp(a)`, `x ^ 2`.
    public var formula: String
    /// The value in the primal sweep.
    public var value: Double
    /// The tangent for the trace's seed direction, if a tangent seed was given.
    public var tangent: Double?
    /// `∂<w, y>/∂node` for the trace's cotangent, if one was given.
    public var adjoint: Double?
    /// The adjoint's tangent along the seed (forward over reverse), when the trace is second
    /// order: at an input, that component of `Σ_k u_k ∇²f_k v`.
    public var adjointTangent: Double? = nil

    /// `c = a + b`.
    public var expression: String { op == "input" ? name : "\(name) = \(formula)" }
}

/// The primal, tangent and adjoint trace of a graph at one point.
public struct Trace: Sendable, Codable, Equatable {
    public var inputNames: [String]
    public var outputNames: [String]
    public var inputs: [Double]
    public var tangentSeed: [Double]?
    public var cotangent: [Double]?
    /// Inputs and computed nodes in evaluation order; unnamed constants are left out
    /// (they appear by value in the formulas).
    public var rows: [TraceRow]

    /// The row of the node called `name`.
    public func row(_ name: String) -> TraceRow? { rows.first { $0.name == name } }
}

extension Graph {
    /// The trace at `x`: every node's value, its tangent for `tangentSeed` (one number per
    /// input) and its adjoint for `cotangent` (one number per output), with the partials of
    /// kink nodes taken from `kinks` (but for `keepingTableKinks`, see
    /// ``Workspace/nodesKeepingTableKinks``).
    public func trace(
        at x: [Double], tangentSeed: [Double]? = nil, cotangent: [Double]? = nil, kinks: KinkConvention = .default,
        keepingTableKinks: Set<Int> = [], secondOrder: Bool = false
    ) throws(ADCoreError) -> Trace {
        var ws = Workspace(for: self)
        ws.kinkConvention = kinks
        ws.nodesKeepingTableKinks = keepingTableKinks
        let secondOrder = secondOrder && tangentSeed != nil && cotangent != nil
        if secondOrder, let tangentSeed, let cotangent {
            // Forward over reverse leaves the tangents along the seed, the adjoints for the
            // cotangent and their tangents in the workspace.
            _ = try ws.hvp(at: x, direction: tangentSeed, cotangent: cotangent)
        } else {
            try ws.linearize(at: x)
            if let tangentSeed { try ws.forward(seeds: tangentSeed, width: 1) }
            if let cotangent { try ws.reverse(cotangent: cotangent) }
        }
        let display = displayNames
        let rows = (0..<nodeCount).compactMap { i -> TraceRow? in
            if ops[i] == .constant, names[i] == nil { return nil }
            return TraceRow(
                node: i, name: display[i], op: ops[i].name,
                formula: formula(of: i, displayNames: display),
                value: ws.value(of: i),
                tangent: tangentSeed == nil ? nil : ws.tangent(of: i),
                adjoint: cotangent == nil ? nil : ws.adjoint(of: i),
                adjointTangent: secondOrder ? ws.adjointTangent(of: i) : nil
            )
        }
        return Trace(inputNames: inputNames, outputNames: outputNames, inputs: x,
                     tangentSeed: tangentSeed, cotangent: cotangent, rows: rows)
    }
}
