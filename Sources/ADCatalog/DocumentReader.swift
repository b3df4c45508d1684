// One YAML document to one Case: keys checked, expressions parsed, expectations resolved.
import ADCore
import Foundation
import Yams

/// Reads one case document; every error carries the location of the YAML node it is about.
struct DocumentReader {
    let source: SourceFile
    private var builder = GraphBuilder()
    /// Inputs, lets and outputs by name, for the expressions and the expectations.
    private var scope: [String: Int] = [:]
    /// Where each let is defined, to tell a forward reference from an undefined name.
    private var letLines: [String: Int] = [:]
    private var nodeNames: [Int: String] = [:]
    private var inputNames: [String] = []
    private var point: [Double] = []
    /// Where each node of the case's graph was written.
    private var positions: [SourcePosition] = []

    init(source: SourceFile) { self.source = source }

    // MARK: The case

    mutating func readCase(_ root: Node, text: String) throws(CatalogError) -> Case {
        let keys = try mapping(root, what: "a case")
        func value(_ key: String) -> Node? { keys.first { $0.key == key }?.value }
        var isNetwork = false
        if let kindNode = value("kind") {
            let kind = try string(kindNode, what: "kind")
            guard kind == "expression" || kind == "network" else {
                throw error("unknown kind '\(kind)': a case is kind: expression (the default) or kind: network", at: kindNode)
            }
            isNetwork = kind == "network"
        }
        let allowed = isNetwork ? CaseLoader.networkCaseKeys : CaseLoader.caseKeys
        for entry in keys where !allowed.contains(entry.key) {
            throw error(
                "unknown key '\(entry.key)'\(suggestion(for: entry.key, among: allowed)); a\(isNetwork ? " network" : "") case has \(allowed.joined(separator: ", "))",
                at: entry.keyNode)
        }
        func required(_ key: String, _ hint: String) throws(CatalogError) -> Node {
            guard let v = value(key) else { throw error("missing '\(key)': \(hint)", at: root) }
            return v
        }

        let idNode = try required("id", "every case needs a unique id such as peharz-backward-pass")
        let id = try string(idNode, what: "id")
        guard Self.isValidID(id) else {
            throw error("id '\(id)' must be lower-case letters, digits and '-', starting with a letter or digit (at most 100 characters)", at: idNode)
        }
        let title = try string(required("title", "a one-line description of the case"), what: "title")
        let sourceText = try value("source").map { n throws(CatalogError) in try string(n, what: "source") }
        let note = try value("note").map { n throws(CatalogError) in try string(n, what: "note") }
        let tags = try value("tags").map { n throws(CatalogError) in try stringList(n, what: "tags") } ?? []
        let tolerance = try value("tolerance").map { n throws(CatalogError) in try readTolerance(n) } ?? .default
        let wantsTrace = try value("trace").map { n throws(CatalogError) -> Bool in
            guard case .scalar(let s) = n, ["true", "false"].contains(s.string) else {
                throw error("trace must be true or false (true puts the slides-style trace tables in the case's report page)", at: n)
            }
            return s.string == "true"
        } ?? false
        let kinks = try value("kinks").map { n throws(CatalogError) -> KinkConvention in
            switch KinkConvention.parse(try string(n, what: "kinks")) {
            case .success(let c): return c
            case .failure(let problem): throw error("kinks: \(problem.description)", at: n)
            }
        }
        let mark = idNode.mark ?? root.mark
        let header = Case(
            id: id, title: title, source: sourceText, tags: tags, note: note,
            location: source.location(line: mark?.line ?? 1, column: mark?.column ?? 1), text: text,
            graph: Graph(), point: [], isScalar: true, letNames: [], tangentSeeds: [], expectations: [], tolerance: tolerance,
            kinks: kinks, wantsTrace: wantsTrace)
        if isNetwork {
            return try readNetworkCase(root, header: header, value: value)
        }

        try readInputs(required("inputs", "an ordered mapping of input names to numbers, e.g. inputs: {x: 2}"))
        if let lets = value("let") { try readLets(lets) }

        let output = value("output"), outputs = value("outputs")
        switch (output, outputs) {
        case (nil, nil): throw error("missing 'output' (an expression) or 'outputs' (a mapping of names to expressions)", at: root)
        case (.some, .some(let many)): throw error("a case has either 'output' or 'outputs', not both", at: many)
        case (let single?, nil): try readOutput(single)
        case (nil, let many?): try readOutputs(many)
        }
        let isScalar = output != nil

        let graph: Graph
        do { graph = try builder.build() } catch { throw self.error(error.description, at: root) }

        var expectations: [Expectation] = []
        var seeds: [[Double]] = []
        var directions: [(v: [Double], u: [Double])] = []
        if let expect = value("expect") {
            try readExpectations(
                expect, graph: graph, isScalar: isScalar, tolerance: tolerance, into: &expectations, seeds: &seeds,
                directions: &directions)
        }
        // Refuse what would take hours: every partial runs the oracles over the whole graph
        // (a second-order quantity runs about four times as many).
        let tangents = expectations.count { if case .tangent = $0.quantity { true } else { false } }
        let secondOrder = expectations.count { $0.quantity.isSecondOrder }
        let quantities = graph.inputCount * graph.outputCount + tangents + 4 * secondOrder
        let (work, overflow) = quantities.multipliedReportingOverflow(by: graph.nodeCount)
        if overflow || work > CaseLoader.maxVerificationWork {
            let what = "\(graph.inputCount) input\(graph.inputCount == 1 ? "" : "s") x \(graph.outputCount) output\(graph.outputCount == 1 ? "" : "s")"
                + (tangents > 0 ? " + \(tangents) expected tangents" : "")
            throw error(
                "the case is too large to verify: \(what) over \(graph.nodeCount) graph nodes is \(String(format: "%.3g", Double(quantities) * Double(graph.nodeCount))) node-partials, more than the \(CaseLoader.maxVerificationWork) adverify verifies (each partial runs the numerical oracles over the whole graph): use fewer inputs or outputs, or a smaller graph",
                at: value("inputs") ?? root)
        }
        var result = header
        result.graph = graph
        result.point = point
        result.isScalar = isScalar
        result.letNames = letLines.keys.sorted { (letLines[$0] ?? 0, $0) < (letLines[$1] ?? 0, $1) }
        result.tangentSeeds = seeds
        result.hvpDirections = directions.map(\.v)
        result.hvpCotangents = directions.map(\.u)
        result.expectations = expectations
        if !positions.isEmpty {
            SourcePosition.pad(&positions, to: graph.nodeCount)
            result.nodePositions = positions
        }
        result.sourceFile = source
        return result
    }

