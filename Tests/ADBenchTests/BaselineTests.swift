// The regression gate and the targets, on synthetic reports: a clear slowdown beyond an entry's
// noise must fail the gate, noise must not, an entry too noisy to gate must say so, and a missed
// target must say so.
import Foundation
import Testing
@testable import ADBench
import ADCatalog

func environment(_ configuration: String = "release") -> BenchEnvironment {
    BenchEnvironment(adverify: "test", swift: "6.3", platform: "test", cpu: "test", cores: 2, gsl: "2.7", blas: "OpenBLAS", blasThreads: 1, buildConfiguration: configuration)
}

/// Pair ratios around `ratio`: `count` values spread by a relative `noise` (seeded).
func pairRatios(_ ratio: Double, noise: Double = 0.03, count: Int = 7, seed: UInt64 = 1) -> [Double] {
    var random = SplitMix64(seed: seed)
    return (0..<count).map { _ in ratio * (1 + noise * random.uniform(-1, 1)) }
}

func timing(_ family: String, _ size: Int, _ method: MethodID, ratio: Double, label: String? = nil, noise: Double = 0.03, seed: UInt64 = 1) -> MethodTiming {
    MethodTiming(
        family: family, size: size, label: label, method: method, primalSeconds: 1e-6,
        seconds: Spread([ratio * 1e-6]), ratio: Spread(pairRatios(ratio, noise: noise, seed: seed &+ UInt64(size))), evaluations: 1, agreement: 0, note: nil)
}

func report(reverse: [Int: Double], native: Double = 0.8, swiftAD: Double = 20, handAdjoint: Double? = nil, jax: Double? = nil,
            hvp: [Int: Double] = [:], quick: Bool = true, configuration: String = "release", noise: Double = 0.03, seed: UInt64 = 1) -> BenchReport {
    var r = BenchReport(quick: quick, environment: environment(configuration), settings: .quick, startedAt: "now")
    var f = FamilyResult(name: "sum-sin-exp", description: "", sizeName: "n")
    for (n, ratio) in reverse.sorted(by: { $0.key < $1.key }) {
        f.measurements.append(timing("sum-sin-exp", n, .primal, ratio: 1, noise: noise, seed: seed))
        f.measurements.append(timing("sum-sin-exp", n, .reverse, ratio: ratio, noise: noise, seed: seed &+ 100))
        f.measurements.append(timing("sum-sin-exp", n, .nativeClosure, ratio: native, noise: noise, seed: seed &+ 200))
        f.measurements.append(timing("sum-sin-exp", n, .swiftADGradient, ratio: swiftAD, noise: noise, seed: seed &+ 300))
        if let handAdjoint { f.measurements.append(timing("sum-sin-exp", n, .handAdjoint, ratio: handAdjoint, noise: noise, seed: seed &+ 400)) }
        if let jax { f.measurements.append(timing("sum-sin-exp", n, "jax-gradient", ratio: jax, noise: noise, seed: seed &+ 500)) }
        if let h = hvp[n] { f.measurements.append(timing("sum-sin-exp", n, .hvp, ratio: h, noise: noise, seed: seed &+ 600)) }
    }
    r.families = [f]
    return r
}

/// A baseline from three runs with different seeds (the runs' noise is the pairs' noise).
func baseline(reverse: [Int: Double], native: Double = 0.8, noise: Double = 0.03) -> Baseline {
    Baseline(runs: (1...3).map { report(reverse: reverse, native: native, noise: noise, seed: UInt64($0) * 1000) }, createdAt: "then")
}

@Suite struct RankTestTests {
    @Test func theNullDistributionOfUIsTheCountingOne() {
        // n = m = 3: the 20 arrangements give U = 0…9 with counts 1 1 2 3 3 3 3 2 1 1.
        #expect(RankTest.uDistribution(3, 3) == [1, 1, 2, 3, 3, 3, 3, 2, 1, 1])
        // n = 2, m = 4: 15 arrangements, U = 0…8 with counts 1 1 2 2 3 2 2 1 1.
        #expect(RankTest.uDistribution(2, 4) == [1, 1, 2, 2, 3, 2, 2, 1, 1])
    }

