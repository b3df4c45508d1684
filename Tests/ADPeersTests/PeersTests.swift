// Every peer against the closed forms at seeded random points: a peer with a wrong value or
// gradient would make a bogus comparison in the benchmark.
import ADCatalog  // SplitMix64: the points are the same on every run and platform
import Testing
@testable import ADPeers

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A value with the sum of the magnitudes of the terms it adds up, the scale its rounding
/// error is relative to (so a component that happens to cancel to near zero is not held to
/// a relative error of 1e-12 of almost nothing).
struct Expected {
    var value: Double
    var scale: Double
}

let tolerance = 1e-12

func close(_ actual: Double, _ expected: Expected) -> Bool {
    abs(actual - expected.value) <= tolerance * expected.scale
}

func randomPoint(count n: Int, seed: UInt64) -> [Double] {
    var random = SplitMix64(seed: seed)
    return (0..<n).map { _ in random.uniform(-2, 2) }
}

let sizes = [2, 3, 17, 1000]

// MARK: - sum-sin-exp closed forms

/// f(x) = sum_{i=0}^{n-2} [sin(x_i) x_{i+1} + exp(x_i / n)].
func sumSinExpValue(_ x: [Double]) -> Expected {
    let n = Double(x.count)
    var value = 0.0
    var scale = 0.0
    for i in 0..<(x.count - 1) {
        let product = sin(x[i]) * x[i + 1]
        let exponential = exp(x[i] / n)
        value += product + exponential
        scale += abs(product) + abs(exponential)
    }
    return Expected(value: value, scale: scale)
}

/// ∂f/∂x_i = cos(x_i) x_{i+1} + exp(x_i / n) / n (i <= n-2) + sin(x_{i-1}) (i >= 1).
func sumSinExpGradient(_ x: [Double]) -> [Expected] {
    let count = x.count
    let n = Double(count)
    return (0..<count).map { i in
        var terms: [Double] = []
        if i <= count - 2 {
            terms.append(cos(x[i]) * x[i + 1])
            terms.append(exp(x[i] / n) / n)
        }
        if i >= 1 {
            terms.append(sin(x[i - 1]))
        }
        return Expected(value: terms.reduce(0, +), scale: terms.map(abs).reduce(0, +))
    }
}

/// The first component where a gradient and the closed form disagree, described, or nil.
func disagreement(_ actual: [Double], _ expected: [Expected]) -> String? {
    guard actual.count == expected.count else {
        return "count \(actual.count), expected \(expected.count)"
    }
    for (i, (a, e)) in zip(actual, expected).enumerated() where !close(a, e) {
        return "component \(i): \(a), expected \(e.value)"
    }
    return nil
}

@Test(arguments: sizes)
func nativeSumSinExpValueIsTheClosedForm(n: Int) {
    let x = randomPoint(count: n, seed: 0x5EED_0000 + UInt64(n))
    #expect(close(NativeSumSinExp.value(x), sumSinExpValue(x)))
}

@Test(arguments: sizes)
func nativeSumSinExpAdjointIsTheClosedForm(n: Int) {
    let x = randomPoint(count: n, seed: 0x5EED_1000 + UInt64(n))
    var g = [Double](repeating: .nan, count: n)
    let value = NativeSumSinExp.valueAndGradient(x, into: &g)
    #expect(close(value, sumSinExpValue(x)))
    let problem = disagreement(g, sumSinExpGradient(x))
    #expect(problem == nil)

    // Reused for another point, the buffer holds that point's gradient, nothing of the last.
    let y = randomPoint(count: n, seed: 0x5EED_2000 + UInt64(n))
    let valueAtY = NativeSumSinExp.valueAndGradient(y, into: &g)
    #expect(close(valueAtY, sumSinExpValue(y)))
    let problemAtY = disagreement(g, sumSinExpGradient(y))
    #expect(problemAtY == nil)
}

@Test func nativeSumSinExpAdjointResizesABufferOfAnotherCount() {
    let x = randomPoint(count: 17, seed: 0x5EED_3000)
    var g = [Double](repeating: .nan, count: 5)
    _ = NativeSumSinExp.valueAndGradient(x, into: &g)
    let problem = disagreement(g, sumSinExpGradient(x))
    #expect(problem == nil)
}

