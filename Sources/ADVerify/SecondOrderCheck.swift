// A user's second derivatives — a Hessian-vector product closure or a Hessian closure — checked
// against references that do not trust them: differences of the user's gradient (checked first,
// on its own), second differences of f (no derivative at all), and the symmetry every Hessian has.
import ADNumeric
import Foundation

extension DerivativeCheck {
    /// Checks a Hessian-vector product `hvp(x, v) = ∇²f(x) v` of `f` at `x`:
    /// ```
    /// 1. gradient(x) against f, partial by partial (the references below difference it)
    /// 2. ⟨u, hvp(x, v)⟩ against d/dt ⟨u, gradient(x + t v)⟩ at t = 0   (u, v seeded, non-unit),
    ///    and when n² <= fullJacobianLimit every hvp(x, e_i)_k against ∂gradient_k/∂x_i
    /// 3. ⟨u, hvp(x, v)⟩ against ⟨hvp(x, u), v⟩                        (a Hessian is symmetric)
    /// 4. ⟨u, hvp(x, v)⟩ against second differences d²/ds dt f(x + s u + t v)   (f only)
    /// ```
    /// A gradient that fails step 1 fails the check (it is wrong, and nothing can be differenced
    /// from it); one that step 1 cannot decide makes the check inconclusive. Above
    /// `fastThreshold` (n²) step 2 checks random directions and a sample of entries (`CheckMode`).
    public static func hvp<T: BinaryFloatingPoint>(
        of f: ([T]) throws -> T, gradient: ([T]) throws -> [T], hvp: ([T], [T]) throws -> [T], at x: [T],
        options: DerivativeCheckOptions = .init()
    ) -> DerivativeCheckResult {
        let first = self.gradient(of: f, gradient: gradient, at: x, options: options)
        if let stop = gradientGate(first, .hvp, x, options) { return stop }
        var result = jvp(of: gradient, jvp: hvp, at: x, options: options)
        result.kind = .hvp
        result.evaluations += first.evaluations
        renameSecondOrder(&result, options, x.count)
        if result.problem != nil { return finished(result) }
        // The inner product's own u and v, so every ⟨u, ∇²f v⟩ entry claims the same number.
        let (u, v): ([T], [T]) = (result.cotangent ?? []).count == x.count && (result.tangent ?? []).count == x.count
            ? ((result.cotangent ?? []).map { T($0) }, (result.tangent ?? []).map { T($0) })
            : randomPair(x.count, x.count, seed: options.seed)
        let hu: [T], hv: [T]
        switch (claimedValues(name: "the HVP", count: x.count, { try hvp(x, u) }), claimedValues(name: "the HVP", count: x.count, { try hvp(x, v) })) {
        case (.failure(let problem), _), (_, .failure(let problem)): return finished(result, problem: problem.text)
        case (.success(let a), .success(let b)): (hu, hv) = (a, b)
        }
        result.entries.append(symmetryEntry(
            quantity: "⟨u, hvp(x, v)⟩ = ⟨hvp(x, u), v⟩ (symmetry)", dot(u, hv), dot(hu, v),
            terms: zip(u, hv).reduce(0) { $0 + abs(Double($1.0) * Double($1.1)) } + zip(hu, v).reduce(0) { $0 + abs(Double($1.0) * Double($1.1)) },
            epsilon: result.epsilon, n: x.count,
            wrong: "your HVP is not symmetric: a Hessian is, so hvp(x, v) or hvp(x, u) is wrong"))
        result.entries.append(secondDifferenceEntry(of: f, at: x, u: u, v: v, claimed: dot(u, hv), options: options, epsilon: result.epsilon))
        result.evaluations += result.entries.last?.evaluations ?? 0
        return finished(result)
    }

