// The network's vector-Jacobian product: the dot-product test against ADCore's forward mode,
// and every layer's output adjoint against ADCore's reverse mode on the rest of the network.
import ADCore
import ADNetwork
import ADTestSupport
import PropertyBased
import Testing

@Suite("Pullback")
struct PullbackTests {
    static let cases = [NetworkCase.cnn, NetworkCase.dense, NetworkCase.convStride2, NetworkCase.maxPoolOverlapping, NetworkCase.flattenFirst]

    @Test("Dot-product test: <u, J v> by ADCore's forward mode equals <J^T u, v> by the pullback", arguments: cases)
    func dotProduct(_ c: NetworkCase) throws {
        let network = try c.network()
        let problem = Problem(network, batch: c.batch, loss: c.loss, seed: c.seed &+ 50)
        var rng = seededGenerator(c.seed &* 31 &+ 1)
        let u = (0..<(c.batch * network.output.count)).map { _ in rng.nonUnit() }
        let v = (0..<(network.parameterCount + c.batch * network.input.count)).map { _ in rng.nonUnit() }

        var reference = ADCore.Workspace(for: try Reference.outputGraph(network, batch: c.batch))
        let jv = try reference.jvp(at: problem.parameters + problem.inputs, direction: v)
        let left = zip(u, jv).reduce(0) { $0 + $1.0 * $1.1 }

        var workspace = NetworkWorkspace(network: network, batch: c.batch)
        workspace.computesInputAdjoint = true
        var gradient: [Double] = []
        workspace.pullback(parameters: problem.parameters, inputs: problem.inputs, outputCotangent: u, into: &gradient)
        let jtu = gradient + Array(workspace.inputAdjoint)
        let right = zip(jtu, v).reduce(0) { $0 + $1.0 * $1.1 }

        let scale = zip(u, jv).reduce(0) { $0 + Swift.abs($1.0 * $1.1) }
        #expect(Swift.abs(left - right) <= 1e-12 * scale, "\(c.name): <u, Jv> = \(left), <J^T u, v> = \(right)")
        // Entry by entry, against ADCore's reverse mode too.
        let expected = try reference.vjp(at: problem.parameters + problem.inputs, cotangent: u)
        let (difference, size) = maxAbsDifference(jtu, expected)
        #expect(difference <= 1e-12 * size)
        #expect(Array(workspace.adjoint(of: network.layers.count - 1)) == u)
    }

    @Test("adjoint(of: k) is the pullback to layer k's output: ADCore's reverse mode on layers k+1... at activation(of: k)")
    func layerAdjoints() throws {
        let c = NetworkCase.cnn
        let network = try c.network()
        let problem = Problem(network, batch: c.batch, loss: c.loss, seed: 77)
        var rng = seededGenerator(78)
        let u = (0..<(c.batch * network.output.count)).map { _ in rng.nonUnit() }
        var workspace = NetworkWorkspace(network: network, batch: c.batch)
        var gradient: [Double] = []
        workspace.pullback(parameters: problem.parameters, inputs: problem.inputs, outputCotangent: u, into: &gradient)

        for k in 0..<(network.layers.count - 1) {
            let tail = try Sequential(input: network.shapes[k], layers: Array(network.layers[(k + 1)...]))
            let first = network.parameters.first { $0.layer > k }?.offset ?? network.parameterCount
            let theta = Array(problem.parameters[first...])
            #expect(theta.count == tail.parameterCount)
            var reference = ADCore.Workspace(for: try Reference.outputGraph(tail, batch: c.batch))
            let expected = try reference.vjp(at: theta + Array(workspace.activation(of: k)), cotangent: u)
            let (difference, size) = maxAbsDifference(workspace.adjoint(of: k), expected[theta.count...])
            #expect(size > 0)
            #expect(difference <= 1e-12 * size, "layer \(k) (\(network.layers[k].description)): \(difference) vs scale \(size)")
        }
    }
}
