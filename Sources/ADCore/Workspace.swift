/// Reusable buffers for evaluating and differentiating one ``Graph``.
///
/// A workspace owns flat buffers sized for its graph, allocated once: node values, the two
/// local partials of every node, tangents (`width` per node) and adjoints. Evaluating or
/// differentiating again reuses them, so repeated calls allocate nothing (the `into:`
/// variants; the conveniences that return arrays allocate only their result).
///
/// The sweeps:
/// - ``evaluate(at:)``: the primal sweep, values only.
/// - ``linearize(at:)``: the primal sweep that also stores each node's local partials,
///   which every tangent and adjoint sweep afterwards reuses.
/// - ``forward(seeds:width:)``: tangents of every node for `width` directions at once.
/// - ``reverse(cotangent:)``: adjoints of every node, inputs and intermediates alike.
///
/// Inside, the nodes sit in *slots* in evaluation order: the inputs in input order, the
/// constants, one slot that is always 0 (the second operand of every unary primitive, so no
/// sweep branches on the arity), then the primitives in the order of the graph's ``Schedule``.
/// Where the schedule has long runs of one op (a mean of ``runThreshold`` nodes or more), the
/// primal sweep dispatches once per run and loops over the run with the op fixed; otherwise
/// once per node. The tangent and adjoint sweeps never dispatch on the op: they read only the
/// stored partials. The node-indexed views (``values``, ``adjoints``, ``tangent(of:direction:)``
/// and the rest) map nodes to slots, so callers see the graph's node order.
///
/// A workspace is a value: copying one and sweeping the copy copies the buffers first.
public struct Workspace: Sendable {
    /// The graph this workspace evaluates.
    public let graph: Graph
    var storage: WorkspaceStorage
    /// Number of directions of the last forward sweep.
    public internal(set) var tangentWidth = 0
    /// Whether the stored partials belong to the current values.
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

    /// The mean run length from which the primal sweep goes run by run.
    public static let runThreshold = 4.0

    public init(for graph: Graph) {
        self.graph = graph
        storage = WorkspaceStorage(graph, byRun: nil)
    }

    /// A workspace whose primal sweep goes run by run or node by node as told (for tests).
    init(for graph: Graph, sweepingByRun byRun: Bool) {
        self.graph = graph
        storage = WorkspaceStorage(graph, byRun: byRun)
    }

    /// Whether the primal sweep goes run by run (long runs of one op) or node by node.
    public var sweepsByRun: Bool { storage.byRun }

    /// The value of `node` after a primal sweep.
    public func value(of node: Int) -> Double { storage.values[storage.slot(of: node)] }

    /// The adjoint of `node` after a reverse sweep.
    public func adjoint(of node: Int) -> Double { storage.adjoints[storage.slot(of: node)] }

    /// `(∂v/∂lhs, ∂v/∂rhs)` of `node` after ``linearize(at:)``.
    public func partials(of node: Int) -> (Double, Double) {
        let s = storage.slot(of: node)
        return (storage.partials[2 &* s], storage.partials[2 &* s &+ 1])
    }

    /// The value of output `k` after a primal sweep.
    public func outputValue(_ k: Int) -> Double { storage.values[Int(storage.outputSlots[k])] }

    /// The values of all outputs after a primal sweep.
    public var outputValues: [Double] { (0..<graph.outputCount).map(outputValue) }

    /// The value of every node (node order) after the last primal sweep: a copy.
    public var values: [Double] { (0..<graph.nodeCount).map(value(of:)) }

    /// `∂v_i/∂lhs, ∂v_i/∂rhs` of node `i` at `2i, 2i + 1`, after ``linearize(at:)``: a copy.
    public var partials: [Double] {
        var p = [Double](repeating: 0, count: 2 * graph.nodeCount)
        for node in 0..<graph.nodeCount { (p[2 * node], p[2 * node + 1]) = partials(of: node) }
        return p
    }

    /// `∂<w, y>/∂v_i` for every node (node order) after ``reverse(cotangent:)``: a copy.
    public var adjoints: [Double] { (0..<graph.nodeCount).map(adjoint(of:)) }

