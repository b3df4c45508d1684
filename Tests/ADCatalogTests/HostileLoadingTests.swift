import ADCatalog
import ADCore
import Foundation
import Testing

@testable import ADCatalog

/// The loader's defences, unit by unit: the YAML pre-scan, bytes that are not UTF-8 text,
/// line breaks as libyaml counts them, positions of graph nodes.
@Suite("Hostile case files: loading")
struct HostileLoadingTests {
    static let minimal = "id: a\ntitle: t\ninputs: {x: 2}\noutput: x\n"

    func load(_ text: String) -> (cases: [Case], errors: [CatalogError]) {
        CaseLoader.load(text: text, path: "t.yaml")
    }

    // MARK: The pre-scan refuses nothing valid

    @Test("YAML that only looks deep or aliased is accepted", arguments: [
        // A block scalar whose lines start with *, & and brackets.
        "note: |\n  * first [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n  & second\n\n  *third*\n",
        "note: >-\n  *folded* & kept\n   [more\n",
        "note: |2\n    * indented by the indicator\n",
        // A plain scalar going on over more indented lines, one starting with *.
        "note: this is\n  *emphasised* text & more\n",
        // Quoted strings with every indicator inside, across lines too.
        "note: \"a [b {c & *d # e \\\" f\"\n",
        "note: 'it''s [x {y & *z'\n",
        "note: \"a\n  *b [[[[\n  &c\"\n",
        // Comments, and # that is not a comment.
        "# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ &a *b\nnote: C# and a#[b\n",
        // Stars and ampersands inside plain scalars, in block and flow context.
        "tags: [a&b, c*d, 'e', \"f\"]\nnote: x*y & z\n",
        "tags:\n  - a*b\n  - \"*quoted\"\n  - '&quoted'\n",
        // Quoted keys, directives, document markers, CRLF.
        "\"note\": {\"&x\": 1, '*y': 2}\n",
        "%YAML 1.1\n---\nnote: n\n...\n",
        "note: one\r\ntags: [a, b]\r\n",
        // 63 flow levels under the top-level mapping: 64 in all, the limit.
        "tags: " + String(repeating: "[", count: 63) + String(repeating: "]", count: 63) + "\n",
    ])
    func acceptsValidYAML(_ extra: String) {
        let text = extra.contains("---") ? extra.replacingOccurrences(of: "note: n\n", with: Self.minimal + "note: n\n") : Self.minimal + extra
        let (cases, errors) = load(text)
        // Refused only by the case reader (tags must be words, note text), never by the scan or YAML.
        for error in errors {
            #expect(!error.message.contains("anchors and aliases") && !error.message.contains("nested more than") && !error.message.hasPrefix("YAML syntax"), "\(error)")
        }
        if extra.hasPrefix("note:") || extra.hasPrefix("%YAML") { #expect(cases.count == 1, "\(errors)") }
    }

    // MARK: The pre-scan refuses what would hurt

    @Test("anchors and aliases are refused wherever a node starts", arguments: [
        ("tags:\n  - *a\n", 6, 5, "alias '*a'"),
        ("tags: [a, *b]\n", 5, 11, "alias '*b'"),
        ("tags: [\n  a,\n  *b\n]\n", 7, 3, "alias '*b'"),
        ("&k note: n\n", 5, 1, "anchor '&k'"),
        ("tags:\n  ? *a\n  : 1\n", 6, 5, "alias '*a'"),
        ("note: !!str &n x\n", 5, 13, "anchor '&n'"),
        // U+2028 is a line break to libyaml: what follows starts a line, and a node.
        ("note: t\u{2028}*a : 1\n", 6, 1, "alias '*a'"),
    ])
    func refusesAliases(_ extra: String, line: Int, column: Int, what: String) throws {
        let error = try #require(load(Self.minimal + extra).errors.first)
        #expect(error.message.hasPrefix("YAML \(what): anchors and aliases (&name, *name) are not supported"), "\(error)")
        #expect(error.location.line == line && error.location.column == column, "\(error)")
    }

    @Test("64 levels load, 65 are refused at the bracket that opens the 65th")
    func depthBoundary() throws {
        let over = Self.minimal + "tags: " + String(repeating: "[", count: 64) + String(repeating: "]", count: 64) + "\n"
        let error = try #require(load(over).errors.first)
        #expect(error.message == "YAML nested more than 64 levels deep: a case file needs a few levels")
        #expect(error.location.line == 5 && error.location.column == 70)
    }

    // MARK: Bytes

    @Test("invalid UTF-8 is found at its first byte: overlong forms, surrogates, stray continuations, past U+10FFFF", arguments: [
        ([0xC0, 0xAF], 1), ([0xE0, 0x80, 0xAF], 1), ([0xED, 0xA0, 0x80], 1), ([0x80], 1),
        ([0xF4, 0x90, 0x80, 0x80], 1), ([0xF8, 0x88, 0x80, 0x80, 0x80], 1), ([0xE2, 0x82], 2),
    ] as [([UInt8], Int)])
    func invalidUTF8(_ bad: [UInt8], length: Int) throws {
        let data = Data("id: a\ntitle: é ".utf8) + Data(bad) + Data("\n".utf8)
        guard case .failure(let error) = CaseLoader.decodeText(data, path: "t.yaml") else {
            Issue.record("accepted \(bad)")
            return
        }
        #expect(error.location.line == 2 && error.location.column == 10, "columns count characters, not bytes: \(error)")
        #expect(error.message.hasPrefix("not UTF-8 text: invalid byte"))
        #expect(error.sourceLine.hasPrefix("title: é "))
    }

    @Test("valid UTF-8 of every length loads, and a byte-order mark is dropped")
    func validUTF8() throws {
        let text = "\u{FEFF}id: a\ntitle: é € 𝛁 \u{10FFFF}\ninputs: {x: 2}\noutput: x\n"
        guard case .success(let decoded) = CaseLoader.decodeText(Data(text.utf8), path: "t.yaml") else {
            Issue.record("refused valid UTF-8")
            return
        }
        #expect(decoded == String(text.dropFirst()))
    }

    // MARK: Lines and positions

    @Test("lines break where libyaml's do, so a YAML error shows its own line")
    func lineBreaks() throws {
        for separator in ["\n", "\r\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"] {
            let text = ["# one", "# two", "id: a", "title: t", "inputs: {x: 2}", "output: x", "bad: [1"].joined(separator: separator) + separator
            let error = try #require(load(text).errors.first)
            #expect(error.location.line == 7 && error.sourceLine == "bad: [1", "\(separator.unicodeScalars.first!.value): \(error)")
            #expect(SourceFile(path: "t", text: text).lines.count == 8)
        }
        let source = SourceFile(path: "t", text: "ab\u{2028}cé\r\nd")
        #expect(source.lines == ["ab", "cé", "d"])
        #expect(source.position(ofUTF8Offset: 0) == (1, 1))
        #expect(source.position(ofUTF8Offset: 5) == (2, 1))
        #expect(source.position(ofUTF8Offset: 8) == (2, 3))
        #expect(source.position(ofUTF8Offset: 10) == (3, 1))
    }

    @Test("every node the parser makes records where it was written")
    func nodePositions() throws {
        let c = try #require(load("id: a\ntitle: t\ninputs: {x: 2, y: 3}\nlet:\n  a: x*y\noutput: sin(a) + 2\n").cases.first)
        #expect(c.nodePositions.count == c.graph.nodeCount)
        func at(_ node: Int) -> (Int32, Int32) { (c.nodePositions[node].line, c.nodePositions[node].column) }
        #expect(at(0) == (3, 10) && at(1) == (3, 16))  // the inputs' keys
        #expect(at(2) == (5, 7))                      // a = x*y: the *
        #expect(at(3) == (6, 9))                      // sin
        #expect(at(4) == (6, 18))                     // the constant 2
        #expect(at(5) == (6, 16))                     // the +
        #expect(c.sourceError("m", node: 3)?.description == "t.yaml:6:9: m\n 6 | output: sin(a) + 2\n   |         ^")
    }

    @Test("control characters are shown as symbols, one for one; long messages are cut")
    func visible() {
        #expect(CatalogError.visible("a\u{1B}[2Jb\u{0}\u{7F}\u{85}") == "a\u{241B}[2Jb\u{2400}\u{2421}\u{FFFD}")
        let error = CatalogError(location: SourceLocation(file: "f", line: 1, column: 3), message: "m\u{7}", sourceLine: "\u{1B}\tx")
        #expect(error.description == "f:1:3: m\u{2407}\n 1 | \u{241B} x\n   |   ^")
        #expect(CatalogError.clip(String(repeating: "a", count: 10), 4) == "aaaa… (6 more characters)")
    }
}
