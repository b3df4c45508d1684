// Public ways to build the parts of a `DerivativeCheckResult` outside ADVerify: ADCheck's
// differentiable-Swift checks add entries of their own (a pullback's linearity, a registered
// derivative's value) to the engine's, and the verdict follows the same rule.

extension EntryCheck {
    /// An entry judged by its caller: `claimed` is the value under test, `checks` what it was
    /// held to, `finding` who is wrong (the end of `message`).
    public init(
        judged quantity: String, output: Int? = nil, input: Int? = nil, claimed: Double, checks: [Check], verdict: Verdict,
        evaluations: Int = 0, finding: String
    ) {
        self.quantity = quantity
        self.output = output
        self.input = input
        self.claimed = claimed
        self.checks = checks
        self.verdict = verdict
        self.evaluations = evaluations
        self.finding = finding
    }
}

extension Check {
    /// One comparison of `quantity` (e.g. a pullback's value against what linearity requires).
    public init(quantity: String, kind: Kind, comparison: Comparison, expectedText: String? = nil, detail: String? = nil) {
        self.quantity = quantity
        self.kind = kind
        self.comparison = comparison
        self.expectedText = expectedText
        self.location = nil
        self.detail = detail
    }
}

extension DerivativeCheckResult {
    /// An empty result for a check of `kind` at `point` in `precision` (`"Double"`, `"Float"`),
    /// whose unit round-off is `epsilon`; its verdict is set by `withVerdict()`.
    public init(kind: Kind, point: [Double], precision: String, epsilon: Double, options: DerivativeCheckOptions) {
        self.init(
            kind: kind, point: point, precision: precision, epsilon: epsilon, problem: nil, entries: [],
            verdict: .inconclusive(reason: "nothing checked"), evaluations: 0, cotangent: nil, tangent: nil, options: options,
            mode: .full)
    }

    /// The result with its verdict decided again from its problem and entries, by the engine's
    /// rule: fail on a problem or a failing entry, pass when an entry passed, otherwise
    /// inconclusive with the entries' reasons.
    public func withVerdict() -> DerivativeCheckResult {
        DerivativeCheck.finished(self)
    }
}
