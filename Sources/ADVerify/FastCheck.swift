// Fast mode: random directions, a sample of entries and the Taylor slope, at a cost that does
// not grow with the number of inputs.
import ADCatalog
import ADNumeric

/// Which checks `DerivativeCheck` runs.
///
/// - `.full`: every partial (every Jacobian entry); for a VJP or JVP the inner product
///   `⟨u, J v⟩`, and every entry when `inputs × outputs <= fullJacobianLimit`.
/// - `.fast`: for a gradient `g` of `f: R^n -> R`,
///   ```
///   ⟨g, d_j⟩  against  d/dt f(x + t d_j) at t = 0      j = 1 ... fastDirections (default 4)
///   g_i       against  d/dt f(x + (t - x_i) e_i)        fastSamples (default 8) random i
///   Taylor remainder along d_1: log |f(x + h d_1) - f(x) - h ⟨g, d_1⟩| against log h,
///       slope >= 1.8 pass, <= 1.3 fail (the remainder falls as h: ⟨g, d_1⟩ is wrong)
///   ```
///   with `d_j` seeded (`seed`) random non-unit vectors (entries 0.5 to 1.5 in magnitude,
///   random signs). For a Jacobian, VJP or JVP: `⟨u_j, J v_j⟩` for `fastDirections` seeded
///   pairs (the first is the `u`, `v` of the full check) and `fastSamples` random entries
///   `∂F_k/∂x_i`. Cost: about `4 (fastDirections + fastSamples) + 41` evaluations of f when the
///   first reference settles each entry, whatever n is.
///   What it catches: an error `e` in one partial moves `⟨g, d⟩` by `e d_i`, `|d_i| >= 0.5`; the
///   directions see it when that is above the reference's budget on `⟨g, d⟩` (its round-off
///   grows with |f| / h, not with `|g|`); a sampled coordinate sees it with probability
///   `fastSamples / n`. An error everywhere (a factor, a sign, a transposition) moves every
///   `⟨g, d_j⟩`. See docs/adcheck.md, "Fast mode", for measured detection rates.
///   A Taylor slope that says "wrong" while the references pass `⟨g, d_1⟩` is inconclusive, not
///   a failure: the references resolve far smaller errors than the slope does, so the slope
///   there sees something else (a kink, noise in f near x along `d_1`).
/// - `.automatic` (default): `.full` up to `fastThreshold` (1000) inputs (inputs × outputs for
///   a vector function), `.fast` above.
///
/// The result's `mode` says which ran.
public enum CheckMode: String, Codable, Sendable, Hashable {
    case full, fast, automatic
}

extension DerivativeCheckOptions {
    /// Whether a check of `size` inputs (inputs × outputs) runs in fast mode.
    func runsFast(size: Int) -> Bool {
        switch mode {
        case .full: false
        case .fast: true
        case .automatic: size > fastThreshold
        }
    }
}

extension DerivativeCheck {
    // MARK: Gradients

