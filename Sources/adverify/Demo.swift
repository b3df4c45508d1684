import ArgumentParser
import ADCore
import ComplexModule
import Foundation

/// The worked examples of the lecture documents, traced node by node and differentiated by
/// every method the core has: reverse mode, vector forward mode, Dual numbers, the complex step.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Trace the lecture documents' worked examples and compare every AD method on them."
    )

    struct Example {
        let title: String
        let function: String
        let inputNames: [String]
        let point: [Double]
        let tangentSeed: [Double]
        let graph: Graph
        let dual: ([Dual]) -> Dual
    }

    func run() throws {
        for example in try Demo.examples() {
            try show(example)
        }
    }

    static func examples() throws -> [Example] {
        func example(_ title: String, _ function: String, _ names: [String], _ point: [Double], seed: [Double],
                     _ body: @escaping ([Recorded]) -> Recorded, dual: @escaping ([Dual]) -> Dual) throws -> Example {
            Example(title: title, function: function, inputNames: names, point: point, tangentSeed: seed,
                    graph: try Graph.record(inputNames: names, body), dual: dual)
        }
        return [
            try example("Peharz, Neural Networks I: backwards pass", "sqrt(x^2 + exp(x^2)) + cos(x^2 + exp(x^2))",
                        ["x"], [2], seed: [1], { peharz($0, named: true) }, dual: { peharz($0) }),
            try example("Ellis & Smith, Lecture 7: forward and reverse traces", "ln(x1) + x1 x2 - sin(x2)",
                        ["x1", "x2"], [2, 5], seed: [1, 0], { ellisSmith($0, named: true) }, dual: { ellisSmith($0) }),
            try example("Textbook, Example 9.5: derivative of a simple expression", "x y + y cos(pi x)",
                        ["x", "y"], [0.5, 2], seed: [1, 0], { textbook($0, named: true) }, dual: { textbook($0) }),
            try example("Domke, Statistical ML notes, eq. 2.1-2.4", "exp(exp(x) + exp(x)^2) + sin(exp(x) + exp(x)^2)",
                        ["x"], [0.5], seed: [1], { domke($0, named: true) }, dual: { domke($0) }),
        ]
    }

    func show(_ example: Example) throws {
        let g = example.graph
        let seedText = zip(example.inputNames, example.tangentSeed).map { "\($0)' = \(Graph.format($1))" }.joined(separator: ", ")
        let at = zip(example.inputNames, example.point).map { "\($0) = \(Graph.format($1))" }.joined(separator: ", ")
        print("## \(example.title)\n")
        print("f = \(example.function) at \(at)\n")
        let trace = try g.trace(at: example.point, tangentSeed: example.tangentSeed, cotangent: [1])
        var table = [["node", "formula", "value", "tangent (\(seedText))", "adjoint (f-bar = 1)"]]
        for row in trace.rows {
            table.append([row.name, row.op == "input" ? "input" : row.formula, Demo.number(row.value),
                          Demo.number(row.tangent ?? .nan), Demo.number(row.adjoint ?? .nan)])
        }
        print(Demo.render(table))

        var ws = Workspace(for: g)
        let reverse = try ws.gradient(at: example.point)
        let forward = try ws.forwardGradient(at: example.point)
        let dual = Dual.gradient(at: example.point, of: example.dual)
        let h = 1e-30
        let step = try (0..<g.inputCount).map { k -> Double in
            var z = example.point.map { Complex($0) }
            z[k] = Complex(example.point[k], h)
            return try g.evaluateComplex(at: z)[0].imaginary / h
        }
        var methods = [["partial", "reverse", "forward (vector)", "Dual", "complex step", "agreeing digits"]]
        for k in 0..<g.inputCount {
            let values = [reverse[k], forward[k], dual[k], step[k]]
            let spread = (values.max() ?? 0) - (values.min() ?? 0)
            let scale = values.map(Swift.abs).max() ?? 0
            let digits = spread == 0 ? "all" : String(format: "%.1f", -log10(spread / scale))
            methods.append(["df/d\(example.inputNames[k])"] + values.map { Demo.number($0, digits: 15) } + [digits])
        }
        print(Demo.render(methods))
    }

    static func number(_ x: Double, digits: Int = 6) -> String {
        x.isNaN ? "" : String(format: "%.\(digits)g", x)
    }

    /// A Markdown table with aligned columns.
    static func render(_ rows: [[String]]) -> String {
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            "| " + cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: " | ") + " |"
        }
        return ([line(rows[0]), line(widths.map { String(repeating: "-", count: $0) })] + rows.dropFirst().map(line))
            .joined(separator: "\n") + "\n"
    }
}

// The examples, written once over ADScalar: recorded with the documents' node names for the
// trace, and run again as Dual numbers.

func peharz<T: ADScalar>(_ v: [T], named: Bool = false) -> T {
    let a = name(T.pow(v[0], 2), "a", named)
    let b = name(T.exp(a), "b", named)
    let c = name(a + b, "c", named)
    return name(name(T.sqrt(c), "d", named) + name(T.cos(c), "e", named), "f", named)
}

func ellisSmith<T: ADScalar>(_ x: [T], named: Bool = false) -> T {
    let v4 = name(name(T.log(x[0]), "v1", named) + name(x[0] * x[1], "v2", named), "v4", named)
    return name(v4 - name(T.sin(x[1]), "v3", named), "v5", named)
}

func textbook<T: ADScalar>(_ v: [T], named: Bool = false) -> T {
    let a = name(v[0] * v[1], "a", named)
    let c = name(T.cos(name(Double.pi * v[0], "b", named)), "c", named)
    return name(a + name(v[1] * c, "d", named), "z", named)
}

func domke<T: ADScalar>(_ v: [T], named: Bool = false) -> T {
    let a = name(T.exp(v[0]), "a", named)
    let c = name(a + name(T.pow(a, 2), "b", named), "c", named)
    return name(name(T.exp(c), "d", named) + name(T.sin(c), "e", named), "f", named)
}

/// Names a recorded node for the trace; other scalars pass through.
func name<T: ADScalar>(_ x: T, _ label: String, _ enabled: Bool) -> T {
    guard enabled, let recorded = x as? Recorded else { return x }
    return recorded.named(label) as? T ?? x
}
