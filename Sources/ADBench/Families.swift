// The benchmark's function families: generators of ADCore graphs with a size parameter, and the
// points they are evaluated at.
import ADCore
import Foundation

/// The function families of `adverify bench`.
public enum Family {
    /// `f(x) = sum_{i=0}^{n-2} [sin(x_i) x_{i+1} + exp(x_i / n)]`, the scaling family: one
    /// output, `n` inputs, about `7n` nodes.
    public static func sumSinExp(n: Int) throws(ADCoreError) -> Graph {
        precondition(n >= 2, "sum-sin-exp needs n >= 2")
        var b = GraphBuilder()
        var x: [Int] = []
        x.reserveCapacity(n)
        for i in 0..<n { x.append(try b.input("x\(i)")) }
        let count = try b.constant(Double(n))
        var sum = -1
        for i in 0..<(n - 1) {
            let s = try b.apply(.sin, x[i])
            let p = try b.apply(.mul, s, x[i + 1])
            let e = try b.apply(.exp, try b.apply(.div, x[i], count))
            let term = try b.apply(.add, p, e)
            sum = sum < 0 ? term : try b.apply(.add, sum, term)
        }
        try b.output(sum, name: "f")
        return try b.build()
    }

    /// The point of sum-sin-exp: `x_i = 0.5 sin(i) + 0.1`.
    public static func sumSinExpPoint(n: Int) -> [Double] {
        (0..<n).map { 0.5 * Foundation.sin(Double($0)) + 0.1 }
    }

    /// The elementary functions of the chain, in the order they are applied. Each pair undoes
    /// the one before (`asin(sin t) = t` for `|t| <= π/2`, `log(exp t) = t`, `(√t)² = t`), so
    /// the value stays near the input and the derivative near 1 at any depth: no overflow, and
    /// no denormals in the adjoints, which would time the FPU's slow path instead of the AD.
    public static let chainOps: [Op] = [.sin, .asin, .exp, .log, .sqrt, .powConst]

    /// One input through `d` nested elementary functions (``chainOps`` cyclically): the family
    /// where forward mode (one sweep) and reverse mode (one sweep) do the same work.
    public static func chain(depth d: Int) throws(ADCoreError) -> Graph {
        precondition(d >= 1, "chain needs d >= 1")
        var b = GraphBuilder()
        var t = try b.input("x")
        let two = try b.constant(2)
        for k in 0..<d {
            let op = chainOps[k % chainOps.count]
            t = op == .powConst ? try b.apply(.pow, t, two) : try b.apply(op, t)
        }
        try b.output(t, name: "f")
        return try b.build()
    }

    /// The point of the chain: `x = 0.7` (inside every op's domain along the cycle).
    public static let chainPoint: [Double] = [0.7]

    /// `R^n -> R^m` with a dense Jacobian and a primal cost of about `n + 7m` nodes:
    /// `s = (x_0 + ... + x_{n-1}) / n`, `y_j = sin(x_{j mod n}) x_{(j+1) mod n} + exp(s / (j + 1))`.
    /// Forward mode needs `n` tangent directions, reverse mode `m` adjoint sweeps, over the
    /// same graph: the crossover family.
    public static func jacobian(inputs n: Int, outputs m: Int) throws(ADCoreError) -> Graph {
        precondition(n >= 2 && m >= 1, "jacobian needs n >= 2, m >= 1")
        var b = GraphBuilder()
        var x: [Int] = []
        x.reserveCapacity(n)
        for i in 0..<n { x.append(try b.input("x\(i)")) }
        var sum = x[0]
        for i in 1..<n { sum = try b.apply(.add, sum, x[i]) }
        let s = try b.apply(.div, sum, try b.constant(Double(n)))
        for j in 0..<m {
            let p = try b.apply(.mul, try b.apply(.sin, x[j % n]), x[(j + 1) % n])
            let e = try b.apply(.exp, try b.apply(.div, s, try b.constant(Double(j + 1))))
            try b.output(try b.apply(.add, p, e), name: "y\(j)")
        }
        return try b.build()
    }

    /// The point of the jacobian family: the same as sum-sin-exp's.
    public static func jacobianPoint(n: Int) -> [Double] { sumSinExpPoint(n: n) }
}
