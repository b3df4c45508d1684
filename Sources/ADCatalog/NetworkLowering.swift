// A network written out as an ADCore graph, scalar by scalar: the independent reference that
// the network core's backprop is compared with. Shares nothing with ADNetwork's arithmetic;
// only the architecture (shapes, parameter layout) comes from `Sequential`.
import ADCore
import ADNetwork
import Foundation

/// Lowers a ``Sequential`` with a batch of data to a ``Graph`` whose inputs are the parameters
/// (named `W1_2_3`, `b1_2`, in the flat parameter order) and whose one output is the objective
/// `L`. Data and targets are constants. Each layer's outputs are named `<layer>_<sample>_<i>...`.
enum NetworkLowering {
    /// Graphs larger than this are refused: the case should use a smaller batch.
    static let maxNodes = 4_000_000

    struct Lowered {
        var graph: Graph
        var outputNodes: [Int]
        var layerNodes: [[Int]]
    }

    /// A count of the nodes the lowering will create, to refuse absurd sizes before building.
    /// Saturates at `Int.max`: the sizes come from the case file, and their products (a pool's
    /// window times its outputs, twice a dense layer's weights) can overflow 64 bits even when
    /// the network's own shapes and parameter count do not.
    static func estimatedNodes(_ model: Sequential, batch: Int) -> Int {
        func mul(_ a: Int, _ b: Int) -> Int {
            let (p, overflow) = a.multipliedReportingOverflow(by: b)
            return overflow ? Int.max : p
        }
        func add(_ a: Int, _ b: Int) -> Int {
            let (s, overflow) = a.addingReportingOverflow(b)
            return overflow ? Int.max : s
        }
        var perSample = model.input.count
        for (k, layer) in model.layers.enumerated() {
            let out = model.shapes[k].count
            switch layer {
            case .dense(let d): perSample = add(perSample, add(mul(2, mul(d.inputs, d.outputs)), d.outputs))
            case .conv2d(let c): perSample = add(perSample, mul(out, add(mul(2, mul(c.inChannels, mul(c.kernel, c.kernel))), 1)))
            case .maxPool(let p), .avgPool(let p): perSample = add(perSample, mul(out, add(mul(p.size, p.size), 1)))
            case .activation, .flatten: perSample = add(perSample, mul(2, out))
            }
        }
        return add(add(mul(perSample, batch), model.parameterCount), mul(4, mul(model.output.count, batch)))
    }

    static func lower(
        _ model: Sequential, layerNames: [String], parameters: [Double], inputs data: [Double], batch: Int,
        loss: Loss?, targets: Targets?, cotangent: [Double]?
    ) throws(ADCoreError) -> Lowered {
        var b = GraphBuilder()
        // Parameters: one input per entry, in the flat order.
        var parameter = [Int](repeating: 0, count: model.parameterCount)
        for tensor in model.parameters {
            for k in 0..<tensor.count {
                parameter[tensor.offset + k] = try b.input(tensor.entryName(k))
            }
        }
        func tensor(_ layer: Int, _ role: ParameterTensor.Role) -> ParameterTensor? {
            model.parameters.first { $0.layer == layer && $0.role == role }
        }
        // Data: named constants x_<sample>_<i>...
        var current = [Int]()
        current.reserveCapacity(data.count)
        let inputShape = [batch] + model.input.dims
        for k in 0..<data.count {
            current.append(try b.constant(data[k], name: NetworkNames.entry("x", shape: inputShape, k)))
        }
        var layerNodes: [[Int]] = []
        for (k, layer) in model.layers.enumerated() {
            let inShape = model.inputShape(of: k), outShape = model.shapes[k]
            let inCount = inShape.count, outCount = outShape.count
            var next = [Int]()
            next.reserveCapacity(batch * outCount)
            switch layer {
            case .dense(let d):
                let w = tensor(k, .weight)!, bias = tensor(k, .bias)
                for n in 0..<batch {
                    for o in 0..<d.outputs {
                        var sum = try b.apply(.mul, parameter[w.offset + o * d.inputs], current[n * inCount])
                        for i in 1..<d.inputs {
                            let term = try b.apply(.mul, parameter[w.offset + o * d.inputs + i], current[n * inCount + i])
                            sum = try b.apply(.add, sum, term)
                        }
                        if let bias { sum = try b.apply(.add, sum, parameter[bias.offset + o]) }
                        next.append(sum)
                    }
                }
            case .activation(let a):
                for node in current { next.append(try activate(a, node, &b)) }
            case .conv2d(let c):
                let w = tensor(k, .weight)!, bias = tensor(k, .bias)
                let (h, wd) = (inShape.dims[1], inShape.dims[2])
                let (oh, ow) = (outShape.dims[1], outShape.dims[2])
                for n in 0..<batch {
                    for f in 0..<c.outChannels {
                        for i in 0..<oh {
                            for j in 0..<ow {
                                var sum: Int?
                                for ch in 0..<c.inChannels {
                                    for u in 0..<c.kernel {
                                        for v in 0..<c.kernel {
                                            let r = i * c.stride + u - c.padding, s = j * c.stride + v - c.padding
                                            guard r >= 0, r < h, s >= 0, s < wd else { continue }  // zero padding
                                            let weight = parameter[w.offset + ((f * c.inChannels + ch) * c.kernel + u) * c.kernel + v]
                                            let term = try b.apply(.mul, weight, current[n * inCount + (ch * h + r) * wd + s])
                                            if let partial = sum { sum = try b.apply(.add, partial, term) } else { sum = term }
                                        }
                                    }
                                }
                                var node: Int
                                if let sum { node = sum } else { node = try b.constant(0) }  // a window entirely in the padding
                                if let bias { node = try b.apply(.add, node, parameter[bias.offset + f]) }
                                next.append(node)
                            }
                        }
                    }
                }
            case .maxPool(let p), .avgPool(let p):
                let isMax: Bool
                if case .maxPool = layer { isMax = true } else { isMax = false }
                let (channels, h, wd) = (inShape.dims[0], inShape.dims[1], inShape.dims[2])
                let (oh, ow) = (outShape.dims[1], outShape.dims[2])
                let scale = try b.constant(1 / Double(p.size * p.size))
                for n in 0..<batch {
                    for ch in 0..<channels {
                        for i in 0..<oh {
                            for j in 0..<ow {
                                var acc: Int?
                                for u in 0..<p.size {
                                    for v in 0..<p.size {
                                        let x = current[n * inCount + (ch * h + i * p.stride + u) * wd + j * p.stride + v]
                                        // max(a, b) keeps the first operand on a tie: the first maximum in row-major order.
                                        if let a = acc { acc = try b.apply(isMax ? .max : .add, a, x) } else { acc = x }
                                    }
                                }
                                next.append(isMax ? acc! : try b.apply(.mul, acc!, scale))
                            }
                        }
                    }
                }
            case .flatten:
                next = current
            }
            // Name the layer's outputs (a node already named by an earlier layer keeps its name).
            let shape = [batch] + outShape.dims
            for (index, node) in next.enumerated() where b.name(of: node) == nil {
                try b.name(node, NetworkNames.entry(layerNames[k], shape: shape, index))
            }
            layerNodes.append(next)
            current = next
        }
        let objective = try objectiveNode(
            current, model: model, batch: batch, loss: loss, targets: targets, cotangent: cotangent, parameters: parameters, &b)
        try b.name(objective, NetworkNames.objective)
        try b.output(objective, name: NetworkNames.objective)
        return Lowered(graph: try b.build(), outputNodes: current, layerNodes: layerNodes)
    }

