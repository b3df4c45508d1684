// The selftest's rule mutants: each kind gives the wrong partials it promises (against closed
// forms written here, not the rule table), a workspace applies a mutant to its primitive's
// nodes only, and equivalent mutants are recognised.
import ADCore
import ADTestSupport
import Foundation
import Testing

@Suite("Rule mutations")
struct RuleMutationTests {
    /// The mutated partials at a point.
    func partials(_ op: Op, _ kind: RuleMutation.Kind, operand: Int = 0, _ a: Double, _ b: Double = 0) -> (Double, Double) {
        RuleMutation(op: op, kind: kind, operand: operand).partials(a, b, value: op.value(a, b))
    }

    @Test("each kind changes the partial as it says, at random non-unit points", arguments: 0..<20)
    func kinds(seed: UInt64) {
        var rng = seededGenerator(seed &+ 900)
        let x = rng.nonUnit(), y = rng.nonUnit()
        // sin: cos(x) with its sign flipped, doubled, dropped, 1e-6 off, at 2x.
        #expect(partials(.sin, .signFlipped, x).0 == -cos(x))
        #expect(partials(.sin, .doubled, x).0 == 2 * cos(x))
        #expect(partials(.sin, .dropped, x).0 == 0)
        #expect(abs(partials(.sin, .slightlyOff, x).0 / cos(x) - 1 - 1e-6) < 1e-15)
        #expect(abs(partials(.sin, .argumentDoubled, x).0 - cos(2 * x)) <= 1e-15)
        // x / y: (1/y, -x/y²).
        #expect(abs(partials(.div, .signFlipped, operand: 1, x, y).1 - x / (y * y)) <= 1e-14 * abs(x / (y * y)))
        #expect(abs(partials(.div, .signFlipped, operand: 1, x, y).0 - 1 / y) <= 1e-15 * abs(1 / y))
        #expect(partials(.div, .dropped, operand: 0, x, y).0 == 0)
        // x * y: swapped gives (x, y); the first argument doubled gives (y, 2x).
        #expect(partials(.mul, .swapped, x, y) == (x, y))
        #expect(partials(.mul, .argumentDoubled, operand: 0, x, y) == (y, 2 * x))
        #expect(partials(.mul, .argumentDoubled, operand: 1, x, y) == (2 * y, x))
        // x ^ c with c = 3: 3x² becomes 6x⁵ when the exponent is doubled.
        #expect(abs(partials(.powConst, .argumentDoubled, operand: 1, x, 3).0 - 6 * pow(x, 5)) <= 1e-13 * abs(6 * pow(x, 5)))
        // The branch mutants of relu and max away from their kinks.
        let negative = -abs(x)
        #expect(partials(.relu, .oneBranch, negative).0 == 1)
        #expect(partials(.relu, .oneBranch, abs(x)).0 == 1)
        #expect(partials(.abs, .oneBranch, negative).0 == 1)
        #expect(partials(.max, .oneBranch, x, x + abs(y)) == (1, 0))
        #expect(partials(.min, .oneBranch, x + abs(y), x) == (1, 0))
        #expect(partials(.leakyRelu, .oneBranch, negative, 0.1) == (1, 0))
        // Kink conventions flipped only at the kink.
        #expect(partials(.relu, .kinkConvention, 0).0 == 0)
        #expect(partials(.relu, .kinkConvention, abs(x)).0 == 1)
        #expect(partials(.abs, .kinkConvention, 0).0 == -1)
        #expect(partials(.max, .kinkConvention, x, x) == (0, 1))
        #expect(partials(.min, .kinkConvention, x, x) == (0, 1))
        #expect(partials(.max, .kinkConvention, x, x - abs(y)) == (1, 0))
        #expect(partials(.leakyRelu, .kinkConvention, 0, 0.2).0 == 0.2)
    }

