import Testing
import Numerics
import ADTestSupport
@testable import ADCore

/// Forward and reverse mode against each other on random graphs, with random non-unit seeds
/// and cotangents. Neither is the reference for the other's rules (both use the rule table,
/// tested on its own against mpmath); these tests catch sweep plumbing: operand order,
/// accumulation of fan-out, seeding, chunking.
@Suite("Forward and reverse sweeps")
struct SweepTests {
    @Test("dot-product test <w, J u> = <J^T w, u>", arguments: 0..<40)
    func dotProduct(seed: Int) throws {
        var rng = seededGenerator(UInt64(seed) + 1000)
        let m = Int.random(in: 1...3, using: &rng)
        let (graph, x) = try RandomGraphs.make(inputCount: Int.random(in: 1...6, using: &rng),
                                               size: Int.random(in: 5...60, using: &rng),
                                               outputCount: m, using: &rng)
        let u = (0..<graph.inputCount).map { _ in rng.nonUnit() }
        let w = (0..<m).map { _ in rng.nonUnit() }
        var ws = Workspace(for: graph)
        let ju = try ws.jvp(at: x, direction: u)
        let jtw = try ws.vjp(at: x, cotangent: w)
        let lhs = zip(w, ju).map(*).reduce(0, +)
        let rhs = zip(jtw, u).map(*).reduce(0, +)
        let scale = max(zip(w, ju).map { abs($0 * $1) }.reduce(0, +), zip(jtw, u).map { abs($0 * $1) }.reduce(0, +), 1e-300)
        #expect(abs(lhs - rhs) <= 1e-13 * scale, "seed \(seed): <w, Ju> = \(lhs), <J^T w, u> = \(rhs)")
    }

