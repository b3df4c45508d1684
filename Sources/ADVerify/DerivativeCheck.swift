// Judges derivatives someone wrote by hand, given as closures: the engine ADCheck calls.
// A client of the `ReferenceEngine` the catalogue runner uses (ReferenceEngine.swift).
import ADCatalog
import Foundation

/// How `DerivativeCheck` runs. Every field has a default; the result records the options used.
public struct DerivativeCheckOptions: Codable, Sendable, Hashable {
    /// Seeds the random non-unit cotangents and tangents of the VJP and JVP checks (SplitMix64),
    /// so a failing check is reproduced by the same seed.
    public var seed: UInt64
    /// The references, cheapest first. The first one settles an entry when it passes with a
    /// budget within `resolution`; otherwise (inconclusive, failing, or too coarse) the others
    /// run too, and the first one's comparison is judged with theirs. `.complexStep` is skipped:
    /// a closure over real numbers has no complex extension.
    public var oracles: [DifferenceMethod]
    /// The comparison of a claimed value with each reference (see `OracleTolerance`).
    public var tolerance: OracleTolerance
    /// Multiplies the tolerance's safety factor: 2 lets every reference's error estimate be
    /// twice as wrong before a difference counts. Each budget still comes from its reference.
    public var toleranceFactor: Double
    /// The relative budget below which the first reference's pass settles an entry; `nil`: the
    /// default for the function's precision, `max(1e-7, 100 eps)` (Double 1e-7, Float 1.2e-5).
    public var resolution: Double?
    /// Names of the inputs for messages (`∂f/∂w`); `nil` or the wrong count: `x[0]`, `x[1]`, ...
    public var inputNames: [String]?
    /// Names of the outputs of a vector function for messages; `nil`: `F[0]`, `F[1]`, ...
    public var outputNames: [String]?
    /// A VJP or JVP is also checked entry by entry (the whole Jacobian, through unit
    /// cotangents or tangents) when `inputs * outputs` is at most this.
    public var fullJacobianLimit: Int
    /// Every entry (`.full`), random directions and a sample of entries (`.fast`), or full up to
    /// `fastThreshold` and fast above (`.automatic`, the default); see `CheckMode`.
    public var mode: CheckMode
    /// `.automatic` runs the fast mode when the inputs of a gradient, or inputs × outputs of a
    /// Jacobian, VJP or JVP, are more than this.
    public var fastThreshold: Int
    /// Fast mode: how many seeded random directions (gradient) or cotangent-tangent pairs
    /// (Jacobian, VJP, JVP) are checked.
    public var fastDirections: Int
    /// Fast mode: how many seeded random partials (Jacobian entries) are checked one by one.
    public var fastSamples: Int

    public init(
        seed: UInt64 = 0x5EED_AD, oracles: [DifferenceMethod] = DerivativeCheckOptions.cheapestFirst,
        tolerance: OracleTolerance = .default, toleranceFactor: Double = 1, resolution: Double? = nil,
        inputNames: [String]? = nil, outputNames: [String]? = nil, fullJacobianLimit: Int = 64,
        mode: CheckMode = .automatic, fastThreshold: Int = 1000, fastDirections: Int = 4, fastSamples: Int = 8
    ) {
        self.mode = mode
        self.fastThreshold = fastThreshold
        self.fastDirections = fastDirections
        self.fastSamples = fastSamples
        self.seed = seed
        self.oracles = oracles
        self.tolerance = tolerance
        self.toleranceFactor = toleranceFactor
        self.resolution = resolution
        self.inputNames = inputNames
        self.outputNames = outputNames
        self.fullJacobianLimit = fullJacobianLimit
    }

    /// What is wrong with these options, if anything: a check with them cannot judge anything.
    public var problem: String? {
        if !toleranceFactor.isFinite || toleranceFactor <= 0 { return "options: the tolerance factor \(toleranceFactor) is not a positive number" }
        if let r = resolution, !(r >= 0) { return "options: the resolution \(r) is not a non-negative number" }
        if !oracles.contains(where: { $0 != .complexStep }) { return "options: no reference to run (the complex step needs a complex function)" }
        if fastDirections < 1 || fastSamples < 0 { return "options: fast mode needs at least 1 direction and no negative sample count (\(fastDirections), \(fastSamples))" }
        return nil
    }

    /// The 4-point central rule (4 evaluations with f(x) known: `fourPointCentralDifference`),
    /// then central differences with their step-sweep error estimate (13), GSL central, 5-point
    /// and Richardson.
    public static let cheapestFirst: [DifferenceMethod] = [.fourPointCentral, .central, .gslCentral, .fivePoint, .richardson]
}

