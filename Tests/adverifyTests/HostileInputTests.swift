import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Runs the built binary with a time limit, stdout and stderr going to files (a pipe that is
/// not read while the tool writes a lot could block it), and says how it ended.
struct Bounded {
    struct Result {
        var status: Int32
        /// The process ended by a signal (a crash, or the SIGINT a test sent), not by exit.
        var signalled: Bool
        var timedOut: Bool
        var stdout: String
        var stderr: String
        var seconds: Double

        /// Ended by `exit`, neither killed nor out of time.
        var exited: Bool { !signalled && !timedOut }
        var transcript: String { "status \(status)\(signalled ? " (signal)" : "")\(timedOut ? " (timed out)" : "")\n\(stdout)\(stderr)" }
    }

    /// A started process whose output goes to files in a scratch folder.
    final class Running: @unchecked Sendable {
        let process = Process()
        let scratch: URL
        let started = Date()
        private let done = DispatchSemaphore(value: 0)

        /// `stackKB`: run under `ulimit -s` of that many kilobytes (the stacks threads get).
        init(_ arguments: [String], in directory: URL?, stackKB: Int? = nil) throws {
            scratch = try Tool.temporaryDirectory()
            if let stackKB {
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", "ulimit -s \(stackKB) && exec \"$0\" \"$@\"", Tool.binary.path] + arguments
            } else {
                process.executableURL = Tool.binary
                process.arguments = arguments
            }
            if let directory { process.currentDirectoryURL = directory }
            _ = FileManager.default.createFile(atPath: scratch.appendingPathComponent("out").path, contents: nil)
            _ = FileManager.default.createFile(atPath: scratch.appendingPathComponent("err").path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: scratch.appendingPathComponent("out"))
            process.standardError = try FileHandle(forWritingTo: scratch.appendingPathComponent("err"))
            let done = self.done
            process.terminationHandler = { _ in done.signal() }
            try process.run()
        }

        /// What the process has written to stdout so far.
        var stdoutSoFar: String {
            (try? String(contentsOf: scratch.appendingPathComponent("out"), encoding: .utf8)) ?? ""
        }

        /// Waits until the process ends or `timeout` seconds have passed (then kills it).
        func finish(timeout: Double) -> Result {
            var timedOut = false
            if done.wait(timeout: .now() + timeout) == .timedOut {
                timedOut = true
                process.terminate()
                if done.wait(timeout: .now() + 5) == .timedOut {
                    kill(process.processIdentifier, SIGKILL)
                    done.wait()
                }
            }
            let seconds = Date().timeIntervalSince(started)
            let out = (try? Data(contentsOf: scratch.appendingPathComponent("out"))) ?? Data()
            let err = (try? Data(contentsOf: scratch.appendingPathComponent("err"))) ?? Data()
            try? FileManager.default.removeItem(at: scratch)
            return Result(
                status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                timedOut: timedOut, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self),
                seconds: seconds)
        }
    }

    /// Runs `adverify arguments` and fails the test if it does not end within `timeout` seconds.
    static func run(_ arguments: [String], in directory: URL? = nil, timeout: Double = 60, stackKB: Int? = nil) throws -> Result {
        let result = try Running(arguments, in: directory, stackKB: stackKB).finish(timeout: timeout)
        #expect(!result.timedOut, "adverify \(arguments.joined(separator: " ")) did not end within \(timeout) s")
        #expect(!result.signalled, "adverify \(arguments.joined(separator: " ")) was killed by signal \(result.status)")
        return result
    }
}

/// One hostile fixture: what running it must give.
struct HostileFixture: CustomTestStringConvertible, Sendable {
    var file: String
    /// 2 for an input error; 1 for a case that cannot be evaluated at its point; 0 for a good one.
    var status: Int32
    var line = 0
    var column = 0
    /// The message's text up to where it stops being specific.
    var message = ""
    /// The source line shown under the message ("" when the error is about the whole file).
    var source = ""

    var testDescription: String { file }
    var path: String { "hostile/" + file }

