// The V-shaped error-versus-step data: truncation falls with h, round-off grows as h shrinks.

/// The errors of three plain stencils at one step.
public struct StepSweepPoint: Codable, Sendable, Hashable {
    /// The (representable) step `h`.
    public var step: Double
    /// `|(f(x+h) - f(x)) / h - exact|`; `nil` when a value was not finite.
    public var forwardError: Double?
    /// `|(f(x+h) - f(x-h)) / 2h - exact|`.
    public var centralError: Double?
    /// `|(f(x-2h) - 8f(x-h) + 8f(x+h) - f(x+2h)) / 12h - exact|`.
    public var fivePointError: Double?
}

/// Errors of the forward, central and 5-point differences against a known derivative over a
/// range of steps: the data for a log-log plot whose V shows truncation (slope 1, 2, 4 on the
/// right) meeting round-off (slope -1 on the left).
public struct StepSweep: Codable, Sendable, Hashable {
    public var x: Double
    /// The exact derivative the errors are measured against.
    public var exact: Double
    /// One point per step, in the order given (largest first by default).
    public var points: [StepSweepPoint]
    /// Function evaluations in all: 1 + 4 per step.
    public var evaluations: Int

    /// Steps `1e-1, 1e-2, ..., 1e-14` (absolute, not scaled by `|x|`).
    public static let decades: [Double] = [
        1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12, 1e-13, 1e-14,
    ]

    /// The step with the smallest error of the given stencil (the bottom of its V).
    public func bestStep(_ error: KeyPath<StepSweepPoint, Double?>) -> Double? {
        points.filter { $0[keyPath: error] != nil }.min { $0[keyPath: error]! < $1[keyPath: error]! }?.step
    }
}

/// Sweeps the step of the forward, central and 5-point differences and records each one's
/// absolute error against `exact`.
///
/// Steps are absolute and made representable (`h = (x + h) - x`); steps that do not change `x`
/// are skipped. A function that throws or is not finite at a stencil point gives `nil` errors for
/// the stencils that use it.
public func stepSweep(
    of f: (Double) throws -> Double, at x: Double, exact: Double, steps: [Double] = StepSweep.decades
) -> StepSweep {
    var log = EvaluationLog()
    let fx = sample(f, x, &log)
    var points: [StepSweepPoint] = []
    points.reserveCapacity(steps.count)
    for requested in steps where requested.isFinite && requested > 0 && x + requested != x {
        let h = representableStep(requested, at: x)
        let fp1 = sample(f, x + h, &log), fm1 = sample(f, x - h, &log)
        let fp2 = sample(f, x + 2 * h, &log), fm2 = sample(f, x - 2 * h, &log)
        func error(_ d: Double) -> Double? {
            let e = abs(d - exact)
            return e.isFinite ? e : nil
        }
        points.append(
            StepSweepPoint(
                step: h,
                forwardError: error((fp1 - fx) / h),
                centralError: error((fp1 - fm1) / (2 * h)),
                fivePointError: error((fm2 - 8 * fm1 + 8 * fp1 - fp2) / (12 * h))))
    }
    return StepSweep(x: x, exact: exact, points: points, evaluations: log.count)
}
