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

/// The text of a case file, split into lines once.
public struct SourceFile: Sendable {
    public let path: String
    public let text: String
    /// The lines without their terminators.
    public let lines: [Substring]

    public init(path: String, text: String) {
        self.path = path
        self.text = text
        var lines: [Substring] = []
        var start = text.startIndex
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == "\n" || c == "\r\n" || c == "\r" {
                lines.append(text[start..<i])
                start = text.index(after: i)
            }
            i = text.index(after: i)
        }
        lines.append(text[start..<text.endIndex])
        self.lines = lines
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
}