    /// Every file in Fixtures/hostile, grouped by class of bad input.
    static let all: [HostileFixture] = [
        // Syntax errors in expressions.
        .init(file: "syntax-unbalanced-paren.yaml", status: 2, line: 5, column: 20, message: "missing ')' to close the '(' at column 12", source: "output: sin((x + 1)"),
        .init(file: "syntax-extra-paren.yaml", status: 2, line: 5, column: 19, message: "expected an operator or the end of the expression, found ')'", source: "output: sin(x + 1))"),
        .init(file: "syntax-trailing-operator.yaml", status: 2, line: 5, column: 12, message: "expected an operand after '+', found the end of the expression", source: "output: x +"),
        .init(file: "syntax-two-operators.yaml", status: 2, line: 5, column: 13, message: "expected a number, a name, a function call, '-' or '(', found '/'", source: "output: x * / 2"),
        .init(file: "syntax-bad-exponent.yaml", status: 2, line: 5, column: 9, message: "malformed number '1e': an exponent needs digits", source: "output: 1e + x"),
        .init(file: "syntax-stray-character.yaml", status: 2, line: 5, column: 11, message: "unexpected character '$': expected a number, a name, an operator", source: "output: x $ 2"),
        .init(file: "syntax-implicit-product.yaml", status: 2, line: 5, column: 10, message: "expected an operator after the number 2: write 2*x for a product", source: "output: 2x + 1"),
        .init(file: "syntax-double-star.yaml", status: 2, line: 5, column: 11, message: "'**' is not an operator: write x^y for a power", source: "output: x ** 2"),
        .init(file: "syntax-empty-expression.yaml", status: 2, line: 5, column: 10, message: "empty expression: expected a number, a name or a function call", source: "output: \"\""),
        .init(file: "syntax-unary-plus.yaml", status: 2, line: 5, column: 9, message: "unary '+' is not part of the language", source: "output: +x"),
        .init(file: "expression-nested-too-deep.yaml", status: 2, line: 5, column: 209, message: "the expression is nested more than 200 levels deep", source: "output: " + String(repeating: "(", count: 201) + "x" + String(repeating: ")", count: 201)),
        // Unknown functions and wrong arity.
        .init(file: "unknown-function.yaml", status: 2, line: 5, column: 19, message: "unknown function 'sine'; did you mean 'sin'?; the functions are abs, acos", source: "output: sqrt(x) + sine(x)"),
        .init(file: "arity-sin-two-arguments.yaml", status: 2, line: 5, column: 10, message: "sin takes 1 argument, got 2", source: "output: \"sin(x, y)\""),
        .init(file: "arity-max-one-argument.yaml", status: 2, line: 5, column: 9, message: "max takes 2 arguments, got 1: max(x, y)", source: "output: max(x)"),
        .init(file: "arity-pow-no-arguments.yaml", status: 2, line: 5, column: 13, message: "pow takes 2 arguments, got 0", source: "output: x + pow()"),
        // Undefined and forward-referenced names.
        .init(file: "undefined-name.yaml", status: 2, line: 5, column: 13, message: "undefined name 'z': names are the inputs and the lets above this one", source: "output: x + z"),
        .init(file: "forward-reference.yaml", status: 2, line: 6, column: 6, message: "'b' is used before it is defined (line 7)", source: "  a: b + 1"),
        .init(file: "self-reference.yaml", status: 2, line: 6, column: 6, message: "'a' cannot be used here: a let cannot use itself", source: "  a: a + 1"),
        .init(file: "function-used-as-name.yaml", status: 2, line: 5, column: 13, message: "'exp' is a function: call it as exp(...)", source: "output: x * exp"),
        // Shadowing.
        .init(file: "shadow-function-let.yaml", status: 2, line: 6, column: 3, message: "let name 'sin' would shadow the function sin()", source: "  sin: x^2"),
        .init(file: "shadow-pi-input.yaml", status: 2, line: 4, column: 16, message: "input 'pi' would shadow the constant pi", source: "inputs: {x: 2, pi: 3}"),
        .init(file: "shadow-let-redefines-input.yaml", status: 2, line: 6, column: 3, message: "let name 'x' shadows the input of the same name", source: "  x: 3"),
        .init(file: "shadow-duplicate-input.yaml", status: 2, line: 4, column: 22, message: "duplicate key 'x': already at line 4, column 10", source: "inputs: {x: 2, y: 1, x: 3}"),
        .init(file: "shadow-output-name.yaml", status: 2, line: 7, column: 3, message: "output name 'y' shadows the input of the same name", source: "  y: x + y"),
        // Duplicate ids (across files: see duplicateIDsAcrossFiles).
        .init(file: "duplicate-id-in-file.yaml", status: 2, line: 7, column: 5, message: "duplicate id 'hostile-duplicate-id-in-file': already used at hostile/duplicate-id-in-file.yaml:2:5", source: "id: hostile-duplicate-id-in-file"),
        .init(file: "duplicate-id-across-files-a.yaml", status: 0),
        .init(file: "duplicate-id-across-files-b.yaml", status: 0),
        // Broken YAML.
        .init(file: "yaml-bad-indentation.yaml", status: 2, line: 6, column: 5, message: "YAML syntax: mapping values are not allowed in this context", source: "   y: 3"),
        .init(file: "yaml-unclosed-quote.yaml", status: 2, line: 5, column: 9, message: "YAML syntax: the file ends inside a quoted scalar that starts here", source: "output: \"x + 1"),
        .init(file: "yaml-unclosed-flow.yaml", status: 2, line: 5, column: 7, message: "YAML syntax: did not find expected ',' or '}' (while parsing a flow mapping at line 4, column 9)", source: "output: x"),
        .init(file: "yaml-tab-indentation.yaml", status: 2, line: 5, column: 1, message: "YAML syntax: a tab where YAML expects spaces", source: " x: 2"),
        .init(file: "yaml-duplicate-key.yaml", status: 2, line: 6, column: 1, message: "duplicate key 'title': already at line 3, column 1", source: "title: again"),
        .init(file: "yaml-anchor-alias.yaml", status: 2, line: 4, column: 9, message: "YAML anchor '&point': anchors and aliases (&name, *name) are not supported", source: "inputs: &point {x: 2}"),
        .init(file: "yaml-unknown-key.yaml", status: 2, line: 5, column: 1, message: "unknown key 'ouptut'; did you mean 'output'?", source: "ouptut: x"),
        .init(file: "yaml-missing-key.yaml", status: 2, line: 2, column: 1, message: "missing 'output' (an expression) or 'outputs'", source: "id: hostile-yaml-missing-key"),
        .init(file: "yaml-nested-too-deep.yaml", status: 2, line: 6, column: 70, message: "YAML nested more than 64 levels deep", source: "tags: " + String(repeating: "[", count: 65) + String(repeating: "]", count: 65)),
        // Wrong types.
        .init(file: "type-string-for-number.yaml", status: 2, line: 4, column: 13, message: "input 'x' must be a number literal, not a quoted string \"2\"", source: "inputs: {x: \"2\"}"),
        .init(file: "type-list-for-mapping.yaml", status: 2, line: 4, column: 9, message: "inputs must be a mapping (key: value), found a list", source: "inputs: [x, 2]"),
        .init(file: "type-mapping-for-expression.yaml", status: 2, line: 5, column: 9, message: "output must be an expression (a YAML string or number), found a mapping", source: "output: {a: 1}"),
        .init(file: "type-gradient-list.yaml", status: 2, line: 7, column: 13, message: "gradient must be a mapping (key: value), found a list", source: "  gradient: [4, 1]"),
        .init(file: "type-gradient-extra-entry.yaml", status: 2, line: 7, column: 20, message: "gradient names 'y', which is not an input (x)", source: "  gradient: {x: 4, y: 0}"),
        .init(file: "type-jacobian-shape.yaml", status: 2, line: 7, column: 22, message: "jacobian row 2 has 1 entry, expected 2 (one per input: x, y)", source: "  jacobian: [[1, 2], [1]]"),
        .init(file: "type-unquoted-expression.yaml", status: 2, line: 7, column: 10, message: "an expected value must be a number literal such as -182.87 or 1.5e-3, found '2/3' (quote an expression", source: "  value: 2/3"),
        .init(file: "type-title-list.yaml", status: 2, line: 3, column: 8, message: "title must be text, found a list", source: "title: [a, b]"),
        // NaN, infinity and huge literals.
        .init(file: "nonfinite-nan-input.yaml", status: 2, line: 4, column: 13, message: "input 'x' is .nan: numbers must be finite", source: "inputs: {x: .nan}"),
        .init(file: "nonfinite-inf-input.yaml", status: 2, line: 4, column: 13, message: "input 'x' is -.inf: numbers must be finite", source: "inputs: {x: -.inf}"),
        .init(file: "nonfinite-huge-input.yaml", status: 2, line: 4, column: 13, message: "input 'x' 1e999 is out of range: it is not finite in double precision", source: "inputs: {x: 1e999}"),
        .init(file: "nonfinite-nan-expectation.yaml", status: 2, line: 7, column: 10, message: "an expected value is .NaN: numbers must be finite", source: "  value: .NaN"),
        .init(file: "nonfinite-huge-expectation.yaml", status: 2, line: 7, column: 17, message: "an expected value -1e400 is out of range", source: "  gradient: {x: -1e400}"),
        .init(file: "nonfinite-huge-in-expression.yaml", status: 2, line: 5, column: 13, message: "the number 1e999 is out of range: it is not finite in double precision", source: "output: x + 1e999"),
        .init(file: "nonfinite-nan-in-expression.yaml", status: 2, line: 5, column: 13, message: "undefined name 'NaN': there is no NaN or infinity in the language", source: "output: x * NaN"),
        .init(file: "nonfinite-inf-in-expression.yaml", status: 2, line: 5, column: 9, message: "undefined name 'inf': there is no NaN or infinity in the language", source: "output: inf - x"),
        .init(file: "nonfinite-expected-expression.yaml", status: 2, line: 7, column: 17, message: "the expected expression '1/(x - 2)' is inf at the case's inputs: it must be finite", source: "  gradient: {x: \"1/(x - 2)\"}"),
        .init(file: "nonfinite-tolerance.yaml", status: 2, line: 6, column: 19, message: "tolerance rtol is .inf: numbers must be finite", source: "tolerance: {rtol: .inf}"),
        // Empty, whitespace-only and case-less files.
        .init(file: "empty.yaml", status: 2, line: 1, column: 1, message: "the file is empty: expected one or more cases"),
        .init(file: "whitespace-only.yaml", status: 2, line: 1, column: 1, message: "the file is empty: expected one or more cases"),
        .init(file: "comments-only.yaml", status: 2, line: 1, column: 1, message: "the file holds no case: expected one or more YAML mappings"),
        .init(file: "empty-documents.yaml", status: 2, line: 1, column: 1, message: "the file holds no case: expected one or more YAML mappings"),
        .init(file: "document-scalar.yaml", status: 2, line: 2, column: 1, message: "a case must be a mapping (key: value), found 'just a sentence, not a case'", source: "just a sentence, not a case"),
        .init(file: "document-list.yaml", status: 2, line: 2, column: 1, message: "a case must be a mapping (key: value), found a list", source: "- id: hostile-in-a-list"),
        // Binary and non-UTF-8 content: the first bad byte, its line with bad bytes as �, controls as symbols.
        .init(file: "binary-nul.yaml", status: 2, line: 3, column: 9, message: "binary content: a NUL byte (0x00) where text was expected", source: "title: t\u{2400}\u{2401}\u{2402}"),
        .init(file: "binary-png.yaml", status: 2, line: 1, column: 1, message: "binary content (a PNG image): a case file is UTF-8 YAML text; the first byte that is not is 0x89", source: "\u{FFFD}PNG"),
        .init(file: "latin1-comment.yaml", status: 2, line: 1, column: 22, message: "not UTF-8 text: invalid byte 0xE9 (Latin-1 'é'?); save the file as UTF-8", source: "# latin1-comment: caf\u{FFFD}"),
        .init(file: "latin1-expression.yaml", status: 2, line: 5, column: 13, message: "not UTF-8 text: invalid byte 0xB5 (Latin-1 'µ'?)", source: "output: x + \u{FFFD}"),
        .init(file: "truncated-utf8.yaml", status: 2, line: 3, column: 10, message: "not UTF-8 text: invalid bytes 0xE2 0x82", source: "title: 2 \u{FFFD}"),
        .init(file: "utf16.yaml", status: 2, line: 1, column: 1, message: "UTF-16 text (the byte-order mark 0xFF 0xFE): a case file is UTF-8 text"),
        // Network cases with bad shapes.
        .init(file: "network-weight-shape.yaml", status: 2, line: 9, column: 8, message: "parameters.W1 has 3 entries at level 2, expected 2 (the shape is 1x2)", source: "  W1: [[1, 2, 3]]"),
        .init(file: "network-ragged-data.yaml", status: 2, line: 9, column: 20, message: "data.x has 1 entry at level 2, expected 2 (the shape is 2x2, [sample][feature])", source: "data: {x: [[1, 2], [3]]}"),
        .init(file: "network-input-overflow.yaml", status: 2, line: 6, column: 10, message: "the input shape 3037000500x3037000500x2 has too many values to count in a 64-bit integer", source: "  input: [3037000500, 3037000500, 2]"),
        .init(file: "network-geometry.yaml", status: 2, line: 7, column: 12, message: "a 9x9 filter does not fit an input of height 4 with padding 0", source: "  layers: [{conv2d: {filters: 1, kernel: 9}}]"),
        .init(file: "network-unknown-layer.yaml", status: 2, line: 8, column: 7, message: "unknown layer 'densse'; did you mean 'dense'?", source: "    - densse: {units: 1}"),
        .init(file: "network-nan-parameter.yaml", status: 2, line: 9, column: 12, message: "a parameter is .nan: numbers must be finite", source: "  W1: [[1, .nan]]"),
        // Evaluation that is not finite at the case's point: a failed case (exit 1), located at the node.
        .init(file: "evaluation-log-domain.yaml", status: 1, line: 7, column: 9, message: "node v3 = log(a) (op log) is NaN: log(-1) is outside the domain of log, x > 0", source: "output: log(a) + x"),
        .init(file: "evaluation-division-by-zero.yaml", status: 1, line: 5, column: 10, message: "node f = 1 / v3 (op /) is inf: 1 / 0 divides by zero", source: "output: 1/(x - 2)"),
        .init(file: "evaluation-overflow.yaml", status: 1, line: 5, column: 18, message: "node v3 = exp(v2) (op exp) is inf: exp(22026.46579) overflows", source: "output: sin(x) + exp(exp(x))"),
        // A good case among them.
        .init(file: "good-case.yaml", status: 0),
    ]
}