    /// Tangents after ``forward(seeds:width:)``, direction `j` of node `i` at
    /// `i * tangentWidth + j`: a copy.
    public var tangents: [Double] {
        (0..<graph.nodeCount * tangentWidth).map { tangent(of: $0 / tangentWidth, direction: $0 % tangentWidth) }
    }

    /// Makes the buffers this workspace's own before a sweep writes them (after a copy).
    @inline(__always) mutating func ownBuffers() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

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
        // No reference to the storage may be held here: ownBuffers() would see it shared and copy.
        guard x.count == graph.inputCount else { throw .inputCount(expected: graph.inputCount, got: x.count) }
        ownBuffers()
        let st = storage
        x.withUnsafeBufferPointer { x in
            if let base = x.baseAddress { st.values.update(from: base, count: st.inputCount) }
        }
        if st.byRun { st.primalByRun(storingPartials: storingPartials) } else { st.primalByNode(storingPartials: storingPartials) }
        if storingPartials, kinkConvention != .nonNegativeBranch { applyKinkConvention() }
        if storingPartials, let mutation = ruleMutation { applyMutation(mutation) }
        isLinearized = storingPartials
    }

    /// Overwrites the stored partials of the nodes that sit exactly on a kink with the
    /// convention's (a pass only under a convention other than the default).
    private func applyKinkConvention() {
        let s = storage
        for k in s.firstPrimitive..<s.slotCount where s.ops[k].kink != nil {
            let op = s.ops[k]
            let a = s.values[Int(s.lhs[k])], b = s.values[Int(s.rhs[k])]
            guard op.switchingArgument(a, b) == 0, !nodesKeepingTableKinks.contains(Int(s.nodeOfSlot[k])) else { continue }
            let (pa, pb) = op.kinkPartials(a, b, convention: kinkConvention)
            s.partials[2 * k] = pa
            s.partials[2 * k + 1] = pb
        }
    }

    /// Overwrites the stored partials of every node of the mutation's primitive.
    private func applyMutation(_ mutation: RuleMutation) {
        let s = storage
        for k in s.firstPrimitive..<s.slotCount where s.ops[k] == mutation.op {
            let a = s.values[Int(s.lhs[k])], b = s.values[Int(s.rhs[k])]
            let (pa, pb) = mutation.partials(a, b, value: s.values[k], convention: kinkConvention)
            s.partials[2 * k] = pa
            s.partials[2 * k + 1] = pb
        }
    }

    // MARK: - Forward (tangent) sweep

    /// Propagates `width` tangent directions at once through the linearized graph.
    ///
    /// `seeds` holds the input tangents input-major: direction `j` of input `k` at
    /// `k * width + j`. Afterwards ``tangent(of:direction:)`` gives every node's tangents.
    public mutating func forward(seeds: [Double], width: Int) throws(ADCoreError) {
        guard isLinearized else { throw .notLinearized }
        guard width >= 1, seeds.count == graph.inputCount * width else {
            throw .seedCount(what: "tangent seed (inputs × directions)", expected: graph.inputCount * Swift.max(width, 1), got: seeds.count)
        }
        ownBuffers()
        let s = storage
        s.reserveTangents(width: width)
        tangentWidth = width
        seeds.withUnsafeBufferPointer { seeds in
            if let base = seeds.baseAddress { s.tangents.update(from: base, count: s.inputCount * width) }
        }
        s.tangentSweep(width: width)
    }

    /// Tangent `direction` of `node` after a forward sweep.
    public func tangent(of node: Int, direction: Int = 0) -> Double {
        storage.tangents[storage.slot(of: node) &* tangentWidth &+ direction]
    }

    // MARK: - Reverse (adjoint) sweep

    /// Propagates the output cotangent `w` (one number per output, any values) backwards
    /// through the linearized graph. Afterwards ``adjoint(of:)`` gives `∂<w, y>/∂v` for every
    /// node.
    public mutating func reverse(cotangent w: [Double]) throws(ADCoreError) {
        guard isLinearized else { throw .notLinearized }
        guard w.count == graph.outputCount else {
            throw .seedCount(what: "cotangent", expected: graph.outputCount, got: w.count)
        }
        ownBuffers()
        let s = storage
        s.adjoints.update(repeating: 0, count: s.slotCount)
        for k in 0..<s.outputCount { s.adjoints[Int(s.outputSlots[k])] += w[k] }
        s.adjointSweep()
    }

    /// The adjoint of input `k` after a reverse sweep.
    public func inputAdjoint(_ k: Int) -> Double { storage.adjoints[k] }

    /// Copies the input adjoints (the gradient of the last reverse sweep) into `g`.
    func copyInputAdjoints(into g: inout [Double]) {
        let s = storage
        if g.count != s.inputCount { g = Array(repeating: 0, count: s.inputCount) }
        g.withUnsafeMutableBufferPointer { g in
            if let base = g.baseAddress { base.update(from: s.adjoints, count: s.inputCount) }
        }
    }
}