    /// Checks a Hessian closure `hessian(x)[i][j] = ∂²f/∂x_i∂x_j` of `f` at `x`: the gradient
    /// first (as for `hvp(of:gradient:hvp:at:options:)`), then every entry `hessian(x)[k][i]`
    /// against `∂gradient_k/∂x_i` by the references (random directions and a sample above
    /// `fastThreshold`), the symmetry `H = Hᵀ` (the worst pair), and `uᵀ H v` against second
    /// differences of f.
    public static func hessian<T: BinaryFloatingPoint>(
        of f: ([T]) throws -> T, gradient: ([T]) throws -> [T], hessian: ([T]) throws -> [[T]], at x: [T],
        options: DerivativeCheckOptions = .init()
    ) -> DerivativeCheckResult {
        let first = self.gradient(of: f, gradient: gradient, at: x, options: options)
        if let stop = gradientGate(first, .hessian, x, options) { return stop }
        let n = x.count
        var H: [[T]] = []
        do {
            let a = try hessian(x), b = try hessian(x)
            guard a.count == b.count, zip(a, b).allSatisfy({ r in r.0.count == r.1.count && zip(r.0, r.1).allSatisfy { Double($0).bitPattern == Double($1).bitPattern } }) else {
                var r = emptyResult(.hessian, x, T.self, options)
                r.evaluations = first.evaluations
                return finished(r, problem: "the Hessian function is not deterministic: two calls at the same point returned different values")
            }
            H = a
        } catch {
            var r = emptyResult(.hessian, x, T.self, options)
            r.evaluations = first.evaluations
            return finished(r, problem: "the Hessian function throws at the point: \(error)")
        }
        if let shape = shapeProblem(H, rows: n, columns: n) {
            var r = emptyResult(.hessian, x, T.self, options)
            r.evaluations = first.evaluations
            return finished(r, problem: shape.replacingOccurrences(of: "Jacobian", with: "Hessian").replacingOccurrences(of: "outputs", with: "inputs"))
        }
        var result = jacobian(of: gradient, claimed: H, at: x, options: options)
        result.kind = .hessian
        result.evaluations += first.evaluations
        renameSecondOrder(&result, options, n)
        if result.problem != nil { return finished(result) }
        // The worst asymmetric pair.
        var worst: (i: Int, j: Int, gap: Double, scale: Double) = (0, 0, -1, 0)
        for i in 0..<n {
            for j in (i + 1)..<Swift.max(n, i + 1) {
                let a = Double(H[i][j]), b = Double(H[j][i])
                let gap = a == b ? 0 : abs(a - b)
                if !(gap <= worst.gap) { worst = (i, j, gap, Swift.max(abs(a), abs(b))) }
            }
        }
        if n > 1 {
            let (i, j) = (worst.i, worst.j)
            result.entries.append(symmetryEntry(
                quantity: "hessian[\(i)][\(j)] = hessian[\(j)][\(i)] (symmetry, the worst pair)", Double(H[i][j]), Double(H[j][i]),
                terms: worst.scale, epsilon: result.epsilon, n: n,
                wrong: "your Hessian is not symmetric: ∂²f/∂\(inputName(i, options, n))∂\(inputName(j, options, n)) must equal ∂²f/∂\(inputName(j, options, n))∂\(inputName(i, options, n))"))
        }
        let (u, v): ([T], [T]) = randomPair(n, n, seed: options.seed)
        result.cotangent = u.map { Double($0) }
        result.tangent = v.map { Double($0) }
        let uHv = (0..<n).reduce(0.0) { s, k in s + Double(u[k]) * (0..<n).reduce(0.0) { $0 + Double(H[k][$1]) * Double(v[$1]) } }
        result.entries.append(secondDifferenceEntry(of: f, at: x, u: u, v: v, claimed: uHv, options: options, epsilon: result.epsilon))
        result.evaluations += result.entries.last?.evaluations ?? 0
        return finished(result)
    }

    // MARK: Steps

    /// The second-order check stopped at its gradient: failed (the gradient is wrong) or
    /// inconclusive (nobody could tell); `nil` when the gradient passed.
    static func gradientGate<T: BinaryFloatingPoint>(
        _ first: DerivativeCheckResult, _ kind: DerivativeCheckResult.Kind, _ x: [T], _ options: DerivativeCheckOptions
    ) -> DerivativeCheckResult? {
        var result = emptyResult(kind, x, T.self, options)
        result.evaluations = first.evaluations
        result.entries = first.entries
        switch first.verdict {
        case .pass:
            return nil
        case .fail:
            let why = first.problem ?? "\(first.failures.count) of its partials \(first.failures.count == 1 ? "is" : "are") wrong"
            return finished(result, problem: "your gradient function fails its own check, so the second derivatives cannot be differenced from it: \(why)")
        case .inconclusive(let reason):
            result.verdict = .inconclusive(reason: "the gradient function could not be confirmed (\(reason)): second derivatives differenced from it would prove nothing")
            return result
        }
    }

