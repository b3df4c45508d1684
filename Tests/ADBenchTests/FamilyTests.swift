// The benchmark's families are the functions they claim to be, and its gradient loops compute
// gradients with the evaluation counts the seeds name.
import ADCatalog
import ADCore
import Foundation
import Testing
@testable import ADBench

/// Random non-unit points: the families must be right everywhere, not only at their own point.
func randomPoint(_ n: Int, seed: UInt64, in range: ClosedRange<Double> = -1.3...1.3) -> [Double] {
    var random = SplitMix64(seed: seed)
    return (0..<n).map { _ in random.uniform(range.lowerBound, range.upperBound) }
}

/// sum-sin-exp written out: the value, the sum of its terms' magnitudes (the scale of its
/// rounding), and the gradient ∂f/∂x_i = cos(x_i) x_{i+1} + exp(x_i/n)/n + sin(x_{i-1}).
func sumSinExpClosedForm(_ x: [Double]) -> (value: Double, scale: Double, gradient: [Double]) {
    let n = x.count, nd = Double(n)
    var f = 0.0, scale = 0.0
    var g = Array(repeating: 0.0, count: n)
    for i in 0..<(n - 1) {
        f += sin(x[i]) * x[i + 1] + exp(x[i] / nd)
        scale += abs(sin(x[i]) * x[i + 1]) + exp(x[i] / nd)
        g[i] += cos(x[i]) * x[i + 1] + exp(x[i] / nd) / nd
        g[i + 1] += sin(x[i])
    }
    return (f, scale, g)
}

