// A linear scan of a case file's YAML before the composer sees it: nesting depth and anchors.

/// Finds what must be refused before Yams builds the document tree.
///
/// Yams composes a document recursively, one call per nesting level (libyaml stops at 1000
/// levels), and checks a mapping's keys for duplicates by hashing them whole; a key that is an
/// alias of a nested collection (the "billion laughs") is hashed once per path through the
/// aliases, exponentially often. So before composing, this scan refuses:
/// - nesting deeper than ``CaseLoader/maxYAMLDepth`` levels (block collections plus flow
///   brackets), pointing at the bracket, `- ` or key that goes one level too deep;
/// - anchors and aliases (`&name`, `*name`): case files are plain data and never need them.
///
/// It is a scanner, not a parser: it follows what decides where YAML nodes start (indentation,
/// `- `, `? `, `: `, flow brackets, quoted, plain and block scalars, comments, document markers,
/// and libyaml's line breaks, which include U+0085, U+2028 and U+2029) and leaves every other
/// judgement to libyaml. On a file it misreads it refuses nothing that libyaml would accept
/// except an unquoted `&` or `*` where a value starts (which YAML reads as an anchor or an
/// alias anyway), and libyaml's own limit of 1000 levels still applies. One pass, no recursion.
struct YAMLPrescan {
    /// What the scan found wrong, at a byte offset in the file's UTF-8.
    struct Finding {
        var offset: Int
        var message: String
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let maxDepth: Int
    private var i = 0
    private var lineStart = 0

    /// The columns of the block collections open at the current line, outermost first.
    private var blockIndents: [Int] = []
    /// Inside a multi-line scalar (plain or block) whose lines are indented beyond this column.
    private var scalarIndent: Int?
    private var inBlockScalar = false
    /// A block scalar's content indentation, once its first non-blank line is seen.
    private var blockScalarContent: Int?

    private init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// The first problem in `text`, or nil.
    static func scan(_ text: String, maxDepth: Int) -> Finding? {
        var copy = text
        return copy.withUTF8 { buffer in
            var scanner = YAMLPrescan(bytes: buffer, maxDepth: maxDepth)
            return scanner.run()
        }
    }

    // MARK: Bytes

    private static let space: UInt8 = 0x20, tab: UInt8 = 0x09, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
    private static let hash = UInt8(ascii: "#"), dash = UInt8(ascii: "-"), question = UInt8(ascii: "?")
    private static let colon = UInt8(ascii: ":"), comma = UInt8(ascii: ",")
    private static let openSquare = UInt8(ascii: "["), closeSquare = UInt8(ascii: "]")
    private static let openCurly = UInt8(ascii: "{"), closeCurly = UInt8(ascii: "}")
    private static let single = UInt8(ascii: "'"), double = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
    private static let pipe = UInt8(ascii: "|"), greater = UInt8(ascii: ">")
    private static let ampersand = UInt8(ascii: "&"), star = UInt8(ascii: "*"), bang = UInt8(ascii: "!")
    private static let percent = UInt8(ascii: "%"), dot = UInt8(ascii: ".")

    private func byte(_ k: Int) -> UInt8? { k >= 0 && k < bytes.count ? bytes[k] : nil }

    /// The length of the line break at `k` (`\n`, `\r`, `\r\n`, U+0085, U+2028, U+2029), or 0.
    private func breakLength(_ k: Int) -> Int {
        guard let b = byte(k) else { return 0 }
        switch b {
        case Self.lf: return 1
        case Self.cr: return byte(k + 1) == Self.lf ? 2 : 1
        case 0xC2: return byte(k + 1) == 0x85 ? 2 : 0
        case 0xE2: return byte(k + 1) == 0x80 && (byte(k + 2) == 0xA8 || byte(k + 2) == 0xA9) ? 3 : 0
        default: return 0
        }
    }

