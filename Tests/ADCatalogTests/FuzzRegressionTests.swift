// Inputs that crashed, hung or exhausted the loader, found with the fuzz targets (fuzz/), each now
// a clean, located error. The reproducers are also in fuzz/regressions/, which every fuzz run reads.
@testable import ADCatalog
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
    @Test("an alias standing for 10^9 nodes as a mapping key is refused at the first anchor, not hashed")
    func aliasKey() throws {
        // The reproducer (fuzz/regressions/case-loader/alias-key-billion-laughs.yaml): Yams'
        // composer hashes every mapping key to find duplicates, and this key made it walk 10^9
        // nodes (a hang). Case files refuse anchors and aliases before Yams composes anything.
        let hang = aliasLadder(levels: 9) + "? *a8\n: 1\n"
        let error = try loadError(hang)
        #expect(error.message.hasPrefix("YAML anchor '&a0': anchors and aliases (&name, *name) are not supported in case files"), "\(error)")
        #expect(error.location.line == 1 && error.location.column == 5, "\(error)")
        #expect(error.description.hasPrefix("case.yaml:1:5: "))
        #expect(error.description.hasSuffix("^"))
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
        #expect(error.message.contains("YAML anchor '&a0'"), "\(error)")
        #expect(error.location == SourceLocation(file: file.path, line: 6, column: 5), "\(error)")
    }

    @Test("an alias with no anchor is refused where it is written")
    func bareAlias() throws {
        let error = try loadError("id: a\ntitle: t\ninputs: {x: 1}\noutput: x\ntags: [*n, b]\n")
        #expect(error.message.hasPrefix("YAML alias '*n'"), "\(error)")
        #expect(error.location.line == 5 && error.location.column == 8, "\(error)")
    }

    /// A class instance to watch through a weak reference.
    final class Token: @unchecked Sendable {}

    @Test("parsing on the large stack hands its result over and keeps no copy of it")
    func largeStackKeepsNothing() {
        // The fuzzer's leak (fuzz/regressions/case-loader/leak-large-stack-result.yaml): the
        // worker thread's closure held the box with the result until the thread had wound down,
        // after the caller had returned; LeakSanitizer saw the loaded labels arrays leak. The
        // caller now takes the result out of the box.
        weak var watched: Token?
        do {
            let token = LargeStack.run { Token() }
            watched = token
            #expect(watched != nil)
        }
        #expect(watched == nil, "the large-stack thread still holds the result")
    }
}
