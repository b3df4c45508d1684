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
    ///
    /// Control characters (a binary file's bytes, an escape sequence) are shown as their
    /// visible symbols (␀, ␛), one for one, so nothing reaches the terminal raw and the caret
    /// stays under its column. Messages and lines longer than a screen are cut.
    public var description: String {
        var s = "\(location): \(CatalogError.visible(CatalogError.clip(message, 2000)))"
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
        let text = CatalogError.visible(String(String.UnicodeScalarView(shown.map { $0 == "\t" ? " " : $0 })))
        let gutter = String(location.line)
        let pad = String(repeating: " ", count: gutter.count)
        s += "\n \(gutter) | \(text)"
        s += "\n \(pad) | \(String(repeating: " ", count: max(0, min(column - 1, shown.count))))^"
        return s
    }

    /// `text` with every control character replaced by its visible symbol (U+2400 + code,
    /// ␡ for DEL, � for C1 controls), one scalar for one.
    public static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { c -> Unicode.Scalar in
            guard isControl(c) else { return c }
            if c.value < 0x20 { return Unicode.Scalar(0x2400 + c.value)! }
            return c.value == 0x7F ? "\u{2421}" : "\u{FFFD}"
        }))
    }

    private static func isControl(_ c: Unicode.Scalar) -> Bool {
        c.value < 0x20 || (0x7F...0x9F).contains(c.value)
    }

    /// `text` cut to `limit` characters, with how much was left out.
    public static func clip(_ text: String, _ limit: Int) -> String {
        guard text.unicodeScalars.count > limit else { return text }
        let kept = String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit)))
        return kept + "… (\(text.unicodeScalars.count - limit) more characters)"
    }
}
