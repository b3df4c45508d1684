// How accurately a graph evaluates one of its nodes: the oracles' round-off terms need it.
import ADCatalog
import ADCore

extension Workspace {
    /// `sqrt(Σ_i (v̄_i v_i)²)` over the computed nodes `i` that `node` depends on, where
    /// `v̄_i = ∂v_node/∂v_i` by the rule table (after a primal sweep); `nil` when it is not finite.
    ///
    /// Every primitive rounds its result by about an ulp, `δ_i ≈ eps |v_i|`, and that error
    /// reaches `node` multiplied by `v̄_i`. Independent roundings add like a random walk, so
    /// `eps · roundingNoise(of:)` is the typical error of the node's computed value. It is far
    /// above `eps |v_node|` where large intermediate values cancel or are amplified (`tan(e^2)`
    /// after `exp`: the argument's last bit, which tan' multiplies).
    func roundingNoise(of node: Int) -> Double? {
        var adjoint = [Double](repeating: 0, count: node + 1)
        adjoint[node] = 1
        var sum = 0.0
        let values = self.values
        for i in stride(from: node, through: 0, by: -1) {
            let a = adjoint[i]
            let op = graph.ops[i]
            if a == 0 || op.isLeaf { continue }
            let term = a * values[i]
            sum += term * term
            // The true rule's partials, not the stored ones: a rule mutant (`adverify selftest`)
            // must not change how noisy f is judged to be, and so widen the budgets meant to
            // catch it.
            let l = Int(graph.lhs[i]), r = Int(graph.rhs[i])
            let (pa, pb) = op.partials(values[l], r >= 0 ? values[r] : 0, value: values[i])
            adjoint[l] += pa * a
            if r >= 0 { adjoint[r] += pb * a }
        }
        let noise = sum.squareRoot()
        return noise.isFinite ? noise : nil
    }
}

extension Workspace {
    /// For output `k` and input `j` (row-major, `outputCount × inputCount`): the sum over all
    /// paths from the input to the output of the product of the magnitudes of the local partials,
    /// `Σ_paths Π |∂v/∂u|` (after ``linearize(at:)``; one sweep per output). `nil` when it is not
    /// finite.
    ///
    /// Forward and reverse mode add up exactly these path products, in different orders, so they
    /// differ by a few ulps of this sum, not of the derivative: where paths cancel (`x - x` feeding
    /// an exponential, `(a b) / b`) the derivative is far smaller than the terms it is made of,
    /// and a relative comparison of the two modes fails two correct sweeps.
    func pathProductScale() -> [Double]? {
        let n = graph.inputCount
        var scale = [Double](repeating: 0, count: graph.outputCount * n)
        var a = [Double](repeating: 0, count: graph.nodeCount)
        let partials = self.partials
        for (k, output) in graph.outputNodes.enumerated() {
            for i in a.indices { a[i] = 0 }
            a[output] = 1
            for i in stride(from: output, through: 0, by: -1) {
                let w = a[i]
                if w == 0 || graph.ops[i].isLeaf { continue }
                a[Int(graph.lhs[i])] += abs(partials[2 * i]) * w
                let r = Int(graph.rhs[i])
                if r >= 0 { a[r] += abs(partials[2 * i + 1]) * w }
            }
            for (j, node) in graph.inputNodes.enumerated() {
                guard a[node].isFinite else { return nil }
                scale[k * n + j] = a[node]
            }
        }
        return scale
    }
}

extension Graph {
    /// For every Jacobian entry (row-major, `outputCount × inputCount`), how far reverse mode's
    /// value moves when every rounding in the computation falls differently: the largest change
    /// over `runs` recomputations in which each node's value, each local partial and each adjoint
    /// update is multiplied by `1 + r eps` with `r` uniform in [-1, 1] (Monte Carlo arithmetic),
    /// against the same computation without the factors. `nil` when a run is not finite.
    ///
    /// AD is exact arithmetic on rounded numbers: where f' depends strongly on an intermediate
    /// value (`sin(4 tan x)` near a zero of the cosine, a long chain that amplifies the rounding
    /// of a large argument) its value is only good to this spread, and so is the complex step's,
    /// which rounds the same intermediate values differently. A comparison that ignores it fails
    /// a correct AD value against an exact oracle.
    ///
    /// The sweeps here are this function's own (the rule table's values and partials, no
    /// workspace), and the spread is measured against its own unperturbed run: a wrong sweep
    /// elsewhere cannot show up as spread and widen the budgets that should catch it.
    func jacobianRoundingSpread(at x: [Double], runs: Int = 5, seed: String) -> [Double]? {
        var rng = SplitMix64(seed: "rounding " + seed)
        let count = nodeCount
        var v = [Double](repeating: 0, count: count)
        var p = [Double](repeating: 0, count: 2 * count)
        var adjoint = [Double](repeating: 0, count: count)
        var reference = [Double](repeating: 0, count: outputCount * inputCount)
        var spread = reference
        for run in 0...runs {
            // Run 0 is the reference: every factor exactly 1.
            func jitter() -> Double { run == 0 ? 1 : 1 + (2 * rng.unit() - 1) * Double.ulpOfOne }
            for i in 0..<count {
                switch ops[i] {
                case .input: v[i] = x[Int(lhs[i])]
                case .constant: v[i] = payload[i]
                default:
                    let a = v[Int(lhs[i])], b = rhs[i] >= 0 ? v[Int(rhs[i])] : 0
                    let value = ops[i].value(a, b) * jitter()
                    v[i] = value
                    let (pa, pb) = ops[i].partials(a, b, value: value)
                    p[2 * i] = pa * jitter()
                    p[2 * i + 1] = pb * jitter()
                }
            }
            for (k, output) in outputNodes.enumerated() {
                for i in adjoint.indices { adjoint[i] = 0 }
                adjoint[output] = 1
                for i in stride(from: output, through: 0, by: -1) {
                    let a = adjoint[i]
                    if a == 0 || ops[i].isLeaf { continue }
                    let l = Int(lhs[i])
                    adjoint[l] = (adjoint[l] + p[2 * i] * a) * jitter()
                    let r = Int(rhs[i])
                    if r >= 0 { adjoint[r] = (adjoint[r] + p[2 * i + 1] * a) * jitter() }
                }
                for (j, node) in inputNodes.enumerated() {
                    let entry = k * inputCount + j
                    if run == 0 {
                        reference[entry] = adjoint[node]
                    } else {
                        let d = abs(adjoint[node] - reference[entry])
                        guard d.isFinite else { return nil }
                        spread[entry] = Swift.max(spread[entry], d)
                    }
                }
            }
        }
        return spread
    }
}
