// The methods the benchmark times on an ADCore graph: adverify's sweeps and the numerical
// oracles' gradient loops, each as a call that returns a number to consume.
import ADCore
import ADNumeric
import ComplexModule
import Foundation

/// One graph at one point, with every buffer the timed methods need allocated up front.
///
/// The numerical methods are the plain gradient loops whose cost the seeds count: forward
/// differences `n + 1` evaluations (Domke's footnote), central `2n`, 5-point `4n`, GSL's
/// central rule per partial (`gsl_deriv_central`, 4 evaluations each), and the complex step
/// `n` complex evaluations. Steps are ADNumeric's defaults (``StepRule``). The error-estimating
/// variants the verifier uses cost more; the benchmark times the textbook loops.
final class GraphHarness {
    let graph: Graph
    let point: [Double]
    // Unchecked: the harness is used from one thread, and the dynamic exclusivity check on
    // each access of a class's stored property would be timed as part of every call.
    @exclusivity(unchecked) private var workspace: Workspace
    private var x: [Double]
    private var seeds: [Double]
    private var z: [Complex<Double>]
    @exclusivity(unchecked) private(set) var gradient: [Double]
    /// A fixed non-unit direction for the Hessian-vector product, and its result.
    private let direction: [Double]
    @exclusivity(unchecked) private var product: [Double]
    /// Primal evaluations since the last reset.
    private(set) var evaluations = 0

    init(graph: Graph, point: [Double]) {
        precondition(point.count == graph.inputCount)
        self.graph = graph
        self.point = point
        workspace = Workspace(for: graph)
        x = point
        seeds = Array(repeating: 0, count: graph.inputCount)
        z = point.map { Complex($0, 0) }
        gradient = Array(repeating: 0, count: graph.inputCount)
        direction = (0..<graph.inputCount).map { (k: Int) -> Double in 0.5 + Double((k &* 7919) % 101) / 101 }
        product = Array(repeating: 0, count: graph.inputCount)
    }

    var n: Int { graph.inputCount }

    /// The forward sweeps of a vector-mode gradient or Jacobian: ADCore's chunks of directions.
    var forwardChunks: Int {
        let width = Workspace.chunkWidth(nodeCount: graph.nodeCount, inputCount: n)
        return (n + width - 1) / width
    }

    /// The output `k` at `x` (the scratch point).
    private func evaluate(_ k: Int = 0) -> Double {
        evaluations += 1
        do { try workspace.evaluate(at: x) } catch { return .nan }
        return workspace.outputValue(k)
    }

    // MARK: adverify

    /// The primal sweep at the point; returns the first output.
    func primal() -> Double {
        do { try workspace.evaluate(at: point) } catch { return .nan }
        return workspace.outputValue(0)
    }

    /// The reverse gradient of output 0: one linearizing primal sweep and one adjoint sweep.
    func reverse() -> Double {
        do { try workspace.gradient(at: point, into: &gradient) } catch { return .nan }
        return gradient[0]
    }

    /// The forward gradient in vector mode (all `n` directions, in chunks of up to 64).
    func forwardVector() -> Double {
        do { try workspace.forwardGradient(at: point, into: &gradient) } catch { return .nan }
        return gradient[0]
    }

    /// The forward gradient by `n` scalar tangent sweeps after one linearization.
    func forwardScalar() -> Double {
        do {
            try workspace.linearize(at: point)
            let output = graph.outputNodes[0]
            for k in 0..<n {
                seeds[k] = 1
                try workspace.forward(seeds: seeds, width: 1)
                seeds[k] = 0
                gradient[k] = workspace.tangent(of: output)
            }
        } catch { return .nan }
        return gradient[0]
    }

    /// `∇²f v` by forward over reverse: a linearising primal, an adjoint sweep, a tangent sweep
    /// and the backward sweep of the adjoints' tangents.
    func hvp() -> Double {
        do { try workspace.hvp(at: point, direction: direction, into: &product) } catch { return .nan }
        return product[0]
    }

    /// The full Hessian: one linearisation and adjoint sweep, then n products.
    func hessian() -> Double {
        do { return try workspace.hessian(at: point).last?.last ?? 0 } catch { return .nan }
    }

    /// The full Jacobian by forward mode (chunked vector sweeps).
    func jacobianForward() -> Double {
        do { return try workspace.jacobianForward(at: point).entries.last ?? 0 } catch { return .nan }
    }

