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

    @Test func samplesLastTheSampleTimeAndPairsStayInTheBudget() {
        let settings = TimingSettings(sampleSeconds: 0.002, pairs: 5, minimumPairs: 3, budgetSeconds: 0.05)
        let sampler = Sampler(settings: settings)
        var calls = 0
        func work() -> Double {
            calls += 1
            var s = 0.0
            for i in 0..<200 { s += Double(i).squareRoot() }
            return s
        }
        let (repetitions, perCall) = sampler.calibrate(work)
        #expect(Double(repetitions) * perCall >= settings.sampleSeconds)
        let t = sampler.pair(primal: work, method: work)
        #expect(t.ratio.count >= settings.minimumPairs && t.ratio.count <= settings.pairs)
        #expect(t.repetitions.count == 2 && t.repetitions.allSatisfy { $0 >= 1 })
        #expect(t.ratio.min <= t.ratio.median && t.ratio.median <= t.ratio.max)
        #expect(calls > 0)
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