    @Test func completeSeparationHasTheSmallestPValue() {
        // Every x above every y: p = 1 / C(n + m, n).
        #expect(abs(RankTest.pGreater([4, 5, 6], [1, 2, 3]) - 1.0 / 20) < 1e-15)
        let seven = RankTest.pGreater(pairRatios(1.5, count: 7), pairRatios(1, count: 7, seed: 9))
        #expect(abs(seven - 1.0 / 3432) < 1e-15)
        // The other way round it is 1.
        #expect(RankTest.pGreater([1, 2, 3], [4, 5, 6]) == 1)
    }

    @Test func identicalSamplesAreNotSignificantAndTiesCountAsHalves() {
        let p = RankTest.pGreater([1, 1, 1, 1, 1], [1, 1, 1, 1, 1])
        #expect(p > 0.4)
        // x = {2}, y = {1, 2}: U = 1.5, P(U ≥ 2) = 1/3 (U' ∈ {0, 1, 2} equally likely).
        #expect(abs(RankTest.pGreater([2], [1, 2]) - 1.0 / 3) < 1e-15)
    }

    @Test func theNormalApproximationMeetsTheExactTail() {
        // 150 × 150 is past the exact limit; a shift of one standard deviation of the data is
        // very significant, none is not.
        var random = SplitMix64(seed: 77)
        let y = (0..<150).map { _ in random.uniform(0, 1) }
        let shifted = (0..<150).map { _ in random.uniform(0, 1) + 0.3 }
        #expect(RankTest.pGreater(shifted, y) < 1e-6)
        let same = (0..<150).map { _ in random.uniform(0, 1) }
        let p = RankTest.pGreater(same, y)
        #expect(p > 0.01 && p < 0.99)
        // Where both apply, exact and approximate agree to a few percent of the tail.
        let a = (0..<20).map { _ in random.uniform(0, 1) + 0.2 }, b = (0..<20).map { _ in random.uniform(0, 1) }
        let exact = RankTest.pGreater(a, b)
        let mean = 200.0, sd = (400.0 * 41 / 12).squareRoot()
        var u = 0.0
        for x in a { for y in b { u += x > y ? 1 : x == y ? 0.5 : 0 } }
        let approximate = 0.5 * erfc((u - mean - 0.5) / sd / 2.0.squareRoot())
        #expect(abs(exact - approximate) < 0.1 * exact + 1e-4)
    }

    @Test func theBootstrapIntervalHoldsTheTrueChange() {
        let interval = bootstrapMedianRatio(pairRatios(3, noise: 0.05, count: 7, seed: 3), pairRatios(2, noise: 0.05, count: 21, seed: 4))
        #expect(interval.lower < 1.5 && interval.upper > 1.5)
        #expect(interval.lower > 1.3 && interval.upper < 1.7)
        // The same data give the same interval.
        let again = bootstrapMedianRatio(pairRatios(3, noise: 0.05, count: 7, seed: 3), pairRatios(2, noise: 0.05, count: 21, seed: 4))
        #expect(again.lower == interval.lower && again.upper == interval.upper)
    }
}

@Suite struct BaselineTests {
    @Test func theGateWatchesAdverifysRatiosNotThePeers() {
        let b = baseline(reverse: [10: 2, 100: 2.1])
        let keys = Set(b.entries.map(\.key))
        #expect(keys.contains("sum-sin-exp/10/reverse"))
        #expect(keys.contains("sum-sin-exp/100/primal-over-native"))
        #expect(!keys.contains { $0.hasSuffix("swift-ad-gradient") || $0.hasSuffix("/primal") })
        let entry = b.entries.first { $0.key == "sum-sin-exp/10/primal-over-native" }
        #expect(entry.map { abs($0.value - 1 / 0.8) < 0.05 } == true)
        // Every run's pairs are pooled, each run's median kept.
        #expect(entry?.samples.count == 21 && entry?.runMedians.count == 3)
    }