/// Checks that `stderr` reports `path:line:column: message`, then the line and a caret under
/// the column (for short lines exactly; for long ones, which are cut, the character above
/// the caret).
func expectLocated(
    _ stderr: String, path: String, line: Int, column: Int, message: String, source: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let head = "\(path):\(line):\(column): \(message)"
    #expect(stderr.contains(head), "expected \(head)\nin\n\(stderr)", sourceLocation: sourceLocation)
    guard !source.isEmpty else {
        // About the whole file: no line to show.
        let after = stderr.components(separatedBy: head).dropFirst().first ?? ""
        #expect(!after.hasPrefix("\n \(line) | "), "a file-level error shows no source line", sourceLocation: sourceLocation)
        return
    }
    let gutter = " \(line) | "
    let pad = " " + String(repeating: " ", count: String(line).count) + " | "
    if source.unicodeScalars.count <= 160 {
        let shown = gutter + source + "\n" + pad + String(repeating: " ", count: column - 1) + "^"
        #expect(stderr.contains(head) && stderr.components(separatedBy: head)[1].contains(shown),
                "expected the line and a caret:\n\(shown)\nin\n\(stderr)", sourceLocation: sourceLocation)
    } else {
        let lines = stderr.components(separatedBy: "\n")
        guard let k = lines.firstIndex(where: { $0.hasPrefix(gutter) }), k + 1 < lines.count,
              let caret = lines[k + 1].firstIndex(of: "^") else {
            Issue.record("no source line with a caret in\n\(stderr)", sourceLocation: sourceLocation)
            return
        }
        let offset = lines[k + 1].distance(from: lines[k + 1].startIndex, to: caret)
        let shown = Array(lines[k])
        let expected = Array(source)[column - 1]
        #expect(offset < shown.count && shown[offset] == expected, "the caret is not under '\(expected)'", sourceLocation: sourceLocation)
    }
}

