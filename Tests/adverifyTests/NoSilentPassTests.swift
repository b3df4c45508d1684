// Issue 17: nothing selected is never a green run, and never replaces the last reports. A
// missing path, a folder without case files, a filter that matches nothing, a selection of
// only equivalent mutants: exit 2, a message that says what was searched, and the report
// folder neither created nor touched.
import Foundation
import Testing

/// A working folder with `reports/marker`, as a previous good run would have left it.
struct Workspace {
    let root: URL
    var reports: URL { root.appendingPathComponent("reports") }
    var fresh: URL { root.appendingPathComponent("fresh") }

    init() throws {
        root = try Tool.temporaryDirectory()
        try FileManager.default.createDirectory(at: root.appendingPathComponent("reports"), withIntermediateDirectories: true)
        try Data("the last good reports\n".utf8).write(to: root.appendingPathComponent("reports/marker"))
        try FileManager.default.createDirectory(at: root.appendingPathComponent("empty/sub"), withIntermediateDirectories: true)
        try Data("not a case file\n".utf8).write(to: root.appendingPathComponent("empty/sub/notes.txt"))
        try FileManager.default.copyItem(at: Tool.fixtures.appendingPathComponent("pass"), to: root.appendingPathComponent("pass"))
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// `reports/` still holds exactly the marker, unchanged, and `fresh/` was not created.
    func expectUntouched(_ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: reports.path)) ?? []
        #expect(names == ["marker"], "\(what): reports/ now holds \(names)", sourceLocation: sourceLocation)
        let marker = try? String(contentsOf: reports.appendingPathComponent("marker"), encoding: .utf8)
        #expect(marker == "the last good reports\n", "\(what): the marker changed", sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: fresh.path), "\(what): created fresh/", sourceLocation: sourceLocation)
    }
}

@Suite("No silent passes: nothing selected exits 2 and writes nothing", .serialized)
struct NoSilentPassTests {
    @Test("run --filter that matches no case: exit 2, what was searched and what it saw, no report")
    func filterMatchesNothing() throws {
        let w = try Workspace()
        defer { w.remove() }
        for extra in [[], ["--report", "fresh"]] {
            let r = try Tool.run(["run", "pass", "--filter", "typo*"] + extra, in: w.root)
            #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains("error: --filter 'typo*' matches none of the 2 cases in pass (1 file); ids look like 'fixture-ellis-smith', 'fixture-sigmoid'"), "\(r.stderr)")
            #expect(!r.stdout.contains("0 cases: 0 passed"), "\(r.stdout)")
            w.expectUntouched("run --filter \(extra)")
        }
        // The same filter that matches: verified and reported.
        let ok = try Tool.run(["run", "pass", "--filter", "fixture-sig*", "--report", "fresh"], in: w.root)
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(FileManager.default.fileExists(atPath: w.fresh.appendingPathComponent("junit.xml").path))
    }

    @Test("a path that does not exist: 'no such file or folder: PATH' without a line and column, for every command", arguments: [
        ["run", "nosuch"], ["run", "pass", "nosuch"], ["run", "nosuch", "--report", "fresh"],
        ["list", "nosuch"], ["list", "pass", "nosuch"], ["trace", "nosuch"],
        ["selftest", "nosuch", "--mutants", "sin/*"], ["selftest", "nosuch", "--report", "fresh"],
    ])
    func missingPath(arguments: [String]) throws {
        let w = try Workspace()
        defer { w.remove() }
        let r = try Tool.run(arguments, in: w.root)
        #expect(r.status == 2, "\(arguments): \(r.stdout)\(r.stderr)")
        #expect(r.stderr == "error: no such file or folder: nosuch\n", "\(arguments): \(r.stderr)")
        #expect(!r.stdout.contains("✓"), "\(arguments): nothing is verified: \(r.stdout)")
        w.expectUntouched("\(arguments)")
    }

    @Test("a folder without case files: exit 2 and says so, for every command", arguments: [
        ["run", "empty"], ["run", "empty", "pass"], ["list", "empty"], ["trace", "empty"], ["selftest", "empty", "--mutants", "sin/*"],
    ])
    func folderWithoutCases(arguments: [String]) throws {
        let w = try Workspace()
        defer { w.remove() }
        let r = try Tool.run(arguments, in: w.root)
        #expect(r.status == 2, "\(arguments): \(r.stdout)\(r.stderr)")
        #expect(r.stderr == "error: no case files (*.yaml, *.yml) in the folder empty\n", "\(arguments): \(r.stderr)")
        w.expectUntouched("\(arguments)")
    }

    @Test("selftest choosing only equivalent mutants: exit 2, no 100 % score on nothing, no report")
    func selftestOnlyEquivalent() throws {
        let w = try Workspace()
        defer { w.remove() }
        let r = try Tool.run(["selftest", "pass", "--mutants", "add/argument-doubled*"], in: w.root)
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(!r.stdout.contains("100.0 %"), "\(r.stdout)")
        #expect(r.stderr.contains("error: the mutants matching 'add/argument-doubled*' (add/argument-doubled/a, add/argument-doubled/b) are all equivalent to the true derivative: no score to measure"), "\(r.stderr)")
        w.expectUntouched("selftest")
    }

