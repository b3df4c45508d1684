// Functions that vary on a smaller scale than a wide stencil (Richardson's tableau, the 5-point
// rule): found by the property tests over random graphs (Tests/ADVerifyTests/PropertyTests.swift),
// where these oracles gave confident wrong derivatives, and minimised by its shrinker.
import ADNumeric
import Foundation
import Testing

struct WideStencilCase: Sendable, CustomTestStringConvertible {
    let name: String
    let f: @Sendable (Double) -> Double
    let x: Double
    /// f'(x) from the closed form.
    let exact: Double
    var testDescription: String { name }
}

private func sech2(_ v: Double) -> Double { 1 / (cosh(v) * cosh(v)) }
private func sec2(_ v: Double) -> Double { 1 / (cos(v) * cos(v)) }

let wideStencilCases: [WideStencilCase] = [
    // 0.75 x plus a wave that relu cancels on one side: at x = -2.9875 the wave's side is active
    // (f' = -15.16), but every point of Ridders' tableau lies where relu cancels it, and the tableau
    // converged to 0.75 with an error of 1e-14.
    WideStencilCase(
        name: "relu(4 sin(8x + 4) + 2) - (4 sin(8x + 4) + 2) + 0.75 x at -2.9875",
        f: { x in let w = 4 * sin(8 * x + 4) + 2; return Swift.max(w, 0) - w + 0.75 * x },
        x: -2.9875, exact: -32 * cos(8 * -2.9875 + 4) + 0.75),
    // tanh far in its tail: exactly 1 in double precision at every point of the tableau, while
    // its derivative adds 1.9e-7 at x; the tableau said 0.75 ± 1e-14.
    WideStencilCase(
        name: "tanh(64 tan(1152 x) + 72 x) + 0.75 x at 2.1125",
        f: { x in tanh(64 * tan(1152 * x) + 72 * x) + 0.75 * x },
        x: 2.1125, exact: {
            let x = 2.1125
            return 0.75 + sech2(64 * tan(1152 * x) + 72 * x) * (64 * 1152 * sec2(1152 * x) + 72)
        }()),
    // tan of an argument that moves by 7 per 1e-3: the 5-point stencil (step 1.6e-3) aliases and
    // passed its asymptotic check by chance with -377 ± 2 where f' = 5445.
    WideStencilCase(
        name: "tanh(tan(1024 (x + x²))) + 0.75 x at 2.175",
        f: { x in tanh(tan(1024 * (x + x * x))) + 0.75 * x },
        x: 2.175, exact: {
            let x = 2.175, t = tan(1024 * (x + x * x))
            return 0.75 + sech2(t) * sec2(1024 * (x + x * x)) * 1024 * (1 + 2 * x)
        }()),
    // A fourth power of a fast wave inside tan: the 5-point rule, its step reduced after it left
    // the domain of nothing (f is smooth; its differences were not asymptotic), said -96.0 ± 0.07
    // where f' = -100.3.
    WideStencilCase(
        name: "cos(tanh(tan((2 sin(s) - exp(sin(s)))^4))) + 0.75 x, s = tan x - tanh x, at -1.2375",
        f: { x in
            let s = tan(x) - tanh(x), w = 2 * sin(s) - exp(sin(s))
            return cos(tanh(tan(pow(w, 4)))) + 0.75 * x
        },
        x: -1.2375, exact: {
            let x = -1.2375
            let s = tan(x) - tanh(x), ds = sec2(x) - sech2(x)
            let w = 2 * sin(s) - exp(sin(s)), dw = (2 - exp(sin(s))) * cos(s) * ds
            let p = pow(w, 4), dp = 4 * pow(w, 3) * dw
            let t = tan(p), dt = sec2(p) * dp
            return -sin(tanh(t)) * sech2(t) * dt + 0.75
        }()),
]

@Suite("Wide stencils against functions that vary on a smaller scale")
struct WideStencilTests {
    /// The oracle may be inconclusive, or right within its error bar; it must not be confidently
    /// wrong: an `.ok` value more than 10 error bars away from f', or a kink whose one-sided values
    /// (with 10 error bars) do not bracket f'.
    @Test(arguments: wideStencilCases, [DifferenceMethod.richardson, .fivePoint])
    func notConfidentlyWrong(_ c: WideStencilCase, _ method: DifferenceMethod) {
        let e = derivative(of: c.f, at: c.x, method: method)
        switch e.status {
        case .ok:
            #expect(abs(e.value - c.exact) <= 10 * e.error, "\(method) \(c.name): \(e.value) ± \(e.error), f' = \(c.exact)")
            // A bar wider than |f'| is honest about its uncertainty, not confident; the widest
            // here is 2.6e4 |f'| (tan(1152 x), poles within the stencil). Far beyond that the
            // value is no estimate at all and the status should not be ok.
            #expect(e.error <= 1e5 * abs(c.exact), "\(method) \(c.name): error \(e.error), f' = \(c.exact)")
        case let .kink(left, leftError, right, rightError):
            let lo = Swift.min(left - 10 * leftError, right - 10 * rightError)
            let hi = Swift.max(left + 10 * leftError, right + 10 * rightError)
            #expect(c.exact >= lo && c.exact <= hi, "\(method) \(c.name): kink \(left) ± \(leftError) | \(right) ± \(rightError), f' = \(c.exact)")
        case .inconclusive:
            break
        }
    }

    /// The checks must not make the wide stencils give up on ordinary smooth functions: they stay
    /// conclusive and accurate (to the 5-point rule's 1e-8 on exp(8x), as in OracleAccuracyTests).
    @Test(arguments: [DifferenceMethod.richardson, .fivePoint])
    func smoothFunctionsStayConclusive(_ method: DifferenceMethod) {
        let cases: [(f: @Sendable (Double) -> Double, x: Double, exact: Double)] = [
            ({ sin($0) }, 0.7, cos(0.7)),
            ({ exp(8 * $0) }, 2.7, 8 * exp(8 * 2.7)),
            ({ log($0) }, 5, 0.2),
            ({ ($0 * $0 + 1) / ($0 - 3) }, 1.1, (2 * 1.1 * (1.1 - 3) - (1.1 * 1.1 + 1)) / ((1.1 - 3) * (1.1 - 3))),
        ]
        for c in cases {
            let e = derivative(of: c.f, at: c.x, method: method)
            #expect(e.status.isOK, "\(method) at \(c.x): \(e.status)")
            #expect(abs(e.value - c.exact) <= 1e-8 * abs(c.exact), "\(method) at \(c.x): \(e.value) vs \(c.exact)")
        }
    }
}
