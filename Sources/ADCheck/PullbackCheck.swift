// The engine behind the differentiable-Swift checks: a function's pullback (from
// `valueWithPullback`, or a derivative registered with `@derivative(of:)`) is held to the
// properties every pullback has (linear, deterministic, the original's value) and, through
// DerivativeCheck, to the numerical references.
#if canImport(_Differentiation)
import _Differentiation
import ADCatalog
import Foundation

/// One argument of a differentiable function as real coordinates.
///
/// When the argument is a `FlatVector` with as many entries as its tangent (Double, Float, SIMD,
/// arrays of them), the coordinates are its own entries and a point is built from them exactly:
/// the references' steps are on the scale of the values. Otherwise (a model's parameters) the
/// coordinates are a displacement from the argument, 0 at the point, and a point is
/// `x.move(by: x.tangentVector(flatValues: δ))`.
struct FlatArgument<X: CheckableDifferentiable> {
    let x: X
    let count: Int
    /// X's own entries, when X is a `FlatVector` with `count` of them.
    let values: [Double]?
    let make: (([Double]) -> X)?
    /// X's unit round-off: its `CheckScalar`'s (and `FlatScalar`'s, when it has one).
    let epsilon: Double

    init(_ x: X) {
        self.x = x
        count = x.tangentCount
        var epsilon = Double(X.CheckScalar.ulpOfOne)
        if let flat = x as? any FlatVector {
            let (values, make, flatEpsilon) = Self.open(flat)
            epsilon = Swift.max(epsilon, flatEpsilon)
            if values.count == count {
                self.values = values
                self.make = make
            } else {
                self.values = nil
                self.make = nil
            }
        } else {
            values = nil
            make = nil
        }
        self.epsilon = epsilon
    }

    static func open<V: FlatVector>(_ v: V) -> ([Double], ([Double]) -> X, Double) {
        (v.flatValues, { V(flatValues: $0, like: v) as! X }, Double(V.FlatScalar.ulpOfOne))
    }

    /// The argument at coordinates `p` (its own entries when `exact`, else a displacement).
    func build(_ p: ArraySlice<Double>, exact: Bool) -> X {
        if exact, let make { return make(Array(p)) }
        var moved = x
        moved.move(by: x.tangentVector(flatValues: Array(p)))
        return moved
    }

    /// A tangent's entries; `nil` (a problem) when there are not `count` of them.
    func flat(_ tangent: X.TangentVector) -> [Double] { x.flatValues(of: tangent) }

    var erased: ArgumentShape { ArgumentShape(count: count, values: values, epsilon: epsilon) }
}

/// What the runner needs to know of an argument.
struct ArgumentShape {
    var count: Int
    var values: [Double]?
    var epsilon: Double
}

/// Splits coordinates into the arguments' runs.
func split(_ p: [Double], _ counts: [Int]) -> [ArraySlice<Double>] {
    var start = 0
    return counts.map { n in
        defer { start += n }
        return p[start..<(start + n)]
    }
}

/// A pullback as the runner calls it: flat cotangent in, flat (concatenated) gradient out.
typealias FlatPullback = ([Double]) -> [Double]

/// What is checked and how it is named.
struct PullbackSubject {
    /// `.gradient` (scalar result: the engine's gradient check of `pullback(1)`) or `.vjp`.
    var kind: DerivativeCheckResult.Kind
    var arguments: [ArgumentShape]
    /// Default names of the coordinates (`x`, `x[0]`, `y[2]`), used when the options have none.
    var names: [String]
    /// The result's entries and unit round-off.
    var original: [Double]
    var outputEpsilon: Double
    /// `valueWithPullback` or `the registered derivative`.
    var derivativeName: String
    /// Why the check cannot start, found before it ran (the result's shape).
    var problem: String? = nil
}

/// Names of coordinates: `x` for a scalar argument, `x[i]` for the entries of a vector one;
/// arguments are named `x`, `y`, `z`.
func coordinateNames(_ counts: [Int]) -> [String] {
    let letters = ["x", "y", "z"]
    return counts.enumerated().flatMap { a, n -> [String] in
        let name = a < letters.count ? letters[a] : "arg\(a)"
        return n == 1 ? [name] : (0..<n).map { "\(name)[\($0)]" }
    }
}

