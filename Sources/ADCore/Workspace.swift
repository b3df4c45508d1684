/// Reusable buffers for evaluating and differentiating one ``Graph``.
///
/// A workspace owns flat arrays sized for its graph: node values, the two local partials of
/// every node, tangents (`nodeCount × width`, node-major) and adjoints. Evaluating or
/// differentiating again reuses them, so repeated calls allocate nothing (the `into:`
/// variants; the conveniences that return arrays allocate only their result).
///
/// The sweeps:
/// - ``evaluate(at:)``: the primal sweep, values only.
/// - ``linearize(at:)``: the primal sweep that also stores each node's local partials,
///   which every tangent and adjoint sweep afterwards reuses.
/// - ``forward(seeds:width:)``: tangents of every node for `width` directions at once.
/// - ``reverse(cotangent:)``: adjoints of every node, inputs and intermediates alike.
public struct Workspace: Sendable {
    /// The graph this workspace evaluates.
    public let graph: Graph
    /// The value of every node after the last primal sweep.
    public internal(set) var values: [Double]
    /// `∂v_i/∂lhs, ∂v_i/∂rhs` of node `i` at `2i, 2i + 1`, after ``linearize(at:)``.
    public internal(set) var partials: [Double]
    /// Tangents after ``forward(seeds:width:)``: direction `j` of node `i` at `i * tangentWidth + j`.
    public internal(set) var tangents: [Double] = []
    /// Number of directions of the last forward sweep.
    public internal(set) var tangentWidth = 0
    /// `∂<w, y>/∂v_i` for every node after ``reverse(cotangent:)``.
    public internal(set) var adjoints: [Double]
    /// Whether ``partials`` belong to the current ``values``.
    public internal(set) var isLinearized = false
    /// A deliberately wrong rule that ``linearize(at:)`` applies to the nodes of its primitive
    /// (`adverify selftest`); `nil`, the default, for the true rule table.
    public var ruleMutation: RuleMutation?
    /// The derivative piecewise primitives take exactly at their kinks; ``linearize(at:)``
    /// stores the rule table's (`x >= 0`) partials and, under another convention, then
    /// overwrites those of the nodes that sit exactly on a kink.
    public var kinkConvention: KinkConvention = .default
    /// Nodes that keep the rule table's partials at their kink whatever ``kinkConvention``
    /// says: the network lowering's pooling maxima, whose ties go to the first maximum of the
    /// window under every convention (as in the network core and PyTorch's `max_pool2d`).
    public var nodesKeepingTableKinks: Set<Int> = []

    /// Scratch for seeds and cotangents of the convenience methods, reused across calls.
    var seedScratch: [Double] = []

    public init(for graph: Graph) {
        self.graph = graph
        values = Array(repeating: 0, count: graph.nodeCount)
        partials = Array(repeating: 0, count: 2 * graph.nodeCount)
        adjoints = Array(repeating: 0, count: graph.nodeCount)
    }

    /// The value of output `k` after a primal sweep.
    @inlinable public func outputValue(_ k: Int) -> Double { values[graph.outputNodes[k]] }

    /// The values of all outputs after a primal sweep.
    public var outputValues: [Double] { graph.outputNodes.map { values[$0] } }

    // MARK: - Primal sweep

    /// Evaluates every node at the input values `x` (in input order).
    public mutating func evaluate(at x: [Double]) throws(ADCoreError) {
        try sweepPrimal(at: x, storingPartials: false)
    }

    /// Evaluates every node at `x` and stores each node's local partial derivatives, which
    /// the tangent and adjoint sweeps then use.
    public mutating func linearize(at x: [Double]) throws(ADCoreError) {
        try sweepPrimal(at: x, storingPartials: true)
    }

    private mutating func sweepPrimal(at x: [Double], storingPartials: Bool) throws(ADCoreError) {
        guard x.count == graph.inputCount else { throw .inputCount(expected: graph.inputCount, got: x.count) }
        // The graph's arrays are read in place (copying `graph` would retain and release each
        // of its arrays, which is most of the cost of a call on a small graph).
        graph.ops.withUnsafeBufferPointer { ops in
        graph.lhs.withUnsafeBufferPointer { lhs in
        graph.rhs.withUnsafeBufferPointer { rhs in
        graph.payload.withUnsafeBufferPointer { payload in
        x.withUnsafeBufferPointer { x in
        values.withUnsafeMutableBufferPointer { v in
        partials.withUnsafeMutableBufferPointer { p in
            for i in 0..<ops.count {
                let op = ops[i]
                switch op {
                case .input: v[i] = x[Int(lhs[i])]
                case .constant: v[i] = payload[i]
                default:
                    let a = v[Int(lhs[i])]
                    let r = rhs[i]
                    let b = r >= 0 ? v[Int(r)] : 0
                    let value = op.value(a, b)
                    v[i] = value
                    if storingPartials {
                        let (pa, pb) = op.partials(a, b, value: value)
                        p[2 &* i] = pa
                        p[2 &* i &+ 1] = pb
                    }
                }
            }
        }}}}}}}
        if storingPartials, kinkConvention != .nonNegativeBranch { applyKinkConvention() }
        if storingPartials, let mutation = ruleMutation { applyMutation(mutation) }
        isLinearized = storingPartials
    }

