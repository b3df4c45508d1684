// The four losses of `Loss`, their values and their gradients with respect to the network
// outputs, computed stably. Shared by `NetworkWorkspace` and `UnitNetwork`.
import Foundation

extension NetworkWorkspace {
    /// The loss of a batch of outputs and, when `dOutputs` is given, `dL/d outputs` written
    /// into it (overwritten, the same layout as `outputs`).
    ///
    /// ```
    /// squared error         (1/N) sum_n 1/2 sum_k (f_nk - y_nk)^2        d = (f - y) / N
    /// multiclass logistic   sum_n [log sum_k exp f_nk - f_n,t(n)]        d = softmax(f_n) - e_t(n)
    /// softmax cross-entropy the same / N                                 d = (softmax(f_n) - e_t(n)) / N
    /// bce with logits       (1/(N K)) sum_nk max(z,0) - z y + log1p(exp(-|z|))   d = (sigma(z) - y) / (N K)
    /// ```
    ///
    /// The log-sum-exp subtracts each sample's maximum first, so logits of any size give a
    /// finite loss; the binary cross-entropy never evaluates `exp` of a positive number.
    ///
    /// Invalid targets are programmer errors and stop the program with a precondition
    /// failure (the hot path does not throw): the target kind must fit the loss
    /// (``Loss/takesLabels``), `.labels` must hold `batch` entries with `0 <= label < K`,
    /// `.values` must hold `batch * K` entries, and `outputs.count` must be `batch * K`
    /// for some `K >= 1`.
    ///
    /// Allocates nothing.
    public static func loss(
        _ loss: Loss, outputs: UnsafeBufferPointer<Double>, targets: Targets, batch: Int,
        into dOutputs: UnsafeMutableBufferPointer<Double>?
    ) -> Double {
        precondition(batch > 0, "the batch must hold at least one sample")
        precondition(outputs.count > 0 && outputs.count % batch == 0, "\(outputs.count) outputs do not split into \(batch) samples")
        if let d = dOutputs { precondition(d.count == outputs.count, "dOutputs has \(d.count) entries, outputs \(outputs.count)") }
        let classes = outputs.count / batch
        let f = outputs.baseAddress!
        let d = dOutputs?.baseAddress
        let n = Double(batch)

        switch (loss, targets) {
        case (.squaredError, .values(let y)):
            precondition(y.count == outputs.count, "squared error needs \(outputs.count) target values (batch x outputs), not \(y.count)")
            var sum = 0.0
            for i in 0..<outputs.count {
                let r = f[i] - y[i]
                sum += r * r
                d?[i] = r / n
            }
            return 0.5 * sum / n

        case (.binaryCrossEntropyWithLogits, .values(let y)):
            precondition(y.count == outputs.count, "binary cross-entropy needs \(outputs.count) target values (batch x outputs), not \(y.count)")
            let count = Double(outputs.count)
            var sum = 0.0
            for i in 0..<outputs.count {
                let z = f[i]
                sum += Swift.max(z, 0) - z * y[i] + log1p(exp(-Swift.abs(z)))
                d?[i] = (Activation.logistic(z) - y[i]) / count
            }
            return sum / count

        case (.multiclassLogistic, .labels(let labels)), (.softmaxCrossEntropy, .labels(let labels)):
            precondition(labels.count == batch, "\(loss.rawValue) needs one label per sample (\(batch)), not \(labels.count)")
            let scale = loss == .softmaxCrossEntropy ? 1 / n : 1
            var sum = 0.0
            for s in 0..<batch {
                let t = labels[s]
                precondition(t >= 0 && t < classes, "label \(t) of sample \(s) is not a class in 0..<\(classes)")
                let row = f + s * classes
                var m = row[0]
                for k in 1..<classes where row[k] > m { m = row[k] }
                var z = 0.0
                if let d {
                    let drow = d + s * classes
                    for k in 0..<classes {
                        let e = exp(row[k] - m)
                        drow[k] = e
                        z += e
                    }
                    for k in 0..<classes { drow[k] = drow[k] / z * scale }
                    drow[t] -= scale
                } else {
                    for k in 0..<classes { z += exp(row[k] - m) }
                }
                sum += (m - row[t]) + log(z)
            }
            return sum * scale

        case (.squaredError, .labels), (.binaryCrossEntropyWithLogits, .labels):
            preconditionFailure("\(loss.rawValue) compares outputs with values, not labels")
        case (.multiclassLogistic, .values), (.softmaxCrossEntropy, .values):
            preconditionFailure("\(loss.rawValue) takes one class label per sample, not values")
        }
    }

    /// The loss of `outputs` and its gradient with respect to them, as new arrays: for tests
    /// and one-off use (allocates; the workspace uses the buffer form).
    public static func loss(_ loss: Loss, outputs: [Double], targets: Targets, batch: Int) -> (value: Double, gradient: [Double]) {
        var gradient = [Double](repeating: 0, count: outputs.count)
        let value = outputs.withUnsafeBufferPointer { f in
            gradient.withUnsafeMutableBufferPointer { g in
                Self.loss(loss, outputs: f, targets: targets, batch: batch, into: g)
            }
        }
        return (value, gradient)
    }
}
