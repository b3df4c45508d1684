// Fast mode's detection rate for ONE wrong partial, measured (opt-in: it runs for minutes).
//
//     ADCHECK_DETECTION=1 swift test -c release --disable-xctest --filter DetectionRate
//
// prints the table of docs/adcheck.md, "Fast mode". ADCHECK_DETECTION_TRIALS sets the trials per
// cell (default 200), ADCHECK_DETECTION_SIZES the sizes (default 10,100,1000,10000);
// ADCHECK_DETECTION_VERBOSE=1 prints every failing check.
import ADCatalog
import ADCheck
import Foundation
import Testing

private let environment = ProcessInfo.processInfo.environment

@Suite("Fast mode's detection rate (ADCHECK_DETECTION=1)")
struct DetectionRateTests {
    /// sum-sin-exp in Double without the generic wrapper (the measurement calls it ~10^8 times).
    static func f(_ x: [Double]) -> Double {
        let n = Double(x.count)
        var s = 0.0
        for i in 0..<(x.count - 1) { s += sin(x[i]) * x[i + 1] + exp(x[i] / n) }
        return s
    }

    struct Cell {
        var failed = 0
        var byDirection = 0, bySample = 0, byTaylor = 0
    }

    @Test(.enabled(if: environment["ADCHECK_DETECTION"] == "1"))
    func table() {
        let trials = environment["ADCHECK_DETECTION_TRIALS"].flatMap(Int.init) ?? 200
        let sizes = environment["ADCHECK_DETECTION_SIZES"].map { $0.split(separator: ",").compactMap { Int($0) } }
            ?? [10, 100, 1000, 10_000]
        let deltas = [1e-2, 1e-4, 1e-6, 1e-8]
        print("| n | " + deltas.map { "δ = \($0)" }.joined(separator: " | ") + " | false fails | evaluations per check (correct) |")
        print("|---|" + String(repeating: "---|", count: deltas.count + 2))
        for n in sizes {
            var cells = [Cell](repeating: Cell(), count: deltas.count)
            var falseFails = 0, evaluations = 0
            for trial in 0..<trials {
                let seed = UInt64(n) &* 7919 &+ UInt64(trial) &+ 11
                var generator = SplitMix64(seed: seed ^ 0xDE7E_C7)
                let x = randomPoint(n, seed: seed)
                let g = sumSinExpGradient(x)
                let size = norm(g)
                let wrong = Int(generator.next() % UInt64(n))
                let sign: Double = generator.next() & 1 == 0 ? 1 : -1
                let options = CheckOptions(seed: seed, mode: .fast)
                let right = ADCheck.check(function: Self.f, gradient: g, at: x, options: options)
                if right.verdict.isFail { falseFails += 1 }
                evaluations += right.evaluations
                for (k, delta) in deltas.enumerated() {
                    var bad = g
                    bad[wrong] += sign * delta * size
                    let result = ADCheck.check(function: Self.f, gradient: bad, at: x, options: options)
                    guard result.verdict.isFail else { continue }
                    if environment["ADCHECK_DETECTION_VERBOSE"] == "1" { print("n = \(n), δ = \(delta): \(result)") }
                    cells[k].failed += 1
                    let failures = result.failures
                    if failures.contains(where: { $0.quantity.hasPrefix("⟨g, d") }) { cells[k].byDirection += 1 }
                    if failures.contains(where: { $0.input == wrong }) { cells[k].bySample += 1 }
                    if failures.contains(where: { $0.quantity.hasPrefix("Taylor") }) { cells[k].byTaylor += 1 }
                }
            }
            let rate = { (c: Cell) in
                String(format: "%.1f%% (d %d, s %d, T %d)", 100 * Double(c.failed) / Double(trials), c.byDirection, c.bySample, c.byTaylor)
            }
            print("| \(n) | " + cells.map(rate).joined(separator: " | ")
                + " | \(falseFails) of \(trials) | \(evaluations / trials) |")
            #expect(falseFails == 0, "n = \(n): \(falseFails) false fails")
        }
    }
}