/// The check of one claimed derivative: a partial, a Jacobian entry, or an inner product.
public struct EntryCheck: Codable, Sendable {
    /// `∂f/∂x[2]`, `∂F[1]/∂w`, `⟨u, J v⟩`.
    public var quantity: String
    /// The output and input of a Jacobian entry (output 0 for a gradient); `nil` for an inner product.
    public var output: Int?
    public var input: Int?
    /// The value under test: the user's partial, or the inner product computed from their VJP/JVP.
    public var claimed: Double
    /// One check per reference that ran, in the order they ran.
    public var checks: [Check]
    /// pass, fail, or inconclusive; see `DerivativeCheck`.
    public var verdict: Verdict
    /// Evaluations of the user's function spent on this entry.
    public var evaluations: Int
    /// Who is wrong, e.g. `the references agree with each other and your value is off by 0.0018`.
    public var finding: String

    /// The sentence a person reads first, e.g. `∂f/∂x[2]: yours 0.14204, central difference
    /// 0.1402443832 ± 3e-9, GSL central 0.1402443831 ± 2e-10: the references agree with each
    /// other and your value is off by 0.0018`.
    public var message: String {
        var parts: [String] = []
        var inconclusive = 0
        for check in checks {
            let c = check.comparison
            if c.verdict.isInconclusive {
                inconclusive += 1
            } else {
                parts.append("\(DerivativeCheck.displayName(c.method)) \(format(c.reference)) ± \(DerivativeCheck.short(c.budget))")
            }
        }
        if inconclusive > 0 { parts.append("\(inconclusive) inconclusive") }
        if parts.isEmpty { return "\(quantity): yours \(format(claimed)): " + finding }
        return "\(quantity): yours \(format(claimed)), " + parts.joined(separator: ", ") + ": " + finding
    }
}

/// What `DerivativeCheck` found about one claimed derivative (a gradient, a Jacobian, a VJP or
/// a JVP) at one point. `ADCheck.CheckResult` is this type.
public struct DerivativeCheckResult: Codable, Sendable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable {
        case gradient, jacobian, vjp, jvp
        /// A scalar function's derivative `f'(x)` (ADCheck checks it as a gradient of one entry).
        case derivative
        /// A Hessian-vector product closure (`DerivativeCheck.hvp(of:gradient:hvp:at:options:)`).
        case hvp
        /// A Hessian closure (`DerivativeCheck.hessian(of:gradient:hessian:at:options:)`).
        case hessian
    }

    public var kind: Kind
    /// The point, converted to Double.
    public var point: [Double]
    /// `Double`, `Float`, ...: the type the function computes in.
    public var precision: String
    /// That type's unit round-off, which set the references' steps and round-off terms.
    public var epsilon: Double
    /// Why nothing (or not everything) could be checked: a claimed derivative of the wrong
    /// length, a function that throws, is not finite or not deterministic at the point.
    /// A problem makes the verdict `fail`: a test must not pass on a derivative nobody checked.
    public var problem: String?
    /// The entries checked: every partial, or every Jacobian entry, and for a VJP or JVP the
    /// inner product `⟨u, J v⟩` first.
    public var entries: [EntryCheck]
    /// fail if there is a problem or an entry fails; pass if an entry passes; else inconclusive.
    public var verdict: Verdict
    /// Evaluations of the user's function in all (the references' and the checks of the point).
    public var evaluations: Int
    /// The random cotangent `u` and tangent `v` of a VJP or JVP check.
    public var cotangent: [Double]?
    public var tangent: [Double]?
    public var options: DerivativeCheckOptions
    /// The mode that ran: `.full` or `.fast` (never `.automatic`).
    public var mode: CheckMode

    /// The entries that failed.
    public var failures: [EntryCheck] { entries.filter { $0.verdict == .fail } }

    /// The sentence a person reads first, then one line per failing entry (or, when nothing
    /// failed, per inconclusive entry).
    public var description: String {
        let what = "\(kind.rawValue) check (\(precision), \(mode == .fast ? "fast, " : "")\(entries.count) entries, \(evaluations) evaluations)"
        var lines: [String]
        switch verdict {
        case .pass: lines = ["\(what): pass"]
        case .fail: lines = ["\(what): FAIL" + (failures.isEmpty ? "" : ", \(failures.count) wrong")]
        case .inconclusive(let reason): lines = ["\(what): inconclusive: \(reason)"]
        }
        if let problem { lines.append(problem) }
        let shown = verdict == .fail ? failures : entries.filter { $0.verdict.isInconclusive }
        lines += shown.map(\.message)
        return lines.joined(separator: "\n")
    }
}

