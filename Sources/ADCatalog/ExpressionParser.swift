// The expression language of case files, parsed by precedence climbing (Pratt) straight into a Graph.
import ADCore

/// What a name in an expression refers to.
public enum NameBinding: Sendable {
    /// A node already in the graph (an input or an earlier `let`).
    case node(Int)
    /// A `let` name defined further down, at this line: a forward reference.
    case later(line: Int)
    /// A name that exists but may not be used here; the reason says why.
    case unavailable(reason: String)
}

/// Where an expression's text sits in its file, so an offset in the text becomes a
/// `line:column`. `column` is that of the text's first character; `nil` when the text
/// could not be found verbatim in the file (escaped or folded YAML strings): every error
/// then points at the start of the YAML value.
public struct TextOrigin: Sendable {
    public var source: SourceFile
    public var line: Int
    public var column: Int
    public var isVerbatim: Bool

    public init(source: SourceFile, line: Int, column: Int, isVerbatim: Bool = true) {
        self.source = source
        self.line = line
        self.column = column
        self.isVerbatim = isVerbatim
    }

    func error(_ message: String, offset: Int) -> CatalogError {
        source.error(message, line: line, column: isVerbatim ? column + offset : column)
    }
}

/// Parses the expression language (see docs/case-format.md) into graph nodes.
///
/// ```
/// expr    = sum
/// sum     = product { ("+" | "-") product }          left-associative
/// product = unary { ("*" | "/") unary }              left-associative
/// unary   = "-" unary | power                        -x^2 = -(x^2)
/// power   = atom [ "^" unary ]                       right-associative: 2^-x, 2^3^2 = 2^9
/// atom    = number | name | "pi" | function "(" expr { "," expr } ")" | "(" expr ")"
/// ```
/// Nodes are emitted as they are parsed, so the parser keeps no syntax tree: a sum of a
/// million terms costs a million nodes and no recursion. Recursion happens only for
/// parentheses, function arguments, unary minus and `^`, and stops at `maxDepth` with an error.
public struct ExpressionParser {
    /// Deepest nesting of parentheses, calls, unary minus and `^` accepted.
    public static let maxDepth = 200

    /// The functions of the language and the primitive each one applies.
    public static let functions: [String: Op] = {
        var table: [String: Op] = ["ln": .log, "pow": .pow]
        for op in Op.primitives where op.name.first?.isLetter == true && op != .neg {
            table[op.name] = op
        }
        return table
    }()

    /// Names that inputs and `let` bindings may not take.
    public static func isReserved(_ name: String) -> Bool {
        name == "pi" || functions[name] != nil
    }

    private let scalars: [Unicode.Scalar]
    private let origin: TextOrigin
    private var tokens: [Token] = []
    private var position = 0
    private var recordsPositions = false
    /// The nodes this parse made and where each was written.
    private var recorded: [(Int, SourcePosition)] = []

    /// Parses `text` and appends its nodes to `builder`; returns the node of the whole expression.
    /// `resolve` says what a name refers to (`nil`: undefined).
    public static func parse(
        _ text: String, origin: TextOrigin, into builder: inout GraphBuilder,
        resolve: (String) -> NameBinding?
    ) throws(CatalogError) -> Int {
        var parser = ExpressionParser(text: text, origin: origin)
        return try parser.run(into: &builder, resolve: resolve)
    }

    /// ``parse(_:origin:into:resolve:)``, also recording in `positions[node]` where each new
    /// node was written: the operator, the function's name, the literal. `positions` is padded
    /// with ``SourcePosition/unknown`` for nodes made elsewhere.
    public static func parse(
        _ text: String, origin: TextOrigin, into builder: inout GraphBuilder, positions: inout [SourcePosition],
        resolve: (String) -> NameBinding?
    ) throws(CatalogError) -> Int {
        var parser = ExpressionParser(text: text, origin: origin)
        parser.recordsPositions = true
        let node = try parser.run(into: &builder, resolve: resolve)
        for (index, position) in parser.recorded { position.record(at: index, in: &positions) }
        return node
    }

