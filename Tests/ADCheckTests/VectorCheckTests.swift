// Jacobians, VJPs and JVPs: correct ones pass, a VJP that ignores its cotangent's scale or adds a
// constant fails; and `checkGradient` records an issue at the caller's line with the message.
import ADCheck
import Testing

@Suite("Jacobians, VJPs and JVPs")
struct VectorCheckTests {
    @Test("Correct Jacobian, VJP and JVP pass (Double and Float)", arguments: seeds)
    func correct(seed: UInt64) {
        let x = randomPoint(3, seed: seed)
        let options = CheckOptions(seed: seed)
        let j = ADCheck.check(function: vectorF, jacobian: vectorJacobian(x), at: x, options: options)
        #expect(j.verdict == .pass, "\(j)")
        #expect(j.entries.count == 6)
        let vjp = ADCheck.check(function: vectorF, vjp: vectorVJP, at: x, options: options)
        #expect(vjp.verdict == .pass, "\(vjp)")
        // The inner product, then the 2 x 3 entries through unit cotangents.
        #expect(vjp.entries.count == 7)
        let jvp = ADCheck.check(function: vectorF, jvp: vectorJVP, at: x, options: options)
        #expect(jvp.verdict == .pass, "\(jvp)")
        let xf = x.map { Float($0) }
        let vjpFloat = ADCheck.check(function: vectorF, vjp: vectorVJP, at: xf, options: options)
        #expect(!vjpFloat.verdict.isFail, "\(vjpFloat)")
        let jvpFloat = ADCheck.check(function: vectorF, jvp: vectorJVP, at: xf, options: options)
        #expect(!jvpFloat.verdict.isFail, "\(jvpFloat)")
    }