/// The engine that checks a derivative given as closures against the numerical references.
///
/// Each claimed entry is a derivative along a line, `d/dt g(t)`, where
/// ```
/// partial ∂f/∂x_i:          g(t) = f(x + (t - x_i) e_i)     at t = x_i
/// Jacobian entry ∂F_k/∂x_i: g(t) = F_k(x + (t - x_i) e_i)   at t = x_i
/// VJP:  ⟨vjp(x, u), v⟩  against  g(t) = ⟨u, F(x + t v)⟩     at t = 0
/// JVP:  ⟨u, jvp(x, v)⟩  against  the same g
/// ```
/// with `u`, `v` seeded random non-unit vectors (entries of magnitude 0.5 to 1.5, random signs),
/// so a VJP that ignores its cotangent's scale, or adds a constant, cannot pass by luck of a
/// cotangent of ones. Each reference is judged by `OracleTolerance.compare` with its own error
/// budget, as in the catalogue.
///
/// Cheapest conclusive first: the first reference (the 4-point central rule, 4 evaluations of f per
/// partial) decides alone when it passes within `resolution`; otherwise every reference runs, and
/// the entry's verdict is
/// - inconclusive when no reference is conclusive, or when two conclusive references disagree
///   with each other (`|r_a - r_b| > budget_a + budget_b`): then nobody can tell who is wrong;
/// - fail when a conclusive reference fails and the conclusive references agree with each other:
///   the claimed value is wrong;
/// - pass otherwise.
///
/// Large inputs: above `fastThreshold` inputs (inputs × outputs) the default `.automatic` mode
/// checks seeded random directions (pairs), a sample of entries and, for a gradient, the Taylor
/// slope instead of every entry, at a cost that does not grow with n; see `CheckMode`.
///
/// Precision: a function over `T: BinaryFloatingPoint` is evaluated through a Double closure,
/// but its values are rounded to `T`: `T.ulpOfOne` sets the references' steps and round-off
/// terms (`epsilon` in ADNumeric), GSL's budget gets `2 eps |f(x)|` per value of f added through
/// `evaluationError`, and the claimed value carries `2 eps |claimed|` of its own rounding.
public enum DerivativeCheck {
    // MARK: Gradients

    /// Checks a claimed gradient `g` of `f` at `x`, partial by partial.
    public static func gradient<T: BinaryFloatingPoint>(
        of f: ([T]) throws -> T, claimed g: [T], at x: [T], options: DerivativeCheckOptions = .init()
    ) -> DerivativeCheckResult {
        var result = emptyResult(.gradient, x, T.self, options)
        if let problem = options.problem { return finished(result, problem: problem) }
        guard g.count == x.count else {
            return finished(result, problem: "the gradient has \(g.count) entries for \(x.count) inputs")
        }
        let fx: Double
        switch pointValue(of: { try Double(f(x)) }, name: "f") {
        case .failure(let problem): return finished(result, problem: problem.text, evaluations: problem.evaluations)
        case .success(let value): fx = value
        }
        result.evaluations = 2
        let judge = Judge(options: options, epsilon: result.epsilon)
        if options.runsFast(size: x.count) {
            return finished(fastGradient(of: f, claimed: g, at: x, fx: fx, judge, result))
        }
        var p = x
        for i in x.indices {
            let xi = x[i]
            let entry = judge.entry(
                quantity: "∂f/∂\(inputName(i, options, x.count))", output: 0, input: i, claimed: Double(g[i]),
                at: Double(xi), fx: fx, abscissaError: abscissaError(T.self, at: Double(xi), slope: Double(g[i]))
            ) { t in
                p[i] = T(t)
                return try Double(f(p))
            }
            p[i] = xi
            result.evaluations += entry.evaluations
            result.entries.append(entry)
        }
        return finished(result)
    }

    /// Checks the gradient function `gradient` of `f` at `x`: calls it (twice, to see that it is
    /// deterministic) and checks its values with `gradient(of:claimed:at:options:)`.
    public static func gradient<T: BinaryFloatingPoint>(
        of f: ([T]) throws -> T, gradient: ([T]) throws -> [T], at x: [T], options: DerivativeCheckOptions = .init()
    ) -> DerivativeCheckResult {
        switch claimedValues(name: "the gradient function", { try gradient(x) }) {
        case .failure(let problem):
            return finished(emptyResult(.gradient, x, T.self, options), problem: problem.text)
        case .success(let g):
            return self.gradient(of: f, claimed: g, at: x, options: options)
        }
    }

    // MARK: Jacobians, VJPs, JVPs

    /// Checks a claimed Jacobian `J` of `F` at `x`, entry by entry; `J[k][i] = ∂F_k/∂x_i` (rows
    /// follow outputs). F's values are shared by the outputs of a column (see `jacobianEntries`).
    public static func jacobian<T: BinaryFloatingPoint>(
        of F: ([T]) throws -> [T], claimed J: [[T]], at x: [T], options: DerivativeCheckOptions = .init()
    ) -> DerivativeCheckResult {
        var result = emptyResult(.jacobian, x, T.self, options)
        if let problem = options.problem { return finished(result, problem: problem) }
        let Fx: [Double]
        switch vectorValue(of: F, at: x) {
        case .failure(let problem): return finished(result, problem: problem.text, evaluations: problem.evaluations)
        case .success(let value): Fx = value
        }
        result.evaluations = 2
        if let shape = shapeProblem(J, rows: Fx.count, columns: x.count) { return finished(result, problem: shape) }
        let judge = Judge(options: options, epsilon: result.epsilon)
        if options.runsFast(size: x.count * Fx.count) {
            return finished(fastJacobian(of: F, claimed: J, at: x, Fx: Fx, judge, result))
        }
        let (entries, calls) = jacobianEntries(of: F, at: x, Fx: Fx, claimed: { k, i in Double(J[k][i]) }, judge, options)
        result.entries = entries
        result.evaluations += calls
        return finished(result)
    }

