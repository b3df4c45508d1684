// The forward and backward passes of a `Sequential` over a fixed batch size, in buffers
// allocated once.
import CBLAS

/// Runs a ``Sequential`` forward and backward over batches of a fixed size.
///
/// Every buffer (each layer's output and output adjoint, the input adjoint, the im2col
/// scratch of the convolutions, the arg-max indices of the max pools) lives in two arrays
/// allocated in ``init(network:batch:)``; ``forward(parameters:inputs:)``,
/// ``value(parameters:inputs:loss:targets:)``,
/// ``valueAndGradient(parameters:inputs:loss:targets:into:)`` and
/// ``pullback(parameters:inputs:outputCotangent:into:)`` allocate nothing in steady state.
/// (Holding on to a slice returned by ``output``, ``activation(of:)`` or ``adjoint(of:)``
/// across the next call makes that call copy the buffer once, as any Swift array would.)
///
/// Data are batch-major: `N_B` samples one after another, each flat in row-major order of its
/// ``Shape`` (`C, H, W` for images). Parameters are the flat vector laid out by
/// ``Sequential/parameters``; the gradient has the same layout.
///
/// Dense layers are `Y = X W^T + b` by `cblas_dgemm` (`dgemv` / `dger` for a batch of one);
/// convolutions are im2col plus one `cblas_dgemm` per sample; pools and activations are loops.
/// A different batch size needs a new workspace.
public struct NetworkWorkspace: Sendable {
    public let network: Sequential
    /// The number of samples every call takes.
    public let batch: Int
    /// Whether backward passes also compute ``inputAdjoint``, `dL/d inputs`. Off by default:
    /// training needs only the parameters' gradient, and the first layer's input adjoint is
    /// then pure waste (for a first dense layer it is a whole GEMM).
    public var computesInputAdjoint = false
    /// A deliberately wrong backpropagation step (`adverify selftest`); `nil`, the default,
    /// for the true backward pass.
    public var backpropMutation: BackpropMutation?
    /// The derivative of relu, leaky_relu and elu at a pre-activation of exactly 0
    /// (``Activation/kinkDerivative(_:)``). Max pooling is not a convention: a tie in
    /// a window goes to the first maximum in row-major order under every one, as in PyTorch's
    /// `max_pool2d` (`val > maxval`).
    public var kinkRule: Activation.KinkRule = .nonNegativeBranch

    /// Every layer's output and output adjoint, the input adjoint and the convolution scratch.
    var storage: [Double]
    /// The max pools' arg-max indices.
    var indices: [Int]
    let steps: [Step]
    let inputAdjointOffset: Int
    let colsOffset: Int
    let dcolsOffset: Int

    /// Where one layer reads and writes: offsets into ``storage`` (an input offset of -1 is the
    /// caller's `inputs`), into the parameter vector, and its geometry.
    struct Step: Sendable {
        var layer: Layer
        var input: Int
        var output: Int
        var inputAdjoint: Int
        var outputAdjoint: Int
        var inCount: Int
        var outCount: Int
        var weight = -1
        var bias = -1
        var argmax = -1
        var geometry = Geometry(inChannels: 0, height: 1, width: 1, outChannels: 0, outHeight: 1, outWidth: 1, window: 1, stride: 1, padding: 0)
    }

