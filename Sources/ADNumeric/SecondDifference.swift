// Second derivatives by differencing f itself: the oracle of a Hessian entry or of a component
// of a Hessian-vector product that uses no derivative of any kind.
import Numerics

/// `d²/ds dt f(x + s a + t b)` at `s = t = 0`, from values of f only.
///
/// The caller gives `g(s, t) = f(x + s a + t b)`. On the diagonal (`diagonal: true`, `a = b`,
/// a Hessian's `H_ii` or the curvature `aᵀHa`) only `g(s, 0)` is sampled:
/// ```
/// D(h) = (g(h, 0) - 2 g(0, 0) + g(-h, 0)) / h²                                 (Σ|c| = 4)
/// D(h) = (g(h, h) - g(h, -h) - g(-h, h) + g(-h, -h)) / 4h²     off the diagonal (Σ|c| = 1)
/// ```
/// Both have truncation `O(h²)`, so
/// ```
/// second-central:     D(h),                    truncation ≈ |D(h) - D(2h)| / 3,   h = eps^(1/4) s
/// second-richardson:  R(h) = (4 D(h) - D(2h)) / 3,  truncation ≈ |R(h) - R(2h)|,  h = eps^(1/6) s
/// round-off          = (2 eps Σ|c_i g_i| + Σ|c_i| evaluationError) / h²   (through the extrapolation's weights)
/// ```
/// with `s = scale` (the caller's `max(|x|, 1)` over the coordinates a and b move). The steps
/// balance each rule's truncation against its round-off, which grows as `1/h²`: a second
/// difference keeps about a quarter (central) or a third (Richardson) fewer digits than a first.
///
/// A stencil that leaves f's domain (a NaN or infinite value, or a throwing g) is retried at an
/// eighth of the step, up to four times, with its round-off grown accordingly; after that the
/// estimate is inconclusive, never a number from outside the domain.
/// Cost: diagonal 5 (central) or 7 (Richardson) evaluations, off the diagonal 8 or 12, per try.
public func secondDifference(
    of g: (Double, Double) throws -> Double, diagonal: Bool, scale: Double = 1, method: DifferenceMethod,
    step: Double? = nil, epsilon: Double = .ulpOfOne, evaluationError: Double = 0
) -> Estimate {
    guard method.isSecondOrder else {
        return .inconclusive("\(method.rawValue) is not a second-difference method", method: method, step: .nan, evaluations: 0)
    }
    let richardson = method == .secondRichardson
    let s = Swift.max(abs(scale), 1)
    var h = step ?? Double.pow(epsilon, richardson ? 1.0 / 6 : 0.25) * s
    guard h.isFinite, h > 0 else {
        return .inconclusive("the step \(h) is not positive and finite", method: method, step: h, evaluations: 0)
    }
    var log = EvaluationLog()
    let g0 = diagonal ? sample({ try g($0, 0) }, 0, &log) : 0
    // D at step k·h for k = 1, 2 (and 4 for Richardson's error): the quotient and Σ|c_i g_i|.
    func level(_ k: Double) -> (d: Double, magnitude: Double)? {
        let t = k * h
        if diagonal {
            let p = sample({ try g($0, 0) }, t, &log), m = sample({ try g($0, 0) }, -t, &log)
            guard p.isFinite, m.isFinite, g0.isFinite else { return nil }
            return ((p - 2 * g0 + m) / (t * t), (abs(p) + 2 * abs(g0) + abs(m)) / (t * t))
        }
        let pp = sample({ try g(t, $0) }, t, &log), pm = sample({ try g(t, $0) }, -t, &log)
        let mp = sample({ try g(-t, $0) }, t, &log), mm = sample({ try g(-t, $0) }, -t, &log)
        guard pp.isFinite, pm.isFinite, mp.isFinite, mm.isFinite else { return nil }
        return ((pp - pm - mp + mm) / (4 * t * t), (abs(pp) + abs(pm) + abs(mp) + abs(mm)) / (4 * t * t))
    }
    let weight = diagonal ? 4.0 : 1.0
    var note: String?
    for attempt in 0...4 {
        if attempt > 0 {
            h /= 8
            note = "step reduced \(attempt == 1 ? "once" : "\(attempt) times") by 8 to \(h): the stencil left the domain"
        }
        guard let d1 = level(1), let d2 = level(2) else { continue }
        let value: Double, truncation: Double, magnitude: Double, stencilWeight: Double
        if richardson {
            guard let d4 = level(4) else { continue }
            let r1 = (4 * d1.d - d2.d) / 3, r2 = (4 * d2.d - d4.d) / 3
            value = r1
            truncation = abs(r1 - r2)
            magnitude = (4 * d1.magnitude + d2.magnitude) / 3
            stencilWeight = weight * (4 + 1.0 / 4) / 3
        } else {
            value = d1.d
            truncation = abs(d1.d - d2.d) / 3
            magnitude = d1.magnitude
            stencilWeight = weight
        }
        let roundoff = 2 * epsilon * magnitude + stencilWeight * evaluationError / (h * h)
        guard value.isFinite, truncation.isFinite, roundoff.isFinite else { break }
        return Estimate(
            value: value, truncationError: truncation, roundoffError: roundoff, step: h,
            evaluations: log.count, method: method, note: note)
    }
    let reason = log.failureReason ?? "f is not finite on the stencil at any step down to \(h)"
    return .inconclusive(reason, method: method, step: h, evaluations: log.count)
}
