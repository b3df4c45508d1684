// Differentiable Swift: gradients from valueWithPullback and derivatives registered with
// @derivative(of:) pass when right and fail, with a message saying what is wrong, when not.
#if canImport(_Differentiation)
import _Differentiation
import ADCheck
import Foundation
import Testing

/// The quantities of the pullback's property entries, in order, before the references' entries.
let propertyQuantities = ["value", "two calls", "pullback(0)", "pullback(u + u')"]

func failing(_ result: CheckResult) -> [String] { result.failures.map(\.quantity) }

@Suite("Differentiable Swift: right derivatives pass")
struct DifferentiableRightTests {
    @Test("softplus with its own @derivative passes in Double and Float, far into both tails",
          arguments: [-40.0, -18, -3.3, -0.7, 0, 0.45, 2.5, 16, 18, 30, 45])
    func softplusRule(x: Double) {
        let result = ADCheck.check(customDerivativeOf: softplus, vjp: softplusVJP, at: x)
        #expect(result.verdict == .pass, "\(result)")
        #expect(result.kind == .gradient)
        #expect(Array(result.entries.prefix(4).map(\.quantity)) == propertyQuantities)
        #expect(result.entries.contains { $0.quantity == "∂f/∂x" })
        let float = ADCheck.check(customDerivativeOf: softplusF, vjp: softplusFVJP, at: Float(x))
        #expect(float.verdict == .pass, "\(float)")
        #expect(float.precision == "Float")
    }

    @Test("stableLogSumExp with its own @derivative passes, also at 800 where the naive form overflows", arguments: seeds)
    func logSumExpRule(seed: UInt64) {
        for scale in [1.0, 30, 800] {
            let x = randomValues(5, seed: seed, scale: scale)
            let result = ADCheck.check(customDerivativeOf: stableLogSumExp, vjp: stableLogSumExpVJP, at: x, options: CheckOptions(seed: seed &+ 11))
            #expect(result.verdict == .pass, "\(result)")
            let xf = randomValues(4, seed: seed, scale: scale).map { Float($0) }
            let float = ADCheck.check(customDerivativeOf: logSumExpF, vjp: logSumExpFVJP, at: xf, options: CheckOptions(seed: seed))
            #expect(float.verdict == .pass, "\(float)")
        }
    }

    @Test("Two arguments (logAddExp) and a vector result (softmax) pass", arguments: seeds)
    func twoArgumentsAndVectors(seed: UInt64) {
        let p = randomValues(2, seed: seed, scale: 4)
        let pair = ADCheck.check(customDerivativeOf: logAddExp, vjp: logAddExpVJP, at: p[0], p[1], options: CheckOptions(seed: seed))
        #expect(pair.verdict == .pass, "\(pair)")
        #expect(pair.entries.contains { $0.quantity == "∂f/∂y" })
        let x = randomValues(4, seed: seed, scale: 2)
        let vector = ADCheck.check(customDerivativeOf: stableSoftmax, vjp: stableSoftmaxVJP, at: x, options: CheckOptions(seed: seed))
        #expect(vector.verdict == .pass, "\(vector)")
        #expect(vector.kind == .vjp)
        #expect(vector.entries.count == 6 + 1 + 16, "six properties, ⟨u, J v⟩, and the 4 × 4 Jacobian")
    }

    @Test("No false failure: 200 random points and seeds for each right rule, Double and Float")
    func noFalseFailures() {
        var fails: [String] = []
        for k in 0..<200 {
            let seed = UInt64(k) &* 7919 &+ 3
            let p = randomValues(4, seed: seed, scale: k % 2 == 0 ? 3 : 25)
            let options = CheckOptions(seed: seed)
            let results = [
                ADCheck.check(customDerivativeOf: softplus, vjp: softplusVJP, at: p[0], options: options),
                ADCheck.check(customDerivativeOf: softplusF, vjp: softplusFVJP, at: Float(p[1]), options: options),
                ADCheck.check(customDerivativeOf: logAddExp, vjp: logAddExpVJP, at: p[2], p[3], options: options),
                ADCheck.check(customDerivativeOf: stableLogSumExp, vjp: stableLogSumExpVJP, at: p, options: options),
                ADCheck.check(customDerivativeOf: logSumExpF, vjp: logSumExpFVJP, at: p.map { Float($0) }, options: options),
                ADCheck.check(customDerivativeOf: stableSoftmax, vjp: stableSoftmaxVJP, at: Array(p.prefix(3)), options: options),
            ]
            for (i, r) in results.enumerated() where r.verdict == .fail { fails.append("rule \(i) at \(p): \(r)") }
        }
        #expect(fails.isEmpty, "\(fails.prefix(3).joined(separator: "\n"))")
    }