    /// The end of the text or a line break.
    private func isBreak(_ k: Int) -> Bool { k >= bytes.count || breakLength(k) > 0 }
    private func isBlank(_ k: Int) -> Bool { byte(k) == Self.space || byte(k) == Self.tab }
    private func isBlankOrBreak(_ k: Int) -> Bool { isBlank(k) || isBreak(k) }

    /// Moves past the end of the line and starts the next one.
    private mutating func nextLine() {
        while !isBreak(i) { i += 1 }
        i += Swift.max(breakLength(i), i < bytes.count ? 1 : 0)
        lineStart = i
    }

    private mutating func skipBlanks() {
        while isBlank(i) { i += 1 }
    }

    // MARK: Lines

    private mutating func run() -> Finding? {
        while i < bytes.count {
            if let found = scanLine() { return found }
        }
        return nil
    }

    /// One line in block context. Flow collections and quoted scalars may take more lines.
    private mutating func scanLine() -> Finding? {
        var indent = 0
        while byte(i) == Self.space { indent += 1; i += 1 }
        let first = byte(i)
        // Document markers at column 0 end everything open.
        if indent == 0, first == Self.dash || first == Self.dot,
           byte(i + 1) == first, byte(i + 2) == first, isBlankOrBreak(i + 3) {
            blockIndents = []
            scalarIndent = nil
            inBlockScalar = false
            i += 3
            return scanNode(owner: -1)
        }
        // Blank lines belong to whatever is open.
        if isBreak(i) || (isBlank(i) && onlyBlanksToBreak()) {
            nextLine()
            return nil
        }
        if inBlockScalar, let owner = scalarIndent {
            if let content = blockScalarContent {
                if indent >= content { nextLine(); return nil }
            } else if indent > owner {
                blockScalarContent = indent
                nextLine()
                return nil
            }
            inBlockScalar = false
            scalarIndent = nil
        }
        if first == Self.hash || (indent == 0 && first == Self.percent && scalarIndent == nil) {
            // A comment, or a directive (%YAML, %TAG).
            nextLine()
            return nil
        }
        if let owner = scalarIndent {
            if indent > owner { nextLine(); return nil }
            scalarIndent = nil
        }
        // The block collections indented beyond this line are closed.
        while let last = blockIndents.last, last > indent { blockIndents.removeLast() }
        return scanNode(owner: blockIndents.last ?? -1)
    }

    private func onlyBlanksToBreak() -> Bool {
        var k = i
        while isBlank(k) { k += 1 }
        return isBreak(k)
    }

    /// Opens a block collection at `column` unless the innermost open one is there already.
    private mutating func open(level column: Int, at offset: Int) -> Finding? {
        if blockIndents.last == column { return nil }
        blockIndents.append(column)
        if blockIndents.count > maxDepth {
            return Finding(offset: offset, message: "YAML nested more than \(maxDepth) levels deep: a case file needs a few levels")
        }
        return nil
    }

    /// Whether a `:` that makes the node before it a key follows (after blanks); moves past it.
    private mutating func keyColon() -> Bool {
        skipBlanks()
        guard byte(i) == Self.colon, isBlankOrBreak(i + 1) else { return false }
        i += 1
        return true
    }

