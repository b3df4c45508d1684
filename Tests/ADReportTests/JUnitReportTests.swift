import ADCatalog
import ADReport
import ADVerify
import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite("junit.xml")
struct JUnitReportTests {
    static func parse(_ xml: String) throws -> XMLElement {
        let document = try XMLDocument(data: Data(xml.utf8), options: [])
        return try #require(document.rootElement())
    }

    static func attribute(_ element: XMLElement, _ name: String) -> String? {
        element.attribute(forName: name)?.stringValue
    }

    /// The mixed run with one case made inconclusive (the runner rarely produces one: the mode
    /// comparison usually decides).
    static func run() throws -> RunResult {
        var run = try Fixtures.mixedRun()
        let i = try #require(run.cases.firstIndex { $0.id == "relu-kink" })
        run.cases[i].verdict = .inconclusive(reason: "every oracle is at a kink")
        run.summary = RunSummary(cases: run.cases, loadErrors: run.loadErrors.count)
        return run
    }

    @Test func isWellFormedWithCorrectCounts() throws {
        let run = try Self.run()
        let root = try Self.parse(JUnitReport.render(run))
        #expect(root.name == "testsuites")
        #expect(Self.attribute(root, "tests") == "6")  // 5 cases and 1 load error
        #expect(Self.attribute(root, "failures") == "1")
        #expect(Self.attribute(root, "errors") == "1")
        #expect(Self.attribute(root, "skipped") == "1")
        #expect(Self.attribute(root, "time") == "0.250000")

        let suites = root.elements(forName: "testsuite")
        #expect(suites.map { Self.attribute($0, "name") } == ["cases/textbook/fixtures.yaml", "cases/primitives/edges.yaml", "cases/broken.yaml"])
        let textbook = suites[0]
        #expect(Self.attribute(textbook, "tests") == "3")
        #expect(Self.attribute(textbook, "failures") == "1")
        #expect(Self.attribute(textbook, "errors") == "0")
        #expect(Self.attribute(textbook, "skipped") == "0")
        let cases = textbook.elements(forName: "testcase")
        #expect(cases.map { Self.attribute($0, "name") } == ["peharz-backward-pass", "peharz-wrong-gradient", "ellis-smith"])
        #expect(cases.allSatisfy { Self.attribute($0, "classname") == "cases.textbook.fixtures" })
        #expect(Self.attribute(cases[1], "line") == "\(run.cases[1].location.line)")

        // Suite times add up the cases' times.
        let time = try #require(Self.attribute(textbook, "time").flatMap(Double.init))
        #expect(abs(time - run.cases[0..<3].reduce(0) { $0 + $1.duration }) < 1e-5)
    }

    @Test func failureCarriesEveryFailedCheckMessage() throws {
        let run = try Self.run()
        let root = try Self.parse(JUnitReport.render(run))
        let testcase = try #require(root.elements(forName: "testsuite").flatMap { $0.elements(forName: "testcase") }
            .first { Self.attribute($0, "name") == "peharz-wrong-gradient" })
        let failure = try #require(testcase.elements(forName: "failure").first)
        let wrong = try #require(run.cases.first { $0.id == "peharz-wrong-gradient" })
        try #require(wrong.failures.count == 2)
        #expect(failure.stringValue == wrong.failures[0].message + "\n" + wrong.failures[1].message)
        #expect(failure.stringValue?.contains("f: expected 7.20 (± 0.005)") == true)
        #expect(failure.stringValue?.contains("∂f/∂x: expected -182.80 (± 0.005)") == true)
        #expect(Self.attribute(failure, "message")?.hasPrefix("2 of \(wrong.checks.count) checks failed: f: expected 7.20") == true)

        let passing = root.elements(forName: "testsuite")[0].elements(forName: "testcase")[0]
        #expect(passing.children == nil || passing.children?.isEmpty == true)

        let skipped = try #require(root.elements(forName: "testsuite").flatMap { $0.elements(forName: "testcase") }
            .first { Self.attribute($0, "name") == "relu-kink" }?.elements(forName: "skipped").first)
        #expect(Self.attribute(skipped, "message") == "inconclusive: every oracle is at a kink")
    }

    @Test func loadErrorIsAnErrorTestCaseInItsFilesSuite() throws {
        let run = try Self.run()
        let root = try Self.parse(JUnitReport.render(run))
        let suite = try #require(root.elements(forName: "testsuite").first { Self.attribute($0, "name") == "cases/broken.yaml" })
        #expect(Self.attribute(suite, "errors") == "1")
        let testcase = try #require(suite.elements(forName: "testcase").first)
        let e = try #require(run.loadErrors.first)
        #expect(Self.attribute(testcase, "name") == "load \(e.location)")
        let error = try #require(testcase.elements(forName: "error").first)
        #expect(Self.attribute(error, "message") == "\(e.location): \(e.message)")
        #expect(error.stringValue == e.description, "the body keeps the caret display")
    }

    @Test func escapesMarkupQuotesAndForbiddenCharacters() throws {
        var run = try Self.run()
        let i = try #require(run.cases.firstIndex { $0.id == "peharz-wrong-gradient" })
        let j = try #require(run.cases[i].checks.firstIndex { $0.comparison.verdict == .fail })
        let nasty = "q<&\">'\u{1}\u{0}]]>\r\nend\tx"
        run.cases[i].checks[j].quantity = nasty
        run.cases[i].id = "id<&\"'>"
        let xml = JUnitReport.render(run)
        #expect(!xml.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" })
        #expect(!xml.contains("]]>"))
        let root = try Self.parse(xml)
        let testcase = try #require(root.elements(forName: "testsuite").flatMap { $0.elements(forName: "testcase") }
            .first { Self.attribute($0, "name") == "id<&\"'>" })
        let failure = try #require(testcase.elements(forName: "failure").first)
        let expected = "q<&\">'\u{FFFD}\u{FFFD}]]>\r\nend\tx"
        #expect(failure.stringValue?.hasPrefix(expected) == true, "\(failure.stringValue ?? "")")
        // In an attribute, line breaks and tabs survive as character references.
        #expect(Self.attribute(failure, "message")?.contains(expected) == true)
    }

    @Test func escapeFunction() {
        #expect(JUnitReport.escape(#"a<b>&"c"'d'"#, attribute: true) == "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;")
        #expect(JUnitReport.escape("a\nb\u{7}c\u{FFFE}", attribute: true) == "a&#10;b\u{FFFD}c\u{FFFD}")
        #expect(JUnitReport.escape("a\nb\"", attribute: false) == "a\nb\"")
    }
}
