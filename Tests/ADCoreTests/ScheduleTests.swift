import Testing
import ADTestSupport
@testable import ADCore

/// The evaluation order of a workspace (``Schedule``, slots) against the graph's own node
/// order: the schedule must respect every dependency, and sweeping run by run or node by node
/// must give bit for bit the values and partials of a plain node-order interpretation, written
/// here from the rule table (which has its own tests against mpmath).
@Suite("Schedules and slots")
struct ScheduleTests {
    /// Values and partials node by node in the graph's order, the way the sweeps used to go.
    static func nodeOrder(_ graph: Graph, at x: [Double]) -> (values: [Double], partials: [Double]) {
        var v = [Double](repeating: 0, count: graph.nodeCount)
        var p = [Double](repeating: 0, count: 2 * graph.nodeCount)
        for i in 0..<graph.nodeCount {
            switch graph.ops[i] {
            case .input: v[i] = x[Int(graph.lhs[i])]
            case .constant: v[i] = graph.payload[i]
            default:
                let a = v[Int(graph.lhs[i])]
                let b = graph.rhs[i] >= 0 ? v[Int(graph.rhs[i])] : 0
                v[i] = graph.ops[i].value(a, b)
                (p[2 * i], p[2 * i + 1]) = graph.ops[i].partials(a, b, value: v[i])
            }
        }
        return (v, p)
    }

    @Test("the schedule lists every primitive once, after its operands, in runs of one op", arguments: 0..<20)
    func dependencies(seed: UInt64) throws {
        var rng = seededGenerator(300 + seed)
        let (graph, _) = try RandomGraphs.make(inputCount: 1 + Int(seed % 4), size: 20 + 40 * Int(seed), using: &rng)
        let schedule = Schedule(graph)
        let primitives = (0..<graph.nodeCount).filter { !graph.ops[$0].isLeaf }
        #expect(schedule.order.map(Int.init).sorted() == primitives)
        var position = [Int: Int]()
        for (k, node) in schedule.order.enumerated() { position[Int(node)] = k }
        for node in primitives {
            for operand in [graph.lhs[node], graph.rhs[node]] where operand >= 0 && !graph.ops[Int(operand)].isLeaf {
                #expect(position[Int(operand)]! < position[node]!, "operand \(operand) of node \(node) is scheduled after it")
            }
        }
        #expect(schedule.runStarts.first == 0 && Int(schedule.runStarts.last!) == schedule.order.count)
        for r in 0..<schedule.runCount {
            for k in Int(schedule.runStarts[r])..<Int(schedule.runStarts[r + 1]) {
                #expect(graph.ops[Int(schedule.order[k])] == schedule.runOps[r])
            }
        }
    }

    @Test("a sum of n similar terms is scheduled in a few long runs")
    func longRuns() throws {
        // sum_i sin(x_i) x_{i+1} + exp(x_i / n): six runs per block of nodes.
        let n = 300
        var b = GraphBuilder()
        let x = try (0..<n).map { try b.input("x\($0)") }
        let count = try b.constant(Double(n))
        var sum = -1
        for i in 0..<(n - 1) {
            let term = try b.apply(.add, try b.apply(.mul, try b.apply(.sin, x[i]), x[i + 1]),
                                   try b.apply(.exp, try b.apply(.div, x[i], count)))
            sum = sum < 0 ? term : try b.apply(.add, sum, term)
        }
        try b.output(sum)
        let schedule = Schedule(try b.build())
        #expect(schedule.runCount <= 8)
        #expect(schedule.meanRunLength > 200)
        #expect(Workspace(for: try b.build()).sweepsByRun)
    }

    @Test("run by run and node by node give the node-order values and partials bit for bit", arguments: 0..<20)
    func bothPaths(seed: UInt64) throws {
        var rng = seededGenerator(400 + seed)
        let (graph, x) = try RandomGraphs.make(inputCount: 2 + Int(seed % 3), size: 30 + 20 * Int(seed), outputCount: 2, using: &rng)
        let reference = Self.nodeOrder(graph, at: x)
        for byRun in [false, true] {
            var ws = Workspace(for: graph, sweepingByRun: byRun)
            #expect(ws.sweepsByRun == byRun)
            try ws.linearize(at: x)
            for i in 0..<graph.nodeCount {
                #expect(ws.value(of: i).bitPattern == reference.values[i].bitPattern, "node \(i), by run: \(byRun)")
                let (pa, pb) = ws.partials(of: i)
                #expect(pa.bitPattern == reference.partials[2 * i].bitPattern && pb.bitPattern == reference.partials[2 * i + 1].bitPattern,
                        "partials of node \(i), by run: \(byRun)")
            }
            try ws.evaluate(at: x.map { $0 * 1.01 })
            #expect(ws.outputValues == graph.outputNodes.map { Self.nodeOrder(graph, at: x.map { $0 * 1.01 }).values[$0] })
        }
    }

    @Test("a copied workspace sweeps its own buffers; the original keeps its values and adjoints")
    func copyOnWrite() throws {
        var rng = seededGenerator(77)
        let (graph, x) = try RandomGraphs.make(inputCount: 3, size: 40, using: &rng)
        var original = Workspace(for: graph)
        let g = try original.gradient(at: x)
        let values = original.values
        var copy = original
        let moved = x.map { $0 + rng.nonUnit() * 0.01 }
        let h = try copy.gradient(at: moved)
        #expect(original.values == values)
        #expect((0..<3).map(original.inputAdjoint) == g)
        #expect(copy.values == Self.nodeOrder(graph, at: moved).values)
        #expect((0..<3).map(copy.inputAdjoint) == h)
        #expect(copy.values != values)
    }

    @Test("a vector forward sweep equals one scalar sweep per direction, with non-unit seeds")
    func vectorTangents() throws {
        var rng = seededGenerator(78)
        let (graph, x) = try RandomGraphs.make(inputCount: 3, size: 60, outputCount: 2, using: &rng)
        var ws = Workspace(for: graph)
        try ws.linearize(at: x)
        let width = 5
        let seeds = (0..<(3 * width)).map { _ in rng.nonUnit() }
        try ws.forward(seeds: seeds, width: width)
        let vector = (0..<graph.nodeCount).map { node in (0..<width).map { ws.tangent(of: node, direction: $0) } }
        for j in 0..<width {
            try ws.forward(seeds: (0..<3).map { seeds[$0 * width + j] }, width: 1)
            for node in 0..<graph.nodeCount {
                #expect(ws.tangent(of: node) == vector[node][j], "node \(node), direction \(j)")
            }
        }
    }
}
