// A network actually learns with these gradients: XOR by plain gradient descent.
import ADNetwork
import ADTestSupport
import PropertyBased
import Testing

@Suite("Training")
struct TrainingTests {
    static func network() throws -> Sequential {
        try Sequential(input: Shape([2]), layers: [
            .dense(Dense(inputs: 2, outputs: 4)), .activation(.tanh), .dense(Dense(inputs: 4, outputs: 1)),
        ])
    }
    static let inputs: [Double] = [0, 0, 0, 1, 1, 0, 1, 1]
    static let targets = Targets.values([0, 1, 1, 0])

    /// `steps` of `theta <- theta - rate * grad L(theta)` from weights drawn from `seed`;
    /// the losses before each step and after the last.
    static func descend(seed: UInt64, steps: Int, rate: Double) throws -> (losses: [Double], parameters: [Double]) {
        let network = try network()
        var rng = seededGenerator(seed)
        var theta = (0..<network.parameterCount).map { _ in Double.random(in: -1...1, using: &rng) }
        var workspace = NetworkWorkspace(network: network, batch: 4)
        var gradient: [Double] = []
        var losses: [Double] = []
        for _ in 0..<steps {
            losses.append(workspace.valueAndGradient(parameters: theta, inputs: inputs, loss: .binaryCrossEntropyWithLogits, targets: targets, into: &gradient))
            for i in theta.indices { theta[i] -= rate * gradient[i] }
        }
        losses.append(workspace.value(parameters: theta, inputs: inputs, loss: .binaryCrossEntropyWithLogits, targets: targets))
        return (losses, theta)
    }

    @Test("XOR, 2-4 tanh-1, bce_with_logits, 400 steps of gradient descent (rate 1, seed 7): the loss falls from about 0.8 to below 0.01")
    func xor() throws {
        let (losses, theta) = try Self.descend(seed: 7, steps: 400, rate: 1)
        #expect(losses[0] > 0.6 && losses[0] < 0.9)
        #expect(losses.last! < 0.01)
        var workspace = NetworkWorkspace(network: try Self.network(), batch: 4)
        workspace.forward(parameters: theta, inputs: Self.inputs)
        let logits = Array(workspace.output)
        #expect(logits[0] < 0 && logits[1] > 0 && logits[2] > 0 && logits[3] < 0, "logits \(logits)")
        // Deterministic: the same seed gives the same run, bit for bit.
        #expect(try Self.descend(seed: 7, steps: 400, rate: 1).losses.map(\.bitPattern) == losses.map(\.bitPattern))
    }
}