    /// Fast mode for a gradient (see `CheckMode`): `start` has the point's evaluations.
    static func fastGradient<T: BinaryFloatingPoint>(
        of f: ([T]) throws -> T, claimed g: [T], at x: [T], fx: Double, _ judge: Judge, _ start: DerivativeCheckResult
    ) -> DerivativeCheckResult {
        var result = start
        result.mode = .fast
        let options = result.options
        let n = x.count
        var generator = fastGenerator(options.seed)
        // x + t d is rounded to T at every point of the line: an error in each value of about
        // eps Σ |x_j| |∂f/∂x_j|, with ∂f/∂x estimated by the claimed gradient (as for a VJP).
        let abscissa = result.epsilon * zip(x, g).reduce(0) { $0 + abs(Double($1.0)) * abs(Double($1.1)) }
        let scale = x.reduce(1.0) { Swift.max($0, abs(Double($1))) }
        var p = x
        var d = [T](repeating: 0, count: n)
        var first: (direction: [T], verdict: Verdict)?
        for j in 1...options.fastDirections {
            for i in 0..<n { d[i] = T(generator.nonUnit()) }
            let entry = judge.entry(
                quantity: "⟨g, d\(j)⟩", output: nil, input: nil, claimed: dot(g, d), at: 0, fx: fx, stepScale: scale,
                abscissaError: abscissa
            ) { t in
                let s = T(t)
                for i in 0..<n { p[i] = x[i] + s * d[i] }
                return try Double(f(p))
            }
            if j == 1 { first = (d, entry.verdict) }
            result.evaluations += entry.evaluations
            result.entries.append(entry)
        }
        p = x
        for i in sampleIndices(options.fastSamples, of: n, &generator) {
            let entry = judge.entry(
                quantity: "∂f/∂\(inputName(i, options, n))", output: 0, input: i, claimed: Double(g[i]), at: Double(x[i]), fx: fx
            ) { t in
                p[i] = T(t)
                return try Double(f(p))
            }
            p[i] = x[i]
            result.evaluations += entry.evaluations
            result.entries.append(entry)
        }
        if let first {
            let taylor = taylorEntry(of: f, claimed: g, at: x, direction: first.direction, directionVerdict: first.verdict,
                                     epsilon: result.epsilon, pointError: abscissa)
            result.evaluations += taylor.evaluations
            result.entries.append(taylor)
        }
        return result
    }

    /// The Taylor-remainder test along `d` as an entry: its slope in the finding.
    static func taylorEntry<T: BinaryFloatingPoint>(
        of f: ([T]) throws -> T, claimed g: [T], at x: [T], direction d: [T], directionVerdict: Verdict,
        epsilon: Double, pointError: Double
    ) -> EntryCheck {
        var q = x
        let test = taylorRemainderTest(
            of: { point in
                for i in q.indices { q[i] = T(point[i]) }
                return try Double(f(q))
            },
            at: x.map { Double($0) }, gradient: g.map { Double($0) }, direction: d.map { Double($0) },
            epsilon: epsilon, pointError: pointError)
        let check = ADVerify.judge(test)
        let slope = check.slope.map { short($0, digits: 3) } ?? "none"
        var verdict = check.verdict
        let finding: String
        switch check.verdict {
        case .pass:
            finding = "slope \(slope): |f(x + h d1) - f(x) - h ⟨g, d1⟩| falls as h^2: right along d1"
        case .fail where directionVerdict == .pass:
            let why = "Taylor remainder: slope \(slope) says wrong along d1, but the references pass ⟨g, d1⟩ "
                + "(they resolve far smaller errors): a kink or noise in f near x along d1?"
            verdict = .inconclusive(reason: why)
            finding = why
        case .fail:
            finding = "slope \(slope): the remainder falls as h, not h^2: your gradient is wrong along d1"
        case .inconclusive(let reason):
            finding = reason
        }
        return EntryCheck(
            quantity: "Taylor remainder along d1", output: nil, input: nil, claimed: test.directionalDerivative, checks: [],
            verdict: verdict, evaluations: test.evaluations, finding: finding)
    }

    // MARK: Jacobians, VJPs, JVPs

    /// Fast mode for a Jacobian: `fastDirections` pairs `⟨u_j, J v_j⟩`, then sampled entries.
    static func fastJacobian<T: BinaryFloatingPoint>(
        of F: ([T]) throws -> [T], claimed J: [[T]], at x: [T], Fx: [Double], _ judge: Judge, _ start: DerivativeCheckResult
    ) -> DerivativeCheckResult {
        var result = start
        result.mode = .fast
        let options = result.options
        let m = Fx.count, n = x.count
        var generator = fastGenerator(options.seed)
        var w = [Double](repeating: 0, count: n)
        for j in 1...options.fastDirections {
            let (u, v): ([T], [T]) = j == 1 ? randomPair(m, n, seed: options.seed) : randomPair(m, n, &generator)
            // ⟨u, J v⟩ and Jᵀu (for the abscissa rounding, see vjp) from the claimed Jacobian.
            var claimed = 0.0
            for i in 0..<n { w[i] = 0 }
            for k in 0..<m {
                let uk = Double(u[k])
                for i in 0..<n {
                    let a = uk * Double(J[k][i])
                    claimed += a * Double(v[i])
                    w[i] += a
                }
            }
            let abscissa = result.epsilon * zip(x, w).reduce(0) { $0 + abs(Double($1.0)) * abs($1.1) }
            let entry = directionEntry(
                of: F, at: x, Fx: Fx, u: u, v: v, claimed: claimed, quantity: "⟨u\(j), J v\(j)⟩", abscissa: abscissa, judge)
            result.evaluations += entry.evaluations
            result.entries.append(entry)
        }
        let sampled = sampledEntries(of: F, at: x, Fx: Fx, judge, options, &generator) { k, i in .success(Double(J[k][i])) }
        return appended(sampled, to: result)
    }

