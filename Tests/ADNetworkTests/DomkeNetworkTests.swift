// Domke's general units v_i = sigma_i(w_i . v_Pa(i)) and his backpropagation algorithm, against
// the layered workspace and against ADCore graphs.
import ADCore
import ADNetwork
import ADTestSupport
import Foundation
import PropertyBased
import Testing

@Suite("Domke's unit networks")
struct DomkeNetworkTests {
    /// The 6-5 tanh-3 identity net with Domke's multiclass logistic loss, from closed forms
    /// written here (none of ADNetwork's losses or activation derivatives): a = W1 x, h = tanh a,
    /// z = W2 h, L = log sum_k e^z_k - z_label; dL/dz = softmax(z) - e_label, dL/dW2 = dL/dz h^T,
    /// dL/da = (W2^T dL/dz) * sech^2 a, dL/dW1 = dL/da x^T. Weights in the Sequential's order
    /// (W1 row-major, then W2).
    static func layeredClosedForm(weights w: [Double], x: [Double], label: Int) -> (loss: Double, outputs: [Double], gradient: [Double]) {
        let (n, m, k) = (6, 5, 3)
        let w2 = n * m
        let a = (0..<m).map { j in (0..<n).reduce(0.0) { $0 + w[j * n + $1] * x[$1] } }
        let h = a.map { Foundation.tanh($0) }
        let z = (0..<k).map { o in (0..<m).reduce(0.0) { $0 + w[w2 + o * m + $1] * h[$1] } }
        let exps = z.map { Foundation.exp($0) }
        let total = exps.reduce(0, +)
        let loss = Foundation.log(total) - z[label]
        let dz = (0..<k).map { o in exps[o] / total - (o == label ? 1 : 0) }
        var g = [Double](repeating: 0, count: w2 + k * m)
        for o in 0..<k { for j in 0..<m { g[w2 + o * m + j] = dz[o] * h[j] } }
        for j in 0..<m {
            let sech = 1 / Foundation.cosh(a[j])
            let da = (0..<k).reduce(0.0) { $0 + w[w2 + $1 * m + j] * dz[$1] } * sech * sech
            for i in 0..<n { g[j * n + i] = da * x[i] }
        }
        return (loss, z, g)
    }

    @Test("A 6-5 tanh-3 identity layered net as units: the outputs, loss and gradient of the closed forms (and the workspace's)")
    func layered() throws {
        let sequential = try Sequential(input: Shape([6]), layers: [
            .dense(Dense(inputs: 6, outputs: 5, bias: false)), .activation(.tanh),
            .dense(Dense(inputs: 5, outputs: 3, bias: false)),
        ])
        let units = try UnitNetwork(layered: sequential)
        #expect(units.inputCount == 6 && units.units.count == 8 && units.outputCount == 3)
        #expect(units.weightCount == sequential.parameterCount)
        #expect(units.units[0].parents == Array(0..<6) && units.units[0].activation == .tanh)
        #expect(units.units[7].parents == Array(6..<11) && units.units[7].activation == .identity)

        var rng = seededGenerator(61)
        let weights = (0..<units.weightCount).map { _ in Double.random(in: -1...1, using: &rng) }
        let x = (0..<6).map { _ in Double.random(in: -2...2, using: &rng) }
        for label in 0..<3 {
            var g: [Double] = []
            let L = units.backpropagation(x: x, weights: weights, loss: .multiclassLogistic, target: .labels([label]), gradient: &g)
            let f = Array(units.forward(x: x, weights: weights).suffix(3))

            // The reference: closed forms, independent of the network core.
            let truth = Self.layeredClosedForm(weights: weights, x: x, label: label)
            #expect(g.count == truth.gradient.count)
            #expect(L.isApproximatelyEqual(to: truth.loss, relativeTolerance: 1e-13))
            let (difference, scale) = maxAbsDifference(g, truth.gradient)
            #expect(difference <= 1e-13 * scale, "label \(label): max difference \(difference) from the closed form, scale \(scale)")
            let (fd, fs) = maxAbsDifference(f, truth.outputs)
            #expect(fd <= 1e-14 * fs)

            // The layered workspace agrees too (the same weights in the same order).
            var workspace = NetworkWorkspace(network: sequential, batch: 1)
            var expected: [Double] = []
            let value = workspace.valueAndGradient(parameters: weights, inputs: x, loss: .multiclassLogistic, targets: .labels([label]), into: &expected)
            #expect(L.isApproximatelyEqual(to: value, relativeTolerance: 1e-14))
            let (wd, ws) = maxAbsDifference(g, expected)
            #expect(wd <= 1e-13 * ws, "label \(label): max difference \(wd) from the workspace, scale \(ws)")
        }
    }

