// Case files: YAML (through Yams) to Cases, every problem reported at its file:line:column.
import ADCore
import Foundation
import Yams

/// Reads case files. See the README's "Case files" for the format.
public enum CaseLoader {
    /// Case files larger than this are refused with an error rather than parsed.
    public static let maxFileSize = 16 << 20
    /// YAML deeper than this (nested flow collections or indentation) is refused before parsing:
    /// the YAML composer recurses once per level.
    public static let maxYAMLDepth = 64

    /// The keys a case document may have.
    public static let caseKeys = ["id", "title", "source", "tags", "note", "kind", "inputs", "let", "output", "outputs", "expect", "tolerance"]
    /// The keys a `kind: network` case document may have.
    public static let networkCaseKeys = ["id", "title", "source", "tags", "note", "kind", "network", "parameters", "data", "checks", "expect", "tolerance"]
    /// The keys of a network case's `expect:`.
    public static let networkExpectKeys = ["parameters", "output_shape", "error", "value", "output", "values", "gradient", "adjoints"]
    /// The keys of `expect:`.
    public static let expectKeys = ["value", "values", "gradient", "jacobian", "adjoints", "tangents"]

    /// Loads every case in the file at `path`. A problem in one document does not stop the
    /// others (a YAML syntax error stops the documents after it).
    public static func load(path: String) -> (cases: [Case], errors: [CatalogError]) {
        switch readText(path: path) {
        case .success(let text): return load(text: text, path: path)
        case .failure(let error): return ([], [error])
        }
    }

    /// Loads every case in `text`, reporting locations in `path`.
    public static func load(text: String, path: String) -> (cases: [Case], errors: [CatalogError]) {
        let source = SourceFile(path: path, text: text)
        if text.allSatisfy({ $0.isWhitespace }) {
            return ([], [.file(path, "the file is empty: expected one or more cases (YAML mappings with id, title, inputs and output)")])
        }
        if let error = nestingError(source) ?? aliasExpansionError(source) { return ([], [error]) }
        var roots: [Node] = []
        var errors: [CatalogError] = []
        do {
            let parser = try Parser(yaml: text)
            while let root = try parser.nextRoot() { roots.append(root) }
        } catch {
            errors.append(yamlError(error, source: source))
        }
        let documents = roots.filter { !isEmptyDocument($0) }
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

    /// UTF-8 text without NUL bytes; a leading byte-order mark is dropped.
    static func decodeText(_ data: Data, path: String) -> Result<String, CatalogError> {
        let bytes = [UInt8](data)
        func location(_ offset: Int) -> SourceLocation {
            var line = 1, lineStart = 0
            for i in 0..<offset where bytes[i] == 0x0A {
                line += 1
                lineStart = i + 1
            }
            return SourceLocation(file: path, line: line, column: offset - lineStart + 1)
        }
        if let nul = bytes.firstIndex(of: 0) {
            return .failure(CatalogError(location: location(nul), message: "binary content (a NUL byte): expected a YAML text file"))
        }
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        loop: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: break loop
            case .error(let length):
                let shown = bytes[offset..<min(offset + length, bytes.count)].map { String(format: "0x%02X", $0) }.joined(separator: " ")
                return .failure(CatalogError(location: location(offset), message: "not UTF-8 text: invalid byte \(shown); save the file as UTF-8"))
            }
        }
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        return .success(text)
    }

    /// Refuses absurdly nested YAML before the (recursive) composer sees it: counts open
    /// flow brackets outside quotes and comments, and block indentation.
    static func nestingError(_ source: SourceFile) -> CatalogError? {
        var depth = 0
        for (index, line) in source.lines.enumerated() {
            var column = 0
            var quote: Character?
            var leading = true
            var indent = 0
            for c in line {
                column += 1
                if leading {
                    if c == " " || c == "-" { indent += 1; continue }
                    leading = false
                }
                if let q = quote {
                    if c == q { quote = nil }
                    continue
                }
                switch c {
                case "\"", "'": quote = c
                case "#": break
                case "[", "{":
                    depth += 1
                    if depth > maxYAMLDepth {
                        return source.error("YAML nested more than \(maxYAMLDepth) levels deep: a case file needs at most 4", line: index + 1, column: column)
                    }
                case "]", "}": depth = max(0, depth - 1)
                default: continue
                }
                if c == "#" { break }
            }
            if indent > 4 * maxYAMLDepth {
                return source.error("YAML indented more than \(4 * maxYAMLDepth) columns: a case file needs a few levels at most", line: index + 1, column: 1)
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
            let during = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return source.error("YAML syntax: \(problem)\(during)", line: mark.line, column: mark.column)
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return source.error(
                "duplicate key \(keys) in the mapping that starts here: each key may appear once",
                line: context.mark.line, column: context.mark.column)
        case let .reader(problem, offset, _, _):
            return .file(source.path, "YAML: \(problem)\(offset.map { " at byte \($0)" } ?? "")")
        default:
            return .file(source.path, "YAML: \(yaml)")
        }
    }
}