    @Test("a workspace applies the mutant to its primitive's nodes only, and only while it is set")
    func workspace() throws {
        // f = sin(x) * y + cos(y): ∂f/∂x = cos(x) y, ∂f/∂y = sin(x) - sin(y).
        var b = GraphBuilder()
        let x = try b.input("x"), y = try b.input("y")
        let f = try b.apply(.add, try b.apply(.mul, try b.apply(.sin, x), y), try b.apply(.cos, y))
        try b.output(f)
        var ws = Workspace(for: try b.build())
        var rng = seededGenerator(77)
        let p = [rng.nonUnit(), rng.nonUnit()]
        let truth = [cos(p[0]) * p[1], sin(p[0]) - sin(p[1])]
        // Same length and not empty: zip would otherwise compare a prefix, or nothing.
        let close = { (u: [Double], v: [Double]) in
            u.count == v.count && !u.isEmpty && zip(u, v).allSatisfy { abs($0 - $1) <= 1e-14 * max(1, abs($1)) }
        }

        #expect(close(try ws.gradient(at: p), truth))
        ws.ruleMutation = RuleMutation(op: .sin, kind: .signFlipped)
        #expect(close(try ws.gradient(at: p), [-cos(p[0]) * p[1], sin(p[0]) - sin(p[1])]))
        // Forward mode reads the same stored partials, so it agrees with the mutated reverse mode.
        #expect(close(try ws.jacobianForward(at: p).entries, [-cos(p[0]) * p[1], sin(p[0]) - sin(p[1])]))
        // Values are never mutated.
        try ws.evaluate(at: p)
        #expect(ws.outputValue(0) == sin(p[0]) * p[1] + cos(p[1]))
        // A mutant of a primitive the graph does not use changes nothing.
        ws.ruleMutation = RuleMutation(op: .tan, kind: .doubled)
        #expect(close(try ws.gradient(at: p), truth))
        ws.ruleMutation = RuleMutation(op: .mul, kind: .swapped)
        // (a, b) = (sin x, y): swapped partials (a, b) instead of (b, a).
        #expect(close(try ws.gradient(at: p), [cos(p[0]) * sin(p[0]), p[1] - sin(p[1])]))
        ws.ruleMutation = nil
        #expect(close(try ws.gradient(at: p), truth))
    }

    @Test("equivalent mutants are recognised, the others are not")
    func equivalence() {
        let probes = RuleMutation.probePoints
        for id in ["add/argument-doubled/a", "add/swapped", "sub/argument-doubled/b", "neg/argument-doubled",
                   "relu/argument-doubled", "abs/argument-doubled"] {
            let m = RuleMutation.all.first { $0.id == id }
            #expect(m?.isEquivalent(at: probes) == true, "\(id)")
        }
        let equivalent = RuleMutation.all.filter { !$0.isSecondOrder && $0.isEquivalent(at: probes) }.map(\.id)
        #expect(equivalent.count == 8, "\(equivalent)")
        // Second order: a primitive whose second partial is 0 everywhere cannot be told apart
        // by a wrong one (add, sub, neg; mul's own squares; relu and abs away from the kink).
        for id in ["add/second-dropped/a", "add/mixed-sign-flipped", "mul/second-doubled/b", "neg/second-sign-flipped",
                   "relu/second-argument-doubled", "abs/second-dropped", "exp/second-argument-doubled"] where id != "exp/second-argument-doubled" {
            #expect(RuleMutation.all.first { $0.id == id }?.isEquivalent(at: probes) == true, "\(id)")
        }
        for id in ["mul/mixed-dropped", "sin/second-sign-flipped", "div/second-doubled/b", "exp/second-argument-doubled",
                   "elu/second-dropped/a", "pow/mixed-sign-flipped", "powConst/second-argument-doubled/a"] {
            #expect(RuleMutation.all.first { $0.id == id }?.isEquivalent(at: probes) == false, "\(id)")
        }
        // A mutant that differs at one probe point only (relu at its kink) is not equivalent.
        #expect(!RuleMutation(op: .relu, kind: .kinkConvention).isEquivalent(at: probes))
        #expect(!RuleMutation(op: .sin, kind: .slightlyOff).isEquivalent(at: probes))
        #expect(RuleMutation(op: .relu, kind: .kinkConvention).isEquivalent(at: probes.filter { $0.0 != 0 }))
    }

