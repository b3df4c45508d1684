// Scalar derivatives, the checks that stop a test (`require...`), references that disagree with
// each other, and many checks at once.
import ADCheck
import Foundation
import Testing

@Suite("Scalar derivatives")
struct ScalarDerivativeTests {
    /// `f(t) = t sin(t) + exp(t / 2)`, `f'(t) = sin t + t cos t + exp(t / 2) / 2`.
    static func f<T: BinaryFloatingPoint & ElementaryFunctionsLike>(_ t: T) -> T { t * T.sin(t) + T.exp(t / 2) }
    static func derivative<T: BinaryFloatingPoint & ElementaryFunctionsLike>(_ t: T) -> T { T.sin(t) + t * T.cos(t) + T.exp(t / 2) / 2 }

    @Test("A right derivative passes (Double and Float), as a function and as a value", arguments: seeds)
    func right(seed: UInt64) {
        let t = randomPoint(1, seed: seed)[0]
        let a = ADCheck.check(function: Self.f, derivative: Self.derivative, at: t)
        #expect(a.verdict == .pass, "\(a)")
        #expect(a.kind == .derivative)
        #expect(a.entries.map(\.quantity) == ["df/dx"])
        #expect(a.description.hasPrefix("derivative check (Double, 1 entries"), "\(a)")
        let b = ADCheck.check(function: Self.f, derivative: Self.derivative(t), at: t)
        #expect(b.verdict == .pass, "\(b)")
        let c = ADCheck.check(function: Self.f, derivative: Self.derivative, at: Float(t))
        #expect(!c.verdict.isFail, "\(c)")
        #expect(c.precision == "Float")
    }

    @Test("A wrong derivative fails, named after the input", arguments: seeds)
    func wrong(seed: UInt64) {
        let t = randomPoint(1, seed: seed)[0]
        // t cos t forgotten.
        let result = ADCheck.check(
            function: Self.f, derivative: { (t: Double) in Double.sin(t) + Double.exp(t / 2) / 2 }, at: t,
            options: CheckOptions(inputNames: ["t"]))
        #expect(result.verdict == .fail, "\(result)")
        #expect(result.failures.map(\.quantity) == ["df/dt"])
        #expect(result.options.inputNames == ["t"])
    }

    @Test("A derivative function that throws is a problem named as a derivative")
    func throwingDerivative() {
        struct Boom: Error {}
        let result = ADCheck.check(function: { (t: Double) in t * t }, derivative: { (_: Double) throws -> Double in throw Boom() }, at: 0.5)
        #expect(result.verdict == .fail)
        #expect(result.problem?.hasPrefix("the derivative function throws at the point") == true, "\(result)")
    }

    @Test("checkDerivative on a wrong derivative records an issue at the caller's line with the message")
    func recordsIssue() {
        let expectedLine = #line + 3
        withKnownIssue {
            // d/dt t^3 written as 3 t.
            checkDerivative(of: { (t: Double) in t * t * t }, derivative: { (t: Double) in 3 * t }, at: 0.8)
        } matching: { issue in
            let text = issue.comments.map(\.rawValue).joined(separator: "\n")
            // f'(0.8) = 1.92, claimed 2.4: off by 0.48 (0.25 relative).
            return issue.sourceLocation?.line == expectedLine
                && text.hasPrefix("derivative check (Double, 1 entries, ")
                && text.contains("FAIL, 1 wrong")
                && text.contains("df/dx: yours 2.4, 4-point central 1.92")
                && text.contains("the references agree with each other and your value is off by 0.48 (0.25 relative)")
        }
    }
}

@Suite("require...: a failing check stops the test")
struct RequireTests {
    let x = randomPoint(4, seed: 17)

    func wrongGradient(_ x: [Double]) -> [Double] {
        var g = sinChainGradient(x)
        g[0] *= 1 + 1e-3
        return g
    }

    @Test("A right gradient, Jacobian, VJP, JVP and derivative return their result")
    func right() throws {
        #expect(try requireGradient(of: sinChain, gradient: sinChainGradient, at: x).verdict == .pass)
        #expect(try requireGradient(of: sinChain, gradient: sinChainGradient(x), at: x).verdict == .pass)
        let p = Array(x.prefix(3))
        #expect(try requireJacobian(of: vectorF, jacobian: vectorJacobian(p), at: p).verdict == .pass)
        #expect(try requireVJP(of: vectorF, vjp: vectorVJP, at: p, options: CheckOptions(seed: 23)).verdict == .pass)
        #expect(try requireJVP(of: vectorF, jvp: vectorJVP, at: p, options: CheckOptions(seed: 23)).verdict == .pass)
        #expect(try requireDerivative(of: { (t: Double) in t * t }, derivative: { 2 * $0 }, at: 0.6).verdict == .pass)
        #expect(try requireDerivative(of: { (t: Double) in t * t }, derivative: 1.2, at: 0.6).verdict == .pass)
    }

