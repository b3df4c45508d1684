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

    @OptionGroup var kinks: KinkOption

    func validate() throws {
        _ = try parseAssignments(at, option: "--at")
    }

    func run() throws {
        let inputs = try parseAssignments(at, option: "--at")
        try Eval.checkNames(expression: expression, inputs: inputs)
        let c: Case
        do {
            c = try Case.adHoc(expression: expression, inputs: inputs)
        } catch {
            // A problem with the whole expression or with --at has no place in the text: no `:1:1`.
            let located = error.location.line != 1 || error.location.column != 1 || !error.sourceLine.isEmpty
            Console.error(located ? Eval.wording(error.description) : "error: \(Eval.wording(error.message))")
            throw ExitCode(2)
        }
        var runner = Runner()
        runner.kinkConvention = try kinks.convention()
        var result = runner.verify(c)
        result.error = result.error.map(Eval.wording)
        if var diagnostic = result.diagnostic {
            diagnostic.message = Eval.wording(diagnostic.message)
            result.diagnostic = diagnostic
        }
        let point = inputs.map { "\($0.name) = \(Graph.format($0.value))" }.joined(separator: ", ")
        Console.out("f = \(expression)   at \(point)\n")
        if let error = result.error {
            Console.out("✗ \(error)")
            if let diagnostic = result.diagnostic { Console.error(diagnostic.description) }
            throw ExitCode(1)
        }
        Console.out(Eval.table(result))
        if let kinks = result.kinks { Console.out("kinks: \(kinks), \(kinks.summary) (--kinks chooses)\n") }
        if let dot = result.checks.last(where: { $0.kind == .dotProduct }) {
            Console.out("\(Console.mark(dot.comparison.verdict)) \(dot.message)")
        }
        for failure in result.failures where failure.kind != .dotProduct {
            Console.out("✗ \(failure.message)")
        }
        if result.verdict == .fail { throw ExitCode(1) }
    }

    /// Exits 2 naming every name of the expression that `--at` gives no value, or every
    /// `--at` name that cannot be an input. Syntax errors are left to the parse proper.
    static func checkNames(expression: String, inputs: [(name: String, value: Double)]) throws {
        let bad = inputs.map(\.name).filter { !GraphBuilder.isValidName($0) || ExpressionParser.isReserved($0) }
        if !bad.isEmpty {
            let quoted = bad.map { "'\($0)'" }
            let list = quoted.count == 1 ? quoted[0] : quoted.dropLast().joined(separator: ", ") + " and " + quoted.last!
            Console.error("error: --at: \(list) cannot be \(bad.count == 1 ? "a variable name" : "variable names"): use letters, digits and _ (not first a digit), not a function name or pi")
            throw ExitCode(2)
        }
        let names = inputs.map(\.name)
        // The parser recurses once per nesting level: on a stack of known size, as Case.adHoc parses.
        let missing = Eval.onLargeStack { Eval.missingNames(expression: expression, inputs: names) }
        guard !missing.isEmpty else { return }
        let quoted = missing.map { "'\($0)'" }
        let list = quoted.count == 1 ? quoted[0] : quoted.dropLast().joined(separator: ", ") + " and " + quoted.last!
        let example = (inputs.map { "\($0.name)=\(Graph.format($0.value))" } + missing.map { "\($0)=<value>" }).joined(separator: ",")
        let e = missing.contains("e") ? " (there is no constant e: write exp(1))" : ""
        Console.error("error: --at gives no value for \(list), which the expression uses\(e): e.g. --at \(example)")
        throw ExitCode(2)
    }

    /// The names of `expression` that are not in `inputs`, in order of first use; [] when the
    /// expression does not parse (the parse proper then says why, at the first problem: an
    /// unknown function's name is resolved before it is known to be called).
    static func missingNames(expression: String, inputs: [String]) -> [String] {
        var builder = GraphBuilder()
        var scope: [String: Int] = [:]
        for name in inputs {
            guard let node = try? builder.input(name) else { return [] }
            scope[name] = node
        }
        guard let first = inputs.first, let stand = scope[first] else { return [] }
        // Every name without a value stands for the first input, so the parse goes on to the next.
        var missing: [String] = []
        let parsed = try? ExpressionParser.parse(
            expression, origin: TextOrigin(source: SourceFile(path: "<expression>", text: expression), line: 1, column: 1),
            into: &builder
        ) { name in
            if let node = scope[name] { return .node(node) }
            // Functions used as names, nan and inf: the parse proper says what is wrong.
            guard !ExpressionParser.isReserved(name), !["nan", "inf", "infinity"].contains(name.lowercased()) else { return nil }
            if !missing.contains(name) { missing.append(name) }
            return .node(stand)
        }
        return parsed == nil ? [] : missing
    }

    /// `body()` on a thread with a 16 MB stack, whatever `ulimit -s` says; the caller waits.
    static func onLargeStack(_ body: @escaping @Sendable () -> [String]) -> [String] {
        let box = NamesBox()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.value = body()
            done.signal()
        }
        thread.stackSize = 16 << 20
        thread.start()
        done.wait()
        return box.value!
    }

    /// The result, handed from the worker thread to the waiting one (the semaphore orders them).
    private final class NamesBox: @unchecked Sendable {
        var value: [String]?
    }

    /// The runner's words for a case file, in the words of an expression at a point.
    static func wording(_ message: String) -> String {
        message
            .replacingOccurrences(of: "the case cannot be verified at its inputs", with: "the expression cannot be verified at this point")
            .replacingOccurrences(of: "names are the inputs and the lets above this one", with: "--at gives it no value")
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
                // The budget the value judged AD's with, so a ✓ within 0.8 does not look like one
                // within 1e-10 (an inconclusive estimate has none).
                let budget = result.checks.first {
                    $0.kind == .oracle && $0.quantity == row.quantity && $0.comparison.method == o.method.rawValue
                }?.comparison.budget
                let within = budget.flatMap { $0.isFinite ? " ±" + String(format: "%.2g", $0) : nil } ?? ""
                cells.append("\(format(o.value)) \(Console.mark(o.verdict))\(within)")
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
        let legend = "± after a reference's mark: the budget it judged AD's value with (10 times its error estimate, at least 4 ulps)"
        return (out + [legend] + (notes.isEmpty ? [] : [""] + notes)).joined(separator: "\n")
    }
}
