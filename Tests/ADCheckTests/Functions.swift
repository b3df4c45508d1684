// Functions with closed-form derivatives written out by hand (the references of these tests are
// these closed forms and the numerical oracles, never ADCheck's own code), and random points.
import ADCatalog
import ADCheck
import Foundation

/// `f(x) = Σ_i sin(x_i) x_{i+1} + Σ_i exp(x_i / 3)`.
func sinChain<T: BinaryFloatingPoint & ElementaryFunctionsLike>(_ x: [T]) -> T {
    var s: T = 0
    for i in x.indices {
        if i + 1 < x.count { s += T.sin(x[i]) * x[i + 1] }
        s += T.exp(x[i] / 3)
    }
    return s
}

/// `∂f/∂x_j = cos(x_j) x_{j+1} + sin(x_{j-1}) + exp(x_j / 3) / 3`.
func sinChainGradient<T: BinaryFloatingPoint & ElementaryFunctionsLike>(_ x: [T]) -> [T] {
    x.indices.map { j in
        var g = T.exp(x[j] / 3) / 3
        if j + 1 < x.count { g += T.cos(x[j]) * x[j + 1] }
        if j > 0 { g += T.sin(x[j - 1]) }
        return g
    }
}

/// `f(x) = Σ_i 100 (x_{i+1} - x_i²)² + (1 - x_i)²` (Rosenbrock).
func rosenbrock(_ x: [Double]) -> Double {
    var s = 0.0
    for i in 0..<(x.count - 1) {
        let a = x[i + 1] - x[i] * x[i], b = 1 - x[i]
        s += 100 * a * a + b * b
    }
    return s
}

/// `∂f/∂x_j = -400 x_j (x_{j+1} - x_j²) - 2 (1 - x_j) + 200 (x_j - x_{j-1}²)`.
func rosenbrockGradient(_ x: [Double]) -> [Double] {
    x.indices.map { j in
        var g = 0.0
        if j + 1 < x.count { g += -400 * x[j] * (x[j + 1] - x[j] * x[j]) - 2 * (1 - x[j]) }
        if j > 0 { g += 200 * (x[j] - x[j - 1] * x[j - 1]) }
        return g
    }
}

/// `f(x) = log Σ exp(x_i)`; its gradient is the softmax.
func logSumExp(_ x: [Double]) -> Double {
    let top = x.max() ?? 0
    return top + log(x.reduce(0) { $0 + exp($1 - top) })
}

func softmax(_ x: [Double]) -> [Double] {
    let top = x.max() ?? 0
    let e = x.map { exp($0 - top) }
    let s = e.reduce(0, +)
    return e.map { $0 / s }
}

/// `F(x) = (x0 x1 + sin x2, exp(x0) x2² - x1)`: R³ -> R².
func vectorF<T: BinaryFloatingPoint & ElementaryFunctionsLike>(_ x: [T]) -> [T] {
    [x[0] * x[1] + T.sin(x[2]), T.exp(x[0]) * x[2] * x[2] - x[1]]
}

/// `J = [[x1, x0, cos x2], [exp(x0) x2², -1, 2 exp(x0) x2]]`.
func vectorJacobian<T: BinaryFloatingPoint & ElementaryFunctionsLike>(_ x: [T]) -> [[T]] {
    [[x[1], x[0], T.cos(x[2])], [T.exp(x[0]) * x[2] * x[2], -1, 2 * T.exp(x[0]) * x[2]]]
}

/// `Jᵀu` written out.
func vectorVJP<T: BinaryFloatingPoint & ElementaryFunctionsLike>(_ x: [T], _ u: [T]) -> [T] {
    let e = T.exp(x[0])
    return [u[0] * x[1] + u[1] * e * x[2] * x[2], u[0] * x[0] - u[1], u[0] * T.cos(x[2]) + u[1] * 2 * e * x[2]]
}

/// `J v` written out.
func vectorJVP<T: BinaryFloatingPoint & ElementaryFunctionsLike>(_ x: [T], _ v: [T]) -> [T] {
    let e = T.exp(x[0])
    return [x[1] * v[0] + x[0] * v[1] + T.cos(x[2]) * v[2], e * x[2] * x[2] * v[0] - v[1] + 2 * e * x[2] * v[2]]
}

/// The elementary functions the test functions need, for Float and Double alike.
protocol ElementaryFunctionsLike {
    static func sin(_ x: Self) -> Self
    static func cos(_ x: Self) -> Self
    static func exp(_ x: Self) -> Self
}

extension Double: ElementaryFunctionsLike {
    static func sin(_ x: Double) -> Double { librarySin(x) }
    static func cos(_ x: Double) -> Double { libraryCos(x) }
    static func exp(_ x: Double) -> Double { libraryExp(x) }
}

extension Float: ElementaryFunctionsLike {
    static func sin(_ x: Float) -> Float { librarySin(x) }
    static func cos(_ x: Float) -> Float { libraryCos(x) }
    static func exp(_ x: Float) -> Float { libraryExp(x) }
}

// At file scope `sin` is the C library's (inside the extensions it would be the member itself).
private func librarySin(_ x: Double) -> Double { sin(x) }
private func libraryCos(_ x: Double) -> Double { cos(x) }
private func libraryExp(_ x: Double) -> Double { exp(x) }
private func librarySin(_ x: Float) -> Float { sin(x) }
private func libraryCos(_ x: Float) -> Float { cos(x) }
private func libraryExp(_ x: Float) -> Float { exp(x) }

/// A point with entries of magnitude 0.3 to 1.8 and random signs (no 0, no 1).
func randomPoint(_ n: Int, seed: UInt64) -> [Double] {
    var generator = SplitMix64(seed: seed)
    return (0..<n).map { _ in 1.2 * generator.nonUnit() }
}

/// `x` rounded to 11 significant bits, as Float16 would store it (computed in Float, so the
/// test does not depend on Float16 being available).
func roundedToHalf(_ x: Float) -> Float {
    guard x != 0, x.isFinite else { return x }
    let unit = Float(sign: .plus, exponent: x.exponent - 10, significand: 1)
    return (x / unit).rounded() * unit
}