    @Test("requireGradient on a wrong gradient records the issue at the caller's line, throws CheckFailure, and the test stops")
    func wrongGradientStops() throws {
        let reached = Flag(), thrown = Box<CheckFailure>()
        let expectedLine = #line + 3
        try withKnownIssue {
            do throws(CheckFailure) {
                try requireGradient(of: sinChain, gradient: wrongGradient, at: x)
                reached.set()
            } catch {
                thrown.value = error
                throw error
            }
        } matching: { issue in
            // Two issues: the one recorded at the call, and the error that ended the test.
            if let error = issue.error as? CheckFailure {
                return error.description.contains("∂f/∂x[0]: yours ")
            }
            let text = issue.comments.map(\.rawValue).joined(separator: "\n")
            return issue.sourceLocation?.line == expectedLine
                && text.hasPrefix("gradient check (Double, 4 entries, ")
                && text.contains("FAIL, 1 wrong")
                && text.contains("∂f/∂x[0]: yours ")
                && text.contains("the references agree with each other and your value is off by")
        }
        #expect(!reached.isSet, "the line after a failing requireGradient ran")
        let error = thrown.value
        #expect(error?.result.verdict == .fail)
        #expect(error?.description == error?.result.description)
        #expect(error?.localizedDescription == error?.result.description)
        #expect(error?.result.failures.map(\.quantity) == ["∂f/∂x[0]"])
    }

    @Test("requireJacobian, requireVJP, requireJVP and requireDerivative throw on a wrong derivative")
    func wrongOthersThrow() throws {
        let p = Array(x.prefix(3))
        var wrongJ = vectorJacobian(p)
        wrongJ[1][2] *= 0.5
        let attempts: [(String, () throws -> CheckResult)] = [
            ("∂F[1]/∂x[2]", { try requireJacobian(of: vectorF, jacobian: wrongJ, at: p) }),
            ("⟨u, J v⟩ = ⟨vjp(x, u), v⟩", { try requireVJP(of: vectorF, vjp: { x, u in vectorVJP(x, u).map { $0 + 1e-3 } }, at: p) }),
            ("⟨u, J v⟩ = ⟨u, jvp(x, v)⟩", { try requireJVP(of: vectorF, jvp: { x, v in vectorJVP(x, v).map { 2 * $0 } }, at: p) }),
            ("df/dx", { try requireDerivative(of: { (t: Double) in t * t }, derivative: { 3 * $0 }, at: 0.6) }),
            ("df/dx", { try requireDerivative(of: { (t: Double) in t * t }, derivative: 1.3, at: 0.6) }),
        ]
        for (quantity, attempt) in attempts {
            let thrown = Box<CheckFailure>()
            try withKnownIssue {
                do {
                    _ = try attempt()
                } catch let error as CheckFailure {
                    thrown.value = error
                    throw error
                }
            } matching: { issue in
                issue.error is CheckFailure || issue.comments.contains { $0.rawValue.contains("\(quantity): yours ") }
            }
            #expect(thrown.value?.result.failures.contains { $0.quantity == quantity } == true, "\(quantity): \(String(describing: thrown.value))")
        }
    }
}

@Suite("References that disagree with each other")
struct DisagreementTests {
    /// `f(t) = sin t + A sin(ω (t - t0))` with `ω = 16 π m / h`, `h` the central step at t0
    /// (`cbrt(eps) max(|t0|, 1)`): the wiggle's period `h / (8 m)` divides every point the central
    /// difference and GSL's central rule sample (`t0 ± k h / 8`), so both see only `cos t0`, each
    /// with a budget near 1e-9; the 5-point rule's step (`eps^(1/5)`, 7.4e-4) is not a multiple
    /// of the period, and it sees `cos t0 + A ω`, the true derivative, with its own small budget.
    /// Two conclusive references a thousand budgets apart: nobody can tell who is wrong.
    static func wiggle(t0: Double, m: Double, slope: Double) -> (f: @Sendable ([Double]) -> Double, derivative: Double) {
        let h = pow(Double.ulpOfOne, 1.0 / 3.0) * Swift.max(abs(t0), 1)
        let omega = 16 * Double.pi * m / h
        let amplitude = slope / omega
        return ({ x in sin(x[0]) + amplitude * sin(omega * (x[0] - t0)) }, cos(t0) + slope)
    }