    static func isValidID(_ id: String) -> Bool {
        guard let first = id.unicodeScalars.first, id.unicodeScalars.count <= 100 else { return false }
        func ok(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("0"..."9").contains(c) }
        return ok(first) && id.unicodeScalars.allSatisfy { ok($0) || $0 == "-" }
    }

    // MARK: Inputs, lets, outputs

    private mutating func readInputs(_ node: Node) throws(CatalogError) {
        let entries = try mapping(node, what: "inputs")
        guard !entries.isEmpty else { throw error("'inputs' is empty: a case needs at least one input", at: node) }
        for entry in entries {
            try checkNewName(entry.key, at: entry.keyNode, what: "input")
            let (value, _) = try number(entry.value, what: "input '\(entry.key)'")
            let index: Int
            do { index = try builder.input(entry.key) } catch { throw self.error(error.description, at: entry.keyNode) }
            scope[entry.key] = index
            nodeNames[index] = entry.key
            let key = location(entry.keyNode)
            SourcePosition(line: key.line, column: key.column).record(at: index, in: &positions)
            inputNames.append(entry.key)
            point.append(value)
        }
    }

    private mutating func readLets(_ node: Node) throws(CatalogError) {
        let entries = try mapping(node, what: "let")
        for entry in entries {
            try checkNewName(entry.key, at: entry.keyNode, what: "let name")
            letLines[entry.key] = entry.keyNode.mark?.line ?? 0
        }
        // Names already bound resolve through the scope first; a let still in `letLines` but
        // not in scope is defined further down.
        let lines = letLines
        for entry in entries {
            let node = try expression(entry.value, what: "let '\(entry.key)'") { name in
                name == entry.key
                    ? .unavailable(reason: "a let cannot use itself (a Wengert list has no cycles)")
                    : lines[name].map { .later(line: $0) }
            }
            try bind(entry.key, to: node, at: entry.keyNode)
        }
    }

