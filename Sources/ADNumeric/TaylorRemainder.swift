// The Taylor-remainder test: checks a gradient without choosing a step.
import Numerics

/// One step of the Taylor-remainder test.
public struct TaylorRemainderPoint: Codable, Sendable, Hashable {
    public var step: Double
    /// `|f(x + h d) - f(x) - h <g, d>|`; `nil` when not finite.
    public var remainder: Double?
    /// Whether this point was above the round-off floor and among those fitted.
    public var fitted: Bool
}

/// The result of the Taylor-remainder test: the slope of `log r(h)` against `log h`.
public struct TaylorRemainderTest: Codable, Sendable, Hashable {
    public var points: [TaylorRemainderPoint]
    /// Least-squares slope over the fitted points; `nil` when fewer than `minimumFitPoints`
    /// points were above round-off.
    public var slope: Double?
    /// `<g, d>`, the directional derivative the gradient claims.
    public var directionalDerivative: Double
    public var evaluations: Int
    /// `.ok`, or `.inconclusive(reason)` when no slope could be fitted.
    public var status: EstimateStatus
}

/// Points fitted: the smallest steps whose remainder is above the round-off floor.
let taylorFitPoints = 8
let minimumFitPoints = 4
/// The remainder must exceed this many ulps of `|f(x)| + |f(x+hd)| + |h <g,d>|` to be fitted,
/// so that round-off moves `log r` by well under 1%.
let taylorRoundoffUlps = 1000.0

/// The Taylor-remainder test of a claimed gradient `g` of `f` at `x` along direction `d`.
///
/// ```
/// r(h) = |f(x + h d) - f(x) - h <g, d>|
/// r(h) = O(h^2)  if <g, d> is the true directional derivative  -> slope of log r vs log h ≈ 2
/// r(h) ≈ |<g - ∇f, d>| h  otherwise                            -> slope ≈ 1 for small h
/// ```
/// No step has to be chosen: the slope is fitted (least squares) over the `8` smallest steps
/// whose remainder is above `1000 eps (|f(x)| + |f(x+hd)| + h |<g,d>|)`, i.e. the asymptotic
/// regime just above round-off. A slope of 3 or more (zero curvature along `d`) also means a
/// correct gradient. Use a random, non-unit `d` so that errors in single components show.
///
/// Default steps: `h_k = h_0 2^-k`, `k = 0 ..< 40`, `h_0 = 0.1 max(|x|_inf, 1) / |d|_inf`.
/// Cost: 1 + one evaluation per step.
///
/// `epsilon`: the unit round-off of the precision f computes in (`Float.ulpOfOne` for a Float
/// function seen through Double), for the floor's `eps`. `pointError`: the error of each value
/// of f from rounding the point `x + h d` to that precision (about `eps Σ |x_j| |g_j|`); the
/// floor is then `1000 (eps (|f(x)| + |f(x+hd)| + h |<g,d>|) + pointError)`. A point that rounds
/// back to x gives `r = h |<g,d>|`, slope 1 for any gradient: the floor must cover it.
public func taylorRemainderTest(
    of f: ([Double]) throws -> Double, at x: [Double], gradient g: [Double], direction d: [Double],
    steps: [Double]? = nil, epsilon: Double = .ulpOfOne, pointError: Double = 0
) -> TaylorRemainderTest {
    func inconclusive(_ reason: String, _ points: [TaylorRemainderPoint] = [], _ n: Int = 0, _ gd: Double = .nan)
        -> TaylorRemainderTest
    {
        TaylorRemainderTest(
            points: points, slope: nil, directionalDerivative: gd, evaluations: n, status: .inconclusive(reason: reason))
    }
    guard x.count == g.count, x.count == d.count, !x.isEmpty else {
        return inconclusive("x, gradient and direction must have the same non-zero length (\(x.count), \(g.count), \(d.count))")
    }
    let dNorm = d.reduce(0) { Swift.max($0, abs($1)) }
    guard dNorm > 0, dNorm.isFinite else { return inconclusive("the direction must be finite and non-zero") }
    var gd = 0.0
    for i in x.indices { gd += g[i] * d[i] }
    let xNorm = x.reduce(0) { Swift.max($0, abs($1)) }
    let h0 = 0.1 * Swift.max(xNorm, 1) / dNorm
    let steps = steps ?? (0..<40).map { h0 * Double(sign: .plus, exponent: -$0, significand: 1) }

    var log = EvaluationLog()
    var point = x
    let f0 = sample({ _ in try f(point) }, 0, &log)
    guard f0.isFinite else {
        return inconclusive(log.failureReason ?? "f(x) = \(f0) is not finite", [], log.count, gd)
    }
    var points: [TaylorRemainderPoint] = []
    points.reserveCapacity(steps.count)
    var aboveFloor: [Int] = []
    for h in steps {
        let fh = sample(
            { _ in
                for i in point.indices { point[i] = x[i] + h * d[i] }
                return try f(point)
            }, h, &log)
        let r = abs(fh - f0 - h * gd)
        points.append(TaylorRemainderPoint(step: h, remainder: r.isFinite ? r : nil, fitted: false))
        let floor = taylorRoundoffUlps * (epsilon * (abs(f0) + abs(fh) + abs(h * gd)) + pointError)
        if r.isFinite, h > 0, r > floor { aboveFloor.append(points.count - 1) }
    }
    // The asymptotic regime is at the small steps: fit the smallest ones above round-off.
    let chosen = aboveFloor.sorted { points[$0].step < points[$1].step }.prefix(taylorFitPoints)
    guard chosen.count >= minimumFitPoints else {
        return inconclusive(
            "only \(chosen.count) remainders above round-off (need \(minimumFitPoints)): f may be linear along d",
            points, log.count, gd)
    }
    var sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0
    for k in chosen {
        points[k].fitted = true
        let lx = Double.log(points[k].step), ly = Double.log(points[k].remainder ?? 1)
        sx += lx; sy += ly; sxx += lx * lx; sxy += lx * ly
    }
    let n = Double(chosen.count)
    let slope = (n * sxy - sx * sy) / (n * sxx - sx * sx)
    guard slope.isFinite else { return inconclusive("the slope fit failed (equal steps?)", points, log.count, gd) }
    return TaylorRemainderTest(points: points, slope: slope, directionalDerivative: gd, evaluations: log.count, status: .ok)
}
