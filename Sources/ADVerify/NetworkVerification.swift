// Network cases: the network core's backprop (ADNetwork) against the ADCore graph of the same
// network, entry by entry, and against the numerical oracles — every parameter for small
// networks (Domke's footnote), a seeded sample and random directions for large ones.
import ADCatalog
import ADCore
import ADNetwork
import ADNumeric
import Foundation
import Numerics

/// The verification of one `kind: network` case.
struct NetworkVerification {
    let c: Case
    let network: NetworkCase
    let runner: Runner
    var rows: [QuantityRow] = []
    var checks: [Check] = []
    var evaluations = 0
    /// The quantity of each failed gradient expectation, by index into `checks`, and what
    /// explains such failures at a kink (set once the graph is linearized).
    var failedExpectations: [Int: Quantity] = [:]
    var kinkExplainer: KinkExplainer?

    /// Above this many graph nodes the complex step (which evaluates the graph in complex
    /// arithmetic) is left out of the per-coordinate oracles.
    static let complexStepNodeLimit = 20_000

    init(case c: Case, network: NetworkCase, runner: Runner) {
        self.c = c
        self.network = network
        self.runner = runner
    }

    /// The kink convention in force for this case: its own, else the run's.
    var kinks: KinkConvention { c.kinks ?? runner.kinkConvention }

    /// Every max node of a lowered network is a pooling maximum, whose ties go to the first
    /// maximum under every convention (see `Workspace.nodesKeepingTableKinks`).
    var poolingMaxima: Set<Int> {
        kinks == .default ? [] : Set(c.graph.ops.indices.filter { c.graph.ops[$0] == .max })
    }

    mutating func run() -> CaseResult {
        var result = CaseResult(starting: c)
        if c.graph.ops.contains(where: { $0.kink != nil }) { result.kinks = kinks }
        var summary = NetworkResult(
            layers: [], inputShape: network.model?.input.dims ?? [], parameterCount: network.model?.parameterCount,
            buildError: network.buildError, batch: network.evaluation?.batch, objective: nil,
            parameterOrigin: network.evaluation?.parameterOrigin, dataOrigin: network.evaluation?.dataOrigin,
            agreement: [], everyParameterChecked: false, coordinatesChecked: 0, fullLoopForward: 0, fullLoopCentral: 0,
            oracleEvaluations: 0, directions: 0)
        if let model = network.model {
            summary.layers = model.layers.indices.map { k in
                LayerSummary(
                    name: network.layerNames[k], layer: network.layerDescriptions[k], outputShape: model.shapes[k].dims,
                    parameters: model.parameters.filter { $0.layer == k }.reduce(0) { $0 + $1.count })
            }
            summary.fullLoopForward = model.parameterCount + 1
            summary.fullLoopCentral = 2 * model.parameterCount
        } else {
            summary.layers = network.layerDescriptions.enumerated().map { k, d in
                LayerSummary(name: network.layerNames[k], layer: d, outputShape: [], parameters: 0)
            }
        }
        architectureChecks()
        if let model = network.model, let evaluation = network.evaluation {
            summary.objective = evaluation.loss?.rawValue ?? (evaluation.cotangent == nil ? "the output" : "<u, output> for a random non-unit u")
            do {
                try evaluate(model, evaluation, summary: &summary)
            } catch {
                result.error = error.description
            }
            result.inputs = c.inputNames.count <= 64 ? zip(c.inputNames, c.point).map { NamedValue(name: $0, value: $1) } : []
            if runner.traces || c.wantsTrace { result.trace = reportTrace(c, kinks: kinks, keepingTableKinks: poolingMaxima) }
        }
        summary.oracleEvaluations = evaluations
        attributeExpectationFailures(&checks)
        kinkExplainer?.explain(failedExpectations, in: &checks)
        result.rows = rows
        result.checks = checks
        result.oracleEvaluations = evaluations
        result.worstAgreeingDigits = rows.compactMap(\.agreeingDigits).min()
        result.network = summary
        result.verdict = caseVerdict(checks, stoppedWithError: result.error != nil)
        return result
    }