    /// Lays out every buffer for `batch` samples of `network`.
    public init(network: Sequential, batch: Int) {
        precondition(batch > 0, "a workspace needs a batch of at least one sample")
        precondition(!network.layers.isEmpty, "a network without layers has nothing to run")
        self.network = network
        self.batch = batch
        var size = 0
        func region(_ count: Int) -> Int {
            defer { size += count }
            return size
        }
        var indexCount = 0
        var scratch = 0
        inputAdjointOffset = region(batch * network.input.count)
        var steps: [Step] = []
        var weights: [Int: (weight: Int, bias: Int)] = [:]
        for t in network.parameters {
            var entry = weights[t.layer] ?? (-1, -1)
            if t.role == .weight { entry.weight = t.offset } else { entry.bias = t.offset }
            weights[t.layer] = entry
        }
        for (k, layer) in network.layers.enumerated() {
            let inShape = network.inputShape(of: k), outShape = network.shapes[k]
            let input = k == 0 ? -1 : steps[k - 1].output
            let inputAdjoint = k == 0 ? inputAdjointOffset : steps[k - 1].outputAdjoint
            var step = Step(
                layer: layer, input: input, output: 0, inputAdjoint: inputAdjoint, outputAdjoint: 0,
                inCount: inShape.count, outCount: outShape.count)
            if case .flatten = layer {
                // A no-op on flat data: the output and its adjoint are the input's own buffers
                // (the caller's inputs are copied once, so `activation(of: 0)` has a home).
                step.output = k == 0 ? region(batch * outShape.count) : input
                step.outputAdjoint = inputAdjoint
            } else {
                step.output = region(batch * outShape.count)
                step.outputAdjoint = region(batch * outShape.count)
            }
            if let w = weights[k] {
                step.weight = w.weight
                step.bias = w.bias
            }
            if inShape.dims.count == 3, outShape.dims.count == 3 {
                var g = Geometry(
                    inChannels: inShape.dims[0], height: inShape.dims[1], width: inShape.dims[2],
                    outChannels: outShape.dims[0], outHeight: outShape.dims[1], outWidth: outShape.dims[2],
                    window: 1, stride: 1, padding: 0)
                switch layer {
                case .conv2d(let c):
                    (g.window, g.stride, g.padding) = (c.kernel, c.stride, c.padding)
                    scratch = Swift.max(scratch, g.patch * g.outPlane)
                case .maxPool(let p):
                    (g.window, g.stride) = (p.size, p.stride)
                    step.argmax = indexCount
                    indexCount += batch * outShape.count
                case .avgPool(let p):
                    (g.window, g.stride) = (p.size, p.stride)
                default: break
                }
                step.geometry = g
            }
            steps.append(step)
        }
        colsOffset = region(scratch)
        dcolsOffset = region(scratch)
        self.steps = steps
        storage = Array(repeating: 0, count: Swift.max(size, 1))
        indices = Array(repeating: 0, count: Swift.max(indexCount, 1))
    }

    // MARK: Results of the last call

    /// The network's outputs of the last forward pass, `batch x network.output.count`,
    /// batch-major: a slice of the workspace's buffer (no copy).
    public var output: ArraySlice<Double> { activation(of: steps.count - 1) }

    /// Layer `k`'s output (0-based, as in ``Sequential/layers``) of the last forward pass,
    /// `batch x network.shapes[k].count`.
    public func activation(of k: Int) -> ArraySlice<Double> {
        let step = steps[k]
        return storage[step.output..<(step.output + batch * step.outCount)]
    }

    /// `dL/d(output of layer k)` of the last backward pass (for ``pullback(parameters:inputs:outputCotangent:into:)``
    /// the cotangent's pullback to that layer), `batch x network.shapes[k].count`.
    public func adjoint(of k: Int) -> ArraySlice<Double> {
        let step = steps[k]
        return storage[step.outputAdjoint..<(step.outputAdjoint + batch * step.outCount)]
    }

    /// `dL/d inputs` of the last backward pass, `batch x network.input.count`. Computed only
    /// while ``computesInputAdjoint`` is set (it is a precondition here).
    public var inputAdjoint: ArraySlice<Double> {
        precondition(computesInputAdjoint || steps[0].isFlatten, "set computesInputAdjoint before the backward pass to get the input adjoint")
        return storage[inputAdjointOffset..<(inputAdjointOffset + batch * network.input.count)]
    }

    // MARK: Passes

    /// Runs the network on `inputs` (`batch x network.input.count`); the result is in ``output``.
    public mutating func forward(parameters: [Double], inputs: [Double]) {
        checkSizes(parameters: parameters, inputs: inputs)
        let steps = steps, batch = batch, cols = colsOffset
        storage.withUnsafeMutableBufferPointer { s in
            indices.withUnsafeMutableBufferPointer { a in
                parameters.withUnsafeBufferPointer { p in
                    inputs.withUnsafeBufferPointer { x in
                        let pass = Pass(storage: s.baseAddress!, indices: a.baseAddress!, parameters: p.baseAddress, inputs: x.baseAddress!, batch: batch, cols: cols, dcols: 0)
                        for step in steps { pass.forward(step) }
                    }
                }
            }
        }
    }

    /// The loss of the network's outputs on `inputs` (forward pass plus loss).
    public mutating func value(parameters: [Double], inputs: [Double], loss: Loss, targets: Targets) -> Double {
        forward(parameters: parameters, inputs: inputs)
        let last = steps[steps.count - 1], batch = batch
        return storage.withUnsafeBufferPointer { s in
            NetworkWorkspace.loss(
                loss, outputs: UnsafeBufferPointer(rebasing: s[last.output..<(last.output + batch * last.outCount)]),
                targets: targets, batch: batch, into: nil)
        }
    }

