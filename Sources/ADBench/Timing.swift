// Timing: a monotonic clock, samples long enough to time, and alternating pairs so that every
// pair gives its own ratio of a method to the primal.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Nanoseconds of the monotonic clock.
@inline(never)
func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// Nanoseconds of CPU time this thread has run (`CLOCK_THREAD_CPUTIME_ID`). Time the thread
/// spends waiting for a core that other processes hold is not counted, so a busy machine slows
/// a sample only through shared caches, not by taking the core away mid-sample.
@inline(never)
func threadCPUNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// Which clock a sample is timed by.
public enum TimingClock: String, Codable, Sendable, Hashable {
    /// The calling thread's CPU time: for work done on the calling thread alone.
    case threadCPU = "thread-cpu"
    /// Wall-clock time: for work spread over threads (OpenBLAS with more than one).
    case wall

    func now() -> UInt64 {
        switch self {
        case .threadCPU: threadCPUNanoseconds()
        case .wall: monotonicNanoseconds()
        }
    }
}

/// Where timed results go, so the optimizer cannot drop the work that produced them.
nonisolated(unsafe) private var sinkBits: UInt64 = 0

/// Consumes a result of timed work.
@inline(never)
func consume(_ x: Double) { sinkBits &+= x.bitPattern }

/// Median, minimum and maximum of a set of samples.
public struct Spread: Codable, Sendable, Hashable {
    public var median: Double
    public var min: Double
    public var max: Double
    /// Number of samples.
    public var count: Int
    /// The lower and upper quartiles (nil when given only median, min and max).
    public var lowerQuartile: Double?
    public var upperQuartile: Double?
    /// The samples themselves, in the order they were taken (nil in results written before
    /// they were kept): the regression gate's rank test and bootstrap use them.
    public var samples: [Double]?

    public init(median: Double, min: Double, max: Double, count: Int) {
        self.median = median
        self.min = min
        self.max = max
        self.count = count
    }

    /// The spread of `values` (at least one).
    public init(_ values: [Double]) {
        let sorted = values.sorted()
        let n = sorted.count
        precondition(n > 0, "a spread of no samples")
        median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        min = sorted[0]
        max = sorted[n - 1]
        count = n
        // Quartiles by linear interpolation between order statistics (type 7, as R and NumPy).
        func quantile(_ q: Double) -> Double {
            let h = q * Double(n - 1)
            let lo = Int(h.rounded(.down)), hi = Swift.min(lo + 1, n - 1)
            return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
        }
        lowerQuartile = quantile(0.25)
        upperQuartile = quantile(0.75)
        samples = values
    }

    /// The samples, or what stands for them in older results: the quartiles and the median
    /// (the extremes left out), each as often as its share of the count.
    public var values: [Double] {
        if let samples, !samples.isEmpty { return samples }
        guard let lowerQuartile, let upperQuartile else { return [median] }
        let quarter = Swift.max(1, count / 4)
        return Array(repeating: lowerQuartile, count: quarter) + Array(repeating: median, count: Swift.max(1, count - 2 * quarter))
            + Array(repeating: upperQuartile, count: quarter)
    }

    /// `(max - min) / median`: how far the samples scatter around the median.
    public var relativeWidth: Double { median > 0 ? (max - min) / median : .infinity }

    /// The interquartile range over the median (the range when there are no quartiles): the
    /// scatter of the middle half, which one disturbed sample does not move.
    public var relativeInterquartileRange: Double {
        guard let lowerQuartile, let upperQuartile else { return relativeWidth }
        return median > 0 ? (upperQuartile - lowerQuartile) / median : .infinity
    }

    /// Every value scaled by `factor`.
    public func scaled(by factor: Double) -> Spread {
        var s = Spread(median: median * factor, min: min * factor, max: max * factor, count: count)
        s.lowerQuartile = lowerQuartile.map { $0 * factor }
        s.upperQuartile = upperQuartile.map { $0 * factor }
        s.samples = samples.map { $0.map { $0 * factor } }
        return s
    }
}

/// How long and how often to measure.
public struct TimingSettings: Codable, Sendable, Hashable {
    /// The shortest sample: a sample repeats the timed call until it lasts at least this long.
    public var sampleSeconds: Double
    /// The most pairs (primal sample, method sample) per measurement.
    public var pairs: Int
    /// The fewest pairs, even when one call alone is longer than the budget.
    public var minimumPairs: Int
    /// The time one measurement may take before it stops at ``minimumPairs``.
    public var budgetSeconds: Double

    public init(sampleSeconds: Double = 0.01, pairs: Int = 11, minimumPairs: Int = 3, budgetSeconds: Double = 2) {
        self.sampleSeconds = sampleSeconds
        self.pairs = pairs
        self.minimumPairs = minimumPairs
        self.budgetSeconds = budgetSeconds
    }