    // MARK: Architecture

    private mutating func architectureChecks() {
        for expectation in network.geometry {
            let quantity: String, expected: String, found: String, pass: Bool
            switch expectation.fact {
            case .parameterCount(let n):
                quantity = "parameters"
                expected = String(n)
                if let model = network.model {
                    found = String(model.parameterCount)
                    pass = model.parameterCount == n
                } else {
                    found = "the network could not be built: \(network.buildError ?? "")"
                    pass = false
                }
            case .outputShape(let dims):
                quantity = "output shape"
                expected = Shape(dims).description
                if let model = network.model {
                    found = model.output.description
                    pass = model.output.dims == dims
                } else {
                    found = "the network could not be built: \(network.buildError ?? "")"
                    pass = false
                }
            case .error(let text):
                quantity = "geometry error"
                expected = "an error saying \"\(text)\""
                if let message = network.buildError {
                    found = message
                    pass = message.localizedCaseInsensitiveContains(text)
                } else {
                    found = "the network was built: output \(network.model.map { $0.output.description } ?? "?")"
                    pass = false
                }
            }
            var check = Check(
                quantity: quantity, kind: .architecture,
                comparison: Comparison(verdict: pass ? .pass : .fail, value: pass ? 1 : 0, reference: 1, budget: 0, method: "architecture"),
                expectedText: expected, location: expectation.location)
            check.detail = pass ? "\(found) as expected" : "expected \(expected), found \(found)"
            checks.append(check)
        }
    }

    // MARK: Evaluation