    /// The loss and its gradient with respect to the parameters (forward pass, loss,
    /// backpropagation). `gradient` is overwritten (resized to ``Sequential/parameterCount``
    /// if it has another size, which allocates once).
    public mutating func valueAndGradient(
        parameters: [Double], inputs: [Double], loss: Loss, targets: Targets, into gradient: inout [Double]
    ) -> Double {
        checkSizes(parameters: parameters, inputs: inputs)
        if gradient.count != network.parameterCount { gradient = Array(repeating: 0, count: network.parameterCount) }
        let steps = steps, batch = batch, (cols, dcols) = (colsOffset, dcolsOffset)
        let inputAdjoint = computesInputAdjoint, mutation = backpropMutation, kinks = kinkRule
        return storage.withUnsafeMutableBufferPointer { s in
            indices.withUnsafeMutableBufferPointer { a in
                parameters.withUnsafeBufferPointer { p in
                    inputs.withUnsafeBufferPointer { x in
                        gradient.withUnsafeMutableBufferPointer { g in
                            let pass = Pass(storage: s.baseAddress!, indices: a.baseAddress!, parameters: p.baseAddress, inputs: x.baseAddress!, batch: batch, cols: cols, dcols: dcols, mutation: mutation, kinks: kinks)
                            for step in steps { pass.forward(step) }
                            let last = steps[steps.count - 1], count = batch * last.outCount
                            let value = NetworkWorkspace.loss(
                                loss, outputs: UnsafeBufferPointer(start: pass.storage + last.output, count: count),
                                targets: targets, batch: batch,
                                into: UnsafeMutableBufferPointer(start: pass.storage + last.outputAdjoint, count: count))
                            pass.backward(steps, gradient: g.baseAddress, inputAdjoint: inputAdjoint)
                            return value
                        }
                    }
                }
            }
        }
    }

    /// The vector-Jacobian product of the network's outputs: `gradient = J_theta^T u` for the
    /// cotangent `u = outputCotangent` (`batch x network.output.count`), and, while
    /// ``computesInputAdjoint`` is set, ``inputAdjoint`` `= J_x^T u`. No loss is involved.
    /// `gradient` is overwritten (resized if needed).
    public mutating func pullback(parameters: [Double], inputs: [Double], outputCotangent: [Double], into gradient: inout [Double]) {
        checkSizes(parameters: parameters, inputs: inputs)
        precondition(outputCotangent.count == batch * network.output.count,
                     "the output cotangent needs batch x outputs = \(batch * network.output.count) entries, not \(outputCotangent.count)")
        if gradient.count != network.parameterCount { gradient = Array(repeating: 0, count: network.parameterCount) }
        let steps = steps, batch = batch, (cols, dcols) = (colsOffset, dcolsOffset)
        let inputAdjoint = computesInputAdjoint, mutation = backpropMutation, kinks = kinkRule
        storage.withUnsafeMutableBufferPointer { s in
            indices.withUnsafeMutableBufferPointer { a in
                parameters.withUnsafeBufferPointer { p in
                    inputs.withUnsafeBufferPointer { x in
                        outputCotangent.withUnsafeBufferPointer { u in
                            gradient.withUnsafeMutableBufferPointer { g in
                                let pass = Pass(storage: s.baseAddress!, indices: a.baseAddress!, parameters: p.baseAddress, inputs: x.baseAddress!, batch: batch, cols: cols, dcols: dcols, mutation: mutation, kinks: kinks)
                                for step in steps { pass.forward(step) }
                                let last = steps[steps.count - 1]
                                (pass.storage + last.outputAdjoint).update(from: u.baseAddress!, count: u.count)
                                pass.backward(steps, gradient: g.baseAddress, inputAdjoint: inputAdjoint)
                            }
                        }
                    }
                }
            }
        }
    }

    private func checkSizes(parameters: [Double], inputs: [Double]) {
        precondition(parameters.count == network.parameterCount,
                     "the network has \(network.parameterCount) parameters, not \(parameters.count)")
        precondition(inputs.count == batch * network.input.count,
                     "a batch of \(batch) samples of \(network.input) needs \(batch * network.input.count) inputs, not \(inputs.count) (a different batch size needs a new workspace)")
    }
}

