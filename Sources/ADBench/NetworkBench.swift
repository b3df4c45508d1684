// The multilayer perceptron of Domke's notes, 784-72-10 with tanh and the multiclass logistic
// loss, timed at batch 1, 64 and 256 against its loss alone and against the GEMMs it does.
import ADCatalog
import ADNetwork
import CBLAS

/// Times the network core on the 784-72-10 perceptron.
struct NetworkBench {
    let sampler: Sampler
    let progress: (String) -> Void

    static let layers = (inputs: 784, hidden: 72, outputs: 10)

    /// The perceptron: no biases, as in Domke's notes.
    static func network() throws(NetworkError) -> Sequential {
        let (i, h, o) = layers
        return try Sequential(
            input: Shape([i]),
            layers: [.dense(Dense(inputs: i, outputs: h, bias: false)), .activation(.tanh), .dense(Dense(inputs: h, outputs: o, bias: false))])
    }

    /// One row per batch size, with one OpenBLAS thread and, when OpenBLAS has more, with all of them.
    /// `wanted(threads, batch)` says which rows to measure (all by default).
    func run(batches: [Int], wanted: (Int, Int) -> Bool = { _, _ in true }) -> [NetworkTiming] {
        guard let network = try? NetworkBench.network() else { return [] }
        let original = Int(openblas_get_num_threads())
        var rows: [NetworkTiming] = []
        for threads in original > 1 ? [1, original] : [1] {
            openblas_set_num_threads(Int32(threads))
            for batch in batches where wanted(threads, batch) {
                progress("mlp 784-72-10 batch \(batch), \(threads) OpenBLAS thread\(threads == 1 ? "" : "s")")
                rows.append(measure(network, batch: batch, threads: threads))
            }
        }
        openblas_set_num_threads(Int32(original))
        return rows
    }

    func measure(_ network: Sequential, batch: Int, threads: Int) -> NetworkTiming {
        var random = SplitMix64(seed: "mlp-784-72-10")
        var parameters = Array(repeating: 0.0, count: network.parameterCount)
        for tensor in network.parameters {
            let bound = 1 / Double(tensor.shape.last ?? 1).squareRoot()
            for k in tensor.offset..<(tensor.offset + tensor.count) { parameters[k] = random.uniform(-bound, bound) }
        }
        let (i, _, o) = NetworkBench.layers
        let inputs = (0..<(batch * i)).map { _ in random.unit() }
        let targets = Targets.labels((0..<batch).map { _ in Int(random.next() % UInt64(o)) })
        var workspace = NetworkWorkspace(network: network, batch: batch)
        var gradient = Array(repeating: 0.0, count: network.parameterCount)
        let loss = { workspace.value(parameters: parameters, inputs: inputs, loss: .multiclassLogistic, targets: targets) }
        let lossAndGradient = {
            workspace.valueAndGradient(parameters: parameters, inputs: inputs, loss: .multiclassLogistic, targets: targets, into: &gradient)
        }
        var gemms = GEMMs(batch: batch)
        // More than one OpenBLAS thread: the work is not all on this thread, so wall-clock time.
        var sampler = self.sampler
        if threads > 1 { sampler.clock = .wall }
        let timing = sampler.pair(primal: loss, method: lossAndGradient)
        let limit = sampler.pair(primal: { gemms.run() }, method: lossAndGradient)
        return NetworkTiming(
            batch: batch, threads: threads, lossSeconds: timing.primal.median, lossAndGradientSeconds: timing.method.median,
            gemmSeconds: limit.primal.median, ratio: timing.ratio, gemmShare: 1 / limit.ratio.median, gemmRatio: limit.ratio, gemmFlops: gemms.flops)
    }
}

/// The five matrix products of one loss + gradient of 784-72-10 without biases, alone:
/// `Z1 = X W1ᵀ`, `Z2 = H W2ᵀ`, `dW2 = dZ2ᵀ H`, `dH = dZ2 W2`, `dW1 = dZ1ᵀ X`, with the
/// transposes the network core uses. The network core cannot be faster than these.
struct GEMMs {
    let batch: Int
    var x, w1, z1, h, w2, z2, dz2, dw2, dh, dw1: [Double]

    init(batch: Int) {
        let (i, m, o) = NetworkBench.layers
        self.batch = batch
        var random = SplitMix64(seed: 17)
        func filled(_ count: Int) -> [Double] { (0..<count).map { _ in random.uniform(-0.5, 0.5) } }
        x = filled(batch * i); w1 = filled(m * i); z1 = filled(batch * m); h = filled(batch * m)
        w2 = filled(o * m); z2 = filled(batch * o); dz2 = filled(batch * o); dw2 = filled(o * m)
        dh = filled(batch * m); dw1 = filled(m * i)
    }

    /// Floating-point operations of the five products.
    var flops: Double {
        let (i, m, o) = NetworkBench.layers
        return 2 * Double(batch) * Double(2 * i * m + 3 * m * o)
    }

    mutating func run() -> Double {
        let (i, m, o) = NetworkBench.layers
        let b = Int32(batch), ni = Int32(i), nm = Int32(m), no = Int32(o)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, b, nm, ni, 1, x, ni, w1, ni, 0, &z1, nm)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, b, no, nm, 1, h, nm, w2, nm, 0, &z2, no)
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, no, nm, b, 1, dz2, no, h, nm, 0, &dw2, nm)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b, nm, no, 1, dz2, no, w2, nm, 0, &dh, nm)
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, nm, ni, b, 1, dh, nm, x, ni, 0, &dw1, ni)
        return dw1[0] + z2[0]
    }
}
