// performance.md's section on what a whole ADCheck gradient check costs, and its JSON.
import ADBench
import Foundation
@testable import ADReport
import Testing

@Suite("The check-cost section of performance.md")
struct CheckCostReportTests {
    static func environment() -> BenchEnvironment {
        BenchEnvironment(adverify: "test", swift: "6.3", platform: "test", cpu: "test", cores: 2, gsl: "2.7", blas: "OpenBLAS", blasThreads: 1, buildConfiguration: "release")
    }

    static let rows = [
        CheckCost(function: "sum-sin-exp", inputs: 100, mode: "full", entries: 100, evaluations: 4087, seconds: 8.03e-3, evaluationSeconds: 1.55e-6, verdict: "pass"),
        CheckCost(function: "sum-sin-exp", inputs: 100, mode: "fast", entries: 13, evaluations: 287, seconds: 1.13e-3, evaluationSeconds: 1.82e-6, verdict: "pass"),
        CheckCost(
            function: "mlp | loss", inputs: 57168, mode: "full (estimated)", entries: 57168, evaluations: 3_007_608, seconds: 175,
            evaluationSeconds: 58.1e-6, verdict: "pass", sampled: 200),
    ]

    @Test("Each check is a row: evaluations, per input, seconds, the check in evaluations' time, an estimate says so")
    func rendered() throws {
        let report = BenchReport(quick: true, environment: Self.environment(), settings: .quick, startedAt: "now")
        #expect(!PerformanceReport.render(report, comparison: nil, plots: []).contains("What a gradient check costs"))
        let markdown = PerformanceReport.render(report, comparison: nil, plots: [], checkCost: Self.rows)
        #expect(markdown.contains("## What a gradient check costs (ADCheck)"))
        let lines = markdown.split(separator: "\n").map(String.init)
        let full = try #require(lines.first { $0.hasPrefix("| sum-sin-exp | 100 | full |") })
        // 4087 / 100 inputs = 40.9 per input; 8.03 ms / 1.55 µs = 5181 evaluations' time.
        #expect(full.contains("| 4087 | 40.9 |"), "\(full)")
        #expect(full.contains("| 5181 |"), "\(full)")
        let estimate = try #require(lines.first { $0.contains("full (estimated) (200 sampled partials)") })
        // A pipe in the function's name is escaped: the row keeps its ten cells.
        #expect(estimate.hasPrefix(#"| mlp \| loss | 57168 |"#), "\(estimate)")
        #expect(estimate.replacingOccurrences(of: #"\|"#, with: "").filter { $0 == "|" }.count == 11, "\(estimate)")
    }
}