    @Test("The cotangent and tangent are seeded, random and not unit")
    func randomNonUnit() {
        let x = randomPoint(3, seed: 4)
        let a = ADCheck.check(function: vectorF, vjp: vectorVJP, at: x, options: CheckOptions(seed: 11))
        let b = ADCheck.check(function: vectorF, vjp: vectorVJP, at: x, options: CheckOptions(seed: 11))
        let c = ADCheck.check(function: vectorF, vjp: vectorVJP, at: x, options: CheckOptions(seed: 12))
        #expect(a.cotangent == b.cotangent)
        #expect(a.cotangent != c.cotangent)
        for value in (a.cotangent ?? []) + (a.tangent ?? []) { #expect(abs(value) >= 0.5 && abs(value) < 1.5 && abs(value) != 1) }
    }

    @Test("A VJP that ignores the cotangent's scale fails on the inner product", arguments: seeds)
    func ignoresScale(seed: UInt64) {
        let x = randomPoint(3, seed: seed)
        // Normalises u: right for every unit cotangent, wrong for any other.
        let result = ADCheck.check(function: vectorF, vjp: { (x: [Double], u: [Double]) -> [Double] in
            let norm = (u[0] * u[0] + u[1] * u[1]).squareRoot()
            return vectorVJP(x, u.map { $0 / norm })
        }, at: x, options: CheckOptions(seed: seed))
        #expect(result.verdict == .fail, "\(result)")
        #expect(result.failures.map(\.quantity) == ["⟨u, J v⟩ = ⟨vjp(x, u), v⟩"], "\(result)")
    }

    @Test("A VJP that adds a constant fails", arguments: seeds)
    func addsConstant(seed: UInt64) {
        let x = randomPoint(3, seed: seed)
        let result = ADCheck.check(function: vectorF, vjp: { (x: [Double], u: [Double]) -> [Double] in
            vectorVJP(x, u).map { $0 + 1e-3 }
        }, at: x, options: CheckOptions(seed: seed))
        #expect(result.verdict == .fail, "\(result)")
        #expect(result.failures.count == 7, "\(result)")
    }

    @Test("A JVP that ignores the tangent's scale fails on the inner product", arguments: seeds)
    func jvpIgnoresScale(seed: UInt64) {
        let x = randomPoint(3, seed: seed)
        let result = ADCheck.check(function: vectorF, jvp: { (x: [Double], v: [Double]) -> [Double] in
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return vectorJVP(x, v.map { $0 / norm })
        }, at: x, options: CheckOptions(seed: seed))
        #expect(result.verdict == .fail, "\(result)")
        #expect(result.failures.map(\.quantity) == ["⟨u, J v⟩ = ⟨u, jvp(x, v)⟩"], "\(result)")
    }

    @Test("Float: a VJP with one partial off by 1e-3 relative fails", arguments: seeds)
    func floatVJP(seed: UInt64) {
        let x = randomPoint(3, seed: seed).map { Float($0) }
        let result = ADCheck.check(function: vectorF, vjp: { (x: [Float], u: [Float]) -> [Float] in
            var w = vectorVJP(x, u)
            w[0] += u[0] * x[1] * 1e-3  // ∂F0/∂x0 = x1 claimed as 1.001 x1
            return w
        }, at: x, options: CheckOptions(seed: seed))
        #expect(result.verdict == .fail, "\(result)")
        #expect(result.failures.contains { $0.quantity == "∂F[0]/∂x[0]" }, "\(result)")
    }

    @Test("A JVP with a wrong entry fails, on the inner product and on the entry")
    func wrongJVP() {
        let x = randomPoint(3, seed: 6)
        let result = ADCheck.check(function: vectorF, jvp: { (x: [Double], v: [Double]) -> [Double] in
            var jv = vectorJVP(x, v)
            jv[1] -= Double.exp(x[0]) * x[2] * v[2]  // 2 exp(x0) x2 v2 written as exp(x0) x2 v2
            return jv
        }, at: x)
        #expect(result.verdict == .fail, "\(result)")
        #expect(Set(result.failures.map(\.quantity)) == ["⟨u, J v⟩ = ⟨u, jvp(x, v)⟩", "∂F[1]/∂x[2]"], "\(result)")
    }

    @Test("A Jacobian of the wrong shape, a VJP of the wrong length")
    func shapes() {
        let x = [0.5, 0.25, -0.75]
        let j = ADCheck.check(function: vectorF, jacobian: [[1.0, 2.0, 3.0]], at: x)
        #expect(j.verdict == .fail)
        #expect(j.problem == "the Jacobian has 1 rows for 2 outputs", "\(j)")
        let v = ADCheck.check(function: vectorF, vjp: { (_: [Double], _: [Double]) in [1.0] }, at: x)
        #expect(v.verdict == .fail)
        #expect(v.problem == "the VJP returns 1 entries where 3 are expected", "\(v)")
    }

    @Test("A Jacobian column's outputs share F's values: F is called once per point, and counted")
    func sharedColumns() {
        final class Counter { var calls = 0 }
        let counter = Counter()
        let x = randomPoint(3, seed: 9)
        let result = ADCheck.check(function: { (x: [Double]) -> [Double] in
            counter.calls += 1
            return vectorF(x)
        }, jacobian: vectorJacobian(x), at: x)
        #expect(result.verdict == .pass, "\(result)")
        #expect(result.evaluations == counter.calls)
        let used = result.entries.reduce(0) { $0 + $1.evaluations }
        #expect(counter.calls - 2 < used, "\(counter.calls) calls for \(used) values")
    }

    @Test("Output names appear in the quantities")
    func outputNames() {
        let x = [0.5, 0.25, -0.75]
        let result = ADCheck.check(
            function: vectorF, jacobian: vectorJacobian(x), at: x,
            options: CheckOptions(inputNames: ["a", "b", "c"], outputNames: ["p", "q"]))
        #expect(result.entries.map(\.quantity).prefix(2) == ["∂p/∂a", "∂p/∂b"])
    }
}

@Suite("Issues at the caller's line")
struct IssueTests {
    @Test("checkGradient on a wrong gradient records an issue naming the entry, the references and who is wrong")
    func recordsIssue() {
        let x = [0.75, -1.25, 0.5]
        let expectedLine = #line + 3
        withKnownIssue {
            // ∂f/∂x[1] off by 1e-3.
            checkGradient(of: sinChain, gradient: { x in
                var g = sinChainGradient(x)
                g[1] += 1e-3
                return g
            }, at: x)
        } matching: { issue in
            let text = issue.comments.map(\.rawValue).joined(separator: "\n")
            return issue.sourceLocation?.line == expectedLine
                && text.contains("gradient check (Double, 3 entries")
                && text.contains("FAIL, 1 wrong")
                && text.contains("∂f/∂x[1]: yours ")
                && text.contains("central difference ")
                && text.contains("GSL central ")
                && text.contains(" ± ")
                && text.contains("the references agree with each other and your value is off by 0.00")
                && !text.contains("∂f/∂x[0]")
        }
    }

    @Test("checkGradient on a right gradient records nothing")
    func recordsNothing() {
        let result = checkGradient(of: rosenbrock, gradient: rosenbrockGradient, at: [0.4, -0.6, 1.1])
        #expect(result.verdict == .pass)
    }
}