@Test(arguments: sizes)
func differentiableSumSinExpIsTheClosedForm(n: Int) {
    let x = randomPoint(count: n, seed: 0x5EED_4000 + UInt64(n))
    #expect(close(DifferentiableSumSinExp.value(x), sumSinExpValue(x)))
    let problem = disagreement(DifferentiableSumSinExp.gradient(x), sumSinExpGradient(x))
    #expect(problem == nil)
}

@Test(arguments: sizes)
func subscriptLoopSumSinExpIsTheClosedForm(n: Int) {
    let x = randomPoint(count: n, seed: 0x5EED_5000 + UInt64(n))
    #expect(close(SubscriptLoopSumSinExp.value(x), sumSinExpValue(x)))
    let problem = disagreement(SubscriptLoopSumSinExp.gradient(x), sumSinExpGradient(x))
    #expect(problem == nil)
}

// MARK: - Peharz's function closed forms

/// f(x) = sqrt(c) + cos(c) with a = x², c = a + exp(a).
func peharzValue(_ x: Double) -> Expected {
    let a = x * x
    let c = a + exp(a)
    return Expected(value: sqrt(c) + cos(c), scale: abs(sqrt(c)) + abs(cos(c)))
}

/// f'(x) = (1 / (2 sqrt(c)) − sin(c)) (1 + exp(a)) 2x.
func peharzDerivative(_ x: Double) -> Expected {
    let a = x * x
    let c = a + exp(a)
    let outer = 1 / (2 * sqrt(c)) - sin(c)
    let inner = (1 + exp(a)) * 2 * x
    return Expected(
        value: outer * inner,
        scale: (abs(1 / (2 * sqrt(c))) + abs(sin(c))) * abs(inner)
    )
}

/// f'(2) to 30 digits (mpmath, mp.dps = 30): -182.869807305982782981196636397.
let peharzDerivativeAtTwo = -182.869807305982782981196636397
/// f(2) to 30 digits: 7.19432963558585185124240292614.
let peharzValueAtTwo = 7.19432963558585185124240292614

func peharzPoints() -> [Double] {
    var random = SplitMix64(seed: 0x5EED_6000)
    return (0..<32).map { _ in random.uniform(-2.5, 2.5) }
}

func relativelyClose(_ actual: Double, _ expected: Double) -> Bool {
    abs(actual - expected) <= tolerance * abs(expected)
}

@Test func nativePeharzIsTheClosedForm() {
    for x in peharzPoints() {
        #expect(close(NativePeharz.value(x), peharzValue(x)), "x = \(x)")
        let (value, derivative) = NativePeharz.valueAndDerivative(x)
        #expect(close(value, peharzValue(x)), "x = \(x)")
        #expect(close(derivative, peharzDerivative(x)), "x = \(x)")
    }
}

@Test func differentiablePeharzIsTheClosedForm() {
    for x in peharzPoints() {
        #expect(close(DifferentiablePeharz.value(x), peharzValue(x)), "x = \(x)")
        #expect(close(DifferentiablePeharz.derivative(x), peharzDerivative(x)), "x = \(x)")
    }
}

@Test func peharzAtTwoIsTheHighPrecisionConstant() {
    #expect(relativelyClose(peharzValue(2).value, peharzValueAtTwo))
    #expect(relativelyClose(peharzDerivative(2).value, peharzDerivativeAtTwo))
    #expect(relativelyClose(NativePeharz.value(2), peharzValueAtTwo))
    #expect(relativelyClose(NativePeharz.valueAndDerivative(2).value, peharzValueAtTwo))
    #expect(relativelyClose(NativePeharz.valueAndDerivative(2).derivative, peharzDerivativeAtTwo))
    #expect(relativelyClose(DifferentiablePeharz.value(2), peharzValueAtTwo))
    #expect(relativelyClose(DifferentiablePeharz.derivative(2), peharzDerivativeAtTwo))
}

@Test func stylesNameTheirDocumentedForm() {
    #expect(DifferentiableSumSinExp.style.contains("differentiableReduce"))
    #expect(DifferentiablePeharz.style.contains("@differentiable(reverse)"))
}