    @Test("valueWithPullback's gradients: scalars, SIMD, arrays, two and three arguments, Float and Double")
    func stdlibGradients() {
        let results: [(String, CheckResult)] = [
            ("Double", ADCheck.check(gradientOf: { (x: Double) in sin(x) * x }, at: 0.8)),
            ("Float", ADCheck.check(gradientOf: { (x: Float) in x * x * x }, at: 1.3)),
            ("[Double]", ADCheck.check(gradientOf: { (x: [Double]) in x[0] * x[1] + x[2] }, at: [0.3, -1.2, 2.5])),
            ("[Float]", ADCheck.check(gradientOf: { (x: [Float]) in x[0] * x[1] - x[1] * x[1] }, at: [0.7, -1.9])),
            ("SIMD2<Double>", ADCheck.check(gradientOf: { (v: SIMD2<Double>) in (v * v).sum() }, at: SIMD2(0.5, -1.5))),
            ("SIMD4<Float>", ADCheck.check(gradientOf: { (v: SIMD4<Float>) in (v * v * v).sum() }, at: SIMD4(0.5, -1.5, 2, 0.25))),
            ("SIMD2<Float>", ADCheck.check(gradientOf: { (v: SIMD2<Float>) in (v * v).sum() * v.sum() }, at: SIMD2(0.75, -1.25))),
            ("SIMD4<Double>", ADCheck.check(gradientOf: { (v: SIMD4<Double>) in (v * v * v).sum() }, at: SIMD4(0.5, -1.5, 2, 0.25))),
            ("SIMD8<Double>", ADCheck.check(gradientOf: { (v: SIMD8<Double>) in (v * v).sum() }, at: SIMD8(1, 2, 3, 4, -1, -2, -3, -0.5))),
            ("SIMD8<Float>", ADCheck.check(gradientOf: { (v: SIMD8<Float>) in (v * v).sum() }, at: SIMD8(1, 2, 3, 4, -1, -2, -3, -0.5))),
            ("two arguments", ADCheck.check(gradientOf: { (a: Double, b: [Double]) in a * stableLogSumExp(b) }, at: 1.7, [0.2, -0.9, 1.4])),
            ("three arguments", ADCheck.check(
                gradientOf: { (a: Double, b: SIMD4<Double>, c: Double) in softplus(a * b.sum()) * c }, at: 0.6, SIMD4(1, -2, 0.5, 3), -1.3)),
        ]
        for (name, result) in results {
            #expect(result.verdict == .pass, "\(name): \(result)")
        }
        #expect(results[1].1.precision == "Float")
        #expect(results[10].1.entries.contains { $0.quantity == "∂f/∂y[2]" })
        #expect(results[11].1.entries.contains { $0.quantity == "∂f/∂z" })
    }

    @Test("A model's parameters are perturbed through move(by:): logistic regression's loss gradient passes", arguments: seeds)
    func model(seed: UInt64) {
        let model = Logistic(w: randomValues(3, seed: seed), b: 0.3)
        let xs = (0..<4).map { randomValues(3, seed: seed &+ UInt64($0) &+ 100) }
        let ys: [Double] = [1, 0, 0, 1]
        let result = checkGradient(of: { (m: Logistic) in m.loss(xs, ys) }, at: model, options: CheckOptions(seed: seed))
        #expect(result.verdict == .pass, "\(result)")
        // The coordinates are displacements from the parameters: 0 at the point.
        #expect(result.point == [0, 0, 0, 0])
        #expect(result.entries.map(\.quantity).suffix(4) == ["∂f/∂x[0]", "∂f/∂x[1]", "∂f/∂x[2]", "∂f/∂x[3]"])
    }

    @Test("A vector result's pullback from valueWithPullback is checked as a VJP")
    func vectorResult() {
        let result = checkVJP(of: { (x: [Double]) -> [Double] in [x[0] * x[1], sin(x[0]) + x[1] * x[1]] }, at: [0.4, -1.1])
        #expect(result.verdict == .pass, "\(result)")
        #expect(result.kind == .vjp)
        #expect(result.cotangent?.count == 2)
        let float = checkVJP(of: { (v: SIMD4<Float>) -> SIMD4<Float> in v * v * v }, at: SIMD4(0.3, -1.2, 2.5, 0.8))
        #expect(float.verdict == .pass, "\(float)")
        #expect(float.precision == "Float")
        let two = checkVJP(of: { (a: [Double], b: Double) -> [Double] in [a[0] * b, a[1] + b * b] }, at: [0.4, -0.6], 1.3)
        #expect(two.verdict == .pass, "\(two)")
    }

