import ADCatalog
import ADCore
import ADReport
import ArgumentParser
import Foundation

struct Trace: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a case's primal, tangent and adjoint traces as Markdown tables, as on the lecture slides.",
        discussion: """
            One row per node: its name, the formula it computes (c = a + b) and its value; the \
            tangent trace for the seed direction (default: the case's first tangents seed, else \
            the first input) reads top to bottom, the adjoint trace (cotangent 1 on the first \
            output) bottom to top.

            Example: adverify trace cases/textbook/peharz.yaml --id peharz-backward-pass --seed x=1
            """
    )

    @Argument(help: "A case file.")
    var file: String

    @Option(help: "The case to trace (default: every case in the file).")
    var id: String?

    @Option(help: "Which traces: forward (primal + tangents), reverse (primal + adjoints) or both.")
    var mode: TraceModes = .both

    @Option(help: ArgumentHelp("Tangent seed, e.g. x=1 or x=1,y=0.5 (inputs not named get 0).", valueName: "name=value,..."))
    var seed: String?

    @Flag(help: "Also the second-order adjoint trace: each adjoint's tangent along the seed (forward over reverse); at the inputs, the Hessian-vector product.")
    var secondOrder = false

    @OptionGroup var kinks: KinkOption

    func run() throws {
        // Loaded as `run` loads it, so a duplicate id in the file is an error here too.
        try Selection.requireCaseFiles(in: [file])
        let catalog = Catalog.load(paths: [file])
        let (cases, errors) = (catalog.cases, catalog.errors)
        for error in errors { Console.error(error.description + "\n") }
        if cases.isEmpty {
            if errors.isEmpty { Console.error(Selection.nothingSelected(paths: [file], filter: nil, catalog: catalog, loaded: [])) }
            throw ExitCode(2)
        }
        let selected = id.map { wanted in cases.filter { $0.id == wanted } } ?? cases
        if let id, selected.isEmpty {
            Console.error("\(file): no case with id '\(id)'; the file has \(cases.map(\.id).joined(separator: ", "))")
            throw ExitCode(2)
        }
        let assignments = try seed.map { try parseAssignments($0, option: "--seed") }
        var skipped = false, traced = 0
        for c in selected {
            // A network case that is not evaluated has no graph; a large one a graph too big to print.
            guard c.graph.outputCount > 0, c.graph.nodeCount <= Self.maxNodes else {
                let why = c.graph.outputCount == 0
                    ? "checks the architecture only (no data): there is nothing to trace"
                    : "has \(c.graph.nodeCount) nodes; trace prints graphs of up to \(Self.maxNodes)"
                Console.error("\(c.location.file):\(c.location.line): \(c.id) \(why)")
                skipped = true
                continue
            }
            var direction = c.tangentSeeds.first ?? c.inputNames.indices.map { $0 == 0 ? 1.0 : 0.0 }
            // A case that expects second derivatives is traced along its first Hessian-vector direction.
            if c.hasSecondOrder, let v = c.hvpDirections.first { direction = v }
            if let assignments {
                direction = [Double](repeating: 0, count: c.graph.inputCount)
                for (name, value) in assignments {
                    guard let i = c.inputNames.firstIndex(of: name) else {
                        Console.error("--seed names '\(name)', which is not an input of \(c.id) (\(c.inputNames.joined(separator: ", ")))")
                        throw ExitCode(2)
                    }
                    direction[i] = value
                }
            }
            var cotangent = [Double](repeating: 0, count: c.graph.outputCount)
            cotangent[0] = 1
            if c.hasSecondOrder, assignments == nil, !c.hvpCotangents.isEmpty { cotangent = c.hvpCotangent(0) }
            let trace: ADCore.Trace
            do {
                trace = try c.graph.trace(
                    at: c.point, tangentSeed: direction, cotangent: cotangent, kinks: c.kinks ?? kinks.convention(),
                    secondOrder: secondOrder || (assignments == nil && c.hasSecondOrder))
            } catch {
                Console.error("\(c.location): \(error)")
                throw ExitCode(2)
            }
            if traced > 0 { Console.out("") }
            traced += 1
            let inputs = zip(c.inputNames, c.point).map { "\($0) = \(Graph.format($1))" }.joined(separator: ", ")
            Console.out("## \(c.id)\n\n\(c.title)\n\nAt \(inputs).\n")
            Console.out(TraceTables.markdown(trace, modes: mode))
        }
        // Nothing traced at all is not a success.
        if traced == 0 && errors.isEmpty { Console.error("error: no case of \(Selection.shown(file)) could be traced") }
        if !errors.isEmpty || (skipped && (id != nil || traced == 0)) { throw ExitCode(2) }
    }

    /// The largest graph `trace` prints.
    static let maxNodes = 2000
}

extension TraceModes: ExpressibleByArgument {}

/// `x=2,y=5` as ordered (name, value) pairs; bad text is a usage error (exit 2).
func parseAssignments(_ text: String, option: String) throws -> [(name: String, value: Double)] {
    var result: [(name: String, value: Double)] = []
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
        let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let name = pieces[0].trimmingCharacters(in: .whitespaces)
        guard pieces.count == 2, !name.isEmpty else {
            throw ValidationError("\(option) expects name=value pairs separated by commas, e.g. x=2,y=5; got '\(part)'")
        }
        let valueText = pieces[1].trimmingCharacters(in: .whitespaces)
        guard let value = Double(valueText), value.isFinite else {
            throw ValidationError("\(option): '\(valueText)' is not a finite number (for \(name))")
        }
        guard !result.contains(where: { $0.name == name }) else {
            throw ValidationError("\(option) gives '\(name)' twice")
        }
        result.append((name, value))
    }
    return result
}