    /// The values of `nodes` at the parameters, from a copy of the graph so far.
    private static func values(of nodes: [Int], in b: GraphBuilder, at parameters: [Double]) throws(ADCoreError) -> [Double] {
        var scratch = b
        for node in nodes { try scratch.output(node) }
        var ws = Workspace(for: try scratch.build())
        try ws.evaluate(at: parameters)
        return ws.outputValues
    }

    private static func activate(_ a: Activation, _ x: Int, _ b: inout GraphBuilder) throws(ADCoreError) -> Int {
        switch a {
        case .identity: x
        case .sigmoid: try b.apply(.sigmoid, x)
        case .tanh: try b.apply(.tanh, x)
        case .relu: try b.apply(.relu, x)
        case .softplus: try b.apply(.softplus, x)
        case .leakyRelu(let slope): try b.apply(.leakyRelu, x, b.constant(slope))
        case .elu(let alpha): try b.apply(.elu, x, b.constant(alpha))
        }
    }

    /// The loss of the outputs, `<u, output>`, or the one output number (times 1, so `L` is a node of its own).
    private static func objectiveNode(
        _ out: [Int], model: Sequential, batch: Int, loss: Loss?, targets: Targets?, cotangent: [Double]?,
        parameters: [Double], _ b: inout GraphBuilder
    ) throws(ADCoreError) -> Int {
        let classes = model.output.count
        func sum(_ nodes: [Int]) throws(ADCoreError) -> Int {
            var acc = nodes[0]
            for node in nodes.dropFirst() { acc = try b.apply(.add, acc, node) }
            return acc
        }
        guard let loss else {
            guard let u = cotangent else { return try b.apply(.mul, out[0], b.constant(1)) }
            var terms: [Int] = []
            for (k, node) in out.enumerated() { terms.append(try b.apply(.mul, node, b.constant(u[k]))) }
            return try sum(terms)
        }
        switch (loss, targets) {
        case (.squaredError, .values(let y)?):
            var terms: [Int] = []
            for (k, node) in out.enumerated() {
                let d = try b.apply(.sub, node, b.constant(y[k]))
                terms.append(try b.apply(.mul, d, d))
            }
            return try b.apply(.mul, sum(terms), b.constant(0.5 / Double(batch)))
        case (.binaryCrossEntropyWithLogits, .values(let y)?):
            // softplus(z) - z y = max(z, 0) - z y + log(1 + exp(-|z|)); ADCore's softplus is the stable form.
            var terms: [Int] = []
            for (k, z) in out.enumerated() {
                terms.append(try b.apply(.sub, b.apply(.softplus, z), b.apply(.mul, z, b.constant(y[k]))))
            }
            return try b.apply(.mul, sum(terms), b.constant(1 / Double(out.count)))
        case (.multiclassLogistic, .labels(let labels)?), (.softmaxCrossEntropy, .labels(let labels)?):
            // log sum_y exp f_y - f_target, written as c + log sum_y exp(f_y - c) with c a constant:
            // the same function for every c, and no overflow for c = max_y f_y at the case's point.
            let f = try values(of: out, in: b, at: parameters)
            var perSample: [Int] = []
            for n in 0..<batch {
                let row = Array(out[n * classes ..< (n + 1) * classes])
                let shift = try b.constant(f[n * classes ..< (n + 1) * classes].max()!)
                var exps: [Int] = []
                for node in row { exps.append(try b.apply(.exp, b.apply(.sub, node, shift))) }
                let lse = try b.apply(.add, b.apply(.log, sum(exps)), shift)
                perSample.append(try b.apply(.sub, lse, row[labels[n]]))
            }
            let total = try sum(perSample)
            return loss == .softmaxCrossEntropy ? try b.apply(.mul, total, b.constant(1 / Double(batch))) : total
        default:
            preconditionFailure("the reader pairs every loss with its kind of targets")
        }
    }
}