enum PullbackCheck {
    /// `u` and its relatives in messages: one entry bare, more in brackets (the first 8).
    static func show(_ v: [Double]) -> String {
        if v.count == 1 { return format(v[0]) }
        let shown = v.prefix(8).map(format).joined(separator: ", ")
        return "[" + shown + (v.count > 8 ? ", … (\(v.count - 8) more)" : "") + "]"
    }

    /// A difference or a count of ulps for a message, to two significant digits.
    static func short(_ x: Double) -> String {
        x.isFinite ? String(format: "%.2g", x) : format(x)
    }

    static func norm(_ v: [Double]) -> Double { v.reduce(0) { Swift.max($0, abs($1)) } }

    /// The index where `a` and `b` differ most (a NaN first), and that difference.
    static func worst(_ a: [Double], _ b: [Double]) -> (index: Int, difference: Double) {
        var best = (index: 0, difference: -1.0)
        for i in a.indices {
            let d = abs(a[i] - b[i])
            if d.isNaN { return (i, .nan) }
            if d > best.difference { best = (i, d) }
        }
        return best
    }

    /// An entry comparing `yours` with what a property requires, entry by entry:
    /// `|yours_i - required_i| <= budgets_i` (NaN fails). The entry shows the coordinate that
    /// exceeds its budget most.
    static func entry(
        quantity: String, yours: [Double], required: [Double], requiredName: String, budgets: [Double],
        finding: (Bool) -> String
    ) -> EntryCheck {
        var index = 0, excess = -Double.infinity
        for i in yours.indices {
            let d = abs(yours[i] - required[i])
            let e = d.isNaN ? .infinity : d - budgets[i]
            if e > excess { (index, excess) = (i, e) }
        }
        let ok = excess <= 0
        let claimed = yours.isEmpty ? 0 : yours[index], reference = required.isEmpty ? 0 : required[index]
        let verdict: Verdict = ok ? .pass : .fail
        let comparison = Comparison(
            verdict: verdict, value: claimed, reference: reference, budget: budgets.isEmpty ? 0 : budgets[index], method: requiredName)
        return EntryCheck(
            judged: quantity, claimed: claimed,
            checks: [Check(quantity: quantity, kind: .expectation, comparison: comparison, expectedText: requiredName)],
            verdict: verdict, finding: ok ? finding(true) : finding(false))
    }

    /// What the references resolve in each entry of a pullback, per unit of cotangent: a
    /// gradient's partial `i`, the budget of its tightest conclusive reference; a VJP's entries,
    /// twice the tightest conclusive budget of `⟨pullback(u), v⟩` (`|v_j| >= 0.5`) over `|u|`.
    /// 0 where no reference was conclusive.
    static func resolution(_ result: CheckResult, inputs n: Int) -> [Double] {
        func tightest(_ entry: EntryCheck) -> Double {
            entry.checks.map(\.comparison).filter { !$0.verdict.isInconclusive }.map(\.budget).min() ?? 0
        }
        var r = [Double](repeating: 0, count: n)
        if result.kind == .vjp {
            guard let inner = result.entries.first(where: { $0.input == nil }) else { return r }
            let scale = norm(result.cotangent ?? [1])
            return r.map { _ in scale > 0 ? 2 * tightest(inner) / scale : 0 }
        }
        for entry in result.entries {
            if let i = entry.input, i < n { r[i] = tightest(entry) }
        }
        return r
    }

    /// An entry decided by a property rather than a distance (two calls, the cotangent used):
    /// `yours` against `reference` (named `method`) with its verdict.
    static func judged(
        quantity: String, yours: Double, reference: Double, method: String, ok: Bool, finding: String
    ) -> EntryCheck {
        let verdict: Verdict = ok ? .pass : .fail
        let comparison = Comparison(verdict: verdict, value: yours, reference: reference, budget: 0, method: method)
        return EntryCheck(
            judged: quantity, claimed: yours,
            checks: [Check(quantity: quantity, kind: .expectation, comparison: comparison, expectedText: method)],
            verdict: verdict, finding: finding)
    }

