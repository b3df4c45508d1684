// Every layer, activation and loss of the workspace's backprop against an ADCore graph of
// the same computation recorded from the reference formulas, and against central differences
// along a random direction.
import ADCore
import ADNetwork
import ADTestSupport
import Foundation
import PropertyBased
import Testing

/// One network to check: its layers, batch size and loss.
struct NetworkCase: Sendable, CustomTestStringConvertible {
    var name: String
    var input: [Int]
    var layers: [Layer]
    var batch: Int
    var loss: Loss
    var seed: UInt64

    var testDescription: String { name }
    func network() throws -> Sequential { try Sequential(input: Shape(input), layers: layers) }

    static let dense = NetworkCase(
        name: "dense 3->4 tanh ->2, batch 3", input: [3],
        layers: [.dense(Dense(inputs: 3, outputs: 4)), .activation(.tanh), .dense(Dense(inputs: 4, outputs: 2))],
        batch: 3, loss: .squaredError, seed: 11)
    static let denseNoBias = NetworkCase(
        name: "dense 3->4 sigmoid ->2 without biases, batch 1", input: [3],
        layers: [.dense(Dense(inputs: 3, outputs: 4, bias: false)), .activation(.sigmoid), .dense(Dense(inputs: 4, outputs: 2, bias: false))],
        batch: 1, loss: .squaredError, seed: 12)
    static let denseSingle = NetworkCase(
        name: "dense 5->3 elu ->2 with biases, batch 1 (the dgemv / outer-product path)", input: [5],
        layers: [.dense(Dense(inputs: 5, outputs: 3)), .activation(.elu(0.6)), .dense(Dense(inputs: 3, outputs: 2))],
        batch: 1, loss: .binaryCrossEntropyWithLogits, seed: 23)
    static let convStride1 = NetworkCase(
        name: "conv 2x6x6 -> 3 filters 3x3 stride 1 pad 1, batch 2", input: [2, 6, 6],
        layers: [.conv2d(Conv2d(inChannels: 2, outChannels: 3, kernel: 3, stride: 1, padding: 1))],
        batch: 2, loss: .squaredError, seed: 13)
    static let convStride2 = NetworkCase(
        name: "conv 2x7x7 -> 3 filters 3x3 stride 2 pad 1, batch 2", input: [2, 7, 7],
        layers: [.conv2d(Conv2d(inChannels: 2, outChannels: 3, kernel: 3, stride: 2, padding: 1))],
        batch: 2, loss: .squaredError, seed: 14)
    static let convNoBias = NetworkCase(
        name: "conv 3x5x5 -> 2 filters 2x2 stride 1 no pad, no bias, then 2 filters 3x3 pad 2, batch 3", input: [3, 5, 5],
        layers: [
            .conv2d(Conv2d(inChannels: 3, outChannels: 2, kernel: 2, bias: false)),
            .conv2d(Conv2d(inChannels: 2, outChannels: 2, kernel: 3, stride: 1, padding: 2)),
        ],
        batch: 3, loss: .squaredError, seed: 15)
    static let maxPool = NetworkCase(
        name: "maxpool 2x2/2 on 2x4x4, batch 2", input: [2, 4, 4],
        layers: [.conv2d(Conv2d(inChannels: 2, outChannels: 2, kernel: 1)), .maxPool(Pool(size: 2))],
        batch: 2, loss: .squaredError, seed: 16)
    static let maxPoolOverlapping = NetworkCase(
        name: "maxpool 3x3/1 (overlapping windows) first on 1x5x5, batch 2", input: [1, 5, 5],
        layers: [.maxPool(Pool(size: 3, stride: 1))],
        batch: 2, loss: .squaredError, seed: 17)
    static let avgPool = NetworkCase(
        name: "avgpool 2x2/2 on 2x4x4, batch 2", input: [2, 4, 4],
        layers: [.conv2d(Conv2d(inChannels: 2, outChannels: 2, kernel: 1)), .avgPool(Pool(size: 2))],
        batch: 2, loss: .squaredError, seed: 18)
    static let avgPoolOverlapping = NetworkCase(
        name: "avgpool 3x3/2 (overlapping windows) first on 2x7x7, batch 2", input: [2, 7, 7],
        layers: [.avgPool(Pool(size: 3, stride: 2))],
        batch: 2, loss: .squaredError, seed: 19)
    static let flatten = NetworkCase(
        name: "conv, flatten, dense, batch 2", input: [1, 4, 4],
        layers: [.conv2d(Conv2d(inChannels: 1, outChannels: 2, kernel: 3)), .flatten, .dense(Dense(inputs: 8, outputs: 3))],
        batch: 2, loss: .softmaxCrossEntropy, seed: 20)
    static let flattenFirst = NetworkCase(
        name: "flatten first, dense, batch 2", input: [2, 2, 3],
        layers: [.flatten, .dense(Dense(inputs: 12, outputs: 3)), .activation(.relu)],
        batch: 2, loss: .squaredError, seed: 21)
    static let cnn = NetworkCase(
        name: "conv relu maxpool conv tanh avgpool flatten dense, batch 3", input: [2, 8, 8],
        layers: [
            .conv2d(Conv2d(inChannels: 2, outChannels: 3, kernel: 3, padding: 1)), .activation(.relu), .maxPool(Pool(size: 2)),
            .conv2d(Conv2d(inChannels: 3, outChannels: 2, kernel: 3, stride: 1, padding: 1)), .activation(.tanh), .avgPool(Pool(size: 2)),
            .flatten, .dense(Dense(inputs: 8, outputs: 4)),
        ],
        batch: 3, loss: .multiclassLogistic, seed: 22)

