// Richardson extrapolation of central differences (Ridders' method) with its own error estimate.

/// The derivative by Ridders' Richardson extrapolation of central differences.
///
/// ```
/// A[0][i] = D0(h_i) = (f(x+h_i) - f(x-h_i)) / 2h_i,     h_i = h_0 / 1.4^i,  i < 10
/// A[j][i] = (1.96^j A[j-1][i] - A[j-1][i-1]) / (1.96^j - 1)   (cancels the h^2j error term)
/// error   = min over the tableau of max(|A[j][i] - A[j-1][i]|, |A[j][i] - A[j-1][i-1]|)
///           + the round-off of the smallest central difference used
/// ```
/// The tableau stops when its diagonal starts to grow (round-off has taken over). Because the
/// first step `h_0 = 0.1 * max(|x|, 1)` may be too large for a function that varies on a small
/// scale, the whole tableau is restarted at `h_0 / 16`, `h_0 / 256`, `h_0 / 4096` while the error
/// is above `1e-9 |value|`; the answer with the smallest error wins.
///
/// Domain and kinks as for `centralDifference(of:at:step:)` (the kink check uses the central
/// step's points). The tableau's wide steps can alias a function that varies on a smaller scale,
/// so the answer is checked against those central differences (`LocalCentral`): inconclusive
/// when they disagree, its error raised to their difference or spread otherwise. Then against
/// the 5-point rule: inconclusive when they differ by more than 10 times both error bars; else
/// its truncation error is at least their difference (the 5-point rule at its own step), and
/// where f shows structure below that step, which the tableau cannot see, at least the smaller
/// of the finer stencils' errors.
/// Cost: 2 evaluations per tableau row, at most 4 x 10 rows, plus 6 for the local check and
/// 15 for the 5-point rule: typically 40-100.
///
/// See also: W. H. Press et al., Numerical Recipes, `dfridr`.
public func richardsonDerivative(
    of f: (Double) throws -> Double, at x: Double, initialStep: Double? = nil
) -> Estimate {
    var log = EvaluationLog()
    return richardson(f, x, initialStep: initialStep, fx: nil, &log)
}

/// Tableau size and shrink factor of Ridders' method (the values of Numerical Recipes).
private let tableauSize = 10
private let shrink = 1.4
/// A tableau whose diagonal grows by this factor over the best error has hit round-off.
private let growthStop = 2.0
private let restarts = 4
private let restartShrink = 16.0
/// Good enough to stop restarting.
private let satisfiedRelativeError = 1e-9

