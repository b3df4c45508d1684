// The outcome of one check and the numbers behind it.
import Numerics

/// The outcome of one check.
///
/// `inconclusive` is not a failure: the reference could not decide (its own error estimate was
/// too large, its stencil left the function's domain, or the point is a kink and AD lies between
/// the one-sided derivatives). A case fails only on `fail`.
public enum Verdict: Codable, Sendable, Hashable {
    case pass
    case fail
    case inconclusive(reason: String)

    public var isPass: Bool { self == .pass }
    public var isFail: Bool { self == .fail }
    public var isInconclusive: Bool { if case .inconclusive = self { true } else { false } }
}

/// A verdict with the numbers it was decided on, ready for a report.
public struct Comparison: Codable, Sendable, Hashable {
    public var verdict: Verdict
    /// The value under test (the AD derivative, or forward mode's value in a mode comparison).
    public var value: Double
    /// The reference (the oracle's estimate, or reverse mode's value).
    public var reference: Double
    /// `|value - reference|`.
    public var difference: Double
    /// The largest difference that passes.
    public var budget: Double
    /// The oracle's step, when there was one.
    public var step: Double?
    /// The oracle's function evaluations, when there was one.
    public var evaluations: Int?
    /// `-log10(|a - b| / max(|a|, |b|))` clamped to `[0, 17]`; see `agreeingDigits(_:_:)`.
    public var agreeingDigits: Double
    /// What the value was compared with, e.g. `"central"`, `"gslCentral"`, `"reverse"`.
    public var method: String

    public init(
        verdict: Verdict, value: Double, reference: Double, budget: Double, step: Double? = nil,
        evaluations: Int? = nil, method: String
    ) {
        self.verdict = verdict
        self.value = value
        self.reference = reference
        self.difference = abs(value - reference)
        self.budget = budget
        self.step = step
        self.evaluations = evaluations
        self.agreeingDigits = ADVerify.agreeingDigits(value, reference)
        self.method = method
    }
}

/// How many significant decimal digits `a` and `b` share.
///
/// ```
/// digits = -log10(|a - b| / max(|a|, |b|)),  clamped to [0, 17]
/// ```
/// 17 when `a == b` (including `0 == -0`), 0 when either is NaN or infinite (unless equal
/// infinities). 17 is the most a `Double` can carry.
public func agreeingDigits(_ a: Double, _ b: Double) -> Double {
    if a == b { return 17 }
    guard a.isFinite, b.isFinite else { return 0 }
    let relative = abs(a - b) / Swift.max(abs(a), abs(b))
    let digits = -Double.log10(relative)
    return Swift.min(Swift.max(digits, 0), 17)
}