    static let layers = [dense, denseNoBias, denseSingle, convStride1, convStride2, convNoBias, maxPool, maxPoolOverlapping, avgPool, avgPoolOverlapping, flatten, flattenFirst, cnn]

    static let activations: [Activation] = [.identity, .sigmoid, .tanh, .relu, .leakyRelu(0.1), .elu(1.3), .softplus]

    /// dense 3->4, the activation, dense 4->2, batch 3; and the activation as the first layer.
    static func activation(_ a: Activation) -> [NetworkCase] {
        [
            NetworkCase(
                name: "dense 3->4 \(a.name) ->2, batch 3", input: [3],
                layers: [.dense(Dense(inputs: 3, outputs: 4)), .activation(a), .dense(Dense(inputs: 4, outputs: 2))],
                batch: 3, loss: .squaredError, seed: 30),
            NetworkCase(
                name: "\(a.name) first, dense 3->2, batch 2", input: [3],
                layers: [.activation(a), .dense(Dense(inputs: 3, outputs: 2))],
                batch: 2, loss: .squaredError, seed: 31),
        ]
    }

    /// dense 3->4 tanh ->3, batch 4, with the loss.
    static func loss(_ loss: Loss) -> NetworkCase {
        NetworkCase(
            name: "dense 3->4 tanh ->3, batch 4, \(loss.rawValue)", input: [3],
            layers: [.dense(Dense(inputs: 3, outputs: 4)), .activation(.tanh), .dense(Dense(inputs: 4, outputs: 3))],
            batch: 4, loss: loss, seed: 40)
    }

    static let all = layers + activations.flatMap(activation) + Loss.allCases.map(loss)
}

@Suite("Backprop against ADCore graphs")
struct LayerGradientTests {
    static let tolerance = 1e-12

