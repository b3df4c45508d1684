import ADNumeric
import ADTestSupport
import Numerics
import Testing

@Suite("Step sweep, Taylor remainder, gradients and Jacobians")
struct SweepTaylorGradientTests {
    /// The V: errors fall with h (truncation), then rise again (round-off).
    @Test func stepSweepIsVShaped() {
        let s = stepSweep(of: { Double.sin($0) }, at: 0.7, exact: 0.7648421872844884549)
        #expect(s.points.count == 14)
        #expect(s.evaluations == 1 + 4 * 14)
        let central = s.points.compactMap(\.centralError)
        let best = central.min() ?? .infinity
        #expect(best < 1e-10)
        #expect(central.first! > 1e3 * best && central.last! > 1e3 * best)
        if let h = s.bestStep(\.centralError) { #expect(h >= 1e-7 && h <= 1e-3) }
        if let h = s.bestStep(\.forwardError) { #expect(h >= 1e-10 && h <= 1e-6) }
        if let h = s.bestStep(\.fivePointError) { #expect(h >= 1e-5 && h <= 1e-1) }
    }

    static let taylorFunctions: [(String, @Sendable ([Double]) -> Double, @Sendable ([Double]) -> [Double])] = [
        ("exp(x) sin(y)", { v in Double.exp(v[0]) * Double.sin(v[1]) },
         { v in [Double.exp(v[0]) * Double.sin(v[1]), Double.exp(v[0]) * Double.cos(v[1])] }),
        ("x^2 y + log(1 + y^2)", { v in v[0] * v[0] * v[1] + Double.log(1 + v[1] * v[1]) },
         { v in [2 * v[0] * v[1], v[0] * v[0] + 2 * v[1] / (1 + v[1] * v[1])] }),
        ("tanh(x y) + x/y", { v in Double.tanh(v[0] * v[1]) + v[0] / v[1] },
         { v in
            let s = 1 / Double.cosh(v[0] * v[1])
            return [v[1] * s * s + 1 / v[1], v[0] * s * s - v[0] / (v[1] * v[1])]
         }),
    ]

    @Test(arguments: 0..<3)
    func taylorSlopeIsTwoForTheRightGradientAndOneForAWrongOne(_ k: Int) {
        let (name, f, grad) = Self.taylorFunctions[k]
        var rng = seededGenerator(UInt64(17 + k))
        let x = [rng.nonUnit(), rng.nonUnit()]
        let d = [rng.nonUnit(), rng.nonUnit()]
        let g = grad(x)
        let right = taylorRemainderTest(of: f, at: x, gradient: g, direction: d)
        #expect(right.slope.map { abs($0 - 2) < 0.2 } == true, "\(name): slope \(right.slope ?? .nan)")
        let wrong = taylorRemainderTest(of: f, at: x, gradient: g.map { $0 * (1 + 1e-4) }, direction: d)
        #expect(wrong.slope.map { abs($0 - 1) < 0.2 } == true, "\(name): slope \(wrong.slope ?? .nan)")
        #expect(right.evaluations == 41)
    }

    @Test func taylorOnALinearFunctionIsInconclusive() {
        let t = taylorRemainderTest(of: { v in 3 * v[0] - 2 * v[1] }, at: [0.4, 1.1], gradient: [3, -2], direction: [0.7, -1.3])
        #expect(t.status.isInconclusive || (t.slope ?? 0) >= 1.8)
    }

    @Test(arguments: [DifferenceMethod.forward, .backward, .central, .fivePoint, .richardson, .gslCentral])
    func gradientMatchesClosedForm(_ method: DifferenceMethod) {
        let (_, f, grad) = Self.taylorFunctions[0]
        let x = [0.3, -1.1]
        let exact = grad(x)
        let g = gradient(of: f, at: x, method: method)
        for (e, truth) in zip(g.partials, exact) {
            #expect(e.status.isOK)
            #expect(abs(e.value - truth) <= 10 * e.error + 4 * truth.ulp, "\(method): \(e.value) vs \(truth)")
            // Forward differences' bar is 1.3e-7 |∂f| at most; the others' far less.
            #expect(e.error <= 1e-6 * abs(truth), "\(method): error \(e.error) against \(truth)")
        }
        #expect(g.evaluations == g.partials.reduce(method.rawValue.hasPrefix("gsl") ? 0 : 1) { $0 + $1.evaluations })
    }

    /// Domke's loop: n + 1 evaluations for n partials.
    @Test func forwardLoopCostsNPlusOne() {
        let n = 7
        let g = gradient(of: { v in v.reduce(0) { $0 + Double.sin($1) } }, at: (0..<n).map { Double($0) * 0.3 },
                         method: .forward, estimateError: false)
        #expect(g.evaluations == n + 1)
        for (i, e) in g.partials.enumerated() {
            #expect(e.value.isApproximatelyEqual(to: Double.cos(Double(i) * 0.3), absoluteTolerance: 1e-7))
        }
    }

    @Test func jacobianSharesEvaluationsAcrossOutputs() {
        let f: ([Double]) -> [Double] = { v in [v[0] * v[1], Double.sin(v[0]) + v[1], Double.exp(v[1])] }
        let x = [0.8, -0.4]
        let exact: [[Double]] = [[-0.4, 0.8], [Double.cos(0.8), 1], [0, Double.exp(-0.4)]]
        let j = jacobian(of: f, at: x, method: .central)
        #expect(j.entries.count == 3)
        for r in 0..<3 {
            for c in 0..<2 {
                let e = j.entries[r][c]
                #expect(abs(e.value - exact[r][c]) <= 10 * e.error + 1e-15, "[\(r)][\(c)] \(e.value)")
                // Central differences' bars are about 5e-11 (one entry's f' is 0, so absolute).
                #expect(e.error <= 1e-9 * Swift.max(abs(exact[r][c]), 1), "[\(r)][\(c)] error \(e.error)")
            }
        }
        // 1 + 12 per column (the stencil's 6 and the 6 at h/8 it is checked against), not 3 outputs x 13.
        #expect(j.evaluations == 1 + 2 * 12)
        let cj = complexStepJacobian(of: { v in [v[0] * v[1], Complex.sin(v[0]) + v[1], Complex.exp(v[1])] }, at: x)
        #expect(cj.evaluations == 1 + 2 * 2)
        #expect(cj.entries[1][0].value.isApproximatelyEqual(to: Double.cos(0.8), relativeTolerance: 4e-16))
    }

    @Test func estimatesAreCodable() throws {
        let e = centralDifference(of: { abs($0) }, at: 0)
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let back = try decoder.decode(Estimate.self, from: encoder.encode(e))
        #expect(back == e)
    }
}

import Foundation