    @Test func quietEntriesAreGatedAtTheMinimumThreshold() {
        let b = baseline(reverse: [10: 2, 100: 2])
        for e in b.entries where !e.key.hasPrefix("summary/") {
            #expect(e.gated, "\(e.key): \(e.reason ?? "")")
            #expect(e.threshold == Baseline.minimumThreshold)
        }
    }

    @Test func anEntryWhoseRunsMoveMoreGetsAHigherThresholdOrIsNotGated() {
        let samples = pairRatios(2, noise: 0.005, count: 21)
        // One run 15% above the others: still gated, at the floor (1.1 × 1.15 is below it).
        let moved = Baseline.judged(BaselineEntry(key: "sum-sin-exp/10/reverse", description: "", samples: samples, runMedians: [2, 2, 2.3]))
        #expect(moved.gated)
        #expect(moved.threshold == Baseline.minimumThreshold)
        // 25% above: the threshold is 1.1 times the deviation, and a 1.5x slowdown in a run that
        // lands that low would show as 1.2x, under it: not gated.
        let wide = Baseline.judged(BaselineEntry(key: "sum-sin-exp/10/reverse", description: "", samples: samples, runMedians: [2, 2, 2.5]))
        #expect(abs(wide.threshold - 1.1 * wide.runDeviation) < 1e-12 && wide.threshold > Baseline.minimumThreshold)
        #expect(!wide.gated)
        // 40% above: a 1.5x slowdown could hide in that, so it is reported, not gated.
        let noisy = Baseline.judged(BaselineEntry(key: "sum-sin-exp/10/reverse", description: "", samples: samples, runMedians: [2, 2, 2.8]))
        #expect(!noisy.gated)
        #expect(noisy.reason?.contains("1.5x slowdown could not be told") == true)
        // A quiet summary gets the lower floor.
        let summary = Baseline.judged(BaselineEntry(key: "summary/reverse", description: "", samples: Array(repeating: 1, count: 21), runMedians: [1, 1, 1]))
        #expect(summary.threshold == Baseline.minimumSummaryThreshold)
    }

    @Test func theBatchOneGEMMAndMultithreadedRatiosAreNeverGated() {
        #expect(Baseline.ungatedByRule("mlp/threads-1/1/over-gemm")?.contains("dgemv") == true)
        #expect(Baseline.ungatedByRule("mlp/threads-1/64/over-gemm") == nil)
        #expect(Baseline.ungatedByRule("mlp/threads-2/64/loss-and-gradient")?.contains("wall clock") == true)
        #expect(Baseline.ungatedByRule("sum-sin-exp/1/reverse") == nil)
        #expect(Baseline.ungatedByRule("sum-sin-exp/10000/primal-over-native")?.contains("shared machine") == true)
        #expect(Baseline.ungatedByRule("sum-sin-exp/1000/primal-over-native") == nil)
    }

    @Test func aClearSlowdownIsARegressionAndNoiseIsNot() {
        let b = baseline(reverse: [10: 2, 100: 2])
        // 10% slower everywhere, 20% scatter: ok.
        let noisy = b.compare(report(reverse: [10: 2.2, 100: 1.9], noise: 0.2, seed: 42))
        #expect(noisy.count == 4, "\(noisy.map(\.key))")
        #expect(noisy.allSatisfy { $0.status == .ok }, "\(noisy.filter { $0.status != .ok })")
        // A planted 1.5x at n = 10 only.
        let slower = b.compare(report(reverse: [10: 3, 100: 2], seed: 43))
        #expect(slower.first { $0.key == "sum-sin-exp/10/reverse" }?.status == .regression)
        #expect(slower.first { $0.key == "sum-sin-exp/100/reverse" }?.status == .ok)
        let row = slower.first { $0.key == "sum-sin-exp/10/reverse" }!
        #expect(row.pValue.map { $0 < 1e-4 } == true)
        #expect(row.interval.map { $0.lower < 1.5 && $0.upper > 1.5 } == true)
        // A slower primal shows as primal / native growing.
        let slowPrimal = b.compare(report(reverse: [10: 2, 100: 2], native: 0.4, seed: 44))
        #expect(slowPrimal.filter { $0.status == .regression }.map(\.key).sorted() == ["sum-sin-exp/10/primal-over-native", "sum-sin-exp/100/primal-over-native"])
    }