    /// The workspace's loss, parameter gradient and input adjoint against reverse mode on the
    /// recorded reference graph, relative to the reference gradient's largest entry.
    func check(_ c: NetworkCase) throws {
        let network = try c.network()
        let problem = Problem(network, batch: c.batch, loss: c.loss, seed: c.seed)
        let graph = try Reference.lossGraph(network, loss: c.loss, targets: problem.targets, batch: c.batch)
        var reference = ADCore.Workspace(for: graph)
        let expected = try reference.gradient(at: problem.parameters + problem.inputs)
        let expectedValue = reference.outputValue(0)

        var workspace = NetworkWorkspace(network: network, batch: c.batch)
        workspace.computesInputAdjoint = true
        var gradient: [Double] = []
        let value = workspace.valueAndGradient(
            parameters: problem.parameters, inputs: problem.inputs, loss: c.loss, targets: problem.targets, into: &gradient)
        let all = gradient + Array(workspace.inputAdjoint)

        #expect(value.isApproximatelyEqual(to: expectedValue, relativeTolerance: Self.tolerance), "\(c.name): loss \(value) vs \(expectedValue)")
        let (difference, scale) = maxAbsDifference(all, expected)
        #expect(scale > 0)
        #expect(difference <= Self.tolerance * scale, "\(c.name): max |gradient - ADCore| = \(difference), max |ADCore| = \(scale)")
        // Without the input adjoint the parameter gradient is the same.
        workspace.computesInputAdjoint = false
        var again: [Double] = []
        _ = workspace.valueAndGradient(parameters: problem.parameters, inputs: problem.inputs, loss: c.loss, targets: problem.targets, into: &again)
        #expect(again == gradient)
        // The value-only path agrees with the gradient path.
        #expect(workspace.value(parameters: problem.parameters, inputs: problem.inputs, loss: c.loss, targets: problem.targets) == value)
    }

    @Test("Every layer type", arguments: NetworkCase.layers)
    func layer(_ c: NetworkCase) throws { try check(c) }

    @Test("Every activation, inside and as the first layer", arguments: NetworkCase.activations.flatMap(NetworkCase.activation))
    func activation(_ c: NetworkCase) throws { try check(c) }

    @Test("Every loss", arguments: Loss.allCases.map(NetworkCase.loss))
    func loss(_ c: NetworkCase) throws { try check(c) }

    @Test("Max pool on a tie: the first maximum in the window gets the adjoint, as ADCore's max")
    func maxPoolTie() throws {
        let network = try Sequential(input: Shape([1, 2, 4]), layers: [.maxPool(Pool(size: 2))])
        let inputs: [Double] = [1, 3, 5, 5, 3, 2, 5, 5]  // window 1: 3 at (0,1) and (1,0) tie; window 2: four 5s
        let u: [Double] = [1.7, -0.6]
        var workspace = NetworkWorkspace(network: network, batch: 1)
        workspace.computesInputAdjoint = true
        var gradient: [Double] = []
        workspace.pullback(parameters: [], inputs: inputs, outputCotangent: u, into: &gradient)
        #expect(Array(workspace.output) == [3, 5])
        #expect(Array(workspace.inputAdjoint) == [0, 1.7, -0.6, 0, 0, 0, 0, 0])
        var reference = ADCore.Workspace(for: try Reference.outputGraph(network, batch: 1))
        #expect(try reference.vjp(at: inputs, cotangent: u) == Array(workspace.inputAdjoint))
    }

    @Test("Central differences of L(theta + t d) along a random direction match <gradient, d>", arguments: [
        NetworkCase.dense, NetworkCase.cnn, NetworkCase.convStride2, NetworkCase.loss(.binaryCrossEntropyWithLogits),
        NetworkCase.loss(.softmaxCrossEntropy),
    ])
    func randomDirection(_ c: NetworkCase) throws {
        let network = try c.network()
        let problem = Problem(network, batch: c.batch, loss: c.loss, seed: c.seed &+ 100)
        var rng = seededGenerator(c.seed &* 7 &+ 3)
        let d = (0..<network.parameterCount).map { _ in rng.nonUnit() }
        var workspace = NetworkWorkspace(network: network, batch: c.batch)
        var gradient: [Double] = []
        _ = workspace.valueAndGradient(parameters: problem.parameters, inputs: problem.inputs, loss: c.loss, targets: problem.targets, into: &gradient)
        let directional = zip(gradient, d).reduce(0) { $0 + $1.0 * $1.1 }

        func L(_ t: Double) -> Double {
            let theta = zip(problem.parameters, d).map { $0 + t * $1 }
            return workspace.value(parameters: theta, inputs: problem.inputs, loss: c.loss, targets: problem.targets)
        }
        let h = 1e-5
        let central = (L(h) - L(-h)) / (2 * h)
        let scale = zip(gradient, d).reduce(0) { $0 + Swift.abs($1.0 * $1.1) }
        #expect(Swift.abs(central - directional) <= 1e-7 * scale, "\(c.name): central \(central), <g, d> \(directional)")
    }
}