@Suite("Hostile inputs: the fixtures")
struct HostileFixtureTests {
    static let folder = Tool.fixtures.appendingPathComponent("hostile")

    @Test("every hostile fixture is in the table, and every table entry is a fixture")
    func tableCoversTheFolder() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files == HostileFixture.all.map(\.file).sorted())
    }

    @Test("each fixture: its exit code, file:line:column, the message, the line and a caret; no crash, no hang", arguments: HostileFixture.all)
    func fixture(_ f: HostileFixture) throws {
        let reports = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reports) }
        let r = try Bounded.run(["run", f.path, "--report", reports.path], in: Tool.fixtures, timeout: 60)
        #expect(r.exited && r.status == f.status, "\(f.file): \(r.transcript)")
        guard f.status != 0 else {
            #expect(r.stderr.isEmpty, "\(f.file): \(r.stderr)")
            return
        }
        expectLocated(r.stderr, path: f.path, line: f.line, column: f.column, message: f.message, source: f.source)
        // The reports record it: a load error (exit 2), or the case that could not be verified (exit 1).
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: reports.appendingPathComponent("verification.json"))) as? [String: Any]
        if f.status == 2 {
            let errors = json?["loadErrors"] as? [[String: Any]] ?? []
            let location = errors.first?["location"] as? [String: Any]
            #expect(location?["line"] as? Int == f.line && location?["column"] as? Int == f.column, "\(errors)")
        } else {
            let cases = json?["cases"] as? [[String: Any]] ?? []
            let diagnostic = cases.first?["diagnostic"] as? [String: Any]
            let location = diagnostic?["location"] as? [String: Any]
            #expect(location?["line"] as? Int == f.line && location?["column"] as? Int == f.column, "\(cases.first ?? [:])")
        }
    }

    @Test("list and trace load the fixtures the same way: exit 2 on each input error, never a crash")
    func listAndTrace() throws {
        for f in HostileFixture.all where f.status == 2 {
            let list = try Bounded.run(["list", f.path], in: Tool.fixtures, timeout: 60)
            #expect(list.exited && list.status == 2, "list \(f.file): \(list.transcript)")
            #expect(list.stderr.contains("\(f.path):\(f.line):\(f.column): "), "list \(f.file): \(list.stderr)")
            let trace = try Bounded.run(["trace", f.path], in: Tool.fixtures, timeout: 60)
            #expect(trace.exited && trace.status == 2, "trace \(f.file): \(trace.transcript)")
        }
    }

    @Test("a folder of hostile files and a good case: the good case is verified and reported, every error too, exit 2")
    func mixedFolder() throws {
        let reports = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reports) }
        let r = try Bounded.run(["run", "hostile", "--report", reports.path], in: Tool.fixtures, timeout: 120)
        #expect(r.exited && r.status == 2, "\(r.transcript)")
        #expect(r.stdout.contains("✓ hostile-good-case"), "\(r.stdout)")
        let inputErrors = HostileFixture.all.filter { $0.status == 2 }
        for f in inputErrors {
            #expect(r.stderr.contains("\(f.path):\(f.line):\(f.column): \(f.message)"), "\(f.file) in the folder run")
        }
        // The evaluation fixtures are cases that fail; the cross-file duplicate is an error too.
        #expect(r.stdout.contains("✗ hostile-evaluation-log-domain"))
        #expect(r.stderr.contains("hostile/duplicate-id-across-files-b.yaml:2:5: duplicate id 'hostile-shared-id': already used at hostile/duplicate-id-across-files-a.yaml:2:5"))

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: reports.appendingPathComponent("verification.json"))) as? [String: Any]
        let cases = json?["cases"] as? [[String: Any]] ?? []
        let good = cases.first { $0["id"] as? String == "hostile-good-case" }
        #expect((good?["verdict"] as? [String: Any])?.keys.contains("pass") == true, "\(good ?? [:])")
        let loadErrors = json?["loadErrors"] as? [[String: Any]] ?? []
        #expect(loadErrors.count == inputErrors.count + 1, "one per input-error fixture, and the duplicate id across files")

        let markdown = try String(contentsOf: reports.appendingPathComponent("verification.md"), encoding: .utf8)
        #expect(markdown.contains("hostile-good-case") && markdown.contains("## <a id=\"load-errors\"></a>Load errors"))
        #expect(markdown.contains("hostile/latin1-expression.yaml:5:13: not UTF-8 text"))
        let junit = try Data(contentsOf: reports.appendingPathComponent("junit.xml"))
        let text = String(decoding: junit, as: UTF8.self)
        #expect(text.components(separatedBy: "<error ").count - 1 == inputErrors.count + 1)
        #expect(text.contains("name=\"hostile-good-case\""))
        #expect(XMLCheck.isWellFormed(junit))
    }

    @Test("the same id in two files: the second is refused at its id, pointing at the first; the first is verified")
    func duplicateIDsAcrossFiles() throws {
        let r = try Bounded.run(
            ["run", "hostile/duplicate-id-across-files-a.yaml", "hostile/duplicate-id-across-files-b.yaml", "--format", "none"],
            in: Tool.fixtures)
        #expect(r.exited && r.status == 2, "\(r.transcript)")
        expectLocated(
            r.stderr, path: "hostile/duplicate-id-across-files-b.yaml", line: 2, column: 5,
            message: "duplicate id 'hostile-shared-id': already used at hostile/duplicate-id-across-files-a.yaml:2:5",
            source: "id: hostile-shared-id")
        #expect(r.stdout.contains("✓ hostile-shared-id"))
    }
}