    @Test("The flat views: arrays, their tangents and SIMD vectors round-trip")
    func flatViews() {
        let x: [Double] = [1, -2, 3.5]
        #expect(x.tangentCount == 3)
        #expect(x.flatValues(of: .zero) == [0, 0, 0], "the array's .zero is empty and reads as zeros")
        #expect(x.flatValues(of: x.tangentVector(flatValues: [4, 5, 6])) == [4, 5, 6])
        #expect([Float](flatValues: [1, 2], like: [0, 0]) == [1, 2])
        #expect(SIMD4<Float>(flatValues: [1, 2, 3, 4], like: .zero).flatValues == [1, 2, 3, 4])
        let nested: [SIMD2<Double>] = [SIMD2(1, 2), SIMD2(3, 4)]
        #expect(nested.flatValues == [1, 2, 3, 4])
        #expect(nested.tangentCount == 4)
        let model = Logistic(w: [0.5, -1], b: 2)
        #expect(model.tangentCount == 3)
        #expect(model.flatValues(of: model.tangentVector(flatValues: [7, 8, 9])) == [7, 8, 9])
    }
}

@Suite("Differentiable Swift: planted bugs fail with what is wrong")
struct DifferentiableBugTests {
    @Test("Each planted bug fails, on the entries that show it")
    func plantedBugs() {
        let missingFactor = ADCheck.check(customDerivativeOf: sin2x, vjp: sin2xMissingFactor, at: 0.35)
        #expect(missingFactor.verdict == .fail)
        #expect(failing(missingFactor) == ["∂f/∂x"], "\(missingFactor)")

        for x in [16.0, 18] {
            let dropped = ADCheck.check(customDerivativeOf: softplus, vjp: softplusDroppedTerm, at: x)
            #expect(failing(dropped) == ["∂f/∂x"], "x = \(x): \(dropped)")
        }
        // The blind spot: at 30 the dropped e^-30 = 9e-14 is below every reference's budget.
        #expect(ADCheck.check(customDerivativeOf: softplus, vjp: softplusDroppedTerm, at: 30).verdict == .pass)

        let constant = ADCheck.check(customDerivativeOf: softplus, vjp: softplusConstantPullback, at: 0.8)
        #expect(failing(constant) == ["pullback(0)", "pullback(u + u')", constant.entries[4].quantity, "cotangent"], "\(constant)")

        let squared = ADCheck.check(customDerivativeOf: softplus, vjp: softplusSquaredCotangent, at: 0.8)
        #expect(failing(squared) == ["pullback(u + u')", squared.entries[4].quantity], "\(squared)")
        #expect(squared.entries.first { $0.quantity.hasPrefix("∂f/∂") }?.verdict == .pass, "pullback(1) is right: only the scaling shows it")

        let ignoresB = ADCheck.check(customDerivativeOf: logAddExp, vjp: logAddExpIgnoresB, at: 0.4, -0.9)
        #expect(failing(ignoresB) == ["∂f/∂y"], "\(ignoresB)")

        let value = ADCheck.check(customDerivativeOf: softplus, vjp: softplusFloatValue, at: 0.8)
        #expect(failing(value) == ["value"], "\(value)")

        let softmaxBug = ADCheck.check(customDerivativeOf: stableSoftmax, vjp: stableSoftmaxDroppedTerm, at: [0.3, -0.8, 1.1])
        #expect(softmaxBug.verdict == .fail)
        #expect(failing(softmaxBug).first == "⟨u, J v⟩ = ⟨vjp(x, u), v⟩", "\(softmaxBug)")
    }