    private mutating func evaluate(_ model: Sequential, _ evaluation: NetworkCase.Evaluation, summary: inout NetworkResult) throws(CaseFailure) {
        let theta = c.point
        let p = model.parameterCount
        let layerNames = network.layerNames
        let agreement = runner.agreement.forGraph(nodeCount: c.graph.nodeCount)
        // Sized for the graph as in expression cases: the network core's objective sums as many
        // rounded terms as the graph has nodes, and its round-off grows the same way.
        let oracleTolerance = runner.oracleTolerance.forGraph(nodeCount: c.graph.nodeCount)

        // The network core: the objective, its gradient, every layer's output and adjoint.
        var core = NetworkWorkspace(network: model, batch: evaluation.batch)
        core.backpropMutation = runner.backpropMutation
        core.kinkRule = Activation.KinkRule(rawValue: kinks.rawValue) ?? .nonNegativeBranch
        var gradient = [Double](repeating: 0, count: p)
        let objective = Self.objective(&core, evaluation, theta, gradient: &gradient)
        let coreLayers = model.layers.indices.map { Array(core.activation(of: $0)) }
        let coreAdjoints = model.layers.indices.map { Array(core.adjoint(of: $0)) }

        // The reference: the ADCore graph, one reverse sweep.
        var graphWorkspace = Workspace(for: c.graph)
        graphWorkspace.ruleMutation = runner.ruleMutation
        graphWorkspace.kinkConvention = kinks
        graphWorkspace.nodesKeepingTableKinks = poolingMaxima
        let graphGradient: [Double]
        do {
            try graphWorkspace.linearize(at: theta)
            if let problem = NonFiniteNode.first(in: c.graph, values: graphWorkspace.values, displayNames: c.graph.displayNames) {
                throw CaseFailure("\(problem.message) in the ADCore graph of the network: it cannot be verified there")
            }
            try graphWorkspace.reverse(cotangent: [1])
            graphGradient = (0..<p).map { graphWorkspace.inputAdjoint($0) }
        } catch let failure as CaseFailure {
            throw failure
        } catch {
            throw CaseFailure("\(error)")
        }
        // Cheap to keep (the workspace's buffers are shared, not copied); used only for a
        // failed gradient expectation at a kink.
        kinkExplainer = KinkExplainer(
            graph: c.graph, point: theta, tangentSeeds: [], workspace: graphWorkspace, ruleMutation: runner.ruleMutation)
        let graphValues = graphWorkspace.values, graphAdjoints = graphWorkspace.adjoints
        let graphObjective = graphWorkspace.outputValue(0)

        // The objective, the forward pass and the backward pass, tensor by tensor.
        var valueCheck = Check(
            quantity: "L", kind: .network,
            comparison: compareModes(forward: objective, reverse: graphObjective, tolerance: agreement))
        valueCheck.detail = "the network core's objective against the graph's"
        checks.append(valueCheck)
        var row = QuantityRow(quantity: "L", kind: .value, forward: graphObjective, reverse: objective)
        for e in c.expectations where e.quantity == .value(output: 0) {
            checks.append(checkExpectation(e.expected, computed: objective, row: &row))
        }
        rows.append(row)

        // Every layer's outputs (values) or adjoints, the network core against the graph's nodes.
        func layerAgreements(_ kind: TensorAgreement.Kind, core: [[Double]], graph: [Double]) -> [(String, TensorAgreement.Kind, [Int], [Double], [Double], (Int) -> String)] {
            model.layers.indices.map { k in
                let shape = [evaluation.batch] + model.shapes[k].dims
                return (layerNames[k], kind, shape, core[k], evaluation.layerNodes[k].map { graph[$0] }, { NetworkNames.entry(layerNames[k], shape: shape, $0) })
            }
        }
        for (name, kind, shape, core, graph, entryName) in layerAgreements(.value, core: coreLayers, graph: graphValues) {
            summary.agreement.append(tensorAgreement(name: name, kind: kind, shape: shape, core: core, graph: graph, entryName: entryName, tolerance: agreement))
        }
        var tensorOfCoordinate = [Int](repeating: 0, count: p)
        for (t, tensor) in model.parameters.enumerated() {
            for k in 0..<tensor.count { tensorOfCoordinate[tensor.offset + k] = t }
            let slice = tensor.offset ..< tensor.offset + tensor.count
            summary.agreement.append(tensorAgreement(
                name: tensor.name, kind: .gradient, shape: tensor.shape, core: Array(gradient[slice]),
                graph: Array(graphGradient[slice]), entryName: { tensor.entryName($0) }, tolerance: agreement))
        }
        for (name, kind, shape, core, graph, entryName) in layerAgreements(.adjoint, core: coreAdjoints, graph: graphAdjoints) {
            summary.agreement.append(tensorAgreement(name: name, kind: kind, shape: shape, core: core, graph: graph, entryName: entryName, tolerance: agreement))
        }

        // Expected layer values and adjoints, read from the network core.
        var expectedNodes = Set<Int>()
        for e in c.expectations {
            if case .nodeValue(let node) = e.quantity { expectedNodes.insert(node) }
            if case .adjoint(let node) = e.quantity { expectedNodes.insert(node) }
        }
        // A node shared by several layers (flatten, identity) belongs to the last of them.
        var layerOf: [Int: (layer: Int, index: Int)] = [:]
        for k in model.layers.indices where !expectedNodes.isEmpty {
            for (i, node) in evaluation.layerNodes[k].enumerated() where expectedNodes.contains(node) { layerOf[node] = (k, i) }
        }
        let names = c.graph.displayNames
        var seenNodes: Set<Quantity> = []
        for e in c.expectations where seenNodes.insert(e.quantity).inserted {
            switch e.quantity {
            case .nodeValue(let node):
                guard let (k, i) = layerOf[node] else { continue }
                var row = QuantityRow(quantity: c.label(e.quantity, displayNames: names), kind: .nodeValue, forward: graphValues[node], reverse: coreLayers[k][i])
                for x in c.expectations where x.quantity == e.quantity { checks.append(checkExpectation(x.expected, computed: coreLayers[k][i], row: &row)) }
                rows.append(row)
            case .adjoint(let node):
                guard let (k, i) = layerOf[node] else { continue }
                var row = QuantityRow(quantity: c.label(e.quantity, displayNames: names), kind: .adjoint, forward: graphAdjoints[node], reverse: coreAdjoints[k][i])
                for x in c.expectations where x.quantity == e.quantity { checks.append(checkExpectation(x.expected, computed: coreAdjoints[k][i], row: &row)) }
                rows.append(row)
            default: continue
            }
        }

        // Coordinates for the oracles: every parameter (Domke's footnote) or a seeded sample,
        // spread over the tensors, plus every expected gradient entry.
        var coordinates: [Int]
        if p <= NetworkCase.fullLoopLimit {
            coordinates = Array(0..<p)
            summary.everyParameterChecked = true
        } else {
            coordinates = Self.sample(model.parameters, count: evaluation.sample, seed: c.id)
        }
        for e in c.expectations {
            if case .partial(_, let i) = e.quantity, !coordinates.contains(i) { coordinates.append(i) }
        }
        summary.coordinatesChecked = coordinates.count

        // Forward mode on the graph along each coordinate, in chunks of a few directions.
        let (forward, coordinateKinks) = try graphTangents(&graphWorkspace, directions: coordinates.map { i in
            { (seed: inout [Double], column: Int, width: Int) in seed[i * width + column] = 1 }
        })
        let scale = gradient.reduce(0.0) { Swift.max($0, abs($1)) }
        let complexAllowed = c.graph.isAnalytic && c.graph.nodeCount <= Self.complexStepNodeLimit
        var probe = core
        var point = theta
        var oracleDigits: [Int: [Double]] = [:]
        var oracleCount: [Int: Int] = [:]
        for (j, i) in coordinates.enumerated() {
            let q = Quantity.partial(output: 0, input: i)
            var row = QuantityRow(quantity: c.label(q, displayNames: names), kind: .partial, forward: forward[j], reverse: gradient[i])
            for e in c.expectations where e.quantity == q {
                checks.append(checkExpectation(e.expected, computed: gradient[i], row: &row))
                if checks[checks.count - 1].comparison.verdict == .fail { failedExpectations[checks.count - 1] = q }
            }
            var modes = Check(quantity: row.quantity, kind: .modes, comparison: compareModes(forward: forward[j], reverse: gradient[i], scale: scale, tolerance: agreement))
            modes.detail = "ADCore forward mode against the network core's backprop"
            checks.append(modes)
            row.verdict = worse(row.verdict, modes.comparison.verdict)
            let line = LineDirection.axis(i)
            let f: (Double) throws -> Double = { t in
                line.place(t, from: theta, into: &point)
                defer { point[i] = theta[i] }
                return Self.objective(&probe, evaluation, point)
            }
            let graph = c.graph
            let complex: ((Complex<Double>) throws -> Complex<Double>)? = complexAllowed
                ? { t in try graph.evaluateComplex(at: line.complexPoint(t, from: theta), node: graph.outputNodes[0]) } : nil
            evaluations += runOracles(
                ad: gradient[i], of: f, at: theta[i], knowing: LineKnowledge(complex: complex, kink: coordinateKinks[j]),
                methods: runner.oracleMethods, tolerance: oracleTolerance, row: &row, checks: &checks)
            let t = tensorOfCoordinate[i]
            oracleCount[t, default: 0] += 1
            if let digits = row.agreeingDigits { oracleDigits[t, default: []].append(digits) }
            rows.append(row)
        }
        for (t, tensor) in model.parameters.enumerated() {
            guard let index = summary.agreement.firstIndex(where: { $0.kind == .gradient && $0.name == tensor.name }) else { continue }
            summary.agreement[index].oracleCoordinates = oracleCount[t] ?? 0
            summary.agreement[index].oracleWorstDigits = oracleDigits[t]?.min()
        }

        // Random directions: d L(θ + t d)/dt by the oracles against <∇L, d> and the graph's forward mode.
        var generator = SplitMix64(seed: c.id + "/directions")
        let directions = (0..<evaluation.directions).map { _ in (0..<p).map { _ in generator.nonUnit() } }
        summary.directions = directions.count
        let (along, directionKinks) = try graphTangents(&graphWorkspace, directions: directions.map { d in
            { (seed: inout [Double], column: Int, width: Int) in for i in 0..<p { seed[i * width + column] = d[i] } }
        })
        for (r, d) in directions.enumerated() {
            let projected = zip(gradient, d).reduce(0) { $0 + $1.0 * $1.1 }
            let label = "dL(θ + t d\(r + 1))/dt"
            var row = QuantityRow(quantity: label, kind: .direction, forward: along[r], reverse: projected)
            let dScale = zip(gradient, d).reduce(0) { $0 + abs($1.0 * $1.1) }
            var modes = Check(quantity: label, kind: .modes, comparison: compareModes(forward: along[r], reverse: projected, scale: dScale, tolerance: agreement))
            modes.detail = "ADCore forward mode along d against <network gradient, d>"
            checks.append(modes)
            row.verdict = worse(row.verdict, modes.comparison.verdict)
            let line = LineDirection.vector(d)
            let f: (Double) throws -> Double = { t in
                line.place(t, from: theta, into: &point)
                return Self.objective(&probe, evaluation, point)
            }
            evaluations += runOracles(
                ad: projected, of: f, at: 0, knowing: LineKnowledge(kink: directionKinks[r]),
                methods: runner.oracleMethods, tolerance: oracleTolerance, row: &row, checks: &checks)
            rows.append(row)
        }
        point = theta

        // The dot-product test across the two implementations: <u, J v> by the graph's forward
        // mode on the network's outputs, <Jᵀu, v> by the network core's pullback.
        let outputs = evaluation.outputNodes
        let (u, v) = dotProductVectors(seed: c.id, outputs: outputs.count, inputs: p)
        var seeds = v
        do {
            try graphWorkspace.forward(seeds: seeds, width: 1)
        } catch { throw CaseFailure(error.description) }
        let jv = outputs.map { graphWorkspace.tangent(of: $0) }
        core.pullback(parameters: theta, inputs: evaluation.inputs, outputCotangent: u, into: &seeds)
        checks.append(dotProductCheck(
            u: u, jv: jv, jtu: seeds, v: v, tolerance: agreement,
            detail: "J = d output / d parameters; J v by ADCore forward mode, Jᵀu by the network core's pullback"))
    }