    private mutating func readOutput(_ node: Node) throws(CatalogError) {
        let result = try expression(node, what: "output") { _ in nil }
        let name: String
        if let existing = nodeNames[result] {
            name = existing
        } else {
            name = ["f", "y", "output"].first { scope[$0] == nil } ?? "output"
            if scope[name] == nil { try bind(name, to: result, at: node) }
        }
        do { try builder.output(result, name: name) } catch { throw self.error(error.description, at: node) }
    }

    private mutating func readOutputs(_ node: Node) throws(CatalogError) {
        let entries = try mapping(node, what: "outputs")
        guard !entries.isEmpty else { throw error("'outputs' is empty: a case needs at least one output", at: node) }
        for entry in entries {
            try checkNewName(entry.key, at: entry.keyNode, what: "output name")
        }
        for entry in entries {
            let result = try expression(entry.value, what: "output '\(entry.key)'") { _ in nil }
            if nodeNames[result] == nil {
                try bind(entry.key, to: result, at: entry.keyNode)
            } else {
                scope[entry.key] = result
            }
            do { try builder.output(result, name: entry.key) } catch { throw self.error(error.description, at: entry.keyNode) }
        }
    }

    /// Gives `node` the name if it has none yet (a let that is just another name, `b: a`,
    /// refers to the same node).
    private mutating func bind(_ name: String, to node: Int, at keyNode: Node) throws(CatalogError) {
        if nodeNames[node] == nil {
            do { try builder.name(node, name) } catch { throw self.error(error.description, at: keyNode) }
            nodeNames[node] = name
        }
        scope[name] = node
    }

    private func checkNewName(_ name: String, at node: Node, what: String) throws(CatalogError) {
        guard GraphBuilder.isValidName(name) else {
            // `{q: max(x, y)}` splits at the comma: YAML reads a key `y)`.
            let hint = name.contains(")") || name.contains("(")
                ? " (in a {...} mapping a comma separates entries: quote an expression that contains one, \"max(x, y)\")"
                : ""
            throw error("\(what) '\(name)' is not a name: use letters, digits and _, starting with a letter\(hint)", at: node)
        }
        if name == "pi" { throw error("\(what) 'pi' would shadow the constant pi", at: node) }
        if ExpressionParser.functions[name] != nil {
            throw error("\(what) '\(name)' would shadow the function \(name)()", at: node)
        }
        if scope[name] != nil {
            let kind = inputNames.contains(name) ? "input" : "let"
            throw error("\(what) '\(name)' shadows the \(kind) of the same name", at: node)
        }
    }

    /// Parses an expression-valued node into the case's graph.
    private mutating func expression(
        _ node: Node, what: String, later: (String) -> NameBinding?
    ) throws(CatalogError) -> Int {
        guard case .scalar(let scalar) = node else {
            throw error("\(what) must be an expression (a YAML string or number), found \(describe(node))", at: node)
        }
        let scope = self.scope
        return try ExpressionParser.parse(scalar.string, origin: origin(of: node), into: &builder, positions: &positions) { name in
            scope[name].map { .node($0) } ?? later(name)
        }
    }

    // MARK: Expectations