@Suite struct FamilyTests {
    @Test(arguments: [2, 3, 10, 257])
    func sumSinExpIsItsFormula(n: Int) throws {
        let x = randomPoint(n, seed: UInt64(n))
        var ws = Workspace(for: try Family.sumSinExp(n: n))
        try ws.evaluate(at: x)
        let (f, scale, g) = sumSinExpClosedForm(x)
        #expect(abs(ws.outputValue(0) - f) <= 1e-14 * scale)
        let gradient = try ws.gradient(at: x)
        for i in 0..<n { #expect(abs(gradient[i] - g[i]) <= 1e-14 * (abs(g[i]) + 2)) }
    }

    @Test func sumSinExpPointIsTheIssues() {
        let x = Family.sumSinExpPoint(n: 4)
        #expect(x == [0.1, 0.5 * sin(1.0) + 0.1, 0.5 * sin(2.0) + 0.1, 0.5 * sin(3.0) + 0.1])
    }

    @Test func chainUndoesItselfEveryCycle() throws {
        // sin, asin, exp, log, sqrt, ^2: after whole cycles the value is x and the derivative 1.
        for cycles in [1, 10, 1000] {
            let graph = try Family.chain(depth: cycles * Family.chainOps.count)
            #expect(graph.inputCount == 1 && graph.nodeCount == cycles * 6 + 2)
            var ws = Workspace(for: graph)
            let g = try ws.gradient(at: Family.chainPoint)
            #expect(abs(ws.outputValue(0) - 0.7) <= 1e-13 * Double(cycles))
            #expect(abs(g[0] - 1) <= 1e-12 * Double(cycles))
        }
        // A depth that stops mid-cycle: sin then asin then exp, so f = exp(x), f' = exp(x).
        var ws = Workspace(for: try Family.chain(depth: 3))
        let x = randomPoint(1, seed: 9, in: -1.2...1.2)
        let g = try ws.gradient(at: x)
        #expect(abs(ws.outputValue(0) - exp(x[0])) <= 1e-14 * exp(x[0]))
        #expect(abs(g[0] - exp(x[0])) <= 1e-14 * exp(x[0]))
    }

    @Test(arguments: [(3, 1), (5, 7), (7, 3)])
    func jacobianFamilyIsItsFormula(n: Int, m: Int) throws {
        let x = randomPoint(n, seed: UInt64(10 * n + m))
        var ws = Workspace(for: try Family.jacobian(inputs: n, outputs: m))
        let jacobian = try ws.jacobianReverse(at: x)
        let s = x.reduce(0, +) / Double(n)
        for j in 0..<m {
            let a = j % n, b = (j + 1) % n
            let e = exp(s / Double(j + 1))
            #expect(abs(ws.outputValue(j) - (sin(x[a]) * x[b] + e)) <= 1e-14 * 4)
            for i in 0..<n {
                var d = e / Double(j + 1) / Double(n)
                if i == a { d += cos(x[a]) * x[b] }
                if i == b { d += sin(x[a]) }
                #expect(abs(jacobian[j, i] - d) <= 1e-14 * 4, "∂y\(j)/∂x\(i)")
            }
        }
    }
}

@Suite struct GradientLoopTests {
    /// Every loop (and adverify's sweeps) against the closed-form gradient, with the evaluation
    /// count of its formula.
    @Test func loopsGiveTheGradientWithTheirEvaluationCounts() throws {
        let n = 12
        let x = randomPoint(n, seed: 5)
        let h = GraphHarness(graph: try Family.sumSinExp(n: n), point: x)
        let reference = sumSinExpClosedForm(x).gradient
        let cases: [(String, () -> Double, Double, Int?)] = [
            ("forward differences", h.forwardDifferences, 1e-6, n + 1),
            ("central differences", h.centralDifferences, 1e-9, 2 * n),
            ("5-point differences", h.fivePointDifferences, 1e-11, 4 * n),
            ("GSL central", h.gslCentral, 1e-9, nil),
            ("complex step", h.complexStep, 1e-15, n),
            ("forward vector", h.forwardVector, 1e-15, 0),
            ("forward scalar", h.forwardScalar, 1e-15, 0),
            ("reverse", h.reverse, 1e-15, 0),
        ]
        for (name, method, tolerance, evaluations) in cases {
            let (gradient, counted) = h.run(method)
            #expect(relativeDifference(gradient, reference) <= tolerance, "\(name)")
            if let evaluations { #expect(counted == evaluations, "\(name): \(counted) evaluations") }
            // GSL's central rule evaluates f at x ± h and x ± h/2, and again at a better step
            // when its error estimate asks for one.
            if evaluations == nil { #expect(counted >= 4 * n && counted <= 8 * n, "\(name): \(counted) evaluations") }
        }
    }

    @Test func aWrongGradientIsADisagreement() {
        #expect(Benchmark.disagreement(.reverse, 0) == nil)
        #expect(Benchmark.disagreement(.reverse, 1e-9) != nil)
        #expect(Benchmark.disagreement(.forwardDifference, 1e-5) == nil)
        #expect(Benchmark.disagreement(.centralDifference, 1e-3) != nil)
        // Round-off of a difference is relative to |f|: a sum of 10^4 terms allows more.
        #expect(Benchmark.disagreement(.forwardDifference, 3e-4, scale: 1e4) == nil)
        #expect(Benchmark.disagreement(.reverse, 1e-9, scale: 1e4) != nil)
        #expect(relativeDifference([1, 2], [1, 2.5]) == 0.2)
        #expect(relativeDifference([.nan], [1]) == .infinity)
    }

    @Test func errorCurveHasItsV() {
        let curve = Benchmark.errorCurve()
        // Truncation on the right, round-off on the left: the best central step is near
        // eps^(1/3) and beats both ends by orders of magnitude.
        let central = curve.errors["central"]!
        let best = curve.bestSteps["central"]!
        #expect(best > 1e-7 && best < 1e-3)
        let bestError = central.compactMap { $0 }.min()!
        #expect(central.first!! > 1000 * bestError)
        #expect(central.last!! > 1000 * bestError)
        // The complex step has no left arm.
        let complex = curve.errors["complex step"]!.compactMap { $0 }
        #expect(complex.count >= 20, "\(complex.count) complex-step errors")
        #expect(complex.suffix(20).allSatisfy { $0 <= 1e-12 * 183 })
    }
}
