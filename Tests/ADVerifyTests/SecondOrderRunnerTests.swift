// The runner on cases that expect second derivatives: every reference family and the symmetry
// checks run, a wrong expected entry fails on its own, and a kink makes second differences
// inconclusive rather than failed.
import ADCatalog
import ADVerify
import Foundation
import Testing

@Suite("Second derivatives in the runner")
struct SecondOrderRunnerTests {
    func verify(_ yaml: String) throws -> CaseResult {
        let (cases, errors) = CaseLoader.load(text: yaml, path: "second.yaml")
        #expect(errors.isEmpty, "\(errors)")
        return Runner().verify(try #require(cases.first))
    }

    static func rosenbrock(_ xx: String) -> String {
        """
        id: rosenbrock
        title: Rosenbrock
        inputs: {x: -1.2, y: 1.0}
        output: (1 - x)^2 + 100*(y - x^2)^2
        expect:
          hessian: [["\(xx)", "-400*x"], ["-400*x", 200]]
          hvp:
            direction: {x: 0.3, y: -1.7}
            values: {x: "(1200*x^2 - 400*y + 2)*0.3 - 400*x*(-1.7)", y: -196}
        """
    }

    @Test("Rosenbrock: four entries and two product components, each against every reference family")
    func rosenbrock() throws {
        let r = try verify(Self.rosenbrock("1200*x^2 - 400*y + 2"))
        #expect(r.verdict == .pass, "\(r.failures.map(\.message))")
        let second = r.rows.filter(\.kind.isSecondOrder)
        #expect(second.map(\.quantity) == ["∂²f/∂x²", "∂²f/∂x∂y", "∂²f/∂y∂x", "∂²f/∂y²",
                                           "(∇²f v)_x (v: x = 0.3, y = -1.7)", "(∇²f v)_y (v: x = 0.3, y = -1.7)"])
        #expect(second[0].reverse == 1330 && second[5].reverse == -196)
        for row in second {
            #expect(row.oracles.map(\.checkMethod) == [
                "gradient: gslCentral", "gradient: central", "gradient: fivePoint", "gradient: richardson",
                "second-central", "second-richardson", "complex-step gradient: gslCentral",
            ], "\(row.quantity)")
            #expect(row.oracles.allSatisfy { $0.verdict == .pass }, "\(row.quantity): \(row.oracles)")
        }
        let symmetry = r.checks.filter { $0.kind == .symmetry }
        #expect(symmetry.map(\.quantity) == ["∂²f/∂x∂y = ∂²f/∂y∂x", "<w, ∇²f v> = <∇²f w, v>"])
        #expect(symmetry.allSatisfy { $0.comparison.verdict == .pass })
    }

    @Test("a vector function: Σ u_k ∇²F_k v against every family; a product without one output's weight fails")
    func vectorFunction() throws {
        func polar(_ t: String) -> String {
            """
            id: polar
            title: polar
            inputs: {r: 1.7, t: 0.6}
            outputs: {u: r*cos(t), v: r*sin(t)}
            expect:
              hvp:
                direction: {r: 0.4, t: -1.3}
                cotangent: {u: 0.7, v: -1.1}
                values: {t: "\(t)"}
            """
        }
        let right = try verify(polar("0.7*(-sin(t)*0.4 + r*cos(t)*1.3) + (-1.1)*(cos(t)*0.4 + r*sin(t)*1.3)"))
        #expect(right.verdict == .pass, "\(right.failures.map(\.message))")
        let rows = right.rows.filter(\.kind.isSecondOrder)
        #expect(rows.count == 2 && rows.allSatisfy { $0.oracles.count == 7 && $0.oracles.allSatisfy { $0.verdict == .pass } })
        #expect(right.checks.contains { $0.kind == .symmetry && $0.quantity == "<w, Σ u_k ∇²F_k v> = <Σ u_k ∇²F_k w, v>" })
        // The v output's term left out of the expected number: only the expectation fails.
        let wrong = try verify(polar("0.7*(-sin(t)*0.4 + r*cos(t)*1.3)"))
        #expect(wrong.verdict == .fail && wrong.failures.map(\.kind) == [.expectation])
    }

    @Test("a wrong expected entry fails its expectation while every reference passes")
    func wrongExpectation() throws {
        let r = try verify(Self.rosenbrock("1200*x^2 - 400*y"))
        #expect(r.verdict == .fail)
        #expect(r.failures.map(\.quantity) == ["∂²f/∂x²"])
        #expect(r.failures.map(\.kind) == [.expectation])
    }

    @Test("next to a kink the second differences straddle it and are inconclusive, not failed")
    func kink() throws {
        // relu(x - 1e-5) sin(y): the kink 1e-5 from x = 0 is inside the second differences'
        // stencils (steps ~1e-4); ∂²f/∂x² = 0 by the rule, while differences across the kink see
        // a spike.
        let r = try verify("""
            id: near-kink
            title: near a kink
            inputs: {x: 0, y: 0.6}
            output: relu(x + 1e-5) * sin(y)
            expect:
              hessian: [[0, "cos(y)"], ["cos(y)", "-(1e-5)*sin(y)"]]
            """)
        #expect(r.verdict == .pass, "\(r.failures.map(\.message))")
        let xx = try #require(r.rows.first { $0.quantity == "∂²f/∂x²" })
        let secondCentral = try #require(xx.oracles.first { $0.method == .secondCentral })
        #expect(secondCentral.verdict.isInconclusive, "\(secondCentral)")
        #expect(xx.oracles.allSatisfy { $0.verdict != .fail })
    }

    @Test("no false failure where the fuzz tests found one", arguments: [
        // A coordinate of 1.8e308 on the direction: steps scaled to it overflowed cosh.
        "inputs: {w1: 8.49e3, u: -1, z: 1.7976931348623157e308, y: 1}\noutput: atan(cosh(y))\nexpect:\n  hvp: {direction: {z: -0.93, u: 100, y: 1.13, w1: -3.32}, values: {w1: 0}}",
        // A direction of 25000 along one input: steps not scaled by it left the asymptotic range.
        "inputs: {x: 2.15, w1: 0.0626}\noutputs: {o0: atan(x / 1.74), o1: w1}\nexpect:\n  hvp: {direction: {x: 44.3, w1: 2.1}, cotangent: {o1: 12.5, o0: 4.62e-5}, values: {w1: 0}}",
        // A negative base to a variable (integer) exponent: the complex-step gradient's imaginary
        // part buried under the rounding of sin(4 pi).
        "inputs: {t: -5, z: 4}\noutput: cos(z) - t^z\nexpect:\n  hvp: {direction: {t: 1}, values: {t: -300}}",
        // Paths that cancel exactly (a t / a): the complex-step gradient's rounding is relative
        // to the paths, not to the zero they sum to.
        "inputs: {_a: 4.28e3, t: -0.2}\noutput: _a * t / _a / pi\nexpect:\n  hvp: {direction: {t: 1.7, _a: 3.39}, values: {_a: 0}}",
        // Rosenbrock's minimum: every intermediate is 0 at the point, O(h) on the stencil.
        "inputs: {x: 1, y: 1}\noutput: (1 - x)^2 + 100*(y - x^2)^2\nexpect:\n  hvp: {direction: {x: 0.57, y: 0.22}, values: {y: -184}}",
    ])
    func fuzzRegressions(body: String) throws {
        let r = try verify("id: fuzz\ntitle: fuzz\n" + body + "\n")
        // A NaN from AD (∂/∂z t^z = t^z log t at t < 0 has no real value) fails honestly; a
        // finite AD value must not fail against a reference.
        let failed = r.checks.filter { $0.kind == .oracle && $0.comparison.verdict == .fail && $0.comparison.value.isFinite }
        #expect(failed.isEmpty, "\(failed.map(\.message))")
    }
}