    @Test func aChangeAboveTheThresholdThatIsNotClearIsNotARegression() {
        let b = baseline(reverse: [10: 2])
        // Median 1.4x, but three of seven pairs at the baseline's level: the rank test is not
        // sure at p < 0.001, so it is neither a regression nor a suspect.
        var r = report(reverse: [10: 2])
        r.families[0].measurements[1].ratio = Spread([2.8, 2.8, 2.8, 2.8, 2.0, 2.0, 2.0])
        let row = b.compare(r).first { $0.key == "sum-sin-exp/10/reverse" }!
        #expect(row.change.map { $0 > Baseline.minimumThreshold } == true)
        #expect(row.status == .ok && !row.isSuspect)
        #expect(row.pValue.map { $0 > 0.001 } == true)
    }

    @Test func missingNewImprovedAndUngatedEntries() {
        let b = baseline(reverse: [10: 3, 100: 3])
        let rows = b.compare(report(reverse: [10: 1.5, 1000: 2]))
        #expect(rows.first { $0.key == "sum-sin-exp/10/reverse" }?.status == .improved)
        #expect(rows.first { $0.key == "sum-sin-exp/100/reverse" }?.status == .missing)
        #expect(rows.first { $0.key == "sum-sin-exp/1000/reverse" }?.status == .new)
        #expect(!rows.contains { $0.status == .regression })
        var ungated = b
        for k in ungated.entries.indices { ungated.entries[k].gated = false }
        let slower = ungated.compare(report(reverse: [10: 6, 100: 3]))
        #expect(slower.first { $0.key == "sum-sin-exp/10/reverse" }?.status == .slower)
        #expect(!slower.contains { $0.status == .regression })
    }

    @Test func aNonFiniteRatioIsARegression() {
        let b = baseline(reverse: [10: 2])
        #expect(b.compare(report(reverse: [10: .infinity])).contains { $0.status == .regression })
    }

    @Test func theSummarySeesASlowdownSpreadOverEntriesTooNoisyToGate() {
        var b = baseline(reverse: [10: 2, 100: 2, 1000: 2, 10000: 2])
        for k in b.entries.indices where !b.entries[k].key.hasPrefix("summary/") {
            b.entries[k].gated = false
            b.entries[k].threshold = 1.6
        }
        let summary = b.entries.first { $0.key == "summary/reverse" }
        #expect(summary?.gated == true && summary?.value == 1)
        // Every reverse ratio 1.4x: no single entry regresses (threshold 1.6), the mean does.
        let rows = b.compare(report(reverse: [10: 2.8, 100: 2.8, 1000: 2.8, 10000: 2.8], seed: 45))
        #expect(rows.first { $0.key == "summary/reverse" }?.status == .regression)
        #expect(!rows.contains { $0.status == .regression && !$0.key.hasPrefix("summary/") })
        #expect(b.measurementKeys(for: rows.filter(\.isSuspect)) == Set([10, 100, 1000, 10000].map { "sum-sin-exp/\($0)/reverse" }))
    }

