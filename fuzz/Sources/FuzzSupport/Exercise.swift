// What `adverify run` does with a loaded case before the oracles, cheaply: the invariants the
// runner indexes by, one primal, tangent and adjoint sweep, the trace and every label.
// A broken invariant stops the process (a finding); a thrown error is an answer, not a finding.
import ADCatalog
import ADCore

/// Graphs above this many nodes get the sweeps but not the trace (its strings cost per node).
let traceLimit = 2_000

/// Stops the fuzzer with `message` when `condition` fails (in release builds too).
@inline(__always)
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant: \(message())") }
}

/// The properties of an error the tool prints: located, 1-based, with a printable description.
public func checkError(_ error: CatalogError) {
    require(error.location.line >= 1 && error.location.column >= 1, "error located at \(error.location)")
    require(!error.message.isEmpty, "error without a message at \(error.location)")
    _ = error.description
}

/// Runs `c` the way the runner starts: index invariants, labels, sweeps at the case's point, trace.
public func exercise(_ c: Case) {
    let graph = c.graph
    let n = graph.inputCount, m = graph.outputCount, nodes = graph.nodeCount
    require(c.location.line >= 1 && c.location.column >= 1, "case located at \(c.location)")
    if c.network != nil, nodes == 0 { return }  // an architecture-only network case has no graph
    require(m >= 1, "case \(c.id): a graph without outputs")
    require(c.point.count == n, "case \(c.id): \(c.point.count) point values for \(n) inputs")
    require(c.point.allSatisfy(\.isFinite), "case \(c.id): a point value is not finite")
    require(!c.isScalar || m == 1, "case \(c.id): scalar case with \(m) outputs")
    for seed in c.tangentSeeds { require(seed.count == n, "case \(c.id): a tangent seed of \(seed.count) for \(n) inputs") }
    for name in c.letNames { require(graph.node(named: name) != nil, "case \(c.id): let '\(name)' is not in the graph") }
    for e in c.expectations {
        switch e.quantity {
        case .value(let k): require(k >= 0 && k < m, "case \(c.id): value of output \(k) of \(m)")
        case .nodeValue(let node), .adjoint(let node): require(node >= 0 && node < nodes, "case \(c.id): node \(node) of \(nodes)")
        case let .partial(k, i): require(k >= 0 && k < m && i >= 0 && i < n, "case \(c.id): partial \(k), \(i) of \(m) x \(n)")
        case let .tangent(s, node):
            require(s >= 0 && s < c.tangentSeeds.count && node >= 0 && node < nodes, "case \(c.id): tangent \(s), \(node)")
        }
        if case .adjoint = e.quantity { require(c.isScalar, "case \(c.id): adjoint expected of a vector-valued case") }
        _ = c.label(e.quantity)
        _ = e.expected.budget
    }
    sweep(graph, at: c.point, seeds: c.tangentSeeds)
}

/// A primal, tangent and adjoint sweep of `graph` at `x`; the trace for small graphs.
public func sweep(_ graph: Graph, at x: [Double], seeds: [[Double]] = []) {
    let n = graph.inputCount, m = graph.outputCount
    var unitSeed = [Double](repeating: 0, count: n)
    if n > 0 { unitSeed[0] = 1 }
    var cotangent = [Double](repeating: 0, count: m)
    if m > 0 { cotangent[0] = 1 }
    var workspace = Workspace(for: graph)
    do {
        try workspace.linearize(at: x)
        if let bad = workspace.values.firstIndex(where: { !$0.isFinite }) {
            _ = graph.formula(of: bad, displayNames: graph.displayNames)
        }
        try workspace.reverse(cotangent: cotangent)
        for seed in seeds.prefix(4) + [unitSeed] { try workspace.forward(seeds: seed, width: 1) }
        if graph.nodeCount <= traceLimit {
            _ = try graph.trace(at: x, tangentSeed: seeds.first ?? unitSeed, cotangent: cotangent)
        }
    } catch {
        fatalError("invariant: a loaded graph cannot be swept at its own point: \(error)")
    }
}
