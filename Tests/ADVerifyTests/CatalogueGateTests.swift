import ADCatalog
import ADVerify
import Foundation
import Testing

/// The repository's `cases/` folder (or `ADVERIFY_CASES`, to gate another catalogue).
let catalogueFolder: String = ProcessInfo.processInfo.environment["ADVERIFY_CASES"]
    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("cases").path

/// The gate: every case of the catalogue loads and passes.
@Suite("Catalogue gate")
struct CatalogueGateTests {
    @Test("every case file in cases/ loads without an error")
    func loads() {
        let catalog = Catalog.load(paths: [catalogueFolder])
        #expect(catalog.errors.isEmpty, "\(catalog.errors.map(\.description).joined(separator: "\n"))")
        #expect(catalog.cases.count >= 50)
    }

    @Test("every case of cases/ passes: expectations, forward vs reverse, dot product, oracles")
    func passes() async {
        let catalog = Catalog.load(paths: [catalogueFolder])
        let tool = ToolInfo(adverify: "test", gsl: gslVersion, swift: "", platform: "")
        let result = await Runner().run(catalog, tool: tool, paths: [catalogueFolder])
        for c in result.cases where c.verdict == .fail {
            let lines: [String] = c.failures.map(\.message) + (c.error.map { [$0] } ?? [])
            Issue.record("\(c.location): case \(c.id) failed:\n  \(lines.joined(separator: "\n  "))")
        }
        #expect(result.summary.failedCases == 0)
    }
}