/// Well-formedness of XML, by Foundation's parser where there is one.
enum XMLCheck {
    static func isWellFormed(_ data: Data) -> Bool {
        #if canImport(FoundationXML) || canImport(Darwin)
        return XMLParser(data: data).parse()
        #else
        return true
        #endif
    }
}

/// Inputs too large to commit, written into a scratch folder by the tests.
@Suite("Hostile inputs: generated")
struct GeneratedHostileInputTests {
    /// Writes `text` to `name` in a fresh folder and runs `adverify run` on it there.
    static func run(_ name: String, _ text: String, timeout: Double = 60, extra: [String] = ["--format", "none"]) throws -> Bounded.Result {
        let folder = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(text.utf8).write(to: folder.appendingPathComponent(name))
        return try Bounded.run(["run", name] + extra, in: folder, timeout: timeout)
    }

    static let header = "id: generated\ntitle: t\ninputs: {x: 2}\n"
    static let depth = 100_000

    /// 100,000 levels of nesting in the expression language, four ways; each stops at 200,
    /// at the token that opens level 201.
    @Test("100,000-deep expressions: parentheses, calls, unary minus, powers", arguments: [
        ("parentheses", 209), ("calls", 812), ("unary minus", 209), ("powers", 410),
    ])
    func deepExpression(kind: String, column: Int) throws {
        let n = Self.depth
        let expression = switch kind {
        case "parentheses": String(repeating: "(", count: n) + "x" + String(repeating: ")", count: n)
        case "calls": String(repeating: "sin(", count: n) + "x" + String(repeating: ")", count: n)
        case "unary minus": String(repeating: "-", count: n) + "x"
        default: Array(repeating: "x", count: n).joined(separator: "^")
        }
        let r = try Self.run("deep.yaml", Self.header + "output: " + expression + "\n")
        #expect(r.exited && r.status == 2, "\(kind): \(r.transcript.prefix(2000))")
        #expect(r.stderr.hasPrefix("deep.yaml:4:\(column): the expression is nested more than 200 levels deep"), "\(kind): \(r.stderr.prefix(500))")
        #expect(r.stderr.contains("\n 4 | ") && r.stderr.contains("^"))
    }

