// What a whole ADCheck gradient check costs: user-style closures with hand-written gradients,
// checked in full and fast mode by the engine ADCheck calls (`DerivativeCheck`).
import ADBench
import ADReport
import ADCatalog
import ADNetwork
import ADVerify
import Foundation

enum CheckCostBench {
    /// sum-sin-exp at n = 10 ... 1000 (quick) or ... 10^4, full and fast; the 784-72-10
    /// perceptron's loss fast, and full estimated from sampled partials (a full check of its
    /// 57,168 partials would take minutes).
    static func run(quick: Bool, progress: (String) -> Void) -> [CheckCost] {
        var rows: [CheckCost] = []
        for n in quick ? [10, 100, 1000] : [10, 100, 1000, 10_000] {
            let x = (0..<n).map { 0.5 * sin(Double($0)) + 0.1 }
            for mode in [CheckMode.full, .fast] {
                progress("check cost: sum-sin-exp \(n), \(mode.rawValue)")
                rows.append(measure("sum-sin-exp", f: { sumSinExp($0) }, gradient: sumSinExpGradient(x), at: x, mode: mode))
            }
        }
        progress("check cost: mlp 784-72-10 loss")
        rows += network()
        return rows
    }

    /// `f(x) = sum_{i<n-1} [sin(x_i) x_{i+1} + exp(x_i / n)]` as a user writes it.
    static func sumSinExp(_ x: [Double]) -> Double {
        let n = Double(x.count)
        var s = 0.0
        for i in 0..<(x.count - 1) { s += sin(x[i]) * x[i + 1] + exp(x[i] / n) }
        return s
    }

    /// Its gradient by hand: `cos(x_i) x_{i+1} + exp(x_i / n) / n + sin(x_{i-1})`.
    static func sumSinExpGradient(_ x: [Double]) -> [Double] {
        let n = Double(x.count)
        var g = [Double](repeating: 0, count: x.count)
        for i in 0..<(x.count - 1) {
            g[i] += cos(x[i]) * x[i + 1] + exp(x[i] / n) / n
            g[i + 1] += sin(x[i])
        }
        return g
    }

    static func measure(
        _ name: String, f: ([Double]) -> Double, gradient: [Double], at x: [Double], mode: CheckMode
    ) -> CheckCost {
        let options = DerivativeCheckOptions(seed: 0xC0_57, mode: mode)
        let clock = ContinuousClock()
        let start = clock.now
        let result = DerivativeCheck.gradient(of: f, claimed: gradient, at: x, options: options)
        let seconds = seconds(clock.now - start)
        return CheckCost(
            function: name, inputs: x.count, mode: result.mode.rawValue, entries: result.entries.count,
            evaluations: result.evaluations, seconds: seconds, evaluationSeconds: evaluationSeconds { _ = f(x) },
            verdict: verdict(result.verdict))
    }

    /// The perceptron of the benchmark's MLP rows (no biases, tanh, multiclass logistic loss) at
    /// batch 16, its loss and the network core's backprop as the user's gradient.
    static func network() -> [CheckCost] {
        guard let model = try? Sequential(
            input: Shape([784]),
            layers: [.dense(Dense(inputs: 784, outputs: 72, bias: false)), .activation(.tanh), .dense(Dense(inputs: 72, outputs: 10, bias: false))])
        else { return [] }
        var random = SplitMix64(seed: "check-cost-784-72-10")
        let batch = 16
        var theta = [Double](repeating: 0, count: model.parameterCount)
        for tensor in model.parameters {
            let bound = 1 / Double(tensor.shape.last ?? 1).squareRoot()
            for k in tensor.offset..<(tensor.offset + tensor.count) { theta[k] = random.uniform(-bound, bound) }
        }
        let inputs = (0..<(batch * 784)).map { _ in random.unit() }
        let targets = Targets.labels((0..<batch).map { _ in Int(random.next() % 10) })
        var workspace = NetworkWorkspace(network: model, batch: batch)
        var gradient = [Double](repeating: 0, count: theta.count)
        _ = workspace.valueAndGradient(parameters: theta, inputs: inputs, loss: .multiclassLogistic, targets: targets, into: &gradient)
        let loss: ([Double]) -> Double = { p in workspace.value(parameters: p, inputs: inputs, loss: .multiclassLogistic, targets: targets) }
        let name = "mlp 784-72-10 loss (batch \(batch))"
        var rows = [measure(name, f: loss, gradient: gradient, at: theta, mode: .fast)]
        // Full mode from 200 sampled partials: their evaluations per partial, times all of them.
        let sampled = 200
        let options = DerivativeCheckOptions(seed: 0xC0_57, mode: .fast, fastDirections: 1, fastSamples: sampled)
        let result = DerivativeCheck.gradient(of: loss, claimed: gradient, at: theta, options: options)
        let partials = result.entries.filter { $0.input != nil }
        let perPartial = Double(partials.reduce(0) { $0 + $1.evaluations }) / Double(Swift.max(partials.count, 1))
        let evaluations = Int((perPartial * Double(theta.count)).rounded())
        let one = rows[0].evaluationSeconds
        rows.append(CheckCost(
            function: name, inputs: theta.count, mode: "full (estimated)", entries: theta.count, evaluations: evaluations,
            seconds: Double(evaluations) * one, evaluationSeconds: one, verdict: verdict(result.verdict), sampled: partials.count))
        return rows
    }

    /// The median of 7 timed calls (at least 20 ms of calls each).
    static func evaluationSeconds(_ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        var samples: [Double] = []
        for _ in 0..<7 {
            var calls = 0
            let start = clock.now
            var elapsed = 0.0
            repeat {
                body()
                calls += 1
                elapsed = seconds(clock.now - start)
            } while elapsed < 0.02
            samples.append(elapsed / Double(calls))
        }
        return samples.sorted()[3]
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    static func verdict(_ v: Verdict) -> String {
        switch v {
        case .pass: "pass"
        case .fail: "fail"
        case .inconclusive: "inconclusive"
        }
    }
}
