import Foundation
import Testing

/// Runs the built `adverify` binary (a dependency of this test target, so `swift test` builds it).
struct Tool {
    static let binary: URL = {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            products.appendingPathComponent("adverify"),
            products.deletingLastPathComponent().appendingPathComponent("adverify"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        // The tool's GitHub behaviour (annotations, the job summary) only where a test asks for it,
        // even when the tests themselves run under GitHub Actions.
        var inherited = ProcessInfo.processInfo.environment
        inherited["GITHUB_ACTIONS"] = nil
        inherited["GITHUB_STEP_SUMMARY"] = nil
        process.environment = inherited.merging(environment) { _, new in new }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("adverify-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Whether `phrase` occurs in `text` as whole tokens: not inside a longer number or word
/// ("5.5" is not in "15.5", "5.55", "-5.5" or "5.5e3"; "1 run" is not in "11 runs").
func containsWhole(_ text: String, _ phrase: String) -> Bool {
    func joins(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "." || c == "-" || c == "+" }
    var search = text.startIndex..<text.endIndex
    while let r = text.range(of: phrase, range: search) {
        let before = r.lowerBound == text.startIndex ? nil : text[text.index(before: r.lowerBound)]
        var after = r.upperBound == text.endIndex ? nil : text[r.upperBound]
        // A sentence's full stop ends a token; a decimal point followed by a digit does not.
        if after == ".", text.index(after: r.upperBound) == text.endIndex || !text[text.index(after: r.upperBound)].isNumber { after = nil }
        let startJoins = phrase.first.map(joins) == true && before.map(joins) == true
        let endJoins = phrase.last.map(joins) == true && after.map { $0.isLetter || $0.isNumber || $0 == "." } == true
        if !startJoins && !endJoins { return true }
        search = text.index(after: r.lowerBound)..<text.endIndex
    }
    return false
}

/// The cells of every Markdown table row in `text`, trimmed, without the outer pipes.
func tableRows(_ text: String) -> [[String]] {
    text.components(separatedBy: "\n").compactMap { line in
        let l = line.trimmingCharacters(in: .whitespaces)
        guard l.hasPrefix("|"), l.hasSuffix("|"), l.count > 1 else { return nil }
        return l.dropFirst().dropLast().components(separatedBy: "|").map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

@Suite("adverify binary", .serialized)
struct EndToEndTests {
    @Test("a correct case file: exit 0, one ✓ line per case, the reports and a page per case")
    func passing() throws {
        let reports = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reports) }
        let r = try Tool.run(["run", Tool.fixtures.appendingPathComponent("pass").path, "--report", reports.path])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("✓ fixture-ellis-smith"))
        #expect(r.stdout.contains("✓ fixture-sigmoid"))
        #expect(containsWhole(r.stdout, "2 cases: 2 passed, 0 failed, 0 inconclusive"), "\(r.stdout)")
        for name in ["verification.md", "summary.md", "verification.json", "junit.xml", "cases/fixture-ellis-smith.md", "cases/fixture-sigmoid.md"] {
            #expect(FileManager.default.fileExists(atPath: reports.appendingPathComponent(name).path), "\(name)")
        }
        let index = try String(contentsOf: reports.appendingPathComponent("verification.md"), encoding: .utf8)
        #expect(index.contains("[fixture-ellis-smith](cases/fixture-ellis-smith.md)"))
        let markdown = try String(contentsOf: reports.appendingPathComponent("cases/fixture-ellis-smith.md"), encoding: .utf8)
        // ∂f/∂x2's row: expected 1.716 (its own cell, not a prefix of 1.716337815), computed 1.716337815.
        #expect(tableRows(markdown).contains { $0.count > 4 && $0[0] == "∂f/∂x2" && $0[3].split(whereSeparator: \.isWhitespace).first == "1.716" && $0[4] == "1.716337815" }, "\(markdown)")
    }

    @Test("under GitHub Actions: ::error at the expectation's line, and summary.md appended to the job summary")
    func github() throws {
        let reports = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reports) }
        let stepSummary = reports.appendingPathComponent("step-summary.md")
        try Data("earlier step\n".utf8).write(to: stepSummary)
        let fixture = Tool.fixtures.appendingPathComponent("fail").path
        let r = try Tool.run(["run", fixture, "--report", reports.appendingPathComponent("out").path],
                             environment: ["GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": stepSummary.path])
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        let annotations = r.stdout.split(separator: "\n").filter { $0.hasPrefix("::error ") }
        #expect(annotations.count == 1, "\(r.stdout)")
        #expect(annotations.first?.hasPrefix("::error file=\(fixture)/peharz-wrong.yaml,line=") == true, "\(annotations)")
        #expect(annotations.first?.contains("title=adverify%3A fixture-peharz-wrong::∂f/∂x: expected -182.80") == true, "\(annotations)")
        let summary = try String(contentsOf: stepSummary, encoding: .utf8)
        #expect(summary.hasPrefix("earlier step\n## adverify: **✗ 1 of 1 case failed**"), "\(summary)")
        #expect(summary == "earlier step\n" + (try String(contentsOf: reports.appendingPathComponent("out/summary.md"), encoding: .utf8)) + "\n")
        // Outside GitHub Actions: no annotations unless asked for, and --annotations none silences them.
        let plain = try Tool.run(["run", fixture, "--format", "none"])
        #expect(!plain.stdout.contains("::error"))
        let asked = try Tool.run(["run", fixture, "--format", "none", "--annotations", "github"])
        #expect(asked.stdout.contains("::error file="))
        let silenced = try Tool.run(["run", fixture, "--format", "none", "--annotations", "none"], environment: ["GITHUB_ACTIONS": "true"])
        #expect(!silenced.stdout.contains("::error"))
        let wrong = try Tool.run(["run", fixture, "--annotations", "gitlab"])
        #expect(wrong.status == 2 && wrong.stderr.contains("--annotations: unknown kind 'gitlab'; use github or none"), "\(wrong.stderr)")
    }

    @Test("one wrong expected number: exit 1, the console and the report name quantity, expected and computed")
    func failing() throws {
        let reports = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reports) }
        let r = try Tool.run(["run", Tool.fixtures.appendingPathComponent("fail").path, "--report", reports.path])
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("✗ fixture-peharz-wrong"))
        #expect(containsWhole(r.stdout, "∂f/∂x: expected -182.80"), "\(r.stdout)")
        #expect(containsWhole(r.stdout, "computed -182.8698073"), "\(r.stdout)")
        let markdown = try String(contentsOf: reports.appendingPathComponent("verification.md"), encoding: .utf8)
        // The failure's row: expected and computed each a whole cell.
        #expect(tableRows(markdown).contains { $0.count > 3 && $0[0] == "∂f/∂x" && $0[2] == "-182.80" && $0[3] == "-182.8698073 (reverse AD)" }, "\(markdown)")
        let junit = try String(contentsOf: reports.appendingPathComponent("junit.xml"), encoding: .utf8)
        #expect(junit.contains("<failure"))
    }

    @Test("malformed files: exit 2, file:line:column with a caret, and the other files are still verified")
    func malformed() throws {
        let reports = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reports) }
        let malformed = Tool.fixtures.appendingPathComponent("malformed")
        let r = try Tool.run(["run", malformed.path, Tool.fixtures.appendingPathComponent("pass").path, "--report", reports.path])
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("unknown-function.yaml:4:19: unknown function 'sine'; did you mean 'sin'?"))
        #expect(r.stderr.contains("forward-reference.yaml:5:6: 'b' is used before it is defined (line 6)"))
        #expect(r.stderr.contains("broken-yaml.yaml:4:7: YAML syntax"))
        #expect(r.stderr.contains("jacobian-shape.yaml:6:13: jacobian has 1 row, expected 2 rows"))
        #expect(r.stderr.contains(" 4 | output: sqrt(x) + sine(x)\n   |                   ^"))
        #expect(r.stdout.contains("✓ fixture-ellis-smith"))
        let markdown = try String(contentsOf: reports.appendingPathComponent("verification.md"), encoding: .utf8)
        #expect(markdown.contains("unknown function 'sine'"))
    }

    @Test("list, trace and eval")
    func otherCommands() throws {
        let pass = Tool.fixtures.appendingPathComponent("pass/ellis-smith.yaml").path
        let list = try Tool.run(["list", pass])
        #expect(list.status == 0)
        #expect(list.stdout.contains("fixture-ellis-smith") && list.stdout.contains("R^2 -> R^1"))

        let trace = try Tool.run(["trace", pass, "--id", "fixture-ellis-smith", "--seed", "x1=1"])
        #expect(trace.status == 0, "\(trace.stderr)")
        #expect(trace.stdout.contains("Primal trace") && trace.stdout.contains("Tangent trace") && trace.stdout.contains("Adjoint trace"))
        #expect(trace.stdout.contains("`v2 = x1 * x2`"))
        // ḟ along x1 and ∂f/∂x1 are 5.5: whole cells (not "15.5" or "5.55").
        let traceRows = tableRows(trace.stdout)
        #expect(traceRows.contains(["ḟ", "`f = v4 - v3`", "5.5"]), "\(trace.stdout)")
        #expect(traceRows.contains(["∂f/∂x1", "input", "5.5"]), "\(trace.stdout)")

        let eval = try Tool.run(["eval", "log(x) + x*y - sin(y)", "--at", "x=2,y=5"])
        #expect(eval.status == 0, "\(eval.stdout)\(eval.stderr)")
        // ∂f/∂x = 1/x + y = 5.5 and ∂f/∂y = x - cos(y) = 1.716337815 by forward and reverse mode.
        let evalRows = tableRows(eval.stdout)
        #expect(evalRows.contains { $0.count > 2 && $0[0] == "∂f/∂x" && $0[1] == "5.5" && $0[2] == "5.5" }, "\(eval.stdout)")
        #expect(evalRows.contains { $0.count > 2 && $0[0] == "∂f/∂y" && $0[1] == "1.716337815" && $0[2] == "1.716337815" }, "\(eval.stdout)")

        let bad = try Tool.run(["eval", "log(x) + sine(y)", "--at", "x=2,y=5"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("<expression>:1:10: unknown function 'sine'"))
        #expect(bad.stderr.contains("^"))
    }

    @Test("whole-token matching: a number inside a longer number or word does not count")
    func wholeTokens() {
        #expect(containsWhole("| ∂f/∂x | 5.5 |", "5.5"))
        #expect(containsWhole("5.5", "5.5") && containsWhole("is 5.5.", "5.5") && containsWhole("(5.5)", "5.5"))
        for text in ["15.5", "5.55", "-5.5", "5.5e3", "x5.5", "5.5.1"] { #expect(!containsWhole(text, "5.5"), "\(text)") }
        #expect(containsWhole("compared, 1 run.", "1 run") && !containsWhole("11 runs", "1 run") && !containsWhole("1 runs", "1 run"))
        #expect(!containsWhole("computed -182.86980731", "computed -182.8698073"))
        #expect(tableRows("| a | b |\n|---|---|\n| 1 | 2 |\ntext") == [["a", "b"], ["---", "---"], ["1", "2"]])
    }

    @Test("usage errors exit 2", arguments: [
        ["run", "--format", "pdf"],
        ["eval", "x", "--at", "x=abc"],
        ["trace"],
        ["frobnicate"],
        ["run", "/nonexistent/folder"],
    ])
    func usage(arguments: [String]) throws {
        let reports = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reports) }
        let r = try Tool.run(arguments + (arguments.first == "run" ? ["--report", reports.path] : []))
        #expect(r.status == 2, "\(arguments): \(r.stdout)\(r.stderr)")
        #expect(!r.stderr.isEmpty)
    }
}
