// `adverify selftest` as a user runs it: the score on stdout, mutation.md and mutation.json in
// the report folder, exit 1 while a mutant survives, exit 2 for bad input.
import Foundation
import Testing

@Suite("adverify selftest", .serialized)
struct SelftestCommandTests {
    static let sinCase = """
        id: sin-times-y
        title: sin(x) y
        inputs: {x: 0.7, y: -1.3}
        output: sin(x) * y + y
        expect:
          hessian: [["-sin(x)*y", "cos(x)"], ["cos(x)", 0]]
        """

    @Test("every chosen mutant killed: exit 0, the score printed, both reports written")
    func allKilled() throws {
        let dir = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.sinCase.write(to: dir.appendingPathComponent("sin.yaml"), atomically: true, encoding: .utf8)
        let out = try Tool.run(["selftest", "sin.yaml", "--mutants", "sin/*", "--report", "out"], in: dir)
        #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.contains("✓ sin/sign-flipped  killed by 1 of 1 cases"))
        #expect(out.stdout.contains("✓ sin/second-sign-flipped  killed by 1 of 1 cases"))
        // 5 first-order mutants, 4 second-order ones (the case expects its Hessian).
        #expect(out.stdout.contains("mutation score: 9 of 9 killable mutants killed (100.0 %); 0 survived, 0 equivalent"))
        let md = try String(contentsOf: dir.appendingPathComponent("out/mutation.md"), encoding: .utf8)
        #expect(md.contains("**Mutation score: 9 of 9 killable mutants killed (100.0 %).**"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/mutation.json").path))
    }

    @Test("a catalogue without second-order cases runs no second-order mutant, and says so")
    func firstOrderCatalogue() throws {
        let dir = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
            id: tan-first-order
            title: tan(x) y
            inputs: {x: 0.7, y: -1.3}
            output: tan(x) * y
            """.write(to: dir.appendingPathComponent("tan.yaml"), atomically: true, encoding: .utf8)
        let out = try Tool.run(["selftest", "tan.yaml", "--report", "out", "--quiet"], in: dir)
        #expect(out.stderr.contains("note: no case expects second derivatives (hessian:, hvp:): the 162 second-order mutants are not run"), "\(out.stderr)")
        let json = try String(contentsOf: dir.appendingPathComponent("out/mutation.json"), encoding: .utf8)
        #expect(json.contains("tan/sign-flipped") && !json.contains("second-sign-flipped"))
        // Named with --mutants, they run (and survive here: no case checks a Hessian).
        let named = try Tool.run(["selftest", "tan.yaml", "--mutants", "tan/second-*", "--report", "out2", "--quiet"], in: dir)
        #expect(named.status == 1 && named.stdout.contains("✗ tan/second-sign-flipped  survived"), "\(named.stdout)")
    }

    @Test("a surviving mutant: exit 1 and named on stdout")
    func survivor() throws {
        let dir = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.sinCase.write(to: dir.appendingPathComponent("sin.yaml"), atomically: true, encoding: .utf8)
        let out = try Tool.run(["selftest", "sin.yaml", "--mutants", "cos/*", "--report", "out", "--quiet"], in: dir)
        #expect(out.status == 1)
        #expect(out.stdout.contains("✗ cos/sign-flipped  survived: the derivative of 'cos' with its sign flipped"))
        #expect(out.stdout.contains("mutation score: 0 of 9 killable mutants killed (0.0 %); 9 survived"))
    }

    @Test("bad input: an unknown mutant glob or a case file that does not load exits 2")
    func badInput() throws {
        let dir = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.sinCase.write(to: dir.appendingPathComponent("sin.yaml"), atomically: true, encoding: .utf8)
        let glob = try Tool.run(["selftest", "sin.yaml", "--mutants", "nosuch/*", "--report", "out"], in: dir)
        #expect(glob.status == 2)
        #expect(glob.stderr.contains("no mutant id matches 'nosuch/*'"))
        try "id: broken\ntitle: x\ninputs: {x: 1}\noutput: sin(x\n".write(to: dir.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        let broken = try Tool.run(["selftest", ".", "--report", "out"], in: dir)
        #expect(broken.status == 2)
        #expect(broken.stderr.contains("broken.yaml:4:"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/mutation.md").path))
    }
}