    @Test("Domke's MNIST net 784-72 tanh-10 identity: 57,168 weights in the Sequential's order")
    func mnistShape() throws {
        let sequential = try Sequential(input: Shape([784]), layers: [
            .dense(Dense(inputs: 784, outputs: 72, bias: false)), .activation(.tanh),
            .dense(Dense(inputs: 72, outputs: 10, bias: false)),
        ])
        let units = try UnitNetwork(layered: sequential)
        #expect(units.weightCount == 57_168)
        #expect(units.weightOffsets[72] == 72 * 784)
        #expect(units.valueCount == 784 + 72 + 10)
    }

    /// Three inputs; five units, some skipping layers; the last two are the outputs, and the
    /// last output also reads the first output (values 0-2 inputs, 3-7 units).
    static let dag = [
        UnitNetwork.Unit(parents: [0, 1], activation: .tanh),
        UnitNetwork.Unit(parents: [0, 1, 2, 3], activation: .sigmoid),
        UnitNetwork.Unit(parents: [3, 4, 2], activation: .elu(0.8)),
        UnitNetwork.Unit(parents: [0, 4, 5], activation: .identity),
        UnitNetwork.Unit(parents: [3, 5, 6, 1], activation: .softplus),
    ]

    /// The same DAG written out in scalars from `v_i = sigma(w_i . v_Pa(i))`, with the weights
    /// as the graph's inputs.
    static func dagOutputs<T: ADScalar>(_ w: [T], x: [Double]) -> [T] {
        var v = x.map { T($0) }
        var k = 0
        for unit in dag {
            var a = T(0)
            for p in unit.parents {
                a = a + w[k] * v[p]
                k += 1
            }
            v.append(Reference.activation(unit.activation, a))
        }
        return Array(v.suffix(2))
    }

    @Test("A DAG with skip connections, an output feeding an output: every loss against ADCore", arguments: Loss.allCases)
    func skipConnections(_ loss: Loss) throws {
        let network = try UnitNetwork(inputCount: 3, units: Self.dag, outputCount: 2)
        #expect(network.weightOffsets == [0, 2, 6, 9, 12, 16])
        var rng = seededGenerator(62)
        let weights = (0..<network.weightCount).map { _ in rng.nonUnit() / 2 }
        let x = [0.7, -1.3, 2.1]
        let target: Targets = loss.takesLabels ? .labels([1]) : .values([0.35, -0.6])
        let graph = try Graph.record(inputCount: network.weightCount) { w in
            Reference.loss(loss, Self.dagOutputs(w, x: x), targets: target, batch: 1)
        }
        var reference = ADCore.Workspace(for: graph)
        let expected = try reference.gradient(at: weights)

        var g: [Double] = []
        let L = network.backpropagation(x: x, weights: weights, loss: loss, target: target, gradient: &g)
        #expect(L.isApproximatelyEqual(to: reference.outputValue(0), relativeTolerance: 1e-13))
        let (difference, scale) = maxAbsDifference(g, expected)
        #expect(difference <= 1e-12 * scale, "\(loss.rawValue): max difference \(difference), scale \(scale)")
        let values = network.forward(x: x, weights: weights)
        #expect(Array(values.prefix(3)) == x)
        #expect(Array(values.suffix(2)) == Self.dagOutputs(weights, x: x))
    }

    @Test("Bad networks are errors: a parent not earlier than its unit, more outputs than units, biases, convolutions, two activations in a row")
    func errors() throws {
        #expect(throws: NetworkError.self) {
            try UnitNetwork(inputCount: 2, units: [.init(parents: [0, 2], activation: .tanh)], outputCount: 1)
        }
        #expect(throws: NetworkError.self) {
            try UnitNetwork(inputCount: 2, units: [.init(parents: [-1], activation: .tanh)], outputCount: 1)
        }
        #expect(throws: NetworkError.self) {
            try UnitNetwork(inputCount: 2, units: [.init(parents: [0, 1], activation: .tanh)], outputCount: 2)
        }
        let layered: [[Layer]] = [
            [.dense(Dense(inputs: 4, outputs: 2))],
            [.activation(.tanh), .dense(Dense(inputs: 4, outputs: 2, bias: false))],
            [.dense(Dense(inputs: 4, outputs: 2, bias: false)), .activation(.tanh), .activation(.relu)],
        ]
        for layers in layered {
            let sequential = try Sequential(input: Shape([4]), layers: layers)
            #expect(throws: NetworkError.self) { try UnitNetwork(layered: sequential) }
        }
        let conv = try Sequential(input: Shape([1, 3, 3]), layers: [.conv2d(Conv2d(inChannels: 1, outChannels: 1, kernel: 3, bias: false)), .flatten])
        #expect(throws: NetworkError.self) { try UnitNetwork(layered: conv) }
    }
}
