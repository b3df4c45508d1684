// Correct hand-written gradients pass; planted bugs fail, with the message saying who is wrong.
import ADCheck
import Foundation
import Testing

/// Points the correct gradients are checked at: random, non-unit, several dimensions.
let seeds: [UInt64] = [1, 2, 3, 5, 8, 13, 21, 34]

@Suite("Correct gradients pass")
struct CorrectGradientTests {
    @Test("Double: sin chain, Rosenbrock, log-sum-exp", arguments: seeds)
    func doubleGradients(seed: UInt64) {
        let x = randomPoint(5, seed: seed)
        let a = ADCheck.check(function: sinChain, gradient: sinChainGradient, at: x)
        #expect(a.verdict == .pass, "\(a)")
        let b = ADCheck.check(function: rosenbrock, gradient: rosenbrockGradient, at: x)
        #expect(b.verdict == .pass, "\(b)")
        let c = ADCheck.check(function: logSumExp, gradient: softmax, at: x)
        #expect(c.verdict == .pass, "\(c)")
    }

    @Test("Float: sin chain never fails", arguments: seeds)
    func floatGradient(seed: UInt64) {
        for n in [2, 4, 7] {
            let x = randomPoint(n, seed: seed &+ UInt64(n)).map { Float($0) }
            let result = ADCheck.check(function: sinChain, gradient: sinChainGradient, at: x)
            #expect(!result.verdict.isFail, "\(result)")
            #expect(result.precision == "Float")
        }
    }

    @Test("The 4-point central rule settles a smooth Double partial alone in 4 evaluations (8 with its second trial)", arguments: seeds)
    func cheapestFirst(seed: UInt64) {
        let x = randomPoint(6, seed: seed &+ 90)
        let results = [
            ADCheck.check(function: sinChain, gradient: sinChainGradient, at: x),
            ADCheck.check(function: rosenbrock, gradient: rosenbrockGradient, at: x),
            ADCheck.check(function: logSumExp, gradient: softmax, at: x),
        ]
        var settled = 0, settledAtFour = 0, partials = 0
        for result in results {
            #expect(result.verdict == .pass, "\(result)")
            for entry in result.entries {
                partials += 1
                #expect(entry.checks.first?.comparison.method == "fourPointCentral")
                // A partial far below |f| (|∂f/∂x| < ~200 eps |f| / h) is too small for any
                // difference to resolve within 1e-7: then the others run.
                guard entry.checks.count == 1 else { continue }
                settled += 1
                // 4 when the first trial settles; 8 when round-off kept it from settling and the
                // second trial at a wider step did (`ReferenceEngine.secondTrial`).
                #expect(entry.evaluations == 4 || entry.evaluations == 8, "\(entry.quantity): \(entry.evaluations) evaluations")
                if entry.evaluations == 4 { settledAtFour += 1 }
            }
            // The point is evaluated twice (finite, deterministic); the rest are the partials'.
            #expect(result.evaluations == 2 + result.entries.reduce(0) { $0 + $1.evaluations })
        }
        #expect(settled >= partials - 2, "\(settled) of \(partials) partials settled by the first reference")
        #expect(settledAtFour >= partials - 3, "\(settledAtFour) of \(partials) partials settled in 4 evaluations")
        // The sin chain at this point has no small partial: 4 evaluations each, 2 for the point.
        let chain = ADCheck.check(function: sinChain, gradient: sinChainGradient, at: randomPoint(6, seed: 99))
        #expect(chain.evaluations == 2 + 4 * 6, "\(chain)")
    }

    @Test("A wrong partial escalates to every reference, which agree that it is wrong")
    func escalation() {
        let x = randomPoint(4, seed: 31)
        let result = ADCheck.check(function: sinChain, gradient: { x in
            var g = sinChainGradient(x)
            g[2] *= 1 + 1e-6
            return g
        }, at: x)
        #expect(result.verdict == .fail, "\(result)")
        #expect(result.failures.map(\.input) == [2], "\(result)")
        let methods = result.failures.first?.checks.map(\.comparison.method)
        #expect(methods == ["fourPointCentral", "central", "gslCentral", "fivePoint", "richardson"])
    }

