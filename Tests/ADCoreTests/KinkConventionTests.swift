// Kink conventions: the rule table's values at kinks under x>=0, pytorch and jax against the
// frameworks' values written down here from their sources (not read from the rule table), the
// sweeps applying them to the nodes on a kink and to no other, and the names a user may write.
import ADCore
import ADTestSupport
import Foundation
import Testing

@Suite("Kink conventions")
struct KinkConventionTests {
    /// `(∂/∂a, ∂/∂b)` at the kink, by convention, with the parameter `a` of leaky_relu and elu
    /// (the second operand) given as `p`: PyTorch's derivatives.yaml and kernels, JAX's
    /// jax.nn and lax JVP rules.
    static func framework(_ op: Op, _ convention: KinkConvention, parameter p: Double) -> (Double, Double)? {
        switch (op, convention) {
        case (.relu, .nonNegativeBranch): (1, 0)
        case (.relu, .pytorch): (0, 0)      // threshold_backward: only above 0
        case (.relu, .jax): (0, 0)          // custom_jvp: select(x > 0, g, 0)
        case (.abs, .nonNegativeBranch): (1, 0)
        case (.abs, .pytorch): (0, 0)       // grad * sgn(0)
        case (.abs, .jax): (1, 0)           // select(x >= 0, g, -g)
        case (.leakyRelu, .nonNegativeBranch): (1, 0)
        case (.leakyRelu, .pytorch): (p, 0) // x > 0 ? grad : grad * negval
        case (.leakyRelu, .jax): (1, 0)     // where(x >= 0, x, a x)
        case (.elu, .nonNegativeBranch): (1, 0)
        case (.elu, .pytorch): (p, 0)       // x <= 0 ? grad * alpha * exp(x)
        case (.elu, .jax): (p, 0)           // where(x > 0, x, a expm1(x))
        case (.max, .nonNegativeBranch), (.min, .nonNegativeBranch): (1, 0)
        case (.max, _), (.min, _): (0.5, 0.5)  // grad / 2 each; _balanced_eq
        default: nil
        }
    }

    @Test("at every kink, each convention's partials are the framework's", arguments: 0..<10)
    func table(seed: UInt64) throws {
        var rng = seededGenerator(seed &+ 3100)
        let p = abs(rng.nonUnit()) / 3, tie = rng.nonUnit()
        for op in Op.primitives where op.kink != nil {
            let (a, b) = op.kink == .whereOperandsAreEqual ? (tie, tie) : (0.0, p)
            for convention in KinkConvention.allCases {
                let expected = try #require(Self.framework(op, convention, parameter: p))
                let got = op.partials(a, b, value: op.value(a, b), convention: convention)
                #expect(got == expected, "\(op) under \(convention): \(got), expected \(expected)")
                #expect(op.kinkPartials(a, b, convention: convention) == expected)
            }
        }
    }

    @Test("away from a kink every convention gives the rule table's partials", arguments: 0..<20)
    func awayFromKinks(seed: UInt64) {
        var rng = seededGenerator(seed &+ 3200)
        let a = rng.nonUnit(), b = rng.nonUnit()
        for op in Op.primitives {
            let v = op.value(a, b), table = op.partials(a, b, value: v)
            for convention in KinkConvention.allCases {
                let got = op.partials(a, b, value: v, convention: convention)
                #expect((got.0 == table.0 || got.0.isNaN && table.0.isNaN) && (got.1 == table.1 || got.1.isNaN && table.1.isNaN), "\(op) \(convention)")
            }
        }
    }

    @Test("the one-sided partials are the two branches' derivatives")
    func oneSided() {
        #expect(Op.relu.oneSidedPartials(0, 0).left.0 == 0 && Op.relu.oneSidedPartials(0, 0).right.0 == 1)
        #expect(Op.abs.oneSidedPartials(0, 0).left.0 == -1 && Op.abs.oneSidedPartials(0, 0).right.0 == 1)
        #expect(Op.max.oneSidedPartials(0.7, 0.7).left == (0, 1) && Op.max.oneSidedPartials(0.7, 0.7).right == (1, 0))
        #expect(Op.min.oneSidedPartials(0.7, 0.7).left == (1, 0) && Op.min.oneSidedPartials(0.7, 0.7).right == (0, 1))
        let elu = Op.elu.oneSidedPartials(0, 0.4)
        #expect(abs(elu.left.0 - 0.4) < 1e-15 && elu.right.0 == 1)
    }

