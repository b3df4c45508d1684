// The selftest's network mutants, against a two-layer network's gradient written out by hand:
// the dropped activation derivative and the transposed weight gradients change exactly what
// they say, and nothing when unset or when the network has no such layer.
import ADNetwork
import ADTestSupport
import Foundation
import Testing

@Suite("Backprop mutations")
struct BackpropMutationTests {
    /// dense(2 -> 3) - tanh - dense(3 -> 2), batch 1: the pullback of `u` by hand.
    /// Parameters: W1 (3 x 2), b1 (3), W2 (2 x 3), b2 (2).
    static func handPullback(theta: [Double], x: [Double], u: [Double], dropTanhDerivative: Bool) -> [Double] {
        let w1 = Array(theta[0..<6]), b1 = Array(theta[6..<9]), w2 = Array(theta[9..<15])
        let z = (0..<3).map { o in b1[o] + w1[2 * o] * x[0] + w1[2 * o + 1] * x[1] }
        let a = z.map(tanh)
        let da = (0..<3).map { i in u[0] * w2[i] + u[1] * w2[3 + i] }
        let dz = (0..<3).map { i in dropTanhDerivative ? da[i] : da[i] * (1 - a[i] * a[i]) }
        var g = [Double](repeating: 0, count: 17)
        for o in 0..<3 { for i in 0..<2 { g[2 * o + i] = dz[o] * x[i] } }
        for o in 0..<3 { g[6 + o] = dz[o] }
        for o in 0..<2 { for i in 0..<3 { g[9 + 3 * o + i] = u[o] * a[i] } }
        for o in 0..<2 { g[15 + o] = u[o] }
        return g
    }

    static let network = try! Sequential(input: Shape([2]), layers: [
        .dense(Dense(inputs: 2, outputs: 3)), .activation(.tanh), .dense(Dense(inputs: 3, outputs: 2)),
    ])

    func pullback(_ mutation: BackpropMutation?, _ theta: [Double], _ x: [Double], _ u: [Double]) -> [Double] {
        var ws = NetworkWorkspace(network: Self.network, batch: 1)
        ws.backpropMutation = mutation
        var g: [Double] = []
        ws.pullback(parameters: theta, inputs: x, outputCotangent: u, into: &g)
        return g
    }

    func close(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-14 * max(1, abs($1)) }
    }

    @Test("each mutant changes the gradient as it says", arguments: 0..<10)
    func mutants(seed: UInt64) {
        var rng = seededGenerator(seed &+ 4_000)
        let theta = (0..<17).map { _ in rng.nonUnit() }, x = [rng.nonUnit(), rng.nonUnit()], u = [rng.nonUnit(), rng.nonUnit()]
        let truth = Self.handPullback(theta: theta, x: x, u: u, dropTanhDerivative: false)
        #expect(close(pullback(nil, theta, x, u), truth))
        #expect(close(pullback(.droppedActivationDerivative(.tanh), theta, x, u),
                      Self.handPullback(theta: theta, x: x, u: u, dropTanhDerivative: true)))
        // Another activation's mutant and the convolution's leave this network alone.
        #expect(close(pullback(.droppedActivationDerivative(.sigmoid), theta, x, u), truth))
        #expect(close(pullback(.transposedConvWeightGradient, theta, x, u), truth))
        // Transposed: W1's 3 x 2 gradient stored as 2 x 3, W2's 2 x 3 as 3 x 2; biases untouched.
        var transposed = truth
        for r in 0..<3 { for c in 0..<2 { transposed[c * 3 + r] = truth[r * 2 + c] } }
        for r in 0..<2 { for c in 0..<3 { transposed[9 + c * 2 + r] = truth[9 + r * 3 + c] } }
        #expect(close(pullback(.transposedDenseWeightGradient, theta, x, u), transposed))
    }

    @Test("mutants say which networks they change; ids are unique")
    func applies() throws {
        #expect(BackpropMutation.droppedActivationDerivative(.leakyRelu(0.3)).applies(to: [.activation(.leakyRelu(0.01))]))
        #expect(!BackpropMutation.droppedActivationDerivative(.relu).applies(to: Self.network.layers))
        #expect(BackpropMutation.transposedDenseWeightGradient.applies(to: Self.network.layers))
        #expect(!BackpropMutation.transposedConvWeightGradient.applies(to: Self.network.layers))
        #expect(Set(BackpropMutation.all.map(\.id)).count == BackpropMutation.all.count)
    }
}
