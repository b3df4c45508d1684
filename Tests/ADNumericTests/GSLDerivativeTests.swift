import ADNumeric
import Numerics
import Testing

struct Refusal: Error, CustomStringConvertible {
    var description: String { "refused on purpose" }
}

@Suite("GSL differentiation through the bridge")
struct GSLDerivativeTests {
    /// The example of the GSL manual (section "Numerical Differentiation"): f(x) = x^1.5,
    /// central at x = 2 and forward at x = 0, both with h = 1e-8.
    @Test func manualExample() {
        let f: (Double) -> Double = { Double.pow($0, 1.5) }
        let c = GSLDerivative.evaluate(.central, of: f, at: 2, step: 1e-8)
        #expect(c.isUsable)
        #expect(abs(c.value - 2.121320343559642573) <= c.absoluteError)
        #expect(c.absoluteError < 1e-5)
        #expect(c.evaluations == 4 || c.evaluations == 8)
        let fwd = GSLDerivative.evaluate(.forward, of: f, at: 0, step: 1e-8)
        #expect(fwd.isUsable)
        #expect(abs(fwd.value) <= fwd.absoluteError)
        #expect(fwd.absoluteError < 1e-6)
    }

    @Test(arguments: GSLRule.allCases)
    func reportsTheStepItUsed(_ rule: GSLRule) {
        let r = GSLDerivative.evaluate(rule, of: { Double.sin($0) }, at: 0.7, step: 1e-2)
        #expect(r.isUsable)
        if r.evaluations == 4 {
            #expect(r.step == r.initialStep)
        } else {
            // A step of 1e-2 leaves truncation dominant: GSL tries (and here keeps) a smaller one.
            #expect(r.evaluations == 8)
            #expect(r.step > 0 && r.step <= r.initialStep)
        }
        #expect(abs(r.value - 0.7648421872844884549) <= r.absoluteError)
    }

    @Test func aThrowingFunctionIsReportedNotFatal() {
        let r = GSLDerivative.evaluate(.central, of: { x in
            if x > 1 { throw Refusal() }
            return x * x
        }, at: 1, step: 1e-3)
        #expect(!r.isUsable)
        #expect(r.failure?.contains("refused on purpose") == true)
        let e = gslDerivative(of: { (_: Double) throws -> Double in throw Refusal() }, at: 1)
        guard case .inconclusive(let reason) = e.status else {
            Issue.record("expected inconclusive, got \(e.status)")
            return
        }
        #expect(reason.contains("refused on purpose"))
    }

    @Test func nonFiniteValuesAreReported() {
        let r = GSLDerivative.evaluate(.central, of: { _ in .nan }, at: 1, step: 1e-3)
        #expect(!r.isUsable)
        #expect(r.failure != nil)
        #expect(gslDerivative(of: { _ in .infinity }, at: 1).status.isInconclusive)
    }

    /// sqrt at 2.5e-9: the central stencil at cbrt(eps) crosses 0; the step is reduced.
    @Test func domainFallback() {
        let e = gslDerivative(of: { $0.squareRoot() }, at: 2.5e-9)
        #expect(e.status.isOK)
        #expect(e.note != nil)
        #expect(abs(e.value - 9999.999999999999895) <= 10 * e.error)
        #expect(e.error < 1e-2)
    }

    /// 64 concurrent tasks get bit-identical results to a serial run.
    @Test func concurrentCallsMatchSerialOnes() async {
        let inputs: [(rule: GSLRule, x: Double)] = (0..<64).map { i in
            (GSLRule.allCases[i % 3], 0.1 + Double(i) * 0.37)
        }
        @Sendable func run(_ i: Int) -> GSLDerivativeResult {
            let a = Double(i % 5) + 0.5
            return GSLDerivative.evaluate(inputs[i].rule, of: { x in Double.exp(Double.sin(a * x)) * x }, at: inputs[i].x, step: 1e-4)
        }
        let serial = (0..<64).map(run)
        let parallel = await withTaskGroup(of: (Int, GSLDerivativeResult).self) { group in
            for i in 0..<64 { group.addTask { (i, run(i)) } }
            var out = [GSLDerivativeResult?](repeating: nil, count: 64)
            for await (i, r) in group { out[i] = r }
            return out
        }
        for i in 0..<64 {
            let p = parallel[i]
            #expect(p?.value.bitPattern == serial[i].value.bitPattern)
            #expect(p?.absoluteError.bitPattern == serial[i].absoluteError.bitPattern)
            #expect(p?.evaluations == serial[i].evaluations)
            #expect(serial[i].isUsable)
        }
    }
}
