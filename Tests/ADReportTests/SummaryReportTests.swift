// Reports sized for where they are read: verification.md under GitHub's limit and summary.md
// under a job summary's, for the fixtures and for a run of thousands of cases; GitHub
// annotations at the expectation's line, escaped, at most ten.
import ADCatalog
import ADReport
import ADVerify
import Foundation
import Testing

@Suite("Report sizes, summary.md and annotations")
struct SummaryReportTests {
    /// `copies` copies of the mixed run's cases under new ids, every `failEvery`-th one failed.
    static func largeRun(copies: Int, failEvery: Int) throws -> RunResult {
        let base = try Fixtures.mixedRun()
        var cases: [CaseResult] = []
        for k in 0..<copies {
            for var c in base.cases where c.verdict != .fail {
                c.id = "\(c.id)-copy-\(k)-with-a-longer-suffix-as-generated-ids-have"
                c.title += " (copy \(k))"
                if k % failEvery == 0, c.verdict == .pass, var first = c.checks.first {
                    first.comparison.verdict = .fail
                    first.detail = String(repeating: "a long explanation of whose number is wrong ", count: 8)
                    c.checks.append(first)
                    c.verdict = .fail
                }
                cases.append(c)
            }
        }
        return RunResult(tool: base.tool, startedAt: base.startedAt, duration: 12, paths: base.paths, loadErrors: base.loadErrors, cases: cases)
    }

    @Test("verification.md stays under 400 KB and summary.md under 60,000 characters at 4,000 cases")
    func sizes() throws {
        let run = try Self.largeRun(copies: 1000, failEvery: 7)
        #expect(run.cases.count == 4000)
        #expect(run.summary.failedCases > 400, "\(run.summary.failedCases)")
        let markdown = MarkdownReport.render(run)
        #expect(markdown.utf8.count <= MarkdownReport.sizeLimit, "\(markdown.utf8.count) bytes")
        #expect(markdown.utf8.count > MarkdownReport.sizeLimit / 4, "the budget is used, not wasted")
        let summary = SummaryReport.render(run)
        #expect(summary.count <= SummaryReport.characterLimit, "\(summary.count) characters")
        // Every failed case is still named in verification.md (the index lists the cases that
        // did not pass when all of them do not fit), and the summary says how many it left out.
        for c in run.cases where c.verdict == .fail {
            #expect(markdown.contains("[\(c.id)](cases/\(c.id).md)"), "\(c.id)")
        }
        #expect(summary.contains("more failed cases (all in verification.md's index)"))
        #expect(summary.contains("### Inconclusive checks by reason"))
        // Every case failed: still under the limits, saying how many are left out.
        let failing = try Self.largeRun(copies: 1000, failEvery: 1)
        let all = MarkdownReport.render(failing)
        #expect(all.utf8.count <= MarkdownReport.sizeLimit, "\(all.utf8.count) bytes")
        #expect(all.contains("more: see `verification.json`."))
        #expect(SummaryReport.render(failing).count <= SummaryReport.characterLimit)
    }

    @Test("the fixtures' summary: counts, located failures, reasons and links")
    func summary() throws {
        let run = try Fixtures.mixedRun()
        let summary = SummaryReport.render(run)
        #expect(summary.hasPrefix("## adverify: **✗ 1 of 5 cases failed** · 2 of "))
        #expect(summary.contains("| ✗ failed | 1 | 2 |"))
        #expect(summary.contains("- ✗ **peharz-wrong-gradient** `cases/textbook/fixtures.yaml:"))
        #expect(summary.contains("[details](cases/peharz-wrong-gradient.md)"))
        // The failed expectation at its own line and column.
        let wrong = try #require(run.cases.first { $0.id == "peharz-wrong-gradient" })
        let located = try #require(wrong.failures.first { $0.location != nil }?.location)
        #expect(summary.contains("`\(located.file):\(located.line):\(located.column)` "))
        #expect(summary.contains("### Load errors\n- `cases/broken.yaml:"))
        #expect(summary.contains("at a kink: AD lies between the one-sided derivatives"))
    }

    @Test("annotations: ::error at the expectation's file, line and column, escaped, at most ten and a notice")
    func annotations() throws {
        let run = try Fixtures.mixedRun()
        let lines = GitHubAnnotations.lines(run)
        let wrong = try #require(run.cases.first { $0.id == "peharz-wrong-gradient" })
        let located = try #require(wrong.failures.first { $0.location != nil }?.location)
        #expect(lines.contains { $0.hasPrefix("::error file=\(located.file),line=\(located.line),col=\(located.column),title=adverify%3A peharz-wrong-gradient::") })
        #expect(lines.first?.hasPrefix("::error file=cases/broken.yaml,") == true, "load errors first")
        #expect(lines.allSatisfy { !$0.dropFirst(2).contains("\n") })
        // Many failures: ten annotations and one notice with the rest.
        let large = try Self.largeRun(copies: 40, failEvery: 1)
        let many = GitHubAnnotations.lines(large)
        #expect(many.count == 11)
        #expect(many.last?.hasPrefix("::notice title=adverify::") == true)
        #expect(many.last?.contains("more failed checks are not annotated") == true)
        // Escaping: a message with % and a newline, a title with : and ,.
        #expect(GitHubAnnotations.data("50% done\nnext") == "50%25 done%0Anext")
        #expect(GitHubAnnotations.property("a:b,c") == "a%3Ab%2Cc")
    }

    @Test("inconclusive reasons group checks whatever their numbers")
    func reasons() {
        #expect(InconclusiveReasons.classify("central: kink at x; AD value 2.0 lies between the one-sided derivatives -0.0 and 2.0")
            == "at a kink: AD lies between the one-sided derivatives")
        #expect(InconclusiveReasons.classify("gslCentral: the kink of v3 lies 1e-9 away, within the stencil's reach 2e-5: the difference straddles two branches")
            == "a kink within the stencil's reach")
        #expect(InconclusiveReasons.classify("fivePoint: error budget 0.3 is more than 0.1 of the estimate 2.5")
            == "the reference's error budget is too large for its estimate")
        #expect(InconclusiveReasons.classify("something new at 3.5 and 7") == "something new at … and …")
    }
}

@Suite("Shards in reports")
struct ShardReportTests {
    @Test("a shard's verification.md and summary.md say that they hold only its share")
    func shardHeadline() throws {
        var run = Fixtures.run(try Fixtures.cases(Fixtures.peharz))
        #expect(!MarkdownReport.render(run).contains("shard"))
        run.shard = Shard(index: 2, count: 3)
        #expect(MarkdownReport.render(run).contains(" · shard 2 of 3: only its share of the cases (`adverify merge` joins the shards)"))
        #expect(SummaryReport.render(run).contains("shard 2 of 3: only its share"))
    }
}
