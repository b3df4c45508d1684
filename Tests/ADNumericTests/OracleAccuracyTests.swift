import ADNumeric
import Numerics
import Testing
import ADTestSupport

@Suite("Every oracle against closed-form derivatives")
struct OracleAccuracyTests {
    /// The central property of an oracle: whenever it says ok, the truth is inside its error bar
    /// (times the safety factor ADVerify uses); otherwise it says why.
    @Test(arguments: smoothCases, DifferenceMethod.realClosureMethods)
    func truthWithinReportedError(_ c: SmoothCase, _ method: DifferenceMethod) {
        let e = derivative(of: c.f, at: c.x, method: method)
        switch e.status {
        case .ok:
            let miss = abs(e.value - c.exact)
            #expect(miss <= 10 * e.error + 4 * c.exact.ulp,
                    "\(method) \(c.name): \(e.value) misses \(c.exact) by \(miss), error \(e.error), step \(e.step)")
            // The bar is bounded too, or any value would pass under a huge one: at nice points
            // within 1e-4 |f'| (the worst is 7.7e-6, GSL backward); elsewhere an ok must at
            // least be smaller than |f'| (the worst is 0.36, the 4-point rule on sin at 1e5).
            let bound = c.nice ? 1e-4 : 1.0
            #expect(e.error <= bound * abs(c.exact), "\(method) \(c.name): error \(e.error) against f' = \(c.exact)")
        case .kink:
            Issue.record("\(method) \(c.name): a smooth function classified as a kink: \(e)")
        case .inconclusive(let reason):
            #expect(!reason.isEmpty)
            #expect(!c.nice, "\(method) \(c.name) inconclusive at a nice point: \(reason)")
        }
    }

    /// The accuracy each method should reach at nice points (relative error).
    @Test(arguments: smoothCases.filter(\.nice))
    func accuracyAtNicePoints(_ c: SmoothCase) {
        let expected: [(DifferenceMethod, Double)] = [
            (.forward, 1e-6), (.backward, 1e-6), (.central, 1e-8), (.fivePoint, 1e-8),
            (.richardson, 1e-9), (.gslCentral, 1e-8), (.gslForward, 1e-5), (.gslBackward, 1e-5),
        ]
        for (method, tolerance) in expected {
            let e = derivative(of: c.f, at: c.x, method: method)
            #expect(e.value.isApproximatelyEqual(to: c.exact, absoluteTolerance: tolerance * 1e-3, relativeTolerance: tolerance),
                    "\(method) \(c.name): \(e.value) vs \(c.exact)")
            // The error estimate is not absurdly pessimistic either.
            #expect(e.error <= 1e4 * tolerance * Swift.max(abs(c.exact), 1e-3), "\(method) \(c.name): error \(e.error)")
        }
    }

    @Test func evaluationCounts() {
        let f: (Double) -> Double = { Double.exp($0) }
        #expect(forwardDifference(of: f, at: 1).evaluations == 4)
        #expect(forwardDifference(of: f, at: 1, estimateError: false).evaluations == 2)
        #expect(backwardDifference(of: f, at: 1).evaluations == 4)
        // 7 for the stencil and its asymptotic check, 6 for the central differences at h/8 it must agree with.
        #expect(centralDifference(of: f, at: 1).evaluations == 13)
        // 9 for the stencil and its asymptotic check, 6 for the central differences it must agree with.
        #expect(fivePointDifference(of: f, at: 1).evaluations == 15)
        #expect(complexStepDerivative(of: { Complex.exp($0) }, at: 1).evaluations == 2)
        let g = gslDerivative(of: f, at: 1, rule: .forward)
        #expect(g.evaluations == 4 || g.evaluations == 8)
    }

    @Test func stepsAreRepresentableAndFollowTheRules() {
        for x in [0.0, 0.3, -1.7, 3.0e6] {
            let e = centralDifference(of: { $0 * $0 }, at: x)
            #expect((x + e.step) - x == e.step)
            #expect(e.step.isApproximatelyEqual(to: Double.pow(Double.ulpOfOne, 1.0 / 3.0) * Swift.max(abs(x), 1), relativeTolerance: 1e-6))
            let f = forwardDifference(of: { $0 * $0 }, at: x)
            #expect(f.step.isApproximatelyEqual(to: Double.ulpOfOne.squareRoot() * Swift.max(abs(x), 1), relativeTolerance: 1e-6))
        }
    }

    /// x*y*sin(x/y) at (1e-3, 1e-3): the function varies on a scale of 1e-3 while the default
    /// steps are relative to 1. Every partial is either right within its error or inconclusive.
    @Test(arguments: DifferenceMethod.realClosureMethods)
    func tinyScaleGradient(_ method: DifferenceMethod) {
        let f: ([Double]) -> Double = { v in v[0] * v[1] * Double.sin(v[0] / v[1]) }
        let exact = [0.001381773290676036253, 0.0003011686789397567955]
        let g = gradient(of: f, at: [1e-3, 1e-3], method: method)
        for (e, truth) in zip(g.partials, exact) {
            if e.status.isOK {
                #expect(abs(e.value - truth) <= 10 * e.error + 4 * truth.ulp, "\(method): \(e.value) vs \(truth) ± \(e.error)")
                // The widest bar is 6.5e-4 |f'| (5-point, ∂/∂y).
                #expect(e.error <= 5e-3 * abs(truth), "\(method): error \(e.error) against \(truth)")
            } else {
                #expect(e.status.isInconclusive, "\(method): \(e.status)")
            }
        }
    }
}
