import ADCatalog
import ADCore
import ADReport
import ADVerify
import ArgumentParser
import Foundation

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Differentiate one expression at one point by every method and print a table.",
        discussion: """
            The value and every partial derivative by forward mode, reverse mode, GSL central \
            (forward/backward near domain edges), central and 5-point differences, the complex \
            step (analytic expressions only) and Richardson extrapolation, each oracle judged by \
            its own error estimate, plus the dot-product test. The expression language is the \
            one of case files: + - * / ^, unary minus, pi, exp log ln sqrt sin cos tan asin acos \
            atan sinh cosh tanh sigmoid softplus relu abs, pow max min leaky_relu elu (two \
            arguments).

            Example: adverify eval "log(x) + x*y - sin(y)" --at x=2,y=5
            Exit codes: 0 every method agrees, 1 a check failed, 2 a usage or syntax error.
            """
    )

    @Argument(help: "The expression, e.g. \"sqrt(x^2 + exp(x^2)) + cos(x^2 + exp(x^2))\".")
    var expression: String

    @Option(help: ArgumentHelp("The point: name=value pairs, e.g. x=2,y=5. The order is the gradient's.", valueName: "name=value,..."))
    var at: String

    func validate() throws {
        _ = try parseAssignments(at, option: "--at")
    }

    func run() throws {
        let inputs = try parseAssignments(at, option: "--at")
        let c: Case
        do {
            c = try Case.adHoc(expression: expression, inputs: inputs)
        } catch {
            Console.error(error.description)
            throw ExitCode(2)
        }
        let result = Runner().verify(c)
        let point = inputs.map { "\($0.name) = \(Graph.format($0.value))" }.joined(separator: ", ")
        Console.out("f = \(expression)   at \(point)\n")
        if let error = result.error {
            Console.out("✗ \(error)")
            if let diagnostic = result.diagnostic { Console.error(diagnostic.description) }
            throw ExitCode(1)
        }
        Console.out(Eval.table(result))
        if let dot = result.checks.last(where: { $0.kind == .dotProduct }) {
            Console.out("\(Console.mark(dot.comparison.verdict)) \(dot.message)")
        }
        for failure in result.failures where failure.kind != .dotProduct {
            Console.out("✗ \(failure.message)")
        }
        if result.verdict == .fail { throw ExitCode(1) }
    }

    /// A Markdown table with padded columns (readable as plain text): one row per quantity,
    /// the value of every method, ✓ / ✗ / ? after each oracle, the agreeing digits, the verdict.
    static func table(_ result: CaseResult) -> String {
        let methods = Runner.defaultOracles.filter { m in result.rows.contains { $0.oracles.contains { $0.requested == m } } }
        let names: [DifferenceMethod: String] = [
            .gslCentral: "GSL central", .central: "central FD", .fivePoint: "5-point",
            .complexStep: "complex step", .richardson: "Richardson",
        ]
        var rows = [["quantity", "forward AD", "reverse AD"] + methods.map { names[$0] ?? $0.rawValue } + ["digits", "verdict"]]
        for row in result.rows {
            var cells = [row.quantity, row.forward.map(format) ?? "—", row.reverse.map(format) ?? "—"]
            for method in methods {
                guard let o = row.oracles.first(where: { $0.requested == method }) else {
                    cells.append("—")
                    continue
                }
                cells.append("\(format(o.value)) \(Console.mark(o.verdict))")
            }
            cells.append(row.agreeingDigits.map { String(format: "%.1f", $0) } ?? "—")
            cells.append(row.verdict.map(Console.mark) ?? "—")
            rows.append(cells)
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            "| " + zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: " | ") + " |"
        }
        var out = [line(rows[0]), "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|"]
        out += rows.dropFirst().map(line)
        let notes = result.rows.flatMap { row in
            row.oracles.compactMap { o -> String? in
                guard case .inconclusive(let reason) = o.verdict else { return nil }
                return "? \(row.quantity): \(reason)"
            }
        }
        return (out + (notes.isEmpty ? [] : [""] + notes)).joined(separator: "\n")
    }
}
