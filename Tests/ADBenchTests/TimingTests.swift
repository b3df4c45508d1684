// The sampler's mechanics (not its speed): spreads, calibration, pair counts.
import Testing
@testable import ADBench

@Suite struct TimingTests {
    @Test func spreadOfOddAndEvenCounts() {
        let odd = Spread([3, 1, 2])
        #expect(odd.median == 2 && odd.min == 1 && odd.max == 3 && odd.count == 3)
        let even = Spread([4, 1, 3, 2])
        #expect(even.median == 2.5 && even.relativeWidth == 3 / 2.5)
        #expect(even.scaled(by: 2).median == 5)
        // Quartiles interpolate between order statistics: 1.75 and 3.25 of 1, 2, 3, 4.
        #expect(even.lowerQuartile == 1.75 && even.upperQuartile == 3.25)
        #expect(even.relativeInterquartileRange == 1.5 / 2.5)
        // One disturbed sample moves the range, not the interquartile range.
        let outlier = Spread([1, 1, 1, 1, 1, 1, 9])
        #expect(outlier.relativeWidth == 8 && outlier.relativeInterquartileRange == 0)
    }

    /// Known, unsorted samples whose median is neither their mean, nor the middle sample as
    /// taken, nor the neighbouring order statistic: a median taken before sorting, an average,
    /// or off by one fails here.
    @Test func spreadOfKnownUnsortedSamples() {
        let odd = Spread([9, 1, 4, 100, 2, 8, 3])  // sorted 1 2 3 4 8 9 100; mean 18.14, middle as taken 100
        #expect(odd.median == 4 && odd.min == 1 && odd.max == 100 && odd.count == 7)
        // Type 7 quartiles: h = 1.5 and 4.5 between 2, 3 and 8, 9.
        #expect(odd.lowerQuartile == 2.5 && odd.upperQuartile == 8.5)
        #expect(odd.samples == [9, 1, 4, 100, 2, 8, 3], "the samples stay in the order they were taken")
        let even = Spread([10, 1, 7, 3, 2, 50])  // sorted 1 2 3 7 10 50: median (3 + 7) / 2
        #expect(even.median == 5 && even.min == 1 && even.max == 50 && even.count == 6)
        #expect(even.lowerQuartile == 2.25 && even.upperQuartile == 9.25)
        #expect(even.relativeWidth == 49.0 / 5)
        // Inverting a ratio's spread: the median of the inverses, the extremes swapped.
        let inverse = Spread([2, 4, 8]).inverted()
        #expect(inverse.median == 0.25 && inverse.min == 0.125 && inverse.max == 0.5)
    }

    /// The sampler's pairing, from what it records (no assertion on how long anything took):
    /// each pair's ratio is that pair's method sample over that pair's primal sample, and the
    /// calls after calibration alternate in blocks of the reported repetitions, primal first in
    /// even pairs and method first in odd ones.
    @Test func pairsAreMatchedAndAlternate() throws {
        let settings = TimingSettings(sampleSeconds: 0.002, pairs: 5, minimumPairs: 3, budgetSeconds: 0.05)
        let sampler = Sampler(settings: settings)
        final class Log: @unchecked Sendable { var calls: [Character] = [] }
        let log = Log()
        func work(_ seed: Double) -> Double {
            var s = seed
            for i in 0..<200 { s += Double(i).squareRoot() }
            return s
        }
        // Calibration stops at the first repetition count whose sample lasts the sample time.
        let (repetitions, perCall) = sampler.calibrate { work(3) }
        #expect(Double(repetitions) * perCall >= settings.sampleSeconds)
        let t = sampler.pair(primal: { log.calls.append("p"); return work(1) }, method: { log.calls.append("m"); return work(2) })
        let count = t.ratio.count
        #expect(count >= settings.minimumPairs && count <= settings.pairs)
        #expect(t.primal.count == count && t.method.count == count)
        let primals = try #require(t.primal.samples), methods = try #require(t.method.samples), ratios = try #require(t.ratio.samples)
        #expect(primals.count == count && methods.count == count && ratios.count == count)
        for k in 0..<count {
            #expect(ratios[k] == methods[k] / primals[k], "pair \(k): ratio \(ratios[k]), method \(methods[k]), primal \(primals[k])")
        }
        #expect(t.ratio.median == Spread(zip(methods, primals).map { $0 / $1 }).median)

        #expect(t.repetitions.count == 2)
        let (rp, rm) = (t.repetitions[0], t.repetitions[1])
        #expect(rp >= 1 && rm >= 1)
        var expected: [Character] = []
        for k in 0..<count {
            let p = [Character](repeating: "p", count: rp), m = [Character](repeating: "m", count: rm)
            expected += k % 2 == 0 ? p + m : m + p
        }
        #expect(log.calls.count > expected.count, "calibration calls come first")
        #expect(Array(log.calls.suffix(expected.count)) == expected, "the timed calls are not \(count) alternating pairs of \(rp) primal and \(rm) method calls")
        // Calibration: the primal's calls (warm-up included) all come before the method's.
        let head = log.calls.dropLast(expected.count)
        let firstMethod = try #require(head.firstIndex(of: "m"))
        #expect(firstMethod > head.startIndex && !head[firstMethod...].contains("p"))
    }

    @Test func aSlowCallGetsTheMinimumPairs() {
        let sampler = Sampler(settings: TimingSettings(sampleSeconds: 0.001, pairs: 9, minimumPairs: 3, budgetSeconds: 0.001))
        let t = sampler.pair(primal: { slow() }, method: { slow() })
        #expect(t.ratio.count == 3)
    }

    func slow() -> Double {
        var s = 0.0
        for i in 0..<200_000 { s += Double(i).squareRoot() }
        return s
    }
}
