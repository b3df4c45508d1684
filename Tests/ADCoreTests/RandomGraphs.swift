import ADCore
import ADTestSupport
import Foundation

/// Random Wengert lists that stay inside every primitive's domain, away from kinks and
/// poles, with values of moderate size: for comparing sweeps with each other and with the
/// complex step.
enum RandomGraphs {
    static let smooth: [Op] = [.add, .sub, .mul, .div, .neg, .pow, .exp, .log, .sqrt, .sin, .cos, .tan,
                               .asin, .acos, .atan, .sinh, .cosh, .tanh, .sigmoid, .softplus]
    static let piecewise: [Op] = [.relu, .leakyRelu, .elu, .abs, .max, .min]

    /// A graph with `inputCount` inputs, about `size` primitive nodes, and `outputCount`
    /// outputs (the last nodes, plus every input folded in so no input is unused).
    static func make<G: RandomNumberGenerator>(
        inputCount: Int, size: Int, outputCount: Int = 1, analytic: Bool = false, using rng: inout G
    ) throws -> (graph: Graph, point: [Double]) {
        var b = GraphBuilder()
        var values: [Double] = []
        let point = (0..<inputCount).map { _ in rng.nonUnit() }
        for k in 0..<inputCount {
            _ = try b.input("x\(k)")
            values.append(point[k])
        }
        let ops = analytic ? smooth : smooth + piecewise
        var attempts = 0
        while b.nodeCount < inputCount + size, attempts < 100 * size {
            attempts += 1
            let op = ops.randomElement(using: &rng)!
            // Prefer recent nodes so the graph is deep, not only wide.
            let recent = max(0, values.count - 6)
            let i = Int.random(in: (Bool.random(using: &rng) ? recent : 0)..<values.count, using: &rng)
            var j = Int.random(in: 0..<values.count, using: &rng)
            var bValue = values[j]
            var constant: Double?
            if op == .leakyRelu || op == .elu || (op == .pow && Bool.random(using: &rng)) {
                constant = op == .pow ? Double(Int.random(in: -3...4, using: &rng)) : Double.random(in: 0.05...1.5, using: &rng)
                bValue = constant!
            }
            let a = values[i]
            guard inDomain(op, a, bValue, constantExponent: constant != nil) else { continue }
            let v = op.value(a, bValue)
            guard v.isFinite, abs(v) < 1e4, abs(v) > 1e-3 || v == 0 else { continue }
            if let constant {
                j = try b.constant(constant)
                values.append(constant)
            }
            _ = try b.apply(op, i, op.arity == 2 ? j : nil)
            values.append(v)
        }
        // Outputs: the last nodes, each plus a random-weighted sum of all inputs.
        for k in 0..<outputCount {
            var node = b.nodeCount - 1 - k
            for input in 0..<inputCount {
                let w = try b.constant(rng.nonUnit())
                node = try b.apply(.add, node, try b.apply(.mul, w, input))
            }
            try b.output(node)
        }
        return (try b.build(), point)
    }

    static func inDomain(_ op: Op, _ a: Double, _ b: Double, constantExponent: Bool) -> Bool {
        switch op {
        case .log, .sqrt: a > 0.1
        case .asin, .acos: abs(a) < 0.9
        case .div: abs(b) > 0.2
        case .pow: (constantExponent ? abs(a) : a) > 0.2 && abs(b) < 4
        case .exp, .sinh, .cosh: abs(a) < 6
        case .tan: abs(cos(a)) > 0.3
        case .sin, .cos: abs(a) < 50
        default:
            if let s = op.switchingArgument(a, b) { abs(s) > 0.05 } else { true }
        }
    }
}
