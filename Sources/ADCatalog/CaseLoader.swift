// Case files: YAML (through Yams) to Cases, every problem reported at its file:line:column.
import ADCore
import Foundation
import Yams

/// Reads case files. See docs/case-format.md for the format.
public enum CaseLoader {
    /// Case files larger than this are refused with an error rather than parsed.
    public static let maxFileSize = 16 << 20
    /// YAML deeper than this (block collections plus flow brackets) is refused before parsing:
    /// the YAML composer recurses once per level. See ``YAMLPrescan``.
    public static let maxYAMLDepth = 64

    /// The most work a case may ask of the verifier: (partials + expected tangents) × graph
    /// nodes. Each partial (and each expected tangent) runs the numerical oracles, some 50 to
    /// 250 evaluations of the whole graph; at this limit a release build needs a minute or two.
    /// A case with 10^6 nodes and 1 input asks 10^6; 1000 inputs over 4000 nodes, 4 x 10^6.
    public static let maxVerificationWork = 100_000_000

    /// Cases (non-empty YAML documents) one file may hold; the first this many are loaded and
    /// the rest refused. A 10 MB file of 200,000 one-line cases asked for a 1.3 GB JSON report
    /// and 10 GB of memory; the catalogue's largest file has 27.
    public static let maxCasesPerFile = 1000

    /// The keys a case document may have.
    public static let caseKeys = ["id", "title", "source", "tags", "note", "kind", "inputs", "let", "output", "outputs", "expect", "tolerance", "kinks", "trace"]
    /// The keys a `kind: network` case document may have.
    public static let networkCaseKeys = ["id", "title", "source", "tags", "note", "kind", "network", "parameters", "data", "checks", "expect", "tolerance", "kinks", "trace"]
    /// The keys of a network case's `expect:`.
    public static let networkExpectKeys = ["parameters", "output_shape", "error", "value", "output", "values", "gradient", "adjoints"]
    /// The keys of `expect:`.
    public static let expectKeys = ["value", "values", "gradient", "jacobian", "adjoints", "tangents", "hessian", "hvp"]

    /// Loads every case in the file at `path`. A problem in one document does not stop the
    /// others (a YAML syntax error stops the documents after it).
    public static func load(path: String) -> (cases: [Case], errors: [CatalogError]) {
        switch readText(path: path) {
        case .success(let text): return load(text: text, path: path)
        case .failure(let error): return ([], [error])
        }
    }

    /// Loads every case in `text`, reporting locations in `path`. Runs on a stack of known
    /// size (see ``LargeStack``), whatever thread calls it.
    public static func load(text: String, path: String) -> (cases: [Case], errors: [CatalogError]) {
        let loaded = LargeStack.run { Loaded(load(onThisStack: text, path: path)) }
        return (loaded.cases, loaded.errors)
    }

    private struct Loaded: Sendable {
        var cases: [Case]
        var errors: [CatalogError]
        init(_ result: (cases: [Case], errors: [CatalogError])) { (cases, errors) = result }
    }

    private static func load(onThisStack text: String, path: String) -> (cases: [Case], errors: [CatalogError]) {
        let source = SourceFile(path: path, text: text)
        if text.allSatisfy({ $0.isWhitespace }) {
            return ([], [.file(path, "the file is empty: expected one or more cases (YAML mappings with id, title, inputs and output)")])
        }
        if let found = YAMLPrescan.scan(text, maxDepth: maxYAMLDepth) {
            let (line, column) = source.position(ofUTF8Offset: found.offset)
            return ([], [source.error(found.message, line: line, column: column)])
        }
        var roots: [Node] = []
        var errors: [CatalogError] = []
        do {
            // The basic resolver: every scalar is a string to Yams (adverify reads numbers from
            // the text itself), so hashing keys for the duplicate check runs no regular expressions.
            let parser = try Parser(yaml: text, resolver: .basic)
            var count = 0
            while let root = try parser.nextRoot() {
                guard !isEmptyDocument(root) else { continue }
                count += 1
                if count > maxCasesPerFile {
                    // Stop composing: the rest of the file is not read.
                    let line = root.mark?.line ?? 1, column = root.mark?.column ?? 1
                    errors.append(source.error(
                        "more than \(maxCasesPerFile) cases in one file: the first \(maxCasesPerFile) are loaded, this one and the rest are not; split the file",
                        line: line, column: column))
                    break
                }
                roots.append(root)
            }
        } catch {
            errors.append(yamlError(error, source: source))
        }
        let documents = roots
        if documents.isEmpty, errors.isEmpty {
            errors.append(.file(path, "the file holds no case: expected one or more YAML mappings with id, title, inputs and output"))
        }
        var cases: [Case] = []
        let starts = documents.map { $0.mark?.line ?? 1 }
        for (k, root) in documents.enumerated() {
            let end = k + 1 < starts.count ? starts[k + 1] - 1 : source.lines.count
            let documentText = caseText(source, from: starts[k], to: end)
            do {
                var reader = DocumentReader(source: source)
                cases.append(try reader.readCase(root, text: documentText))
            } catch {
                errors.append(error)
            }
        }
        return (cases, errors)
    }

