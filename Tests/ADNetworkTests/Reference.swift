// The references the network core is checked against: the same networks written out as
// plain scalar formulas over any `ADScalar` (no im2col, no BLAS, no shared code with
// ADNetwork's kernels), recorded into ADCore graphs and differentiated there.
import ADCore
import ADNetwork
import ADTestSupport
import PropertyBased

/// A network written over `ADScalar`s straight from the definitions, one sample at a time.
enum Reference {
    static func activation<T: ADScalar>(_ a: Activation, _ x: T) -> T {
        switch a {
        case .identity: x
        case .sigmoid: T.sigmoid(x)
        case .tanh: T.tanh(x)
        case .relu: T.relu(x)
        case .leakyRelu(let c): T.leakyRelu(x, T(c))
        case .elu(let c): T.elu(x, T(c))
        case .softplus: T.softplus(x)
        }
    }

    /// The outputs, batch-major, of `network` at parameters `theta` on `inputs`.
    static func outputs<T: ADScalar>(_ network: Sequential, parameters theta: [T], inputs: [T], batch: Int) -> [T] {
        var result: [T] = []
        let n = network.input.count
        for s in 0..<batch {
            var x = Array(inputs[(s * n)..<((s + 1) * n)])
            var shape = network.input.dims
            for (k, layer) in network.layers.enumerated() {
                let tensors = network.parameters.filter { $0.layer == k }
                let w = tensors.first { $0.role == .weight }
                let b = tensors.first { $0.role == .bias }
                switch layer {
                case .dense(let d):
                    // y_o = sum_i W_oi x_i + b_o
                    var y: [T] = []
                    for o in 0..<d.outputs {
                        var sum: T = b.map { theta[$0.offset + o] } ?? T(0)
                        for i in 0..<d.inputs { sum = sum + theta[w!.offset + o * d.inputs + i] * x[i] }
                        y.append(sum)
                    }
                    x = y
                case .conv2d(let c):
                    // y_o,i,j = b_o + sum_c,k,l W_o,c,k,l x_c,(i s - p + k),(j s - p + l)   (the slides' formula)
                    let (h, wd) = (shape[1], shape[2])
                    let out = network.shapes[k].dims
                    var y: [T] = []
                    for o in 0..<c.outChannels {
                        for i in 0..<out[1] {
                            for j in 0..<out[2] {
                                var sum: T = b.map { theta[$0.offset + o] } ?? T(0)
                                for ch in 0..<c.inChannels {
                                    for kr in 0..<c.kernel {
                                        for kc in 0..<c.kernel {
                                            let r = i * c.stride - c.padding + kr, q = j * c.stride - c.padding + kc
                                            guard r >= 0, r < h, q >= 0, q < wd else { continue }
                                            let weight = theta[w!.offset + ((o * c.inChannels + ch) * c.kernel + kr) * c.kernel + kc]
                                            sum = sum + weight * x[(ch * h + r) * wd + q]
                                        }
                                    }
                                }
                                y.append(sum)
                            }
                        }
                    }
                    x = y
                case .maxPool(let p), .avgPool(let p):
                    let isMax: Bool
                    if case .maxPool = layer { isMax = true } else { isMax = false }
                    let (h, wd) = (shape[1], shape[2])
                    let out = network.shapes[k].dims
                    var y: [T] = []
                    for ch in 0..<shape[0] {
                        for i in 0..<out[1] {
                            for j in 0..<out[2] {
                                var window: [T] = []
                                for r in 0..<p.size {
                                    for q in 0..<p.size { window.append(x[(ch * h + i * p.stride + r) * wd + j * p.stride + q]) }
                                }
                                if isMax {
                                    // max(a, b) differentiates as a on a tie: folding left, the first maximum wins.
                                    y.append(window.dropFirst().reduce(window[0]) { T.max($0, $1) })
                                } else {
                                    y.append(window.dropFirst().reduce(window[0]) { $0 + $1 } / T(Double(p.size * p.size)))
                                }
                            }
                        }
                    }
                    x = y
                case .activation(let a):
                    x = x.map { activation(a, $0) }
                case .flatten:
                    break
                }
                shape = network.shapes[k].dims
            }
            result += x
        }
        return result
    }

