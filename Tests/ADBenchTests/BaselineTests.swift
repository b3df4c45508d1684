// The regression gate and the targets, on synthetic reports: a slower ratio must fail the gate,
// a missed target must say so.
import Testing
@testable import ADBench

func environment(_ configuration: String = "release") -> BenchEnvironment {
    BenchEnvironment(adverify: "test", swift: "6.3", platform: "test", cpu: "test", cores: 2, gsl: "2.7", blas: "OpenBLAS", blasThreads: 1, buildConfiguration: configuration)
}

func timing(_ family: String, _ size: Int, _ method: MethodID, ratio: Double, label: String? = nil) -> MethodTiming {
    MethodTiming(
        family: family, size: size, label: label, method: method, primalSeconds: 1e-6,
        seconds: Spread([ratio * 1e-6]), ratio: Spread([ratio * 0.95, ratio, ratio * 1.05]), evaluations: 1, agreement: 0, note: nil)
}

func report(reverse: [Int: Double], native: Double = 0.8, swiftAD: Double = 20, quick: Bool = true, configuration: String = "release") -> BenchReport {
    var r = BenchReport(quick: quick, environment: environment(configuration), settings: .quick, startedAt: "now")
    var f = FamilyResult(name: "sum-sin-exp", description: "", sizeName: "n")
    for (n, ratio) in reverse.sorted(by: { $0.key < $1.key }) {
        f.measurements.append(timing("sum-sin-exp", n, .primal, ratio: 1))
        f.measurements.append(timing("sum-sin-exp", n, .reverse, ratio: ratio))
        f.measurements.append(timing("sum-sin-exp", n, .nativeClosure, ratio: native))
        f.measurements.append(timing("sum-sin-exp", n, .swiftADGradient, ratio: swiftAD))
    }
    r.families = [f]
    return r
}

@Suite struct BaselineTests {
    @Test func theGateWatchesAdverifysRatiosNotThePeers() {
        let entries = Baseline.entries(of: report(reverse: [10: 2, 100: 2.1]))
        let keys = Set(entries.map(\.key))
        #expect(keys.contains("sum-sin-exp/10/reverse"))
        #expect(keys.contains("sum-sin-exp/100/primal-over-native"))
        #expect(!keys.contains { $0.hasSuffix("swift-ad-gradient") || $0.hasSuffix("/primal") })
        #expect(entries.first { $0.key == "sum-sin-exp/10/primal-over-native" }?.value == 1 / 0.8)
    }

    @Test func aSlowerRatioIsARegressionAndNoiseIsNot() {
        let baseline = Baseline(report: report(reverse: [10: 2, 100: 2]), createdAt: "then")
        let same = baseline.compare(report(reverse: [10: 2.4, 100: 1.9]))
        #expect(same.allSatisfy { $0.status == .ok })
        let slower = baseline.compare(report(reverse: [10: 3.2, 100: 2]))
        #expect(slower.first { $0.key == "sum-sin-exp/10/reverse" }?.status == .regression)
        #expect(slower.first { $0.key == "sum-sin-exp/100/reverse" }?.status == .ok)
        // A slower primal shows as primal / native growing.
        let slowPrimal = baseline.compare(report(reverse: [10: 2, 100: 2], native: 0.4))
        #expect(slowPrimal.filter { $0.status == .regression }.map(\.key).sorted() == ["sum-sin-exp/10/primal-over-native", "sum-sin-exp/100/primal-over-native"])
        // Near 1 the slack keeps 1.0 -> 1.2 from counting although it is 1.2x.
        #expect(slowPrimal.allSatisfy { $0.status != .improved })
    }

    @Test func missingNewAndImprovedEntries() {
        let baseline = Baseline(report: report(reverse: [10: 3, 100: 3]), createdAt: "then")
        let rows = baseline.compare(report(reverse: [10: 1.5, 1000: 2]))
        #expect(rows.first { $0.key == "sum-sin-exp/10/reverse" }?.status == .improved)
        #expect(rows.first { $0.key == "sum-sin-exp/100/reverse" }?.status == .missing)
        #expect(rows.first { $0.key == "sum-sin-exp/1000/reverse" }?.status == .new)
        #expect(!rows.contains { $0.status == .regression })
    }

    @Test func aNonFiniteRatioIsARegression() {
        let baseline = Baseline(report: report(reverse: [10: 2]), createdAt: "then")
        #expect(baseline.compare(report(reverse: [10: .infinity])).contains { $0.status == .regression })
    }
}

@Suite struct TargetTests {
    @Test func flatCheapGradientsMeetTheTarget() {
        var r = report(reverse: [10: 2, 100: 2.1, 1_000: 2.2, 10_000: 2.1, 100_000: 2.0, 1_000_000: 2.2], quick: false)
        r.targets = TargetJudge.judge(r)
        #expect(r.targets[0].met == true)
        #expect(r.targets[1].met == true)  // primal / native = 1.25
        #expect(r.targets[2].met == true)  // Swift AD 10x slower
    }

    @Test func missedTargetsSaySo() {
        let over = TargetJudge.judge(report(reverse: [10: 2, 100: 2.7], native: 0.5, swiftAD: 1))
        #expect(over[0].met == false && over[0].measured.contains("2.70 (n = 100)"))
        #expect(over[1].met == nil)  // no n = 10^4 in this run
        #expect(over[2].met == false)
        // Not flat: 1.2 at n = 10, 2.4 at n = 10^4.
        let steep = TargetJudge.judge(report(reverse: [10: 1.2, 10_000: 2.4], native: 0.5))
        #expect(steep[0].met == false)
        #expect(steep[1].met == false && steep[1].measured.contains("2.00"))
    }

    @Test func aDebugBuildJudgesNothing() {
        let targets = TargetJudge.judge(report(reverse: [10: 2], configuration: "debug"))
        #expect(targets.allSatisfy { $0.met == nil && $0.note?.contains("debug") == true })
    }
}
