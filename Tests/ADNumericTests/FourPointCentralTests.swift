// The 4-point central rule against closed-form derivatives: its error bar bounds the truth (with
// no safety factor), each of its terms is the one that does so where it should, and it costs 4.
import ADNumeric
import ADTestSupport
import Foundation
import Numerics
import Testing

@Suite("The 4-point central rule")
struct FourPointCentralTests {
    /// At the default step the error bar (factor 1) covers the truth and is tight enough to
    /// settle a check (10 times it within 1e-7 relative; exp(8x), whose f''' is 512 f, within 1e-6).
    @Test(arguments: smoothCases.filter(\.nice))
    func boundsTheTruthAtTheDefaultStep(_ c: SmoothCase) {
        let e = fourPointCentralDifference(of: c.f, at: c.x, fx: c.f(c.x))
        #expect(e.status.isOK, "\(c.name): \(e.status)")
        let miss = abs(e.value - c.exact)
        #expect(miss <= e.error + 2 * c.exact.ulp, "\(c.name): \(e.value) misses \(c.exact) by \(miss), error \(e.error)")
        #expect(e.error <= 1e-8 * Swift.max(abs(c.exact), 1e-3) || (c.name == "exp(8x)" && e.error <= 1e-7 * abs(c.exact)),
                "\(c.name): error \(e.error) too coarse to settle")
        #expect(e.evaluations == 4)
    }

    /// The truncation term is `D0(h)`'s error: at wide steps, where truncation dominates, the
    /// 3-point rule at the same step misses the truth by about that much (h^2 f'''/6), and the
    /// 5-point value by far less; the round-off term alone would not cover the value's miss.
    @Test func truncationIsTheThreePointRulesError() {
        let cases: [(String, (Double) -> Double, Double, Double)] = [
            ("exp", { Double.exp($0) }, 0.4, Double.exp(0.4)),
            ("sin", { Double.sin($0) }, 0.7, Double.cos(0.7)),
            ("1/(1+x^2)", { 1 / (1 + $0 * $0) }, 0.3, -2 * 0.3 / ((1 + 0.09) * (1 + 0.09))),
            ("x exp(-x^2)", { $0 * Double.exp(-$0 * $0) }, 1.7, (1 - 2 * 1.7 * 1.7) * Double.exp(-1.7 * 1.7)),
        ]
        for (name, f, x, exact) in cases {
            for h in [0.2, 0.1, 0.05] {
                let e = fourPointCentralDifference(of: f, at: x, step: h, fx: f(x))
                let threePoint = (f(x + h) - f(x - h)) / (2 * h)
                let ratio = abs(threePoint - exact) / e.truncationError
                #expect(ratio > 0.7 && ratio < 1.4, "\(name) h \(h): 3-point miss / truncation = \(ratio)")
                let miss = abs(e.value - exact)
                #expect(miss <= e.error, "\(name) h \(h): \(e.value) misses \(exact) by \(miss), error \(e.error)")
                // The whole bar, not just its truncation term, is about the 3-point rule's miss.
                #expect(e.error <= 2 * abs(threePoint - exact), "\(name) h \(h): error \(e.error), 3-point miss \(abs(threePoint - exact))")
                #expect(miss < 0.2 * e.truncationError, "\(name) h \(h): the 5-point value is no better than the 3-point rule")
                #expect(miss > 100 * e.roundoffError, "\(name) h \(h): round-off alone would cover the miss: no test of truncation")
            }
        }
    }

    /// A Float function seen through Double: with Float's epsilon the step and round-off follow
    /// Float (the round-off term is at least Float's rounding of f over the step) and the bar
    /// covers the truth.
    @Test func floatFunctionNeedsFloatEpsilon() {
        let f: (Double) -> Double = { t in
            let x = Float(t)
            return Double(sinf(x) * expf(x / 3))
        }
        let exact: (Double) -> Double = { x in (cos(x) + sin(x) / 3) * exp(x / 3) }
        for x in stride(from: -2.3, through: 2.5, by: 0.4) {
            let x = Double(Float(x))
            let e = fourPointCentralDifference(of: f, at: x, fx: f(x), epsilon: Double(Float.ulpOfOne))
            #expect(e.status.isOK, "at \(x): \(e.status)")
            #expect(abs(e.value - exact(x)) <= e.error, "at \(x): \(e.value) vs \(exact(x)) ± \(e.error)")
            // Float's eps^(2/3) is 2.4e-5; the widest bar here is 5.5e-4 |f'|.
            #expect(e.error <= 3e-3 * abs(exact(x)), "at \(x): error \(e.error) against f' = \(exact(x))")
            #expect(e.step >= 0.9 * StepRule.fourPointCentral(at: x, epsilon: Double(Float.ulpOfOne)))
            #expect(e.roundoffError >= Double(Float.ulpOfOne) * abs(f(x)) / e.step, "at \(x): round-off \(e.roundoffError)")
        }
    }

    @Test func costStepAndKinks() {
        let f: (Double) -> Double = { Double.exp($0) }
        #expect(fourPointCentralDifference(of: f, at: 1, fx: f(1)).evaluations == 4)
        #expect(fourPointCentralDifference(of: f, at: 1).evaluations == 5)
        #expect(derivative(of: f, at: 1, method: .fourPointCentral, fx: f(1)).evaluations == 4)
        for x in [0.0, 0.3, -1.7, 3.0e6] {
            let e = fourPointCentralDifference(of: { Double.sin($0) }, at: x)
            #expect(e.step.isApproximatelyEqual(to: Double.pow(18 * Double.ulpOfOne, 1.0 / 3.0) * Swift.max(abs(x), 1), relativeTolerance: 1e-6))
            #expect((x + e.step / 2) - x == e.step / 2)
        }
        // |x| at 0: D0 is 0 at every step; the one-sided values -1 and 1 say kink.
        let kink = fourPointCentralDifference(of: { abs($0) }, at: 0, fx: 0)
        #expect(kink.status.isKink, "\(kink)")
        // A stencil that leaves the domain falls back to a one-sided rule.
        let edge = fourPointCentralDifference(of: { Double.pow($0, 1.5) }, at: 0)
        #expect(edge.status.isOK)
        #expect(edge.note?.contains("one-sided") == true, "\(edge.note ?? "no note")")
    }
}