/// The buffers of a ``Workspace`` and its graph in slot order, allocated once per workspace.
///
/// Raw buffers rather than arrays: a sweep reads and writes them with no uniqueness check,
/// retain or release per call, and the copy-on-write of ``Workspace`` copies them as a whole.
final class WorkspaceStorage: @unchecked Sendable {
    let nodeCount: Int
    let inputCount: Int
    /// Slots `0 ..< firstPrimitive` hold the inputs, the constants and the zero slot.
    let firstPrimitive: Int
    /// The slot whose value and tangents are always 0: the second operand of unary primitives.
    let zeroSlot: Int
    /// `nodeCount + 1`: every node and the zero slot.
    let slotCount: Int
    let outputCount: Int
    /// Op, operand slots of each slot (the zero slot as second operand of unary primitives).
    let ops: UnsafeMutablePointer<Op>
    let lhs: UnsafeMutablePointer<Int32>
    let rhs: UnsafeMutablePointer<Int32>
    let slotOfNode: UnsafeMutablePointer<Int32>
    /// The node of each slot (-1 for the zero slot).
    let nodeOfSlot: UnsafeMutablePointer<Int32>
    let outputSlots: UnsafeMutablePointer<Int32>
    /// Runs of one op over the primitive slots: run `r` covers `runStarts[r] ..< runStarts[r + 1]`.
    let runOps: UnsafeMutablePointer<Op>
    let runStarts: UnsafeMutablePointer<Int32>
    let runCount: Int
    /// Whether the primal sweep goes run by run.
    let byRun: Bool
    let values: UnsafeMutablePointer<Double>
    let partials: UnsafeMutablePointer<Double>
    let adjoints: UnsafeMutablePointer<Double>
    private(set) var tangents: UnsafeMutablePointer<Double>
    private(set) var tangentCapacity: Int
    /// The tangent of every slot's adjoint, for Hessian-vector products only: allocated on the first.
    private(set) var adjointTangentBuffer: UnsafeMutablePointer<Double>?
    /// A number drawn for each storage, copies included, that tests compare to see that repeated
    /// sweeps did not copy the buffers (an address can be reused after a copy frees the old).
    let identity = UInt64.random(in: .min ... .max)