    /// Full runs: 11 pairs of samples of at least 10 ms.
    public static let full = TimingSettings()
    /// Quick runs (CI): 7 pairs of samples of at least 10 ms, one second per measurement.
    public static let quick = TimingSettings(sampleSeconds: 0.01, pairs: 7, minimumPairs: 3, budgetSeconds: 1)
    /// Re-measuring a suspected regression: 15 pairs of samples of at least 20 ms, at least 9
    /// pairs, up to two seconds per measurement.
    public static let remeasure = TimingSettings(sampleSeconds: 0.02, pairs: 15, minimumPairs: 9, budgetSeconds: 2)
}

/// A method timed against the primal in alternating pairs.
public struct PairTiming: Codable, Sendable, Hashable {
    /// Seconds per call of the primal, over the pairs.
    public var primal: Spread
    /// Seconds per call of the method, over the pairs.
    public var method: Spread
    /// `method / primal` of each pair.
    public var ratio: Spread
    /// Calls per sample: primal, method.
    public var repetitions: [Int]
}

/// Times calls: warm-up, calibration to samples of at least ``TimingSettings/sampleSeconds``,
/// then pairs of samples in alternating order (primal first, then method first) so slow drift of
/// the machine's speed cancels within the run.
public struct Sampler: Sendable {
    public var settings: TimingSettings
    /// The clock samples are timed by: the thread's CPU time unless the work uses other threads.
    public var clock: TimingClock

    public init(settings: TimingSettings, clock: TimingClock = .threadCPU) {
        self.settings = settings
        self.clock = clock
    }

    /// Seconds for `repetitions` calls of `body`.
    func time(_ repetitions: Int, _ body: () -> Double) -> Double {
        var accumulated = 0.0
        let start = clock.now()
        for _ in 0..<repetitions { accumulated += body() }
        let end = clock.now()
        consume(accumulated)
        return Double(end &- start) * 1e-9
    }

    /// The repetitions that make one sample last at least the sample time, and the seconds per
    /// call seen while finding them. The first call is the warm-up and is not counted.
    func calibrate(_ body: () -> Double) -> (repetitions: Int, secondsPerCall: Double) {
        consume(body())
        var repetitions = 1
        while true {
            let t = time(repetitions, body)
            if t >= settings.sampleSeconds || repetitions >= 1 << 30 { return (repetitions, t / Double(repetitions)) }
            let factor = t > 0 ? settings.sampleSeconds * 1.25 / t : 100
            repetitions = Int(Double(repetitions) * Swift.min(Swift.max(factor, 2), 100))
        }
    }

    /// Seconds per call of `body` alone (no ratio): median, min, max over the pairs' budget.
    public func measure(_ body: () -> Double) -> Spread {
        let (repetitions, perCall) = calibrate(body)
        let count = pairCount(perSample: perCall * Double(repetitions))
        return Spread((0..<count).map { _ in time(repetitions, body) / Double(repetitions) })
    }

    /// Times `method` against `primal` in alternating pairs.
    public func pair(primal: () -> Double, method: () -> Double) -> PairTiming {
        let (rp, tp) = calibrate(primal)
        let (rm, tm) = calibrate(method)
        let count = pairCount(perSample: tp * Double(rp) + tm * Double(rm))
        var primals: [Double] = [], methods: [Double] = [], ratios: [Double] = []
        for k in 0..<count {
            let p: Double, m: Double
            if k % 2 == 0 {
                p = time(rp, primal) / Double(rp)
                m = time(rm, method) / Double(rm)
            } else {
                m = time(rm, method) / Double(rm)
                p = time(rp, primal) / Double(rp)
            }
            primals.append(p)
            methods.append(m)
            ratios.append(m / p)
        }
        return PairTiming(primal: Spread(primals), method: Spread(methods), ratio: Spread(ratios), repetitions: [rp, rm])
    }

    /// Pairs within the budget, at least the minimum.
    private func pairCount(perSample seconds: Double) -> Int {
        let affordable = seconds > 0 ? Int(settings.budgetSeconds / seconds) : settings.pairs
        return Swift.max(settings.minimumPairs, Swift.min(settings.pairs, affordable))
    }
}

#if os(Linux)
private let RUSAGE_SELF_WHO = __rusage_who_t(RUSAGE_SELF.rawValue)
#else
private let RUSAGE_SELF_WHO = RUSAGE_SELF
#endif

/// The peak resident set size of this process so far, in bytes (`getrusage`).
public func peakResidentBytes() -> Int {
    var usage = rusage()
    guard getrusage(RUSAGE_SELF_WHO, &usage) == 0 else { return 0 }
    #if os(Linux)
    return Int(usage.ru_maxrss) * 1024
    #else
    return Int(usage.ru_maxrss)
    #endif
}