    @Test("Input names appear in the quantities")
    func inputNames() {
        let result = ADCheck.check(
            function: rosenbrock, gradient: rosenbrockGradient, at: [0.3, -0.7],
            options: CheckOptions(inputNames: ["a", "b"]))
        #expect(result.entries.map(\.quantity) == ["∂f/∂a", "∂f/∂b"])
    }

    @Test("The result encodes and decodes")
    func codable() throws {
        let result = ADCheck.check(function: logSumExp, gradient: softmax, at: [0.5, -1.5, 2])
        let data = try JSONEncoder.nonConforming.encode(result)
        let back = try JSONDecoder.nonConforming.decode(CheckResult.self, from: data)
        #expect(back.verdict == result.verdict)
        #expect(back.entries.count == 3)
    }
}

@Suite("Planted bugs fail")
struct PlantedBugTests {
    let x = randomPoint(5, seed: 7)

    func expectFailure(_ result: CheckResult, at indices: Set<Int>) {
        #expect(result.verdict == .fail, "\(result)")
        let wrong = Set(result.failures.compactMap(\.input))
        #expect(wrong == indices, "\(result)")
    }

    @Test("A sign flipped")
    func signFlipped() {
        let result = ADCheck.check(function: sinChain, gradient: { x in
            var g = sinChainGradient(x)
            g[2] = Double.exp(x[2] / 3) / 3 - Double.cos(x[2]) * x[3] + Double.sin(x[1])  // should be + cos(x2) x3
            return g
        }, at: x)
        expectFailure(result, at: [2])
    }

    @Test("A missing factor 2")
    func missingFactor() {
        let result = ADCheck.check(function: rosenbrock, gradient: { x in
            var g = rosenbrockGradient(x)
            g[0] += (1 - x[0])  // -2 (1 - x0) written as -(1 - x0)
            return g
        }, at: x)
        expectFailure(result, at: [0])
    }

    @Test("An error of 1e-4 relative")
    func smallRelativeError() {
        let result = ADCheck.check(function: sinChain, gradient: { x in
            var g = sinChainGradient(x)
            g[3] *= 1 + 1e-4
            return g
        }, at: x)
        expectFailure(result, at: [3])
    }

    @Test("Two entries swapped")
    func swapped() {
        let result = ADCheck.check(function: logSumExp, gradient: { x in
            var g = softmax(x)
            g.swapAt(1, 3)
            return g
        }, at: x)
        expectFailure(result, at: [1, 3])
    }

    @Test("An off-by-one index")
    func offByOne() {
        let result = ADCheck.check(function: sinChain, gradient: { (x: [Double]) -> [Double] in
            x.indices.map { j in
                var g = Double.exp(x[j] / 3) / 3
                if j + 1 < x.count { g += Double.cos(x[j]) * x[j + 1] }
                if j > 0 { g += Double.sin(x[j]) }  // should be x[j - 1]
                return g
            }
        }, at: x)
        expectFailure(result, at: [1, 2, 3, 4])
    }

    @Test("Float: an error of 1e-3 relative")
    func floatRelativeError() {
        for seed in seeds {
            let x = randomPoint(4, seed: seed).map { Float($0) }
            let result = ADCheck.check(function: sinChain, gradient: { (x: [Float]) -> [Float] in
                var g = sinChainGradient(x)
                g[1] *= 1 + 1e-3
                return g
            }, at: x)
            expectFailure(result, at: [1])
        }
    }

    @Test("Float: a gradient rounded to half precision")
    func floatHalfPrecision() {
        var failed = 0
        for seed in seeds {
            let x = randomPoint(6, seed: seed).map { Float($0) }
            let result = ADCheck.check(function: sinChain, gradient: { x in sinChainGradient(x).map(roundedToHalf) }, at: x)
            #expect(result.verdict == .fail, "\(result)")
            failed += result.failures.count
        }
        // Half precision keeps 11 significant bits: an entry is off by up to 2.4e-4 to 4.9e-4
        // relative, and Float references at |f| ≈ 5 resolve about 1e-4: a quarter or more show.
        #expect(failed >= seeds.count * 6 / 4)
    }
}

@Suite("Problems get a verdict, not a crash")
struct ProblemTests {
    struct Boom: Error {}

    @Test("A function that throws at the point")
    func throwing() {
        let result = ADCheck.check(function: { (_: [Double]) throws -> Double in throw Boom() }, gradient: [1.0, 2.0], at: [0.5, 0.5])
        #expect(result.verdict == .fail)
        #expect(result.problem?.contains("throws at the point") == true, "\(result)")
    }