    init(_ graph: Graph, byRun: Bool?) {
        let schedule = Schedule(graph)
        nodeCount = graph.nodeCount
        inputCount = graph.inputCount
        outputCount = graph.outputCount
        slotCount = nodeCount + 1
        ops = .allocate(capacity: slotCount)
        lhs = .allocate(capacity: slotCount)
        rhs = .allocate(capacity: slotCount)
        slotOfNode = .allocate(capacity: Swift.max(nodeCount, 1))
        nodeOfSlot = .allocate(capacity: slotCount)
        outputSlots = .allocate(capacity: Swift.max(outputCount, 1))
        values = .allocate(capacity: slotCount)
        partials = .allocate(capacity: 2 * slotCount)
        adjoints = .allocate(capacity: slotCount)
        tangents = .allocate(capacity: slotCount)
        tangentCapacity = slotCount
        values.initialize(repeating: 0, count: slotCount)
        partials.initialize(repeating: 0, count: 2 * slotCount)
        adjoints.initialize(repeating: 0, count: slotCount)
        tangents.initialize(repeating: 0, count: slotCount)
        ops.initialize(repeating: .constant, count: slotCount)
        lhs.initialize(repeating: 0, count: slotCount)
        rhs.initialize(repeating: 0, count: slotCount)
        nodeOfSlot.initialize(repeating: -1, count: slotCount)
        slotOfNode.initialize(repeating: 0, count: Swift.max(nodeCount, 1))

        // Leaves: inputs at their input positions, then the constants with their values.
        var next = inputCount
        for i in 0..<nodeCount {
            switch graph.ops[i] {
            case .input:
                let position = Int(graph.lhs[i])
                slotOfNode[i] = Int32(position)
                nodeOfSlot[position] = Int32(i)
                ops[position] = .input
            case .constant:
                slotOfNode[i] = Int32(next)
                nodeOfSlot[next] = Int32(i)
                values[next] = graph.payload[i]
                next += 1
            default:
                break
            }
        }
        zeroSlot = next
        next += 1
        firstPrimitive = next
        for node in schedule.order {
            slotOfNode[Int(node)] = Int32(next)
            nodeOfSlot[next] = node
            next += 1
        }
        precondition(next == slotCount, "every node has one slot")
        for k in firstPrimitive..<slotCount {
            let i = Int(nodeOfSlot[k])
            ops[k] = graph.ops[i]
            lhs[k] = slotOfNode[Int(graph.lhs[i])]
            let r = graph.rhs[i]
            rhs[k] = r >= 0 ? slotOfNode[Int(r)] : Int32(zeroSlot)
        }
        for (k, node) in graph.outputNodes.enumerated() { outputSlots[k] = slotOfNode[node] }
        runCount = schedule.runCount
        runOps = .allocate(capacity: Swift.max(runCount, 1))
        runStarts = .allocate(capacity: runCount + 1)
        for r in 0..<runCount {
            runOps[r] = schedule.runOps[r]
            runStarts[r] = schedule.runStarts[r] + Int32(firstPrimitive)
        }
        runStarts[runCount] = Int32(slotCount)
        self.byRun = byRun ?? (schedule.meanRunLength >= Workspace.runThreshold)
    }

    private init(copying other: WorkspaceStorage) {
        nodeCount = other.nodeCount
        inputCount = other.inputCount
        firstPrimitive = other.firstPrimitive
        zeroSlot = other.zeroSlot
        slotCount = other.slotCount
        outputCount = other.outputCount
        runCount = other.runCount
        byRun = other.byRun
        tangentCapacity = other.tangentCapacity
        func clone<T>(_ p: UnsafeMutablePointer<T>, _ count: Int) -> UnsafeMutablePointer<T> {
            let q = UnsafeMutablePointer<T>.allocate(capacity: count)
            q.initialize(from: p, count: count)
            return q
        }
        ops = clone(other.ops, slotCount)
        lhs = clone(other.lhs, slotCount)
        rhs = clone(other.rhs, slotCount)
        slotOfNode = clone(other.slotOfNode, Swift.max(nodeCount, 1))
        nodeOfSlot = clone(other.nodeOfSlot, slotCount)
        outputSlots = clone(other.outputSlots, Swift.max(outputCount, 1))
        runOps = clone(other.runOps, Swift.max(runCount, 1))
        runStarts = clone(other.runStarts, runCount + 1)
        values = clone(other.values, slotCount)
        partials = clone(other.partials, 2 * slotCount)
        adjoints = clone(other.adjoints, slotCount)
        tangents = clone(other.tangents, tangentCapacity)
        adjointTangentBuffer = other.adjointTangentBuffer.map { clone($0, slotCount) }
    }

    func copy() -> WorkspaceStorage { WorkspaceStorage(copying: self) }

    deinit {
        ops.deallocate(); lhs.deallocate(); rhs.deallocate()
        slotOfNode.deallocate(); nodeOfSlot.deallocate(); outputSlots.deallocate()
        runOps.deallocate(); runStarts.deallocate()
        values.deallocate(); partials.deallocate(); adjoints.deallocate(); tangents.deallocate()
        adjointTangentBuffer?.deallocate()
    }