    /// Checks a vector-Jacobian product `vjp(x, u) = Jᵀu` of `F` at `x`.
    ///
    /// ```
    /// ⟨vjp(x, u), v⟩  against  d/dt ⟨u, F(x + t v)⟩ at t = 0      (u, v seeded, non-unit)
    /// ```
    /// and, when `m * n <= fullJacobianLimit`, every entry `vjp(x, e_k)_i` against `∂F_k/∂x_i`.
    /// A VJP that throws, returns the wrong length or differs between two calls is a problem.
    public static func vjp<T: BinaryFloatingPoint>(
        of F: ([T]) throws -> [T], vjp: ([T], [T]) throws -> [T], at x: [T], options: DerivativeCheckOptions = .init()
    ) -> DerivativeCheckResult {
        var result = emptyResult(.vjp, x, T.self, options)
        if let problem = options.problem { return finished(result, problem: problem) }
        let Fx: [Double]
        switch vectorValue(of: F, at: x) {
        case .failure(let problem): return finished(result, problem: problem.text, evaluations: problem.evaluations)
        case .success(let value): Fx = value
        }
        result.evaluations = 2
        let n = x.count, m = Fx.count
        let (u, v): ([T], [T]) = randomPair(m, n, seed: options.seed)
        result.cotangent = u.map { Double($0) }
        result.tangent = v.map { Double($0) }
        let w: [T]
        switch claimedValues(name: "the VJP", count: n, { try vjp(x, u) }) {
        case .failure(let problem): return finished(result, problem: problem.text)
        case .success(let values): w = values
        }
        let judge = Judge(options: options, epsilon: result.epsilon)
        let claimed = dot(w, v)
        // x + t v is rounded (to T) at every point of the line: an error in each value of g of
        // about eps Σ |x_j| |∂g/∂x_j|, with ∂g/∂x = Jᵀu estimated by the VJP's own values.
        let abscissa = result.epsilon * zip(x, w).reduce(0) { $0 + abs(Double($1.0)) * abs(Double($1.1)) }
        let inner = directionEntry(
            of: F, at: x, Fx: Fx, u: u, v: v, claimed: claimed, quantity: "⟨u, J v⟩ = ⟨vjp(x, u), v⟩", abscissa: abscissa, judge)
        result.evaluations += inner.evaluations
        result.entries.append(inner)
        if options.runsFast(size: m * n) { return finished(fastVJP(of: F, vjp: vjp, at: x, Fx: Fx, judge, result)) }
        guard m * n <= options.fullJacobianLimit else { return finished(result) }
        var rows: [[T]] = []
        for k in 0..<m {
            var e = [T](repeating: 0, count: m)
            e[k] = 1
            switch claimedValues(name: "the VJP", count: n, { try vjp(x, e) }) {
            case .failure(let problem): return finished(result, problem: problem.text)
            case .success(let values): rows.append(values)
            }
        }
        let (entries, calls) = jacobianEntries(of: F, at: x, Fx: Fx, claimed: { k, i in Double(rows[k][i]) }, judge, options)
        result.entries += entries
        result.evaluations += calls
        return finished(result)
    }

