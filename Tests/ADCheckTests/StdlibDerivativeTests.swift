// Every derivative the Swift standard library registers for Float and Double (the
// `_Differentiation` module: FloatingPointDifferentiation.swift.gyb, TgmathDerivatives.swift.gyb),
// as Swift's reverse-mode AD computes it (`gradient(at:of:)`), checked with ADCheck against the
// numerical references: at seeded random ordinary points, near domain edges and in saturated
// regions. Right derivatives must pass (or be inconclusive where no reference can decide, each
// point saying why); where the library's derivative loses precision the check must fail with the
// references agreeing with each other: each such finding is a `withKnownIssue("finding: ...")`
// whose message is asserted (entry, agreement, relative error). docs/adcheck.md, "The standard
// library's derivatives", lists them with their numbers and causes.
//
// ADCHECK_STDLIB_SWEEP=1 runs a wider sweep (many more ordinary points, dense saturated and
// overflow grids) and prints its counts and thresholds.
#if canImport(_Differentiation)
    import _Differentiation
    import ADCatalog
    import ADCheck
    import Foundation
    import Testing

    // MARK: The registered derivatives

    /// One function with a registered derivative, in Double and Float, and where to check it.
    struct StdlibUnary {
        let name: String
        let double: @differentiable(reverse) (Double) -> Double
        let float: @differentiable(reverse) (Float) -> Float
        /// Ordinary points: uniform in `low..<high`, or log-uniform when `logScale`.
        let low: Double, high: Double
        var logScale = false
        /// Points near domain edges or in saturated regions, with the verdict each must get in
        /// Double and in Float (the Float point is the Double point rounded to Float).
        var edges: [Edge] = []
        /// The Float verdict at ordinary points: pass, except where the derivative is 0 (step
        /// functions): Float's references cannot bring a zero derivative under the absolute floor.
        var floatOrdinary: Expected = .pass
    }

    /// An edge or saturated point and the verdicts expected there.
    struct Edge {
        let x: Double
        let double: Expected
        /// `nil`: not checked in Float (the point is out of Float's range or resolution).
        let float: Expected?
        /// The same verdict in Float as in Double.
        init(_ x: Double, _ double: Expected) {
            self.x = x
            self.double = double
            self.float = double
        }
        init(_ x: Double, _ double: Expected, float: Expected?) {
            self.x = x
            self.double = double
            self.float = float
        }
    }

    /// A verdict a right derivative may get: pass, or inconclusive for the reason given (a
    /// substring of the result's reason or its entries' messages).
    enum Expected: Equatable {
        case pass
        case inconclusive(String)
    }

    enum Stdlib {
        /// Every unary function and method with a registered derivative for Float and Double.
        static var unary: [StdlibUnary] { [
            StdlibUnary(
                name: "exp", double: { exp($0) }, float: { exp($0) }, low: -20, high: 20,
                edges: [Edge(700, .pass, float: nil), Edge(-700, .pass), Edge(80, .pass), Edge(-80, .pass)]),
            StdlibUnary(
                name: "exp2", double: { exp2($0) }, float: { exp2($0) }, low: -20, high: 20,
                edges: [Edge(1000, .pass, float: nil), Edge(-1000, .pass, float: nil), Edge(120, .pass), Edge(-120, .pass)]),
            StdlibUnary(
                name: "expm1", double: { expm1($0) }, float: { expm1($0) }, low: -5, high: 5,
                edges: [Edge(1e-10, .pass), Edge(-30, .pass, float: .inconclusive("no reference could decide"))]),
            StdlibUnary(
                name: "log", double: { log($0) }, float: { log($0) }, low: 1e-2, high: 1e2, logScale: true,
                edges: [Edge(1e-3, .pass), Edge(1e-8, .pass), Edge(1e30, .pass)]),
            StdlibUnary(
                name: "log2", double: { log2($0) }, float: { log2($0) }, low: 1e-2, high: 1e2, logScale: true,
                edges: [Edge(1e-3, .pass), Edge(1e-8, .pass), Edge(1e30, .pass)]),
            StdlibUnary(
                name: "log10", double: { log10($0) }, float: { log10($0) }, low: 1e-2, high: 1e2, logScale: true,
                edges: [Edge(1e-3, .pass), Edge(1e-8, .pass), Edge(1e30, .pass)]),
            StdlibUnary(
                name: "log1p", double: { log1p($0) }, float: { log1p($0) }, low: -0.9, high: 10,
                edges: [Edge(-1 + 1e-3, .pass), Edge(-1 + 1e-6, .pass, float: .inconclusive("no reference could decide")), Edge(1e-17, .pass)]),
            StdlibUnary(
                name: "sin", double: { sin($0) }, float: { sin($0) }, low: -10, high: 10,
                edges: [Edge(Double.pi / 2, .pass, float: .inconclusive("no reference could decide")), Edge(100, .pass)]),
            StdlibUnary(
                name: "cos", double: { cos($0) }, float: { cos($0) }, low: -10, high: 10,
                edges: [Edge(0, .pass, float: .inconclusive("no reference could decide")), Edge(100, .pass)]),
            StdlibUnary(
                name: "tan", double: { tan($0) }, float: { tan($0) }, low: -1.5, high: 1.5,
                edges: [Edge(1.5, .pass), Edge(Double.pi / 2 - 1e-6, .pass, float: nil)]),
            StdlibUnary(
                name: "asin", double: { asin($0) }, float: { asin($0) }, low: -0.99, high: 0.99,
                edges: [Edge(1 - 1e-3, .pass), Edge(-(1 - 1e-3), .pass), Edge(1 - 1e-6, .pass, float: .inconclusive("no reference could decide")), Edge(-(1 - 1e-8), .pass, float: nil)]),
            StdlibUnary(
                name: "acos", double: { acos($0) }, float: { acos($0) }, low: -0.99, high: 0.99,
                edges: [Edge(1 - 1e-3, .pass), Edge(-(1 - 1e-3), .pass), Edge(1 - 1e-6, .pass, float: .inconclusive("no reference could decide")), Edge(1 - 1e-8, .pass, float: nil)]),
            StdlibUnary(
                name: "atan", double: { atan($0) }, float: { atan($0) }, low: -10, high: 10,
                edges: [Edge(1e10, .pass), Edge(1e100, .pass, float: nil), Edge(1e160, .pass, float: nil)]),
            StdlibUnary(
                name: "sinh", double: { sinh($0) }, float: { sinh($0) }, low: -10, high: 10,
                edges: [Edge(700, .pass, float: nil), Edge(-700, .pass, float: nil), Edge(80, .pass), Edge(-80, .pass)]),
            StdlibUnary(
                name: "cosh", double: { cosh($0) }, float: { cosh($0) }, low: -10, high: 10,
                edges: [Edge(700, .pass, float: nil), Edge(-700, .pass, float: nil), Edge(80, .pass), Edge(0, .pass, float: .inconclusive("no reference could decide"))]),
            StdlibUnary(
                name: "tanh", double: { tanh($0) }, float: { tanh($0) }, low: -5, high: 5,
                edges: [Edge(10, .pass, float: .inconclusive("no reference could decide")), Edge(20, .pass)]),
            StdlibUnary(
                name: "asinh", double: { asinh($0) }, float: { asinh($0) }, low: -10, high: 10,
                edges: [Edge(1e10, .pass), Edge(-1e100, .pass, float: nil), Edge(1e150, .pass, float: nil)]),
            StdlibUnary(
                name: "acosh", double: { acosh($0) }, float: { acosh($0) }, low: 1.01, high: 100, logScale: true,
                edges: [Edge(1 + 1e-3, .pass), Edge(1 + 1e-6, .pass, float: .inconclusive("no reference could decide")), Edge(1 + 1e-8, .pass, float: nil), Edge(1e10, .pass), Edge(1e150, .pass, float: nil)]),
            StdlibUnary(
                name: "atanh", double: { atanh($0) }, float: { atanh($0) }, low: -0.99, high: 0.99,
                edges: [Edge(1 - 1e-3, .pass), Edge(-(1 - 1e-3), .pass), Edge(1 - 1e-6, .pass, float: .inconclusive("no reference could decide")), Edge(1 - 1e-8, .pass, float: nil)]),
            StdlibUnary(
                name: "erf", double: { erf($0) }, float: { erf($0) }, low: -3, high: 3,
                edges: [Edge(4, .pass, float: .inconclusive("no reference could decide")), Edge(-6, .pass, float: .inconclusive("no reference could decide"))]),
            StdlibUnary(
                name: "erfc", double: { erfc($0) }, float: { erfc($0) }, low: -3, high: 5,
                edges: [Edge(9, .pass), Edge(26, .pass, float: nil), Edge(26.5, .pass, float: nil)]),
            StdlibUnary(
                name: "sqrt", double: { sqrt($0) }, float: { sqrt($0) }, low: 1e-2, high: 1e2, logScale: true,
                edges: [Edge(1e-3, .pass), Edge(1e-8, .pass), Edge(1e30, .pass)]),
            StdlibUnary(
                name: "squareRoot()", double: { $0.squareRoot() }, float: { $0.squareRoot() }, low: 1e-2, high: 1e2, logScale: true,
                edges: [Edge(1e-3, .pass), Edge(1e-8, .pass), Edge(1e30, .pass)]),
            // Step functions: derivative 0 between the jumps; at a jump no reference can decide
            // (their differences straddle it and do not converge).
            StdlibUnary(
                name: "floor", double: { floor($0) }, float: { floor($0) }, low: -10, high: 10,
                edges: [Edge(2, .inconclusive("no reference could decide"))], floatOrdinary: .inconclusive("no reference could decide")),
            StdlibUnary(
                name: "ceil", double: { ceil($0) }, float: { ceil($0) }, low: -10, high: 10,
                edges: [Edge(-3, .inconclusive("no reference could decide"))], floatOrdinary: .inconclusive("no reference could decide")),
            StdlibUnary(
                name: "round", double: { round($0) }, float: { round($0) }, low: -10, high: 10,
                edges: [Edge(2.5, .inconclusive("no reference could decide")), Edge(3, .pass, float: .inconclusive("no reference could decide"))], floatOrdinary: .inconclusive("no reference could decide")),
            StdlibUnary(
                name: "trunc", double: { trunc($0) }, float: { trunc($0) }, low: -10, high: 10,
                edges: [Edge(4, .inconclusive("no reference could decide")), Edge(0.5, .pass)], floatOrdinary: .inconclusive("no reference could decide")),
            StdlibUnary(name: "prefix -", double: { -$0 }, float: { -$0 }, low: -10, high: 10),
            // The conversions: Double(Double) in Double, Float(Double(Float)) in Float (both pullbacks).
            StdlibUnary(
                name: "init(_:)", double: { Double($0) }, float: { Float(Double($0)) },
                low: -10, high: 10),
        ] }

        /// Functions of two or three arguments, checked as gradients (every partial).
        struct Multi {
            let name: String
            let arity: Int
            let double: ([Double]) -> Double
            let doubleGradient: ([Double]) -> [Double]
            let float: ([Float]) -> Float
            let floatGradient: ([Float]) -> [Float]
            /// Ordinary point i: `sample(generator, i)`.
            let sample: (inout SplitMix64) -> [Double]
        }

        static func uniform(_ g: inout SplitMix64, _ low: Double, _ high: Double) -> Double { g.uniform(low, high) }
        /// A magnitude in `low..<high` with a random sign.
        static func signed(_ g: inout SplitMix64, _ low: Double, _ high: Double) -> Double {
            let m = g.uniform(low, high)
            return g.next() & 1 == 0 ? m : -m
        }

        static var multi: [Multi] { [
            binary("+", { $0 + $1 }, { $0 + $1 }) { g in [uniform(&g, -10, 10), uniform(&g, -10, 10)] },
            binary("-", { $0 - $1 }, { $0 - $1 }) { g in [uniform(&g, -10, 10), uniform(&g, -10, 10)] },
            binary("*", { $0 * $1 }, { $0 * $1 }) { g in [uniform(&g, -10, 10), uniform(&g, -10, 10)] },
            binary("/", { $0 / $1 }, { $0 / $1 }) { g in [uniform(&g, -10, 10), signed(&g, 0.5, 10)] },
            binary("+=", { var a = $0; a += $1; return a }, { var a = $0; a += $1; return a }) { g in [uniform(&g, -10, 10), uniform(&g, -10, 10)] },
            binary("-=", { var a = $0; a -= $1; return a }, { var a = $0; a -= $1; return a }) { g in [uniform(&g, -10, 10), uniform(&g, -10, 10)] },
            binary("*=", { var a = $0; a *= $1; return a }, { var a = $0; a *= $1; return a }) { g in [uniform(&g, -10, 10), uniform(&g, -10, 10)] },
            binary("/=", { var a = $0; a /= $1; return a }, { var a = $0; a /= $1; return a }) { g in [uniform(&g, -10, 10), signed(&g, 0.5, 10)] },
            binary("pow", { pow($0, $1) }, { pow($0, $1) }) { g in [exp(uniform(&g, log(0.1), log(10))), uniform(&g, -3, 3)] },
            binary("remainder", { remainder($0, $1) }, { remainder($0, $1) }) { g in [uniform(&g, -10, 10), signed(&g, 0.5, 3)] },
            binary("fmod", { fmod($0, $1) }, { fmod($0, $1) }) { g in [uniform(&g, -10, 10), signed(&g, 0.5, 3)] },
            binary("minimum", { Double.minimum($0, $1) }, { Float.minimum($0, $1) }) { g in [uniform(&g, -10, 10), uniform(&g, -10, 10)] },
            binary("maximum", { Double.maximum($0, $1) }, { Float.maximum($0, $1) }) { g in [uniform(&g, -10, 10), uniform(&g, -10, 10)] },
            ternary("fma", { fma($0, $1, $2) }, { fma($0, $1, $2) }),
            ternary("addingProduct", { $0.addingProduct($1, $2) }, { $0.addingProduct($1, $2) }),
        ] }

        static func binary(
            _ name: String, _ d: @escaping @differentiable(reverse) (Double, Double) -> Double,
            _ f: @escaping @differentiable(reverse) (Float, Float) -> Float, sample: @escaping (inout SplitMix64) -> [Double]
        ) -> Multi {
            Multi(
                name: name, arity: 2, double: { d($0[0], $0[1]) },
                doubleGradient: { let g = gradient(at: $0[0], $0[1], of: d); return [g.0, g.1] },
                float: { f($0[0], $0[1]) }, floatGradient: { let g = gradient(at: $0[0], $0[1], of: f); return [g.0, g.1] },
                sample: sample)
        }

        static func ternary(
            _ name: String, _ d: @escaping @differentiable(reverse) (Double, Double, Double) -> Double,
            _ f: @escaping @differentiable(reverse) (Float, Float, Float) -> Float
        ) -> Multi {
            Multi(
                name: name, arity: 3, double: { d($0[0], $0[1], $0[2]) },
                doubleGradient: { let g = gradient(at: $0[0], $0[1], $0[2], of: d); return [g.0, g.1, g.2] },
                float: { f($0[0], $0[1], $0[2]) },
                floatGradient: { let g = gradient(at: $0[0], $0[1], $0[2], of: f); return [g.0, g.1, g.2] },
                sample: { g in (0..<3).map { _ in uniform(&g, -10, 10) } })
        }

        static func named(_ name: String) -> StdlibUnary { unary.first { $0.name == name }! }
        static func multiNamed(_ name: String) -> Multi { multi.first { $0.name == name }! }

        /// A seed per function: the name's FNV-1a hash mixed into a fixed non-unit base.
        static func seed(_ name: String) -> UInt64 {
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            for byte in name.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01B3 }
            return h ^ 0x57D1_1B0A_D5EE_D000
        }

        static func ordinaryPoints(_ u: StdlibUnary, count: Int) -> [Double] {
            var g = SplitMix64(seed: seed(u.name))
            return (0..<count).map { _ in
                u.logScale ? exp(g.uniform(log(u.low), log(u.high))) : g.uniform(u.low, u.high)
            }
        }

        static func ordinaryPoints(_ m: Multi, count: Int) -> [[Double]] {
            var g = SplitMix64(seed: seed(m.name))
            return (0..<count).map { _ in m.sample(&g) }
        }

        static var sweep: Bool { ProcessInfo.processInfo.environment["ADCHECK_STDLIB_SWEEP"] == "1" }
    }

    // MARK: Checking Swift's derivative

    /// Swift's AD derivative of `f` at `x`, checked against the references along `f` itself.
    func stdlibCheck<T: BinaryFloatingPoint & Differentiable>(
        _ f: @differentiable(reverse) (T) -> T, at x: T
    ) -> CheckResult where T.TangentVector == T {
        ADCheck.check(function: { f($0) }, derivative: gradient(at: x, of: f), at: x)
    }

    /// Swift's AD derivative of `f` at `x = p s`, checked along `g(s) = f(p s)` at `s`, whose
    /// derivative is `p f'(p s)`. `p` is a power of two, so `p s` and `p f'(x)` are exact: the
    /// claimed value is Swift's own, scaled. The references' steps are absolute below |x| = 1
    /// (`cbrt(eps) max(|x|, 1)`), so near 0 they cannot resolve f along x itself; along s they can.
    func scaledCheck<T: BinaryFloatingPoint & Differentiable>(
        _ f: @differentiable(reverse) (T) -> T, scale p: T, at s: T
    ) -> CheckResult where T.TangentVector == T {
        ADCheck.check(function: { f(p * $0) }, derivative: p * gradient(at: p * s, of: f), at: s)
    }

    /// The result's text: the description with every entry's message (inconclusive reasons too).
    func fullText(_ r: CheckResult) -> String {
        ([r.description] + r.entries.map(\.message) + r.entries.compactMap {
            if case .inconclusive(let reason) = $0.verdict { return reason }
            return nil
        }).joined(separator: "\n")
    }

    func matches(_ r: CheckResult, _ expected: Expected) -> Bool {
        switch expected {
        case .pass: return r.verdict == .pass
        case .inconclusive(let why): return r.verdict.isInconclusive && fullText(r).contains(why)
        }
    }

    /// The relative error a failing entry's message reports: `... (0.77 relative)`.
    func reportedRelative(_ text: String) -> Double? {
        guard let end = text.range(of: " relative)") else { return nil }
        let head = text[..<end.lowerBound]
        guard let open = head.lastIndex(of: "(") else { return nil }
        return Double(head[head.index(after: open)...])
    }

    /// A finding: `check` must record one issue whose message has `entry` (e.g. `df/dx: yours 0,`),
    /// says the references agree with each other, and reports a relative error in `relative`.
    func expectFinding(
        _ finding: Comment, entry: String, relative: ClosedRange<Double>, sourceLocation: Testing.SourceLocation = #_sourceLocation,
        _ check: () -> CheckResult
    ) {
        var result: CheckResult?
        withKnownIssue(finding, sourceLocation: sourceLocation) {
            let r = check()
            result = r
            if r.verdict == .fail { Issue.record(Comment(rawValue: r.description), sourceLocation: sourceLocation) }
        } matching: { issue in
            let text = issue.comments.map(\.rawValue).joined(separator: "\n")
            guard let rel = reportedRelative(text) else { return false }
            return text.contains(entry) && text.contains("the references agree with each other") && relative.contains(rel)
        }
        if Stdlib.sweep, let result { print("finding \(finding.rawValue): \(result.description)") }
    }

    // MARK: Ordinary points and edges

    @Suite("The standard library's registered derivatives")
    struct StdlibDerivativeTests {
        static var ordinaryCount: Int { Stdlib.sweep ? 200 : 6 }

        @Test("Unary: Swift's derivative passes at seeded random ordinary points, Double and Float", arguments: Stdlib.unary.map(\.name))
        func ordinary(name: String) {
            let u = Stdlib.named(name)
            var counts: [String: Int] = [:]
            for x in Stdlib.ordinaryPoints(u, count: Self.ordinaryCount) {
                let d = stdlibCheck(u.double, at: x)
                #expect(d.verdict == .pass, "\(name) at \(x): \(d)")
                let f = stdlibCheck(u.float, at: Float(x))
                // A step function is 0 near 0 (round below 0.5, trunc below 1): then Float passes too.
                let expectedF = u.float(Float(x)) == 0 ? .pass : u.floatOrdinary
                if Stdlib.sweep {
                    // 200 points reach erf's, erfc's and tanh's flat stretches, where Float's
                    // rounding of f hides the slope from every reference: inconclusive, never fail.
                    #expect(!f.verdict.isFail, "\(name) at Float \(Float(x)): \(fullText(f))")
                } else {
                    #expect(matches(f, expectedF), "\(name) at Float \(Float(x)): \(fullText(f))")
                }
                counts["Double \(d.verdict.isFail ? "fail" : d.verdict.isInconclusive ? "inconclusive" : "pass")", default: 0] += 1
                counts["Float \(f.verdict.isFail ? "fail" : f.verdict.isInconclusive ? "inconclusive" : "pass")", default: 0] += 1
            }
            if Stdlib.sweep { print("sweep \(name): \(counts.sorted { $0.key < $1.key })") }
        }

        @Test("Unary: near domain edges and in saturated regions, each point's verdict", arguments: Stdlib.unary.map(\.name))
        func edges(name: String) {
            let u = Stdlib.named(name)
            for edge in u.edges {
                let d = stdlibCheck(u.double, at: edge.x)
                #expect(matches(d, edge.double), "\(name) at \(edge.x), expected \(edge.double): \(fullText(d))")
                guard let expected = edge.float else { continue }
                let f = stdlibCheck(u.float, at: Float(edge.x))
                #expect(matches(f, expected), "\(name) at Float \(Float(edge.x)), expected \(expected): \(fullText(f))")
            }
        }

        @Test("Several arguments: every partial passes at seeded random ordinary points, Double and Float", arguments: Stdlib.multi.map(\.name))
        func multiOrdinary(name: String) {
            let m = Stdlib.multiNamed(name)
            for x in Stdlib.ordinaryPoints(m, count: Self.ordinaryCount) {
                let d = ADCheck.check(function: m.double, gradient: m.doubleGradient, at: x)
                #expect(d.verdict == .pass, "\(name) at \(x): \(d)")
                let xf = x.map { Float($0) }
                let f = ADCheck.check(function: m.float, gradient: m.floatGradient, at: xf)
                // The sweep's 200 points reach fmod's jumps in Float: inconclusive, never fail.
                #expect(Stdlib.sweep ? !f.verdict.isFail : f.verdict == .pass, "\(name) at Float \(xf): \(f)")
            }
        }

        @Test("Float behaves like Double within its precision: at the same points the derivatives agree to Float's rounding")
        func floatLikeDouble() {
            let eps = Double(Float.ulpOfOne)
            for u in Stdlib.unary {
                for x in Stdlib.ordinaryPoints(u, count: Self.ordinaryCount) {
                    let xf = Float(x)
                    let dd = gradient(at: Double(xf), of: u.double)
                    let df = Double(gradient(at: xf, of: u.float))
                    // A few roundings of Float, relative to the derivative (or to 1 where it is near 0).
                    #expect(abs(df - dd) <= 16 * eps * max(abs(dd), 1), "\(u.name) at \(xf): Float \(df), Double \(dd)")
                }
            }
        }

        @Test("Near 0+: log, log2, log10, sqrt, squareRoot() and pow's base along x = 2^k s (exact), where the references can resolve them")
        func nearZero() {
            // Along x itself the references are inconclusive at 1e-30: their steps (6e-6 in Double)
            // are absolute below |x| = 1, and shrinking them 12 times by 8 still leaves the domain.
            let plain = stdlibCheck({ (x: Double) in log(x) }, at: 1e-30)
            #expect(plain.verdict.isInconclusive, "\(plain)")
            for name in ["log", "log2", "log10", "sqrt", "squareRoot()"] {
                let u = Stdlib.named(name)
                // A subnormal x = 2^-1030 s only for sqrt: log's 1/x is past Double's range there
                // (1/1.3e-310 = 7.7e309), so inf is its correctly rounded derivative.
                let points = name.contains("log") ? [(0x1p-100, 1.27), (0x1p-1000, 1.61)] : [(0x1p-100, 1.27), (0x1p-1000, 1.61), (0x1p-1030, 1.5)]
                for (p, s) in points {
                    let d = scaledCheck(u.double, scale: p, at: s)
                    #expect(d.verdict == .pass, "\(name) at \(p * s) (along s): \(d)")
                }
                for (p, s) in [(Float(0x1p-100), Float(1.27)), (0x1p-126, 1.61)] {
                    let f = scaledCheck(u.float, scale: p, at: s)
                    #expect(f.verdict == .pass, "\(name) at Float \(p * s) (along s): \(f)")
                }
            }
            // pow with a small base: ∂/∂x along x = 2^k s, ∂/∂y along y.
            for (p, s, y) in [(0x1p-10, 1.3, 0.5), (0x1p-30, 1.7, 2.5), (0x1p-300, 1.1, -1.5), (0x1p-300, 1.1, 0.25)] {
                let gx = scaledCheck({ (x: Double) in pow(x, y) }, scale: p, at: s)
                #expect(gx.verdict == .pass, "pow(x, \(y)) at x = \(p * s): \(gx)")
                let gy = stdlibCheck({ (y: Double) in pow(p * s, y) }, at: y)
                #expect(gy.verdict == .pass, "pow(\(p * s), y) at y = \(y): \(gy)")
                let fx = scaledCheck({ (x: Float) in pow(x, Float(y)) }, scale: Float(max(p, 0x1p-30)), at: Float(s))
                #expect(fx.verdict == .pass, "Float pow(x, \(y)) at x = \(max(p, 0x1p-30) * s): \(fx)")
            }
        }

        @Test("Two-argument edges: kinks, jumps and the domains of pow")
        func multiEdges() {
            func check(_ name: String, _ x: [Double]) -> (CheckResult, CheckResult) {
                let m = Stdlib.multiNamed(name)
                return (
                    ADCheck.check(function: m.double, gradient: m.doubleGradient, at: x),
                    ADCheck.check(function: m.float, gradient: m.floatGradient, at: x.map { Float($0) })
                )
            }
            // At x == y minimum and maximum pick x (`x <= y`, `x > y` in
            // FloatingPointDifferentiation.swift.gyb): the partials 1, 0 lie on the one-sided
            // derivatives, so no reference can call them wrong.
            for name in ["minimum", "maximum"] {
                for x in [[1.5, 1.5], [-2.25, -2.25]] {
                    let (d, _) = check(name, x)
                    #expect(d.verdict.isInconclusive, "\(name) at \(x): \(fullText(d))")
                }
            }
            // fmod and remainder jump where x / y is an integer (remainder also at half-integers):
            // every partial is inconclusive there, never failing.
            for (name, x) in [("fmod", [7.0, 3.5]), ("fmod", [6.0, 2.0]), ("remainder", [7.5, 3.0]), ("remainder", [-4.5, 3.0])] {
                let (d, f) = check(name, x)
                #expect(d.verdict.isInconclusive, "\(name) at \(x): \(fullText(d))")
                #expect(!f.verdict.isFail, "\(name) at Float \(x): \(fullText(f))")
            }
            // pow(x, y) with x <= 0: d/dy is registered as value * log(1) = 0. At x = 0, y > 0
            // that is right (0^y = 0); at x < 0 pow(x, y) is NaN off the integers, so ∂/∂y is
            // inconclusive while ∂/∂x = y x^(y-1) passes.
            let (zero, zeroF) = check("pow", [0, 2.5])
            #expect(zero.verdict == .pass, "\(fullText(zero))")
            #expect(zeroF.verdict == .pass, "\(fullText(zeroF))")
            let (negative, _) = check("pow", [-2, 3])
            #expect(negative.entries.map(\.verdict.isInconclusive) == [false, true], "\(fullText(negative))")
            #expect(negative.entries[0].verdict == .pass, "\(fullText(negative))")
        }

        @Test("Saturated: erf's derivative stays right where erf(x) is 1 to the last bit, checked along erf(x) - 1 = -erfc(x)")
        func erfTail() {
            for x in [4.0, 6, 10, 20, -6] {
                let d = gradient(at: x) { x in erf(x) }
                let r = ADCheck.check(function: { x in x > 0 ? -erfc(x) : erfc(-x) }, derivative: d, at: x)
                #expect(r.verdict == .pass, "erf at \(x): \(r)")
            }
            for x: Float in [3, 5, 8] {
                let d = gradient(at: x) { x in erf(x) }
                let r = ADCheck.check(function: { (x: Float) in -erfc(x) }, derivative: d, at: x)
                #expect(r.verdict == .pass, "Float erf at \(x): \(r)")
            }
        }

        @Test("A wrong derivative fails: the same checks catch a planted error of 1e-6 relative (Double), 5e-2 (Float)")
        func plantedError() {
            // The check that passes every registered derivative above must be able to fail.
            for name in ["exp", "log", "asin", "tanh", "erfc"] {
                let u = Stdlib.named(name)
                let x = Stdlib.ordinaryPoints(u, count: 1)[0]
                let wrong = gradient(at: x, of: u.double) * (1 + 1e-6)
                let r = ADCheck.check(function: { u.double($0) }, derivative: wrong, at: x)
                #expect(r.verdict == .fail, "\(name) at \(x): \(r)")
                // Float's references are coarser (1% where the step is 5e-3 |x| at |x| = 16): 5e-2.
                let wrongF = gradient(at: Float(x), of: u.float) * (1 + 5e-2)
                let rf = ADCheck.check(function: { u.float($0) }, derivative: wrongF, at: Float(x))
                #expect(rf.verdict == .fail, "Float \(name) at \(Float(x)): \(fullText(rf)) \(rf.entries.map { $0.checks.map { "\($0.comparison)" } })")
            }
        }
    }

    // MARK: Findings

    @Suite("Where the standard library's derivatives lose precision")
    struct StdlibFindings {
        @Test("asinh'(x) = 1/sqrt(1 + x*x) is 0 once x*x overflows: |x| > 1.34e154 (Double), 1.84e19 (Float)")
        func asinhOverflow() {
            for x in [1e160, -1e300] {
                expectFinding("finding: asinh' at \(x): 1/sqrt(1 + x*x) with x*x = inf", entry: "df/dx: yours 0,", relative: 1...1) {
                    stdlibCheck({ asinh($0) }, at: x)
                }
            }
            for x: Float in [1e20, -1e30] {
                expectFinding("finding: Float asinh' at \(x): 1/sqrt(1 + x*x) with x*x = inf", entry: "df/dx: yours 0,", relative: 1...1) {
                    stdlibCheck({ asinh($0) }, at: x)
                }
            }
        }

        @Test("acosh'(x) = 1/sqrt(x*x - 1) is 0 once x*x overflows: x > 1.34e154 (Double), 1.84e19 (Float)")
        func acoshOverflow() {
            for x in [1e160, 1e300] {
                expectFinding("finding: acosh' at \(x): 1/sqrt(x*x - 1) with x*x = inf", entry: "df/dx: yours 0,", relative: 1...1) {
                    stdlibCheck({ acosh($0) }, at: x)
                }
            }
            for x: Float in [1e20, 1e30] {
                expectFinding("finding: Float acosh' at \(x): 1/sqrt(x*x - 1) with x*x = inf", entry: "df/dx: yours 0,", relative: 1...1) {
                    stdlibCheck({ acosh($0) }, at: x)
                }
            }
        }

        /// `tanh(x) - 1` computed without cancellation: `-2 e^(-2x) / (1 + e^(-2x))` for x > 0.
        static func tanhTail<T: BinaryFloatingPoint & ElementaryFunctionsLike>(_ x: T) -> T {
            let e = T.exp(-2 * x)
            return -2 * e / (1 + e)
        }

        @Test("tanh'(x) = 1 - tanh(x)^2 cancels in the saturated region (checked along tanh(x) - 1 computed without cancellation)")
        func tanhSaturated() {
            // Along tanh itself the references cannot see it: tanh's own values are rounded near 1
            // as much as Swift's derivative is, so the plain checks in `edges` pass (Double) or
            // are inconclusive (Float). Along tanh(x) - 1 = -2 e^(-2x) / (1 + e^(-2x)), the same
            // function less 1 with no cancellation, they resolve tanh' to 1e-10.
            for (x, relative) in [(10.0, 1e-9...1e-7), (15.0, 1e-4...1e-3), (19.0, 0.5...1.0), (20.0, 1.0...1.0), (30.0, 1.0...1.0)] {
                expectFinding("finding: tanh' at \(x): 1 - v*v with v = tanh(x) rounded near 1", entry: "df/dx: yours ", relative: relative) {
                    ADCheck.check(function: Self.tanhTail, derivative: gradient(at: x) { tanh($0) }, at: x)
                }
            }
            for (x, relative): (Float, ClosedRange<Double>) in [(8, 0.01...0.2), (9, 0.5...1.0), (10, 1.0...1.0)] {
                expectFinding("finding: Float tanh' at \(x): 1 - v*v with v = tanh(x) rounded near 1", entry: "df/dx: yours ", relative: relative) {
                    ADCheck.check(function: Self.tanhTail, derivative: gradient(at: x) { tanh($0) }, at: x)
                }
            }
            // Where the cancellation costs less than the references' resolution it passes (at 10 it
            // costs 1.1e-8: the 4-point rule's budget cannot settle 8.2e-9 to 1e-7, and GSL central,
            // ± 2.7e-17, sees it).
            for x in [5.0] {
                let r = ADCheck.check(function: Self.tanhTail, derivative: gradient(at: x) { tanh($0) }, at: x)
                #expect(r.verdict == .pass, "\(r)")
            }
        }

        @Test("x / y: ∂/∂y = -x / (y*y) * v loses y*y to overflow (0 instead of -x/y²) and to underflow (subnormal or 0)")
        func divisionSquare() {
            // Overflow: y*y = inf, so ∂/∂y = -0 where -x/y² = -1e-200 (Double), -1e-20 (Float).
            for name in ["/", "/="] {
                let m = Stdlib.multiNamed(name)
                expectFinding("finding: \(name) at (1e200, 1e200): y*y = inf", entry: "∂f/∂x[1]: yours 0,", relative: 1...1) {
                    ADCheck.check(function: m.double, gradient: m.doubleGradient, at: [1e200, 1e200])
                }
                expectFinding("finding: Float \(name) at (1e20, 1e20): y*y = inf", entry: "∂f/∂x[1]: yours 0,", relative: 1...1) {
                    ADCheck.check(function: m.float, gradient: m.floatGradient, at: [1e20, 1e20])
                }
            }
            // Underflow, along y = p s (p a power of two: the scaling is exact; along y itself
            // the references' absolute steps straddle the pole at 0). y*y subnormal: ∂/∂y off by
            // its rounding; y*y = 0: ∂/∂y = -inf where -x/y² is finite.
            func along(_ x: Double, _ p: Double, _ s: Double) -> CheckResult {
                let g = gradient(at: x, p * s) { a, b in a / b }
                return ADCheck.check(function: { (v: [Double]) in v[0] / (p * v[1]) }, gradient: [g.0, p * g.1], at: [x, s])
            }
            func alongF(_ x: Float, _ p: Float, _ s: Float) -> CheckResult {
                let g = gradient(at: x, p * s) { a, b in a / b }
                return ADCheck.check(function: { (v: [Float]) in v[0] / (p * v[1]) }, gradient: [g.0, p * g.1], at: [x, s])
            }
            expectFinding("finding: / at y = 1.3 * 2^-532: y*y subnormal", entry: "∂f/∂x[1]: yours ", relative: 1e-5...1e-3) {
                along(0x1p-532, 0x1p-532, 1.3)
            }
            expectFinding("finding: / at y = 1.3 * 2^-540: y*y = 0", entry: "∂f/∂x[1]: yours -inf,", relative: Double.infinity...Double.infinity) {
                along(0x1p-540, 0x1p-540, 1.3)
            }
            expectFinding("finding: Float / at y = 1.3 * 2^-70: y*y subnormal", entry: "∂f/∂x[1]: yours ", relative: 1e-4...1e-2) {
                alongF(0x1p-70, 0x1p-70, 1.3)
            }
            // Float y*y = 0: Swift's ∂/∂y is -inf, which fails as in Double (see
            // StdlibCheckerFixed.infiniteClaim).
            expectFinding("finding: Float / at y = 1.3 * 2^-76: y*y = 0", entry: "∂f/∂x[1]: yours -inf,", relative: Double.infinity...Double.infinity) {
                alongF(0x1p-76, 0x1p-76, 1.3)
            }
        }
    }

    // MARK: The checker's own former blind spots

    /// Four ways this sweep found the checker wrong, each fixed in the engine; these tests fail
    /// if a fix is undone.
    @Suite("Where the checker was wrong, and is not any more")
    struct StdlibCheckerFixed {
        // Swift's derivative here is correctly rounded (compared with 40-digit values: exp(-740) =
        // 4.1887e-322, stored as 85 subnormal quanta = 4.1996e-322; exp(-100) in Float = 3.7201e-44,
        // stored as 27 quanta = 3.7835e-44; erfc'(27) = -2.8299434150e-317, Swift -2.829943297e-317).
        // The check failed it while the references' round-off terms assumed each value of f good
        // to 2 eps |f|: a subnormal value is only good to half a quantum (2.5e-324 in Double, 7e-46
        // in Float), and the central difference at exp(-740) saw f(x + h) = f(x - h) and said
        // 0 ± 2e-323. Every value of f now carries the precision's subnormal spacing as an
        // absolute error (`Judge.quantum`).
        @Test("exp at -740 (Double) and -100 (Float), erfc at 27 (Double): a right derivative does not fail")
        func subnormal() {
            let checks = [
                ADCheck.check(function: { (x: Double) in exp(x) }, derivative: gradient(at: -740.0) { exp($0) }, at: -740),
                ADCheck.check(function: { (x: Float) in exp(x) }, derivative: gradient(at: Float(-100)) { exp($0) }, at: -100),
                ADCheck.check(function: { (x: Double) in erfc(x) }, derivative: gradient(at: 27.0) { erfc($0) }, at: 27),
            ]
            for result in checks { #expect(!result.verdict.isFail, "\(fullText(result))") }
        }

        // minimum/maximum at x == y in Float: GSL central finds the kink, and its one-sided
        // derivatives were judged with GSL's own error only, without the Float rounding of f: its
        // one-sided slope 0.9999 missed the true 1, so Swift's partial 1 failed. The same at
        // remainder's jump x / y = -1.5 (∂/∂y is 1 or 2 on either side; Swift gives 2). The kink's
        // sides now carry f's rounding (`ReferenceEngine.judge`).
        @Test("minimum and maximum at x == y in Float, remainder at its jump: a one-sided value does not fail")
        func kink() {
            for name in ["minimum", "maximum"] {
                let m = Stdlib.multiNamed(name)
                let result = ADCheck.check(function: m.float, gradient: m.floatGradient, at: [1.5, 1.5])
                #expect(!result.verdict.isFail, "\(name): \(fullText(result))")
            }
            let m = Stdlib.multiNamed("remainder")
            let result = ADCheck.check(function: m.float, gradient: m.floatGradient, at: [-4.5, 3])
            #expect(!result.verdict.isFail, "remainder: \(fullText(result))")
        }

        // remainder(6, 2) in Float: f = x - 3 y exactly near the point, so ∂/∂x is exactly 1. GSL
        // central said 1.000005822 ± 2.4e-06: its Float budget was `2 eps |f(x)|` per value, 0 here,
        // which missed the rounding of each stencil point x ± h to Float (eps |x| / h on the slope).
        // That rounding is budgeted now (`abscissaError` of a coordinate line).
        @Test("remainder at (6, 2) in Float, where f = 0: an exactly right ∂/∂x passes")
        func zeroValue() {
            let m = Stdlib.multiNamed("remainder")
            let d = ADCheck.check(function: m.double, gradient: m.doubleGradient, at: [6, 2])
            #expect(d.verdict == .pass, "\(d)")
            let f = ADCheck.check(function: m.float, gradient: m.floatGradient, at: [6, 2])
            #expect(f.verdict == .pass, "\(fullText(f))")
        }

        // A Float claimed value of inf or NaN was never called wrong: the claimed value's own
        // rounding, `2 eps |claimed|`, was then infinite, so every budget was. A non-finite claim
        // now carries no such allowance and fails as in Double.
        @Test("A Float derivative of inf fails, as the Double one does")
        func infiniteClaim() {
            let d = ADCheck.check(function: { (x: Double) in x * x }, derivative: .infinity, at: 1.5)
            #expect(d.verdict == .fail, "\(d)")
            let f = ADCheck.check(function: { (x: Float) in x * x }, derivative: .infinity, at: 1.5)
            #expect(f.verdict == .fail, "\(fullText(f))")
            let nan = ADCheck.check(function: { (x: Float) in x * x }, derivative: .nan, at: 1.5)
            #expect(nan.verdict == .fail, "\(fullText(nan))")
        }
    }

    // MARK: The wider sweep

    @Suite("ADCHECK_STDLIB_SWEEP=1: thresholds")
    struct StdlibSweep {
        @Test("Where each finding starts: the first failing point on a dense grid")
        func thresholds() {
            guard Stdlib.sweep else { return }
            func first(_ label: String, _ xs: [Double], _ check: (Double) -> CheckResult) {
                var verdicts: [String] = []
                var firstFail: Double?
                for x in xs {
                    let r = check(x)
                    let v = r.verdict.isFail ? "fail" : r.verdict.isInconclusive ? "inconclusive" : "pass"
                    verdicts.append(v)
                    if firstFail == nil, r.verdict.isFail { firstFail = x; print("sweep \(label) first fail at \(x): \(r)") }
                }
                let counts = Dictionary(grouping: verdicts, by: { $0 }).mapValues(\.count)
                print("sweep \(label): \(xs.count) points, \(counts.sorted { $0.key < $1.key }), first fail \(firstFail.map { "\($0)" } ?? "none")")
            }
            first("tanh tail Double x in 5...30", stride(from: 5.0, through: 30, by: 0.25).map { $0 }) { x in
                ADCheck.check(function: StdlibFindings.tanhTail, derivative: gradient(at: x) { tanh($0) }, at: x)
            }
            first("tanh tail Float x in 2...12", stride(from: 2.0, through: 12, by: 0.125).map { $0 }) { x in
                ADCheck.check(function: StdlibFindings.tanhTail, derivative: gradient(at: Float(x)) { tanh($0) }, at: Float(x))
            }
            first("asinh Double x = 10^k, k in 140...170", stride(from: 140.0, through: 170, by: 0.5).map { pow(10, $0) }) { x in
                stdlibCheck({ asinh($0) }, at: x)
            }
            first("acosh Float x = 10^k, k in 15...25", stride(from: 15.0, through: 25, by: 0.25).map { pow(10, $0) }) { x in
                stdlibCheck({ acosh($0) }, at: Float(x))
            }
            first("/ Double y = x = 10^k, k in 140...170", stride(from: 140.0, through: 170, by: 0.5).map { pow(10, $0) }) { x in
                let m = Stdlib.multiNamed("/")
                return ADCheck.check(function: m.double, gradient: m.doubleGradient, at: [x, x])
            }
            first("asin Double x = 1 - 10^-k, k in 3...15", stride(from: 3.0, through: 15, by: 0.5).map { 1 - pow(10, -$0) }) { x in
                stdlibCheck({ asin($0) }, at: x)
            }
            first("atanh Double x = 1 - 10^-k, k in 3...15", stride(from: 3.0, through: 15, by: 0.5).map { 1 - pow(10, -$0) }) { x in
                stdlibCheck({ atanh($0) }, at: x)
            }
            first("acosh Double x = 1 + 10^-k, k in 3...15", stride(from: 3.0, through: 15, by: 0.5).map { 1 + pow(10, -$0) }) { x in
                stdlibCheck({ acosh($0) }, at: x)
            }
            first("erfc Double x in 20...27.2", stride(from: 20.0, through: 27.2, by: 0.1).map { $0 }) { x in
                stdlibCheck({ erfc($0) }, at: x)
            }
            first("exp Double x in -745...-700", stride(from: -745.0, through: -700, by: 1).map { $0 }) { x in
                stdlibCheck({ exp($0) }, at: x)
            }
        }
    }
#endif