    @Test("A check that cannot start fails with the reason: a tangent of the wrong shape, a value that is not finite")
    func problems() {
        func shortPullback(_ x: [Double]) -> (value: Double, pullback: (Double) -> [Double].TangentVector) {
            (stableLogSumExp(x), { v in .init([v]) })
        }
        let short = ADCheck.check(customDerivativeOf: stableLogSumExp, vjp: shortPullback, at: [0.5, 1, -2])
        #expect(short.verdict == .fail)
        #expect(short.problem == "pullback(1) has 1 entries for 3 inputs: a tangent of the wrong shape", "\(short)")
        let nan = ADCheck.check(customDerivativeOf: softplus, vjp: softplusVJP, at: .nan)
        #expect(nan.verdict == .fail)
        #expect(nan.problem?.contains("at the point: there is no derivative to check") == true, "\(nan)")
    }

    @Test("A pullback check's entries reach the reports: Markdown, JSON and JUnit")
    func reports() throws {
        let result = ADCheck.check(customDerivativeOf: softplus, vjp: softplusSquaredCotangent, at: 0.8)
        let markdown = try ADCheck.report([("softplus rule", result)], format: .markdown)
        #expect(markdown.contains("| pullback(3.375 u) | ✗ the pullback is not homogeneous: pullback(3.375 u) = 15.97746254"), "\(markdown)")
        #expect(markdown.contains("| value | ✓ |"))
        let json = try ADCheck.report([("softplus rule", result)], format: .json)
        #expect(json.contains("\"finding\" : \"the pullback is not homogeneous: pullback(3.375 u) = 15.97746254"), "\(json)")
        let junit = try ADCheck.report([("softplus rule", result)], format: .junit)
        #expect(junit.contains("<failure message=\"gradient check (Double, 7 entries, 7 evaluations): FAIL, 2 wrong: pullback(u + u&apos;): yours"), "\(junit)")
    }

    @Test("Float: a dropped term Float can see fails, one it cannot see passes")
    func floatDroppedTerm() {
        func droppedAbove5(_ x: Float) -> (value: Float, pullback: (Float) -> Float) {
            let s: Float = x > 5 ? 1 : sigmoidF(x)
            return (softplusF(x), { v in v * s })
        }
        let seen = ADCheck.check(customDerivativeOf: softplusF, vjp: droppedAbove5, at: Float(5.5))
        #expect(failing(seen) == ["∂f/∂x"], "\(seen)")
        // Above about 16.6 σ(x) rounds to 1 in Float: returning 1 there is right, not a bug.
        func droppedAbove15(_ x: Float) -> (value: Float, pullback: (Float) -> Float) {
            let s: Float = x > 15 ? 1 : sigmoidF(x)
            return (softplusF(x), { v in v * s })
        }
        let unseen = ADCheck.check(customDerivativeOf: softplusF, vjp: droppedAbove15, at: Float(18))
        #expect(unseen.verdict == .pass, "\(unseen)")
    }
}
#endif

#if canImport(_Differentiation)
@Suite("Differentiable Swift: the issue at the caller's line, with the message")
struct DifferentiableIssueTests {
    /// The recorded issue's text, when it was recorded at `line`.
    static func text(_ issue: Issue, at line: Int) -> String? {
        guard issue.sourceLocation?.line == line else { return nil }
        return issue.comments.map(\.rawValue).joined(separator: "\n")
    }

    @Test("A missing factor: the references agree with each other and the value is off by half")
    func missingFactor() {
        let expectedLine = #line + 2
        withKnownIssue {
            checkCustomDerivative(of: sin2x, vjp: sin2xMissingFactor, at: 0.35)
        } matching: { issue in
            guard let text = Self.text(issue, at: expectedLine) else { return false }
            // d/dx sin(2x) = 2 cos(0.7) = 1.529684375; cos(0.7) = 0.7648421873 claimed.
            return text.hasPrefix("gradient check (Double, 7 entries, ") && text.contains("FAIL, 1 wrong")
                && text.contains("∂f/∂x: yours 0.7648421873, 4-point central 1.529684375 ± ")
                && text.contains("the references agree with each other and your value is off by 0.7648 (0.5 relative)")
        }
    }

    @Test("A term dropped above 15: seen at 16 (1.1e-07 relative), not at 21 or 30, where e^-x is below every budget")
    func droppedTerm() {
        let expectedLine = #line + 2
        withKnownIssue {
            checkCustomDerivative(of: softplus, vjp: softplusDroppedTerm, at: 16.0)
        } matching: { issue in
            guard let text = Self.text(issue, at: expectedLine) else { return false }
            return text.contains("∂f/∂x: yours 1, 4-point central 0.9999998875 ± ")
                && text.contains("your value is off by 1.125e-07 (1.1e-07 relative)")
        }
        #expect(ADCheck.check(customDerivativeOf: softplus, vjp: softplusDroppedTerm, at: 21).verdict == .pass)
    }