    /// Checks a Jacobian-vector product `jvp(x, v) = J v` of `F` at `x`.
    ///
    /// ```
    /// ⟨u, jvp(x, v)⟩  against  d/dt ⟨u, F(x + t v)⟩ at t = 0      (u, v seeded, non-unit)
    /// ```
    /// and, when `m * n <= fullJacobianLimit`, every entry `jvp(x, e_i)_k` against `∂F_k/∂x_i`.
    public static func jvp<T: BinaryFloatingPoint>(
        of F: ([T]) throws -> [T], jvp: ([T], [T]) throws -> [T], at x: [T], options: DerivativeCheckOptions = .init()
    ) -> DerivativeCheckResult {
        var result = emptyResult(.jvp, x, T.self, options)
        if let problem = options.problem { return finished(result, problem: problem) }
        let Fx: [Double]
        switch vectorValue(of: F, at: x) {
        case .failure(let problem): return finished(result, problem: problem.text, evaluations: problem.evaluations)
        case .success(let value): Fx = value
        }
        result.evaluations = 2
        let n = x.count, m = Fx.count
        let (u, v): ([T], [T]) = randomPair(m, n, seed: options.seed)
        result.cotangent = u.map { Double($0) }
        result.tangent = v.map { Double($0) }
        let jv: [T]
        switch claimedValues(name: "the JVP", count: m, { try jvp(x, v) }) {
        case .failure(let problem): return finished(result, problem: problem.text)
        case .success(let values): jv = values
        }
        let judge = Judge(options: options, epsilon: result.epsilon)
        let claimed = dot(u, jv)
        // The columns the full check reads give ∂g/∂x = Jᵀu for the abscissa rounding (see vjp);
        // without them, |⟨u, J v⟩| / min |v_j| (|v_j| >= 0.5) stands in for Σ |∂g/∂x_j|.
        var columns: [[T]] = []
        let fast = options.runsFast(size: m * n)
        if m * n <= options.fullJacobianLimit, !fast {
            for i in 0..<n {
                var e = [T](repeating: 0, count: n)
                e[i] = 1
                switch claimedValues(name: "the JVP", count: m, { try jvp(x, e) }) {
                case .failure(let problem): return finished(result, problem: problem.text)
                case .success(let values): columns.append(values)
                }
            }
        }
        let xMax = x.reduce(0.0) { Swift.max($0, abs(Double($1))) }
        let abscissa = columns.isEmpty
            ? result.epsilon * xMax * abs(claimed) * 2
            : result.epsilon * zip(x, columns).reduce(0) { $0 + abs(Double($1.0)) * abs(dot(u, $1.1)) }
        let inner = directionEntry(
            of: F, at: x, Fx: Fx, u: u, v: v, claimed: claimed, quantity: "⟨u, J v⟩ = ⟨u, jvp(x, v)⟩", abscissa: abscissa, judge)
        result.evaluations += inner.evaluations
        result.entries.append(inner)
        if fast { return finished(fastJVP(of: F, jvp: jvp, at: x, Fx: Fx, judge, result)) }
        if !columns.isEmpty {
            let (entries, calls) = jacobianEntries(of: F, at: x, Fx: Fx, claimed: { k, i in Double(columns[i][k]) }, judge, options)
            result.entries += entries
            result.evaluations += calls
        }
        return finished(result)
    }

    // MARK: Names

    /// How a reference is named in messages.
    public static func displayName(_ method: String) -> String {
        switch DifferenceMethod(rawValue: method) {
        case .central: "central difference"
        case .fourPointCentral: "4-point central"
        case .fivePoint: "5-point"
        case .richardson: "Richardson"
        case .gslCentral: "GSL central"
        case .gslForward: "GSL forward"
        case .gslBackward: "GSL backward"
        case .forward: "forward difference"
        case .backward: "backward difference"
        case .complexStep: "complex step"
        case .secondCentral: "second difference"
        case .secondRichardson: "second-difference Richardson"
        case nil: method
        }
    }

    /// A budget or a difference for a message: `digits` significant digits (`3e-09`, `0.0018`).
    static func short(_ x: Double, digits: Int = 2) -> String {
        guard x.isFinite else { return format(x) }
        return String(format: "%.\(digits)g", x)
    }

    static func inputName(_ i: Int, _ options: DerivativeCheckOptions, _ n: Int) -> String {
        if let names = options.inputNames, names.count == n { return names[i] }
        return "x[\(i)]"
    }

    static func outputName(_ k: Int, _ options: DerivativeCheckOptions, _ m: Int) -> String {
        if let names = options.outputNames, names.count == m { return names[k] }
        return "F[\(k)]"
    }

    // MARK: Shared steps

    static func emptyResult<T: BinaryFloatingPoint>(
        _ kind: DerivativeCheckResult.Kind, _ x: [T], _: T.Type, _ options: DerivativeCheckOptions
    ) -> DerivativeCheckResult {
        DerivativeCheckResult(
            kind: kind, point: x.map { Double($0) }, precision: String(describing: T.self),
            epsilon: Double(T.ulpOfOne), problem: nil, entries: [], verdict: .inconclusive(reason: "nothing checked"),
            evaluations: 0, cotangent: nil, tangent: nil, options: options, mode: .full)
    }

    /// The result with its verdict: fail on a problem or a failing entry (see `worse`), pass when
    /// an entry passed, inconclusive with the entries' reasons otherwise.
    static func finished(_ result: DerivativeCheckResult, problem: String? = nil, evaluations: Int? = nil) -> DerivativeCheckResult {
        var r = result
        if let problem { r.problem = problem }
        if let evaluations { r.evaluations += evaluations }
        if r.problem != nil {
            r.verdict = .fail
            return r
        }
        var verdict: Verdict?
        for entry in r.entries { verdict = worse(verdict, entry.verdict) }
        if let verdict, !verdict.isInconclusive {
            r.verdict = verdict
        } else {
            r.verdict = .inconclusive(reason: r.entries.isEmpty ? "nothing to check" : undecidedReason(r.entries))
        }
        return r
    }

