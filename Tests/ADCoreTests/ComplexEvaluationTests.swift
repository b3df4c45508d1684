import Testing
import Foundation
import ComplexModule
import Numerics
import ADTestSupport
@testable import ADCore

/// Complex evaluation of a graph gives the complex step Im f(x + ih)/h, a reference that uses
/// no partial derivative of the rule table.
@Suite("Complex evaluation")
struct ComplexEvaluationTests {
    static func complexStepGradient(_ graph: Graph, at x: [Double], h: Double = 1e-30) throws -> [Double] {
        try (0..<x.count).map { k in
            var z = x.map { Complex($0) }
            z[k] = Complex(x[k], h)
            return try graph.evaluateComplex(at: z)[0].imaginary / h
        }
    }

    @Test("complex step equals reverse mode on random analytic graphs", arguments: 0..<30)
    func complexStepAgreesWithReverse(seed: Int) throws {
        var rng = seededGenerator(UInt64(seed) + 500)
        let (graph, x) = try RandomGraphs.make(inputCount: Int.random(in: 1...4, using: &rng),
                                               size: Int.random(in: 5...40, using: &rng), analytic: true, using: &rng)
        var ws = Workspace(for: graph)
        let reverse = try ws.gradient(at: x)
        let step = try Self.complexStepGradient(graph, at: x)
        let real = try graph.evaluateComplex(at: x.map { Complex($0) })[0].real
        try ws.evaluate(at: x)
        #expect(real.isApproximatelyEqual(to: ws.outputValue(0), relativeTolerance: 1e-12))
        let scale = reverse.map(abs).max() ?? 0
        for k in 0..<x.count {
            #expect(step[k].isApproximatelyEqual(to: reverse[k], absoluteTolerance: 1e-11 * max(scale, 1e-300)),
                    "seed \(seed) ∂/∂x\(k): complex step \(step[k]), reverse \(reverse[k])")
        }
    }

    @Test("every analytic primitive: complex step equals its partials at 2000 random points", arguments: RandomGraphs.smooth)
    func primitiveComplexStep(op: Op) {
        var rng = seededGenerator(UInt64(op.rawValue) + 99)
        let h = 1e-30
        var worst = (error: 0.0, a: 0.0, b: 0.0)
        for _ in 0..<2000 {
            let a = Double.random(in: -8...8, using: &rng), b = Double.random(in: -4...4, using: &rng)
            guard RandomGraphs.inDomain(op, a, b, constantExponent: false) else { continue }
            let (pa, pb) = op.partials(a, b, value: op.value(a, b))
            let stepA = Graph.complexValue(op, Complex(a, h), Complex(b), exponent: b).imaginary / h
            var error = abs(stepA - pa) / max(abs(pa), 1e-300)
            if op.arity == 2 {
                let stepB = Graph.complexValue(op, Complex(a), Complex(b, h), exponent: b).imaginary / h
                error = max(error, abs(stepB - pb) / max(abs(pb), 1e-300))
            }
            if error > worst.error { worst = (error, a, b) }
        }
        #expect(worst.error <= 2e-15, "\(op.name): worst relative error \(worst.error) at (\(worst.a), \(worst.b))")
    }

    @Test("complex step through the seed graphs matches their closed forms")
    func seedGraphs() throws {
        let peharz = try Self.complexStepGradient(SeedTraceTests.peharz(), at: [2])[0]
        let c = 4 + exp(4.0)
        #expect(peharz.isApproximatelyEqual(to: 4 * (1 + exp(4.0)) * (0.5 / c.squareRoot() - sin(c)), relativeTolerance: 1e-13))
        // x^3 at a negative base: the integer-power path keeps Im accurate.
        let cube = try Graph.record(inputNames: ["x"]) { Recorded.pow($0[0], 3) }
        #expect(try Self.complexStepGradient(cube, at: [-1.7])[0].isApproximatelyEqual(to: 3 * 1.7 * 1.7, relativeTolerance: 1e-15))
        let sig = try Graph.record(inputNames: ["x"]) { Recorded.sigmoid($0[0]) + Recorded.softplus($0[0] * 2) }
        for x in [-800.0, -3, 0.4, 750] {
            let s = 1 / (1 + exp(-x)), s2 = 1 / (1 + exp(-2 * x))
            #expect(try Self.complexStepGradient(sig, at: [x])[0].isApproximatelyEqual(to: s * (1 - s) + 2 * s2, absoluteTolerance: 1e-300, relativeTolerance: 1e-14))
        }
    }

    @Test("non-analytic primitives are refused, naming the node", arguments: [Op.relu, .abs, .max, .min, .leakyRelu, .elu])
    func refusesNonAnalytic(op: Op) throws {
        var b = GraphBuilder()
        let x = try b.input("x")
        let y = try b.apply(op, x, op.arity == 2 ? try b.constant(0.5) : nil, name: "kinked")
        try b.output(try b.apply(.exp, y))
        let graph = try b.build()
        #expect(!graph.isAnalytic)
        #expect(throws: ADCoreError.notAnalytic(op: op, node: "kinked")) {
            try graph.evaluateComplex(at: [Complex(1, 1e-20)])
        }
    }
}