    @Test("A function that is NaN at the point")
    func notFinite() {
        let result = ADCheck.check(function: { (x: [Double]) in (x[0] - 1).squareRoot() }, gradient: [1.0], at: [0.5])
        #expect(result.verdict == .fail)
        #expect(result.problem?.contains("NaN") == true, "\(result)")
    }

    @Test("A gradient of the wrong length")
    func wrongLength() {
        let result = ADCheck.check(function: rosenbrock, gradient: [1.0, 2.0], at: [0.5, 0.5, 0.5])
        #expect(result.verdict == .fail)
        #expect(result.problem == "the gradient has 2 entries for 3 inputs", "\(result)")
    }

    @Test("A non-deterministic function")
    func nonDeterministic() {
        final class Counter { var calls = 0 }
        let counter = Counter()
        let result = ADCheck.check(function: { (x: [Double]) -> Double in
            counter.calls += 1
            return rosenbrock(x) + Double(counter.calls) * 1e-12
        }, gradient: rosenbrockGradient, at: [0.5, 0.5])
        #expect(result.verdict == .fail)
        #expect(result.problem?.contains("not deterministic") == true, "\(result)")
    }

    @Test("A non-deterministic gradient function")
    func nonDeterministicGradient() {
        final class Counter { var calls = 0 }
        let counter = Counter()
        let result = ADCheck.check(function: rosenbrock, gradient: { (x: [Double]) -> [Double] in
            counter.calls += 1
            return rosenbrockGradient(x).map { $0 + Double(counter.calls) * 1e-12 }
        }, at: [0.5, 0.5])
        #expect(result.verdict == .fail)
        #expect(result.problem?.contains("not deterministic") == true, "\(result)")
    }

    @Test("A function that throws near the point: the references step around it, or say why not")
    func throwsNearby() {
        struct Edge: Error {}
        let result = ADCheck.check(function: { (x: [Double]) throws -> Double in
            guard x[0] <= 1 else { throw Edge() }
            return x[0] * x[0]
        }, gradient: [2.0], at: [1.0])
        #expect(result.verdict == .pass, "\(result)")
    }

    @Test("Options that cannot judge anything")
    func badOptions() {
        let a = ADCheck.check(function: rosenbrock, gradient: rosenbrockGradient, at: [0.5, 0.5], options: CheckOptions(toleranceFactor: -1))
        #expect(a.verdict == .fail)
        #expect(a.problem?.contains("tolerance factor") == true, "\(a)")
        let b = ADCheck.check(function: rosenbrock, gradient: rosenbrockGradient, at: [0.5, 0.5], options: CheckOptions(oracles: []))
        #expect(b.verdict == .fail)
        #expect(b.problem?.contains("no reference") == true, "\(b)")
    }

    @Test("A wider tolerance factor widens every budget, a narrower one narrows it")
    func toleranceFactor() {
        let x = [0.5, -0.25]
        let one = ADCheck.check(function: rosenbrock, gradient: rosenbrockGradient, at: x)
        let two = ADCheck.check(function: rosenbrock, gradient: rosenbrockGradient, at: x, options: CheckOptions(toleranceFactor: 2))
        for (a, b) in zip(one.entries, two.entries) {
            let ca = a.checks[0].comparison, cb = b.checks[0].comparison
            #expect(cb.budget >= ca.budget * 1.9 || cb.budget == ca.budget, "\(ca.budget) \(cb.budget)")
        }
    }

    @Test("At a kink, a value between the one-sided derivatives is inconclusive, not a failure")
    func kink() {
        let result = ADCheck.check(function: { (x: [Double]) in abs(x[0]) + x[1] }, gradient: [0.25, 1.0], at: [0, 0.5])
        #expect(!result.verdict.isFail, "\(result)")
        #expect(result.entries[0].verdict.isInconclusive, "\(result)")
        #expect(result.entries[1].verdict == .pass, "\(result)")
    }
}

extension JSONEncoder {
    /// Budgets may be NaN or infinite (an inconclusive reference).
    static var nonConforming: JSONEncoder {
        let e = JSONEncoder()
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }
}

extension JSONDecoder {
    static var nonConforming: JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }
}
