// Random case documents from the case grammar (docs/case-format.md): network cases (layer
// sequences, shapes, optional keys present or absent, data that fits or not) and expression
// cases (expressions from the language's operators and functions, lets, expectations, edge-value
// points). Mostly well formed, so the loader's deeper checks are reached, with a small share of
// deliberate mistakes (a wrong shape, an unknown name, a label out of range, a bad literal).
import PropertyBased

/// A seeded generator of case documents (YAML text), one document per call.
public struct CaseDocumentGenerator {
    private var rng: Xoshiro
    /// The chance that a choice which could go wrong does, in a document with mistakes.
    public var mistakeRate: Double
    /// The share of documents written without deliberate mistakes (they may still be wrong:
    /// a point outside a function's domain, an expected number that does not match).
    public var cleanShare: Double
    private var rate = 0.0

    public init(seed: UInt64, mistakeRate: Double = 0.05, cleanShare: Double = 0.5) {
        rng = seededGenerator(seed)
        self.mistakeRate = mistakeRate
        self.cleanShare = cleanShare
    }

    /// A network or an expression document (about one in two each).
    public mutating func document(id: String = "generated") -> String {
        chance(0.5) ? networkDocument(id: id) : expressionDocument(id: id)
    }

    private mutating func begin() { rate = chance(cleanShare) ? 0 : mistakeRate }

    // MARK: Random choices

    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func mistake() -> Bool { rate > 0 && chance(rate) }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    /// A number literal as a user writes it, with edge values now and then.
    mutating func literal(edgy: Bool = true) -> String {
        if edgy, chance(0.2) {
            return pick([
                "0", "-0", "1", "-1", "0.0", "1e-300", "-1e-300", "5e-324", "1e300", "-1e300", "1.7976931348623157e308",
                "2.2250738585072014e-308", "1e-8", "710", "-745", "3.141592653589793", "100", "1e15", "0.5", ".5", "2.5E+4",
            ])
        }
        switch int(0...3) {
        case 0: return String(int(-5...5))
        case 1: return String(Double(int(-400...400)) / 100)
        case 2: return String(Double.random(in: -3...3, using: &rng))
        default: return "\(int(1...9)).\(int(0...99))e\(int(-5...5))"
        }
    }

    /// A value that is not a finite number literal: what the loader must refuse.
    mutating func badLiteral() -> String {
        pick([".nan", ".inf", "-.inf", "1e999", "\"x\"", "abc", "[1]", "{a: 1}", "1/3", "~", "1e", "0x10", "''", "true"])
    }

    mutating func number() -> String { mistake() ? badLiteral() : literal() }

    // MARK: Expression documents

    static let unary = [
        "exp", "log", "ln", "sqrt", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
        "sigmoid", "softplus", "relu", "abs",
    ]
    static let binary = ["pow", "max", "min", "leaky_relu", "elu"]
    static let inputNames = ["x", "y", "z", "t", "u", "w1", "_a"]

    /// An expression over `names`, at most `depth` levels deep.
    public mutating func expression(_ names: [String], depth: Int) -> String {
        if depth <= 0 || chance(0.25) {
            if mistake() { return pick(["sine(x)", "2x", "e", "NaN", "q", "x**2", "(x", "max(x)", "exp(x, y)", "1e", ")", "", "inf", "pi(1)"]) }
            switch int(0...5) {
            case 0: return literal(edgy: chance(0.3)).replacingOccurrences(of: "-", with: "")
            case 1: return "pi"
            default: return names.isEmpty ? "1" : pick(names)
            }
        }
        let a = expression(names, depth: depth - 1)
        switch int(0...9) {
        case 0: return "\(a) + \(expression(names, depth: depth - 1))"
        case 1: return "\(a) - \(expression(names, depth: depth - 1))"
        case 2: return "\(a) * \(expression(names, depth: depth - 1))"
        case 3: return "\(a) / \(expression(names, depth: depth - 1))"
        case 4: return "(\(a))^\(chance(0.5) ? literal(edgy: false) : "(" + expression(names, depth: depth - 1) + ")")"
        case 5: return "-(\(a))"
        case 6: return "(\(a))"
        case 7, 8: return "\(pick(Self.unary))(\(a))"
        default: return "\(pick(Self.binary))(\(a), \(expression(names, depth: depth - 1)))"
        }
    }

