// A case made from a single expression and a point, for `adverify eval`.
import ADCore

extension Case {
    /// A case for `expression` at `inputs` (name and value, in order), with no expectations:
    /// it is checked only by forward against reverse mode, the dot-product test and the oracles.
    /// Errors point into the expression as if it were a one-line file called `path`.
    public static func adHoc(
        expression: String, inputs: [(name: String, value: Double)], path: String = "<expression>"
    ) throws(CatalogError) -> Case {
        // On a stack of known size, as case files are (see LargeStack).
        let named = inputs.map { NamedInput(name: $0.name, value: $0.value) }
        let result = LargeStack.run { () -> Result<Case, CatalogError> in
            do throws(CatalogError) {
                return .success(try adHocOnThisStack(expression: expression, inputs: named.map { ($0.name, $0.value) }, path: path))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private struct NamedInput: Sendable {
        var name: String
        var value: Double
    }

    private static func adHocOnThisStack(
        expression: String, inputs: [(name: String, value: Double)], path: String
    ) throws(CatalogError) -> Case {
        let source = SourceFile(path: path, text: expression)
        var builder = GraphBuilder()
        var scope: [String: Int] = [:]
        guard !inputs.isEmpty else {
            throw CatalogError.file(path, "no inputs: give the point with --at, e.g. --at x=2,y=5")
        }
        for (name, value) in inputs {
            guard GraphBuilder.isValidName(name), !ExpressionParser.isReserved(name) else {
                throw CatalogError.file(path, "'\(name)' cannot be an input name: use letters, digits and _, not a function name or pi")
            }
            guard value.isFinite else { throw CatalogError.file(path, "input \(name) = \(value) is not finite") }
            guard scope[name] == nil else { throw CatalogError.file(path, "input '\(name)' is given twice") }
            do { scope[name] = try builder.input(name) } catch { throw CatalogError.file(path, error.description) }
        }
        var positions: [SourcePosition] = []
        let node = try ExpressionParser.parse(
            expression, origin: TextOrigin(source: source, line: 1, column: 1), into: &builder, positions: &positions
        ) { name in scope[name].map { .node($0) } }
        let graph: Graph
        do {
            if scope["f"] == nil, !scope.values.contains(node) {
                try builder.name(node, "f")
            }
            try builder.output(node, name: "f")
            graph = try builder.build()
        } catch {
            throw CatalogError.file(path, error.description)
        }
        var c = Case(
            id: "eval", title: expression, source: nil, tags: [], note: nil,
            location: source.location(line: 1, column: 1), text: expression, graph: graph,
            point: inputs.map(\.value), isScalar: true, letNames: [], tangentSeeds: [],
            expectations: [], tolerance: .default)
        SourcePosition.pad(&positions, to: graph.nodeCount)
        c.nodePositions = positions
        c.sourceFile = source
        return c
    }
}