    @Test func aSuspectThatIsFineWhenRemeasuredIsCleared() {
        let b = baseline(reverse: [10: 2, 100: 2])
        let first = b.compare(report(reverse: [10: 3, 100: 3], seed: 46))
        #expect(first.filter(\.isSuspect).count == 2)
        // Just under the threshold is a suspect too (a low run hides part of a slowdown), not a regression.
        let near = b.compare(report(reverse: [10: 2.5, 100: 2], seed: 49)).first { $0.key == "sum-sin-exp/10/reverse" }!
        #expect(near.isSuspect && near.status == .ok)
        #expect(b.measurementKeys(for: first.filter(\.isSuspect)) == ["sum-sin-exp/10/reverse", "sum-sin-exp/100/reverse"])
        // Re-measured: n = 10 is back to 2 (both runs' pairs together: 1.25x, under 1.3), n = 100 is still 1.5x.
        let rows = b.confirm(first, first: report(reverse: [10: 3, 100: 3], seed: 46), remeasured: report(reverse: [10: 2, 100: 3], seed: 47))
        let cleared = rows.first { $0.key == "sum-sin-exp/10/reverse" }!
        #expect(cleared.status == .ok && cleared.firstChange.map { $0 > 1.4 } == true)
        #expect(rows.first { $0.key == "sum-sin-exp/100/reverse" }?.status == .regression)
        // The native-closure measurement stands for primal-over-native.
        #expect(Baseline.measurementKey(of: "textbook/peharz/1/primal-over-native") == "textbook/peharz/1/native-closure")
    }

    @Test func anEarlierRunAsTheBaselineBorrowsTheCommittedThresholds() {
        let committed = baseline(reverse: [10: 2, 100: 2])
        var noisy = committed
        let index = noisy.entries.firstIndex { $0.key == "sum-sin-exp/10/reverse" }!
        noisy.entries[index].gated = false
        noisy.entries[index].reason = "noisy here"
        noisy.entries[index].threshold = 1.7
        let other = Baseline(report: report(reverse: [10: 2, 100: 2], seed: 48), createdAt: "base", noise: noisy)
        let entry = other.entries.first { $0.key == "sum-sin-exp/10/reverse" }!
        #expect(!entry.gated && entry.threshold == 1.7 && entry.reason == "noisy here")
        #expect(other.entries.first { $0.key == "sum-sin-exp/100/reverse" }?.gated == true)
    }

    @Test func aSchemaOneBaselineStillReads() throws {
        let json = """
            {"schemaVersion": 1, "createdAt": "then", "quick": true, "factor": 1.5, "slack": 0.25,
             "environment": {"adverify": "0.4.0", "swift": "6.3", "platform": "p", "cpu": "c", "cores": 2, "gsl": "2.7.1", "blas": "b", "blasThreads": 2, "buildConfiguration": "release"},
             "entries": [{"key": "sum-sin-exp/10/reverse", "description": "d", "value": 2}]}
            """
        let b = try BenchJSON.decoder.decode(Baseline.self, from: Data(json.utf8))
        let e = try #require(b.entries.first)
        #expect(e.samples == [2] && e.gated && e.threshold == 1.5)
        // One sample cannot carry a rank test: the threshold alone decides.
        let rows = b.compare(report(reverse: [10: 3.2]))
        #expect(rows.first { $0.key == "sum-sin-exp/10/reverse" }?.status == .regression)
    }

    @Test func theMachineIsComparedField() {
        let b = baseline(reverse: [10: 2])
        #expect(b.machineDifferences(environment()).isEmpty)
        var other = environment()
        other.blas = "OpenBLAS Cooperlake"
        other.cores = 4
        let differences = b.machineDifferences(other)
        #expect(differences.count == 2)
        #expect(differences.contains("BLAS: OpenBLAS → OpenBLAS Cooperlake"))
    }
}

@Suite struct TargetTests {
    @Test func flatCheapGradientsMeetTheTarget() {
        var r = report(reverse: [10: 2, 100: 2.1, 1_000: 2.2, 10_000: 2.1, 100_000: 2.0, 1_000_000: 2.2], native: 0.9,
                       handAdjoint: 1.6, jax: 3, quick: false, noise: 0)
        r.targets = TargetJudge.judge(r)
        #expect(r.targets.count == 6)
        #expect(r.targets[5].met == nil && r.targets[5].measured == "not measured")
        #expect(r.targets[0].met == true)
        #expect(r.targets[1].met == true && r.targets[1].measured.contains("1.11 (n = 10^3)"))  // primal / native = 1.11
        #expect(r.targets[2].met == true && r.targets[2].measured.contains("1.31"))  // 2.1 / 1.6
        #expect(r.targets[3].met == true && r.targets[3].measured.contains("2.1 µs against 3 µs"))
        #expect(r.targets[4].met == true)  // Swift AD 10x slower
    }