    /// Fast mode for a VJP after the first pair's inner product: more pairs, then sampled
    /// entries `vjp(x, e_k)_i` against `∂F_k/∂x_i`.
    static func fastVJP<T: BinaryFloatingPoint>(
        of F: ([T]) throws -> [T], vjp: ([T], [T]) throws -> [T], at x: [T], Fx: [Double], _ judge: Judge,
        _ start: DerivativeCheckResult
    ) -> DerivativeCheckResult {
        fastProducts(of: F, at: x, Fx: Fx, judge, start, transposed: true) { try vjp(x, $0) }
    }

    /// Fast mode for a JVP after the first pair's inner product: more pairs, then sampled
    /// entries `jvp(x, e_i)_k` against `∂F_k/∂x_i`.
    static func fastJVP<T: BinaryFloatingPoint>(
        of F: ([T]) throws -> [T], jvp: ([T], [T]) throws -> [T], at x: [T], Fx: [Double], _ judge: Judge,
        _ start: DerivativeCheckResult
    ) -> DerivativeCheckResult {
        fastProducts(of: F, at: x, Fx: Fx, judge, start, transposed: false) { try jvp(x, $0) }
    }

    /// The pairs and sampled entries of fast mode for a product at `x`: a VJP (`transposed`,
    /// `product(u) = Jᵀu`, claimed `⟨Jᵀu, v⟩`, entry `∂F_k/∂x_i = product(e_k)_i`) or a JVP
    /// (`product(v) = J v`, claimed `⟨u, J v⟩`, entry `product(e_i)_k`).
    static func fastProducts<T: BinaryFloatingPoint>(
        of F: ([T]) throws -> [T], at x: [T], Fx: [Double], _ judge: Judge, _ start: DerivativeCheckResult,
        transposed: Bool, product: ([T]) throws -> [T]
    ) -> DerivativeCheckResult {
        var result = start
        result.mode = .fast
        let options = result.options
        let m = Fx.count, n = x.count
        let name = transposed ? "the VJP" : "the JVP"
        let (inLength, outLength) = transposed ? (m, n) : (n, m)
        var generator = fastGenerator(options.seed)
        let xMax = x.reduce(0.0) { Swift.max($0, abs(Double($1))) }
        for j in stride(from: 2, through: options.fastDirections, by: 1) {
            let (u, v): ([T], [T]) = randomPair(m, n, &generator)
            switch claimedValues(name: name, count: outLength, { try product(transposed ? u : v) }) {
            case .failure(let problem):
                result.problem = problem.text
                return result
            case .success(let w):
                let claimed = transposed ? dot(w, v) : dot(u, w)
                // The rounding of x + t v, as in vjp and jvp: Σ |x_j| |(Jᵀu)_j| from the VJP's own
                // values; for a JVP |⟨u, J v⟩| / min |v_j| stands in for Σ |∂g/∂x_j|.
                let abscissa = transposed
                    ? result.epsilon * zip(x, w).reduce(0) { $0 + abs(Double($1.0)) * abs(Double($1.1)) }
                    : result.epsilon * xMax * abs(claimed) * 2
                let quantity = transposed ? "⟨u\(j), J v\(j)⟩ = ⟨vjp(x, u\(j)), v\(j)⟩" : "⟨u\(j), J v\(j)⟩ = ⟨u\(j), jvp(x, v\(j))⟩"
                let entry = directionEntry(of: F, at: x, Fx: Fx, u: u, v: v, claimed: claimed, quantity: quantity, abscissa: abscissa, judge)
                result.evaluations += entry.evaluations
                result.entries.append(entry)
            }
        }
        // The unit products read so far, by the unit vector's index (k for a VJP, i for a JVP).
        var units: [Int: [T]] = [:]
        let sampled = sampledEntries(of: F, at: x, Fx: Fx, judge, options, &generator) { k, i -> Result<Double, Problem> in
            let (unit, index) = transposed ? (k, i) : (i, k)
            if let known = units[unit] { return .success(Double(known[index])) }
            var e = [T](repeating: 0, count: inLength)
            e[unit] = 1
            return claimedValues(name: name, count: outLength, { try product(e) }).map { values in
                units[unit] = values
                return Double(values[index])
            }
        }
        return appended(sampled, to: result)
    }