    /// Overwrites the stored partials of the nodes that sit exactly on a kink with the
    /// convention's (a pass only under a convention other than the default).
    private mutating func applyKinkConvention() {
        let graph = graph
        for i in 0..<graph.nodeCount where graph.ops[i].kink != nil {
            let a = values[Int(graph.lhs[i])]
            let r = graph.rhs[i]
            let b = r >= 0 ? values[Int(r)] : 0
            guard graph.ops[i].switchingArgument(a, b) == 0, !nodesKeepingTableKinks.contains(i) else { continue }
            let (pa, pb) = graph.ops[i].kinkPartials(a, b, convention: kinkConvention)
            partials[2 * i] = pa
            partials[2 * i + 1] = pb
        }
    }

    /// Overwrites the stored partials of every node of the mutation's primitive.
    private mutating func applyMutation(_ mutation: RuleMutation) {
        let graph = graph
        for i in 0..<graph.nodeCount where graph.ops[i] == mutation.op {
            let a = values[Int(graph.lhs[i])]
            let r = graph.rhs[i]
            let b = r >= 0 ? values[Int(r)] : 0
            let (pa, pb) = mutation.partials(a, b, value: values[i], convention: kinkConvention)
            partials[2 * i] = pa
            partials[2 * i + 1] = pb
        }
    }

    // MARK: - Forward (tangent) sweep

    /// Propagates `width` tangent directions at once through the linearized graph.
    ///
    /// `seeds` holds the input tangents input-major: direction `j` of input `k` at
    /// `k * width + j`. Afterwards ``tangents`` holds every node's tangents.
    public mutating func forward(seeds: [Double], width: Int) throws(ADCoreError) {
        guard isLinearized else { throw .notLinearized }
        guard width >= 1, seeds.count == graph.inputCount * width else {
            throw .seedCount(what: "tangent seed (inputs × directions)", expected: graph.inputCount * Swift.max(width, 1), got: seeds.count)
        }
        let k = width
        let needed = graph.nodeCount * k
        if tangents.count < needed { tangents = Array(repeating: 0, count: needed) }
        tangentWidth = k
        graph.ops.withUnsafeBufferPointer { ops in
        graph.lhs.withUnsafeBufferPointer { lhs in
        graph.rhs.withUnsafeBufferPointer { rhs in
        partials.withUnsafeBufferPointer { p in
        seeds.withUnsafeBufferPointer { s in
        tangents.withUnsafeMutableBufferPointer { t in
            for i in 0..<ops.count {
                let base = i &* k
                switch ops[i] {
                case .input:
                    let row = Int(lhs[i]) &* k
                    for j in 0..<k { t[base &+ j] = s[row &+ j] }
                case .constant:
                    for j in 0..<k { t[base &+ j] = 0 }
                default:
                    let pa = p[2 &* i], pb = p[2 &* i &+ 1]
                    let l = Int(lhs[i]) &* k
                    let r = rhs[i]
                    if r < 0 {
                        for j in 0..<k { t[base &+ j] = scaled(pa, by: t[l &+ j]) }
                    } else {
                        let rr = Int(r) &* k
                        for j in 0..<k { t[base &+ j] = scaled(pa, by: t[l &+ j]) + scaled(pb, by: t[rr &+ j]) }
                    }
                }
            }
        }}}}}}
    }

    /// Tangent `direction` of `node` after a forward sweep.
    @inlinable public func tangent(of node: Int, direction: Int = 0) -> Double {
        tangents[node * tangentWidth + direction]
    }

    // MARK: - Reverse (adjoint) sweep

    /// Propagates the output cotangent `w` (one number per output, any values) backwards
    /// through the linearized graph. Afterwards ``adjoints`` holds `∂<w, y>/∂v` for every
    /// node.
    public mutating func reverse(cotangent w: [Double]) throws(ADCoreError) {
        guard isLinearized else { throw .notLinearized }
        guard w.count == graph.outputCount else {
            throw .seedCount(what: "cotangent", expected: graph.outputCount, got: w.count)
        }
        graph.ops.withUnsafeBufferPointer { ops in
        graph.lhs.withUnsafeBufferPointer { lhs in
        graph.rhs.withUnsafeBufferPointer { rhs in
        partials.withUnsafeBufferPointer { p in
        adjoints.withUnsafeMutableBufferPointer { adj in
            adj.update(repeating: 0)
            for (k, node) in graph.outputNodes.enumerated() { adj[node] += w[k] }
            var i = ops.count - 1
            while i >= 0 {
                defer { i -= 1 }
                let a = adj[i]
                if a == 0 || ops[i].isLeaf { continue }
                adj[Int(lhs[i])] += p[2 &* i] * a
                let r = rhs[i]
                if r >= 0 { adj[Int(r)] += p[2 &* i &+ 1] * a }
            }
        }}}}}
    }

    /// The adjoint of input `k` after a reverse sweep.
    @inlinable public func inputAdjoint(_ k: Int) -> Double { adjoints[graph.inputNodes[k]] }
}