    @Test func missedTargetsSaySo() {
        let over = TargetJudge.judge(report(reverse: [10: 2, 100: 2.7], native: 0.5, swiftAD: 1, noise: 0))
        #expect(over[0].met == false && over[0].measured.contains("2.70 (n = 100)"))
        #expect(over[1].met == nil)  // no n >= 10^3 in this run
        #expect(over[2].met == nil)  // no n = 10^4
        #expect(over[3].met == nil && over[3].measured.contains("--peers python"))  // JAX not measured
        #expect(over[4].met == false)
        // Not flat: 1.2 at n = 10, 2.4 at n = 10^4; the native loop twice as fast; the hand-written
        // adjoint at 1 primal; JAX at 2 primals: faster than adverify at n = 10^4 only.
        let steep = TargetJudge.judge(report(reverse: [10: 1.2, 10_000: 2.4], native: 0.5, handAdjoint: 1, jax: 2, noise: 0))
        #expect(steep[0].met == false)
        #expect(steep[1].met == false && steep[1].measured.contains("2.00") && steep[1].note?.contains("missed by 67%") == true)
        #expect(steep[2].met == false && steep[2].measured.contains("2.40") && steep[2].note?.contains("missed by 60%") == true)
        #expect(steep[3].met == false && steep[3].note?.contains("at n = 10^4 JAX is 1.20x faster") == true)
    }

    @Test func hessianVectorProductsAgainstTheGradient() {
        // HVP / gradient = (HVP / primal) / (gradient / primal): 5 / 2.5 = 2 and 4.6 / 2.3 = 2.
        let flat = TargetJudge.judge(report(reverse: [10: 2.5, 10_000: 2.3], hvp: [10: 5, 10_000: 4.6], noise: 0))[5]
        #expect(flat.target.contains("Hessian-vector product") && flat.met == true)
        #expect(flat.measured.contains("2.00 (n = 10)") && flat.measured.contains("2.00 (n = 10^4)"))
        // Over 3x at one n.
        let over = TargetJudge.judge(report(reverse: [10: 2, 100: 2], hvp: [10: 5, 100: 7], noise: 0))[5]
        #expect(over.met == false && over.measured.contains("3.50 (n = 100)") && over.note != nil)
        // Under 3x everywhere but not flat: 1.5 against 2.5.
        let steep = TargetJudge.judge(report(reverse: [10: 2, 10_000: 2], hvp: [10: 3, 10_000: 5], noise: 0))[5]
        #expect(steep.met == false && steep.measured.contains("largest / smallest = 1.67"))
    }

    @Test func peharzAgainstSwiftAD() {
        func textbook(reverse: Double, swift: Double) -> BenchReport {
            var r = report(reverse: [10: 2])
            var f = FamilyResult(name: "textbook", description: "", sizeName: "inputs")
            f.measurements.append(timing("textbook", 1, .reverse, ratio: reverse, label: "peharz-backward-pass", noise: 0))
            f.measurements.append(timing("textbook", 1, .swiftADGradient, ratio: swift, label: "peharz-backward-pass", noise: 0))
            r.families.append(f)
            return r
        }
        let slow = TargetJudge.judge(textbook(reverse: 2, swift: 0.6)).last!
        #expect(slow.target.contains("Peharz") && slow.met == false && slow.measured.contains("3.33"))
        #expect(slow.note?.contains("missed by 33%") == true)
        let fast = TargetJudge.judge(textbook(reverse: 1.2, swift: 0.6)).last!
        #expect(fast.met == true && fast.note == nil)
    }

    @Test func aDebugBuildJudgesNothing() {
        let targets = TargetJudge.judge(report(reverse: [10: 2], configuration: "debug"))
        // The six sum-sin-exp targets, each unjudged (not vacuously: there are six).
        #expect(targets.count == 6)
        #expect(targets.allSatisfy { $0.met == nil && $0.note?.contains("debug") == true })
    }
}