    /// The full Jacobian by reverse mode (one adjoint sweep per output).
    func jacobianReverse() -> Double {
        do { return try workspace.jacobianReverse(at: point).entries.last ?? 0 } catch { return .nan }
    }

    // MARK: numerical oracles

    /// `(f(x + h e_k) - f(x)) / h` for every `k`: `n + 1` evaluations.
    func forwardDifferences() -> Double {
        let f0 = evaluate()
        for k in 0..<n {
            let xk = point[k]
            let h = (xk + StepRule.oneSided(at: xk)) - xk
            x[k] = xk + h
            gradient[k] = (evaluate() - f0) / h
            x[k] = xk
        }
        return gradient[0]
    }

    /// `(f(x + h e_k) - f(x - h e_k)) / 2h`: `2n` evaluations.
    func centralDifferences() -> Double {
        for k in 0..<n {
            let xk = point[k]
            let h = (xk + StepRule.central(at: xk)) - xk
            x[k] = xk + h
            let up = evaluate()
            x[k] = xk - h
            let down = evaluate()
            x[k] = xk
            gradient[k] = (up - down) / (2 * h)
        }
        return gradient[0]
    }

    /// `(f(x - 2h) - 8 f(x - h) + 8 f(x + h) - f(x + 2h)) / 12h`: `4n` evaluations.
    func fivePointDifferences() -> Double {
        for k in 0..<n {
            let xk = point[k]
            let h = (xk + StepRule.fivePoint(at: xk)) - xk
            x[k] = xk - 2 * h
            let m2 = evaluate()
            x[k] = xk - h
            let m1 = evaluate()
            x[k] = xk + h
            let p1 = evaluate()
            x[k] = xk + 2 * h
            let p2 = evaluate()
            x[k] = xk
            gradient[k] = (m2 - 8 * m1 + 8 * p1 - p2) / (12 * h)
        }
        return gradient[0]
    }

    /// GSL's `gsl_deriv_central` once per partial derivative.
    func gslCentral() -> Double {
        for k in 0..<n {
            let xk = point[k]
            let result = GSLDerivative.evaluate(.central, of: { t in
                self.x[k] = t
                return self.evaluate()
            }, at: xk, step: (xk + StepRule.central(at: xk)) - xk)
            x[k] = xk
            gradient[k] = result.value
        }
        return gradient[0]
    }

    /// `Im f(x + i h e_k) / h` for every `k`: `n` complex evaluations (each allocates its
    /// node values: ADCore's complex evaluation is a verification path, not a hot one).
    func complexStep() -> Double {
        for k in 0..<n {
            let xk = point[k]
            let h = StepRule.complexStep(at: xk)
            z[k] = Complex(xk, h)
            evaluations += 1
            let value = (try? graph.evaluateComplex(at: z)[0]) ?? Complex(.nan, .nan)
            z[k] = Complex(xk, 0)
            gradient[k] = value.imaginary / h
        }
        return gradient[0]
    }

    // MARK: checks

    /// Runs `method` once and returns its gradient and the evaluations it counted.
    func run(_ method: () -> Double) -> (gradient: [Double], evaluations: Int) {
        evaluations = 0
        consume(method())
        return (gradient, evaluations)
    }

    /// Bytes per node the reverse sweep keeps (graph and workspace arrays, by their element strides).
    var tapeBytesPerNode: Double {
        let graphBytes = MemoryLayout<Op>.stride + 2 * MemoryLayout<Int32>.stride + MemoryLayout<Double>.stride
        let workspaceBytes = 4 * MemoryLayout<Double>.stride  // value, two partials, adjoint
        return Double(graphBytes + workspaceBytes)
    }
}

/// The largest difference of `a` from `reference`, relative to the largest `|reference|`.
func relativeDifference(_ a: [Double], _ reference: [Double]) -> Double {
    guard a.count == reference.count, !a.isEmpty else { return .infinity }
    let scale = Swift.max(reference.map(abs).max() ?? 0, .leastNormalMagnitude)
    var worst = 0.0
    for (u, v) in zip(a, reference) {
        let d = abs(u - v)
        if !d.isFinite { return .infinity }
        worst = Swift.max(worst, d / scale)
    }
    return worst
}
