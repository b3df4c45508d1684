import ADNumeric
import Numerics
import Testing
import ADTestSupport

struct KinkCase: Sendable, CustomTestStringConvertible {
    let name: String
    let f: @Sendable (Double) -> Double
    let x: Double
    let left: Double
    let right: Double
    var testDescription: String { name }
}

let kinkCases: [KinkCase] = [
    KinkCase(name: "abs at 0", f: { abs($0) }, x: 0, left: -1, right: 1),
    KinkCase(name: "relu at 0", f: { Swift.max($0, 0) }, x: 0, left: 0, right: 1),
    // max(x, y) at x = y = 1.3, as a function of x and of y.
    KinkCase(name: "max(x, 1.3) at x = 1.3", f: { Swift.max($0, 1.3) }, x: 1.3, left: 0, right: 1),
    KinkCase(name: "max(1.3, y) at y = 1.3", f: { Swift.max(1.3, $0) }, x: 1.3, left: 0, right: 1),
    KinkCase(name: "2.5 abs(x - 0.7) + x^2 at 0.7", f: { 2.5 * abs($0 - 0.7) + $0 * $0 }, x: 0.7, left: -1.1, right: 3.9),
]

@Suite("Kinks and domains")
struct KinkAndDomainTests {
    @Test(arguments: kinkCases, [DifferenceMethod.central, .fivePoint, .richardson, .gslCentral])
    func kinksAreClassified(_ c: KinkCase, _ method: DifferenceMethod) {
        let e = derivative(of: c.f, at: c.x, method: method)
        guard case let .kink(left, leftError, right, rightError) = e.status else {
            Issue.record("\(method) \(c.name): expected a kink, got \(e.status) value \(e.value)")
            return
        }
        #expect(abs(left - c.left) <= 10 * leftError + 1e-6, "left \(left) ± \(leftError)")
        #expect(abs(right - c.right) <= 10 * rightError + 1e-6, "right \(right) ± \(rightError)")
        // The one-sided bars are bounded, or a huge one would cover any slope: the widest is
        // 7.4e-4 (5-point on 2.5 |x - 0.7| + x^2, slopes -1.1 and 3.9).
        #expect(leftError <= 2e-3 * Swift.max(abs(c.left), 1), "\(method) \(c.name): left error \(leftError)")
        #expect(rightError <= 2e-3 * Swift.max(abs(c.right), 1), "\(method) \(c.name): right error \(rightError)")
    }

    @Test(arguments: kinkCases)
    func kinkCheckAlone(_ c: KinkCase) {
        #expect(kinkCheck(of: c.f, at: c.x).status.isKink)
    }

    @Test func maxOfTwoInputsGradient() {
        let g = gradient(of: { v in Swift.max(v[0], v[1]) }, at: [1.3, 1.3], method: .central)
        #expect(g.partials.count == 2)
        #expect(g.partials.allSatisfy { $0.status.isKink })
        // Away from the switching point there is no kink.
        let h = gradient(of: { v in Swift.max(v[0], v[1]) }, at: [1.3, 0.4], method: .central)
        #expect(h.partials.count == 2)
        #expect(h.partials.allSatisfy { $0.status.isOK })
        #expect(h.values == [1, 0])
    }

    @Test(arguments: smoothCases.filter(\.nice))
    func smoothFunctionsAreNotKinks(_ c: SmoothCase) {
        #expect(!kinkCheck(of: c.f, at: c.x).status.isKink)
    }

    /// sqrt at 2.5e-9: the default central stencil reaches below 0; the step is reduced.
    @Test(arguments: [DifferenceMethod.central, .fivePoint, .richardson])
    func sqrtNearZeroReducesTheStep(_ method: DifferenceMethod) {
        let e = derivative(of: { $0.squareRoot() }, at: 2.5e-9, method: method)
        #expect(e.status.isOK)
        #expect(e.note?.contains("domain") == true, "\(e.note ?? "no note")")
        #expect(abs(e.value - 9999.999999999999895) <= 10 * e.error)
        #expect(e.error < 1e-3 * 1e4)
    }