    /// 100,000 levels of YAML nesting; the pre-scan stops each at 64 levels (block collections
    /// plus flow brackets, the top-level mapping included), before Yams recurses.
    @Test("100,000-deep YAML: flow lists, flow mappings, block lists, complex keys, a stray quote; 1000 block mappings", arguments: [
        ("flow lists", 5, 70), ("flow mappings", 5, 259), ("block lists", 6, 129), ("complex keys", 6, 129),
        ("block mappings", 69, 65), ("a quote hiding nothing", 5, 76),
    ])
    func deepYAML(kind: String, line: Int, column: Int) throws {
        let n = Self.depth
        let text = Self.header + "output: x\n" + {
            switch kind {
            case "flow lists": "tags: " + String(repeating: "[", count: n) + String(repeating: "]", count: n) + "\n"
            case "flow mappings": "tags: " + String(repeating: "{a: ", count: n) + "1" + String(repeating: "}", count: n) + "\n"
            case "block lists": "tags:\n" + String(repeating: "- ", count: n) + "x\n"
            case "complex keys": "tags:\n" + String(repeating: "? ", count: n) + "x\n"
            case "block mappings": "tags:\n" + (1..<1000).map { String(repeating: " ", count: $0) + "a:\n" }.joined()
            default: "tags: [it's, " + String(repeating: "[", count: n) + String(repeating: "]", count: n) + "]\n"
            }
        }()
        let r = try Self.run("deep.yaml", text)
        #expect(r.exited && r.status == 2, "\(kind): \(r.transcript.prefix(2000))")
        #expect(r.stderr.hasPrefix("deep.yaml:\(line):\(column): YAML nested more than 64 levels deep"), "\(kind): \(r.stderr.prefix(500))")
    }

    /// macOS gives the dispatch threads that run `adverify run` 512 KB of stack; the parser
    /// takes about 8 KB per level in a debug build. Parsing runs on a 16 MB stack of its own.
    @Test("200 levels of expression and 64 of YAML on 512 KB stacks: parsed, not a crash")
    func smallStacks() throws {
        let folder = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let deepest = String(repeating: "sin(", count: 200) + "x" + String(repeating: ")", count: 200)
        let text = "id: deep\ntitle: t\ninputs: {x: 0.5}\noutput: \(deepest)\n---\nid: nested\ntitle: t\ntags: "
            + String(repeating: "[", count: 63) + String(repeating: "]", count: 63) + "\n"
        try Data(text.utf8).write(to: folder.appendingPathComponent("deep.yaml"))
        let r = try Bounded.run(["run", "deep.yaml", "--format", "none"], in: folder, stackKB: 512)
        #expect(r.exited && r.status == 2, "\(r.transcript.prefix(2000))")
        #expect(r.stdout.contains("✓ deep "), "the 200-level expression is parsed and verified: \(r.stdout.prefix(300))")
        #expect(r.stderr.hasPrefix("deep.yaml:8:8: a tag must be text, found a list"), "the YAML loads; only the case reader refuses it: \(r.stderr.prefix(300))")
        let one = try Bounded.run(["eval", deepest, "--at", "x=0.5"], stackKB: 512)
        #expect(one.exited && one.status == 0, "\(one.transcript.prefix(2000))")
        let two = try Bounded.run(["eval", "sin(" + deepest + ")", "--at", "x=0.5"], stackKB: 512)
        #expect(two.exited && two.status == 2 && two.stderr.hasPrefix("<expression>:1:804: the expression is nested more than 200 levels deep"), "\(two.transcript.prefix(600))")
    }