    @Test("Jacobian by forward mode equals Jacobian by reverse mode", arguments: 0..<30)
    func jacobians(seed: Int) throws {
        var rng = seededGenerator(UInt64(seed) + 2000)
        let (graph, x) = try RandomGraphs.make(inputCount: Int.random(in: 1...5, using: &rng),
                                               size: Int.random(in: 5...40, using: &rng),
                                               outputCount: Int.random(in: 1...4, using: &rng), using: &rng)
        var ws = Workspace(for: graph)
        let forward = try ws.jacobianForward(at: x)
        let reverse = try ws.jacobianReverse(at: x)
        #expect(forward.rows == graph.outputCount && forward.columns == graph.inputCount)
        for i in 0..<forward.rows {
            let rowScale = (0..<forward.columns).map { abs(reverse[i, $0]) }.max() ?? 0
            for j in 0..<forward.columns {
                #expect(forward[i, j].isApproximatelyEqual(to: reverse[i, j], absoluteTolerance: 1e-12 * max(rowScale, 1e-300)),
                        "seed \(seed) J[\(i),\(j)]: forward \(forward[i, j]), reverse \(reverse[i, j])")
            }
        }
    }

    @Test("chunked vector forward mode (n = 150 > 64) equals reverse mode")
    func chunkedForwardGradient() throws {
        // f(x) = sum_i sin(x_i) * x_{i+1} + exp(x_i / n): gradient in closed form.
        let n = 150
        var rng = seededGenerator(7)
        let x = (0..<n).map { _ in rng.nonUnit() }
        let graph = try Graph.record(inputCount: n) { v in
            var s: Recorded = 0
            for i in 0..<(n - 1) { s += Recorded.sin(v[i]) * v[i + 1] + Recorded.exp(v[i] / Double(n)) }
            return s
        }
        #expect(Workspace.chunkWidth(nodeCount: graph.nodeCount, inputCount: n) == 64)
        var ws = Workspace(for: graph)
        let forward = try ws.forwardGradient(at: x)
        let reverse = try ws.gradient(at: x)
        for i in 0..<n {
            var exact = 0.0
            if i < n - 1 { exact += Foundation.cos(x[i]) * x[i + 1] + Foundation.exp(x[i] / Double(n)) / Double(n) }
            if i > 0 { exact += Foundation.sin(x[i - 1]) }
            #expect(forward[i].isApproximatelyEqual(to: exact, relativeTolerance: 1e-13), "∂f/∂x\(i) forward")
            #expect(reverse[i].isApproximatelyEqual(to: exact, relativeTolerance: 1e-13), "∂f/∂x\(i) reverse")
        }
    }

    @Test("reverse sweep scales with a non-unit cotangent; adjoints of every node")
    func cotangentScaling() throws {
        var rng = seededGenerator(11)
        let (graph, x) = try RandomGraphs.make(inputCount: 3, size: 30, using: &rng)
        var ws = Workspace(for: graph)
        try ws.linearize(at: x)
        try ws.reverse(cotangent: [1])
        let unit = ws.adjoints
        let w = rng.nonUnit()
        try ws.reverse(cotangent: [w])
        for i in 0..<graph.nodeCount {
            #expect(ws.adjoints[i].isApproximatelyEqual(to: w * unit[i], relativeTolerance: 1e-15, norm: abs))
        }
        #expect(ws.adjoints[graph.outputNodes[0]] == w)
    }

    @Test("a zero tangent or adjoint stays zero through an infinite partial")
    func structuralZeros() throws {
        // f(x, y) = x + sqrt(y) at y = 0: ∂f/∂x = 1 although ∂sqrt/∂y = ∞.
        let graph = try Graph.record(inputNames: ["x", "y"]) { v in v[0] * 3 + Recorded.sqrt(v[1]) }
        var ws = Workspace(for: graph)
        let g = try ws.forwardGradient(at: [2, 0])
        #expect(g[0] == 3 && g[1] == .infinity)
        let r = try ws.gradient(at: [2, 0])
        #expect(r[0] == 3 && r[1] == .infinity)
        // An unused branch with an infinite partial does not poison the used one.
        let unused = try Graph.record(inputNames: ["x"], outputs: { v in [v[0] * 2, Recorded.sqrt(v[0])] })
        var ws2 = Workspace(for: unused)
        #expect(try ws2.vjp(at: [0], cotangent: [1.5, 0]) == [3])
    }

    @Test("repeated evaluation reuses the workspace buffers")
    func workspaceReuse() throws {
        var rng = seededGenerator(5)
        let (graph, x) = try RandomGraphs.make(inputCount: 4, size: 50, using: &rng)
        var ws = Workspace(for: graph)
        var g: [Double] = []
        try ws.gradient(at: x, into: &g)
        let first = g.map { $0 }  // a real copy: sharing would make the next write copy g
        let storage = ws.storage.identity
        let bases = (ws.storage.values, ws.storage.adjoints, g.withUnsafeBufferPointer { $0.baseAddress })
        for _ in 0..<100 { try ws.gradient(at: x, into: &g) }
        #expect(g == first)
        #expect(ws.storage.identity == storage, "the sweeps copied the workspace's buffers")
        #expect(ws.storage.values == bases.0)
        #expect(ws.storage.adjoints == bases.1)
        #expect(g.withUnsafeBufferPointer { $0.baseAddress } == bases.2)
    }

    @Test("wrong input, seed and cotangent lengths are errors, not crashes")
    func wrongLengths() throws {
        let graph = try Graph.record(inputCount: 2) { $0[0] * $0[1] }
        var ws = Workspace(for: graph)
        #expect(throws: ADCoreError.inputCount(expected: 2, got: 1)) { try ws.evaluate(at: [1]) }
        #expect(throws: ADCoreError.notLinearized) { try ws.reverse(cotangent: [1]) }
        try ws.linearize(at: [1, 2])
        #expect(throws: ADCoreError.self) { try ws.forward(seeds: [1, 0, 0], width: 1) }
        #expect(throws: ADCoreError.self) { try ws.reverse(cotangent: [1, 2]) }
        #expect(throws: ADCoreError.self) { try ws.forward(seeds: [], width: 0) }
    }
}

import Foundation