    /// An expected value: a literal (the value as printed) or a quoted expression over the inputs.
    mutating func expected(_ inputs: [String]) -> String {
        if mistake() { return pick([badLiteral(), "1/3", "[1, 2]"]) }
        return chance(0.7) ? literal() : "\"\(expression(inputs, depth: 2))\""
    }

    public mutating func expressionDocument(id: String = "generated") -> String {
        begin()
        var lines = ["id: \(id)", "title: A generated expression case"]
        if chance(0.2) { lines.append("kind: expression") }
        if chance(0.2) { lines.append("tags: [generated, \(pick(["textbook", "kinks", "edge"]))]") }
        if chance(0.1) { lines.append("note: generated from the case grammar") }
        if chance(0.2) { lines.append(kinks()) }
        // Inputs.
        var inputs: [String] = []
        for name in Self.inputNames.shuffled(using: &rng).prefix(int(1...4)) { inputs.append(name) }
        if mistake() { inputs.append(pick(["pi", "sin", inputs[0], "2x"])) }
        lines.append(chance(0.5)
            ? "inputs: {" + inputs.map { "\($0): \(number())" }.joined(separator: ", ") + "}"
            : "inputs:\n" + inputs.map { "  \($0): \(number())" }.joined(separator: "\n"))
        // Lets: each over the inputs and the lets above it (sometimes a later one).
        var scope = inputs
        var lets: [String] = []
        let letCount = chance(0.5) ? 0 : int(1...4)
        if letCount > 0 {
            lines.append("let:")
            for k in 0..<letCount {
                let name = "a\(k)"
                let uses = mistake() ? scope + ["a\(k + 1)"] : scope
                lines.append("  \(name): \"\(expression(uses, depth: int(1...3)))\"")
                scope.append(name)
                lets.append(name)
            }
        }
        // One output or several.
        var outputs: [String] = []
        let scalar = chance(0.7)
        if scalar {
            lines.append("output: \"\(expression(scope, depth: int(1...4)))\"")
        } else {
            outputs = (0..<int(1...3)).map { "o\($0)" }
            lines.append("outputs:")
            for o in outputs { lines.append("  \(o): \"\(expression(scope, depth: int(1...3)))\"") }
        }
        if mistake() { lines.append(pick(["outputs: {o: x}", "output: x", "expect: 1", "lets: {b: x}", "tolerance: {rtol: -1}"])) }
        // Expectations, every key optional.
        if chance(0.8) {
            var expect: [String] = []
            let nodes = scope + outputs
            if chance(0.5), scalar || mistake() { expect.append("  value: \(expected(inputs))") }
            if chance(0.4) {
                let named = nodes.shuffled(using: &rng).prefix(int(1...2)) + (mistake() ? ["nosuch"] : [])
                expect.append("  values: {" + named.map { "\($0): \(expected(inputs))" }.joined(separator: ", ") + "}")
            }
            if chance(0.5), scalar || mistake() {
                let named = inputs.shuffled(using: &rng).prefix(int(1...inputs.count)) + (mistake() ? [pick(lets + ["nosuch"])] : [])
                expect.append("  gradient: {" + named.map { "\($0): \(expected(inputs))" }.joined(separator: ", ") + "}")
            }
            if chance(0.3), scalar || mistake() {
                let named = (lets + inputs).shuffled(using: &rng).prefix(2)
                if !named.isEmpty { expect.append("  adjoints: {" + named.map { "\($0): \(expected(inputs))" }.joined(separator: ", ") + "}") }
            }
            if chance(0.3) {
                let rows = max(outputs.count, 1) + (mistake() ? 1 : 0), columns = inputs.count - (mistake() ? 1 : 0)
                let matrix = (0..<rows).map { _ in "[" + (0..<max(columns, 0)).map { _ in expected(inputs) }.joined(separator: ", ") + "]" }
                expect.append("  jacobian: [" + matrix.joined(separator: ", ") + "]")
            }
            if chance(0.25) {
                func block() -> String {
                    let seed = inputs.shuffled(using: &rng).prefix(int(1...inputs.count)).map { "\($0): \(number())" }.joined(separator: ", ")
                    let values = nodes.shuffled(using: &rng).prefix(int(1...2)).map { "\($0): \(expected(inputs))" }.joined(separator: ", ")
                    return "{seed: {\(seed)}, values: {\(values)}}"
                }
                expect.append(chance(0.5) ? "  tangents: \(block())" : "  tangents: [\(block()), \(block())]")
            }
            if chance(0.2), scalar || mistake() {
                let n = inputs.count + (mistake() ? 1 : 0), columns = inputs.count - (mistake() ? 1 : 0)
                let matrix = (0..<n).map { _ in "[" + (0..<max(columns, 0)).map { _ in expected(inputs) }.joined(separator: ", ") + "]" }
                expect.append("  hessian: [" + matrix.joined(separator: ", ") + "]")
            }
            if chance(0.2) {
                func block() -> String {
                    let direction = inputs.shuffled(using: &rng).prefix(int(1...inputs.count)).map { "\($0): \(number())" }
                        + (mistake() ? ["\(pick(lets + ["nosuch"])): 1"] : [])
                    let values = inputs.shuffled(using: &rng).prefix(int(1...inputs.count)).map { "\($0): \(expected(inputs))" }
                        + (mistake() ? ["\(pick(lets + ["nosuch"])): 1"] : [])
                    // A vector function needs a cotangent over its outputs.
                    let cotangent = (outputs.isEmpty ? ["f"] : outputs).shuffled(using: &rng).prefix(int(1...max(outputs.count, 1)))
                        .map { "\($0): \(number())" } + (mistake() ? ["nosuch: 1"] : [])
                    let parts = (mistake() ? [] : ["direction: {\(direction.joined(separator: ", "))}"])
                        + ((!scalar) != mistake() ? ["cotangent: {\(cotangent.joined(separator: ", "))}"] : [])
                        + (mistake() ? [] : ["values: {\(values.joined(separator: ", "))}"])
                    return "{" + parts.joined(separator: ", ") + "}"
                }
                expect.append(chance(0.5) ? "  hvp: \(block())" : "  hvp: [\(block()), \(block())]")
            }
            if !expect.isEmpty { lines.append("expect:"); lines += expect }
        }
        if chance(0.2) { lines.append("tolerance: {rtol: \(pick(["1.0e-10", "1e-6", "0", "0.5"])), atol: \(pick(["1.0e-12", "0", "1e-3"]))}") }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Network documents

    /// One sample's shape through the layers, as the generator believes it (nil once a layer does not fit).
    private struct Tensor {
        var name: String
        var shape: [Int]
    }

    /// `[[...], ...]` nested lists of `shape` with leaves from `leaf`.
    /// A shape of more than `maxLeaves` entries (a deliberately huge layer) is written as one
    /// entry per level instead: wrong, and small.
    mutating func tensor(_ shape: [Int], leaf: (inout CaseDocumentGenerator) -> String) -> String {
        let maxLeaves = 500
        if shape.reduce(1, { $0 &* max($1, 1) }) > maxLeaves { return tensor(shape.map { _ in 1 }, leaf: leaf) }
        guard let first = shape.first else { return leaf(&self) }
        let rest = Array(shape.dropFirst())
        var items: [String] = []
        for _ in 0..<first { items.append(tensor(rest, leaf: leaf)) }
        return "[" + items.joined(separator: ", ") + "]"
    }

    /// The shape as written, now and then one size off (a mismatch the loader must locate).
    mutating func maybeWrong(_ shape: [Int]) -> [Int] {
        guard mistake(), !shape.isEmpty else { return shape }
        var wrong = shape
        let k = int(0...(shape.count - 1))
        wrong[k] = max(0, wrong[k] + pick([-1, 1]))
        if chance(0.3) { wrong.append(1) }
        return wrong
    }

    public mutating func networkDocument(id: String = "generated") -> String {
        begin()
        var lines = ["kind: network", "id: \(id)", "title: A generated network case"]
        if chance(0.2) { lines.append("source: the case grammar") }
        // The input shape: features or channels x height x width, and sometimes nonsense.
        var shape: [Int]? = chance(0.5) ? [int(1...6)] : [int(1...3), int(1...7), int(1...7)]
        var inputText = "[" + shape!.map(String.init).joined(separator: ", ") + "]"
        if mistake() {
            inputText = pick(["[0]", "[]", "[2, 3]", "[100000, 100000, 100000]", "[a]", "3", "[1, 2, 3, 4]", "[-1]", "[2.5]", "[3037000500, 3037000500, 2]"])
            shape = nil
        }
        lines.append("network:")
        lines.append("  input: \(inputText)")
        lines.append("  layers:")
        var parameters: [Tensor] = []
        var layerNames: [String] = []
        var layerShapes: [[Int]] = []
        var parametrised = 0
        let layerCount = int(1...5)
        for k in 0..<layerCount {
            let current = shape ?? [1]
            let spatial = current.count == 3
            // Mostly a layer that fits the current shape.
            var kinds = ["identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus"]
            kinds += spatial ? ["conv2d", "conv2d", "maxpool", "avgpool", "flatten", "flatten"] : ["dense", "dense", "dense"]
            let kind = mistake() ? pick(DocumentKinds.all + ["dropout", "Dense"]) : pick(kinds)
            var options: [String] = []
            var next: [Int]? = shape
            switch kind {
            case "dense":
                let units = mistake() ? pick([0, 100000000]) : int(1...4)
                let bias = chance(0.3) ? false : true
                options.append("units: \(units)")
                if !bias || chance(0.2) { options.append("bias: \(bias)") }
                if current.count == 1, units > 0 {
                    parametrised += 1
                    parameters.append(Tensor(name: "W\(parametrised)", shape: [units, current[0]]))
                    if bias { parameters.append(Tensor(name: "b\(parametrised)", shape: [units])) }
                    next = shape.map { _ in [units] }
                } else { next = nil }
            case "conv2d":
                let h = spatial ? current[1] : 1, w = spatial ? current[2] : 1
                let filters = int(1...3)
                let kernel = mistake() ? int(0...9) : int(1...max(1, min(h, w, 4)))
                let stride = chance(0.3) ? int(1...3) : 1
                let padding = chance(0.3) ? int(0...2) : 0
                let bias = chance(0.3) ? false : true
                options.append("filters: \(filters)")
                options.append("kernel: \(kernel)")
                if stride != 1 || chance(0.2) { options.append("stride: \(stride)") }
                if padding != 0 || chance(0.2) { options.append("padding: \(padding)") }
                if !bias || chance(0.2) { options.append("bias: \(bias)") }
                let oh = h - kernel + 2 * padding, ow = w - kernel + 2 * padding
                if spatial, kernel > 0, oh >= 0, ow >= 0, oh % stride == 0, ow % stride == 0 {
                    parametrised += 1
                    parameters.append(Tensor(name: "W\(parametrised)", shape: [filters, current[0], kernel, kernel]))
                    if bias { parameters.append(Tensor(name: "b\(parametrised)", shape: [filters])) }
                    next = shape.map { _ in [filters, oh / stride + 1, ow / stride + 1] }
                } else { next = nil }
            case "maxpool", "avgpool":
                let h = spatial ? current[1] : 1, w = spatial ? current[2] : 1
                let size = mistake() ? int(0...9) : int(1...max(1, min(h, w, 3)))
                let stride = chance(0.3) ? int(1...3) : size
                options.append("size: \(size)")
                if stride != size || chance(0.2) { options.append("stride: \(stride)") }
                let oh = h - size, ow = w - size
                if spatial, size > 0, stride > 0, oh >= 0, ow >= 0, oh % stride == 0, ow % stride == 0 {
                    next = shape.map { _ in [current[0], oh / stride + 1, ow / stride + 1] }
                } else { next = nil }
            case "flatten":
                next = shape.map { s in [s.reduce(1, *)] }
            case "leaky_relu", "elu":
                if chance(0.5) { options.append("a: \(number())") }
            default:
                if !DocumentKinds.all.contains(kind) { next = nil }
            }
            var name = kind.replacingOccurrences(of: "_", with: "") + String(k + 1)
            if chance(0.3) {
                name = mistake() ? pick(["x", "L", "W1", "sin", "h_1", "1h", name]) : "h\(k)"
                options.append("name: \(name)")
            }
            if mistake() { options.append(pick(["units: 2", "colour: red", "size: 2"])) }
            if options.isEmpty, chance(0.7) {
                lines.append("    - \(kind)")
            } else if chance(0.5) {
                lines.append("    - \(kind): {\(options.joined(separator: ", "))}")
            } else {
                lines.append("    - \(kind):")
                for option in options { lines.append("        \(option)") }
                if options.isEmpty { lines[lines.count - 1] = "    - \(kind): {}" }
            }
            layerNames.append(name)
            layerShapes.append(next ?? [1])
            shape = next
        }
        // Mostly a layer with parameters somewhere: a network without any has no gradient to check.
        if parametrised == 0, let current = shape, !mistake() {
            if current.count == 3 {
                lines.append("    - flatten")
                layerNames.append("flatten\(layerNames.count + 1)")
                layerShapes.append([current.reduce(1, *)])
            }
            let inputs = current.reduce(1, *), units = int(1...3)
            lines.append("    - dense: {units: \(units)}")
            layerNames.append("dense\(layerNames.count + 1)")
            layerShapes.append([units])
            parametrised += 1
            parameters.append(Tensor(name: "W1", shape: [units, inputs]))
            parameters.append(Tensor(name: "b1", shape: [units]))
            shape = [units]
        }
        let hasData = chance(0.75)
        let output = shape
        let outputCount = output.map { $0.reduce(1, *) }
        let losses = ["squared_error", "bce_with_logits"] + ((outputCount ?? 0) >= 2 || mistake() ? ["multiclass_logistic", "softmax_cross_entropy"] : [])
        let loss: String? = chance(0.4) || (!hasData && !mistake()) ? nil : (mistake() ? "hinge" : pick(losses))
        if let loss { lines.append("  loss: \(loss)") }
        let takesLabels = loss == "multiclass_logistic" || loss == "softmax_cross_entropy"

        // Parameters: absent, a seed, every tensor written out, or some written and the rest seeded.
        if chance(hasData ? 0.85 : 0) || mistake() {
            var entries: [String] = []
            let style = int(0...2)
            if style != 1 { entries.append("  seed: \(mistake() ? pick(["-1", "1.5", "x"]) : String(int(0...1000)))") }
            if style != 0 {
                for tensor in parameters where style == 1 || chance(0.5) {
                    entries.append("  \(tensor.name): \(self.tensor(maybeWrong(tensor.shape)) { $0.number() })")
                }
            }
            if mistake() { entries.append("  W9: [1]") }
            if entries.isEmpty { lines.append("parameters: {}") } else { lines.append("parameters:"); lines += entries }
        }
        // Data: samples in the input shape, or a seed and a batch; targets as the loss wants.
        if hasData {
            let batch = int(1...3)
            var entries: [String] = []
            if chance(0.6), let input = inputShapeFromText(inputText) {
                entries.append("  x: " + tensor(maybeWrong([batch] + input)) { $0.number() })
                if chance(0.2) { entries.append("  batch: \(mistake() ? batch + 1 : batch)") }
                if chance(0.3) { entries.append("  seed: \(int(0...99))") }
            } else {
                if !mistake() { entries.append("  seed: \(int(0...99))") }
                entries.append("  batch: \(mistake() ? pick(["0", "100001", "1.5"]) : String(batch))")
            }
            if loss != nil, chance(0.7) || mistake() {
                if takesLabels != mistake() {
                    let classes = outputCount ?? 2
                    entries.append("  labels: [" + (0..<batch).map { _ in String(mistake() ? classes + int(0...2) : int(0...max(0, classes - 1))) }.joined(separator: ", ") + "]")
                } else {
                    entries.append("  y: " + tensor(maybeWrong([batch] + (output ?? [1]))) { g in g.number() })
                }
            } else if loss == nil, mistake() {
                entries.append("  y: [[1]]")
            }
            lines.append("data:")
            lines += entries
        }
        if chance(0.15) { lines.append("checks: {sample: \(mistake() ? 0 : int(1...60)), directions: \(int(0...4))}") }

        // Expectations: architecture facts, and numbers about the evaluated network.
        if chance(0.8) {
            var expect: [String] = []
            let total = parameters.reduce(0) { $0 + $1.shape.reduce(1, *) }
            if chance(0.4) { expect.append("  parameters: \(chance(0.8) ? total : int(0...20))") }
            if chance(0.3) { expect.append("  output_shape: [\((output ?? [int(1...3)]).map(String.init).joined(separator: ", "))]") }
            if chance(shape == nil ? 0.5 : 0.05) { expect.append("  error: \"\(pick(["is not a whole number", "does not fit", "dense layer", "nothing"]))\"") }
            if hasData || mistake() {
                if chance(0.4) { expect.append("  value: \(expected(parameters.first.map { ["\($0.name)_" + $0.shape.map { _ in "1" }.joined(separator: "_")] } ?? []))") }
                if chance(0.2), let output { expect.append("  output: " + tensor(maybeWrong([1] + output)) { $0.literal() }) }
                for key in ["values", "adjoints"] where chance(0.25) {
                    let k = int(0...(layerNames.count - 1))
                    let entry = "\(layerNames[k])_1" + layerShapes[k].map { _ in "_1" }.joined()
                    expect.append(chance(0.5)
                        ? "  \(key): {\(mistake() ? "nosuch_1_1" : entry): \(literal())}"
                        : "  \(key): {\(layerNames[k]): \(tensor(maybeWrong([1] + layerShapes[k])) { $0.literal() })}")
                }
                if chance(0.3), let tensor = parameters.randomElement(using: &rng) {
                    expect.append(chance(0.5)
                        ? "  gradient: {\(tensor.name)_" + tensor.shape.map { String(int(1...$0 + (mistake() ? 1 : 0))) }.joined(separator: "_") + ": \(literal())}"
                        : "  gradient: {\(tensor.name): \(self.tensor(maybeWrong(tensor.shape)) { $0.literal() })}")
                }
            }
            if mistake() { expect.append("  jacobian: [[1]]") }
            if !expect.isEmpty { lines.append("expect:"); lines += expect }
        }
        if chance(0.1) { lines.append("tolerance: {rtol: 1.0e-8, atol: 1.0e-10}") }
        if chance(0.2) { lines.append(kinks()) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A `kinks:` line: a convention, or (a mistake) a name that is none.
    private mutating func kinks() -> String {
        "kinks: " + (mistake() ? pick(["frameworks", "torch2", "[jax]", "{a: 1}", "\"\""]) : pick(["\"x>=0\"", "pytorch", "jax"]))
    }

    /// The sizes written in `network.input`, when they are a plain list of integers.
    private func inputShapeFromText(_ text: String) -> [Int]? {
        guard text.hasPrefix("["), text.hasSuffix("]") else { return nil }
        let parts = text.dropFirst().dropLast().split(separator: ",")
        let sizes = parts.compactMap { Int($0.filter { $0 != " " }) }
        guard !sizes.isEmpty, sizes.count == parts.count, sizes.allSatisfy({ (0...8).contains($0) }) else { return nil }
        return sizes
    }
}

/// The layer kinds a network case may use (docs/case-format.md).
enum DocumentKinds {
    static let all = [
        "dense", "conv2d", "maxpool", "avgpool", "flatten",
        "identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus",
    ]
}
