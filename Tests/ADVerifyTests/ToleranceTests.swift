import ADTestSupport
import ADVerify
import Foundation
import Numerics
import Testing

@Suite("Verdicts from oracle error budgets")
struct ToleranceTests {
    /// The exact derivative as the "AD value": never a false fail, and mostly a pass.
    @Test func exactDerivativesNeverFail() {
        var passes = 0, inconclusive = 0
        for c in smoothCases {
            var comparisons = DifferenceMethod.realClosureMethods.map { compare(ad: c.exact, with: derivative(of: c.f, at: c.x, method: $0)) }
            comparisons.append(compare(ad: c.exact, with: complexStepDerivative(of: c.fz, at: c.x)))
            for k in comparisons {
                #expect(!k.verdict.isFail, "\(c.name) \(k.method): \(k.value) vs \(k.reference), diff \(k.difference), budget \(k.budget)")
                if k.verdict.isPass { passes += 1 } else { inconclusive += 1 }
            }
        }
        #expect(passes >= 9 * (passes + inconclusive) / 10, "\(passes) passes, \(inconclusive) inconclusive")
    }

    @Test(arguments: DifferenceMethod.realClosureMethods)
    func tinyScaleGradientNeverFails(_ method: DifferenceMethod) {
        let exact = [0.001381773290676036253, 0.0003011686789397567955]
        let g = gradient(of: { v in v[0] * v[1] * Double.sin(v[0] / v[1]) }, at: [1e-3, 1e-3], method: method)
        for k in compare(ad: exact, with: g) { #expect(!k.verdict.isFail, "\(k)") }
    }

    /// A derivative wrong by a relative 1e-4 is caught by every precise oracle.
    @Test(arguments: smoothCases.filter(\.nice))
    func wrongDerivativeFails(_ c: SmoothCase) {
        let wrong = c.exact * (1 + 1e-4)
        for method in [DifferenceMethod.central, .fivePoint, .richardson, .gslCentral] {
            let k = compare(ad: wrong, with: derivative(of: c.f, at: c.x, method: method))
            #expect(k.verdict.isFail, "\(c.name) \(method): \(k.verdict), budget \(k.budget), diff \(k.difference)")
        }
        let k = compare(ad: wrong, with: complexStepDerivative(of: c.fz, at: c.x))
        #expect(k.verdict.isFail, "\(c.name) complex step: \(k.verdict)")
    }

    @Test func wrongGradientFailsTheTaylorTest() {
        let f: ([Double]) -> Double = { v in Double.exp(v[0]) * Double.sin(v[1]) + v[0] * v[1] * v[1] }
        var rng = seededGenerator(5)
        for _ in 0..<4 {
            let x = [rng.nonUnit(), rng.nonUnit()]
            let d = [rng.nonUnit(), rng.nonUnit()]
            let g = [Double.exp(x[0]) * Double.sin(x[1]) + x[1] * x[1], Double.exp(x[0]) * Double.cos(x[1]) + 2 * x[0] * x[1]]
            #expect(judge(taylorRemainderTest(of: f, at: x, gradient: g, direction: d)).verdict == .pass)
            let bad = judge(taylorRemainderTest(of: f, at: x, gradient: g.map { $0 * (1 + 1e-4) }, direction: d))
            #expect(bad.verdict == .fail, "slope \(bad.slope ?? .nan)")
        }
    }

    @Test(arguments: [DifferenceMethod.central, .fivePoint, .richardson, .gslCentral])
    func atAKinkADMustLieBetweenTheSides(_ method: DifferenceMethod) {
        let e = derivative(of: { abs($0) }, at: 0, method: method)
        for ad in [-1.0, 0.0, 1.0, 0.5] {
            let k = compare(ad: ad, with: e)
            #expect(k.verdict.isInconclusive, "\(method) ad \(ad): \(k.verdict)")
        }
        #expect(compare(ad: 3, with: e).verdict.isFail)
        #expect(compare(ad: -1.5, with: e).verdict.isFail)
    }

    @Test func syntheticBudgets() {
        let tight = Estimate(value: 2.0, truncationError: 1e-10, roundoffError: 0, step: 1e-5, evaluations: 7, method: .central)
        let pass = compare(ad: 2.0 + 5e-10, with: tight)
        #expect(pass.verdict == .pass)
        #expect(pass.budget == 1e-9)
        #expect(pass.step == 1e-5 && pass.evaluations == 7 && pass.method == "central")
        #expect(compare(ad: 2.0 + 2e-9, with: tight).verdict == .fail)
        #expect(compare(ad: .nan, with: tight).verdict == .fail)
        let rough = Estimate(value: 2.0, truncationError: 0.05, roundoffError: 0, step: 1e-5, evaluations: 7, method: .central)
        #expect(compare(ad: 7, with: rough).verdict.isInconclusive)
        // Near a zero derivative an absolutely small budget still decides.
        let zero = Estimate(value: 1e-9, truncationError: 1e-9, roundoffError: 0, step: 1e-8, evaluations: 8, method: .gslForward)
        #expect(compare(ad: 0, with: zero).verdict == .pass)
        #expect(compare(ad: 1e-3, with: zero).verdict == .fail)
        // An exact oracle still gets a few ulps.
        let exact = Estimate(value: 3.0, truncationError: 0, roundoffError: 0, step: 1e-20, evaluations: 2, method: .complexStep)
        #expect(compare(ad: 3.0.nextUp, with: exact).verdict == .pass)
        let failed = Estimate.inconclusive("outside the domain", method: .central, step: 1e-5, evaluations: 3)
        guard case .inconclusive(let reason) = compare(ad: 1, with: failed).verdict else {
            Issue.record("expected inconclusive")
            return
        }
        #expect(reason.contains("outside the domain"))
    }

    @Test("budgets grow with the graph: round-off by sqrt(n / 64), mode agreement by 4 eps n")
    func graphSizedTolerances() {
        // A central difference off by 3e-9 whose round-off estimate is 1e-10: fails for a
        // small graph (budget 1e-9), passes for 6400 nodes (noise 10, budget 1e-8).
        let e = Estimate(value: 2.0, truncationError: 0, roundoffError: 1e-10, step: 1e-5, evaluations: 7, method: .central)
        #expect(OracleTolerance.default.forGraph(nodeCount: 64).compare(2.0 + 3e-9, with: e).verdict == .fail)
        #expect(OracleTolerance.default.forGraph(nodeCount: 6400).compare(2.0 + 3e-9, with: e).verdict == .pass)
        // Truncation is not scaled: the same error as truncation still fails at 6400 nodes.
        let t = Estimate(value: 2.0, truncationError: 1e-10, roundoffError: 0, step: 1e-5, evaluations: 7, method: .central)
        #expect(OracleTolerance.default.forGraph(nodeCount: 6400).compare(2.0 + 3e-9, with: t).verdict == .fail)
        // GSL's abserr mixes both and is scaled whole.
        let g = Estimate(value: 2.0, truncationError: 1e-10, roundoffError: 0, step: 1e-5, evaluations: 8, method: .gslCentral)
        #expect(OracleTolerance.default.forGraph(nodeCount: 6400).compare(2.0 + 3e-9, with: g).verdict == .pass)

        #expect(AgreementTolerance.default.forGraph(nodeCount: 100).relative == 1e-12)
        let large = AgreementTolerance.default.forGraph(nodeCount: 300_000)
        #expect(abs(large.relative - 4 * Double.ulpOfOne * 300_000) < 1e-25)
        #expect(compareModes(forward: 1.0, reverse: 1.0 + 1e-10, tolerance: large).verdict == .pass)
        #expect(compareModes(forward: 1.0, reverse: 1.0 + 1e-9, tolerance: large).verdict == .fail)
    }

    @Test("f's own evaluation error enters through the stencil's weight and step; AD's own spread is added")
    func evaluationErrorAndADSpread() {
        // A central difference at step 1e-5 that claims 1e-12: off by 3e-10, it fails, unless each
        // value of f is known to be off by 1e-15 (weight 1 / step: 1e-10, budget 1e-9).
        let c = Estimate(value: 2.0, truncationError: 1e-12, roundoffError: 0, step: 1e-5, evaluations: 7, method: .central)
        #expect(OracleTolerance.default.compare(2.0 + 3e-10, with: c).verdict == .fail)
        #expect(OracleTolerance.default.compare(2.0 + 3e-10, with: c, evaluationError: 1e-15).verdict == .pass)
        // The same evaluation error through GSL's 4-point forward rule (weight 91) at step 1e-8 is
        // 9.1e-6: the budget is over 10% of the estimate, so inconclusive, not failed.
        let g = Estimate(value: 2e-4, truncationError: 1e-12, roundoffError: 0, step: 1e-8, evaluations: 8, method: .gslForward)
        #expect(OracleTolerance.default.compare(2e-4 + 1e-5, with: g, evaluationError: 1e-15).verdict.isInconclusive)
        // The complex step takes no difference: f's evaluation error does not reach it, AD's own
        // rounding spread does.
        let z = Estimate(value: 0.347, truncationError: 0, roundoffError: 1e-16, step: 1e-20, evaluations: 2, method: .complexStep)
        #expect(OracleTolerance.default.compare(0.347 + 8e-15, with: z, evaluationError: 1).verdict == .fail)
        #expect(OracleTolerance.default.compare(0.347 + 8e-15, with: z, adSpread: 1e-15).verdict == .pass)
        #expect(OracleTolerance.default.compare(0.347 + 8e-14, with: z, adSpread: 1e-15).verdict == .fail)
    }

    @Test func agreeingDigitsClampsAndHandlesSpecialValues() {
        #expect(agreeingDigits(1, 1) == 17)
        #expect(agreeingDigits(0, -0.0) == 17)
        #expect(agreeingDigits(1, 1.001).isApproximatelyEqual(to: 3, relativeTolerance: 1e-3))
        #expect(agreeingDigits(1, -1) == 0)
        #expect(agreeingDigits(.nan, 1) == 0)
        #expect(agreeingDigits(1, 1.0.nextUp) > 15 && agreeingDigits(1, 1.0.nextUp) <= 17)
    }

    @Test func forwardAndReverseAgreement() {
        #expect(compareModes(forward: 1.0, reverse: 1.0 + 1e-14).verdict == .pass)
        #expect(compareModes(forward: 1.0, reverse: 1.0 + 1e-10).verdict == .fail)
        #expect(compareModes(forward: .nan, reverse: 1).verdict == .fail)
        #expect(compareModes(forward: .infinity, reverse: .infinity).verdict.isInconclusive)
        // A cancelled, near-zero entry is judged on the gradient's scale.
        let ks = compareModes(forward: [1e3, 2e-14], reverse: [1e3, -3e-14])
        #expect(ks.map(\.verdict) == [.pass, .pass])
        #expect(compareModes(forward: [1, 2], reverse: [1]).last?.verdict == .fail)
    }

    @Test func verdictsAreCodable() throws {
        let k = compare(ad: 1, with: derivative(of: { abs($0) }, at: 0, method: .central))
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        #expect(try decoder.decode(Comparison.self, from: encoder.encode(k)) == k)
        for v in [Verdict.pass, .fail, .inconclusive(reason: "x")] {
            #expect(try JSONDecoder().decode(Verdict.self, from: JSONEncoder().encode(v)) == v)
        }
    }
}