extension NetworkWorkspace.Step {
    var isFlatten: Bool {
        if case .flatten = layer { return true }
        return false
    }
}

/// One call's raw buffers: the layers' kernels read and write through these.
private struct Pass {
    let storage: Buffer
    let indices: UnsafeMutablePointer<Int>
    let parameters: ConstBuffer?
    let inputs: ConstBuffer
    let batch: Int
    let cols: Int
    let dcols: Int
    var mutation: BackpropMutation? = nil
    var kinks: Activation.KinkRule = .nonNegativeBranch

    func input(_ step: NetworkWorkspace.Step) -> ConstBuffer {
        step.input < 0 ? inputs : ConstBuffer(storage + step.input)
    }

    func forward(_ step: NetworkWorkspace.Step) {
        let x = input(step), y = storage + step.output
        switch step.layer {
        case .dense(let d):
            DenseKernel.forward(
                x: x, weight: parameters! + step.weight, bias: step.bias < 0 ? nil : parameters! + step.bias, y: y,
                batch: batch, inputs: d.inputs, outputs: d.outputs)
        case .conv2d:
            ConvKernel.forward(
                x: x, weight: parameters! + step.weight, bias: step.bias < 0 ? nil : parameters! + step.bias, y: y,
                cols: storage + cols, batch: batch, geometry: step.geometry)
        case .activation(let a):
            ActivationKernel.forward(a, x: x, y: y, count: batch * step.outCount)
        case .maxPool:
            PoolKernel.maxForward(x: x, y: y, argmax: indices + step.argmax, batch: batch, geometry: step.geometry)
        case .avgPool:
            PoolKernel.averageForward(x: x, y: y, batch: batch, geometry: step.geometry)
        case .flatten:
            if step.input < 0 { y.update(from: inputs, count: batch * step.outCount) }
        }
    }

    /// Backpropagates the adjoint already in the last layer's output adjoint down to the first
    /// layer, writing the parameters' gradient. The first layer's input adjoint is skipped
    /// unless `inputAdjoint`.
    func backward(_ steps: [NetworkWorkspace.Step], gradient: Buffer?, inputAdjoint: Bool) {
        for k in stride(from: steps.count - 1, through: 0, by: -1) {
            let step = steps[k]
            let x = input(step), dy = ConstBuffer(storage + step.outputAdjoint)
            let dx: Buffer? = k > 0 || inputAdjoint ? storage + step.inputAdjoint : nil
            switch step.layer {
            case .dense(let d):
                DenseKernel.backward(
                    dy: dy, x: x, weight: parameters! + step.weight,
                    dWeight: gradient! + step.weight, dBias: step.bias < 0 ? nil : gradient! + step.bias, dx: dx,
                    batch: batch, inputs: d.inputs, outputs: d.outputs)
                if mutation == .transposedDenseWeightGradient {
                    transposeInPlace(gradient! + step.weight, rows: d.outputs, cols: d.inputs)
                }
            case .conv2d(let c):
                ConvKernel.backward(
                    dy: dy, x: x, weight: parameters! + step.weight,
                    dWeight: gradient! + step.weight, dBias: step.bias < 0 ? nil : gradient! + step.bias, dx: dx,
                    cols: storage + cols, dcols: storage + dcols, batch: batch, geometry: step.geometry)
                if mutation == .transposedConvWeightGradient {
                    transposeInPlace(gradient! + step.weight, rows: c.outChannels, cols: c.inChannels * c.kernel * c.kernel)
                }
            case .activation(let a):
                guard let dx else { continue }
                if case .droppedActivationDerivative(let dropped) = mutation, dropped.kindName == a.kindName {
                    dx.update(from: dy, count: batch * step.outCount)
                } else {
                    var rule = kinks
                    if case .ignoredKinkRule(let ignoring) = mutation, ignoring.kindName == a.kindName { rule = .nonNegativeBranch }
                    ActivationKernel.backward(a, x: x, dy: dy, dx: dx, count: batch * step.outCount, kinks: rule)
                }
            case .maxPool:
                guard let dx else { continue }
                PoolKernel.maxBackward(dy: dy, argmax: indices + step.argmax, dx: dx, batch: batch, geometry: step.geometry)
            case .avgPool:
                guard let dx else { continue }
                PoolKernel.averageBackward(dy: dy, dx: dx, batch: batch, geometry: step.geometry)
            case .flatten:
                continue  // the output adjoint is the input adjoint's buffer
            }
        }
    }
}
