// mutation.md and mutation.json from a real selftest run on a small catalogue: the score, every
// survivor named with the reason, the killers, the sole killers and the equivalent mutants.
import ADCatalog
@testable import ADReport
import ADVerify
import Foundation
import Testing

@Suite("Mutation report")
struct MutationReportTests {
    static let yaml = """
        id: sin-times-y
        title: sin(x) y
        inputs: {x: 0.7, y: -1.3}
        output: sin(x) * y + y
        ---
        id: relu-at-kink
        title: relu at its kink
        inputs: {x: 0}
        output: relu(x) * 2.5
        expect:
          gradient: {x: 2.5}
        """

    static func run() async throws -> MutationRun {
        let (cases, errors) = CaseLoader.load(text: yaml, path: "m.yaml")
        #expect(errors.isEmpty)
        let ids: Set = ["sin/sign-flipped", "relu/kink-convention", "relu/one-branch", "tan/doubled", "add/swapped"]
        return await MutationTesting(mutants: Mutant.all.filter { ids.contains($0.id) })
            .run(Catalog(files: ["m.yaml"], cases: cases, errors: []), tool: Fixtures.tool, paths: ["m.yaml"])
    }

    @Test("the Markdown gives the score, names every survivor and says who kills what")
    func markdown() async throws {
        let md = MutationReport.render(try await Self.run())
        #expect(md.contains("**Mutation score: 2 of 4 killable mutants killed (50.0 %).** 2 survived; 1 equivalent mutant is left out of the score."))
        #expect(md.contains("## Surviving mutants: gaps in the catalogue"))
        #expect(md.contains("| `relu/one-branch` | the rule of 'relu' for x &gt;= 0 used for x &lt; 0 too | the 1 case that exercises it still passes |"), "\(md)")
        #expect(md.contains("| `tan/doubled` | the derivative of 'tan' doubled | no case uses it |"))
        #expect(md.contains("| `sin/sign-flipped` | the derivative of 'sin' with its sign flipped | ✓ killed | 1 of 1: `sin-times-y` |"))
        #expect(md.contains("| `relu/kink-convention` |"))
        #expect(md.contains("| ✓ killed | 1 of 1: `relu-at-kink` | expectation 1 |"))
        // Forward and reverse mode share the wrong rule, so only the oracles see it.
        #expect(md.contains("| ✓ killed | 1 of 1: `sin-times-y` | oracles 1 |"), "\(md)")
        // Each killed mutant here has one killer.
        #expect(md.contains("| `relu-at-kink` | `relu/kink-convention` |"))
        #expect(md.contains("`add/swapped` (∂/∂a and ∂/∂b of '+' swapped)"))
        #expect(md.contains("| `sin` | 5 |") == false)  // only the chosen mutants are counted
        #expect(md.contains("| `sin` | 1 | 1 | 0 | 0 | 1 | 100 % |"))
        #expect(md.contains("| `tan` | 1 | 0 | **1** | 0 | 0 | 0 % |"))
    }

    @Test("mutation.json and mutation.md are written and the JSON reads back")
    func files() async throws {
        let run = try await Self.run()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mutation-report-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let written = try MutationReport.write(run, to: dir)
        #expect(written.map { URL(fileURLWithPath: $0).lastPathComponent } == ["mutation.json", "mutation.md"])
        let back = try JSONReport.decoder().decode(MutationRun.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/mutation.json")))
        #expect(back.mutants.map(\.id) == run.mutants.map(\.id))
        #expect(back.score == run.score)
        #expect(try String(contentsOfFile: dir + "/mutation.md", encoding: .utf8) == MutationReport.render(run))
    }
}
