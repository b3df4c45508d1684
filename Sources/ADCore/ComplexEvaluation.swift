import ComplexModule
import Foundation
import RealModule

extension Graph {
    /// Evaluates the graph at complex inputs, for the complex-step method
    /// `f'(x) ≈ Im f(x + ih) / h`.
    ///
    /// Refused with ``ADCoreError/notAnalytic(op:node:)`` when the graph contains a primitive
    /// that is not complex-analytic (relu, abs, max, …): the complex step would silently
    /// give one branch's derivative there.
    ///
    /// Forms are chosen so that a tiny imaginary part survives: an integer constant exponent
    /// is applied by repeated multiplication (`exp(n log z)` would bury `Im` under the
    /// rounding of `sin(2π)` for negative `x`), `sigmoid` and `softplus` are split by the
    /// sign of `Re z` so they do not overflow. Not a hot path: it allocates its result.
    public func evaluateComplex(at z: [Complex<Double>]) throws(ADCoreError) -> [Complex<Double>] {
        let v = try evaluateComplexNodes(at: z)
        return outputNodes.map { v[$0] }
    }

    /// The complex value of one node (an output or an intermediate), as `evaluateComplex(at:)`.
    public func evaluateComplex(at z: [Complex<Double>], node: Int) throws(ADCoreError) -> Complex<Double> {
        guard node >= 0, node < nodeCount else { throw .forwardReference(op: .input, operand: node, nodeCount: nodeCount) }
        return try evaluateComplexNodes(at: z)[node]
    }

    private func evaluateComplexNodes(at z: [Complex<Double>]) throws(ADCoreError) -> [Complex<Double>] {
        guard z.count == inputCount else { throw .inputCount(expected: inputCount, got: z.count) }
        if let bad = firstNonAnalyticNode {
            throw .notAnalytic(op: ops[bad], node: displayNames[bad])
        }
        var v = [Complex<Double>](repeating: .zero, count: nodeCount)
        for i in 0..<nodeCount {
            let op = ops[i]
            switch op {
            case .input: v[i] = z[Int(lhs[i])]; continue
            case .constant: v[i] = Complex(payload[i]); continue
            default: break
            }
            let a = v[Int(lhs[i])]
            let b = rhs[i] >= 0 ? v[Int(rhs[i])] : .zero
            v[i] = Graph.complexValue(op, a, b, exponent: rhs[i] >= 0 ? payload[Int(rhs[i])] : 0)
        }
        return v
    }

    static func complexValue(_ op: Op, _ a: Complex<Double>, _ b: Complex<Double>, exponent: Double) -> Complex<Double> {
        typealias C = Complex<Double>
        switch op {
        case .add: return a + b
        case .sub: return a - b
        case .mul: return a * b
        case .div: return a / b
        case .neg: return -a
        case .pow: return C.pow(a, b)
        case .powConst: return integerPower(a, exponent) ?? C.pow(a, C(exponent))
        case .exp: return C.exp(a)
        case .log: return C.log(a)
        case .sqrt: return C.sqrt(a)
        case .sin: return C.sin(a)
        case .cos: return C.cos(a)
        case .tan: return C.tan(a)
        case .asin: return C.asin(a)
        case .acos: return C.acos(a)
        case .atan: return complexStepAtan(a)
        case .sinh: return C.sinh(a)
        case .cosh: return C.cosh(a)
        case .tanh: return complexStepTanh(a)
        case .sigmoid:
            if a.real >= 0 { return 1 / (1 + C.exp(-a)) }
            let e = C.exp(a)
            return e / (1 + e)
        case .softplus:
            return a.real >= 0 ? a + C.log(onePlus: C.exp(-a)) : C.log(onePlus: C.exp(a))
        case .input, .constant, .relu, .leakyRelu, .elu, .abs, .max, .min:
            return C(.nan, .nan)  // unreachable: leaves are handled and non-analytic graphs refused
        }
    }

    /// `atan(z)` in a form that keeps a tiny imaginary part: swift-numerics computes
    /// `-i atanh(iz)` through `log(1 ± iz)`, where `1 ± h` rounds `h = 1e-30` away.
    ///
    /// ```
    /// Re atan(x + iy) = atan2(2x, (1 - x)(1 + x) - y²) / 2
    /// Im atan(x + iy) = log1p(4y / (x² + (1 - y)²)) / 4
    /// ```
    static func complexStepAtan(_ z: Complex<Double>) -> Complex<Double> {
        let x = z.real, y = z.imaginary
        let re = 0.5 * Foundation.atan2(2 * x, (1 - x) * (1 + x) - y * y)
        let d = x * x + (1 - y) * (1 - y)
        return Complex(y == 0 ? Foundation.atan(x) : re, 0.25 * Foundation.log1p(4 * y / d))
    }

    /// `tanh(z)` without the cancellation of swift-numerics' `sinh(z) / cosh(z)`, whose
    /// imaginary part is `sin y cos y (cosh²x - sinh²x) / |cosh z|²`: all digits lost for large |x|.
    ///
    /// ```
    /// tanh(x + iy) = (sinh 2x + i sin 2y) / (cosh 2x + cos 2y)
    /// ```
    static func complexStepTanh(_ z: Complex<Double>) -> Complex<Double> {
        let x = z.real, y = z.imaginary
        guard Swift.abs(x) < 350 else { return Complex(x > 0 ? 1 : -1, 4 * Foundation.sin(y) * Foundation.cos(y) * Foundation.exp(-2 * Swift.abs(x))) }
        let d = Foundation.cosh(2 * x) + Foundation.cos(2 * y)
        return Complex(y == 0 ? Foundation.tanh(x) : Foundation.sinh(2 * x) / d, Foundation.sin(2 * y) / d)
    }

    /// `z^n` by repeated squaring for an integer `n` with `|n| <= 1024`, else `nil`.
    static func integerPower(_ z: Complex<Double>, _ exponent: Double) -> Complex<Double>? {
        guard exponent == exponent.rounded(), Swift.abs(exponent) <= 1024 else { return nil }
        var n = Int(Swift.abs(exponent))
        var base = z
        var result = Complex<Double>.one
        while n > 0 {
            if n & 1 == 1 { result = result * base }
            base = base * base
            n >>= 1
        }
        return exponent < 0 ? 1 / result : result
    }
}