    private mutating func readExpectations(
        _ node: Node, graph: Graph, isScalar: Bool, tolerance: ExpressionTolerance,
        into expectations: inout [Expectation], seeds: inout [[Double]], directions: inout [(v: [Double], u: [Double])]
    ) throws(CatalogError) {
        let entries = try mapping(node, what: "expect")
        for entry in entries where !CaseLoader.expectKeys.contains(entry.key) {
            throw error(
                "unknown expectation '\(entry.key)'\(suggestion(for: entry.key, among: CaseLoader.expectKeys)); expect has \(CaseLoader.expectKeys.joined(separator: ", "))",
                at: entry.keyNode)
        }
        func expected(_ n: Node) throws(CatalogError) -> Expected { try readExpected(n, tolerance: tolerance) }
        func named(_ name: String, at key: Node, what: String) throws(CatalogError) -> Int {
            guard let node = scope[name] else {
                let known = (inputNames + letLines.keys.sorted() + graph.outputNames).joined(separator: ", ")
                throw error("\(what) names '\(name)', which is not an input, let or output of this case (\(known))", at: key)
            }
            return node
        }
        func scalarOnly(_ key: String, at n: Node, hint: String) throws(CatalogError) {
            guard isScalar else { throw error("'\(key)' is for a case with a scalar 'output'; \(hint)", at: n) }
        }

        for entry in entries {
            switch entry.key {
            case "value":
                try scalarOnly("value", at: entry.keyNode, hint: "with 'outputs' write values: {name: number}")
                expectations.append(Expectation(quantity: .value(output: 0), expected: try expected(entry.value)))
            case "values":
                for item in try mapping(entry.value, what: "values") {
                    let node = try named(item.key, at: item.keyNode, what: "values")
                    let quantity: Quantity = graph.outputNames.firstIndex(of: item.key).map { .value(output: $0) } ?? .nodeValue(node: node)
                    expectations.append(Expectation(quantity: quantity, expected: try expected(item.value)))
                }
            case "gradient":
                try scalarOnly("gradient", at: entry.keyNode, hint: "with 'outputs' write jacobian: [[...], ...]")
                for item in try mapping(entry.value, what: "gradient") {
                    guard let i = inputNames.firstIndex(of: item.key) else {
                        let hint = scope[item.key] != nil ? ": '\(item.key)' is not an input; use adjoints for intermediates" : ""
                        throw error("gradient names '\(item.key)', which is not an input (\(inputNames.joined(separator: ", ")))\(hint)", at: item.keyNode)
                    }
                    expectations.append(Expectation(quantity: .partial(output: 0, input: i), expected: try expected(item.value)))
                }
            case "jacobian":
                try readJacobian(entry.value, graph: graph, tolerance: tolerance, into: &expectations)
            case "adjoints":
                try scalarOnly("adjoints", at: entry.keyNode, hint: "adjoints are d output / d node for the one output")
                for item in try mapping(entry.value, what: "adjoints") {
                    let node = try named(item.key, at: item.keyNode, what: "adjoints")
                    expectations.append(Expectation(quantity: .adjoint(node: node), expected: try expected(item.value)))
                }
            case "tangents":
                for (parts, block) in try blocks(entry.value, key: "tangents", keys: ["seed", "values"]) {
                    guard let seedNode = parts.first(where: { $0.key == "seed" })?.value else {
                        throw error("tangents needs a 'seed': the direction, e.g. seed: {x: 1}", at: block)
                    }
                    seeds.append(try inputVector(seedNode, what: "seed"))
                    if let values = parts.first(where: { $0.key == "values" })?.value {
                        for item in try mapping(values, what: "tangents values") {
                            let node = try named(item.key, at: item.keyNode, what: "tangents")
                            expectations.append(Expectation(quantity: .tangent(seed: seeds.count - 1, node: node), expected: try expected(item.value)))
                        }
                    }
                }
            case "hessian":
                try scalarOnly("hessian", at: entry.keyNode, hint: "second derivatives are checked for a scalar 'output'")
                try readHessian(entry.value, graph: graph, tolerance: tolerance, into: &expectations)
            case "hvp":
                for (parts, block) in try blocks(entry.value, key: "hvp", keys: ["direction", "cotangent", "values"]) {
                    guard let directionNode = parts.first(where: { $0.key == "direction" })?.value else {
                        throw error("hvp needs a 'direction': the vector v of ∇²f v, e.g. direction: {x: 0.3, y: -1.2}", at: block)
                    }
                    guard let values = parts.first(where: { $0.key == "values" })?.value else {
                        throw error("hvp needs 'values': the expected ∇²f v, one number per input, e.g. values: {x: 1.5, y: -2}", at: block)
                    }
                    let direction = try inputVector(directionNode, what: "direction")
                    guard direction.contains(where: { $0 != 0 }) else {
                        throw error("the hvp direction is zero: ∇²f v would be 0 whatever ∇²f is", at: directionNode)
                    }
                    // Σ_k u_k ∇²F_k v for a vector function: the cotangent u weighs the outputs.
                    var cotangent = (0..<graph.outputCount).map { $0 == 0 ? 1.0 : 0.0 }
                    if let cotangentNode = parts.first(where: { $0.key == "cotangent" })?.value {
                        cotangent = Array(repeating: 0, count: graph.outputCount)
                        for item in try mapping(cotangentNode, what: "cotangent") {
                            guard let k = graph.outputNames.firstIndex(of: item.key) else {
                                throw error("cotangent names '\(item.key)', which is not an output (\(graph.outputNames.joined(separator: ", ")))", at: item.keyNode)
                            }
                            cotangent[k] = try number(item.value, what: "cotangent '\(item.key)'").value
                        }
                        guard cotangent.contains(where: { $0 != 0 }) else {
                            throw error("the hvp cotangent is zero: Σ u_k ∇²F_k v would be 0 whatever the Hessians are", at: cotangentNode)
                        }
                    } else if !isScalar {
                        throw error(
                            "hvp on a case with 'outputs' needs a 'cotangent': the weights u of Σ u_k ∇²F_k v, e.g. cotangent: {\(graph.outputNames.first ?? "y"): 1}",
                            at: block)
                    }
                    directions.append((direction, cotangent))
                    let items = try mapping(values, what: "hvp values")
                    guard !items.isEmpty else { throw error("hvp values are empty: name the inputs whose component of ∇²f v is expected", at: values) }
                    for item in items {
                        guard let i = inputNames.firstIndex(of: item.key) else {
                            throw error("hvp values name '\(item.key)', which is not an input: ∇²f v has one component per input (\(inputNames.joined(separator: ", ")))", at: item.keyNode)
                        }
                        expectations.append(Expectation(quantity: .hvp(direction: directions.count - 1, input: i), expected: try expected(item.value)))
                    }
                }
            default:
                break
            }
        }
    }