    /// Why no entry decided: the references disagreeing with each other on some entries (nobody
    /// can tell who is wrong), none of them conclusive on the others.
    static func undecidedReason(_ entries: [EntryCheck]) -> String {
        func names(_ list: [EntryCheck]) -> String {
            list.map(\.quantity).prefix(5).joined(separator: ", ") + (list.count > 5 ? " and \(list.count - 5) more" : "")
        }
        let disagreeing = entries.filter { $0.finding.hasPrefix("references disagree") }
        let undecided = entries.filter { !$0.finding.hasPrefix("references disagree") }
        var parts: [String] = []
        if !disagreeing.isEmpty { parts.append("the references disagree with each other on \(names(disagreeing))") }
        if !undecided.isEmpty { parts.append("no reference could decide \(names(undecided))") }
        return parts.joined(separator: "; ")
    }

    struct Problem: Error {
        var text: String
        var evaluations = 0
    }

    /// f at the point, twice: it must not throw, must be finite and must give the same value
    /// both times (the references difference values of f that are h apart; a function that
    /// returns different values for the same input makes every difference noise).
    static func pointValue(of f: () throws -> Double, name: String) -> Result<Double, Problem> {
        let first: Double, second: Double
        do {
            first = try f()
        } catch {
            return .failure(Problem(text: "\(name) throws at the point: \(error)", evaluations: 1))
        }
        guard first.isFinite else {
            return .failure(Problem(text: "\(name) is \(format(first)) at the point: there is no derivative to check", evaluations: 1))
        }
        do {
            second = try f()
        } catch {
            return .failure(Problem(
                text: "\(name) is not deterministic: it returned \(format(first)) at the point, then threw: \(error)", evaluations: 2))
        }
        guard first.bitPattern == second.bitPattern else {
            return .failure(Problem(
                text: "\(name) is not deterministic: two calls at the same point returned \(format(first)) and \(format(second)) "
                    + "(difference \(format(abs(first - second)))); the references need the same value for the same input",
                evaluations: 2))
        }
        return .success(first)
    }

    /// F at the point, as `pointValue` for each output; the output count must not change.
    static func vectorValue<T: BinaryFloatingPoint>(of F: ([T]) throws -> [T], at x: [T]) -> Result<[Double], Problem> {
        let first: [T], second: [T]
        do {
            first = try F(x)
            second = try F(x)
        } catch {
            return .failure(Problem(text: "F throws at the point: \(error)", evaluations: 2))
        }
        if let k = first.firstIndex(where: { !$0.isFinite }) {
            return .failure(Problem(text: "F[\(k)] is \(format(Double(first[k]))) at the point: there is no derivative to check", evaluations: 2))
        }
        guard first.count == second.count else {
            return .failure(Problem(text: "F is not deterministic: two calls at the same point returned \(first.count) and \(second.count) outputs", evaluations: 2))
        }
        if let k = first.indices.first(where: { Double(first[$0]).bitPattern != Double(second[$0]).bitPattern }) {
            return .failure(Problem(
                text: "F is not deterministic: two calls at the same point returned F[\(k)] = \(format(Double(first[k]))) and \(format(Double(second[k])))",
                evaluations: 2))
        }
        guard !first.isEmpty else { return .failure(Problem(text: "F returned no outputs at the point", evaluations: 2)) }
        return .success(first.map { Double($0) })
    }

    /// The user's claimed derivative values, called twice: it must not throw, must have `count`
    /// entries (when given) and give the same values both times (PyTorch's `nondet_tol = 0`).
    static func claimedValues<T: BinaryFloatingPoint>(name: String, count: Int? = nil, _ g: () throws -> [T]) -> Result<[T], Problem> {
        let first: [T], second: [T]
        do {
            first = try g()
            second = try g()
        } catch {
            return .failure(Problem(text: "\(name) throws at the point: \(error)"))
        }
        if let count, first.count != count {
            return .failure(Problem(text: "\(name) returns \(first.count) entries where \(count) are expected"))
        }
        guard first.count == second.count,
            !zip(first, second).contains(where: { Double($0.0).bitPattern != Double($0.1).bitPattern })
        else {
            return .failure(Problem(text: "\(name) is not deterministic: two calls with the same arguments returned different values"))
        }
        return .success(first)
    }

    static func shapeProblem<T>(_ J: [[T]], rows m: Int, columns n: Int) -> String? {
        guard J.count == m else { return "the Jacobian has \(J.count) rows for \(m) outputs" }
        if let k = J.firstIndex(where: { $0.count != n }) {
            return "row \(k) of the Jacobian has \(J[k].count) entries for \(n) inputs"
        }
        return nil
    }

    /// Seeded non-unit `u` (m) and `v` (n) in T: entries of magnitude 0.5 to 1.5, random signs.
    static func randomPair<T: BinaryFloatingPoint>(_ m: Int, _ n: Int, seed: UInt64) -> ([T], [T]) {
        var generator = SplitMix64(seed: seed)
        let u = (0..<m).map { _ in T(generator.nonUnit()) }
        let v = (0..<n).map { _ in T(generator.nonUnit()) }
        return (u, v)
    }