    /// At the edge of the domain only the one-sided rule is finite.
    @Test func xToThe1Point5AtZeroFallsBackToOneSided() {
        let e = centralDifference(of: { Double.pow($0, 1.5) }, at: 0)
        #expect(e.status.isOK)
        #expect(e.note?.contains("right one-sided") == true, "\(e.note ?? "no note")")
        #expect(abs(e.value) <= 10 * e.error)
        // f'(0) = 0 and f' = 1.5 sqrt(x) near it: the one-sided rule at h ~ 7.6e-7 is off by
        // about sqrt(h) ~ 5e-4, and its bar (3.6e-4) is no wider than that.
        #expect(e.error <= 1e-3, "error \(e.error)")
        let g = gslDerivative(of: { Double.pow($0, 1.5) }, at: 0)
        #expect(g.method == .gslForward)
        #expect(abs(g.value) <= 10 * g.error)
        #expect(g.error <= 1e-6, "GSL error \(g.error)")
    }

    @Test func nothingFiniteIsInconclusiveWithAReason() {
        for method in DifferenceMethod.realClosureMethods {
            let e = derivative(of: { Double.log($0) }, at: -1, method: method)
            guard case .inconclusive(let reason) = e.status else {
                Issue.record("\(method): \(e.status)")
                continue
            }
            #expect(!reason.isEmpty)
        }
        // Finite at x but nowhere around it.
        let spike: (Double) -> Double = { $0 == 2 ? 1 : .nan }
        #expect(centralDifference(of: spike, at: 2).status.isInconclusive)
    }

    @Test func thrownErrorsBecomeReasons() {
        let e = centralDifference(of: { (_: Double) throws -> Double in throw Refusal() }, at: 1)
        guard case .inconclusive(let reason) = e.status else {
            Issue.record("\(e.status)")
            return
        }
        #expect(reason.contains("refused on purpose"))
    }

    /// sin at 1e12: every stencil with a step relative to |x| spans many periods, and its value
    /// aliases. The outcome at this x is fixed (the oracles are deterministic), method by method:
    /// - central differences: ok, and right within the bar (0.774 ± 0.017 against 0.791), by
    ///   chance of where this x falls (at 3e12 it too is confidently wrong);
    /// - the 5-point rule: inconclusive, because it disagrees with central differences at a
    ///   smaller step (which alias differently);
    /// - forward, backward, Richardson, GSL central and GSL forward: ok with a tiny bar on a value
    ///   near 0 — confidently wrong. A known, unfixed limitation of the oracles (their checks do
    ///   not see the aliasing at this x); the known issue is not intermittent, so this test
    ///   fails once they are fixed and the expectation can become a plain one.
    @Test func aliasingAtHugeX() {
        let x = 1e12
        let exact = Double.cos(x)
        let f: @Sendable (Double) -> Double = { Double.sin($0) }

        let central = derivative(of: f, at: x, method: .central)
        #expect(central.status.isOK, "\(central.status)")
        #expect(abs(central.value - exact) <= 10 * central.error, "\(central.value) ± \(central.error) vs \(exact)")
        #expect(central.error <= 0.05 * abs(exact), "error \(central.error)")

        let five = derivative(of: f, at: x, method: .fivePoint)
        guard case .inconclusive(let reason) = five.status else {
            Issue.record("5-point at 1e12: expected inconclusive, got \(five.status) \(five.value) ± \(five.error)")
            return
        }
        #expect(reason.contains("disagrees with the central difference") && reason.contains("smaller scale than the wide steps"), "\(reason)")

        for method in [DifferenceMethod.forward, .backward, .richardson, .gslCentral, .gslForward] {
            let e = derivative(of: f, at: x, method: method)
            withKnownIssue("\(method) misses the aliasing of sin at 1e12: ok with \(e.value) ± \(e.error) against \(exact)") {
                #expect(!e.status.isOK || abs(e.value - exact) <= 10 * e.error, "\(method): \(e.value) ± \(e.error) vs \(exact)")
            }
        }
    }
}
