// The value every oracle in ADNumeric returns: a derivative with its error bar and its cost.

/// How a derivative estimate was obtained.
public enum DifferenceMethod: String, Codable, Sendable, Hashable, CaseIterable {
    /// `(f(x+h) - f(x)) / h`, step `sqrt(eps) * max(|x|, 1)`.
    case forward
    /// `(f(x) - f(x-h)) / h`, step `sqrt(eps) * max(|x|, 1)`.
    case backward
    /// `(f(x+h) - f(x-h)) / 2h`, step `cbrt(eps) * max(|x|, 1)`.
    case central
    /// `(f(x-2h) - 8f(x-h) + 8f(x+h) - f(x+2h)) / 12h`, step `eps^(1/5) * max(|x|, 1)`.
    case fivePoint
    /// Ridders' Richardson extrapolation of central differences over shrinking steps.
    case richardson
    /// `Im f(x + ih) / h` with `h = 1e-20 * max(|x|, 1e-150)`.
    case complexStep
    /// GSL's `gsl_deriv_central` (5-point rule, adaptive step).
    case gslCentral
    /// GSL's `gsl_deriv_forward` (4-point open rule, adaptive step).
    case gslForward
    /// GSL's `gsl_deriv_backward` (the forward rule with a negative step).
    case gslBackward
    /// The 5-point rule on `x±h, x±h/2` with the 3-point rule's difference as its error: GSL
    /// central's first trial, 4 evaluations when `f(x)` is known (`fourPointCentralDifference`).
    case fourPointCentral
    /// A second derivative `d²/ds dt f(x + s a + t b)` by second differences of f itself:
    /// `(f(x+ha) - 2f(x) + f(x-ha)) / h²` on the diagonal, the 4-point mixed rule off it
    /// (`secondDifference(along:_:at:method:)`); step `eps^(1/4) * scale`.
    case secondCentral = "second-central"
    /// Richardson's extrapolation of the second central difference over steps h and 2h (order 4);
    /// step `eps^(1/6) * scale`.
    case secondRichardson = "second-richardson"

    /// Every method that differentiates a real closure once (all but the complex step and the
    /// second differences).
    public static let realClosureMethods: [DifferenceMethod] = allCases.filter { $0 != .complexStep && !$0.isSecondOrder }

    /// Whether the method estimates a second derivative of f (``secondCentral``, ``secondRichardson``).
    public var isSecondOrder: Bool { self == .secondCentral || self == .secondRichardson }
}

/// Whether an estimate can be used as a reference.
public enum EstimateStatus: Codable, Sendable, Hashable {
    /// The estimate and its error bar are usable.
    case ok
    /// Left and right one-sided derivatives disagree beyond their error bars: `x` is (or is
    /// within a step of) a kink. A derivative there is only checked to lie between them.
    case kink(left: Double, leftError: Double, right: Double, rightError: Double)
    /// No usable estimate; the reason says why (domain, non-finite values, a thrown error).
    case inconclusive(reason: String)

    /// True for `.ok`.
    public var isOK: Bool { if case .ok = self { true } else { false } }
    /// True for `.kink`.
    public var isKink: Bool { if case .kink = self { true } else { false } }
    /// True for `.inconclusive`.
    public var isInconclusive: Bool { if case .inconclusive = self { true } else { false } }
}

/// A numerical derivative with its error estimate, the step used and what it cost.
///
/// `error` is an estimate of `|value - f'(x)|`, the sum of a truncation term (from the difference
/// between two stencils of different order or step) and a round-off term
/// (`eps * sum |c_i f(x_i)| / h` for the stencil coefficients `c_i`, assuming each evaluation is
/// correct to about two ulps). It is an estimate, not a bound: comparisons apply a safety factor
/// (see `OracleTolerance` in ADVerify). `error` is `+infinity` when the caller asked for no
/// error estimate, and may be NaN or infinite when the status is `.inconclusive`.
///
/// Encoding note: non-finite numbers need a `JSONEncoder` with a
/// `nonConformingFloatEncodingStrategy`.
public struct Estimate: Codable, Sendable, Hashable {
    /// The derivative estimate.
    public var value: Double
    /// Estimated absolute error, `truncationError + roundoffError`.
    public var error: Double
    /// The truncation part of `error`.
    public var truncationError: Double
    /// The round-off part of `error`.
    public var roundoffError: Double
    /// The (representable) step the value was computed with; for GSL the step GSL accepted.
    public var step: Double
    /// Function evaluations spent, including failed attempts and error estimation.
    public var evaluations: Int
    /// The method that produced the value.
    public var method: DifferenceMethod
    /// Whether the value is usable, a kink, or inconclusive.
    public var status: EstimateStatus
    /// What happened on the way, e.g. "step reduced from 6e-06 to 1.8e-10: stencil left the domain".
    public var note: String?

    public init(
        value: Double, truncationError: Double, roundoffError: Double, step: Double,
        evaluations: Int, method: DifferenceMethod, status: EstimateStatus = .ok, note: String? = nil
    ) {
        self.value = value
        self.error = truncationError + roundoffError
        self.truncationError = truncationError
        self.roundoffError = roundoffError
        self.step = step
        self.evaluations = evaluations
        self.method = method
        self.status = status
        self.note = note
    }

    /// An estimate that carries no value, only the reason.
    public static func inconclusive(
        _ reason: String, method: DifferenceMethod, step: Double, evaluations: Int
    ) -> Estimate {
        Estimate(
            value: .nan, truncationError: .nan, roundoffError: .nan, step: step,
            evaluations: evaluations, method: method, status: .inconclusive(reason: reason))
    }
}
