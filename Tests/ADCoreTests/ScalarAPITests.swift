import Testing
import Foundation
import Numerics
import ADTestSupport
@testable import ADCore

/// One generic Swift function, run as Double, as Dual numbers and recorded into a Graph.
func logisticLoss<T: ADScalar>(_ v: [T]) -> T {
    // A neuron tanh(w0 + w1 x1 + w2 x2) followed by a softplus loss, with a kinked term.
    let z: T = v[0] + v[1] * v[2] + v[3] * v[4]
    let h: T = T.tanh(z)
    let loss: T = T.softplus(-h * 1.7) + 0.1 * T.relu(v[1] - 0.3)
    let t1: T = T.pow(v[2], 3) / T.sqrt(T.exp(v[4]) + 1)
    let t2: T = T.leakyRelu(v[3], 0.1) * T.elu(v[0], 1.3)
    let t3: T = T.max(v[0], v[1]) * T.min(v[2], v[3]) + T.abs(v[4])
    let t4: T = T.atan(v[0]) * T.asin(v[1] / 4) - T.acos(v[2] / 5)
    let t5: T = T.sinh(v[3] / 3) * T.cosh(v[4] / 4) + T.sigmoid(v[0] * v[3])
    let t6: T = T.log(T.pow(v[1], 2) + 1) * T.sin(v[2]) / T.cos(v[3] / 7)
    let t7: T = T.tan(v[4] / 9)
    return loss + t1 + t2 + t3 + t4 + t5 - t6 + t7
}

@Suite("Dual numbers and recorded Swift code")
struct ScalarAPITests {
    @Test("Double, Dual, recorded graph: same value; Dual gradient equals graph sweeps", arguments: 0..<10)
    func agree(seed: Int) throws {
        var rng = seededGenerator(UInt64(seed) + 300)
        let x = (0..<5).map { _ in rng.nonUnit() }
        let graph = try Graph.record(inputCount: 5) { logisticLoss($0) }
        var ws = Workspace(for: graph)
        try ws.evaluate(at: x)
        let plain: Double = logisticLoss(x)
        #expect(ws.outputValue(0) == plain)
        let dual = Dual.gradient(at: x) { logisticLoss($0) }
        let reverse = try ws.gradient(at: x)
        let forward = try ws.forwardGradient(at: x)
        for k in 0..<5 {
            #expect(dual[k].isApproximatelyEqual(to: reverse[k], relativeTolerance: 1e-13), "∂/∂x\(k + 1)")
            #expect(dual[k].isApproximatelyEqual(to: forward[k], relativeTolerance: 1e-13), "∂/∂x\(k + 1)")
        }
        let u = (0..<5).map { _ in rng.nonUnit() }
        let directional = Dual.directionalDerivative(at: x, direction: u) { logisticLoss($0) }
        #expect(directional.isApproximatelyEqual(to: zip(reverse, u).map(*).reduce(0, +), relativeTolerance: 1e-12))
    }

    @Test("Dual against closed forms, with non-unit tangents")
    func dualClosedForms() {
        let (v, d) = Dual.derivative(at: 0.7) { x in Dual.sin(x) * Dual.exp(x * x) }
        #expect(v == sin(0.7) * exp(0.49))
        #expect(d.isApproximatelyEqual(to: cos(0.7) * exp(0.49) + sin(0.7) * 1.4 * exp(0.49), relativeTolerance: 1e-15))
        let t = -2.75
        let y = Dual.log(Dual(3, derivative: t)) * 2
        #expect(y.derivative.isApproximatelyEqual(to: 2 * t / 3, relativeTolerance: 1e-15))
        // Constant exponent of a negative base: the fast path, no NaN from log.
        #expect(Dual.pow(Dual(-2, derivative: t), 3).derivative == 3 * 4 * t)
    }

    @Test("recorded constants are folded until they meet a variable; outputs may be constants")
    func recorderConstants() throws {
        let graph = try Graph.record(inputNames: ["x"], outputs: { v in [Recorded(2) * 3 + v[0], Recorded(5)] })
        var ws = Workspace(for: graph)
        try ws.evaluate(at: [1.5])
        #expect(ws.outputValues == [7.5, 5])
        #expect(graph.ops.filter { $0 == .mul }.isEmpty)
        #expect(try ws.jacobianReverse(at: [1.5]).rowArrays == [[1], [0]])
    }

    @Test("recording errors surface when the recording ends")
    func recorderErrors() throws {
        #expect(throws: ADCoreError.duplicateName("a")) {
            try Graph.record(inputNames: ["x"]) { v in (v[0] * 2).named("a") + Recorded.exp(v[0]).named("a") }
        }
        #expect(throws: ADCoreError.duplicateName("x")) { try Graph.record(inputNames: ["x", "x"]) { $0[0] } }
        var leaked: Recorded?
        _ = try Graph.record(inputNames: ["x"]) { v in leaked = v[0]; return v[0] }
        #expect(throws: ADCoreError.mixedRecordings) {
            try Graph.record(inputNames: ["y"]) { v in v[0] + leaked! }
        }
    }
}