    @Test("the billion laughs: aliases are refused before Yams expands or hashes them")
    func billionLaughs() throws {
        var lines = ["id: laughs", "title: t", "inputs: {x: 2}", "output: x", "note: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for k in 1...9 { lines.append("n\(k): &a\(k) [" + Array(repeating: "*a\(k - 1)", count: 10).joined(separator: ", ") + "]") }
        lines.append("tags: {? *a9 : 1, ? *a9 : 2}")
        let r = try Self.run("laughs.yaml", lines.joined(separator: "\n") + "\n", timeout: 30)
        #expect(r.exited && r.status == 2, "\(r.transcript)")
        #expect(r.stderr.hasPrefix("laughs.yaml:5:7: YAML anchor '&a0': anchors and aliases (&name, *name) are not supported in case files"))
        #expect(r.seconds < 10)
    }

    @Test("a 10 MB case file loads and is verified within seconds; 17 MiB is refused at once")
    func largeFiles() throws {
        let line = "lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor\n"
        let body = String(repeating: "  " + line, count: 10 * 1024 * 1024 / (line.utf8.count + 2))
        let text = "id: generated-ten-megabytes\ntitle: t\nnote: >\n" + body + "inputs: {x: 2}\noutput: x^2\nexpect: {gradient: {x: 4}}\n"
        #expect(text.utf8.count > 10_000_000)
        let folder = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(text.utf8).write(to: folder.appendingPathComponent("ten.yaml"))
        let r = try Bounded.run(["run", "ten.yaml", "--report", "reports"], in: folder, timeout: 60)
        #expect(r.exited && r.status == 0, "\(r.transcript)")
        #expect(r.stdout.contains("✓ generated-ten-megabytes"))
        // The report carries the start of the note and of the case file, not ten megabytes of each.
        #expect(try Data(contentsOf: folder.appendingPathComponent("reports/verification.md")).count < 200_000)
        let markdown = try Data(contentsOf: folder.appendingPathComponent("reports/cases/generated-ten-megabytes.md"))
        #expect(markdown.count < 200_000)
        #expect(String(decoding: markdown, as: UTF8.self).contains("more bytes are in the case file"))

        // Over the 16 MiB limit: refused before it is read.
        let big = String(repeating: "# padding, not a case\n", count: 17 * 1024 * 1024 / 22 + 1)
        let over = try Self.run("huge.yaml", big, timeout: 30)
        #expect(over.exited && over.status == 2, "\(over.transcript)")
        #expect(over.stderr.hasPrefix("huge.yaml:1:1: the file is \(big.utf8.count) bytes, more than the 16 MiB a case file may have"))
        #expect(over.seconds < 10)
    }

    @Test("a case of a million nodes is verified, and its report has no trace, even with --traces")
    func millionNodes() throws {
        let terms = 333_333
        let text = "id: generated-million-nodes\ntitle: t\ninputs: {x: 0.5}\noutput: " + Array(repeating: "0.5*x", count: terms).joined(separator: " + ")
            + "\nexpect:\n  value: 83333.25\n  gradient: {x: 166666.5}\n"
        let folder = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(text.utf8).write(to: folder.appendingPathComponent("million.yaml"))
        let r = try Bounded.run(["run", "million.yaml", "--report", "reports", "--traces"], in: folder, timeout: 120)
        #expect(r.exited && r.status == 0, "\(r.transcript)")
        #expect(r.stdout.contains("✓ generated-million-nodes") && containsWhole(r.stdout, "9 checks"), "\(r.stdout)")
        let markdown = try String(contentsOf: folder.appendingPathComponent("reports/cases/generated-million-nodes.md"), encoding: .utf8)
        #expect(!markdown.contains("Trace: primal"))
        #expect(markdown.utf8.count < 200_000)
    }

    @Test("a case whose verification would take hours is refused with the numbers")
    func tooMuchWork() throws {
        let n = 20_000
        let inputs = (0..<n).map { "x\($0): 1" }.joined(separator: ", ")
        let text = "id: wide\ntitle: t\ninputs: {\(inputs)}\noutput: " + (0..<n).map { "x\($0)" }.joined(separator: " + ") + "\n"
        let r = try Self.run("wide.yaml", text, timeout: 60)
        #expect(r.exited && r.status == 2, "\(r.transcript.prefix(2000))")
        #expect(r.stderr.hasPrefix("wide.yaml:3:9: the case is too large to verify: 20000 inputs x 1 output over 39999 graph nodes is 8e+08 node-partials, more than the 100000000"))
    }

    @Test("a 10 MB file of 200,000 one-line cases: the first 1000 are verified, the rest refused at the 1001st")
    func tooManyCases() throws {
        let text = (0..<200_000).map { "---\nid: c\($0)\ntitle: t\ninputs: {x: 2}\noutput: x\n" }.joined()
        let r = try Self.run("many.yaml", text, timeout: 60, extra: ["--format", "none", "--quiet"])
        #expect(r.exited && r.status == 2, "\(r.transcript.prefix(2000))")
        #expect(r.stderr.hasPrefix("many.yaml:5002:1: more than 1000 cases in one file: the first 1000 are loaded, this one and the rest are not; split the file\n 5002 | id: c1000\n      | ^"), "\(r.stderr.prefix(500))")
        #expect(containsWhole(r.stdout, "1000 cases: 1000 passed"))
    }

    @Test("control characters in a case reach neither the terminal nor the XML raw")
    func controlCharacters() throws {
        let folder = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = "id: controls\ntitle: \"bell \\a escape \\e[2J and \\x01\"\ninputs: {x: 2}\noutput: x^2\n---\nid: bad\ntitle: t\ninputs: {\"\\e[31mx\": 2}\noutput: x\n"
        try Data(text.utf8).write(to: folder.appendingPathComponent("controls.yaml"))
        let r = try Bounded.run(["run", "controls.yaml", "--report", "reports"], in: folder)
        #expect(r.exited && r.status == 2, "\(r.transcript)")
        #expect(!r.stderr.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "\(r.stderr)")
        #expect(r.stderr.contains("input '\u{241B}[31mx' is not a name"))
        let junit = try Data(contentsOf: folder.appendingPathComponent("reports/junit.xml"))
        #expect(XMLCheck.isWellFormed(junit))
        let json = try Data(contentsOf: folder.appendingPathComponent("reports/verification.json"))
        #expect((try? JSONSerialization.jsonObject(with: json)) != nil)
    }
}

@Suite("Hostile inputs: evaluation that is not finite")
struct NonFiniteEvaluationTests {
    @Test("adverify run: the node, its op, the operands and the place, on stderr with a caret and in every report")
    func run() throws {
        let reports = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reports) }
        let r = try Bounded.run(["run", "hostile/evaluation-log-domain.yaml", "--report", reports.path], in: Tool.fixtures)
        #expect(r.exited && r.status == 1, "\(r.transcript)")
        let message = "node v3 = log(a) (op log) is NaN: log(-1) is outside the domain of log, x > 0; the case cannot be verified at its inputs"
        expectLocated(r.stderr, path: "hostile/evaluation-log-domain.yaml", line: 7, column: 9, message: message, source: "output: log(a) + x")
        #expect(r.stdout.contains("✗ hostile-evaluation-log-domain") && r.stdout.contains("    " + message))
        let markdown = try String(contentsOf: reports.appendingPathComponent("verification.md"), encoding: .utf8)
        #expect(markdown.contains("hostile/evaluation-log-domain.yaml:7:9: " + message + "\n 7 | output: log(a) + x\n   |         ^"))
        let junit = try String(contentsOf: reports.appendingPathComponent("junit.xml"), encoding: .utf8)
        #expect(junit.contains("could not be verified: node v3 = log(a) (op log) is NaN"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: reports.appendingPathComponent("verification.json"))) as? [String: Any]
        let c = (json?["cases"] as? [[String: Any]])?.first
        #expect((c?["error"] as? String) == message)
    }

    @Test("adverify eval: the same, located in the expression", arguments: [
        ("log(x - 3)", 1, "node f = log(v2) (op log) is NaN: log(-1) is outside the domain of log, x > 0"),
        ("1/(x-2)", 2, "node f = 1 / v3 (op /) is inf: 1 / 0 divides by zero"),
        ("exp(exp(x + 8))", 1, "node f = exp(v3) (op exp) is inf: exp(22026.46579) overflows"),
        ("(-x)^0.5", 5, "node f = v1 ^ 0.5 (op ^) is NaN: (-2) ^ 0.5 is a negative base to a non-integer power"),
        ("x + acos(x)", 5, "node v1 = acos(x) (op acos) is NaN: acos(2) is outside the domain of acos, -1 <= x <= 1"),
    ])
    func eval(expression: String, column: Int, message: String) throws {
        let r = try Bounded.run(["eval", expression, "--at", "x=2"])
        #expect(r.exited && r.status == 1, "\(r.transcript)")
        #expect(r.stdout.contains("✗ " + message), "\(r.stdout)")
        expectLocated(r.stderr, path: "<expression>", line: 1, column: column, message: message, source: expression)
    }

    @Test("a derivative that is not finite names the node whose local derivative made it so")
    func derivative() throws {
        let r = try Bounded.run(["eval", "x*sqrt(x)", "--at", "x=0"])
        #expect(r.exited && r.status == 1, "\(r.transcript)")
        #expect(r.stdout.contains("∂f/∂x: forward mode NaN and reverse mode 0 differ by NaN (budget NaN); the tangent along x first becomes inf at node v1 = sqrt(x) (op sqrt), whose derivative at sqrt(0) is inf"), "\(r.stdout)")
    }
}

