import ADCatalog
import ADReport
import ADVerify
import Testing

@Suite("Trace tables")
struct TraceTablesTests {
    static func peharz() throws -> CaseResult {
        Fixtures.run(try Fixtures.cases(Fixtures.peharz)).cases[0]
    }

    @Test func primalAndTangentReadTopDownAdjointBottomUp() throws {
        let trace = try #require(try Self.peharz().trace)
        let markdown = TraceTables.markdown(trace, modes: .both)
        let tables = markdownTables(markdown)
        try #require(tables.count == 3)
        let (primal, tangent, adjoint) = (tables[0], tables[1], tables[2])
        #expect(primal.header == ["node", "formula", "value"])
        #expect(primal.rows.map { $0[0] } == ["x", "a", "b", "c", "d", "e", "f"])
        #expect(primal.rows[1] == ["a", "`a = x ^ 2`", "4"])
        #expect(primal.rows[0] == ["x", "input", "2"])
        #expect(tangent.header == ["node", "formula", "tangent"])
        #expect(tangent.rows.map { $0[0] } == ["ẋ", "ȧ", "ḃ", "ċ", "ḋ", "ė", "ḟ"])
        #expect(tangent.rows.last == ["ḟ", "`f = d + e`", "-182.8698073"])
        #expect(adjoint.header == ["node", "formula", "adjoint"])
        #expect(adjoint.rows.map { $0[0] } == ["∂f/∂f", "∂f/∂e", "∂f/∂d", "∂f/∂c", "∂f/∂b", "∂f/∂a", "∂f/∂x"])
        // The slides' numbers: ∂f/∂c = -0.822, ∂f/∂a = -45.717, ∂f/∂x = -182.87.
        #expect(adjoint.rows[3][2] == "-0.8222836875")
        #expect(adjoint.rows[5][2] == "-45.71745183")
        #expect(adjoint.rows[6] == ["∂f/∂x", "input", "-182.8698073"])
        #expect(markdown.contains("**Tangent trace**, seed ẋ = 1 (top to bottom)"))
        #expect(markdown.contains("**Adjoint trace**, cotangent f̄ = 1 (bottom to top)"))
    }

    @Test func aCaseThatExpectsSecondDerivativesGetsTheSecondOrderTable() throws {
        // Peharz's f at x = 2 with f'' = 21943.9017953 (sympy): the report's trace adds the
        // adjoints' tangents along the case's hvp direction, 0.5; at x, f'' * 0.5.
        let yaml = Fixtures.peharz.replacingOccurrences(of: "expect:", with: "expect:\n  hvp: {direction: {x: 0.5}, values: {x: 10971.95090}}")
        let result = Fixtures.run(try Fixtures.cases(yaml)).cases[0]
        #expect(result.verdict == .pass, "\(result.failures.map(\.message))")
        let markdown = TraceTables.markdown(try #require(result.trace), modes: .both)
        let tables = markdownTables(markdown)
        try #require(tables.count == 4)
        #expect(tables[3].header == ["node", "formula", "adjoint tangent"])
        #expect(tables[3].rows.first?[0] == "d/dt ∂f/∂f" && tables[3].rows.first?[2] == "0")
        #expect(tables[3].rows.last?[0] == "d/dt ∂f/∂x")
        #expect(abs((Double(tables[3].rows.last?[2] ?? "") ?? 0) - 10971.9509) < 1e-4)
        #expect(markdown.contains("**Second-order adjoint trace** (forward over reverse)"))
        // Forward or reverse alone shows no second-order table.
        #expect(!TraceTables.markdown(try #require(result.trace), modes: .reverse).contains("Second-order"))
    }

    @Test(arguments: [
        (TraceModes.forward, ["Primal trace", "Tangent trace"], ["Adjoint trace"]),
        (TraceModes.reverse, ["Primal trace", "Adjoint trace"], ["Tangent trace"]),
        (TraceModes.both, ["Primal trace", "Tangent trace", "Adjoint trace"], []),
    ])
    func modesChooseTheTables(_ mode: TraceModes, shown: [String], hidden: [String]) throws {
        let trace = try #require(try Self.peharz().trace)
        let markdown = TraceTables.markdown(trace, modes: mode)
        for title in shown { #expect(markdown.contains("**\(title)**")) }
        for title in hidden { #expect(!markdown.contains("**\(title)**")) }
        #expect(markdownTables(markdown).count == shown.count)
    }

    @Test func multiInputNamesAndEscaping() throws {
        let result = Fixtures.run(try Fixtures.cases(Fixtures.ellisSmith)).cases[0]
        var trace = try #require(result.trace)
        let markdown = TraceTables.markdown(trace)
        #expect(markdown.contains("seed ẋ1 = 1, ẋ2 = 0"))
        #expect(markdown.contains("| v̇2 | `v2 = x1 * x2` | 5 |"))
        #expect(markdown.contains("| ∂f/∂x2 | input | 1.716337815 |"))

        // A name with Markdown in it stays one cell and plain text.
        trace.rows[2].name = "v_1|*"
        let escaped = TraceTables.markdown(trace, modes: .forward)
        #expect(escaped.contains(#"| v\_1\|\* | `v_1\|* = log(x1)` | 0.6931471806 |"#))
        for table in markdownTables(escaped) {
            for row in table.rows { #expect(row.count == 3, "\(row)") }
        }
    }
}
