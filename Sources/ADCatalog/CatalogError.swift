// Every problem with a case file, reported where it is: `file:line:column: message`, the line, a caret.

/// A problem in a case file (or with reading it), located so the user can go straight to it.
///
/// ```
/// cases/textbook/peharz.yaml:12:11: unknown function 'sine'; did you mean 'sin'?
///    12 |   output: sine(c)
///       |           ^
/// ```
public struct CatalogError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    /// The text of the line the error is on ("" when there is none, e.g. an unreadable file).
    public var sourceLine: String

    public init(location: SourceLocation, message: String, sourceLine: String = "") {
        self.location = location
        self.message = message
        self.sourceLine = sourceLine
    }

    /// An error about a whole file (unreadable, not UTF-8, empty): located at 1:1.
    public static func file(_ path: String, _ message: String) -> CatalogError {
        CatalogError(location: SourceLocation(file: path, line: 1, column: 1), message: message)
    }

    /// `file:line:column: message`, then the line and a caret under the column.
    public var description: String {
        var s = "\(location): \(message)"
        guard !sourceLine.isEmpty else { return s }
        // Very long lines (minified or generated files) are cut around the caret.
        let scalars = Array(sourceLine.unicodeScalars)
        var column = max(location.column, 1)
        var shown = scalars
        if scalars.count > 160 {
            let start = max(0, min(column - 1 - 60, scalars.count - 160))
            shown = Array(scalars[start..<min(scalars.count, start + 160)])
            column -= start
        }
        let text = String(String.UnicodeScalarView(shown.map { $0 == "\t" ? " " : $0 }))
        let gutter = String(location.line)
        let pad = String(repeating: " ", count: gutter.count)
        s += "\n \(gutter) | \(text)"
        s += "\n \(pad) | \(String(repeating: " ", count: max(0, min(column - 1, shown.count))))^"
        return s
    }
}