    @Test("A pullback returning a constant breaks every linearity entry")
    func constantPullback() {
        let expectedLine = #line + 2
        withKnownIssue {
            checkCustomDerivative(of: softplus, vjp: softplusConstantPullback, at: 0.8)
        } matching: { issue in
            guard let text = Self.text(issue, at: expectedLine) else { return false }
            return text.contains("FAIL, 4 wrong")
                && text.contains("the pullback does not map zero to zero: pullback(0) = 0.6899744811")
                && text.contains("the pullback is not additive: pullback(u + u') = 0.6899744811 but pullback(u) + pullback(u') = 1.379948962")
                && text.contains("the pullback is not homogeneous: pullback(3.375 u) = 0.6899744811 but 3.375 pullback(u) = 2.328663874")
                && text.contains("the pullback ignores its cotangent: pullback(u) = pullback(u') = pullback(3.375 u) = 0.6899744811")
        }
    }

    @Test("A pullback scaling by its cotangent squared is right at 1 and caught by the non-unit scalar")
    func wrongScaling() {
        let expectedLine = #line + 2
        withKnownIssue {
            checkCustomDerivative(of: softplus, vjp: softplusSquaredCotangent, at: 0.8)
        } matching: { issue in
            guard let text = Self.text(issue, at: expectedLine) else { return false }
            return text.contains("FAIL, 2 wrong")
                && text.contains("the pullback is not homogeneous: pullback(3.375 u) = 15.97746254 but 3.375 pullback(u) = 4.734062974")
                && !text.contains("∂f/∂x")
        }
    }

    @Test("A pullback ignoring the second argument fails on ∂f/∂y")
    func ignoredArgument() {
        let expectedLine = #line + 2
        withKnownIssue {
            checkCustomDerivative(of: logAddExp, vjp: logAddExpIgnoresB, at: 0.4, -0.9)
        } matching: { issue in
            guard let text = Self.text(issue, at: expectedLine) else { return false }
            return text.contains("FAIL, 1 wrong")
                && text.contains("∂f/∂y: yours 0, 4-point central 0.214165017 ± ")
                && text.contains("your value is off by 0.2142 (1 relative)")
        }
    }

    @Test("A value computed in Float is not the original's")
    func wrongValue() {
        let expectedLine = #line + 2
        withKnownIssue {
            checkCustomDerivative(of: softplus, vjp: softplusFloatValue, at: 0.8)
        } matching: { issue in
            guard let text = Self.text(issue, at: expectedLine) else { return false }
            return text.contains(
                "the registered derivative's value is not the original's: value = 1.171100616 but original(x) = 1.171100666")
                && text.contains("ulps apart; 4 allowed)")
        }
    }

    @Test("A slipped registered derivative shows in the gradient of every function that calls it")
    func slipInsideAFunction() {
        let expectedLine = #line + 2
        withKnownIssue {
            checkGradient(of: { (x: [Double]) in softplusOfDouble(x[0] * x[1]) + x[1] }, at: [0.6, -0.4])
        } matching: { issue in
            guard let text = Self.text(issue, at: expectedLine) else { return false }
            return text.contains("FAIL, 2 wrong") && text.contains("∂f/∂x[0]: yours ") && text.contains("∂f/∂x[1]: yours ")
        }
        #expect(ADCheck.check(gradientOf: { (x: [Double]) in softplus(2 * x[0] * x[1]) + x[1] }, at: [0.6, -0.4]).verdict == .pass)
    }

    @Test("requireCustomDerivative stops the test with CheckFailure; a right rule is returned")
    func require() throws {
        let right = try requireCustomDerivative(of: softplus, vjp: softplusVJP, at: 2.5)
        #expect(right.verdict == .pass)
        let pair = try requireGradient(of: { (a: Double, b: Double) in logAddExp(a, b) }, at: 0.3, 1.2)
        #expect(pair.verdict == .pass)
        let reached = Box<Bool>()
        try withKnownIssue {
            try requireCustomDerivative(of: softplus, vjp: softplusSquaredCotangent, at: 0.8)
            reached.value = true
        } matching: { issue in
            if let failure = issue.error as? CheckFailure { return failure.result.failures.count == 2 }
            return issue.comments.contains { $0.rawValue.contains("the pullback is not homogeneous") }
        }
        #expect(reached.value == nil)
    }
}
#endif
