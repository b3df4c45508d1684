import ADCatalog
import ADReport
import ADVerify
import Foundation
import Testing

@Suite("verification.md")
struct MarkdownReportTests {
    @Test func summaryTableHasTheCountsOfTheRun() throws {
        let run = try Fixtures.mixedRun()
        let s = run.summary
        // The fixtures are chosen so each count means something.
        #expect(s.cases == 5)
        #expect(s.failedCases == 1)
        #expect(s.failedChecks == 2)
        #expect(s.loadErrors == 1)
        #expect(s.inconclusiveChecks > 0)

        let markdown = MarkdownReport.render(run)
        let counts = try #require(markdownTables(markdown).first { $0.header == ["", "cases", "checks"] })
        #expect(counts.rows == [
            ["✓ passed", "\(s.passedCases)", "\(s.passedChecks)"],
            ["✗ failed", "1", "2"],
            ["? inconclusive", "\(s.inconclusiveCases)", "\(s.inconclusiveChecks)"],
            ["**total**", "**5**", "**\(s.checks)**"],
        ])
        let facts = try #require(markdownTables(markdown).first { $0.header.first == "run" })
        let byKey = Dictionary(uniqueKeysWithValues: facts.rows.map { ($0[0], $0[1]) })
        #expect(byKey["load errors"]?.hasPrefix("**1**") == true)
        #expect(byKey["run time"] == "250 ms")
        #expect(byKey["started at"] == "2025-06-01T12:00:00Z")
        #expect(byKey["paths"] == "`cases/`")
        #expect(byKey["adverify"] == "0.1.0-test")
        #expect(byKey["GSL"] == "2.7.1")
        #expect(byKey["Swift"] == "6.3.1")
        #expect(byKey["platform"] == "linux-x86\\_64")
        #expect(markdown.contains("**✗ 1 of 5 cases failed**"))
    }

    @Test func failureTableNamesQuantityExpectedAndComputed() throws {
        let run = try Fixtures.mixedRun()
        let markdown = MarkdownReport.render(run)
        let failures = try #require(section(markdown, startingWith: "## <a id=\"failures\"></a>Failures"))
        // Only the failed case is listed, linked to its page, with whose number is wrong.
        #expect(failures.contains("[peharz-wrong-gradient](cases/peharz-wrong-gradient.md)"))
        #expect(failures.contains("- ∂f/∂x: AD and 5 references agree on -182.8698073"), "\(failures)")
        #expect(!failures.contains("peharz-backward-pass"))

        let wrong = try #require(run.cases.first { $0.id == "peharz-wrong-gradient" })
        let computed = try #require(wrong.rows.first { $0.quantity == "∂f/∂x" }?.reverse)
        let table = try #require(markdownTables(failures).first)
        #expect(table.header == ["quantity", "check", "expected or reference", "computed", "difference", "budget"])
        try #require(table.rows.count == 2)
        #expect(table.rows[0].prefix(3) == ["f", table.rows[0][1], "7.20"])
        let row = table.rows[1]
        #expect(row[0] == "∂f/∂x")
        #expect(row[1].contains("expected at `cases/textbook/fixtures.yaml:"))
        #expect(row[2] == "-182.80")  // as written in the case file
        #expect(row[3].hasPrefix(format(computed)))
        #expect(format(computed) == "-182.8698073")
        #expect(row[4] == format(abs(computed + 182.80)))
        #expect(row[5] == "0.005")
    }

    @Test func failedCheckIsMarkedInTheCaseTable() throws {
        let run = try Fixtures.mixedRun()
        let caseSection = try #require(page(run, "peharz-wrong-gradient"))
        let table = try #require(markdownTables(caseSection).first)
        #expect(table.header == [
            "quantity", "verdict", "digits", "expected", "forward AD", "reverse AD",
            "GSL", "central FD", "5-point", "complex step", "Richardson",
        ])
        let gradient = try #require(table.rows.first { $0[0] == "∂f/∂x" })
        #expect(gradient[1] == "✗")
        #expect(gradient[3] == "-182.80\u{A0}✗<br>±\u{A0}0.005")
        #expect(gradient[4] == "-182.8698073")
        // Every oracle agrees with AD (the expectation is what is wrong).
        for cell in gradient[6...] { #expect(cell.contains("\u{A0}✓"), "\(cell)") }
        // Every reference's ✓ shows the budget it was judged with: its check's, to two digits.
        let case_ = try #require(run.cases.first { $0.id == "peharz-wrong-gradient" })
        let oracleChecks = case_.checks.filter { $0.kind == .oracle && $0.quantity == "∂f/∂x" }
        #expect(oracleChecks.count == 5)
        for (cell, check) in zip(gradient[6...], oracleChecks) {
            let budget = String(format: "%.2g", check.comparison.budget).replacingOccurrences(of: "e-", with: "e\u{2212}")
            #expect(cell.hasSuffix("<br>±\u{A0}" + budget), "\(cell) against \(check.comparison.budget)")
        }
        #expect(caseSection.contains("`±` under a reference's value is the budget it judged AD's value with"))
    }

    @Test func everyTableHasAsManyCellsAsItsHeader() throws {
        var run = try Fixtures.mixedRun()
        // Pipes and Markdown in user text must not add cells or formatting.
        run.cases[0].title = "a | b *c* _d_ [e](f) <script>x</script> $y$"
        run.cases[0].rows[0].quantity = "∂f/∂x|y"
        let markdown = MarkdownReport.render(run) + "\n\n" + pages(run)
        let tables = markdownTables(markdown)
        #expect(tables.count >= 2 + 1 + 1 + 1 + 5 * 4)  // summary, failures, reasons, index, per case: values + 3 traces
        for table in tables {
            for row in table.rows {
                #expect(row.count == table.header.count, "\(table.header) vs \(row)")
            }
        }
        #expect(markdown.contains(#"a \| b \*c\* \_d\_ \[e\](f) &lt;script&gt;x&lt;/script&gt; &#36;y&#36;"#))
        #expect(markdown.contains(#"| ∂f/∂x\|y |"#))
        #expect(!markdown.contains("<script>"))
    }

    @Test func detailsBlocksHoldTheTraceAndTheCaseFile() throws {
        let run = try Fixtures.mixedRun()
        // On the case pages: verification.md itself holds no case's details.
        #expect(!MarkdownReport.render(run).contains("<details"))
        let markdown = pages(run)
        let opened = markdown.components(separatedBy: "<details markdown=\"1\">").count - 1
        let closed = markdown.components(separatedBy: "</details>").count - 1
        #expect(opened == closed)
        #expect(opened == 2 * run.cases.count)
        // GFM parses Markdown inside <details> only after a blank line.
        #expect(markdown.components(separatedBy: "<details markdown=\"1\"><summary>Trace: primal, tangent and adjoint</summary>\n\n**Primal trace**").count - 1 == run.cases.count)
        #expect(markdown.components(separatedBy: "<details markdown=\"1\"><summary>Case file</summary>\n\n```yaml\nid: ").count - 1 == run.cases.count)
        #expect(markdown.components(separatedBy: "\n\n</details>").count - 1 == opened)

        let peharz = try #require(page(run, "peharz-backward-pass"))
        #expect(peharz.contains("```yaml\n" + Fixtures.peharz + "\n```"))
        #expect(peharz.contains("| ∂f/∂c | `c = a + b` | -0.8222836875 |"))
    }

    @Test func caseSectionShowsTheCaseFacts() throws {
        let run = try Fixtures.mixedRun()
        let peharz = try #require(page(run, "peharz-backward-pass"))
        #expect(peharz.hasPrefix(MarkdownReport.casePageMarker + "\n\n[← verification report](../verification.md)\n\n# <a id=\"case-peharz-backward-pass\"></a>✓ peharz-backward-pass"))
        #expect(peharz.contains("**Backward pass through x^2, exp, sqrt and cos at x = 2**"))
        #expect(peharz.contains("> The slides round every number to 3 decimals."))
        #expect(peharz.contains("- **Source:** <cite>Peharz, Neural Networks I, &quot;Backwards Pass&quot; slides</cite>"))
        #expect(peharz.contains("- **Location:** `cases/textbook/fixtures.yaml:1`"))
        #expect(peharz.contains("- **Tags:** `textbook` `reverse-mode`"))
        #expect(peharz.contains("- **Inputs:** x = 2"))
        #expect(peharz.contains("- **Outputs:** f = 7.194329636"))
        #expect(peharz.contains("worst agreeing digits 17"))
        #expect(peharz.contains("**Dot-product test** ✓"))
        // An expectation written as an expression shows the expression and its value.
        let ellis = try #require(page(run, "ellis-smith"))
        #expect(ellis.contains("| ∂f/∂x2 | ✓ | 17 | `2 - cos(5)`<br>1.716337815\u{A0}✓<br>±\u{A0}"))
    }

    @Test func inconclusiveOraclesExplainWhyInNotes() throws {
        let run = try Fixtures.mixedRun()
        let relu = try #require(page(run, "relu-kink"))
        let table = try #require(markdownTables(relu).first)
        let gradient = try #require(table.rows.first { $0[0] == "∂f/∂x" })
        #expect(gradient[6].contains("\u{A0}?\u{2060}<sup>"), "GSL at a kink is inconclusive, with a note: \(gradient[6])")
        #expect(gradient[9] == "—", "relu is not analytic: no complex step")
        #expect(relu.contains("not analytic, so no complex step"))
        #expect(relu.contains(". gslCentral: kink at x; AD value 1.0 lies between the one-sided derivatives"))

        // GSL's central rule leaves sqrt's domain at 0 and says which rule it fell back to.
        let sqrt = try #require(page(run, "sqrt-at-zero"))
        // verification.md counts the inconclusive checks by reason, with a case for each.
        let reasons = try #require(section(MarkdownReport.render(run), startingWith: "## Inconclusive checks by reason"))
        let reasonTable = try #require(markdownTables(reasons).first)
        let kink = try #require(reasonTable.rows.first { $0[0] == "at a kink: AD lies between the one-sided derivatives" })
        #expect(kink[1] == "4" && kink[2] == "1" && kink[3] == "[relu-kink](cases/relu-kink.md)", "\(kink)")
        #expect(sqrt.contains("<sub>via gslForward</sub>"))
    }

    @Test func loadErrorsAndUnverifiableCasesAreShown() throws {
        let logCase = try Fixtures.cases(Fixtures.logOfNegative)
        let run = Fixtures.run(logCase, loadErrors: Fixtures.loadErrors(Fixtures.badFile))
        let result = try #require(run.cases.first)
        let error = try #require(result.error, "log(-1) cannot be verified")
        let markdown = MarkdownReport.render(run)

        let loadErrors = try #require(section(markdown, startingWith: "## <a id=\"load-errors\"></a>Load errors"))
        let description = try #require(run.loadErrors.first).description
        #expect(description.contains("^"))
        #expect(loadErrors.contains("```text\n" + description + "\n```"))

        #expect(try #require(page(run, result.id)).contains("> **✗ This case could not be verified:** "))
        let failures = try #require(section(markdown, startingWith: "## <a id=\"failures\"></a>Failures"))
        #expect(failures.contains("**Could not be verified:** "))
        #expect(failures.contains("log"), "\(error)")
    }

    @Test func indexLinksToEveryCasePage() throws {
        let run = try Fixtures.mixedRun()
        let markdown = MarkdownReport.render(run)
        let index = try #require(section(markdown, startingWith: "## Index"))
        for c in run.cases {
            #expect(index.contains("[\(c.id)](cases/\(c.id).md)"), "\(c.id)")
            #expect(try #require(page(run, c.id)).contains("<a id=\"\(MarkdownReport.anchor(of: c.id))\"></a>"))
        }
        // The failures link to the failed case's page.
        #expect(markdown.contains("### ✗ [peharz-wrong-gradient](cases/peharz-wrong-gradient.md)"))
        #expect(MarkdownReport.anchor(of: "a b/c") == "case-a-b-c")
        #expect(MarkdownReport.casePath(of: "a b/../c") == "cases/a-b----c.md")
    }

    @Test func passingRunSaysSo() throws {
        let run = Fixtures.run(try Fixtures.cases(Fixtures.peharz))
        let markdown = MarkdownReport.render(run)
        #expect(markdown.contains("**✓ The case passed**"))
        #expect(!markdown.contains("Failures"))
        #expect(!markdown.contains("Load errors"))
    }
}

@Suite("Kink conventions in reports")
struct KinkConventionReportTests {
    @Test("a piecewise case names its convention on its page and in the JSON; a smooth one does not")
    func named() throws {
        let yaml = "id: relu-torch\ntitle: relu at 0 as PyTorch\nkinks: pytorch\ninputs: {x: 0, y: 0.3}\noutput: 1.3 * relu(x) + sin(y)\nexpect: {gradient: {x: 0}}\n"
        let run = Fixtures.run(try Fixtures.cases(yaml, Fixtures.peharz))
        let markdown = pages(run)
        #expect(markdown.contains("- **Kinks:** `pytorch`"))
        #expect(markdown.components(separatedBy: "**Kinks:**").count == 2, "only the piecewise case")
        let json = String(decoding: try JSONReport.render(run), as: UTF8.self)
        #expect(json.contains("\"kinks\" : \"pytorch\"") || json.contains("\"kinks\":\"pytorch\""), "\(json.prefix(300))")
    }
}
