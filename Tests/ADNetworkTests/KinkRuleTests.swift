// The network core's kink rules: relu, leaky_relu and elu at a pre-activation of exactly 0
// under each convention, against a gradient written out by hand with the frameworks' values
// at 0 (PyTorch: 0, a, a; JAX: 0, 1, a), with random non-unit cotangents; max pooling's tie
// rule does not depend on the convention; the ignored-rule mutant.
import ADNetwork
import ADTestSupport
import Foundation
import Testing

@Suite("Network kink rules")
struct KinkRuleTests {
    /// phi'(0) by activation kind and rule, written here from the frameworks' sources.
    static func atZero(_ a: Activation, _ rule: Activation.KinkRule) -> Double {
        switch (a, rule) {
        case (_, .nonNegativeBranch): 1
        case (.relu, _): 0
        case (.leakyRelu(let s), .pytorch): s
        case (.leakyRelu, .jax): 1
        case (.elu(let s), _): s
        default: .nan
        }
    }

    @Test("kinkDerivative is the frameworks' value at 0; derivative(0) stays x >= 0's")
    func table() {
        for a in [Activation.relu, .leakyRelu(0.15), .elu(0.8)] {
            for rule in Activation.KinkRule.allCases {
                #expect(a.kinkDerivative(rule) == Self.atZero(a, rule), "\(a.name) \(rule)")
            }
            #expect(a.derivative(0) == 1)
        }
        #expect(Activation.tanh.kinkDerivative(.pytorch) == 1)
    }

    @Test("dense - act - dense with one pre-activation exactly 0: the pullback under each rule", arguments: 0..<8)
    func pullback(seed: UInt64) {
        var rng = seededGenerator(seed &+ 6100)
        // x = (s, -s) and W1's first row (w, w): z_0 = w s - w s = 0 exactly, also where BLAS
        // fuses the multiply and add: w and s are multiples of 1/8 (few mantissa bits), so w s is
        // exact. (With arbitrary w, s a fused w s - w s is the rounding error of w s, not 0.)
        func eighths() -> Double { Double(Int.random(in: 3...24, using: &rng)) / 8 * (Bool.random(using: &rng) ? 1 : -1) }
        let s = eighths(), w = eighths(), v1 = rng.nonUnit(), v2 = rng.nonUnit()
        let c1 = rng.nonUnit(), c2 = rng.nonUnit(), u = rng.nonUnit()
        let x = [s, -s]
        let theta = [w, w, v1, v2, c1, c2]  // W1 (2 x 2), W2 (1 x 2)
        let z1 = v1 * s - v2 * s
        for act in [Activation.relu, .leakyRelu(0.15), .elu(0.8)] {
            let network = try! Sequential(input: Shape([2]), layers: [
                .dense(Dense(inputs: 2, outputs: 2, bias: false)), .activation(act), .dense(Dense(inputs: 2, outputs: 1, bias: false)),
            ])
            for rule in Activation.KinkRule.allCases {
                var ws = NetworkWorkspace(network: network, batch: 1)
                ws.kinkRule = rule
                var g: [Double] = []
                ws.pullback(parameters: theta, inputs: x, outputCotangent: [u], into: &g)
                // By hand: dz = u (c1 phi'(0), c2 phi'(z1)); dW1 = dz x^T; dW2 = u (phi(0), phi(z1)).
                let d0 = Self.atZero(act, rule), d1 = z1 >= 0 ? 1 : (act == .relu ? 0 : (act == .leakyRelu(0.15) ? 0.15 : 0.8 * exp(z1)))
                let h1 = z1 >= 0 ? z1 : (act == .relu ? 0 : (act == .leakyRelu(0.15) ? 0.15 * z1 : 0.8 * expm1(z1)))
                let want = [u * c1 * d0 * s, -u * c1 * d0 * s, u * c2 * d1 * s, -u * c2 * d1 * s, 0, u * h1]
                #expect(g.count == 6)
                for k in 0..<min(g.count, 6) {
                    #expect(abs(g[k] - want[k]) <= 1e-14 * max(1, abs(want[k])), "\(act.name) \(rule) entry \(k): \(g[k]), expected \(want[k])")
                }
                // The ignored-rule mutant takes x >= 0's value at 0.
                ws.backpropMutation = .ignoredKinkRule(act)
                ws.pullback(parameters: theta, inputs: x, outputCotangent: [u], into: &g)
                #expect(abs(g[0] - u * c1 * s) <= 1e-14 * max(1, abs(u * c1 * s)), "\(act.name) \(rule) mutant")
            }
        }
    }

    @Test("a tie in a max-pooling window goes to the first maximum under every rule")
    func poolingTies() throws {
        // One channel 2 x 2, pool 2 x 2: all four inputs equal; the adjoint goes to the first.
        let network = try Sequential(input: Shape([1, 2, 2]), layers: [.maxPool(Pool(size: 2, stride: 2)), .flatten])
        for rule in Activation.KinkRule.allCases {
            var ws = NetworkWorkspace(network: network, batch: 1)
            ws.kinkRule = rule
            ws.computesInputAdjoint = true
            var g: [Double] = []
            ws.pullback(parameters: [], inputs: [0.4, 0.4, 0.4, 0.4], outputCotangent: [1.7], into: &g)
            #expect(Array(ws.inputAdjoint) == [1.7, 0, 0, 0], "\(rule)")
        }
    }
}
