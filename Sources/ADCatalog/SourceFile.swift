// A case file's text with line lookup, so every error can show the line it is about.

/// A position in a source file: 1-based line and column (columns count Unicode scalars,
/// as libyaml does).
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    /// The file's path as the user gave it (relative paths stay relative).
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`.
    public var description: String { "\(file):\(line):\(column)" }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.file, a.line, a.column) < (b.file, b.line, b.column)
    }
}

/// A line and column in a known file, compactly (one per graph node).
public struct SourcePosition: Sendable, Hashable, Codable {
    public var line: Int32
    public var column: Int32

    public init(line: Int, column: Int) {
        self.line = Int32(clamping: line)
        self.column = Int32(clamping: column)
    }

    /// For nodes written nowhere in particular.
    public static let unknown = SourcePosition(line: 0, column: 0)

    public var isKnown: Bool { line > 0 }

    /// Pads `positions` with ``unknown`` to `count` entries.
    public static func pad(_ positions: inout [SourcePosition], to count: Int) {
        if positions.count < count { positions += repeatElement(.unknown, count: count - positions.count) }
    }

    /// Sets `positions[index]`, padding with ``unknown`` up to it.
    public func record(at index: Int, in positions: inout [SourcePosition]) {
        if positions.count <= index {
            SourcePosition.pad(&positions, to: index)
            positions.append(self)
        } else {
            positions[index] = self
        }
    }
}

/// The text of a case file, split into lines once.
public struct SourceFile: Sendable {
    public let path: String
    public let text: String
    /// The lines without their terminators. Lines end where libyaml's do: at `\n`, `\r\n`,
    /// `\r`, U+0085, U+2028 and U+2029, so YAML's line numbers and these lines agree.
    public let lines: [Substring]

    public init(path: String, text: String) {
        self.path = path
        self.text = text
        let utf8 = text.utf8
        var lines: [Substring] = []
        var start = utf8.startIndex
        var i = utf8.startIndex
        while i < utf8.endIndex {
            let length = SourceFile.breakLength(utf8, at: i)
            if length > 0 {
                lines.append(text[start..<i])
                i = utf8.index(i, offsetBy: length)
                start = i
            } else {
                i = utf8.index(after: i)
            }
        }
        lines.append(text[start..<utf8.endIndex])
        self.lines = lines
    }

    /// The length in bytes of the line break at `i`, or 0.
    static func breakLength(_ utf8: String.UTF8View, at i: String.Index) -> Int {
        switch utf8[i] {
        case 0x0A: return 1
        case 0x0D:
            let next = utf8.index(after: i)
            return next < utf8.endIndex && utf8[next] == 0x0A ? 2 : 1
        case 0xC2:
            let next = utf8.index(after: i)
            return next < utf8.endIndex && utf8[next] == 0x85 ? 2 : 0
        case 0xE2:
            let a = utf8.index(after: i)
            guard a < utf8.endIndex, utf8[a] == 0x80 else { return 0 }
            let b = utf8.index(after: a)
            return b < utf8.endIndex && (utf8[b] == 0xA8 || utf8[b] == 0xA9) ? 3 : 0
        default: return 0
        }
    }

    /// The text of line `n` (1-based), or "" past the end.
    public func line(_ n: Int) -> Substring {
        n >= 1 && n <= lines.count ? lines[n - 1] : ""
    }

    public func location(line: Int, column: Int) -> SourceLocation {
        SourceLocation(file: path, line: line, column: column)
    }

    /// An error at `line:column` carrying that line for the caret display.
    public func error(_ message: String, line: Int, column: Int) -> CatalogError {
        CatalogError(location: location(line: line, column: column), message: message, sourceLine: String(self.line(line)))
    }

    /// The 1-based line and column (in Unicode scalars) of a byte offset in the text's UTF-8.
    public func position(ofUTF8Offset offset: Int) -> (line: Int, column: Int) {
        var remaining = offset
        for (index, line) in lines.enumerated() {
            let count = line.utf8.count
            if remaining <= count {
                let prefix = line.utf8.prefix(remaining)
                // Columns count scalars: every byte that does not continue a UTF-8 sequence.
                let column = prefix.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) } + 1
                return (index + 1, column)
            }
            // The line and its break.
            let end = line.utf8.endIndex
            let breakLength = end < text.utf8.endIndex ? SourceFile.breakLength(text.utf8, at: end) : 0
            remaining -= count + breakLength
            if remaining < 0 { return (index + 1, line.unicodeScalars.count + 1) }
        }
        return (lines.count, (lines.last?.unicodeScalars.count ?? 0) + 1)
    }
}
