import ADCatalog
import ADReport
import ADVerify
import Foundation
import Testing

@Suite("verification.json")
struct JSONReportTests {
    @Test func roundTripsTheRun() throws {
        let run = try Fixtures.mixedRun()
        let data = try JSONReport.render(run)
        let text = try #require(String(data: data, encoding: .utf8))
        #expect(text.contains("\"schemaVersion\" : \(RunResult.currentSchemaVersion)"))
        #expect(text.contains("\"file\" : \"cases/textbook/fixtures.yaml\""), "slashes are not escaped")

        let back = try JSONReport.decode(data)
        #expect(back.schemaVersion == run.schemaVersion)
        #expect(back.tool == run.tool)
        #expect(back.summary == run.summary)
        #expect(back.startedAt == run.startedAt)
        #expect(back.paths == run.paths)
        #expect(back.loadErrors == run.loadErrors)
        #expect(back.cases.map(\.id) == run.cases.map(\.id))
        #expect(back.cases.map(\.verdict) == run.cases.map(\.verdict))
        #expect(back.cases.map(\.trace) == run.cases.map(\.trace))
        for (a, b) in zip(back.cases, run.cases) {
            #expect(a.rows.map(\.quantity) == b.rows.map(\.quantity))
            #expect(a.checks.map(\.message) == b.checks.map(\.message))
            #expect(a.text == b.text)
        }
        // Encoding is deterministic: the same run gives the same bytes.
        #expect(try JSONReport.render(back) == data)
    }

    @Test func nonFiniteNumbersSurviveAsStrings() throws {
        // AD's derivative of sqrt at 0 is infinite.
        let run = Fixtures.run(try Fixtures.cases(Fixtures.sqrtAtZero))
        let row = try #require(run.cases[0].rows.first { $0.kind == .partial })
        #expect(row.reverse == .infinity)
        var withNaN = run
        withNaN.cases[0].rows[0].forward = .nan
        withNaN.cases[0].rows[0].reverse = -.infinity

        let data = try JSONReport.render(withNaN)
        let text = try #require(String(data: data, encoding: .utf8))
        #expect(text.contains("\"forward\" : \"nan\""))
        #expect(text.contains("\"reverse\" : \"-inf\""))
        #expect(text.contains("\"reverse\" : \"inf\""))

        let back = try JSONReport.decode(data)
        #expect(back.cases[0].rows[0].forward?.isNaN == true)
        #expect(back.cases[0].rows[0].reverse == -.infinity)
        #expect(back.cases[0].rows.first { $0.kind == .partial }?.reverse == .infinity)
        // A plain decoder without the strategy cannot read it: the strategy is required.
        #expect(throws: (any Error).self) { try JSONDecoder().decode(RunResult.self, from: data) }
    }
}