    /// `fastSamples` random entries `∂F_k/∂x_i` (distinct, in row order) against the references
    /// along the coordinate lines; `claimed` may fail (a VJP or JVP that throws).
    static func sampledEntries<T: BinaryFloatingPoint>(
        of F: ([T]) throws -> [T], at x: [T], Fx: [Double], _ judge: Judge, _ options: DerivativeCheckOptions,
        _ generator: inout SplitMix64, claimed: (Int, Int) -> Result<Double, Problem>
    ) -> Result<(entries: [EntryCheck], evaluations: Int), Problem> {
        let m = Fx.count, n = x.count
        var entries: [EntryCheck] = []
        var evaluations = 0
        var p = x
        for flat in sampleIndices(options.fastSamples, of: m * n, &generator) {
            let k = flat / n, i = flat % n
            let value: Double
            switch claimed(k, i) {
            case .failure(let problem): return .failure(problem)
            case .success(let v): value = v
            }
            let entry = judge.entry(
                quantity: "∂\(outputName(k, options, m))/∂\(inputName(i, options, n))", output: k, input: i,
                claimed: value, at: Double(x[i]), fx: Fx[k]
            ) { t in
                p[i] = T(t)
                let y = try F(p)
                return k < y.count ? Double(y[k]) : .nan
            }
            p[i] = x[i]
            evaluations += entry.evaluations
            entries.append(entry)
        }
        return .success((entries, evaluations))
    }

    static func appended(
        _ sampled: Result<(entries: [EntryCheck], evaluations: Int), Problem>, to start: DerivativeCheckResult
    ) -> DerivativeCheckResult {
        var result = start
        switch sampled {
        case .failure(let problem): result.problem = problem.text
        case .success(let (entries, evaluations)):
            result.entries += entries
            result.evaluations += evaluations
        }
        return result
    }

    // MARK: Randomness

    /// Fast mode's directions, pairs and samples: seeded by `seed`, on a stream apart from the
    /// first pair's (`randomPair(_:_:seed:)`).
    static func fastGenerator(_ seed: UInt64) -> SplitMix64 { SplitMix64(seed: seed ^ 0xFA57_C4EC_0000_0000) }

    /// Non-unit `u` (m) and `v` (n) from `generator`, as `randomPair(_:_:seed:)`.
    static func randomPair<T: BinaryFloatingPoint>(_ m: Int, _ n: Int, _ generator: inout SplitMix64) -> ([T], [T]) {
        let u = (0..<m).map { _ in T(generator.nonUnit()) }
        let v = (0..<n).map { _ in T(generator.nonUnit()) }
        return (u, v)
    }

    /// `count` distinct indices of `0..<n`, sorted; all of them when `count >= n`.
    static func sampleIndices(_ count: Int, of n: Int, _ generator: inout SplitMix64) -> [Int] {
        guard count < n else { return Array(0..<n) }
        var chosen = Set<Int>()
        while chosen.count < count { chosen.insert(Int(generator.next() % UInt64(n))) }
        return chosen.sorted()
    }
}
