// Forward and reverse mode compute the same numbers in a different order: they must agree tightly.

/// The bound for forward- versus reverse-mode agreement.
///
/// ```
/// pass  iff  |forward - reverse| <= relative * max(|forward|, |reverse|, scale)
/// ```
/// Both modes apply the same local partial derivatives, only the summation order differs, so
/// they agree to a few ulps per accumulated term. `relative = 1e-12` allows ~4500 ulps, ample
/// for graphs of thousands of nodes, and is still 8 orders tighter than a finite difference.
/// `scale` (e.g. the largest entry of the gradient) keeps a near-zero partial that came out of
/// cancellation from failing on relative grounds.
public struct AgreementTolerance: Codable, Sendable, Hashable {
    public var relative: Double

    public init(relative: Double = 1e-12) { self.relative = relative }

    public static let `default` = AgreementTolerance()

    /// This tolerance for a graph of `nodeCount` nodes: `max(relative, 4 eps nodeCount)`.
    /// Both modes sum the same terms in a different order and a sum's rounding grows with its
    /// length: 1e-12 up to ~1100 nodes, 1.8e-10 at 200,000.
    public func forGraph(nodeCount: Int) -> AgreementTolerance {
        AgreementTolerance(relative: Swift.max(relative, 4 * Double.ulpOfOne * Double(nodeCount)))
    }
}

/// Forward against reverse mode for one derivative.
///
/// Non-finite values: equal infinities are inconclusive (nothing finite to compare), NaN
/// against anything fails.
public func compareModes(
    forward: Double, reverse: Double, scale: Double = 0, tolerance: AgreementTolerance = .default
) -> Comparison {
    let magnitude = Swift.max(abs(forward), abs(reverse), abs(scale))
    let budget = tolerance.relative * magnitude
    if forward == reverse, forward.isInfinite {
        // Agreeing on an infinite derivative (sqrt at 0) says nothing about a rule's correctness.
        return Comparison(
            verdict: .inconclusive(reason: "both modes give \(forward): there is no finite derivative to compare"),
            value: forward, reference: reverse, budget: budget, method: "reverse")
    }
    let agree = forward == reverse || (forward.isFinite && reverse.isFinite && abs(forward - reverse) <= budget)
    return Comparison(verdict: agree ? .pass : .fail, value: forward, reference: reverse, budget: budget, method: "reverse")
}

/// Forward against reverse mode for a gradient (or a flattened Jacobian), entry by entry, with
/// `scale` = the largest finite magnitude in either array. Different lengths fail the missing
/// entries.
public func compareModes(
    forward: [Double], reverse: [Double], tolerance: AgreementTolerance = .default
) -> [Comparison] {
    var scale = 0.0
    for v in forward where v.isFinite { scale = Swift.max(scale, abs(v)) }
    for v in reverse where v.isFinite { scale = Swift.max(scale, abs(v)) }
    let n = Swift.max(forward.count, reverse.count)
    return (0..<n).map { i in
        compareModes(
            forward: i < forward.count ? forward[i] : .nan, reverse: i < reverse.count ? reverse[i] : .nan,
            scale: scale, tolerance: tolerance)
    }
}
