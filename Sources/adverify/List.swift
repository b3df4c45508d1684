import ADCatalog
import ArgumentParser

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the cases in case files or folders, with their location and shape.",
        discussion: """
            Loads the cases exactly as 'adverify run' does (so it also checks their syntax) and \
            prints one line per case: id, R^n -> R^m, number of expectations, file:line, title. \
            Loading errors go to stderr and make the exit code 2, as does a path that does not \
            exist or holds no case file, or a listing of no case.
            """
    )

    @Argument(help: "Case files or folders (searched recursively for *.yaml, *.yml).")
    var paths: [String] = ["cases"]

    func run() throws {
        try Selection.requireCaseFiles(in: paths)
        let catalog = Catalog.load(paths: paths)
        let width = catalog.cases.map(\.id.count).max() ?? 0
        for c in catalog.cases {
            let shape = c.network.map { n in n.model.map { "network P=\($0.parameterCount)" } ?? "network ✗" }
                ?? "R^\(c.graph.inputCount) -> R^\(c.graph.outputCount)"
            let id = c.id.padding(toLength: width, withPad: " ", startingAt: 0)
            Console.out("\(id)  \(shape.padding(toLength: 18, withPad: " ", startingAt: 0))  \(String(c.expectations.count).leftPadded(3)) expected  \(c.location.file):\(c.location.line)  \(c.title)")
        }
        for error in catalog.errors { Console.error(error.description) }
        Console.out("\(catalog.cases.count) case\(catalog.cases.count == 1 ? "" : "s") in \(catalog.files.count) file\(catalog.files.count == 1 ? "" : "s")\(catalog.errors.isEmpty ? "" : ", \(catalog.errors.count) loading error\(catalog.errors.count == 1 ? "" : "s")")")
        if catalog.cases.isEmpty && catalog.errors.isEmpty {
            Console.error(Selection.nothingSelected(paths: paths, filter: nil, catalog: catalog, loaded: []))
        }
        if !catalog.errors.isEmpty || catalog.cases.isEmpty { throw ExitCode(2) }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