    @Test("The true derivative of a function the stencils see differently: inconclusive, never fail",
          arguments: [(0.37, 2.0, 1e-3), (0.8, 2.0, 1e-3), (0.37, 3.0, 1e-5), (0.8, 3.0, 1e-1)])
    func disagree(t0: Double, m: Double, slope: Double) throws {
        let (f, derivative) = Self.wiggle(t0: t0, m: m, slope: slope)
        let result = ADCheck.check(function: f, gradient: [derivative], at: [t0])
        #expect(!result.verdict.isFail, "\(result)")
        #expect(result.verdict.isInconclusive, "\(result)")
        let entry = try #require(result.entries.first)
        #expect(entry.verdict.isInconclusive)
        #expect(entry.finding == "references disagree: inconclusive", "\(entry.message)")
        guard case .inconclusive(let reason) = entry.verdict else { return }
        #expect(reason.hasPrefix("the references disagree with each other ("), "\(reason)")
        // The two it names are both conclusive and apart by more than their budgets together.
        let conclusive = entry.checks.map(\.comparison).filter { !$0.verdict.isInconclusive }
        #expect(conclusive.contains { a in conclusive.contains { b in abs(a.reference - b.reference) > a.budget + b.budget } })
        #expect(result.description.contains("references disagree: inconclusive"), "\(result)")
        // The check's own reason says the same, not that no reference could decide.
        if case .inconclusive(let overall) = result.verdict {
            #expect(overall == "the references disagree with each other on ∂f/∂x[0]", "\(overall)")
        }
        // checkGradient records nothing on it (an issue here would fail this test).
        #expect(checkGradient(of: f, gradient: [derivative], at: [t0]).verdict.isInconclusive)
    }
}

@Suite("Concurrency")
struct ConcurrencyTests {
    /// One check of each kind, some wrong, at seeded points: its result as JSON bytes.
    static func run(_ k: Int) -> Data {
        let seed = UInt64(k &* 7 &+ 3)
        let x = randomPoint(3, seed: seed)
        let options = CheckOptions(seed: seed)
        let result: CheckResult
        switch k % 6 {
        case 0: result = ADCheck.check(function: sinChain, gradient: sinChainGradient, at: x, options: options)
        case 1: result = ADCheck.check(function: rosenbrock, gradient: { g in rosenbrockGradient(g).map { $0 * 1.001 } }, at: x, options: options)
        case 2: result = ADCheck.check(function: vectorF, vjp: vectorVJP, at: x, options: options)
        case 3: result = ADCheck.check(function: vectorF, jvp: { x, v in vectorJVP(x, v).map { $0 + 1e-3 } }, at: x, options: options)
        case 4: result = ADCheck.check(function: vectorF, jacobian: vectorJacobian(x.map { Float($0) }), at: x.map { Float($0) }, options: options)
        default: result = ADCheck.check(function: { (t: Double) in t * sin(t) }, derivative: { (t: Double) in sin(t) + t * cos(t) }, at: x[0], options: options)
        }
        let encoder = JSONEncoder.nonConforming
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(result)) ?? Data()
    }

    @Test("Many checks run concurrently give the results they give one after another")
    func concurrentEqualsSerial() async {
        let count = 48
        let serial = (0..<count).map(Self.run)
        let concurrent = await withTaskGroup(of: (Int, Data).self) { group in
            for k in 0..<count { group.addTask { (k, Self.run(k)) } }
            var out = [Data](repeating: Data(), count: count)
            for await (k, data) in group { out[k] = data }
            return out
        }
        #expect(serial.allSatisfy { !$0.isEmpty })
        for k in 0..<count { #expect(concurrent[k] == serial[k], "check \(k) differs") }
        // Both verdicts occur, so equal results are not all the same trivial result.
        let failures = serial.count { String(decoding: $0, as: UTF8.self).contains("\"verdict\":{\"fail\":{}}") }
        #expect(failures > 0 && failures < count)
    }
}

/// A flag set from a test's closures.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

/// A value set from a test's closures.
final class Box<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T?
    var value: T? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