    /// The blocks of `key` (`tangents`, `hvp`): one mapping or a list of them, each with only
    /// `keys` (in a block's error message, "a tangents block has seed and values").
    private func blocks(_ node: Node, key: String, keys: [String]) throws(CatalogError) -> [(entries: [Entry], block: Node)] {
        let list: [Node]
        if case .sequence(let s) = node { list = Array(s) } else { list = [node] }
        guard !list.isEmpty else { throw error("'\(key)' is empty", at: node) }
        var result: [(entries: [Entry], block: Node)] = []
        for block in list {
            let parts = try mapping(block, what: "a\(key.first == "h" ? "n" : "") \(key) block")
            for p in parts where !keys.contains(p.key) {
                throw error("unknown key '\(p.key)' in \(key): a\(key.first == "h" ? "n" : "") \(key) block has \(keys.dropLast().joined(separator: ", ")) and \(keys.last ?? "")", at: p.keyNode)
            }
            result.append((parts, block))
        }
        return result
    }

    /// A vector over the inputs written as a mapping (`{x: 1, y: 0.5}`; inputs not named are 0).
    private func inputVector(_ node: Node, what: String) throws(CatalogError) -> [Double] {
        var vector = [Double](repeating: 0, count: inputNames.count)
        for item in try mapping(node, what: what) {
            guard let i = inputNames.firstIndex(of: item.key) else {
                throw error("\(what) names '\(item.key)', which is not an input (\(inputNames.joined(separator: ", ")))", at: item.keyNode)
            }
            vector[i] = try number(item.value, what: "\(what) '\(item.key)'").value
        }
        return vector
    }

