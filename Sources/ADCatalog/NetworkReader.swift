// `kind: network` documents: the architecture, parameters and data, checks and expectations,
// every problem reported at the YAML node it is about.
import ADCore
import ADNetwork
import Foundation
import Yams

extension DocumentReader {
    /// The layer kinds of `network.layers`, as written in case files.
    static let layerKinds = [
        "dense", "conv2d", "maxpool", "avgpool", "flatten",
        "identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus",
    ]

    /// The architecture as read: the network (or why it cannot be built), names, the loss.
    struct NetworkSpec {
        var model: Sequential?
        var buildError: (message: String, node: Node)?
        var names: [String]
        var descriptions: [String]
        var loss: Loss?
    }

    mutating func readNetworkCase(_ root: Node, header: Case, value: (String) -> Node?) throws(CatalogError) -> Case {
        guard let networkNode = value("network") else {
            throw error("missing 'network': the architecture, e.g. network: {input: [784], layers: [...], loss: multiclass_logistic}", at: root)
        }
        let spec = try readNetwork(networkNode)
        var network = NetworkCase(
            model: spec.model, layerNames: spec.names, layerDescriptions: spec.descriptions,
            buildError: spec.buildError?.message, geometry: [], evaluation: nil)

        let expectEntries = try value("expect").map { n throws(CatalogError) in try mapping(n, what: "expect") } ?? []
        for entry in expectEntries where !CaseLoader.networkExpectKeys.contains(entry.key) {
            throw error(
                "unknown expectation '\(entry.key)'\(suggestion(for: entry.key, among: CaseLoader.networkExpectKeys)); a network case's expect has \(CaseLoader.networkExpectKeys.joined(separator: ", "))",
                at: entry.keyNode)
        }
        // Architecture facts.
        for entry in expectEntries {
            switch entry.key {
            case "parameters":
                network.geometry.append(GeometryExpectation(fact: .parameterCount(try count(entry.value, what: "expect.parameters")), location: location(entry.value)))
            case "output_shape":
                network.geometry.append(GeometryExpectation(fact: .outputShape(try shape(entry.value, what: "expect.output_shape")), location: location(entry.value)))
            case "error":
                network.geometry.append(GeometryExpectation(fact: .error(try string(entry.value, what: "expect.error")), location: location(entry.value)))
            default: break
            }
        }
        let expectsError = network.geometry.contains { if case .error = $0.fact { true } else { false } }
        var result = header
        guard let model = spec.model else {
            // A network that cannot be built: an input error, unless the case expects exactly that.
            let (message, node) = spec.buildError ?? ("the network cannot be built", networkNode)
            guard expectsError else { throw error(message, at: node) }
            for key in ["parameters", "data", "checks"] {
                if let n = value(key) { throw error("the network cannot be built (as expected), so there is nothing for '\(key)' to give", at: n) }
            }
            for entry in expectEntries where !["error", "parameters", "output_shape"].contains(entry.key) {
                throw error("the network cannot be built (as expected): '\(entry.key)' has nothing to check", at: entry.keyNode)
            }
            result.network = network
            return result
        }

        guard let dataNode = value("data") else {
            // Architecture only: no parameters, no evaluation.
            for entry in expectEntries where !["error", "parameters", "output_shape"].contains(entry.key) {
                throw error("expect.\(entry.key) needs 'data': without a batch of data the network is not evaluated", at: entry.keyNode)
            }
            for key in ["parameters", "checks"] {
                if let n = value(key) { throw error("'\(key)' needs 'data': without a batch of data the network is not evaluated", at: n) }
            }
            if spec.loss != nil, let networkLoss = try mapping(networkNode, what: "network").first(where: { $0.key == "loss" }) {
                throw error("a loss needs 'data' (inputs and targets) to be evaluated", at: networkLoss.keyNode)
            }
            result.network = network
            return result
        }

        // A network without parameters (pools, flatten, activations) has no gradient: evaluating
        // it would check nothing and pass silently. Its architecture can still be checked.
        guard model.parameterCount > 0 else {
            let dataKey = try mapping(root, what: "a case").first { $0.key == "data" }?.keyNode ?? dataNode
            throw error(
                "the network has no parameters (its layers, \(spec.descriptions.joined(separator: ", ")), have none), so there is no gradient to check and 'data' would verify nothing; drop 'data' to check the architecture alone (expect: {parameters: 0, output_shape: [...]}), or add a dense or conv2d layer",
                at: dataKey)
        }

        // Parameters, data, checks.
        // The data first: it refuses a graph too large to build (which bounds the parameter
        // count) before the parameters are allocated and drawn.
        let data = try readData(dataNode, model: model, loss: spec.loss)
        let parameters = try readParameters(value("parameters"), model: model, root: root)
        var sample = NetworkCase.defaultSample, directions = NetworkCase.defaultDirections
        if let checks = value("checks") {
            for entry in try mapping(checks, what: "checks") {
                switch entry.key {
                case "sample":
                    sample = try count(entry.value, what: "checks.sample")
                    guard (1...10_000).contains(sample) else { throw error("checks.sample must be between 1 and 10000", at: entry.value) }
                case "directions":
                    directions = try count(entry.value, what: "checks.directions")
                    guard directions <= 100 else { throw error("checks.directions must be at most 100", at: entry.value) }
                default:
                    throw error("unknown check '\(entry.key)'\(suggestion(for: entry.key, among: ["sample", "directions"])): checks has sample and directions", at: entry.keyNode)
                }
            }
        }
        let outputCount = data.batch * model.output.count
        var cotangent: [Double]?
        if spec.loss == nil, outputCount > 1 {
            var generator = SplitMix64(seed: header.id + "/cotangent")
            cotangent = (0..<outputCount).map { _ in generator.nonUnit() }
        }
        let lowered: NetworkLowering.Lowered
        do {
            lowered = try NetworkLowering.lower(
                model, layerNames: spec.names, parameters: parameters.values, inputs: data.inputs, batch: data.batch,
                loss: spec.loss, targets: data.targets, cotangent: cotangent)
        } catch {
            throw self.error("the network could not be written out as a graph: \(error.description)", at: networkNode)
        }
        network.evaluation = NetworkCase.Evaluation(
            batch: data.batch, inputs: data.inputs, loss: spec.loss, targets: data.targets, cotangent: cotangent,
            outputNodes: lowered.outputNodes, layerNodes: lowered.layerNodes, sample: sample, directions: directions,
            parameterOrigin: parameters.origin, dataOrigin: data.origin)
        result.graph = lowered.graph
        result.point = parameters.values
        result.network = network

        // Numeric expectations, over the lowered graph's names.
        let names = NetworkNameResolver(model: model, layerNames: spec.names, batch: data.batch, parameters: parameters.values, inputs: data.inputs, targets: data.targets)
        func expected(_ n: Node) throws(CatalogError) -> Expected {
            guard case .scalar(let scalar) = n, scalar.style != .plain else { return try readExpected(n, tolerance: header.tolerance) }
            return try readExpression(n, tolerance: header.tolerance, variable: { names.value(of: $0) }) { name in
                names.isLayerEntry(name) ? "an expected value is an expression over the parameters and the data, independent of the layer outputs it checks" : nil
            }
        }
        for entry in expectEntries {
            switch entry.key {
            case "value":
                result.expectations.append(Expectation(quantity: .value(output: 0), expected: try expected(entry.value)))
            case "output":
                let leaves = try tensorLeaves(entry.value, shape: [data.batch] + model.output.dims, what: "expect.output", levels: "[sample]" + Self.levelNames(model.output))
                for (k, leaf) in leaves.enumerated() {
                    result.expectations.append(Expectation(quantity: .nodeValue(node: lowered.outputNodes[k]), expected: try expected(leaf)))
                }
            case "values", "adjoints":
                for item in try mapping(entry.value, what: "expect.\(entry.key)") {
                    let targets: [(node: Int, leaf: Node)]
                    if let layer = spec.names.firstIndex(of: item.key) {
                        let shape = [data.batch] + model.shapes[layer].dims
                        let leaves = try tensorLeaves(item.value, shape: shape, what: "expect.\(entry.key).\(item.key)", levels: "[sample]" + Self.levelNames(model.shapes[layer]))
                        targets = leaves.enumerated().map { (lowered.layerNodes[layer][$0.offset], $0.element) }
                    } else if let (layer, k) = names.layerEntry(item.key) {
                        targets = [(lowered.layerNodes[layer][k], item.value)]
                    } else {
                        throw error(
                            "expect.\(entry.key) names '\(item.key)', which is neither a layer (\(spec.names.joined(separator: ", "))) nor one of a layer's outputs such as \(spec.names.last ?? "out")_1_1",
                            at: item.keyNode)
                    }
                    for (node, leaf) in targets {
                        let quantity: Quantity = entry.key == "values" ? .nodeValue(node: node) : .adjoint(node: node)
                        result.expectations.append(Expectation(quantity: quantity, expected: try expected(leaf)))
                    }
                }
            case "gradient":
                for item in try mapping(entry.value, what: "expect.gradient") {
                    let targets: [(input: Int, leaf: Node)]
                    if let tensor = model.parameters.first(where: { $0.name == item.key }) {
                        let leaves = try tensorLeaves(item.value, shape: tensor.shape, what: "expect.gradient.\(item.key)", levels: "")
                        targets = leaves.enumerated().map { (tensor.offset + $0.offset, $0.element) }
                    } else if let k = names.parameterIndex(item.key) {
                        targets = [(k, item.value)]
                    } else {
                        let known = model.parameters.map { "\($0.name) (\($0.shape.map(String.init).joined(separator: "x")))" }.joined(separator: ", ")
                        throw error("expect.gradient names '\(item.key)', which is neither a parameter tensor (\(known)) nor one of its entries such as W1_1_1", at: item.keyNode)
                    }
                    for (input, leaf) in targets {
                        result.expectations.append(Expectation(quantity: .partial(output: 0, input: input), expected: try expected(leaf)))
                    }
                }
            default: break
            }
        }
        return result
    }

