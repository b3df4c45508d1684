// libFuzzer target: the expression language (ExpressionParser), as `adverify eval` and every
// expression of a case file reach it. The input bytes are the expression's text, decoded as the
// command line decodes an argument (invalid UTF-8 becomes U+FFFD). Names: inputs x, y, z; `a` a
// let defined further down (a forward reference); `b` a name that may not be used here.
// A parsed expression becomes a graph and is swept once at a fixed point.
import ADCatalog
import ADCore
import FuzzSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let point: [Double] = [0.5, -1.25, 2]
/// With FUZZ_VERBOSE=1 in the environment, each input's graph size or error is printed.
let verbose = getenv("FUZZ_VERBOSE") != nil

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExpression(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: data == nil ? 0 : size), as: UTF8.self)
    let scalarCount = text.unicodeScalars.count
    var builder = GraphBuilder()
    var scope: [String: Int] = [:]
    do {
        for name in ["x", "y", "z"] { scope[name] = try builder.input(name) }
    } catch {
        fatalError("inputs: \(error)")
    }
    let origin = TextOrigin(source: SourceFile(path: "<fuzz>", text: text), line: 1, column: 1)
    do {
        let node = try ExpressionParser.parse(text, origin: origin, into: &builder) { name in
            switch name {
            case "a": .later(line: 3)
            case "b": .unavailable(reason: "it is the fuzz target's unavailable name")
            default: scope[name].map { .node($0) }
            }
        }
        let graph: Graph
        do {
            try builder.output(node, name: "f")
            graph = try builder.build()
        } catch {
            fatalError("a parsed expression does not build a graph: \(error)")
        }
        sweep(graph, at: point)
        if verbose { print("parsed: \(graph.nodeCount) nodes") }
    } catch {
        checkError(error)
        if verbose { print(error.description) }
        // Errors point into the expression: line 1, a column within the text or just past it.
        if error.location.line != 1 || error.location.column > scalarCount + 1 {
            fatalError("error outside the expression (\(scalarCount) scalars): \(error.location): \(error.message)")
        }
    }
    return 0
}
