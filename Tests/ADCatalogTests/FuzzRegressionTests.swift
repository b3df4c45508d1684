// Inputs that crashed, hung or exhausted the loader, found with the fuzz targets (fuzz/), each now
// a clean, located error. The reproducers are also in fuzz/regressions/, which every fuzz run reads.
import ADCatalog
import Foundation
import Testing

/// Anchors that alias the previous one `fanOut` times, `levels` deep: `a<levels - 1>` stands
/// for fanOut^levels scalars ("billion laughs").
func aliasLadder(levels: Int, fanOut: Int = 10) -> String {
    var lines = ["a0: &a0 [" + Array(repeating: "x", count: fanOut).joined(separator: ", ") + "]"]
    for level in 1..<levels {
        lines.append("a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: fanOut).joined(separator: ", ") + "]")
    }
    return lines.joined(separator: "\n") + "\n"
}

@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    @Test("an alias standing for 10^9 nodes as a mapping key is refused, not hashed")
    func aliasKey() throws {
        // The reproducer: Yams' composer hashes every mapping key to find duplicates, and this
        // key made it walk 10^9 nodes (a hang). The budget now runs out in the ladder itself:
        // a0..a3 stand for 12,330 nodes, the 8th alias of a3 (11,111 nodes each) passes 100,000.
        let hang = aliasLadder(levels: 9) + "? *a8\n: 1\n"
        let error = try loadError(hang)
        #expect(error.message.contains("YAML aliases expand to more than \(CaseLoader.maxAliasExpansion) nodes"), "\(error)")
        #expect(error.message.contains("this one stands for 11111"), "\(error)")
        #expect(error.location.line == 5 && error.location.column == 45, "\(error)")
        #expect(error.description.hasPrefix("case.yaml:5:45: "))
        #expect(error.description.hasSuffix("^"))
        // Nine at a time the ladder stays within the budget (74,718 nodes) and the key passes it.
        let key = try loadError(aliasLadder(levels: 5, fanOut: 9) + "? *a4\n: 1\n")
        #expect(key.message.contains("this one stands for 66430"), "\(key)")
        #expect(key.location.line == 6 && key.location.column == 3, "\(key)")
    }

    @Test("the same blow-up in a value of a later document, read with CaseLoader.load(path:)")
    func aliasValues() throws {
        let text = "id: a\ntitle: t\ninputs: {x: 1}\noutput: x\n---\n" + aliasLadder(levels: 5, fanOut: 9) + "tags: [*a4, *a4]\n"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("adverify-aliases-\(UUID().uuidString).yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let (cases, errors) = CaseLoader.load(path: file.path)
        #expect(cases.isEmpty)
        #expect(errors.count == 1)
        let error = try #require(errors.first)
        #expect(error.message.contains("YAML aliases expand"), "\(error)")
        #expect(error.location == SourceLocation(file: file.path, line: 11, column: 8), "\(error)")
    }

    @Test("anchors and aliases within the budget still load")
    func aliasesWithinBudget() throws {
        let text = """
            id: aliased-point
            title: an anchored point reused
            inputs: &point {x: 3, y: 4}
            output: sqrt(x^2 + y^2)
            expect:
              value: 5
              gradient: {x: 0.6, y: 0.8}
            note: &n shared
            tags: [*n, *n]
            """
        let (cases, errors) = CaseLoader.load(text: text, path: "case.yaml")
        #expect(errors.isEmpty, "\(errors)")
        #expect(cases.first?.tags == ["shared", "shared"])
        let ladder = aliasLadder(levels: 4) + "id: b\ntitle: t\ninputs: {x: 1}\noutput: x\n"
        #expect(try loadError(ladder).message.contains("unknown key 'a0'"))
    }
}