    // MARK: The architecture

    private func readNetwork(_ node: Node) throws(CatalogError) -> NetworkSpec {
        let entries = try mapping(node, what: "network")
        for entry in entries where !["input", "layers", "loss"].contains(entry.key) {
            throw error("unknown key '\(entry.key)'\(suggestion(for: entry.key, among: ["input", "layers", "loss"])) in network: it has input, layers and loss", at: entry.keyNode)
        }
        func value(_ key: String) -> Node? { entries.first { $0.key == key }?.value }
        guard let inputNode = value("input") else {
            throw error("network needs 'input': one sample's shape, [features] or [channels, height, width]", at: node)
        }
        let input = Shape(try shape(inputNode, what: "network.input"))
        guard input.dims.count == 1 || input.dims.count == 3 else {
            throw error("network.input must be [features] or [channels, height, width], found \(input.dims.count) sizes", at: inputNode)
        }
        guard let layersNode = value("layers"), case .sequence(let layerNodes) = layersNode else {
            throw error("network needs 'layers': a list such as [{dense: {units: 72, bias: false}}, tanh, {dense: {units: 10}}]", at: value("layers") ?? node)
        }
        guard !layerNodes.isEmpty else { throw error("network.layers is empty", at: layersNode) }
        let loss = try value("loss").map { n throws(CatalogError) -> Loss in
            let name = try string(n, what: "network.loss")
            guard let loss = Loss(rawValue: name) else {
                let all = Loss.allCases.map(\.rawValue)
                throw error("unknown loss '\(name)'\(suggestion(for: name, among: all)); the losses are \(all.joined(separator: ", ")) (or no loss: the output itself)", at: n)
            }
            return loss
        }

        var layers: [Layer] = []
        var names: [String] = []
        var shape = input
        var counts: [String: Int] = [:]
        for (k, layerNode) in layerNodes.enumerated() {
            let (kind, options, optionsNode) = try layerKind(layerNode)
            var opts = Dictionary(options.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
            func take(_ key: String) -> Entry? { opts.removeValue(forKey: key) }
            func int(_ key: String, default d: Int?) throws(CatalogError) -> Int {
                guard let e = take(key) else {
                    if let d { return d }
                    throw error("\(kind) needs '\(key)'", at: optionsNode ?? layerNode)
                }
                return try count(e.value, what: "\(kind) \(key)")
            }
            func flag(_ key: String, default d: Bool) throws(CatalogError) -> Bool {
                guard let e = take(key) else { return d }
                guard case .scalar(let s) = e.value, ["true", "false"].contains(s.string) else {
                    throw error("\(kind) \(key) must be true or false", at: e.value)
                }
                return s.string == "true"
            }
            func real(_ key: String, default d: Double) throws(CatalogError) -> Double {
                guard let e = take(key) else { return d }
                return try number(e.value, what: "\(kind) \(key)").value
            }
            let layer: Layer
            switch kind {
            case "dense":
                guard shape.dims.count == 1 else {
                    throw error("a dense layer takes features, but its input is \(shape) (add a flatten layer before it)", at: layerNode)
                }
                layer = .dense(Dense(inputs: shape.dims[0], outputs: try int("units", default: nil), bias: try flag("bias", default: true)))
            case "conv2d":
                guard shape.dims.count == 3 else {
                    throw error("a convolution takes channels x height x width, but its input is \(shape)", at: layerNode)
                }
                layer = .conv2d(Conv2d(
                    inChannels: shape.dims[0], outChannels: try int("filters", default: nil), kernel: try int("kernel", default: nil),
                    stride: try int("stride", default: 1), padding: try int("padding", default: 0), bias: try flag("bias", default: true)))
            case "maxpool", "avgpool":
                let size = try int("size", default: nil)
                let pool = Pool(size: size, stride: try int("stride", default: size))
                layer = kind == "maxpool" ? .maxPool(pool) : .avgPool(pool)
            case "flatten": layer = .flatten
            case "identity": layer = .activation(.identity)
            case "sigmoid": layer = .activation(.sigmoid)
            case "tanh": layer = .activation(.tanh)
            case "relu": layer = .activation(.relu)
            case "softplus": layer = .activation(.softplus)
            case "leaky_relu": layer = .activation(.leakyRelu(try real("a", default: 0.01)))
            case "elu": layer = .activation(.elu(try real("a", default: 1)))
            default: preconditionFailure("layerKind returns known kinds")
            }
            counts[kind, default: 0] += 1
            let name: String
            if let e = take("name") {
                name = try string(e.value, what: "a layer name")
                try checkLayerName(name, at: e.value, taken: names)
            } else {
                name = kind.replacingOccurrences(of: "_", with: "") + String(k + 1)
            }
            if let extra = opts.values.first {
                throw error("unknown option '\(extra.key)' for \(kind)\(Self.layerOptionHint(kind))", at: extra.keyNode)
            }
            layers.append(layer)
            names.append(name)
            do {
                let model = try Sequential(input: input, layers: layers)
                shape = model.output
            } catch {
                // An error about no layer is about the input shape.
                return NetworkSpec(model: nil, buildError: (error.message, error.layer == nil ? inputNode : layerNode), names: names, descriptions: layers.map(\.description), loss: loss)
            }
        }
        let model: Sequential
        do { model = try Sequential(input: input, layers: layers) } catch {
            return NetworkSpec(model: nil, buildError: (error.description, layersNode), names: names, descriptions: layers.map(\.description), loss: loss)
        }
        if let loss, loss.takesLabels, model.output.count < 2 {
            throw error("\(loss.rawValue) needs at least two classes, but the network has \(model.output.count) output", at: value("loss") ?? node)
        }
        return NetworkSpec(model: model, buildError: nil, names: names, descriptions: layers.map(\.description), loss: loss)
    }

    /// `tanh` or `{dense: {units: 3}}`: the kind, its options, and the options' node.
    private func layerKind(_ node: Node) throws(CatalogError) -> (String, [Entry], Node?) {
        let kind: String, options: [Entry], optionsNode: Node?
        switch node {
        case .scalar:
            kind = try string(node, what: "a layer")
            options = []
            optionsNode = nil
        case .mapping:
            let entries = try mapping(node, what: "a layer")
            guard entries.count == 1, let only = entries.first else {
                throw error("a layer is one kind with its options, e.g. {dense: {units: 72}}; found \(entries.count) keys", at: node)
            }
            kind = only.key
            if case .scalar(let s) = only.value, s.style == .plain, s.string.isEmpty || s.string == "~" || s.string == "null" {
                options = []
            } else {
                options = try mapping(only.value, what: "the options of \(only.key)")
            }
            optionsNode = only.value
            guard Self.layerKinds.contains(kind) else {
                throw error("unknown layer '\(kind)'\(suggestion(for: kind, among: Self.layerKinds)); the layers are \(Self.layerKinds.joined(separator: ", "))", at: only.keyNode)
            }
        default:
            throw error("a layer must be a name (tanh) or a mapping ({dense: {units: 72}}), found \(describe(node))", at: node)
        }
        guard Self.layerKinds.contains(kind) else {
            throw error("unknown layer '\(kind)'\(suggestion(for: kind, among: Self.layerKinds)); the layers are \(Self.layerKinds.joined(separator: ", "))", at: node)
        }
        return (kind, options, optionsNode)
    }

    private static func layerOptionHint(_ kind: String) -> String {
        switch kind {
        case "dense": return ": dense has units, bias, name"
        case "conv2d": return ": conv2d has filters, kernel, stride, padding, bias, name"
        case "maxpool", "avgpool": return ": \(kind) has size, stride, name"
        case "leaky_relu", "elu": return ": \(kind) has a, name"
        default: return ": \(kind) has name"
        }
    }

    /// A layer name names its outputs (`h` gives `h_1_2`), so it is letters and digits only and
    /// not a name the case already uses.
    private func checkLayerName(_ name: String, at node: Node, taken: [String]) throws(CatalogError) {
        let scalars = name.unicodeScalars
        let ok = scalars.first.map { ("a"..."z").contains($0) || ("A"..."Z").contains($0) } == true
            && scalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
        guard ok, scalars.count <= 40 else {
            throw error("layer name '\(name)' must be letters and digits, starting with a letter (its outputs are named \(name)_1_1, ...)", at: node)
        }
        if ["x", "y", NetworkNames.objective, "pi"].contains(name) || ExpressionParser.functions[name] != nil {
            throw error("layer name '\(name)' is taken: x is the data, y the targets, L the objective, and functions keep their names", at: node)
        }
        if name.count >= 2, ["W", "b"].contains(name.first!), name.dropFirst().allSatisfy(\.isNumber) {
            throw error("layer name '\(name)' is the name of a parameter tensor (W1, b1, ...)", at: node)
        }
        if taken.contains(name) { throw error("two layers are named '\(name)'", at: node) }
    }

    // MARK: Parameters and data

    private func readParameters(_ node: Node?, model: Sequential, root: Node) throws(CatalogError) -> (values: [Double], origin: String) {
        var values = [Double](repeating: .nan, count: model.parameterCount)
        var given = Set<String>()
        var seed: UInt64?
        if let node {
            for entry in try mapping(node, what: "parameters") {
                if entry.key == "seed" {
                    seed = UInt64(try count(entry.value, what: "parameters.seed"))
                    continue
                }
                guard let tensor = model.parameters.first(where: { $0.name == entry.key }) else {
                    let known = model.parameters.map { "\($0.name) (\($0.shape.map(String.init).joined(separator: "x")))" }.joined(separator: ", ")
                    throw error("parameters names '\(entry.key)', which is not a parameter tensor of this network (\(known)); or give a seed", at: entry.keyNode)
                }
                let leaves = try tensorLeaves(entry.value, shape: tensor.shape, what: "parameters.\(tensor.name)", levels: "")
                for (k, leaf) in leaves.enumerated() {
                    values[tensor.offset + k] = try number(leaf, what: "a parameter").value
                }
                given.insert(tensor.name)
            }
        }
        let missing = model.parameters.filter { !given.contains($0.name) }
        if !missing.isEmpty {
            guard let seed else {
                let names = missing.map { "\($0.name) (\($0.shape.map(String.init).joined(separator: "x")))" }.joined(separator: ", ")
                throw error("parameters \(names) not given: write them under 'parameters:' or give parameters: {seed: N}", at: node ?? root)
            }
            // PyTorch's default: uniform in +-1/sqrt(fan_in) for weights and biases alike.
            var generator = SplitMix64(seed: seed)
            for tensor in missing {
                let weight = model.parameters.first { $0.layer == tensor.layer && $0.role == .weight }!
                let fanIn = weight.shape.dropFirst().reduce(1, *)
                let bound = 1 / Double(fanIn).squareRoot()
                for k in 0..<tensor.count { values[tensor.offset + k] = generator.uniform(-bound, bound) }
            }
        }
        // Where the parameters came from; a seed exists whenever a tensor was not given.
        let seedText = seed.map(String.init) ?? "none"
        let origin: String
        switch (given.isEmpty, missing.isEmpty) {
        case (true, _): origin = "seed \(seedText)"
        case (false, true): origin = "inline"
        case (false, false): origin = "inline (\(given.sorted().joined(separator: ", "))), the rest from seed \(seedText)"
        }
        return (values, origin)
    }

    private func readData(_ node: Node, model: Sequential, loss: Loss?) throws(CatalogError) -> (batch: Int, inputs: [Double], targets: Targets?, origin: String) {
        var x: Entry?, y: Entry?, labels: Entry?, seed: UInt64?, batch: Int?
        for entry in try mapping(node, what: "data") {
            switch entry.key {
            case "x": x = entry
            case "y": y = entry
            case "labels": labels = entry
            case "seed": seed = UInt64(try count(entry.value, what: "data.seed"))
            case "batch":
                let size = try count(entry.value, what: "data.batch")
                guard (1...100_000).contains(size) else { throw error("data.batch must be between 1 and 100000", at: entry.value) }
                batch = size
            default:
                throw error("unknown key '\(entry.key)'\(suggestion(for: entry.key, among: ["x", "y", "labels", "seed", "batch"])) in data: it has x, y or labels, seed, batch", at: entry.keyNode)
            }
        }
        // Refuse a batch whose graph would be too large before drawing or reading it.
        let samples: Int
        if let x, case .sequence(let list) = x.value { samples = list.count } else { samples = batch ?? 1 }
        let estimate = NetworkLowering.estimatedNodes(model, batch: samples)
        guard estimate <= NetworkLowering.maxNodes else {
            throw error(
                "the network written out as a graph would have \(estimate == Int.max ? "more nodes than a 64-bit integer counts" : "about \(estimate) nodes"), more than the \(NetworkLowering.maxNodes) adverify builds: use a smaller batch\(samples == 1 ? " or network" : "")",
                at: node)
        }
        var generator = SplitMix64(seed: seed ?? 0)
        let sampleLevels = "[sample]" + Self.levelNames(model.input)
        let inputs: [Double], n: Int
        if let x {
            guard case .sequence(let samples) = x.value, !samples.isEmpty else {
                throw error("data.x must be a list of samples, each \(model.input) (\(sampleLevels))", at: x.value)
            }
            n = samples.count
            if let batch, batch != n { throw error("data.batch is \(batch) but data.x has \(n) samples", at: x.value) }
            inputs = try tensorLeaves(x.value, shape: [n] + model.input.dims, what: "data.x", levels: sampleLevels).map { leaf throws(CatalogError) in
                try number(leaf, what: "an input value").value
            }
        } else {
            guard seed != nil, let batch else {
                throw error("data needs x (a list of samples) or a seed and a batch size for synthetic data: data: {seed: 11, batch: 4}", at: node)
            }
            n = batch
            inputs = (0..<(n * model.input.count)).map { _ in generator.uniform(-1, 1) }
        }
        let outputShape = [n] + model.output.dims
        var targets: Targets?
        switch loss {
        case nil:
            if let extra = y ?? labels { throw error("\(extra.key) is given but the network has no loss to compare it with", at: extra.keyNode) }
        case let loss? where loss.takesLabels:
            if let y { throw error("\(loss.rawValue) takes class labels (labels: [3, 1]), not y", at: y.keyNode) }
            let classes = model.output.count
            if let labels {
                let leaves = try tensorLeaves(labels.value, shape: [n], what: "data.labels", levels: "[sample]")
                var list: [Int] = []
                for leaf in leaves {
                    let label = try count(leaf, what: "a label")
                    guard label < classes else { throw error("label \(label) is not a class of the network's \(classes) outputs (0 to \(classes - 1))", at: leaf) }
                    list.append(label)
                }
                targets = .labels(list)
            } else {
                guard seed != nil else { throw error("\(loss.rawValue) needs labels (one class per sample) or a seed to draw them", at: node) }
                targets = .labels((0..<n).map { _ in Int(generator.next() % UInt64(classes)) })
            }
        case let loss?:
            if let labels { throw error("\(loss.rawValue) takes target values y, not labels", at: labels.keyNode) }
            if let y {
                let leaves = try tensorLeaves(y.value, shape: outputShape, what: "data.y", levels: "[sample]" + Self.levelNames(model.output))
                targets = .values(try leaves.map { leaf throws(CatalogError) in try number(leaf, what: "a target").value })
            } else {
                guard seed != nil else { throw error("\(loss.rawValue) needs targets y or a seed to draw them", at: node) }
                targets = .values((0..<(n * model.output.count)).map { _ in generator.unit() })
            }
        }
        let seedText = seed.map(String.init) ?? "none"
        let origin = x == nil ? "synthetic, seed \(seedText)" : (seed != nil && (loss != nil && y == nil && labels == nil) ? "inline, targets from seed \(seedText)" : "inline")
        return (n, inputs, targets, origin)
    }

    // MARK: Helpers

    /// The leaves of a nested list of `shape`, row-major; every level's length is checked.
    func tensorLeaves(_ node: Node, shape: [Int], what: String, levels: String) throws(CatalogError) -> [Node] {
        var leaves: [Node] = []
        leaves.reserveCapacity(shape.reduce(1, *))
        let described = shape.map(String.init).joined(separator: "x")
        func walk(_ n: Node, _ depth: Int) throws(CatalogError) {
            if depth == shape.count {
                guard case .scalar = n else {
                    throw error("\(what) is nested too deeply: expected a number here (the shape is \(described)\(levels.isEmpty ? "" : ", " + levels))", at: n)
                }
                leaves.append(n)
                return
            }
            guard case .sequence(let items) = n else {
                throw error("\(what) must be nested lists of shape \(described)\(levels.isEmpty ? "" : " (" + levels + ")"): expected a list of \(shape[depth]) here, found \(describe(n))", at: n)
            }
            guard items.count == shape[depth] else {
                throw error("\(what) has \(items.count) entr\(items.count == 1 ? "y" : "ies") at level \(depth + 1), expected \(shape[depth]) (the shape is \(described)\(levels.isEmpty ? "" : ", " + levels))", at: n)
            }
            for item in items { try walk(item, depth + 1) }
        }
        try walk(node, 0)
        return leaves
    }

    /// `[channel][row][column]` or `[feature]`.
    static func levelNames(_ shape: Shape) -> String {
        shape.dims.count == 3 ? "[channel][row][column]" : "[feature]"
    }

    /// A non-negative integer literal.
    func count(_ node: Node, what: String) throws(CatalogError) -> Int {
        let (value, decimals) = try number(node, what: what)
        guard decimals <= 0, value >= 0, value == value.rounded(), value < 1e15 else {
            throw error("\(what) must be a whole number, 0 or more, found \(describe(node))", at: node)
        }
        return Int(value)
    }

    /// A list of positive sizes.
    func shape(_ node: Node, what: String) throws(CatalogError) -> [Int] {
        guard case .sequence(let items) = node, !items.isEmpty, items.count <= 8 else {
            throw error("\(what) must be a list of sizes such as [784] or [3, 32, 32]", at: node)
        }
        return try items.map { n throws(CatalogError) -> Int in
            let size = try count(n, what: "a size in \(what)")
            guard size > 0 else { throw error("sizes in \(what) must be positive", at: n) }
            return size
        }
    }
}

/// The scalar names of a network case (`W1_2_3`, `x_1_5`, `y_1_1`, `h_1_2`) and their values
/// where they are parameters or data.
struct NetworkNameResolver {
    let model: Sequential
    let layerNames: [String]
    let batch: Int
    let parameters: [Double]
    let inputs: [Double]
    let targets: Targets?