    /// `hessian: [[...], ...]`: n rows of n entries for the scalar output's n inputs.
    private func readHessian(
        _ node: Node, graph: Graph, tolerance: ExpressionTolerance, into expectations: inout [Expectation]
    ) throws(CatalogError) {
        let n = graph.inputCount
        try readMatrix(
            node, key: "hessian", example: "[[2, 1], [1, 0]]", rows: n, rowsNamed: "", columns: n, tolerance: tolerance,
            into: &expectations) { .secondPartial(first: $0, second: $1) }
    }

    private func readJacobian(
        _ node: Node, graph: Graph, tolerance: ExpressionTolerance, into expectations: inout [Expectation]
    ) throws(CatalogError) {
        try readMatrix(
            node, key: "jacobian", example: "[[1, 0], [0, 1]]", rows: graph.outputCount,
            rowsNamed: " (outputs \(graph.outputNames.joined(separator: ", ")))", columns: graph.inputCount, tolerance: tolerance,
            into: &expectations) { .partial(output: $0, input: $1) }
    }

    /// A matrix of expected numbers, `rows` lists of one entry per input, each entry the
    /// expectation of `quantity(row, column)`; every error located at the list or row at fault.
    private func readMatrix(
        _ node: Node, key: String, example: String, rows m: Int, rowsNamed: String, columns n: Int,
        tolerance: ExpressionTolerance, into expectations: inout [Expectation], quantity: (Int, Int) -> Quantity
    ) throws(CatalogError) {
        let shape = "\(m) row\(m == 1 ? "" : "s")\(rowsNamed) of \(n) number\(n == 1 ? "" : "s") (inputs \(inputNames.joined(separator: ", ")))"
        guard case .sequence(let rows) = node else {
            throw error("\(key) must be a list of rows, e.g. \(example): \(shape)", at: node)
        }
        guard rows.count == m else {
            throw error("\(key) has \(rows.count) row\(rows.count == 1 ? "" : "s"), expected \(shape)", at: node)
        }
        for (k, row) in rows.enumerated() {
            guard case .sequence(let entries) = row else {
                throw error("\(key) row \(k + 1) must be a list of \(n) numbers", at: row)
            }
            guard entries.count == n else {
                throw error("\(key) row \(k + 1) has \(entries.count) entr\(entries.count == 1 ? "y" : "ies"), expected \(n) (one per input: \(inputNames.joined(separator: ", ")))", at: row)
            }
            for (i, entry) in entries.enumerated() {
                expectations.append(Expectation(quantity: quantity(k, i), expected: try readExpected(entry, tolerance: tolerance)))
            }
        }
    }