    /// The tangents of the adjoints (after a Hessian-vector product), allocated on first use.
    var adjointTangents: UnsafeMutablePointer<Double> {
        if let adjointTangentBuffer { return adjointTangentBuffer }
        let buffer = UnsafeMutablePointer<Double>.allocate(capacity: slotCount)
        buffer.initialize(repeating: 0, count: slotCount)
        adjointTangentBuffer = buffer
        return buffer
    }

    @inline(__always) func slot(of node: Int) -> Int {
        precondition(node >= 0 && node < nodeCount, "node index out of range")
        return Int(slotOfNode[node])
    }

    /// Room for `width` tangents per slot; the constants' and the zero slot's rows are 0.
    func reserveTangents(width: Int) {
        let needed = slotCount * width
        if tangentCapacity < needed {
            tangents.deallocate()
            tangents = .allocate(capacity: needed)
            tangents.initialize(repeating: 0, count: needed)
            tangentCapacity = needed
        }
        (tangents + inputCount * width).update(repeating: 0, count: (firstPrimitive - inputCount) * width)
    }

    // MARK: Sweeps

    /// The primal sweep node by node: one dispatch on the op per node.
    func primalByNode(storingPartials: Bool) {
        let v = values, p = partials, ops = ops, lhs = lhs, rhs = rhs
        for k in firstPrimitive..<slotCount {
            let op = ops[k]
            let a = v[Int(lhs[k])], b = v[Int(rhs[k])]
            let value = op.value(a, b)
            v[k] = value
            if storingPartials {
                let (pa, pb) = op.partials(a, b, value: value)
                p[2 &* k] = pa
                p[2 &* k &+ 1] = pb
            }
        }
    }

    /// The primal sweep run by run: one dispatch per run, then a loop with the op a constant,
    /// in which the rule table's `switch` folds away.
    func primalByRun(storingPartials: Bool) {
        if storingPartials {
            for r in 0..<runCount { linearizeRun(runOps[r], Int(runStarts[r]), Int(runStarts[r + 1])) }
        } else {
            for r in 0..<runCount { evaluateRun(runOps[r], Int(runStarts[r]), Int(runStarts[r + 1])) }
        }
    }

    /// One dispatch for the run, then the op a constant in each case's loop.
    @inline(__always)
    private func evaluateRun(_ op: Op, _ start: Int, _ end: Int) {
        switch op {
        case .input, .constant: break
        case .add: values(.add, start, end)
        case .sub: values(.sub, start, end)
        case .mul: values(.mul, start, end)
        case .div: values(.div, start, end)
        case .neg: values(.neg, start, end)
        case .pow: values(.pow, start, end)
        case .powConst: values(.powConst, start, end)
        case .exp: values(.exp, start, end)
        case .log: values(.log, start, end)
        case .sqrt: values(.sqrt, start, end)
        case .sin: values(.sin, start, end)
        case .cos: values(.cos, start, end)
        case .tan: values(.tan, start, end)
        case .asin: values(.asin, start, end)
        case .acos: values(.acos, start, end)
        case .atan: values(.atan, start, end)
        case .sinh: values(.sinh, start, end)
        case .cosh: values(.cosh, start, end)
        case .tanh: values(.tanh, start, end)
        case .sigmoid: values(.sigmoid, start, end)
        case .softplus: values(.softplus, start, end)
        case .relu: values(.relu, start, end)
        case .leakyRelu: values(.leakyRelu, start, end)
        case .elu: values(.elu, start, end)
        case .abs: values(.abs, start, end)
        case .max: values(.max, start, end)
        case .min: values(.min, start, end)
        }
    }