    /// The network core's objective at `theta`: the loss, `<u, output>`, or the one output number.
    static func objective(_ core: inout NetworkWorkspace, _ evaluation: NetworkCase.Evaluation, _ theta: [Double]) -> Double {
        if let loss = evaluation.loss, let targets = evaluation.targets {
            return core.value(parameters: theta, inputs: evaluation.inputs, loss: loss, targets: targets)
        }
        core.forward(parameters: theta, inputs: evaluation.inputs)
        return zip(core.output, evaluation.cotangent ?? [1]).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// The objective and its gradient (into `gradient`) by the network core's backprop.
    static func objective(
        _ core: inout NetworkWorkspace, _ evaluation: NetworkCase.Evaluation, _ theta: [Double], gradient: inout [Double]
    ) -> Double {
        if let loss = evaluation.loss, let targets = evaluation.targets {
            return core.valueAndGradient(parameters: theta, inputs: evaluation.inputs, loss: loss, targets: targets, into: &gradient)
        }
        let u = evaluation.cotangent ?? [1]
        core.pullback(parameters: theta, inputs: evaluation.inputs, outputCotangent: u, into: &gradient)
        return zip(core.output, u).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// The graph objective's tangent along each direction (forward mode), a few directions per
    /// sweep, and the distance along each direction to the nearest kink of a piecewise node
    /// (first order: `|s| / |ds/dt|` for its switching argument `s`), with that node's name.
    private func graphTangents(
        _ ws: inout Workspace, directions: [(inout [Double], Int, Int) -> Void]
    ) throws(CaseFailure) -> (tangents: [Double], kinks: [(distance: Double, node: String)?]) {
        let graph = c.graph
        let n = graph.inputCount, output = graph.outputNodes[0]
        let kinks = KinkFinder(graph: graph, target: output)
        let chunk = Swift.max(1, Swift.min(8, directions.count))
        var tangents: [Double] = [], nearestKinks: [(distance: Double, node: Int)?] = []
        var start = 0
        while start < directions.count {
            let width = Swift.min(chunk, directions.count - start)
            var seeds = [Double](repeating: 0, count: n * width)
            for j in 0..<width { directions[start + j](&seeds, j, width) }
            do { try ws.forward(seeds: seeds, width: width) } catch { throw CaseFailure(error.description) }
            for j in 0..<width {
                tangents.append(ws.tangent(of: output, direction: j))
                let nearest = kinks.nearest(in: ws, direction: j)
                nearestKinks.append(nearest)
            }
            start += width
        }
        let names = nearestKinks.contains { $0 != nil } ? graph.displayNames : []
        return (tangents, nearestKinks.map { $0.map { ($0.distance, names[$0.node]) } })
    }

    /// The network core against the graph for one tensor, with a check on the worst entry.
    private mutating func tensorAgreement(
        name: String, kind: TensorAgreement.Kind, shape: [Int], core: [Double], graph: [Double],
        entryName: (Int) -> String, tolerance: AgreementTolerance
    ) -> TensorAgreement {
        var largest = 0.0, worst = 0.0, worstIndex = 0
        for b in graph where b.isFinite { largest = Swift.max(largest, abs(b)) }
        for (k, (a, b)) in zip(core, graph).enumerated() {
            let d = a == b ? 0 : (a.isFinite && b.isFinite ? abs(a - b) : .infinity)
            if d > worst { worst = d; worstIndex = k }
        }
        let comparison = compareModes(forward: core[worstIndex], reverse: graph[worstIndex], scale: largest, tolerance: tolerance)
        let what: String
        switch kind {
        case .gradient: what = "∂L/∂\(name)"
        case .adjoint: what = "∂L/∂\(name) (adjoints)"
        case .value: what = "\(name) (values)"
        }
        var check = Check(quantity: what, kind: .network, comparison: comparison)
        check.detail = "the network core against the ADCore graph, worst of \(core.count) entries at \(entryName(worstIndex))"
        checks.append(check)
        return TensorAgreement(
            name: name, kind: kind, shape: shape,
            worstRelativeError: worst == 0 ? 0 : worst / Swift.max(largest, .leastNormalMagnitude),
            worstEntry: entryName(worstIndex), largestMagnitude: largest, verdict: comparison.verdict,
            oracleCoordinates: 0, oracleWorstDigits: nil)
    }

    /// `count` distinct coordinates drawn with a generator seeded by the case id, at least two
    /// from every tensor (all of a tensor smaller than that), the rest in proportion to size.
    static func sample(_ tensors: [ParameterTensor], count: Int, seed: String) -> [Int] {
        var generator = SplitMix64(seed: seed + "/sample")
        let total = tensors.reduce(0) { $0 + $1.count }
        var chosen: [Int] = []
        for tensor in tensors {
            let share = Swift.min(tensor.count, Swift.max(2, Int((Double(count) * Double(tensor.count) / Double(total)).rounded())))
            var picked = Set<Int>()
            while picked.count < share { picked.insert(Int(generator.next() % UInt64(tensor.count))) }
            chosen += picked.sorted().map { tensor.offset + $0 }
        }
        return chosen
    }
}
