// The console says where a failed expectation is written and whose number is wrong, and gives a
// case's notices once.
import Foundation
import Testing

@Suite("The console's failure lines and notices")
struct ConsoleFailureTests {
    @Test("a failed expectation's line starts at its own file:line:column and says whose number is wrong")
    func expectationPlace() throws {
        let reports = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reports) }
        let file = Tool.fixtures.appendingPathComponent("fail").appendingPathComponent("peharz-wrong.yaml").path
        let r = try Tool.run(["run", file, "--report", reports.path])
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        // The gradient's expected -182.80 is on line 9, column 17 of the fixture.
        let failure = try #require(lines.first { $0.contains("∂f/∂x: expected -182.80") }, "\(r.stdout)")
        #expect(failure.hasPrefix("    \(file):9:17: ∂f/∂x: expected -182.80 (± 0.005), computed -182.8698073"), "\(failure)")
        #expect(failure.contains("; AD and 5 references agree on -182.8698073 (± "), "\(failure)")
        #expect(failure.hasSuffix("): the expected -182.80 is off by 0.06981"), "\(failure)")
    }

    @Test("a loose as-printed number: one notice under its case, with the fix, and the case still passes")
    func notice() throws {
        let directory = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("loose.yaml")
        try "id: loose\ntitle: t\ninputs: {x: 0.5}\noutput: x^2\nexpect: {value: 0.250, gradient: {x: 1.0}}\n".write(to: file, atomically: true, encoding: .utf8)
        let r = try Tool.run(["run", file.path, "--format", "none"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let notices = r.stdout.split(separator: "\n").filter { $0.hasPrefix("    notice: ") }
        #expect(notices.count == 1, "\(r.stdout)")
        #expect(notices.first?.contains("∂f/∂x = 1.0 (± 0.05, line 5)") == true, "\(r.stdout)")
        #expect(notices.first?.contains("write more digits, or quote an expression") == true)
    }

    @Test("eval: every reference's mark carries the budget it judged with, and a line says what ± means")
    func evalBudgets() throws {
        let r = try Tool.run(["eval", "sin(x)*y", "--at", "x=0.5,y=2"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let row = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("| ∂f/∂x ") }, "\(r.stdout)")
        let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        // quantity, forward, reverse, then the five references, digits, verdict.
        #expect(cells.count == 10, "\(row)")
        for cell in cells[3...7] {
            #expect(cell.range(of: #"^1\.755165124 ✓ ±[0-9.]+e-[0-9]+$"#, options: .regularExpression) != nil, "\(cell)")
        }
        #expect(r.stdout.contains("± after a reference's mark: the budget it judged AD's value with"))
    }
}
