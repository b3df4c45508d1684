// Correct graphs that the verifier once failed, found by the property test "the verifier never
// fails a correct graph" (PropertyTests.swift) and minimised by its shrinker; each is the case
// file the property printed.
import ADCatalog
import ADVerify
import Testing

struct VerifierFinding: Sendable, CustomTestStringConvertible {
    let name: String
    let yaml: String
    var testDescription: String { name }
}

let verifierFindings: [VerifierFinding] = [
    // sin(4 tan x) + 0.75 x: f' = 9.45 cos(4 tan x) + 0.75 with cos near its zero, so the last bit
    // of tan x moves f' by 1e-14. The complex step (which computes tan's real part differently)
    // and AD differed by 8.3e-15 against a budget of 1.5e-15 that assumed AD exact.
    VerifierFinding(name: "AD's own rounding against the complex step", yaml: """
        id: property-c58427c53ac72100
        title: sin(4 tan x) + 0.75 x
        inputs: {x0: 0.8625}
        let:
          v1: tan(x0)
          v3: 4 * v1
          v11: sin(v3)
          v13: 0.75 * x0
        output: v11 + v13
        """),
    // f is computed with an absolute error of ~1e-14 (exp and tan amplify the rounding of their
    // arguments), not 2 ulps of |f| = 0.09: the central difference, its step cut to 1e-11 by the
    // noise, claimed 0.573 ± 0.0025 where f' = 0.602.
    VerifierFinding(name: "f's own rounding in a central difference", yaml: """
        id: property-6d3e2688de9acbdf
        title: cos(tan(exp(2.5 sin(tanh(acos(...)))))) + 0.75 x
        inputs: {x0: 0.425}
        let:
          v2: x0 + (-1)
          v3: sigmoid(v2)
          v4: sigmoid(v3)
          v6: v4 / 0.75
          v7: sqrt(v6)
          v9: v7 - 0.75
          v11: v9 / (-2)
          v12: acos(v11)
          v13: tanh(v12)
          v14: sin(v13)
          v16: v14 * 2.5
          v17: exp(v16)
          v18: tan(v17)
          v19: cos(v18)
          v21: 0.75 * x0
        output: v19 + v21
        """),
    // The same in GSL's central rule: 0.74999982 ± 1.6e-9 where f' = 0.74999977.
    VerifierFinding(name: "f's own rounding in GSL's central rule", yaml: """
        id: property-d9154ca4e7505709
        title: sigmoid(2 tan(exp(3.5 tan(tanh(...))))) with three inputs
        inputs: {x0: -1.05, x1: 1.2375, x2: -0.675}
        let:
          v3: tanh(x0)
          v4: softplus(v3)
          v6: v3 + (-3)
          v7: v4 + v6
          v8: v7 * v6
          v9: tanh(v8)
          v10: tan(v9)
          v12: v10 * 3.5
          v13: exp(v12)
          v14: tan(v13)
          v16: v14 * 2
          v17: sigmoid(v16)
          v18: v17 + v17
          v20: 0.75 * x0
          v21: v18 + v20
          v23: (-1.25) * x1
          v24: v21 + v23
          v26: 0.5 * x2
        output: v24 + v26
        """),
    // tan of an argument that moves by 6.6e5 per unit of x: a period of 4.8e-6, below the central
    // step 9.4e-6. The central difference and GSL's central rule aliased and passed their own
    // checks by chance: -7180 ± 24 and -7204 ± 24 where f' = 883889.
    VerifierFinding(name: "a period below the central step", yaml: """
        id: property-6b059adb9a1df564
        title: tan(cosh(cosh(exp(tanh(sigmoid(sqrt(cos(cos(sinh(sinh(sin(cosh(x)^4)))))) - 0.5)))))^4) + 0.75 x
        inputs: {x0: -1.55}
        let:
          v5: cosh(x0)
          v7: v5 ^ 4
          v8: sin(v7)
          v9: sinh(v8)
          v10: sinh(v9)
          v11: cos(v10)
          v12: cos(v11)
          v13: sqrt(v12)
          v15: v13 - 0.5
          v16: sigmoid(v15)
          v17: tanh(v16)
          v18: exp(v17)
          v19: cosh(v18)
          v20: cosh(v19)
          v22: v20 ^ 4
          v23: tan(v22)
        output: v23 + 0.75 * x0
        """),
    // (tan(v) 93.6) / tan(v) = 93.6 again: the paths through tan(v) cancel, so the derivative
    // (0.75 + 8 tan'(374.4)...) is made of terms far larger than itself, which forward and reverse
    // mode add in different orders: they differed by 4.3e-12 against a budget of 1e-12 |J|.
    VerifierFinding(name: "forward against reverse mode where paths cancel", yaml: """
        id: property-4f9f73fff32675a9
        title: tan(4 (tan(v) 93.6 / tan(v))) with paths that cancel
        inputs: {x0: 1.425}
        let:
          v7: 32 * (x0 + x0 + 3)
          v8: tan(v7)
          v10: 4 * v8
          v11: v10 * v10
          v12: tan(v11)
          v13: v12 * v7
          v14: v13 / v12
          v16: 4 * v14
          v17: tan(v16)
        output: v17 + 0.75 * x0
        """),
    // x - x = 0 feeding exp(exp(...))^2: forward mode's tangent of x - x is exactly 0, reverse
    // mode adds +a and -a with |a| = 2.6e5 into x's adjoint; the dot-product test's budget was
    // 1e-12 of |<u, J v>| = 1.56, the rounding 5.7e-11.
    VerifierFinding(name: "the dot-product test where paths cancel", yaml: """
        id: property-902dc744947c958a
        title: exp(1.5 exp(tanh(e^(x - x)) + sin(e^(x - x))) - 3)^2 + 0.75 x
        inputs: {x0: 0.3}
        let:
          v1: x0 - x0
          v2: exp(v1)
          v5: tanh(v2) + sin(v2)
          v11: exp(exp(v5) * 1.5 - 3)
          v12: v11 * v11
        output: v12 + 0.75 * x0
        """),
    // The wide-stencil findings of ADNumericTests/WideStencilTests.swift, through the whole
    // verifier: Richardson's tableau converged to 0.75 where f' = -15.16.
    VerifierFinding(name: "Richardson across a relu", yaml: """
        id: property-6518d0e187480283
        title: relu(4 sin(8x + 4) + 2) - (4 sin(8x + 4) + 2) + 0.75 x
        inputs: {x0: -2.9875}
        let:
          v5: 8 * x0 + 4
          v10: 4 * sin(v5) + 2
        output: relu(v10) - v10 + 0.75 * x0
        """),
]

@Suite("Verifier findings from random graphs")
struct RandomGraphFindingsTests {
    @Test("the verifier does not fail a correct graph it once failed", arguments: verifierFindings)
    func noFalseFailure(_ finding: VerifierFinding) throws {
        let c = try loadCase(finding.yaml)
        let result = Runner().verify(c)
        #expect(result.error == nil)
        #expect(result.failures.isEmpty, "\(result.failures.map(\.message))")
        // Not by giving up: some oracle still decides every partial.
        for row in result.rows where row.kind == .partial {
            #expect(row.oracles.contains { $0.verdict == .pass }, "\(row.quantity): no oracle decided")
        }
    }
}
