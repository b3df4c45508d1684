import ADNumeric
import Foundation
import Numerics
import Testing

@Suite("Oracles for a Float function seen through Double (epsilon)")
struct PrecisionTests {
    /// `f(x) = sin(x) exp(x / 3)` computed in Float; `f'(x) = (cos x + sin(x) / 3) exp(x / 3)`.
    static func f(_ t: Double) -> Double {
        let x = Float(t)
        return Double(sinf(x) * expf(x / 3))
    }

    static func exact(_ x: Double) -> Double { (cos(x) + sin(x) / 3) * exp(x / 3) }

    @Test("With Float's epsilon the steps balance Float's rounding and the error bars cover it",
          arguments: [DifferenceMethod.central, .fivePoint, .richardson])
    func floatEpsilon(method: DifferenceMethod) {
        let epsilon = Double(Float.ulpOfOne)
        for x in stride(from: -2.3, through: 2.5, by: 0.4) {
            let x = Double(Float(x))
            let e = derivative(of: Self.f, at: x, method: method, epsilon: epsilon)
            #expect(e.status.isOK, "\(method) at \(x): \(e.status)")
            #expect(abs(e.value - Self.exact(x)) <= 10 * e.error, "\(method) at \(x): \(e.value) vs \(Self.exact(x)) ± \(e.error)")
            // And the bar is tight enough to mean something: Float's eps^(2/3) is 2.4e-5; the
            // worst bar here is 2.8e-4 |f'| (central), so 3e-3 |f'| leaves a margin of 10.
            #expect(e.error <= 3e-3 * abs(Self.exact(x)), "\(method) at \(x): error \(e.error) against f' = \(Self.exact(x))")
            if method == .central {
                #expect(e.step >= 0.5 * StepRule.central(at: x, epsilon: epsilon))
            }
        }
    }

    @Test("The default is Double's epsilon: the steps of Double callers are unchanged")
    func doubleDefault() {
        #expect(StepRule.central(at: 2) == StepRule.central(at: 2, epsilon: .ulpOfOne))
        #expect(StepRule.central(at: 2) == Double.pow(Double.ulpOfOne, 1.0 / 3.0) * 2)
        let a = derivative(of: { sin($0) }, at: 0.7, method: .fivePoint)
        let b = derivative(of: { sin($0) }, at: 0.7, method: .fivePoint, epsilon: .ulpOfOne)
        #expect(a == b)
    }
}
