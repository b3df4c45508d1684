// The second-difference oracle against closed-form second derivatives.
import ADNumeric
import Foundation
import Testing

@Suite("Second differences")
struct SecondDifferenceTests {
    /// f(x, y) = exp(x/2) sin(3y) + x^3 y: H = [[exp(x/2) sin(3y)/4 + 6xy, 3/2 exp(x/2) cos(3y) + 3x^2],
    /// [.., -9 exp(x/2) sin(3y)]].
    static func f(_ x: Double, _ y: Double) -> Double { exp(x / 2) * sin(3 * y) + x * x * x * y }
    static func hessian(_ x: Double, _ y: Double) -> [[Double]] {
        let e = exp(x / 2)
        let xy = 1.5 * e * cos(3 * y) + 3 * x * x
        return [[e * sin(3 * y) / 4 + 6 * x * y, xy], [xy, -9 * e * sin(3 * y)]]
    }

    @Test("diagonal and mixed entries within their error bars, the bars small", arguments: [
        (0.7, -0.4), (-1.3, 2.1), (2.5, 0.35), (0.0, 0.0), (12.0, -3.3),
    ] as [(Double, Double)])
    func closedForms(x: Double, y: Double) {
        let h = Self.hessian(x, y)
        for method in [DifferenceMethod.secondCentral, .secondRichardson] {
            let xx = secondDifference(of: { s, _ in Self.f(x + s, y) }, diagonal: true, scale: x, method: method)
            let yy = secondDifference(of: { s, _ in Self.f(x, y + s) }, diagonal: true, scale: y, method: method)
            let xy = secondDifference(of: { s, t in Self.f(x + s, y + t) }, diagonal: false, scale: max(abs(x), abs(y)), method: method)
            for (estimate, exact) in [(xx, h[0][0]), (yy, h[1][1]), (xy, h[0][1])] {
                #expect(estimate.status == .ok && estimate.method == method)
                #expect(abs(estimate.value - exact) <= 10 * estimate.error + 1e-12, "\(method) at (\(x), \(y)): \(estimate.value) ± \(estimate.error) against \(exact)")
                // Central keeps ~7 digits, Richardson ~10, where f is of the size of its
                // second derivatives (at x = 12, f ~ 6000 and its round-off dominates).
                let digits = method == .secondCentral ? 1e-5 : 1e-7
                if abs(x) < 5 { #expect(estimate.error <= digits * max(1, abs(exact)), "\(method): error bar \(estimate.error)") }
            }
        }
    }

    @Test("a mixed derivative along two directions: d²/ds dt f(p + s a + t b) = aᵀ H b")
    func directions() {
        let (x, y) = (0.9, -1.1), a = (0.6, -0.8), b = (1.7, 0.25)
        let h = Self.hessian(x, y)
        let exact = a.0 * (h[0][0] * b.0 + h[0][1] * b.1) + a.1 * (h[1][0] * b.0 + h[1][1] * b.1)
        let e = secondDifference(of: { s, t in Self.f(x + s * a.0 + t * b.0, y + s * a.1 + t * b.1) }, diagonal: false, scale: 1.1, method: .secondRichardson)
        #expect(abs(e.value - exact) <= 10 * e.error, "\(e.value) ± \(e.error) against \(exact)")
    }

    @Test("a wrong second derivative lies outside the bars: 1 % off is told apart")
    func resolvesErrors() {
        let (x, y) = (0.4, 1.2)
        let exact = Self.hessian(x, y)[0][1]
        let e = secondDifference(of: { s, t in Self.f(x + s, y + t) }, diagonal: false, scale: 1.2, method: .secondCentral)
        #expect(abs(e.value - 1.01 * exact) > 10 * e.error)
    }

    @Test("at a domain edge the step shrinks, and says so; outside every step it is inconclusive")
    func domain() {
        // log(x) near 0: the default step 1.2e-4 crosses 0 from x = 1e-4.
        let x = 1e-4
        let e = secondDifference(of: { s, _ in log(x + s) }, diagonal: true, scale: x, method: .secondCentral)
        #expect(e.status == .ok)
        #expect(e.note?.contains("step reduced") == true)
        #expect(abs(e.value - (-1 / (x * x))) <= 10 * e.error, "\(e.value) ± \(e.error)")
        let nowhere = secondDifference(of: { _, _ in Double.nan }, diagonal: false, method: .secondRichardson)
        #expect(nowhere.status.isInconclusive)
        struct Refused: Error {}
        let throwing = secondDifference(of: { _, _ in throw Refused() }, diagonal: true, method: .secondCentral)
        #expect(throwing.status.isInconclusive)
        #expect(derivative(of: { $0 }, at: 1, method: .secondCentral).status.isInconclusive)
        #expect(!DifferenceMethod.realClosureMethods.contains(.secondCentral))
        #expect(secondDifference(of: { s, _ in s }, diagonal: true, method: .central).status.isInconclusive)
    }
}