    /// `Σ a_i b_i` in Double (the claimed inner product is not rounded to T again).
    static func dot<T: BinaryFloatingPoint>(_ a: [T], _ b: [T]) -> Double {
        zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// Every entry `∂F_k/∂x_i` against the references along the coordinate lines, in row order
    /// (outputs, then inputs), and the calls of F it took.
    ///
    /// The lines of one column are the same for every output, and the references mostly sample
    /// them at the same t (the stencils' points depend on x_i and the precision only): F's
    /// values at each t of the column are kept, so F is called once per point and not once per
    /// point and output. An entry's `evaluations` counts the values its references used.
    static func jacobianEntries<T: BinaryFloatingPoint>(
        of F: ([T]) throws -> [T], at x: [T], Fx: [Double], claimed: (Int, Int) -> Double,
        _ judge: Judge, _ options: DerivativeCheckOptions
    ) -> (entries: [EntryCheck], calls: Int) {
        let m = Fx.count, n = x.count
        var entries: [EntryCheck] = []
        entries.reserveCapacity(m * n)
        var calls = 0
        var p = x
        var column: [UInt64: Result<[T], any Error>] = [:]
        for i in 0..<n {
            column.removeAll(keepingCapacity: true)
            for k in 0..<m {
                let entry = judge.entry(
                    quantity: "∂\(outputName(k, options, m))/∂\(inputName(i, options, n))", output: k, input: i,
                    claimed: claimed(k, i), at: Double(x[i]), fx: Fx[k],
                    abscissaError: abscissaError(T.self, at: Double(x[i]), slope: claimed(k, i))
                ) { t in
                    let y: [T]
                    if let known = column[t.bitPattern] {
                        y = try known.get()
                    } else {
                        p[i] = T(t)
                        calls += 1
                        let value = Result { try F(p) }
                        column[t.bitPattern] = value
                        y = try value.get()
                    }
                    // A function whose output count changes off the point has no value there.
                    return k < y.count ? Double(y[k]) : .nan
                }
                entries.append(entry)
            }
            p[i] = x[i]
        }
        entries.sort { ($0.output ?? 0, $0.input ?? 0) < ($1.output ?? 0, $1.input ?? 0) }
        return (entries, calls)
    }

    /// The error in each value along the coordinate line through `x_i`, whose points are rounded
    /// to T (`p[i] = T(t)`): `|T(t) - t| <= eps |t| / 2`, times the slope, estimated by the
    /// claimed partial as in vjp. Where f's value is small against `|x_i ∂f/∂x_i|` (terms that
    /// cancel) it outweighs f's own rounding: a Float GSL central difference was off by 6.5e-6
    /// relative (1.7e-8 with the points not rounded) against a budget of 4.9e-6. 0 for Double.
    static func abscissaError<T: BinaryFloatingPoint>(_: T.Type, at xi: Double, slope: Double) -> Double {
        let eps = Double(T.ulpOfOne)
        guard eps > Double.ulpOfOne, slope.isFinite else { return 0 }
        return eps * abs(xi) * abs(slope)
    }

    /// `⟨u, F(x + t v)⟩` along t at t = 0, its steps on the scale of `max(|x|_∞, 1)`.
    static func directionEntry<T: BinaryFloatingPoint>(
        of F: ([T]) throws -> [T], at x: [T], Fx: [Double], u: [T], v: [T], claimed: Double, quantity: String,
        abscissa: Double, _ judge: Judge
    ) -> EntryCheck {
        var p = x
        let scale = x.reduce(1.0) { Swift.max($0, abs(Double($1))) }
        let g0 = zip(u, Fx).reduce(0.0) { $0 + Double($1.0) * $1.1 }
        return judge.entry(
            quantity: quantity, output: nil, input: nil, claimed: claimed, at: 0, fx: g0, stepScale: scale,
            abscissaError: abscissa
        ) { t in
            for j in p.indices { p[j] = x[j] + T(t) * v[j] }
            let y = try F(p)
            guard y.count == u.count else { return .nan }
            var s = 0.0
            for k in y.indices { s += Double(u[k]) * Double(y[k]) }
            return s
        }
    }
}

/// Judges one claimed derivative along a line with the references, cheapest first: a client of
/// the `ReferenceEngine` the catalogue uses, which stops at the first reference that settles.
struct Judge {
    let engine: ReferenceEngine
    let resolution: Double

    init(options: DerivativeCheckOptions, epsilon: Double) {
        var t = options.tolerance
        t.safetyFactor *= options.toleranceFactor
        engine = ReferenceEngine(methods: options.oracles.filter { $0 != .complexStep }, tolerance: t, epsilon: epsilon)
        resolution = options.resolution ?? Swift.max(1e-7, 100 * epsilon)
        quantum = Judge.subnormalQuantum(epsilon: epsilon)
    }

    var epsilon: Double { engine.epsilon }