    /// The nodes of one line in block context, from `i`. `owner` is the column a multi-line
    /// scalar value's further lines must be indented beyond (its key's, or its `- `'s).
    private mutating func scanNode(owner: Int) -> Finding? {
        var owner = owner
        while true {
            skipBlanks()
            if isBreak(i) { nextLine(); return nil }
            let b = bytes[i]
            let column = i - lineStart
            // `- ` and `? ` open a block collection on this line; `: ` starts an explicit key's value.
            if b == Self.dash || b == Self.question || b == Self.colon, isBlankOrBreak(i + 1) {
                if b != Self.colon, let found = open(level: column, at: i) { return found }
                owner = column
                i += 1
                continue
            }
            switch b {
            case Self.hash:
                nextLine()
                return nil
            case Self.ampersand, Self.star:
                return anchorFinding(at: i)
            case Self.bang:
                // A tag: the node follows it.
                while !isBlankOrBreak(i) { i += 1 }
                continue
            case Self.pipe, Self.greater:
                // A block scalar: its lines are those indented beyond its owner.
                inBlockScalar = true
                blockScalarContent = nil
                scalarIndent = owner
                nextLine()
                return nil
            case Self.single, Self.double, Self.openSquare, Self.openCurly:
                let start = i
                if let found = b == Self.single || b == Self.double ? quoted(b) : flow() { return found }
                if keyColon() {
                    if let found = open(level: column, at: start) { return found }
                    owner = column
                    continue
                }
                nextLine()
                return nil
            default:
                // A plain scalar: up to `: ` (a key), ` #` (a comment) or the end of the line.
                let start = i
                while !isBreak(i) {
                    if bytes[i] == Self.colon, isBlankOrBreak(i + 1) { break }
                    if bytes[i] == Self.hash, isBlank(i - 1) { break }
                    i += 1
                }
                if byte(i) == Self.colon {
                    i += 1
                    if let found = open(level: column, at: start) { return found }
                    owner = column
                    continue
                }
                // A value, which may go on over the next, more indented lines.
                scalarIndent = owner
                nextLine()
                return nil
            }
        }
    }

    private func anchorFinding(at offset: Int) -> Finding {
        var end = offset + 1
        while !isBlankOrBreak(end), byte(end) != Self.comma, byte(end) != Self.closeSquare, byte(end) != Self.closeCurly, end - offset < 40 {
            end += 1
        }
        let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<end]), as: UTF8.self)
        let kind = bytes[offset] == Self.ampersand ? "anchor" : "alias"
        return Finding(
            offset: offset,
            message: "YAML \(kind) '\(name)': anchors and aliases (&name, *name) are not supported in case files; write the value out, or quote it if it is text")
    }

    /// A quoted scalar starting at `i` (on the quote); ends after the closing quote.
    private mutating func quoted(_ quote: UInt8) -> Finding? {
        i += 1
        while i < bytes.count {
            if breakLength(i) > 0 {
                nextLine()
                continue
            }
            let c = bytes[i]
            if quote == Self.double, c == Self.backslash {
                i += breakLength(i + 1) > 0 ? 1 : 2
                continue
            }
            if c == quote {
                if quote == Self.single, byte(i + 1) == Self.single {
                    i += 2
                    continue
                }
                i += 1
                return nil
            }
            i += 1
        }
        return nil
    }

    /// A flow collection starting at `i` (on the bracket); ends after the matching bracket.
    private mutating func flow() -> Finding? {
        var depth = 0
        var atNodeStart = true
        while i < bytes.count {
            if breakLength(i) > 0 {
                nextLine()
                continue
            }
            let c = bytes[i]
            switch c {
            case Self.space, Self.tab:
                i += 1
            case Self.openSquare, Self.openCurly:
                depth += 1
                if blockIndents.count + depth > maxDepth {
                    return Finding(offset: i, message: "YAML nested more than \(maxDepth) levels deep: a case file needs a few levels")
                }
                atNodeStart = true
                i += 1
            case Self.closeSquare, Self.closeCurly:
                depth -= 1
                i += 1
                atNodeStart = false
                if depth <= 0 { return nil }
            case Self.comma, Self.colon:
                atNodeStart = true
                i += 1
            case Self.question where isBlankOrBreak(i + 1):
                atNodeStart = true
                i += 1
            case Self.hash where i == lineStart || isBlank(i - 1):
                nextLine()
            case Self.single, Self.double:
                if atNodeStart {
                    if let found = quoted(c) { return found }
                } else {
                    i += 1
                }
                atNodeStart = false
            case Self.ampersand, Self.star:
                if atNodeStart { return anchorFinding(at: i) }
                i += 1
            default:
                atNodeStart = false
                i += 1
            }
        }
        return nil
    }
}
