// The selftest's engine on a small catalogue written here: which mutants are killed, which
// survive (and why), which are equivalent, and that a case failing on its own never kills.
import ADCatalog
import ADCore
import ADNetwork
import ADVerify
import Foundation
import Testing

@Suite("Mutation testing")
struct MutationTestingTests {
    static let yaml = """
        id: sin-times-y
        title: sin times y
        inputs: {x: 0.7, y: -1.3}
        output: sin(x) * y + y
        ---
        id: relu-away-from-kink
        title: relu away from kink
        inputs: {x: 1.3}
        output: relu(x) * 2.5
        ---
        id: wrong-expectation
        title: wrong expectation
        inputs: {x: 0.4}
        output: sin(x) + relu(x)
        expect:
          gradient: {x: 7}
        """

    static let tool = ToolInfo(adverify: "test", gsl: gslVersion, swift: "", platform: "")

    func mutant(_ id: String) throws -> Mutant { try #require(Mutant.all.first { $0.id == id }) }

    @Test("second-order mutants run only on cases that expect second derivatives, and those kill them")
    func secondOrder() async throws {
        let yaml = Self.yaml + """

            ---
            id: hessian-of-sin-div
            title: a Hessian
            inputs: {x: 0.83, y: -1.37}
            output: sin(x) * y + x / y
            expect:
              hessian: [["-sin(x)*y", "cos(x) - 1/y^2"], ["cos(x) - 1/y^2", "2*x/y^3"]]
            """
        let (cases, errors) = CaseLoader.load(text: yaml, path: "mutants.yaml")
        #expect(errors.isEmpty, "\(errors)")
        let catalog = Catalog(files: ["mutants.yaml"], cases: cases, errors: [])
        let ids = ["sin/second-sign-flipped", "div/second-doubled/b", "div/mixed-dropped", "div/second-argument-doubled/a",
                   "mul/second-dropped/a", "tan/second-doubled"]
        let run = await MutationTesting(mutants: try ids.map(mutant)).run(catalog, tool: Self.tool, paths: ["mutants.yaml"])
        let byID = Dictionary(uniqueKeysWithValues: run.mutants.map { ($0.id, $0) })
        for id in ["sin/second-sign-flipped", "div/second-doubled/b", "div/mixed-dropped", "div/second-argument-doubled/a"] {
            let m = try #require(byID[id])
            #expect(m.status == .killed, "\(id)")
            // sin-times-y uses sin too, but has no second derivative to check: not run there.
            #expect(m.casesRun == 1 && m.killers.map(\.id) == ["hessian-of-sin-div"], "\(id): \(m.killers.map(\.id))")
            #expect(m.killers.first?.checks.contains("expectation") == true, "\(id): \(m.killers.first?.checks ?? [])")
            #expect(m.killers.first?.checks.contains { $0.hasPrefix("oracle: gradient: ") } == true, "\(id)")
        }
        #expect(byID["mul/second-dropped/a"]?.status == .equivalent)
        #expect(byID["tan/second-doubled"]?.casesRun == 0)
    }

    @Test("killed, survived (exercised or not), equivalent; the score and the exit code")
    func statuses() async throws {
        let (cases, errors) = CaseLoader.load(text: Self.yaml, path: "mutants.yaml")
        #expect(errors.isEmpty)
        let catalog = Catalog(files: ["mutants.yaml"], cases: cases, errors: [])
        let ids = ["sin/sign-flipped", "sin/off-by-1e-6", "relu/kink-convention", "relu/one-branch", "tan/doubled", "add/argument-doubled/a"]
        let run = await MutationTesting(mutants: try ids.map(mutant)).run(catalog, tool: Self.tool, paths: ["mutants.yaml"])
        let byID = Dictionary(uniqueKeysWithValues: run.mutants.map { ($0.id, $0) })

        #expect(run.excludedCases == ["wrong-expectation"])
        let sin = try #require(byID["sin/sign-flipped"])
        #expect(sin.status == .killed)
        #expect(sin.casesRun == 1 && sin.killers.map(\.id) == ["sin-times-y"])
        #expect(sin.killers[0].checks.contains("oracle: complexStep"), "\(sin.killers[0].checks)")
        // 1e-6 relative is far outside the complex step's and GSL's error budgets.
        #expect(byID["sin/off-by-1e-6"]?.status == .killed)
        // relu is only exercised at x = 1.3: neither its kink nor its negative side is seen.
        #expect(byID["relu/kink-convention"]?.status == .survived)
        #expect(byID["relu/kink-convention"]?.casesRun == 1)
        #expect(byID["relu/one-branch"]?.status == .survived)
        // No case uses tan.
        #expect(byID["tan/doubled"]?.status == .survived)
        #expect(byID["tan/doubled"]?.casesRun == 0)
        #expect(byID["add/argument-doubled/a"]?.status == .equivalent)
        #expect(run.killed == 2 && run.survived == 3 && run.equivalent == 1)
        #expect(abs(run.score - 2.0 / 5.0) < 1e-15)
        #expect(run.exitCode == 1)
    }

    @Test("a case at relu's kink and one on its negative side kill the branch mutants")
    func closingTheGap() async throws {
        let yaml = Self.yaml + """

            ---
            id: relu-at-kink
            title: relu at kink
            inputs: {x: 0}
            output: relu(x) * 2.5
            expect:
              gradient: {x: 2.5}
            ---
            id: relu-negative
            title: relu negative
            inputs: {x: -0.8}
            output: relu(x) * 2.5 + x
            """
        let (cases, _) = CaseLoader.load(text: yaml, path: "mutants.yaml")
        let catalog = Catalog(files: ["mutants.yaml"], cases: cases, errors: [])
        let run = await MutationTesting(mutants: [try mutant("relu/kink-convention"), try mutant("relu/one-branch")])
            .run(catalog, tool: Self.tool, paths: ["mutants.yaml"])
        #expect(run.mutants.map(\.status) == [.killed, .killed])
        // Only the expectation at the kink can see the kink convention: oracles are inconclusive there.
        #expect(run.mutants[0].killers.map(\.id) == ["relu-at-kink"])
        #expect(run.mutants[0].killers.first?.checks == ["expectation"])
        #expect(run.mutants[1].killers.map(\.id) == ["relu-negative"])
        #expect(run.exitCode == 0 && run.score == 1)
    }

    @Test("the network mutants are killed by a network case of the catalogue")
    func network() async throws {
        let catalog = Catalog.load(paths: [catalogueFolder + "/networks/peharz.yaml"])
        #expect(catalog.errors.isEmpty)
        let chosen = [Mutant.backprop(.droppedActivationDerivative(.sigmoid)), .backprop(.transposedDenseWeightGradient), .backprop(.transposedConvWeightGradient)]
        let run = await MutationTesting(mutants: chosen).run(catalog, tool: Self.tool, paths: [])
        let byID = Dictionary(uniqueKeysWithValues: run.mutants.map { ($0.id, $0) })
        #expect(byID["network/dropped-activation-derivative/sigmoid"]?.killers.map(\.id).contains("peharz-backprop-example") == true)
        #expect(byID["network/transposed-weight-gradient/dense"]?.status == .killed)
        #expect(byID["network/transposed-weight-gradient/conv2d"]?.casesRun == 0)
    }
}