    /// The check of a pullback, in the precision `T` (the coarsest of the arguments and result).
    ///
    /// `evaluate(p, exact)`: the original function's flat result at coordinates `p`.
    /// `derivative()`: a fresh call of what is checked (`valueWithPullback`, or the registered
    /// derivative): its value's entries and its pullback on flat cotangents.
    static func run<T: BinaryFloatingPoint>(
        _ subject: PullbackSubject, in _: T.Type, options: CheckOptions,
        evaluate: ([Double], Bool) -> [Double], derivative: () -> (value: [Double], pullback: FlatPullback)
    ) -> CheckResult {
        let counts = subject.arguments.map(\.count)
        let n = counts.reduce(0, +), m = subject.original.count
        // Coordinates: the arguments' own entries when all have them and T holds them exactly.
        var exact = subject.arguments.allSatisfy { $0.values != nil }
        var point = subject.arguments.flatMap { $0.values ?? [Double](repeating: 0, count: $0.count) }
        if exact, point.contains(where: { Double(T($0)) != $0 }) { exact = false }
        if !exact { point = [Double](repeating: 0, count: n) }
        var named = options
        if named.inputNames == nil { named.inputNames = subject.names }
        let pointT = point.map { T($0) }

        func scaffold(_ problem: String) -> CheckResult {
            var r = CheckResult(
                kind: subject.kind, point: point, precision: String(describing: T.self), epsilon: Double(T.ulpOfOne), options: options)
            r.problem = problem
            r.evaluations = 1
            return r.withVerdict()
        }
        if let problem = subject.problem { return scaffold(problem) }
        guard n > 0 else { return scaffold("the function has no input to differentiate (its arguments have no tangent entries)") }
        guard m > 0 else { return scaffold("the function's result has no entries") }
        let finite = subject.original.allSatisfy(\.isFinite)

        // The engine: the references at the gradient pullback(1), or the VJP with random cotangents.
        let first = derivative()
        func line(_ p: [T]) -> [Double] { evaluate(p.map { Double($0) }, exact) }
        var result: CheckResult
        if subject.kind == .gradient {
            let g = first.pullback([1])
            if g.count != n { return scaffold("pullback(1) has \(g.count) entries for \(n) inputs: a tangent of the wrong shape") }
            result = DerivativeCheck.gradient(
                of: { (p: [T]) -> T in T(line(p)[0]) }, claimed: g.map { T($0) }, at: pointT, options: named)
        } else {
            result = DerivativeCheck.vjp(
                of: { (p: [T]) -> [T] in line(p).map { T($0) } },
                vjp: { (_: [T], u: [T]) -> [T] in first.pullback(u.map { Double($0) }).map { T($0) } },
                at: pointT, options: named)
        }
        result.options = options
        result.point = point
        guard finite else { return result }  // the engine reports the non-finite value

        // The properties of a pullback, with seeded random non-unit cotangents in T.
        var generator = SplitMix64(seed: options.seed ^ 0x9E37_79B9_D1FF_ADAD)
        let u = (0..<m).map { _ in Double(T(generator.nonUnit())) }
        let w = (0..<m).map { _ in Double(T(generator.nonUnit())) }
        let s = Double((13 + 2 * Int(generator.next() % 14))) / 8 * (generator.next() & 1 == 0 ? 1 : -1)
        let uw = zip(u, w).map { Double(T($0.0) + T($0.1)) }
        let su = u.map { Double(T(s) * T($0)) }
        let second = derivative()
        let pu = first.pullback(u), pw = first.pullback(w), puw = first.pullback(uw), psu = first.pullback(su)
        let p0 = first.pullback([Double](repeating: 0, count: m))
        let puAgain = first.pullback(u), puSecond = second.pullback(u)
        let name = subject.derivativeName
        if let bad = [pu, pw, puw, psu, p0, puAgain, puSecond].first(where: { $0.count != n }) {
            result.problem = "the pullback returns \(bad.count) entries for \(n) inputs: a tangent of the wrong shape"
            return result.withVerdict()
        }
        var entries: [EntryCheck] = []
        let eps = Double(T.ulpOfOne)

        // The value: the original's to 4 units of the result's precision.
        let value = first.value
        if value.count != m {
            entries.append(judged(
                quantity: "value", yours: Double(value.count), reference: Double(m), method: "the original's entries", ok: false,
                finding: "\(name)'s value has \(value.count) entries but the original's result has \(m)"))
        } else {
            let scales = zip(value, subject.original).map { Swift.max(abs($0.0), abs($0.1), Double.leastNormalMagnitude) }
            let ulpsApart = zip(zip(value, subject.original), scales).map { abs($0.0.0 - $0.0.1) / (subject.outputEpsilon * $0.1) }
            let ulps = ulpsApart.contains { $0.isNaN } ? Double.nan : ulpsApart.max() ?? 0
            let d = zip(value, subject.original).map { abs($0.0 - $0.1) }.max() ?? 0
            entries.append(entry(
                quantity: "value", yours: value, required: subject.original, requiredName: "original",
                budgets: scales.map { 4 * subject.outputEpsilon * $0 }
            ) { ok in
                if ok { return d == 0 ? "bit for bit" : "within \(short(ulps)) ulps" }
                return "\(name)'s value is not the original's: value = \(show(value)) but original(x) = \(show(subject.original)) "
                    + "(\(ulps.isNaN ? "NaN" : short(ulps) + " ulps") apart; 4 allowed)"
            })
        }
        // Two calls agree, bit for bit.
        let valuesAgree = first.value.count == second.value.count
            && zip(first.value, second.value).allSatisfy { $0.0.bitPattern == $0.1.bitPattern }
        let same: ([Double], [Double]) -> Bool = { a, b in zip(a, b).allSatisfy { $0.0.bitPattern == $0.1.bitPattern } }
        let twoCalls: String? =
            !valuesAgree ? "\(name) is not deterministic: two calls at the same point returned the values \(show(first.value)) and \(show(second.value))"
            : !same(pu, puAgain) ? "the pullback is not deterministic: pullback(u) = \(show(pu)), then \(show(puAgain))"
            : !same(pu, puSecond) ? "\(name) is not deterministic: the pullbacks of two calls give pullback(u) = \(show(pu)) and \(show(puSecond))"
            : nil
        // The entry shows the pullbacks' (or, when those differ, the values') worst entry.
        let (yours, reference): (Double, Double) = {
            if valuesAgree || first.value.count != second.value.count {
                let k = worst(puSecond, pu).index
                return same(pu, puSecond) ? (puAgain[worst(puAgain, pu).index], pu[worst(puAgain, pu).index]) : (puSecond[k], pu[k])
            }
            let k = worst(second.value, first.value).index
            return (second.value[k], first.value[k])
        }()
        entries.append(judged(
            quantity: "two calls", yours: yours, reference: reference, method: "first call", ok: twoCalls == nil,
            finding: twoCalls ?? "bit for bit"))
        // Linearity: zero to zero, additive, homogeneous. A difference passes within the rounding
        // of the pullback's own values (32 ε their size) or what the references resolve at that
        // cotangent, whichever is larger: a pullback whose values are mostly cancellation (a
        // saturated softmax) is not called nonlinear for its rounding.
        let resolved = resolution(result, inputs: n)
        entries.append(entry(
            quantity: "pullback(0)", yours: p0, required: [Double](repeating: 0, count: n), requiredName: "zero", budgets: [Double](repeating: 0, count: n)
        ) { ok in ok ? "pass" : "the pullback does not map zero to zero: pullback(0) = \(show(p0))" })
        let sum = zip(pu, pw).map { $0.0 + $0.1 }
        entries.append(entry(
            quantity: "pullback(u + u')", yours: puw, required: sum, requiredName: "pullback(u) + pullback(u')",
            budgets: resolved.map { 32 * eps * (norm(pu) + norm(pw) + norm(puw)) + $0 * (norm(u) + norm(w)) }
        ) { ok in
            ok ? "pass" : "the pullback is not additive: pullback(u + u') = \(show(puw)) but pullback(u) + pullback(u') = \(show(sum))"
        })
        let scaled = pu.map { s * $0 }
        let sText = format(s)
        entries.append(entry(
            quantity: "pullback(\(sText) u)", yours: psu, required: scaled, requiredName: "\(sText) pullback(u)",
            budgets: resolved.map { 32 * eps * (norm(scaled) + norm(psu)) + $0 * 2 * abs(s) * norm(u) }
        ) { ok in
            ok ? "pass" : "the pullback is not homogeneous: pullback(\(sText) u) = \(show(psu)) but \(sText) pullback(u) = \(show(scaled))"
        })
        // A pullback that returns the same nonzero tangent for three cotangents ignores them.
        let ignores = same(pu, pw) && same(pu, psu) && pu.contains { $0 != 0 }
        let (j, _) = worst(pw, pu)
        entries.append(judged(
            quantity: "cotangent", yours: pw[j], reference: pu[j], method: "pullback(u)", ok: !ignores,
            finding: ignores
                ? "the pullback ignores its cotangent: pullback(u) = pullback(u') = pullback(\(sText) u) = \(show(pu)) for three different cotangents"
                : "pass"))

        result.entries = entries + result.entries
        result.evaluations += 1
        if result.cotangent == nil { result.cotangent = u }
        return result.withVerdict()
    }
}
#endif