    /// `f = 1.7 max(x, y) + abs(x - y) - 0.6 relu(y - x)`.
    func mixed() throws -> Graph {
        var b = GraphBuilder()
        let x = try b.input("x"), y = try b.input("y")
        let m = try b.apply(.mul, try b.constant(1.7), try b.apply(.max, x, y))
        let d = try b.apply(.abs, try b.apply(.sub, x, y))
        let r = try b.apply(.mul, try b.constant(0.6), try b.apply(.relu, try b.apply(.sub, y, x)))
        try b.output(try b.apply(.sub, try b.apply(.add, m, d), r))
        return try b.build()
    }

    @Test("forward and reverse mode apply the convention to every node on a kink, with random cotangents")
    func sweeps() throws {
        let graph = try mixed()
        var rng = seededGenerator(3300)
        let t = rng.nonUnit()
        // On all three kinks at x = y = t, by hand: max splits or not, abs' = 1 or 0, relu' = 1 or 0.
        let expected: [KinkConvention: [Double]] = [
            .nonNegativeBranch: [1.7 + 1 + 0.6, -1 - 0.6],
            .pytorch: [0.85, 0.85],
            .jax: [0.85 + 1, 0.85 - 1],
        ]
        for convention in KinkConvention.allCases {
            var ws = Workspace(for: graph)
            ws.kinkConvention = convention
            let w = rng.nonUnit()
            let reverse = try ws.vjp(at: [t, t], cotangent: [w])
            let forward = try ws.jacobianForward(at: [t, t]).entries
            let want = try #require(expected[convention])
            for i in 0..<2 {
                #expect(abs(reverse[i] - w * want[i]) <= 1e-15 * abs(w) * 4, "\(convention) reverse \(i)")
                #expect(abs(forward[i] - want[i]) <= 1e-15 * 4, "\(convention) forward \(i)")
            }
        }
        // Off the kinks (x != y) the three agree.
        let u = rng.nonUnit()
        var gradients: [[Double]] = []
        for convention in KinkConvention.allCases {
            var ws = Workspace(for: graph)
            ws.kinkConvention = convention
            gradients.append(try ws.gradient(at: [u, u + 0.25]))
        }
        #expect(gradients.allSatisfy { $0 == gradients[0] })
    }

    @Test("nodes kept on the table's rule ignore the convention")
    func keptNodes() throws {
        var b = GraphBuilder()
        let x = try b.input("x"), y = try b.input("y")
        let m = try b.apply(.max, x, y)
        try b.output(try b.apply(.add, m, try b.apply(.relu, try b.apply(.sub, x, y))))
        var ws = Workspace(for: try b.build())
        ws.kinkConvention = .pytorch
        #expect(try ws.gradient(at: [0.3, 0.3]) == [0.5, 0.5])
        ws.nodesKeepingTableKinks = [m]
        #expect(try ws.gradient(at: [0.3, 0.3]) == [1, 0])
    }

    @Test("conventions by name: the three, a few spellings, and 'frameworks' refused with the choice")
    func names() throws {
        #expect(try KinkConvention.parse("x>=0").get() == .nonNegativeBranch)
        #expect(try KinkConvention.parse(" x >= 0 ").get() == .nonNegativeBranch)
        #expect(try KinkConvention.parse("pytorch").get() == .pytorch)
        #expect(try KinkConvention.parse("PyTorch").get() == .pytorch)
        #expect(try KinkConvention.parse("jax").get() == .jax)
        guard case .failure(let frameworks) = KinkConvention.parse("frameworks") else {
            Issue.record("'frameworks' was accepted")
            return
        }
        #expect(frameworks.description.contains("pytorch or jax"))
        #expect(frameworks.description.contains("abs'(0)"))
        guard case .failure(let unknown) = KinkConvention.parse("tensorflow") else {
            Issue.record("'tensorflow' was accepted")
            return
        }
        #expect(unknown.description == "unknown kink convention 'tensorflow': one of x>=0, pytorch, jax")
    }
}