    @Test("every primitive has its mutants, with unique ids")
    func enumeration() {
        let all = RuleMutation.all
        #expect(Set(all.map(\.id)).count == all.count)
        for op in Op.primitives {
            let count = RuleMutation.mutants(of: op).count
            // Second order: 4 kinds per differentiable operand, and the mixed partial's 2 when both are.
            let expected: Int = switch op {
            case .powConst: 6 + 4                          // 4 kinds of ∂/∂a, the argument doubled twice
            case .max, .min, .leakyRelu, .elu: 15 + 10     // 2 × 4 + 2 + swapped + one-branch + 3 kink conventions
            case .relu, .abs: 9 + 4                        // 4 + 1 + one-branch + 3 kink conventions
            default: op.arity == 2 ? 11 + 10 : 5 + 4
            }
            #expect(count == expected, "\(op)")
        }
        #expect(all.count == 376)  // 5 × 21 + 10 + 4 × 25 + 15 × 9 + 2 × 13
        #expect(all.count { $0.isSecondOrder } == 162)
        #expect(RuleMutation(op: .mul, kind: .mixedDropped, operand: 1).id == "mul/mixed-dropped")
        #expect(RuleMutation(op: .div, kind: .secondSignFlipped, operand: 1).id == "div/second-sign-flipped/b")
    }

    @Test("a second-order mutant leaves every first-order sweep alone and changes the Hessian as it says")
    func secondOrderMutants() throws {
        // f = sin(x) y + x / y: H = [[-sin(x) y, cos(x) - 1/y²], [cos(x) - 1/y², 2x/y³]].
        var b = GraphBuilder()
        let x = try b.input("x"), y = try b.input("y")
        let f = try b.apply(.add, try b.apply(.mul, try b.apply(.sin, x), y), try b.apply(.div, x, y))
        try b.output(f)
        let graph = try b.build()
        let p = [0.83, -1.37]
        var truth = Workspace(for: graph)
        let g = try truth.gradient(at: p)
        let h = try truth.hessian(at: p)
        func mutated(_ m: RuleMutation) throws -> (gradient: [Double], hessian: [[Double]]) {
            var ws = Workspace(for: graph)
            ws.ruleMutation = m
            return (try ws.gradient(at: p), try ws.hessian(at: p))
        }
        let sin = try mutated(RuleMutation(op: .sin, kind: .secondSignFlipped))
        #expect(sin.gradient == g)
        #expect(abs(sin.hessian[0][0] - (-h[0][0])) <= 1e-15 && sin.hessian[1] == h[1] && sin.hessian[0][1] == h[0][1])
        let div = try mutated(RuleMutation(op: .div, kind: .secondDoubled, operand: 1))
        #expect(div.gradient == g)
        #expect(abs(div.hessian[1][1] - 2 * h[1][1]) <= 1e-14 * abs(h[1][1]) && div.hessian[0][0] == h[0][0])
        let mixed = try mutated(RuleMutation(op: .div, kind: .mixedDropped))
        // d²(x/y)/dxdy = -1/y² dropped: cos(x) remains.
        #expect(abs(mixed.hessian[0][1] - Foundation.cos(p[0])) <= 1e-15 && abs(mixed.hessian[1][0] - Foundation.cos(p[0])) <= 1e-15)
        // A first-order mutant is not applied to the second partials a second time.
        #expect(RuleMutation(op: .sin, kind: .doubled).secondPartials(0.5, 0, value: Foundation.sin(0.5)) == Op.sin.secondPartials(0.5, 0, value: Foundation.sin(0.5)))
    }

