import ADNumeric
import Numerics
import Testing
import ADTestSupport

@Suite("Complex step")
struct ComplexStepTests {
    /// Analytic functions: the complex step agrees with mpmath to ~1e-15 relative (a few ulps).
    @Test(arguments: smoothCases)
    func agreesWithClosedForms(_ c: SmoothCase) {
        let e = complexStepDerivative(of: c.fz, at: c.x)
        #expect(e.status.isOK)
        #expect(e.value.isApproximatelyEqual(to: c.exact, relativeTolerance: 2e-15),
                "\(c.name): \(e.value) vs \(c.exact), \(agreeing(e.value, c.exact)) ulps")
        #expect(abs(e.value - c.exact) <= 10 * e.error + 4 * c.exact.ulp)
        // The bar itself is a few ulps of f' (at most 9e-16 relative over the catalogue).
        #expect(e.error <= 1e-14 * abs(c.exact), "\(c.name): error \(e.error)")
        #expect(e.evaluations == 2)
    }

    @Test func refusalIsInconclusiveWithTheReason() {
        let e = complexStepDerivative(of: { (_: Complex<Double>) throws -> Complex<Double> in throw Refusal() }, at: 0)
        guard case .inconclusive(let reason) = e.status else {
            Issue.record("expected inconclusive, got \(e.status)")
            return
        }
        #expect(reason.contains("refused on purpose"))
    }

    /// log at x < 0 is not real: Im log(x + ih) ≈ π, so D(h) and D(3h) disagree wildly.
    @Test func notRealOnTheAxisShowsInTheError() {
        let e = complexStepDerivative(of: { Complex.log($0) }, at: -2)
        #expect(e.error > 0.1 * abs(e.value))
    }

    @Test func gradientOfXYSinXOverYAtTinyScale() {
        let g = complexStepGradient(of: { v in v[0] * v[1] * Complex.sin(v[0] / v[1]) }, at: [1e-3, 1e-3])
        #expect(g.values[0].isApproximatelyEqual(to: 0.001381773290676036253, relativeTolerance: 4e-15))
        #expect(g.values[1].isApproximatelyEqual(to: 0.0003011686789397567955, relativeTolerance: 4e-15))
        #expect(g.evaluations == 4)
        #expect(complexStepGradient(of: { v in v[0] * v[1] }, at: [2, 3], estimateError: false).evaluations == 2)
    }

    private func agreeing(_ a: Double, _ b: Double) -> Double { abs(a - b) / b.ulp }
}

/// Documents a limitation of the complex extension in swift-numerics that any complex-step user
/// (ADCore's complex evaluation included) must avoid: if this starts failing, Complex.atan has
/// been fixed and the workaround in the catalogue can go.
@Test func swiftNumericsComplexAtanLosesTheTinyImaginaryPart() {
    let e = complexStepDerivative(of: { Complex.atan($0) }, at: 2)
    #expect(e.value == 0, "Complex.atan now keeps Im; d/dx atan at 2 = \(e.value)")
}