    /// `∂F[k]/∂x[i]` → `∂²f/∂x[k]∂x[i]`, `J` → `∇²f`, `jvp(` → `hvp(` in every entry and check.
    static func renameSecondOrder(_ result: inout DerivativeCheckResult, _ options: DerivativeCheckOptions, _ n: Int) {
        for e in result.entries.indices {
            var q = result.entries[e].quantity
            if let k = result.entries[e].output, let i = result.entries[e].input {
                let a = inputName(k, options, n), b = inputName(i, options, n)
                q = k == i ? "∂²f/∂\(a)²" : "∂²f/∂\(a)∂\(b)"
            } else {
                q = q.replacingOccurrences(of: "J v", with: "∇²f v").replacingOccurrences(of: "jvp(", with: "hvp(")
            }
            result.entries[e].quantity = q
            for c in result.entries[e].checks.indices { result.entries[e].checks[c].quantity = q }
        }
        result.problem = result.problem?
            .replacingOccurrences(of: "the JVP", with: "the HVP").replacingOccurrences(of: "F throws", with: "the gradient function throws")
            .replacingOccurrences(of: "F is not deterministic", with: "the gradient function is not deterministic")
    }

    /// Two numbers that a symmetric Hessian makes equal, computed from the user's closures in
    /// their precision: equal within `64 eps max(terms, 1e-300) sqrt(n)` (the rounding of sums of n products).
    static func symmetryEntry(quantity: String, _ a: Double, _ b: Double, terms: Double, epsilon: Double, n: Int, wrong: String) -> EntryCheck {
        let budget = 64 * epsilon * Swift.max(terms, Swift.max(abs(a), abs(b))) * Swift.max(1, Double(n).squareRoot())
        let agree = a == b || (a.isFinite && b.isFinite && abs(a - b) <= budget)
        let comparison = Comparison(verdict: agree ? .pass : .fail, value: a, reference: b, budget: budget, method: "symmetry")
        return EntryCheck(
            quantity: quantity, output: nil, input: nil, claimed: a,
            checks: [Check(quantity: quantity, kind: .symmetry, comparison: comparison)],
            verdict: comparison.verdict, evaluations: 0,
            finding: agree ? "pass" : "\(wrong) (\(format(a)) against \(format(b)), difference \(short(abs(a - b), digits: 4)))")
    }

    /// `uᵀ ∇²f v` against second differences of f along u and v (central and Richardson), in f's
    /// own precision: a reference that uses no derivative of the user's.
    static func secondDifferenceEntry<T: BinaryFloatingPoint>(
        of f: ([T]) throws -> T, at x: [T], u: [T], v: [T], claimed: Double, options: DerivativeCheckOptions, epsilon: Double
    ) -> EntryCheck {
        var p = x
        func g(_ s: Double, _ t: Double) throws -> Double {
            for k in p.indices { p[k] = x[k] + T(s) * u[k] + T(t) * v[k] }
            return Double(try f(p))
        }
        let scale = x.reduce(1.0) { Swift.max($0, abs(Double($1))) }
        let fx = (try? g(0, 0)) ?? 0
        var tolerance = options.tolerance
        tolerance.safetyFactor *= options.toleranceFactor
        let quantity = "⟨u, ∇²f v⟩ by second differences of f"
        var checks: [Check] = []
        var evaluations = 0
        for method in [DifferenceMethod.secondCentral, .secondRichardson] {
            let estimate = secondDifference(
                of: g, diagonal: false, scale: scale, method: method, epsilon: epsilon,
                evaluationError: epsilon > Double.ulpOfOne ? 2 * epsilon * abs(fx) : 0)
            evaluations += estimate.evaluations
            // The claimed value was rounded to T as well.
            let spread = epsilon > Double.ulpOfOne && claimed.isFinite ? 2 * epsilon * abs(claimed) : 0
            checks.append(Check(quantity: quantity, kind: .oracle, comparison: tolerance.compare(claimed, with: estimate, adSpread: spread)))
        }
        let judge = Judge(options: options, epsilon: epsilon)
        let (verdict, finding) = judge.decide(claimed, checks.map(\.comparison))
        return EntryCheck(
            quantity: quantity, output: nil, input: nil, claimed: claimed, checks: checks, verdict: verdict,
            evaluations: evaluations, finding: finding)
    }
}