func richardson(
    _ f: (Double) throws -> Double, _ x: Double, initialStep: Double?, fx known: Double?, epsilon: Double = eps,
    _ log: inout EvaluationLog
) -> Estimate {
    let h0: Double, fx: Double
    switch startStencil(f, x, step: initialStep, rule: StepRule.richardson(at: x), fx: known, method: .richardson, &log) {
    case let .ready(step, value): (h0, fx) = (step, value)
    case let .stop(estimate): return estimate
    }
    var estimate = withDomainFallback(of: f, at: x, fx: fx, step: h0, method: .richardson, epsilon: epsilon, log: &log) { h, log in
        var best: Estimate?
        var start = h
        for _ in 0..<restarts {
            guard x + start != x else { break }
            guard let run = riddersTableau(f, x, firstStep: start, epsilon: epsilon, &log) else {
                // The first, widest stencil left the domain: let the caller shrink the step.
                if best == nil { return .nonFinite }
                break
            }
            if best == nil || run.error < best!.error { best = run }
            if let b = best, b.error <= satisfiedRelativeError * abs(b.value) { break }
            start = representableStep(start / restartShrink, at: x)
        }
        return best.map { .estimate($0) } ?? .nonFinite
    }
    // Richardson's tableau cannot see a kink (at |x| the central differences are all 0):
    // compare one-sided derivatives at a small step. Its wide steps cannot see a function that
    // varies on a smaller scale either: check it against the central differences there.
    if estimate.status.isOK {
        var leftDomain = false
        let local = LocalCentral(f, at: x, below: estimate.step, &log, leftDomain: &leftDomain, epsilon: epsilon)
        if let local {
            let (fp, fm) = (local.plus, local.minus)
            estimate.status = kinkStatus(fx: fx, fm1: fm[0], fm2: fm[1], fp1: fp[0], fp2: fp[1], step: local.step, x: x, epsilon: epsilon)
            if estimate.status.isOK { local.check(&estimate) }
        }
        // The 5-point rule estimates the same number at a finer scale. The tableau's error comes
        // from its own entries, which can agree to 1e-14 while a feature of f on a smaller scale
        // than its steps, or rounding inside f, moves them all alike by 1e-11 or by 1e3 (random
        // graphs show both: tanh far in its tail; tan of an argument near a domain edge). So:
        // - two estimates that differ by more than `localSeparation` times both error bars
        //   cannot both be right: the extrapolation is inconclusive;
        // - its error is at least its difference from the 5-point rule at that rule's own step;
        // - where f shows structure below that step (the 5-point rule had to cut its step, or
        //   the central differences at the small step are not asymptotic) only the finer stencils
        //   can see it: its error is also at least the smaller of their errors.
        if estimate.status.isOK {
            let five = fivePoint(f, x, step: nil, fx: fx, epsilon: epsilon, &log)
            let gap = abs(estimate.value - five.value)
            let ownStep = five.status.isOK && five.step >= 0.5 * StepRule.fivePoint(at: x, epsilon: epsilon)
            // (A 5-point estimate whose error is over a tenth of its value decides nothing.)
            let informative = five.status.isOK && five.error.isFinite && five.error <= 0.1 * abs(five.value)
            if informative, gap > localSeparation * (estimate.error + five.error) {
                estimate.status = .inconclusive(
                    reason: "the extrapolation \(estimate.value) ± \(estimate.error) disagrees with the 5-point rule \(five.value) ± \(five.error) at step \(five.step)")
            } else {
                var floor = 0.0
                if ownStep, gap.isFinite { floor = gap }
                if !ownStep || local?.violation != nil {
                    var finer = local?.resolution ?? .infinity
                    if five.status.isOK, five.error.isFinite { finer = Swift.min(finer, five.error) }
                    if finer.isFinite { floor = Swift.max(floor, finer) }
                }
                if floor > estimate.truncationError {
                    estimate.truncationError = floor
                    estimate.error = estimate.truncationError + estimate.roundoffError
                }
            }
        }
        estimate.evaluations = log.count
    }
    return estimate
}

/// One Ridders tableau starting at `firstStep`; `nil` when the first central difference is not
/// finite. `evaluations` is left 0 (the caller owns the count).
private func riddersTableau(
    _ f: (Double) throws -> Double, _ x: Double, firstStep: Double, epsilon: Double, _ log: inout EvaluationLog
) -> Estimate? {
    func centralPair(_ h: Double, _ log: inout EvaluationLog) -> (d: Double, round: Double)? {
        let fp = sample(f, x + h, &log), fm = sample(f, x - h, &log)
        guard fp.isFinite, fm.isFinite else { return nil }
        let d = (fp - fm) / (2 * h)
        return (d, stencilRoundoff(weightedMagnitude: (abs(fp) + abs(fm)) / 2, step: h, x: x, derivative: d, epsilon: epsilon))
    }
    let n = tableauSize
    return withUnsafeTemporaryAllocation(of: Double.self, capacity: n * n) { a -> Estimate? in
        var h = representableStep(firstStep, at: x)
        guard let first = centralPair(h, &log) else { return nil }
        a[0] = first.d
        var best = first.d, bestError = Double.infinity, bestRound = first.round, bestStep = h
        let con2 = shrink * shrink
        for i in 1..<n {
            let next = representableStep(h / shrink, at: x)
            guard next < h, let row = centralPair(next, &log) else { break }
            h = next
            a[i] = row.d  // a[j * n + i] is A[j][i]
            var fac = con2
            for j in 1...i {
                a[j * n + i] = (a[(j - 1) * n + i] * fac - a[(j - 1) * n + i - 1]) / (fac - 1)
                fac *= con2
                let e = Swift.max(abs(a[j * n + i] - a[(j - 1) * n + i]), abs(a[j * n + i] - a[(j - 1) * n + i - 1]))
                if e <= bestError {
                    bestError = e
                    best = a[j * n + i]
                    bestRound = row.round
                    bestStep = h
                }
            }
            if abs(a[i * n + i] - a[(i - 1) * n + i - 1]) >= growthStop * bestError { break }
        }
        return Estimate(
            value: best, truncationError: bestError, roundoffError: bestRound, step: bestStep,
            evaluations: 0, method: .richardson)
    }
}