    /// A number literal (the value as printed) or a quoted expression over the inputs.
    func readExpected(_ node: Node, tolerance: ExpressionTolerance) throws(CatalogError) -> Expected {
        guard case .scalar(let scalar) = node else {
            throw error("expected a number or a quoted expression, found \(describe(node))", at: node)
        }
        let location = self.location(node)
        if scalar.style == .plain {
            let (value, decimals) = try number(node, what: "an expected value")
            // An integer literal (digits only: no point, no exponent) is exact.
            let digits = scalar.string.drop { $0 == "+" || $0 == "-" }
            if !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) {
                return Expected(value: value, text: scalar.string, form: .exact(tolerance), location: location)
            }
            return Expected(value: value, text: scalar.string, form: .printed(decimals: decimals), location: location)
        }
        // A quoted expression over the inputs, evaluated at the case's point in a graph of its own.
        let inputs = Dictionary(zip(inputNames, point), uniquingKeysWith: { first, _ in first })
        let lets = letLines, scope = self.scope
        return try readExpression(node, tolerance: tolerance, variable: { inputs[$0] }) { name in
            lets[name] != nil || scope[name] != nil
                ? "an expected value is an expression over the inputs only, independent of the lets it checks" : nil
        }
    }

    /// A quoted expression over named numbers (`variable` gives a name's value), evaluated in a
    /// graph of its own; `unavailable` explains a name that exists but may not be used.
    func readExpression(
        _ node: Node, tolerance: ExpressionTolerance, variable: (String) -> Double?, unavailable: (String) -> String?
    ) throws(CatalogError) -> Expected {
        guard case .scalar(let scalar) = node else {
            throw error("expected a number or a quoted expression, found \(describe(node))", at: node)
        }
        // Only the names the expression uses become inputs (a network has thousands of parameters).
        var expressionBuilder = GraphBuilder()
        var inputs: [String: Int] = [:]
        var values: [Double] = []
        for name in Self.identifiers(in: scalar.string) where inputs[name] == nil {
            guard let value = variable(name) else { continue }
            do { inputs[name] = try expressionBuilder.input(name) } catch { throw self.error(error.description, at: node) }
            values.append(value)
        }
        let result = try ExpressionParser.parse(scalar.string, origin: origin(of: node), into: &expressionBuilder) { name in
            if let node = inputs[name] { return .node(node) }
            return unavailable(name).map { .unavailable(reason: $0) }
        }
        let value: Double
        do {
            try expressionBuilder.output(result)
            var workspace = Workspace(for: try expressionBuilder.build())
            try workspace.evaluate(at: values)
            value = workspace.outputValue(0)
        } catch {
            throw self.error(error.description, at: node)
        }
        guard value.isFinite else {
            throw error("the expected expression '\(scalar.string)' is \(value.isNaN ? "NaN" : "\(value)") at the case's inputs: it must be finite", at: node)
        }
        return Expected(value: value, text: scalar.string, form: .expression(tolerance), location: location(node))
    }

    /// The identifier-like words of an expression, in order.
    static func identifiers(in text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inNumber = false
        for c in text.unicodeScalars {
            let isStart = ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_"
            let isPart = isStart || ("0"..."9").contains(c)
            if current.isEmpty, !inNumber, isStart {
                current.unicodeScalars.append(c)
            } else if !current.isEmpty, isPart {
                current.unicodeScalars.append(c)
            } else {
                if !current.isEmpty { words.append(current); current = "" }
                // Digits, '.' and an exponent's letter belong to a number, not a name.
                inNumber = ("0"..."9").contains(c) || c == "." || (inNumber && (c == "e" || c == "E" || c == "+" || c == "-"))
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    func readTolerance(_ node: Node) throws(CatalogError) -> ExpressionTolerance {
        var t = ExpressionTolerance.default
        for entry in try mapping(node, what: "tolerance") {
            let (v, _) = try number(entry.value, what: "tolerance \(entry.key)")
            guard v >= 0 else { throw error("tolerance \(entry.key) must not be negative", at: entry.value) }
            switch entry.key {
            case "rtol": t.rtol = v
            case "atol": t.atol = v
            default: throw error("unknown tolerance '\(entry.key)': a tolerance has rtol and atol", at: entry.keyNode)
            }
        }
        return t
    }

    // MARK: YAML helpers

    typealias Entry = (key: String, keyNode: Node, value: Node)

    /// A mapping's entries in order, with string keys and no duplicates.
    func mapping(_ node: Node, what: String) throws(CatalogError) -> [Entry] {
        guard case .mapping(let m) = node else {
            throw error("\(what) must be a mapping (key: value), found \(describe(node))", at: node)
        }
        var entries: [Entry] = []
        var seen: [String: Int] = [:]
        for (key, value) in m {
            guard case .scalar(let k) = key else { throw error("a key in \(what) must be a plain name, found \(describe(key))", at: key) }
            if let line = seen[k.string] {
                throw error("duplicate key '\(k.string)' in \(what) (first at line \(line))", at: key)
            }
            seen[k.string] = key.mark?.line ?? 0
            entries.append((k.string, key, value))
        }
        return entries
    }

    func string(_ node: Node, what: String) throws(CatalogError) -> String {
        guard case .scalar(let s) = node else { throw error("\(what) must be text, found \(describe(node))", at: node) }
        // Trimming goes through NSString on Linux: only when there is something to trim.
        var text = s.string
        if text.first?.isWhitespace == true || text.last?.isWhitespace == true {
            text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard !text.isEmpty else { throw error("\(what) is empty", at: node) }
        return text
    }

    func stringList(_ node: Node, what: String) throws(CatalogError) -> [String] {
        switch node {
        case .sequence(let s): return try s.map { n throws(CatalogError) in try string(n, what: "a tag") }
        case .scalar: return [try string(node, what: what)]
        default: throw error("\(what) must be a list, e.g. [textbook, reverse-mode]", at: node)
        }
    }

    /// A plain number literal and its decimals as printed (`-182.87` -> 2, `1.5e-3` -> 4, `4` -> 0).
    func number(_ node: Node, what: String) throws(CatalogError) -> (value: Double, decimals: Int) {
        guard case .scalar(let s) = node else {
            throw error("\(what) must be a number, found \(describe(node))", at: node)
        }
        let text = s.string
        guard s.style == .plain else {
            throw error("\(what) must be a number literal, not a quoted string \"\(text)\"", at: node)
        }
        guard let decimals = Self.printedDecimals(text) else {
            let lower = text.lowercased()
            if [".inf", "+.inf", "-.inf", ".nan", "inf", "-inf", "nan", "infinity", "-infinity"].contains(lower) {
                throw error("\(what) is \(text): numbers must be finite", at: node)
            }
            throw error("\(what) must be a number literal such as -182.87 or 1.5e-3, found '\(text)'\(what == "an expected value" ? " (quote an expression: \"2*(1 - pi)\")" : "")", at: node)
        }
        guard let value = Double(text), value.isFinite else {
            throw error("\(what) \(text) is out of range: it is not finite in double precision", at: node)
        }
        return (value, decimals)
    }

    /// Decimals of a literal `[+-]digits[.digits][(e|E)[+-]digits]`, or nil if it is not one.
    static func printedDecimals(_ text: String) -> Int? {
        var s = Substring(text)
        if s.first == "+" || s.first == "-" { s.removeFirst() }
        let mantissaEnd = s.firstIndex { $0 == "e" || $0 == "E" } ?? s.endIndex
        let mantissa = s[..<mantissaEnd]
        var exponent = 0
        if mantissaEnd < s.endIndex {
            var e = s[s.index(after: mantissaEnd)...]
            var negative = false
            if e.first == "+" || e.first == "-" { negative = e.first == "-"; e.removeFirst() }
            guard !e.isEmpty, e.count <= 4, e.allSatisfy(\.isASCIIDigit), let v = Int(e) else { return nil }
            exponent = negative ? -v : v
        }
        let parts = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }), parts.contains(where: { !$0.isEmpty }),
              !mantissa.isEmpty else { return nil }
        let fraction = parts.count == 2 ? parts[1].count : 0
        return fraction - exponent
    }

    func location(_ node: Node) -> SourceLocation {
        let mark = node.mark
        return source.location(line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    func error(_ message: String, at node: Node) -> CatalogError {
        let l = location(node)
        return source.error(message, line: l.line, column: l.column)
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s): "'\(s.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// Where a scalar's text starts in the file, when it appears there verbatim.
    func origin(of node: Node) -> TextOrigin {
        let l = location(node)
        guard case .scalar(let scalar) = node else { return TextOrigin(source: source, line: l.line, column: l.column, isVerbatim: false) }
        let line = Array(source.line(l.line).unicodeScalars)
        let text = Array(scalar.string.unicodeScalars)
        var start = l.column - 1
        if scalar.style == .singleQuoted || scalar.style == .doubleQuoted { start += 1 }
        if start >= 0, start + text.count <= line.count, Array(line[start..<(start + text.count)]) == text {
            return TextOrigin(source: source, line: l.line, column: start + 1)
        }
        return TextOrigin(source: source, line: l.line, column: l.column, isVerbatim: false)
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