    /// The loss of `f` (batch-major), written from the definitions: the log-sum-exp plainly
    /// (the test logits are small), the binary cross-entropy as `y softplus(-z) + (1-y) softplus(z)`.
    static func loss<T: ADScalar>(_ loss: Loss, _ f: [T], targets: Targets, batch: Int) -> T {
        let classes = f.count / batch
        var sum = T(0)
        switch (loss, targets) {
        case (.squaredError, .values(let y)):
            for i in 0..<f.count { sum = sum + 0.5 * (f[i] - y[i]) * (f[i] - y[i]) }
            return sum / T(Double(batch))
        case (.binaryCrossEntropyWithLogits, .values(let y)):
            for i in 0..<f.count { sum = sum + y[i] * T.softplus(-f[i]) + (1 - y[i]) * T.softplus(f[i]) }
            return sum / T(Double(f.count))
        case (.multiclassLogistic, .labels(let t)), (.softmaxCrossEntropy, .labels(let t)):
            for s in 0..<batch {
                var z = T(0)
                for k in 0..<classes { z = z + T.exp(f[s * classes + k]) }
                sum = sum + T.log(z) - f[s * classes + t[s]]
            }
            return loss == .softmaxCrossEntropy ? sum / T(Double(batch)) : sum
        default:
            fatalError("targets do not fit the loss")
        }
    }

    /// `L(theta, x)` recorded as an ADCore graph whose inputs are the parameters, then the inputs.
    static func lossGraph(_ network: Sequential, loss: Loss, targets: Targets, batch: Int) throws -> Graph {
        let p = network.parameterCount
        return try Graph.record(inputCount: p + batch * network.input.count) { v in
            let f = outputs(network, parameters: Array(v[..<p]), inputs: Array(v[p...]), batch: batch)
            return Reference.loss(loss, f, targets: targets, batch: batch)
        }
    }

    /// The outputs `f(theta, x)` recorded as a graph with one output per entry.
    static func outputGraph(_ network: Sequential, batch: Int) throws -> Graph {
        let p = network.parameterCount
        let names = (0..<(p + batch * network.input.count)).map { "v\($0)" }
        return try Graph.record(inputNames: names, outputs: { v in
            outputs(network, parameters: Array(v[..<p]), inputs: Array(v[p...]), batch: batch)
        })
    }
}

/// Random parameters, inputs and targets for a network, from a seeded generator.
struct Problem {
    var parameters: [Double]
    var inputs: [Double]
    var targets: Targets

    init(_ network: Sequential, batch: Int, loss: Loss, seed: UInt64) {
        var rng = seededGenerator(seed)
        parameters = (0..<network.parameterCount).map { _ in Double.random(in: -0.8...0.8, using: &rng) }
        inputs = (0..<(batch * network.input.count)).map { _ in Double.random(in: -1.5...1.5, using: &rng) }
        let classes = network.output.count
        switch loss {
        case .multiclassLogistic, .softmaxCrossEntropy:
            targets = .labels((0..<batch).map { _ in Int.random(in: 0..<classes, using: &rng) })
        case .binaryCrossEntropyWithLogits:
            targets = .values((0..<(batch * classes)).map { _ in Double.random(in: 0...1, using: &rng) })
        case .squaredError:
            targets = .values((0..<(batch * classes)).map { _ in Double.random(in: -1...1, using: &rng) })
        }
    }
}

/// `max_i |a_i - b_i|` and `max_i |b_i|`.
func maxAbsDifference(_ a: some Collection<Double>, _ b: some Collection<Double>) -> (difference: Double, scale: Double) {
    precondition(a.count == b.count)
    var d = 0.0, s = 0.0
    for (x, y) in zip(a, b) {
        d = Swift.max(d, Swift.abs(x - y))
        s = Swift.max(s, Swift.abs(y))
    }
    return (d, s)
}