    /// The file's text, or an error for a missing, oversized, binary or non-UTF-8 file.
    static func readText(path: String) -> Result<String, CatalogError> {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(.file(path, "no such file"))
        }
        guard !isDirectory.boolValue else { return .failure(.file(path, "is a directory, expected a case file")) }
        if let size = (try? manager.attributesOfItem(atPath: path))?[.size] as? NSNumber, size.intValue > maxFileSize {
            return .failure(.file(path, "the file is \(size.intValue) bytes, more than the \(maxFileSize >> 20) MiB a case file may have"))
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(.file(path, "cannot read the file (permission denied?)"))
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maxFileSize + 1) ?? Data()
        } catch {
            return .failure(.file(path, "cannot read the file: \(error.localizedDescription)"))
        }
        guard data.count <= maxFileSize else {
            return .failure(.file(path, "the file is more than the \(maxFileSize >> 20) MiB a case file may have"))
        }
        return decodeText(data, path: path)
    }

    /// UTF-8 text without NUL bytes; a leading byte-order mark is dropped. A file that is not
    /// is refused at its first NUL or invalid byte, with that line (bad bytes shown as �) and a
    /// caret, and what the file seems to be when its first bytes say (an image, an archive,
    /// UTF-16 text).
    static func decodeText(_ data: Data, path: String) -> Result<String, CatalogError> {
        let problem: (offset: Int, length: Int)? = data.withUnsafeBytes { raw in
            firstInvalidByte(raw.bindMemory(to: UInt8.self))
        }
        guard let problem else {
            var text = String(decoding: data, as: UTF8.self)
            if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
            return .success(text)
        }
        let bytes = [UInt8](data)
        // The line of the bad byte, decoded with repairs, for the caret display.
        var lineStart = problem.offset
        while lineStart > 0, bytes[lineStart - 1] != 0x0A, bytes[lineStart - 1] != 0x0D { lineStart -= 1 }
        var lineEnd = problem.offset
        while lineEnd < bytes.count, bytes[lineEnd] != 0x0A, bytes[lineEnd] != 0x0D, lineEnd - lineStart < 4096 { lineEnd += 1 }
        let prefix = String(decoding: bytes[lineStart..<problem.offset], as: UTF8.self)
        let lineText = String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self)
        let before = String(decoding: bytes[0..<lineStart], as: UTF8.self)
        let line = SourceFile(path: path, text: before).lines.count
        let column = prefix.unicodeScalars.count + 1
        let shown = bytes[problem.offset..<(problem.offset + problem.length)].map { String(format: "0x%02X", $0) }.joined(separator: " ")
        var message: String
        if bytes[problem.offset] == 0 {
            message = "binary content: a NUL byte (0x00) where text was expected; a case file is UTF-8 YAML text"
        } else {
            message = "not UTF-8 text: invalid byte\(problem.length == 1 ? "" : "s") \(shown)"
            let lead = bytes[problem.offset]
            if lead >= 0xA0, problem.length == 1 {
                message += " (Latin-1 '\(Character(Unicode.Scalar(lead)))'?)"
            }
            message += "; save the file as UTF-8"
        }
        if let kind = binaryKind(bytes) {
            message = kind.hasPrefix("UTF-16")
                ? "\(kind): a case file is UTF-8 text; save it as UTF-8"
                : "binary content (\(kind)): a case file is UTF-8 YAML text; the first byte that is not is \(shown)"
        }
        return .failure(CatalogError(location: SourceLocation(file: path, line: line, column: column), message: message, sourceLine: lineText))
    }

    /// The offset and length of the first NUL byte or invalid UTF-8 sequence (RFC 3629: no
    /// overlong forms, no surrogates, nothing above U+10FFFF), or nil.
    static func firstInvalidByte(_ bytes: UnsafeBufferPointer<UInt8>) -> (offset: Int, length: Int)? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 {
                if b == 0 { return (i, 1) }
                i += 1
                continue
            }
            let length: Int, low: UInt8, high: UInt8
            switch b {
            case 0xC2...0xDF: (length, low, high) = (2, 0x80, 0xBF)
            case 0xE0: (length, low, high) = (3, 0xA0, 0xBF)
            case 0xED: (length, low, high) = (3, 0x80, 0x9F)
            case 0xE1...0xEF: (length, low, high) = (3, 0x80, 0xBF)
            case 0xF0: (length, low, high) = (4, 0x90, 0xBF)
            case 0xF4: (length, low, high) = (4, 0x80, 0x8F)
            case 0xF1...0xF3: (length, low, high) = (4, 0x80, 0xBF)
            default: return (i, 1)
            }
            guard i + 1 < n, (low...high).contains(bytes[i + 1]) else { return (i, 1) }
            for k in 2..<length {
                guard i + k < n, bytes[i + k] & 0xC0 == 0x80 else { return (i, k) }
            }
            i += length
        }
        return nil
    }

    /// What a binary file is, from its first bytes, when it is something well known.
    static func binaryKind(_ bytes: [UInt8]) -> String? {
        func starts(_ prefix: [UInt8]) -> Bool { bytes.starts(with: prefix) }
        if starts([0x89, 0x50, 0x4E, 0x47]) { return "a PNG image" }
        if starts([0xFF, 0xD8, 0xFF]) { return "a JPEG image" }
        if starts(Array("GIF8".utf8)) { return "a GIF image" }
        if starts(Array("%PDF".utf8)) { return "a PDF document" }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return "a zip archive" }
        if starts([0x1F, 0x8B]) { return "gzip-compressed data" }
        if starts([0x7F, 0x45, 0x4C, 0x46]) { return "an ELF executable" }
        if starts([0xFF, 0xFE]) { return "UTF-16 text (the byte-order mark 0xFF 0xFE)" }
        if starts([0xFE, 0xFF]) { return "UTF-16 text (the byte-order mark 0xFE 0xFF)" }
        return nil
    }

    /// Where `key` appears again as a key after its first occurrence at `first`: in a block
    /// mapping at the same column, in a flow mapping after `{`, `,` or a blank. Nil if not found.
    static func secondOccurrence(of key: String, after first: Mark, in source: SourceFile) -> (line: Int, column: Int)? {
        let keyScalars = Array(key.unicodeScalars)
        guard !keyScalars.isEmpty, first.line >= 1 else { return nil }
        let firstLine = Array(source.line(first.line).unicodeScalars)
        let isBlock = first.column == 1 || firstLine.prefix(first.column - 1).allSatisfy { $0 == " " || $0 == "-" }
        for number in first.line...min(source.lines.count, first.line + 10_000) {
            let line = Array(source.line(number).unicodeScalars)
            var start = number == first.line ? first.column - 1 + keyScalars.count : 0
            while start + keyScalars.count <= line.count {
                defer { start += 1 }
                guard Array(line[start..<(start + keyScalars.count)]) == keyScalars else { continue }
                var after = start + keyScalars.count
                while after < line.count, line[after] == " " { after += 1 }
                guard after < line.count, line[after] == ":" else { continue }
                if isBlock {
                    if start + 1 == first.column, line[..<start].allSatisfy({ $0 == " " || $0 == "-" }) { return (number, start + 1) }
                } else if start > 0, line[start - 1] == "{" || line[start - 1] == "," || line[start - 1] == " " {
                    return (number, start + 1)
                }
            }
        }
        return nil
    }

    static func isEmptyDocument(_ node: Node) -> Bool {
        guard case .scalar(let s) = node else { return false }
        return s.style == .plain && (s.string.isEmpty || s.string == "~" || s.string == "null")
    }

    /// Lines `from...to` without trailing blank lines and document markers.
    static func caseText(_ source: SourceFile, from: Int, to: Int) -> String {
        guard from <= to else { return "" }
        var lines = (from...to).map { String(source.line($0)) }
        while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty || last.hasPrefix("---") || last.hasPrefix("...") {
            lines.removeLast()
        }
        return lines.joined(separator: "\n")
    }

    static func yamlError(_ error: Error, source: SourceFile) -> CatalogError {
        guard let yaml = error as? YamlError else {
            return .file(source.path, "YAML: \(error)")
        }
        switch yaml {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            if problem.hasPrefix("Maximum nesting level") {
                return source.error("YAML nested more than libyaml's 1000 levels: a case file needs a few", line: mark.line, column: mark.column)
            }
            // Past the last line (an unclosed quote or bracket), point at what was left open.
            if mark.line > source.lines.count || (mark.line == source.lines.count && source.line(mark.line).isEmpty),
               let context, context.mark.line <= source.lines.count {
                return source.error(
                    "YAML syntax: the file ends inside \(context.text.replacingOccurrences(of: "while scanning ", with: "").replacingOccurrences(of: "while parsing ", with: "")) that starts here: \(problem)",
                    line: context.mark.line, column: context.mark.column)
            }
            let during = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            let line = Array(source.line(mark.line).unicodeScalars)
            if mark.column >= 1, mark.column <= line.count, line[mark.column - 1] == "\t" {
                return source.error("YAML syntax: a tab where YAML expects spaces (YAML indents with spaces only): \(problem)", line: mark.line, column: mark.column)
            }
            return source.error("YAML syntax: \(problem)\(during)", line: mark.line, column: mark.column)
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            // Yams gives the first occurrence; point at the second when it can be found.
            if duplicates.count == 1, let again = secondOccurrence(of: duplicates[0], after: context.mark, in: source) {
                return source.error(
                    "duplicate key \(keys): already at line \(context.mark.line), column \(context.mark.column); a key may appear once in a mapping",
                    line: again.line, column: again.column)
            }
            return source.error(
                "duplicate key \(keys): a key may appear once in a mapping, and this one appears again further on",
                line: context.mark.line, column: context.mark.column)
        case let .reader(problem, offset, _, _):
            return .file(source.path, "YAML: \(problem)\(offset.map { " at byte \($0)" } ?? "")")
        default:
            return .file(source.path, "YAML: \(yaml)")
        }
    }
}