    @Test("a convention's kink mutant changes the partials at the kink under that convention only", arguments: 0..<10)
    func conventionMutants(seed: UInt64) {
        var rng = seededGenerator(seed &+ 4400)
        let x = rng.nonUnit(), a = abs(rng.nonUnit()) / 4
        func mutated(_ op: Op, _ convention: KinkConvention, _ p: Double, _ q: Double, inForce: KinkConvention) -> (Double, Double) {
            RuleMutation(op: op, kind: .kinkConvention, convention: convention).partials(p, q, value: op.value(p, q), convention: inForce)
        }
        // PyTorch takes relu'(0) = 0, leaky_relu'(0) = a, elu'(0) = a and splits ties; its
        // mutants take the x >= 0 values instead (1, and a tie to the first operand).
        #expect(mutated(.relu, .pytorch, 0, 0, inForce: .pytorch).0 == 1)
        #expect(mutated(.leakyRelu, .pytorch, 0, a, inForce: .pytorch) == (1, 0))
        #expect(mutated(.elu, .jax, 0, a, inForce: .jax) == (1, 0))
        #expect(mutated(.max, .pytorch, x, x, inForce: .pytorch) == (1, 0))
        #expect(mutated(.min, .jax, x, x, inForce: .jax) == (1, 0))
        // JAX agrees with x >= 0 at abs and leaky_relu: its mutant takes the x < 0 side.
        #expect(mutated(.abs, .jax, 0, 0, inForce: .jax).0 == -1)
        #expect(mutated(.leakyRelu, .jax, 0, a, inForce: .jax).0 == a)
        // Under another convention, or away from the kink, the truth: PyTorch's relu'(0) = 0
        // under pytorch for the jax mutant, the x >= 0 value under x>=0.
        #expect(mutated(.relu, .jax, 0, 0, inForce: .pytorch).0 == 0)
        #expect(mutated(.relu, .pytorch, 0, 0, inForce: .nonNegativeBranch).0 == 1)
        #expect(mutated(.max, .pytorch, x, x - abs(a) - 0.1, inForce: .pytorch) == (1, 0))
        #expect(RuleMutation(op: .max, kind: .kinkConvention, convention: .pytorch).id == "max/kink-convention/pytorch")
        #expect(RuleMutation(op: .max, kind: .kinkConvention).id == "max/kink-convention")
        // Every convention's kink mutant differs from the truth somewhere on the probe grid.
        for op in Op.primitives where op.kink != nil {
            for convention in KinkConvention.allCases {
                #expect(!RuleMutation(op: op, kind: .kinkConvention, convention: convention).isEquivalent(at: RuleMutation.probePoints), "\(op) \(convention)")
            }
        }
    }

    @Test("mutants are applied on top of the workspace's kink convention")
    func mutantsUnderConvention() throws {
        // f = relu(x) * y at x = 0: ∂f/∂x = relu'(0) y, which is 0 under pytorch; doubled stays 0,
        // and the pytorch kink mutant makes it y.
        var b = GraphBuilder()
        let x = try b.input("x"), y = try b.input("y")
        try b.output(try b.apply(.mul, try b.apply(.relu, x), y))
        var ws = Workspace(for: try b.build())
        var rng = seededGenerator(5)
        let y0 = rng.nonUnit()
        ws.kinkConvention = .pytorch
        #expect(try ws.gradient(at: [0, y0])[0] == 0)
        ws.ruleMutation = RuleMutation(op: .relu, kind: .doubled)
        #expect(try ws.gradient(at: [0, y0])[0] == 0)
        ws.ruleMutation = RuleMutation(op: .relu, kind: .kinkConvention, convention: .pytorch)
        #expect(try ws.gradient(at: [0, y0])[0] == y0)
        ws.kinkConvention = .jax
        #expect(try ws.gradient(at: [0, y0])[0] == 0)
    }
}