/// SIGINT while `adverify run` verifies, renders and writes: the reports are always the
/// previous ones or the new ones, complete, and no temporary file is left.
@Suite("Hostile inputs: interrupted runs")
struct InterruptTests {
    /// A catalogue that verifies quickly and has a report of a few megabytes.
    static func catalogue(in folder: URL) throws {
        let note = String(repeating: "a long note ", count: 250)
        let text = (0..<200).map { "---\nid: case-\($0)\ntitle: case \($0)\nnote: \(note)\ninputs: {x: 2}\noutput: x^2 + \($0)\nexpect: {gradient: {x: 4}}\n" }.joined()
        try Data(text.utf8).write(to: folder.appendingPathComponent("cases.yaml"))
    }

    static let files = ["verification.md", "verification.json", "junit.xml"]

    static func contents(_ reports: URL) throws -> [Data] {
        try files.map { try Data(contentsOf: reports.appendingPathComponent($0)) }
    }

    /// Each report is whole: the Markdown ends with the index's last case, the last case's page
    /// with its case file, the JSON parses with every case, the JUnit XML is well-formed with
    /// every test case.
    static func expectComplete(_ reports: URL, _ moment: String) throws {
        let markdown = try String(contentsOf: reports.appendingPathComponent("verification.md"), encoding: .utf8)
        #expect(markdown.hasPrefix("# ") && markdown.contains("[case-199](cases/case-199.md)") && markdown.hasSuffix("|\n"), "\(moment): the Markdown is cut")
        let page = try String(contentsOf: reports.appendingPathComponent("cases/case-199.md"), encoding: .utf8)
        #expect(page.contains("# <a id=\"case-case-199\"></a>") && page.contains("</details>"), "\(moment): the last page is cut")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: reports.appendingPathComponent("verification.json"))) as? [String: Any]
        #expect((json?["cases"] as? [Any])?.count == 200, "\(moment): the JSON is cut")
        let junit = try Data(contentsOf: reports.appendingPathComponent("junit.xml"))
        #expect(XMLCheck.isWellFormed(junit) && String(decoding: junit, as: UTF8.self).components(separatedBy: "<testcase ").count == 201, "\(moment): the XML is cut")
    }

    static func temporaries(_ reports: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: reports.path).filter { $0.hasSuffix(".tmp") }
    }

    enum Moment: String, CaseIterable {
        case verifying = "while verifying"
        case rendering = "while rendering"
        case writing = "while writing"
    }

    @Test("SIGINT while verifying, rendering and writing: the previous reports stay whole, no temporary file is left")
    func interrupt() throws {
        let folder = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.catalogue(in: folder)
        let reports = folder.appendingPathComponent("reports")
        let first = try Bounded.run(["run", "cases.yaml", "--report", "reports", "--quiet"], in: folder)
        #expect(first.exited && first.status == 0, "\(first.transcript)")
        try Self.expectComplete(reports, "the first run")

        var caughtWriting = false
        for attempt in 0..<12 {
            for moment in Moment.allCases where moment != .writing || !caughtWriting {
                if attempt > 0, moment != .writing { continue }
                // The reports on disk now: the first run's, or a later run's that finished before its SIGINT.
                let before = try Self.contents(reports)
                let running = try Bounded.Running(["run", "cases.yaml", "--report", "reports", "--quiet"], in: folder)
                let deadline = Date().addingTimeInterval(60)
                switch moment {
                case .verifying:
                    usleep(20_000)
                case .rendering:
                    while !running.stdoutSoFar.contains("200 cases:"), running.process.isRunning, Date() < deadline { usleep(1000) }
                case .writing:
                    // The moment a temporary report file appears.
                    while running.process.isRunning, Date() < deadline, (try? Self.temporaries(reports).isEmpty) ?? true { usleep(200) }
                }
                running.process.interrupt()
                let r = running.finish(timeout: 60)
                #expect(!r.timedOut, "\(moment.rawValue): the interrupted run did not end")
                // Killed by SIGINT, or (if it was already done) ended normally.
                #expect((r.signalled && r.status == SIGINT) || (r.exited && r.status == 0), "\(moment.rawValue): \(r.transcript)")
                #expect(try Self.temporaries(reports).isEmpty, "\(moment.rawValue): temporary files left behind")
                let now = try Self.contents(reports)
                if r.stderr.contains("interrupted while writing the reports; removed the unfinished") {
                    caughtWriting = true
                    #expect(now == before, "interrupted while writing: the previous reports must be untouched")
                } else if now != before {
                    // The signal came after the renames (a loaded machine can be that slow): the new reports, whole.
                    try Self.expectComplete(reports, moment.rawValue)
                }
            }
            if caughtWriting { break }
        }
        #expect(caughtWriting, "no SIGINT arrived while a report file was being written")
    }
}
