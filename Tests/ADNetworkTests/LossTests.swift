// Loss values and output gradients against closed forms and 30-digit references, their
// stability at large logits, and the checks on targets.
import ADNetwork
import Foundation
import Testing

@Suite("Losses")
struct LossTests {
    @Test("Multiclass logistic: log(e + e^2 + e^3) - 1 = 2.4076059644443803045, gradient softmax - e_0")
    func multiclassLogistic() {
        let (value, gradient) = NetworkWorkspace.loss(.multiclassLogistic, outputs: [1, 2, 3], targets: .labels([0]), batch: 1)
        #expect(value.isApproximatelyEqual(to: 2.4076059644443803045, relativeTolerance: 4e-16))
        let softmax = [0.090030573170380457998, 0.24472847105479765247, 0.66524095577482188953]
        for (g, expected) in zip(gradient, [softmax[0] - 1, softmax[1], softmax[2]]) {
            #expect(g.isApproximatelyEqual(to: expected, relativeTolerance: 1e-15))
        }
    }

    @Test("Multiclass logistic sums over the batch, softmax cross-entropy averages")
    func batchScaling() {
        let f: [Double] = [1, 2, 3, -0.5, 0.25, 2]
        let labels = Targets.labels([2, 0])
        let summed = NetworkWorkspace.loss(.multiclassLogistic, outputs: f, targets: labels, batch: 2)
        let averaged = NetworkWorkspace.loss(.softmaxCrossEntropy, outputs: f, targets: labels, batch: 2)
        let first = log(exp(1.0) + exp(2.0) + exp(3.0)) - 3, second = log(exp(-0.5) + exp(0.25) + exp(2.0)) + 0.5
        #expect(summed.value.isApproximatelyEqual(to: first + second, relativeTolerance: 1e-15))
        #expect(averaged.value.isApproximatelyEqual(to: (first + second) / 2, relativeTolerance: 1e-15))
        for (s, a) in zip(summed.gradient, averaged.gradient) { #expect(a.isApproximatelyEqual(to: s / 2, relativeTolerance: 1e-15)) }
    }

    @Test("Log-sum-exp with the maximum subtracted: logits of +-1000 give a finite loss and gradient")
    func largeLogits() {
        let (value, gradient) = NetworkWorkspace.loss(.multiclassLogistic, outputs: [1000, 0, -1000], targets: .labels([1]), batch: 1)
        #expect(value == 1000)
        #expect(gradient == [1, -1, 0])
        let (v2, g2) = NetworkWorkspace.loss(.softmaxCrossEntropy, outputs: [-1000, -1001], targets: .labels([0]), batch: 1)
        #expect(v2.isApproximatelyEqual(to: log1p(exp(-1.0)), relativeTolerance: 1e-15))
        // softmax(-1000, -1001) - e_0, from the closed form 1 / (1 + e^-1): finite and exact, not
        // just finite (two entries, so the check is not over an empty gradient).
        let p0 = 1 / (1 + exp(-1.0))
        #expect(g2.count == 2 && g2.allSatisfy { $0.isFinite })
        #expect(g2.count == 2 && g2[0].isApproximatelyEqual(to: p0 - 1, relativeTolerance: 1e-14) && g2[1].isApproximatelyEqual(to: 1 - p0, relativeTolerance: 1e-14), "\(g2)")
    }

    @Test("Squared error: (1/N) sum 1/2 (f - y)^2, gradient (f - y)/N")
    func squaredError() {
        let (value, gradient) = NetworkWorkspace.loss(.squaredError, outputs: [1.5, -2, 0.25, 4], targets: .values([1, 1, -0.75, 3.5]), batch: 2)
        #expect(value == (0.25 + 9 + 1 + 0.25) / 2 / 2)
        #expect(gradient == [0.25, -1.5, 0.5, 0.25])
    }

    @Test("BCE with logits, averaged over all entries: 30-digit references and no overflow at z = +-800")
    func binaryCrossEntropy() {
        let (value, gradient) = NetworkWorkspace.loss(.binaryCrossEntropyWithLogits, outputs: [2.5, -1.2], targets: .values([0.3, 0.8]), batch: 1)
        #expect(value.isApproximatelyEqual(to: (1.8288897342925496233 + 1.2232824673380311892) / 2, relativeTolerance: 1e-15))
        let sigma = { (z: Double) in 1 / (1 + exp(-z)) }
        #expect(gradient[0].isApproximatelyEqual(to: (sigma(2.5) - 0.3) / 2, relativeTolerance: 1e-15))
        #expect(gradient[1].isApproximatelyEqual(to: (sigma(-1.2) - 0.8) / 2, relativeTolerance: 1e-15))
        let (big, g) = NetworkWorkspace.loss(.binaryCrossEntropyWithLogits, outputs: [800, -800], targets: .values([0, 1]), batch: 2)
        #expect(big == 800)
        #expect(g == [0.5, -0.5])
    }

    @Test("A label outside 0..<classes stops the program")
    func badLabel() async {
        await #expect(processExitsWith: .failure) {
            _ = NetworkWorkspace.loss(.multiclassLogistic, outputs: [1, 2, 3], targets: .labels([3]), batch: 1)
        }
        await #expect(processExitsWith: .failure) {
            _ = NetworkWorkspace.loss(.softmaxCrossEntropy, outputs: [1, 2, 3], targets: .labels([-1]), batch: 1)
        }
    }

    @Test("A target count that does not fit, or labels for a value loss, stops the program")
    func badTargets() async {
        await #expect(processExitsWith: .failure) {
            _ = NetworkWorkspace.loss(.squaredError, outputs: [1, 2, 3, 4], targets: .values([1, 2, 3]), batch: 2)
        }
        await #expect(processExitsWith: .failure) {
            _ = NetworkWorkspace.loss(.multiclassLogistic, outputs: [1, 2, 3, 4], targets: .labels([1]), batch: 2)
        }
        await #expect(processExitsWith: .failure) {
            _ = NetworkWorkspace.loss(.squaredError, outputs: [1, 2], targets: .labels([1]), batch: 1)
        }
    }
}
