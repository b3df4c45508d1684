// Markdown building blocks shared by the renderers: escaping, code spans and fences, tables.
//
// The output has to read the same on GitHub (GFM) and in other CommonMark-ish converters
// (Python-Markdown, pandoc), so escapes use what all of them agree on: backslash escapes for
// the characters every converter knows, HTML entities for the rest.
import ADBench
import ADVerify
import Foundation

/// Internal helpers; not API.
enum Markdown {
    /// Free text (a title, a source, a message) made safe for inline Markdown: it renders as
    /// written, never as emphasis, links, HTML or math. Pipes are left to `table`, which
    /// escapes them in cells.
    static func text(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        var scalars = s.unicodeScalars[...]
        while let c = scalars.popFirst() {
            switch c {
            case "\\", "`", "*", "_", "[", "]": out += "\\" + String(c)
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "~": out += "&#126;"
            case "$": out += "&#36;"  // GitHub renders $...$ as math
            case "&":
                // Only an `&` that would start an entity needs escaping; keep "Ellis & Smith" readable.
                out += startsEntity(scalars) ? "&amp;" : "&"
            case "\n", "\r": out += " "
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Text that may start a line (a paragraph or a blockquote line): also neutralises what a
    /// line start means in Markdown (headings, list markers, quotes, setext underlines).
    /// `s` cut to `limit` characters with an ellipsis, for a table cell.
    static func shorten(_ s: String, _ limit: Int) -> String {
        s.count > limit ? String(s.prefix(limit - 1)) + "…" : s
    }

    /// `s` cut to `limit` characters, saying how many were left out.
    static func clip(_ s: String, _ limit: Int) -> String {
        guard s.utf8.count > limit, s.count > limit else { return s }
        return String(s.prefix(limit)) + "… (\(s.count - limit) more characters)"
    }

    static func line(_ s: String) -> String {
        var escaped = text(s)
        let trimmed = escaped.drop { $0 == " " }
        guard let first = trimmed.first else { return escaped }
        let indent = escaped.count - trimmed.count
        if "#-+=".contains(first) {
            escaped.insert("\\", at: escaped.index(escaped.startIndex, offsetBy: indent))
        } else if first.isNumber {
            // `1. text` and `1) text` start ordered lists.
            let digits = trimmed.prefix { $0.isNumber }
            let after = trimmed.dropFirst(digits.count).first
            if after == "." || after == ")" {
                escaped.insert("\\", at: escaped.index(escaped.startIndex, offsetBy: indent + digits.count))
            }
        }
        if indent >= 4 { escaped = String(escaped.drop { $0 == " " }) }  // not a code block
        return escaped
    }

    /// A blockquote of possibly several lines of free text.
    static func blockquote(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? ">" : "> " + line(String($0)) }
            .joined(separator: "\n")
    }

    /// Text for inside an HTML element (`<summary>`, `<cite>`): Markdown is not parsed there.
    static func html(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n", "\r": out += " "
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A code span: the text verbatim, with a fence longer than any run of backticks in it.
    static func code(_ s: String) -> String {
        let flat = s.replacingOccurrences(of: "\n", with: " ")
        let fence = String(repeating: "`", count: longestRun(of: "`", in: flat) + 1)
        let pad = flat.hasPrefix("`") || flat.hasSuffix("`") ? " " : ""
        return fence + pad + flat + pad + fence
    }

    /// A fenced code block whose fence cannot be closed by the text inside.
    static func fence(_ s: String, language: String = "") -> String {
        let fence = String(repeating: "`", count: max(3, longestRun(of: "`", in: s) + 1))
        let body = s.hasSuffix("\n") ? String(s.dropLast()) : s
        return "\(fence)\(language)\n\(body)\n\(fence)"
    }

    enum Alignment { case left, right, center }

    /// A GFM table. Cells are Markdown; pipes in them are escaped here (GFM needs `\|` even
    /// inside code spans) and line breaks become `<br>`.
    static func table(_ header: [String], align: [Alignment]? = nil, rows: [[String]]) -> String {
        // A delimiter row of another width than the header is not a table in GFM: pad or cut.
        let given = align ?? []
        let align = (0..<header.count).map { $0 < given.count ? given[$0] : .left }
        func row(_ cells: [String], empty: String) -> String {
            let padded = cells + Array(repeating: "", count: max(0, header.count - cells.count))
            return "| " + padded.prefix(header.count).map { cell($0, empty: empty) }.joined(separator: " | ") + " |"
        }
        let rule = "|" + align.map {
            switch $0 {
            case .left: ":---"
            case .right: "---:"
            case .center: ":---:"
            }
        }.joined(separator: "|") + "|"
        return ([row(header, empty: ""), rule] + rows.map { row($0, empty: "—") }).joined(separator: "\n")
    }

    private static func cell(_ s: String, empty: String) -> String {
        if s.isEmpty { return empty }
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "|": out += "\\|"
            case "\n": out += "<br>"
            case "\r": break
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    private static func longestRun(of mark: Character, in s: String) -> Int {
        var longest = 0, run = 0
        for c in s {
            run = c == mark ? run + 1 : 0
            longest = max(longest, run)
        }
        return longest
    }

    /// Whether the text after an `&` reads as an entity (`amp;`, `#36;`, `#x24;`).
    private static func startsEntity(_ rest: Substring.UnicodeScalarView) -> Bool {
        var count = 0
        for c in rest {
            if c == ";" { return count > 0 }
            guard c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "#" else { return false }
            count += 1
            if count > 32 { return false }
        }
        return false
    }
}

/// How reports print numbers besides `format(_:)`.
enum Numbers {
    /// An error bar or budget: two significant digits are enough to judge it.
    /// `57,168`: thousands separated, for counts.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (k, ch) in digits.enumerated() {
            if k > 0, (digits.count - k) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    static func short(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == 0 { return "0" }
        return String(format: "%.2g", x)
    }

    /// `± 5.8e−10` under a number in a narrow cell: a non-breaking space after the sign and a
    /// minus sign (U+2212) in the exponent, where browsers will not break the line as they do
    /// after a hyphen. For display only; the JSON report has the exact numbers.
    static func plusMinus(_ x: Double) -> String {
        "±\u{A0}" + short(x).replacingOccurrences(of: "e-", with: "e\u{2212}")
    }

    /// Agreeing digits: one decimal, 17 (all a Double holds) shown as such.
    static func digits(_ d: Double) -> String {
        d >= 17 ? "17" : String(format: "%.1f", d)
    }

    /// Seconds, to three significant digits, in the unit that reads best.
    static func seconds(_ t: Double) -> String {
        t.isFinite ? TimeText.seconds(t) : format(t)
    }
}

/// The marks that stand for verdicts in every report.
extension Verdict {
    var mark: String {
        switch self {
        case .pass: "✓"
        case .fail: "✗"
        case .inconclusive: "?"
        }
    }

    var word: String {
        switch self {
        case .pass: "pass"
        case .fail: "fail"
        case .inconclusive: "inconclusive"
        }
    }

    var reason: String? {
        if case .inconclusive(let reason) = self { reason } else { nil }
    }
}
