import ADCatalog
import ADCore
import Foundation
import Testing

/// Parses `text` over inputs `names` and evaluates it at `point`.
func evaluate(_ text: String, _ names: [String] = ["x"], at point: [Double]) throws -> Double {
    var builder = GraphBuilder()
    var scope: [String: Int] = [:]
    for name in names { scope[name] = try builder.input(name) }
    let node = try ExpressionParser.parse(
        text, origin: TextOrigin(source: SourceFile(path: "t", text: text), line: 1, column: 1), into: &builder
    ) { scope[$0].map { .node($0) } }
    try builder.output(node)
    var ws = Workspace(for: try builder.build())
    try ws.evaluate(at: point)
    return ws.outputValue(0)
}

/// The error `text` gives, as `column: message`.
func parseError(_ text: String, names: [String] = ["x"]) -> CatalogError? {
    var builder = GraphBuilder()
    var scope: [String: Int] = [:]
    for name in names { scope[name] = try? builder.input(name) }
    do {
        _ = try ExpressionParser.parse(
            text, origin: TextOrigin(source: SourceFile(path: "t", text: text), line: 1, column: 1), into: &builder
        ) { scope[$0].map { .node($0) } }
        return nil
    } catch {
        return error
    }
}

@Suite("Expression language")
struct ExpressionParserTests {
    @Test("precedence and associativity as DESIGN.md states them", arguments: [
        ("-x^2", 3.0, -9.0),
        ("2^-x", 1.0, 0.5),
        ("2^3^2", 0.0, 512.0),
        ("x - 1 - 2", 10.0, 7.0),
        ("x / 2 / 5", 10.0, 1.0),
        ("-x*3", 2.0, -6.0),
        ("-2^2", 0.0, -4.0),
        ("2*x^2 + 1", 3.0, 19.0),
        ("(1 + x)*(1 - x)", 3.0, -8.0),
        ("--x", 5.0, 5.0),
        ("x^-2", 2.0, 0.25),
        ("1e-3 * x", 2.0, 0.002),
        (".5 + x", 1.0, 1.5),
        ("2^-x^2", 1.0, 0.5),
    ])
    func precedence(text: String, x: Double, expected: Double) throws {
        #expect(try evaluate(text, at: [x]) == expected)
    }

    @Test("every function of the language, and ln = log, pi")
    func functions() throws {
        let x = 0.3
        let cases: [(String, Double)] = [
            ("exp(x)", Foundation.exp(x)), ("log(x)", Foundation.log(x)), ("ln(x)", Foundation.log(x)),
            ("sqrt(x)", x.squareRoot()), ("sin(x)", Foundation.sin(x)), ("cos(x)", Foundation.cos(x)),
            ("tan(x)", Foundation.tan(x)), ("asin(x)", Foundation.asin(x)), ("acos(x)", Foundation.acos(x)),
            ("atan(x)", Foundation.atan(x)), ("sinh(x)", Foundation.sinh(x)), ("cosh(x)", Foundation.cosh(x)),
            ("tanh(x)", Foundation.tanh(x)), ("sigmoid(x)", 1 / (1 + Foundation.exp(-x))),
            ("softplus(x)", Foundation.log(1 + Foundation.exp(x))), ("relu(-x)", 0), ("abs(-x)", x),
            ("pow(x, 3)", x * x * x), ("max(x, 1)", 1), ("min(x, 1)", x),
            ("leaky_relu(-x, 0.1)", -0.1 * x), ("elu(-x, 2)", 2 * Foundation.expm1(-x)), ("pi*x", .pi * x),
        ]
        for (text, value) in cases {
            let got = try evaluate(text, at: [x])
            #expect(abs(got - value) <= 4 * value.ulp, "\(text)")
        }
    }

    @Test("a negative literal exponent stays a constant exponent (no log of a negative base)")
    func constantExponent() throws {
        #expect(try evaluate("x^-3", at: [-2]) == -0.125)
    }

    @Test("errors name the column and say what was expected", arguments: [
        ("sine(x)", 1, "unknown function 'sine'; did you mean 'sin'?"),
        ("sin(x, 2)", 1, "sin takes 1 argument, got 2"),
        ("max(x)", 1, "max takes 2 arguments, got 1"),
        ("x + y", 5, "undefined name 'y'"),
        ("x + e", 5, "there is no constant e: write exp(1)"),
        ("2x", 2, "expected an operator after the number 2"),
        ("x +", 4, "expected an operand after '+', found the end of the expression"),
        ("(x + 1", 7, "missing ')' to close the '(' at column 1"),
        ("x ** 2", 3, "'**' is not an operator"),
        ("x # 2", 3, "unexpected character '#'"),
        ("", 1, "empty expression"),
        ("x)", 2, "expected an operator or the end of the expression, found ')'"),
        ("sin", 1, "'sin' is a function: call it as sin(...)"),
        ("x(2)", 1, "'x' is not a function"),
        ("1e999", 1, "out of range"),
        ("+x", 1, "unary '+' is not part of the language"),
    ] as [(String, Int, String)])
    func errors(text: String, column: Int, message: String) throws {
        let error = try #require(parseError(text))
        #expect(error.location.column == column, "\(error)")
        #expect(error.message.contains(message), "\(error)")
        #expect(error.description.hasPrefix("t:1:\(column): "))
    }

    @Test("100,000 nested parentheses are an error, not a stack overflow")
    func deepNesting() throws {
        let text = String(repeating: "(", count: 100_000) + "x" + String(repeating: ")", count: 100_000)
        let error = try #require(parseError(text))
        #expect(error.message.contains("nested more than \(ExpressionParser.maxDepth) levels"))
        #expect(error.location.column == ExpressionParser.maxDepth + 1)
        let minus = String(repeating: "-", count: 100_000) + "x"
        #expect(parseError(minus)?.message.contains("nested") == true)
        let powers = Array(repeating: "x", count: 100_000).joined(separator: "^")
        #expect(parseError(powers)?.message.contains("nested") == true)
    }

    @Test("a sum of 100,000 terms needs no recursion")
    func longSum() throws {
        let text = Array(repeating: "x", count: 100_000).joined(separator: " + ")
        #expect(try evaluate(text, at: [0.5]) == 50_000)
    }

    @Test("the caret display: the line, then a caret under the column")
    func caret() throws {
        let error = try #require(parseError("x + sine(x)"))
        #expect(error.description == """
            t:1:5: unknown function 'sine'; did you mean 'sin'?; the functions are \(ExpressionParser.functions.keys.sorted().joined(separator: ", "))
             1 | x + sine(x)
               |     ^
            """)
    }
}