    @inline(__always)
    private func linearizeRun(_ op: Op, _ start: Int, _ end: Int) {
        switch op {
        case .input, .constant: break
        case .add: valuesAndPartials(.add, start, end)
        case .sub: valuesAndPartials(.sub, start, end)
        case .mul: valuesAndPartials(.mul, start, end)
        case .div: valuesAndPartials(.div, start, end)
        case .neg: valuesAndPartials(.neg, start, end)
        case .pow: valuesAndPartials(.pow, start, end)
        case .powConst: valuesAndPartials(.powConst, start, end)
        case .exp: valuesAndPartials(.exp, start, end)
        case .log: valuesAndPartials(.log, start, end)
        case .sqrt: valuesAndPartials(.sqrt, start, end)
        case .sin: valuesAndPartials(.sin, start, end)
        case .cos: valuesAndPartials(.cos, start, end)
        case .tan: valuesAndPartials(.tan, start, end)
        case .asin: valuesAndPartials(.asin, start, end)
        case .acos: valuesAndPartials(.acos, start, end)
        case .atan: valuesAndPartials(.atan, start, end)
        case .sinh: valuesAndPartials(.sinh, start, end)
        case .cosh: valuesAndPartials(.cosh, start, end)
        case .tanh: valuesAndPartials(.tanh, start, end)
        case .sigmoid: valuesAndPartials(.sigmoid, start, end)
        case .softplus: valuesAndPartials(.softplus, start, end)
        case .relu: valuesAndPartials(.relu, start, end)
        case .leakyRelu: valuesAndPartials(.leakyRelu, start, end)
        case .elu: valuesAndPartials(.elu, start, end)
        case .abs: valuesAndPartials(.abs, start, end)
        case .max: valuesAndPartials(.max, start, end)
        case .min: valuesAndPartials(.min, start, end)
        }
    }

    /// Values of the slots `start ..< end`, all of them `op` (a constant at each call site, so
    /// the rule table's `switch` folds away).
    @inline(__always)
    private func values(_ op: Op, _ start: Int, _ end: Int) {
        let v = values, lhs = lhs, rhs = rhs
        for k in start..<end { v[k] = op.value(v[Int(lhs[k])], v[Int(rhs[k])]) }
    }

    /// Values and local partials of the slots `start ..< end`, all of them `op`.
    @inline(__always)
    private func valuesAndPartials(_ op: Op, _ start: Int, _ end: Int) {
        let v = values, p = partials, lhs = lhs, rhs = rhs
        for k in start..<end {
            let a = v[Int(lhs[k])], b = v[Int(rhs[k])]
            let value = op.value(a, b)
            v[k] = value
            let (pa, pb) = op.partials(a, b, value: value)
            p[2 &* k] = pa
            p[2 &* k &+ 1] = pb
        }
    }

    /// Tangents of the primitive slots for `width` directions, the inputs' rows already seeded.
    /// The zero slot's tangents are 0, so a unary primitive's second term would vanish; with
    /// several directions it is skipped (half the loads of a unary node).
    func tangentSweep(width: Int) {
        let t = tangents, p = partials, lhs = lhs, rhs = rhs
        if width == 1 {
            for k in firstPrimitive..<slotCount {
                t[k] = scaled(p[2 &* k], by: t[Int(lhs[k])]) + scaled(p[2 &* k &+ 1], by: t[Int(rhs[k])])
            }
            return
        }
        let zero = zeroSlot
        for k in firstPrimitive..<slotCount {
            let pa = p[2 &* k], pb = p[2 &* k &+ 1]
            let base = k &* width, l = Int(lhs[k]) &* width
            if Int(rhs[k]) == zero {
                for j in 0..<width { t[base &+ j] = scaled(pa, by: t[l &+ j]) }
            } else {
                let r = Int(rhs[k]) &* width
                for j in 0..<width { t[base &+ j] = scaled(pa, by: t[l &+ j]) + scaled(pb, by: t[r &+ j]) }
            }
        }
    }

    /// Adjoints of every slot from the seeded output adjoints, last primitive first. A zero
    /// adjoint sends nothing, even through an infinite partial (as ``scaled(_:by:)``), and is
    /// skipped: a Jacobian's sweep for one output reaches a small part of the graph. Unary
    /// primitives send nothing to the zero slot: every one of them adding to that one address
    /// would chain them all through memory (a quarter more time on sum-sin-exp's sweep).
    func adjointSweep() {
        let adj = adjoints, p = partials, lhs = lhs, rhs = rhs, zero = zeroSlot
        var k = slotCount - 1
        while k >= firstPrimitive {
            let a = adj[k]
            if a != 0 {
                adj[Int(lhs[k])] += p[2 &* k] * a
                let r = Int(rhs[k])
                if r != zero { adj[r] += p[2 &* k &+ 1] * a }
            }
            k -= 1
        }
    }
}
