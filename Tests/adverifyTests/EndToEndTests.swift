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
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
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

@Suite("adverify binary", .serialized)
struct EndToEndTests {
    @Test("a correct case file: exit 0, one ✓ line per case, three reports")
    func passing() throws {
        let reports = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reports) }
        let r = try Tool.run(["run", Tool.fixtures.appendingPathComponent("pass").path, "--report", reports.path])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("✓ fixture-ellis-smith"))
        #expect(r.stdout.contains("✓ fixture-sigmoid"))
        #expect(r.stdout.contains("2 cases: 2 passed, 0 failed, 0 inconclusive"))
        for name in ["verification.md", "verification.json", "junit.xml"] {
            #expect(FileManager.default.fileExists(atPath: reports.appendingPathComponent(name).path), "\(name)")
        }
        let markdown = try String(contentsOf: reports.appendingPathComponent("verification.md"), encoding: .utf8)
        #expect(markdown.contains("fixture-ellis-smith") && markdown.contains("1.716"))
    }

    @Test("one wrong expected number: exit 1, the console and the report name quantity, expected and computed")
    func failing() throws {
        let reports = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reports) }
        let r = try Tool.run(["run", Tool.fixtures.appendingPathComponent("fail").path, "--report", reports.path])
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("✗ fixture-peharz-wrong"))
        #expect(r.stdout.contains("∂f/∂x: expected -182.80"))
        #expect(r.stdout.contains("-182.869807"))
        let markdown = try String(contentsOf: reports.appendingPathComponent("verification.md"), encoding: .utf8)
        #expect(markdown.contains("-182.80") && markdown.contains("-182.869807"))
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
        #expect(trace.stdout.contains("5.5"))

        let eval = try Tool.run(["eval", "log(x) + x*y - sin(y)", "--at", "x=2,y=5"])
        #expect(eval.status == 0, "\(eval.stdout)\(eval.stderr)")
        #expect(eval.stdout.contains("∂f/∂x") && eval.stdout.contains("5.5") && eval.stdout.contains("1.716337815"))

        let bad = try Tool.run(["eval", "log(x) + sine(y)", "--at", "x=2,y=5"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("<expression>:1:10: unknown function 'sine'"))
        #expect(bad.stderr.contains("^"))
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
