// The statistics of the regression gate: a rank test on the pair ratios of two runs, and a
// bootstrap interval of the change of their medians. Both are distribution-free: pair ratios
// are skewed (an interrupted sample only ever makes a pair slower) and few (7 in a quick run).
import ADCatalog
import Foundation

/// The Mann–Whitney U test (Wilcoxon rank-sum test) of two samples.
public enum RankTest {
    /// The one-sided p-value of "`x` tends to be larger than `y`":
    ///
    /// ```
    /// U = #{(i, j): x_i > y_j} + ½ #{(i, j): x_i = y_j}
    /// p = P(U' ≥ U) under H0 (x and y drawn from one distribution)
    /// ```
    ///
    /// Exact (the null distribution of U by counting, ties as halves) when
    /// `x.count * y.count <= 20_000`, else the normal approximation with a continuity
    /// correction. Returns 1 when either sample is empty.
    public static func pGreater(_ x: [Double], _ y: [Double]) -> Double {
        let n = x.count, m = y.count
        guard n > 0, m > 0 else { return 1 }
        var u2 = 0  // 2U, an integer with ties counted as halves
        for a in x {
            for b in y {
                if a > b { u2 += 2 } else if a == b { u2 += 1 }
            }
        }
        if n * m <= 20_000 {
            // counts[k] = number of rank arrangements of n x's among n + m with U = k.
            let counts = uDistribution(n, m)
            let total = counts.reduce(0, +)
            // U ≥ u2 / 2: with a tie the observed U is k + ½, and P(U' ≥ k + ½) = P(U' ≥ k + 1).
            let threshold = (u2 + 1) / 2
            let tail = counts[Swift.min(threshold, counts.count - 1)...].reduce(0, +)
            return threshold >= counts.count ? 0 : Swift.min(1, tail / total)
        }
        let mean = Double(n * m) / 2
        let sd = (Double(n * m) * Double(n + m + 1) / 12).squareRoot()
        let z = (Double(u2) / 2 - mean - 0.5) / sd
        return 0.5 * erfc(z / 2.0.squareRoot())
    }

    /// The number of arrangements giving each U = 0 … n m, as Doubles (they overflow Int for
    /// large samples; their ratio is what is used).
    static func uDistribution(_ n: Int, _ m: Int) -> [Double] {
        // f(i, j)[k]: arrangements of i x's and j y's with U = k; f(i, j) = f(i-1, j) shifted by j + f(i, j-1).
        var table = Array(repeating: [Double](), count: m + 1)
        for j in 0...m { table[j] = [1] }  // i = 0: U = 0 in one way
        for i in 1...n {
            var row = Array(repeating: [Double](), count: m + 1)
            row[0] = [1]  // j = 0: U = 0
            for j in 1...m {
                var next = Array(repeating: 0.0, count: i * j + 1)
                let withX = table[j]  // x last: it beats all j y's
                for (k, c) in withX.enumerated() where k + j < next.count { next[k + j] += c }
                let withY = row[j - 1]  // y last: no x beats it
                for (k, c) in withY.enumerated() { next[k] += c }
                row[j] = next
            }
            table = row
        }
        return table[m]
    }
}

/// The median of a sample (the mean of the two middle values for an even count).
func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
}

/// A percentile bootstrap interval of `median(current) / median(baseline)`: both samples are
/// resampled with replacement, `resamples` times, from a fixed seed (the same data give the
/// same interval). Returns the `(1 - level) / 2` and `(1 + level) / 2` quantiles.
public func bootstrapMedianRatio(
    _ current: [Double], _ baseline: [Double], level: Double = 0.99, resamples: Int = 2_000, seed: UInt64 = 0x5eed
) -> (lower: Double, upper: Double) {
    guard !current.isEmpty, !baseline.isEmpty else { return (.nan, .nan) }
    var random = SplitMix64(seed: seed)
    var ratios: [Double] = []
    ratios.reserveCapacity(resamples)
    var a = current, b = baseline
    for _ in 0..<resamples {
        for k in a.indices { a[k] = current[Int(random.next() % UInt64(current.count))] }
        for k in b.indices { b[k] = baseline[Int(random.next() % UInt64(baseline.count))] }
        ratios.append(median(a) / median(b))
    }
    ratios.sort()
    func quantile(_ q: Double) -> Double {
        let h = q * Double(ratios.count - 1)
        let lo = Int(h.rounded(.down)), hi = Swift.min(lo + 1, ratios.count - 1)
        return ratios[lo] + (h - Double(lo)) * (ratios[hi] - ratios[lo])
    }
    return (quantile((1 - level) / 2), quantile((1 + level) / 2))
}

/// Times as the reports write them.
public enum TimeText {
    /// Seconds, to three significant digits, in the unit that reads best (`220 ns`, `1.95 µs`).
    public static func seconds(_ t: Double) -> String {
        if t >= 1 { return String(format: "%.3g s", t) }
        if t >= 1e-3 { return String(format: "%.3g ms", t * 1e3) }
        if t >= 1e-6 || t == 0 { return String(format: "%.3g µs", t * 1e6) }
        return String(format: "%.3g ns", t * 1e9)
    }
}