    /// `prefix` and 1-based indices of `W1_2_3`, or nil if the name is not of that form.
    private func split(_ name: String) -> (String, [Int])? {
        let parts = name.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return nil }
        var indices: [Int] = []
        for p in parts.dropFirst() {
            guard let i = Int(p), i >= 1, String(i) == p else { return nil }
            indices.append(i)
        }
        return (String(parts[0]), indices)
    }

    /// The flat row-major index of 1-based `indices` in `shape`, if they fit.
    private func flat(_ indices: [Int], _ shape: [Int]) -> Int? {
        guard indices.count == shape.count else { return nil }
        var k = 0
        for (i, n) in zip(indices, shape) {
            guard i <= n else { return nil }
            k = k * n + (i - 1)
        }
        return k
    }

    func parameterIndex(_ name: String) -> Int? {
        guard let (prefix, indices) = split(name), let tensor = model.parameters.first(where: { $0.name == prefix }),
              let k = flat(indices, tensor.shape) else { return nil }
        return tensor.offset + k
    }

    func layerEntry(_ name: String) -> (layer: Int, index: Int)? {
        guard let (prefix, indices) = split(name), let layer = layerNames.lastIndex(of: prefix),
              let k = flat(indices, [batch] + model.shapes[layer].dims) else { return nil }
        return (layer, k)
    }

    func isLayerEntry(_ name: String) -> Bool { layerEntry(name) != nil || layerNames.contains(name) }

    /// The value of a parameter entry, an input `x_n_i...` or a target `y_n_k`.
    func value(of name: String) -> Double? {
        if let k = parameterIndex(name) { return parameters[k] }
        guard let (prefix, indices) = split(name) else { return nil }
        switch prefix {
        case "x": return flat(indices, [batch] + model.input.dims).map { inputs[$0] }
        case "y":
            guard case .values(let y)? = targets else { return nil }
            return flat(indices, [batch] + model.output.dims).map { y[$0] }
        default: return nil
        }
    }
}