    private mutating func run(into builder: inout GraphBuilder, resolve: (String) -> NameBinding?) throws(CatalogError) -> Int {
        try tokenize()
        if tokens.count == 1 {
            throw origin.error("empty expression: expected a number, a name or a function call", offset: 0)
        }
        let node = try expression(minimumPower: 0, depth: 0, builder: &builder, resolve: resolve)
        let next = tokens[position]
        if next.kind != .end {
            throw unexpected(next, expecting: "an operator or the end of the expression")
        }
        return node
    }

    private init(text: String, origin: TextOrigin) {
        self.scalars = Array(text.unicodeScalars)
        self.origin = origin
    }

    // MARK: Tokens

    private enum Kind: Equatable {
        case number(Double)
        case name(String)
        case symbol(Unicode.Scalar)
        case end
    }

    private struct Token {
        var kind: Kind
        var offset: Int
        var text: String
    }

    private mutating func tokenize() throws(CatalogError) {
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                i += 1
            } else if isDigit(c) || (c == "." && i + 1 < scalars.count && isDigit(scalars[i + 1])) {
                let start = i
                while i < scalars.count, isDigit(scalars[i]) { i += 1 }
                if i < scalars.count, scalars[i] == "." {
                    i += 1
                    while i < scalars.count, isDigit(scalars[i]) { i += 1 }
                }
                if i < scalars.count, scalars[i] == "e" || scalars[i] == "E" {
                    var j = i + 1
                    if j < scalars.count, scalars[j] == "+" || scalars[j] == "-" { j += 1 }
                    if j < scalars.count, isDigit(scalars[j]) {
                        i = j
                        while i < scalars.count, isDigit(scalars[i]) { i += 1 }
                    } else if j == i + 1, j < scalars.count, isNameStart(scalars[j]) || isDigit(scalars[j]) {
                        // `2exp(x)`: a name right after the number, handled below.
                    } else {
                        let text = String(String.UnicodeScalarView(scalars[start..<j]))
                        throw origin.error(
                            "malformed number '\(text)': an exponent needs digits, as in 1e3 or 2.5e-4 (there is no constant e: write exp(1))",
                            offset: start)
                    }
                }
                let text = String(String.UnicodeScalarView(scalars[start..<i]))
                guard let value = Double(text), value.isFinite else {
                    throw origin.error("the number \(text) is out of range: it is not finite in double precision", offset: start)
                }
                if i < scalars.count, isNameStart(scalars[i]) {
                    var end = i
                    while end < scalars.count, end - i < 40, isNameStart(scalars[end]) || isDigit(scalars[end]) { end += 1 }
                    let word = String(String.UnicodeScalarView(scalars[i..<end]))
                    throw origin.error(
                        "expected an operator after the number \(text): write \(text)*\(word) for a product", offset: i)
                }
                tokens.append(Token(kind: .number(value), offset: start, text: text))
            } else if isNameStart(c) {
                let start = i
                while i < scalars.count, isNameStart(scalars[i]) || isDigit(scalars[i]) { i += 1 }
                let text = String(String.UnicodeScalarView(scalars[start..<i]))
                tokens.append(Token(kind: .name(text), offset: start, text: text))
            } else if "+-*/^(),".unicodeScalars.contains(c) {
                if c == "*", i + 1 < scalars.count, scalars[i + 1] == "*" {
                    throw origin.error("'**' is not an operator: write x^y for a power", offset: i)
                }
                tokens.append(Token(kind: .symbol(c), offset: i, text: String(c)))
                i += 1
            } else {
                let shown = c.properties.isWhitespace || c.value < 0x20 ? "U+\(String(c.value, radix: 16, uppercase: true))" : String(c)
                throw origin.error(
                    "unexpected character '\(shown)': expected a number, a name, an operator (+ - * / ^), a parenthesis or a comma",
                    offset: i)
            }
        }
        tokens.append(Token(kind: .end, offset: scalars.count, text: "end of expression"))
    }

    private func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
    private func isNameStart(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic }

    // MARK: Grammar

    /// Binding powers (left, right) of the binary operators; right < left makes `^` right-associative.
    private func infixPower(_ kind: Kind) -> (left: Int, right: Int, op: Op)? {
        switch kind {
        case .symbol("+"): (10, 11, .add)
        case .symbol("-"): (10, 11, .sub)
        case .symbol("*"): (20, 21, .mul)
        case .symbol("/"): (20, 21, .div)
        case .symbol("^"): (41, 40, .pow)
        default: nil
        }
    }

    /// Unary minus binds its operand at this power: above `*` (so `-x*y` = `(-x)*y`), below `^`.
    private let prefixPower = 30

    private mutating func expression(
        minimumPower: Int, depth: Int, builder: inout GraphBuilder, resolve: (String) -> NameBinding?
    ) throws(CatalogError) -> Int {
        guard depth <= Self.maxDepth else {
            throw origin.error(
                "the expression is nested more than \(Self.maxDepth) levels deep (parentheses, calls, unary minus, ^)",
                offset: tokens[Swift.max(position - 1, 0)].offset)
        }
        var lhs = try prefix(depth: depth, builder: &builder, resolve: resolve)
        while let (left, right, op) = infixPower(tokens[position].kind), left >= minimumPower {
            let operatorToken = tokens[position]
            position += 1
            if tokens[position].kind == .end || tokens[position].kind == .symbol(")") || tokens[position].kind == .symbol(",") {
                throw unexpected(tokens[position], expecting: "an operand after '\(operatorToken.text)'")
            }
            let rhs = try expression(minimumPower: right, depth: depth + 1, builder: &builder, resolve: resolve)
            lhs = try apply(op, lhs, rhs, at: operatorToken, builder: &builder)
        }
        return lhs
    }

    private mutating func prefix(
        depth: Int, builder: inout GraphBuilder, resolve: (String) -> NameBinding?
    ) throws(CatalogError) -> Int {
        let token = tokens[position]
        position += 1
        switch token.kind {
        case .number(let value):
            return try constant(value, at: token, builder: &builder)
        case .symbol("-"):
            // A literal right after the minus is a negative constant (so x^-2 keeps a constant
            // exponent), unless a power follows: -2^2 = -(2^2).
            if case .number(let value) = tokens[position].kind, tokens[position + 1].kind != .symbol("^") {
                let literal = tokens[position]
                position += 1
                return try constant(-value, at: literal, builder: &builder)
            }
            if tokens[position].kind == .end {
                throw unexpected(tokens[position], expecting: "an operand after '-'")
            }
            let operand = try expression(minimumPower: prefixPower, depth: depth + 1, builder: &builder, resolve: resolve)
            return try apply(.neg, operand, nil, at: token, builder: &builder)
        case .symbol("("):
            let inner = try expression(minimumPower: 0, depth: depth + 1, builder: &builder, resolve: resolve)
            try expect(")", opening: token)
            return inner
        case .name(let name):
            if tokens[position].kind == .symbol("(") {
                return try call(name, at: token, depth: depth, builder: &builder, resolve: resolve)
            }
            return try reference(name, at: token, resolve: resolve, builder: &builder)
        case .symbol("+"):
            throw origin.error("unary '+' is not part of the language: leave it out", offset: token.offset)
        default:
            throw unexpected(token, expecting: "a number, a name, a function call, '-' or '('")
        }
    }

    private mutating func call(
        _ name: String, at token: Token, depth: Int, builder: inout GraphBuilder, resolve: (String) -> NameBinding?
    ) throws(CatalogError) -> Int {
        guard let op = Self.functions[name] else {
            if resolve(name) != nil || name == "pi" {
                throw origin.error("'\(name)' is not a function: write '\(name) * (...)' for a product", offset: token.offset)
            }
            throw origin.error("unknown function '\(name)'\(suggestion(for: name, among: Self.functions.keys)); the functions are \(Self.functionList)", offset: token.offset)
        }
        let open = tokens[position]
        position += 1
        var arguments: [Int] = []
        if tokens[position].kind != .symbol(")") {
            while true {
                arguments.append(try expression(minimumPower: 0, depth: depth + 1, builder: &builder, resolve: resolve))
                if tokens[position].kind == .symbol(",") {
                    position += 1
                    continue
                }
                break
            }
        }
        try expect(")", opening: open)
        guard arguments.count == op.arity else {
            let s = op.arity == 1 ? "" : "s"
            throw origin.error(
                "\(name) takes \(op.arity) argument\(s), got \(arguments.count)\(op.arity == 1 ? "" : ": \(name)(x, \(name == "pow" ? "y" : name == "leaky_relu" || name == "elu" ? "a" : "y"))")",
                offset: token.offset)
        }
        return try apply(op, arguments[0], arguments.count > 1 ? arguments[1] : nil, at: token, builder: &builder)
    }

    private mutating func reference(
        _ name: String, at token: Token, resolve: (String) -> NameBinding?, builder: inout GraphBuilder
    ) throws(CatalogError) -> Int {
        if name == "pi" { return try constant(.pi, at: token, builder: &builder) }
        switch resolve(name) {
        case .node(let node):
            return node
        case .later(let line):
            throw origin.error("'\(name)' is used before it is defined (line \(line)): a let may use only inputs and earlier lets", offset: token.offset)
        case .unavailable(let reason):
            throw origin.error("'\(name)' cannot be used here: \(reason)", offset: token.offset)
        case nil:
            if Self.functions[name] != nil {
                throw origin.error("'\(name)' is a function: call it as \(name)(...)", offset: token.offset)
            }
            if ["nan", "inf", "infinity"].contains(name.lowercased()) {
                throw origin.error("undefined name '\(name)': there is no NaN or infinity in the language, every number is finite", offset: token.offset)
            }
            let hint = name == "e" ? "; there is no constant e: write exp(1)" : ""
            throw origin.error("undefined name '\(name)'\(hint): names are the inputs and the lets above this one", offset: token.offset)
        }
    }

    private mutating func expect(_ closing: Unicode.Scalar, opening: Token) throws(CatalogError) {
        let token = tokens[position]
        guard token.kind == .symbol(closing) else {
            if token.kind == .end {
                throw origin.error("missing '\(closing)' to close the '\(opening.text)' at column \(columnOf(opening))", offset: token.offset)
            }
            throw unexpected(token, expecting: "',' or '\(closing)'")
        }
        position += 1
    }

    private func columnOf(_ token: Token) -> Int { origin.isVerbatim ? origin.column + token.offset : origin.column }

    private func unexpected(_ token: Token, expecting what: String) -> CatalogError {
        let found = token.kind == .end ? "the end of the expression" : "'\(token.text)'"
        return origin.error("expected \(what), found \(found)", offset: token.offset)
    }

    private mutating func constant(_ value: Double, at token: Token, builder: inout GraphBuilder) throws(CatalogError) -> Int {
        let node: Int
        do { node = try builder.constant(value) } catch { throw origin.error(error.description, offset: token.offset) }
        record(node, at: token)
        return node
    }

    private mutating func apply(_ op: Op, _ a: Int, _ b: Int?, at token: Token, builder: inout GraphBuilder) throws(CatalogError) -> Int {
        let node: Int
        do { node = try builder.apply(op, a, b) } catch { throw origin.error(error.description, offset: token.offset) }
        record(node, at: token)
        return node
    }

    private mutating func record(_ node: Int, at token: Token) {
        guard recordsPositions else { return }
        recorded.append((node, SourcePosition(line: origin.line, column: columnOf(token))))
    }

    static let functionList: String = functions.keys.sorted().joined(separator: ", ")
}

/// "; did you mean 'sin'?" when a candidate is within edit distance 2, else "".
func suggestion<S: Sequence<String>>(for name: String, among candidates: S) -> String {
    var best: (name: String, distance: Int)?
    for candidate in candidates {
        let d = editDistance(name, candidate)
        guard d <= 2, d < name.count else { continue }
        if let b = best, (b.distance, b.name) <= (d, candidate) { continue }
        best = (candidate, d)
    }
    return best.map { "; did you mean '\($0.name)'?" } ?? ""
}

/// Levenshtein distance over Unicode scalars (short strings only: names and keys).
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.unicodeScalars.prefix(64)), b = Array(b.unicodeScalars.prefix(64))
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = previous
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