    @Test("trace of a file whose every case is too large to print: exit 2, not a silent 0")
    func traceNothingTraced() throws {
        let cases = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("cases/networks/domke.yaml")
        let r = try Tool.run(["trace", cases.path])
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("nodes; trace prints graphs of up to 2000") && r.stderr.contains("error: no case of \(cases.path) could be traced"), "\(r.stderr)")
    }

    @Test("files that do not load are still reported (JUnit <error>), with or without a filter, exit 2")
    func loadErrorsAreReported() throws {
        let w = try Workspace()
        defer { w.remove() }
        try FileManager.default.createDirectory(at: w.root.appendingPathComponent("broken"), withIntermediateDirectories: true)
        try "id: broken\ntitle: x\ninputs: {x: 1}\noutput: sin(x\n".write(to: w.root.appendingPathComponent("broken/broken.yaml"), atomically: true, encoding: .utf8)
        for extra in [[], ["--filter", "typo*"]] {
            try? FileManager.default.removeItem(at: w.fresh)
            let r = try Tool.run(["run", "broken", "--report", "fresh"] + extra, in: w.root)
            #expect(r.status == 2, "\(extra): \(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains("broken/broken.yaml:4:"), "\(r.stderr)")
            let junit = try String(contentsOf: w.fresh.appendingPathComponent("junit.xml"), encoding: .utf8)
            #expect(junit.contains("<error "), "\(extra): \(junit)")
        }
        #expect(try Tool.run(["run", "broken", "--filter", "typo*", "--format", "none"], in: w.root).stderr
            .contains("error: --filter 'typo*' matches none of the 0 cases in broken (1 file)"))
    }

    @Test("adverify --version prints the version the reports record")
    func version() throws {
        let w = try Workspace()
        defer { w.remove() }
        let r = try Tool.run(["--version"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let version = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(version.split(separator: ".").count == 3 && version.allSatisfy { $0.isNumber || $0 == "." }, "\(r.stdout)")
        let run = try Tool.run(["run", "pass", "--format", "json", "--report", "fresh"], in: w.root)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: w.fresh.appendingPathComponent("verification.json"))) as? [String: Any]
        #expect((json?["tool"] as? [String: Any])?["adverify"] as? String == version, "\(json?["tool"] ?? "no tool")")
    }
}

@Suite("adverify eval speaks of an expression and --at, not of a case")
struct EvalWordingTests {
    @Test("a variable --at does not give: named, with the --at that would give it", arguments: [
        ("x*y", "x=2", "error: --at gives no value for 'y', which the expression uses: e.g. --at x=2,y=<value>\n"),
        ("x*y*z + y", "x=2", "error: --at gives no value for 'y' and 'z', which the expression uses: e.g. --at x=2,y=<value>,z=<value>\n"),
        ("x*y", "x=2,z=3", "error: --at gives no value for 'y', which the expression uses: e.g. --at x=2,z=3,y=<value>\n"),
        ("exp(e)", "x=1", "error: --at gives no value for 'e', which the expression uses (there is no constant e: write exp(1)): e.g. --at x=1,e=<value>\n"),
        ("sin(x)", "sin=1", "error: --at: 'sin' cannot be a variable name: use letters, digits and _ (not first a digit), not a function name or pi\n"),
        ("x", "1x=2,pi=3", "error: --at: '1x' and 'pi' cannot be variable names: use letters, digits and _ (not first a digit), not a function name or pi\n"),
        ("", "x=1", "error: empty expression: expected a number, a name or a function call\n"),
    ])
    func inputErrors(expression: String, at: String, message: String) throws {
        let r = try Tool.run(["eval", expression, "--at", at])
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr == message, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test("an expression that does not parse: its first problem, located, in the words of --at", arguments: [
        ("y + sin(x", "x=1", "<expression>:1:1: undefined name 'y': --at gives it no value\n 1 | y + sin(x\n   | ^\n"),
        ("log(x) + sine(y)", "x=2", "<expression>:1:10: unknown function 'sine'; did you mean 'sin'?"),
        ("sin(x", "x=1", "<expression>:1:6: missing ')' to close the '(' at column 4\n"),
    ])
    func syntaxErrors(expression: String, at: String, message: String) throws {
        let r = try Tool.run(["eval", expression, "--at", at])
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.hasPrefix(message), "\(r.stderr)")
    }

    @Test("a missing variable in a 200-level expression on a 512 KB stack: named, not a crash")
    func missingVariableDeep() throws {
        let deepest = String(repeating: "sin(", count: 200) + "x" + String(repeating: ")", count: 200)
        let r = try Bounded.run(["eval", deepest + "*y", "--at", "x=0.5"], stackKB: 512)
        #expect(r.exited && r.status == 2, "\(r.transcript.prefix(600))")
        #expect(r.stderr == "error: --at gives no value for 'y', which the expression uses: e.g. --at x=0.5,y=<value>\n", "\(r.stderr.prefix(600))")
    }

    @Test("no message of eval says case or lets", arguments: [
        ["x*y", "--at", "x=2"], ["log(x)", "--at", "x=-1"], ["1/(x-2)", "--at", "x=2"], ["sin(x", "--at", "x=1"],
        ["nan*x", "--at", "x=1"], ["sin*x", "--at", "x=1"], ["foo(x)", "--at", "x=1"], ["x", "--at", "x=1e400"],
        ["x", "--at", "x=1,x=2"], ["x", "--at", "x"], ["x*sqrt(x)", "--at", "x=0"], ["x^y", "--at", "x=-1,y=0.5"],
    ])
    func wording(arguments: [String]) throws {
        let r = try Tool.run(["eval"] + arguments)
        #expect(r.status != 0, "\(arguments): \(r.stdout)\(r.stderr)")
        #expect(!r.stderr.isEmpty || r.stdout.contains("✗"), "\(arguments)")
        let text = (r.stdout + r.stderr).lowercased()
        for word in ["case", "lets", "its inputs"] {
            #expect(!text.contains(word), "\(arguments) says '\(word)': \(r.stdout)\(r.stderr)")
        }
    }
}
