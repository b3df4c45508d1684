import Testing
import Foundation
import ADTestSupport
@testable import ADCore

/// Hessian-vector products by forward over reverse, against closed-form Hessians, against
/// central differences of the reverse gradient, and against themselves (symmetry, linearity in
/// the cotangent). Points, directions and cotangents are random and non-unit.
@Suite("Hessians and Hessian-vector products")
struct HessianTests {
    static func close(_ a: Double, _ b: Double, _ relative: Double = 1e-13) -> Bool {
        abs(a - b) <= relative * max(abs(a), abs(b), 1e-300)
    }

    @Test("Rosenbrock's Hessian against its closed form", arguments: 0..<10)
    func rosenbrock(seed: UInt64) throws {
        var rng = seededGenerator(500 + seed)
        let g = try Graph.record(inputNames: ["x", "y"]) { v in
            let u = 1 - v[0], w = v[1] - v[0] * v[0]
            return u * u + 100 * w * w
        }
        let x = rng.nonUnit(), y = rng.nonUnit()
        var ws = Workspace(for: g)
        let h = try ws.hessian(at: [x, y])
        let expected = [[2 - 400 * (y - x * x) + 800 * x * x, -400 * x], [-400 * x, 200]]
        for i in 0..<2 { for j in 0..<2 { #expect(Self.close(h[i][j], expected[i][j], 1e-12), "H[\(i)][\(j)] at (\(x), \(y))") } }
    }

    @Test("a second-order trace: each adjoint's tangent along the seed; at the inputs, the Hessian-vector product")
    func secondOrderTrace() throws {
        var rng = seededGenerator(77)
        let g = try Graph.record(inputNames: ["x", "y"]) { v in
            let u = 1 - v[0], w = v[1] - v[0] * v[0]
            return u * u + 100 * w * w
        }
        let p = [rng.nonUnit(), rng.nonUnit()], direction = [rng.nonUnit(), rng.nonUnit()], cotangent = [rng.nonUnit()]
        let trace = try g.trace(at: p, tangentSeed: direction, cotangent: cotangent, secondOrder: true)
        let (x, y) = (p[0], p[1])
        let h = [[2 - 400 * (y - x * x) + 800 * x * x, -400 * x], [-400 * x, 200]]
        for (i, name) in ["x", "y"].enumerated() {
            let expected = cotangent[0] * (h[i][0] * direction[0] + h[i][1] * direction[1])
            let row = try #require(trace.row(name))
            #expect(Self.close(try #require(row.adjointTangent), expected, 1e-12), "\(name)")
        }
        // The output's adjoint is the cotangent, a constant: its tangent is 0.
        #expect(trace.rows.last?.adjointTangent == 0)
        // Without secondOrder the column stays empty, and the first-order columns are the same.
        let plain = try g.trace(at: p, tangentSeed: direction, cotangent: cotangent)
        #expect(plain.rows.allSatisfy { $0.adjointTangent == nil })
        #expect(plain.rows.map(\.adjoint) == trace.rows.map(\.adjoint) && plain.rows.map(\.tangent) == trace.rows.map(\.tangent))
    }

    @Test("sin(x) y + exp(x / 3) + log(y) x²: the Hessian-vector product along a random direction")
    func mixedTerms() throws {
        var rng = seededGenerator(510)
        let g = try Graph.record(inputNames: ["x", "y"]) { v in
            Recorded.sin(v[0]) * v[1] + Recorded.exp(v[0] / 3) + Recorded.log(v[1]) * v[0] * v[0]
        }
        let x = rng.nonUnit(), y = abs(rng.nonUnit()) + 0.5
        let d = [rng.nonUnit(), rng.nonUnit()]
        let h = [[-sin(x) * y + exp(x / 3) / 9 + 2 * log(y), cos(x) + 2 * x / y],
                 [cos(x) + 2 * x / y, -x * x / (y * y)]]
        var ws = Workspace(for: g)
        let hv = try ws.hvp(at: [x, y], direction: d)
        for i in 0..<2 {
            #expect(Self.close(hv[i], h[i][0] * d[0] + h[i][1] * d[1], 1e-12), "component \(i)")
        }
    }

    @Test("on random graphs: H = Hᵀ, and H v is the central difference of the reverse gradient along v", arguments: 0..<15)
    func randomGraphs(seed: UInt64) throws {
        var rng = seededGenerator(520 + seed)
        let (graph, x) = try RandomGraphs.make(inputCount: 3, size: 25, analytic: true, using: &rng)
        var ws = Workspace(for: graph)
        let h = try ws.hessian(at: x)
        let scale = h.joined().map(abs).max() ?? 0
        for i in 0..<3 { for j in 0..<i { #expect(abs(h[i][j] - h[j][i]) <= 1e-12 * max(scale, 1e-300), "H[\(i)][\(j)] against H[\(j)][\(i)]") } }
        let v = (0..<3).map { _ in rng.nonUnit() }
        let hv = try ws.hvp(at: x, direction: v)
        let step = 1e-5
        let up = try ws.gradient(at: zip(x, v).map { $0 + step * $1 })
        let down = try ws.gradient(at: zip(x, v).map { $0 - step * $1 })
        let norm = hv.map(abs).max() ?? 0
        for i in 0..<3 {
            let difference = (up[i] - down[i]) / (2 * step)
            #expect(abs(hv[i] - difference) <= 1e-5 * max(norm, 1), "component \(i): \(hv[i]) against \(difference)")
        }
    }

    @Test("vector outputs: the second-order adjoint is linear in the cotangent")
    func cotangents() throws {
        var rng = seededGenerator(540)
        let (graph, x) = try RandomGraphs.make(inputCount: 3, size: 30, outputCount: 2, analytic: true, using: &rng)
        var ws = Workspace(for: graph)
        let v = (0..<3).map { _ in rng.nonUnit() }, u = [rng.nonUnit(), rng.nonUnit()]
        let combined = try ws.hvp(at: x, direction: v, cotangent: u)
        let first = try ws.hvp(at: x, direction: v, cotangent: [1, 0])
        let second = try ws.hvp(at: x, direction: v, cotangent: [0, 1])
        for i in 0..<3 {
            #expect(Self.close(combined[i], u[0] * first[i] + u[1] * second[i], 1e-11), "component \(i)")
        }
        #expect(try ws.hvp(at: x, direction: v) == first)
    }

    @Test("wrong lengths are errors; repeated products reuse the buffers")
    func lengthsAndReuse() throws {
        let g = try Graph.record(inputNames: ["x", "y"]) { v in v[0] * v[0] * v[1] }
        var ws = Workspace(for: g)
        #expect(throws: ADCoreError.seedCount(what: "direction", expected: 2, got: 1)) { try ws.hvp(at: [1, 2], direction: [1]) }
        #expect(throws: ADCoreError.seedCount(what: "cotangent", expected: 1, got: 2)) { try ws.hvp(at: [1, 2], direction: [1, 0], cotangent: [1, 1]) }
        var r: [Double] = []
        try ws.hvp(at: [1.5, -2], direction: [0.3, 0.7], into: &r)
        let identity = ws.storage.identity, buffer = ws.storage.adjointTangentBuffer
        for _ in 0..<50 { try ws.hvp(at: [1.5, -2], direction: [0.3, 0.7], into: &r) }
        // H of x² y is [[2y, 2x], [2x, 0]].
        let (x, y, u, v): (Double, Double, Double, Double) = (1.5, -2, 0.3, 0.7)
        let expected: [Double] = [2 * y * u + 2 * x * v, 2 * x * u]
        #expect(r == expected)
        #expect(ws.storage.identity == identity && ws.storage.adjointTangentBuffer == buffer)
    }
}
