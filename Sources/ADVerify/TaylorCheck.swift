// The verdict of the Taylor-remainder test: slope ~2 for a right gradient, ~1 for a wrong one.
import ADNumeric

/// The Taylor-remainder verdict with the numbers behind it.
public struct TaylorCheck: Codable, Sendable, Hashable {
    public var verdict: Verdict
    /// The fitted slope of `log r(h)` against `log h`, if any.
    public var slope: Double?
    /// The directional derivative `<g, d>` the gradient claims.
    public var directionalDerivative: Double
    public var evaluations: Int
}

/// Judges a Taylor-remainder test.
///
/// ```
/// pass          slope >= passSlope (1.8)     remainder O(h^2) or smaller
/// fail          slope <= failSlope (1.3)     remainder O(h): the gradient is wrong along d
/// inconclusive  in between, or no slope (remainder below round-off everywhere)
/// ```
/// The thresholds sit well away from 1 and 2: the fit covers a factor 128 in `h`, where the
/// next Taylor term moves a correct slope by a few hundredths at most.
public func judge(_ test: TaylorRemainderTest, passSlope: Double = 1.8, failSlope: Double = 1.3) -> TaylorCheck {
    let verdict: Verdict
    if case .inconclusive(let reason) = test.status {
        verdict = .inconclusive(reason: "Taylor remainder: \(reason)")
    } else if let s = test.slope, s >= passSlope {
        verdict = .pass
    } else if let s = test.slope, s <= failSlope {
        verdict = .fail
    } else {
        verdict = .inconclusive(reason: "Taylor remainder: slope \(test.slope.map { "\($0)" } ?? "none") is between \(failSlope) and \(passSlope)")
    }
    return TaylorCheck(verdict: verdict, slope: test.slope, directionalDerivative: test.directionalDerivative, evaluations: test.evaluations)
}