    /// The spacing of the precision's subnormal numbers (Double 4.9e-324, Float 1.4e-45): how
    /// accurate a value of f can be at best, whatever its size. The references' round-off terms
    /// are relative (`2 eps |f|`); a subnormal value of f (exp at -740) is only good to half of
    /// this, so every value carries it as an absolute error.
    let quantum: Double

    /// The IEEE binary types by their unit round-off; 0 for another type (no floor known).
    static func subnormalQuantum(epsilon: Double) -> Double {
        switch epsilon {
        case Double.ulpOfOne: Double.leastNonzeroMagnitude
        case Double(Float.ulpOfOne): Double(Float.leastNonzeroMagnitude)
        case 0x1p-10: 0x1p-24  // Float16
        default: 0
        }
    }

    /// The references' verdicts on `claimed = d/dt line(t)` at `t0`.
    ///
    /// `fx`: line(t0), for the size of f's own rounding. `stepScale`: when given, every step is
    /// chosen for an argument of that size (a direction's t starts at 0, its point does not).
    /// `abscissaError`: the error in each value of the line from rounding its point (see vjp).
    func entry(
        quantity: String, output: Int?, input: Int?, claimed: Double, at t0: Double, fx: Double,
        stepScale: Double? = nil, abscissaError: Double = 0, line: (Double) throws -> Double
    ) -> EntryCheck {
        // The claimed value was rounded to T too; for Double its rounding is the ulp floor's.
        // An infinite or NaN claim has no rounding of its own to allow for: it must fail against
        // a finite conclusive reference, as in Double (an infinite allowance made it inconclusive).
        let adSpread = engine.coarse && claimed.isFinite ? ulps * epsilon * abs(claimed) : 0
        // GSL's abserr assumes double precision: add f's own rounding to its budget. ADNumeric's
        // stencils already carry it through `epsilon`.
        let fRounding = engine.coarse ? ulps * epsilon * abs(fx) : 0
        let knowledge = LineKnowledge(
            value: fx, adSpread: adSpread, evaluationError: abscissaError + quantum, gslEvaluationError: fRounding,
            stepScale: stepScale)
        let (judgements, evaluations) = engine.judge(claimed, along: line, at: t0, knowing: knowledge) { index, comparison in
            index == 0 && settles(comparison)
        }
        let checks = judgements.map { Check(quantity: quantity, kind: .oracle, comparison: $0.comparison) }
        let (verdict, finding) = decide(claimed, checks.map(\.comparison))
        return EntryCheck(
            quantity: quantity, output: output, input: input, claimed: claimed, checks: checks, verdict: verdict,
            evaluations: evaluations, finding: finding)
    }

    /// Each evaluation of f is assumed good to this many units of its precision (as in ADNumeric).
    private var ulps: Double { 2 }

    /// A pass within `resolution` of the value decides alone; a coarser pass does not (a Float
    /// central difference passes almost anything within 1e-3).
    func settles(_ c: Comparison) -> Bool {
        guard c.verdict == .pass else { return false }
        let scale = Swift.max(abs(c.value), abs(c.reference))
        return scale == 0 || c.budget <= resolution * scale
    }

    /// The entry's verdict and who is wrong; see `DerivativeCheck`.
    func decide(_ claimed: Double, _ comparisons: [Comparison]) -> (Verdict, String) {
        let conclusive = comparisons.filter { !$0.verdict.isInconclusive }
        guard !conclusive.isEmpty else {
            let reasons = comparisons.compactMap { c -> String? in
                if case .inconclusive(let reason) = c.verdict { return reason }
                return nil
            }
            return (.inconclusive(reason: "no reference could decide: " + reasons.joined(separator: "; ")),
                    "no reference could decide: inconclusive")
        }
        for (a, ca) in conclusive.enumerated() {
            for cb in conclusive[(a + 1)...] where abs(ca.reference - cb.reference) > ca.budget + cb.budget {
                let why = "the references disagree with each other (\(DerivativeCheck.displayName(ca.method)) \(format(ca.reference)) ± \(DerivativeCheck.short(ca.budget)), \(DerivativeCheck.displayName(cb.method)) \(format(cb.reference)) ± \(DerivativeCheck.short(cb.budget)))"
                return (.inconclusive(reason: why), "references disagree: inconclusive")
            }
        }
        guard conclusive.contains(where: { $0.verdict == .fail }) else {
            return (.pass, "pass")
        }
        // The tightest reference says by how much.
        let best = conclusive.min { $0.budget < $1.budget } ?? conclusive[0]
        let off = abs(claimed - best.reference)
        let agree = conclusive.count > 1 ? "the references agree with each other and your value is off by" : "your value is off by"
        let relative = best.reference != 0 ? " (\(DerivativeCheck.short(off / abs(best.reference))) relative)" : ""
        return (.fail, "\(agree) \(DerivativeCheck.short(off, digits: 4))\(relative)")
    }
}
