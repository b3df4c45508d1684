// The arithmetic of each layer on raw buffers: dense and convolution by CBLAS, pooling and
// activations by plain loops. Batch-major data; each sample flat in row-major order of its
// shape (C, H, W for images). Nothing here allocates.
import CBLAS
import Foundation

typealias ConstBuffer = UnsafePointer<Double>
typealias Buffer = UnsafeMutablePointer<Double>

/// `blasint` (32-bit in the LP64 OpenBLAS the package links); a size that does not fit is a
/// programmer error, not a silent wrap.
@inline(__always)
private func bl(_ n: Int) -> Int32 { Int32(n) }

// MARK: Dense

/// `Y = X W^T + b` for `X` of `N x inputs`, `W` of `outputs x inputs`.
enum DenseKernel {
    static func forward(
        x: ConstBuffer, weight: ConstBuffer, bias: ConstBuffer?, y: Buffer,
        batch: Int, inputs: Int, outputs: Int
    ) {
        if let bias {
            for n in 0..<batch { (y + n * outputs).update(from: bias, count: outputs) }
        }
        let beta: Double = bias == nil ? 0 : 1
        if batch == 1 {
            // One sample: y = W x, a matrix-vector product (GEMM with M = 1 takes a slower path).
            cblas_dgemv(CblasRowMajor, CblasNoTrans, bl(outputs), bl(inputs), 1, weight, bl(inputs), x, 1, beta, y, 1)
        } else {
            cblas_dgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans, bl(batch), bl(outputs), bl(inputs),
                1, x, bl(inputs), weight, bl(inputs), beta, y, bl(outputs))
        }
    }

    /// `dW = dY^T X` and `db = column sums of dY` (overwritten), and `dX = dY W` when `dx` is given.
    static func backward(
        dy: ConstBuffer, x: ConstBuffer, weight: ConstBuffer,
        dWeight: Buffer, dBias: Buffer?, dx: Buffer?,
        batch: Int, inputs: Int, outputs: Int
    ) {
        if batch == 1 {
            // dW = dy x^T, an outer product that only has to be written. BLAS has no rank-1
            // *write*: dger adds (so dW must be zeroed first, a second pass) and dgemm with K = 1
            // takes OpenBLAS's slow path. Measured for 72x784 (one thread): this loop 6.0 us,
            // zero + dger 9.6 us, dgemm K=1 10.9 us; the forward dgemv is 4.6 us, so the
            // gradient / value ratio at batch 1 is set by this write.
            for o in 0..<outputs {
                let scale = dy[o], row = dWeight + o * inputs
                for i in 0..<inputs { row[i] = scale * x[i] }
            }
        } else {
            cblas_dgemm(
                CblasRowMajor, CblasTrans, CblasNoTrans, bl(outputs), bl(inputs), bl(batch),
                1, dy, bl(outputs), x, bl(inputs), 0, dWeight, bl(inputs))
        }
        if let dBias {
            dBias.update(from: dy, count: outputs)
            for n in 1..<Swift.max(batch, 1) {
                let row = dy + n * outputs
                for o in 0..<outputs { dBias[o] += row[o] }
            }
        }
        if let dx {
            if batch == 1 {
                cblas_dgemv(CblasRowMajor, CblasTrans, bl(outputs), bl(inputs), 1, weight, bl(inputs), dy, 1, 0, dx, 1)
            } else {
                cblas_dgemm(
                    CblasRowMajor, CblasNoTrans, CblasNoTrans, bl(batch), bl(inputs), bl(outputs),
                    1, dy, bl(outputs), weight, bl(inputs), 0, dx, bl(inputs))
            }
        }
    }
}

// MARK: Convolution

/// The geometry of one 2-D layer: input `C x H x W`, output `C' x H' x W'`, a square window.
struct Geometry: Sendable, Hashable {
    var inChannels, height, width: Int
    var outChannels, outHeight, outWidth: Int
    var window, stride, padding: Int

    var inCount: Int { inChannels * height * width }
    var outCount: Int { outChannels * outHeight * outWidth }
    var outPlane: Int { outHeight * outWidth }
    /// Rows of the im2col matrix: `C k k`.
    var patch: Int { inChannels * window * window }
}

/// Cross-correlation by im2col and one GEMM per sample: `Y_n = W cols_n + b`, with `W` seen
/// as `C' x (C k k)` and `cols_n` as `(C k k) x (H' W')`.
enum ConvKernel {
    /// `cols[(c k + i) k + j, oh W' + ow] = x[c, oh s - p + i, ow s - p + j]`, 0 outside the image.
    static func im2col(_ x: ConstBuffer, _ g: Geometry, cols: Buffer) {
        let plane = g.outPlane
        for c in 0..<g.inChannels {
            let channel = x + c * g.height * g.width
            for i in 0..<g.window {
                for j in 0..<g.window {
                    let row = cols + ((c * g.window + i) * g.window + j) * plane
                    for oh in 0..<g.outHeight {
                        let ih = oh * g.stride - g.padding + i
                        let out = row + oh * g.outWidth
                        guard ih >= 0 && ih < g.height else {
                            out.update(repeating: 0, count: g.outWidth)
                            continue
                        }
                        let line = channel + ih * g.width
                        for ow in 0..<g.outWidth {
                            let iw = ow * g.stride - g.padding + j
                            out[ow] = iw >= 0 && iw < g.width ? line[iw] : 0
                        }
                    }
                }
            }
        }
    }

    /// The adjoint of ``im2col(_:_:cols:)``: adds each column entry back to the pixel it came from.
    static func col2imAdding(_ cols: ConstBuffer, _ g: Geometry, dx: Buffer) {
        let plane = g.outPlane
        for c in 0..<g.inChannels {
            let channel = dx + c * g.height * g.width
            for i in 0..<g.window {
                for j in 0..<g.window {
                    let row = cols + ((c * g.window + i) * g.window + j) * plane
                    for oh in 0..<g.outHeight {
                        let ih = oh * g.stride - g.padding + i
                        guard ih >= 0 && ih < g.height else { continue }
                        let line = channel + ih * g.width
                        let from = row + oh * g.outWidth
                        for ow in 0..<g.outWidth {
                            let iw = ow * g.stride - g.padding + j
                            if iw >= 0 && iw < g.width { line[iw] += from[ow] }
                        }
                    }
                }
            }
        }
    }

    static func forward(
        x: ConstBuffer, weight: ConstBuffer, bias: ConstBuffer?, y: Buffer, cols: Buffer,
        batch: Int, geometry g: Geometry
    ) {
        let plane = g.outPlane
        for n in 0..<batch {
            let yn = y + n * g.outCount
            im2col(x + n * g.inCount, g, cols: cols)
            if let bias {
                for o in 0..<g.outChannels { (yn + o * plane).update(repeating: bias[o], count: plane) }
            }
            cblas_dgemm(
                CblasRowMajor, CblasNoTrans, CblasNoTrans, bl(g.outChannels), bl(plane), bl(g.patch),
                1, weight, bl(g.patch), cols, bl(plane), bias == nil ? 0 : 1, yn, bl(plane))
        }
    }

    /// `dW = sum_n dY_n cols_n^T`, `db = sum over n and pixels of dY` (overwritten), and, when
    /// `dx` is given, `dX_n = col2im(W^T dY_n)`.
    static func backward(
        dy: ConstBuffer, x: ConstBuffer, weight: ConstBuffer,
        dWeight: Buffer, dBias: Buffer?, dx: Buffer?, cols: Buffer, dcols: Buffer,
        batch: Int, geometry g: Geometry
    ) {
        let plane = g.outPlane
        if let dBias { dBias.update(repeating: 0, count: g.outChannels) }
        for n in 0..<batch {
            let dyn = dy + n * g.outCount
            im2col(x + n * g.inCount, g, cols: cols)
            cblas_dgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans, bl(g.outChannels), bl(g.patch), bl(plane),
                1, dyn, bl(plane), cols, bl(plane), n == 0 ? 0 : 1, dWeight, bl(g.patch))
            if let dBias {
                for o in 0..<g.outChannels {
                    let row = dyn + o * plane
                    var sum = 0.0
                    for q in 0..<plane { sum += row[q] }
                    dBias[o] += sum
                }
            }
            if let dx {
                cblas_dgemm(
                    CblasRowMajor, CblasTrans, CblasNoTrans, bl(g.patch), bl(plane), bl(g.outChannels),
                    1, weight, bl(g.patch), dyn, bl(plane), 0, dcols, bl(plane))
                let dxn = dx + n * g.inCount
                dxn.update(repeating: 0, count: g.inCount)
                col2imAdding(dcols, g, dx: dxn)
            }
        }
    }
}

// MARK: Pooling

enum PoolKernel {
    /// The maximum of each window, per channel, and where it is (the index within the sample's
    /// input); on a tie the first maximum in row-major window order wins.
    static func maxForward(x: ConstBuffer, y: Buffer, argmax: UnsafeMutablePointer<Int>, batch: Int, geometry g: Geometry) {
        for n in 0..<batch {
            let xn = x + n * g.inCount, yn = y + n * g.outCount, an = argmax + n * g.outCount
            for c in 0..<g.inChannels {
                for oh in 0..<g.outHeight {
                    for ow in 0..<g.outWidth {
                        var best = c * g.height * g.width + (oh * g.stride) * g.width + ow * g.stride
                        var value = xn[best]
                        for i in 0..<g.window {
                            let line = c * g.height * g.width + (oh * g.stride + i) * g.width + ow * g.stride
                            for j in 0..<g.window where xn[line + j] > value {
                                value = xn[line + j]
                                best = line + j
                            }
                        }
                        let o = (c * g.outHeight + oh) * g.outWidth + ow
                        yn[o] = value
                        an[o] = best
                    }
                }
            }
        }
    }

    /// Each output's adjoint goes to the input that was its maximum (overlapping windows add).
    static func maxBackward(dy: ConstBuffer, argmax: UnsafePointer<Int>, dx: Buffer, batch: Int, geometry g: Geometry) {
        dx.update(repeating: 0, count: batch * g.inCount)
        for n in 0..<batch {
            let dxn = dx + n * g.inCount, dyn = dy + n * g.outCount, an = argmax + n * g.outCount
            for o in 0..<g.outCount { dxn[an[o]] += dyn[o] }
        }
    }

    /// The mean of each window, per channel.
    static func averageForward(x: ConstBuffer, y: Buffer, batch: Int, geometry g: Geometry) {
        let area = Double(g.window * g.window)
        for n in 0..<batch {
            let xn = x + n * g.inCount, yn = y + n * g.outCount
            for c in 0..<g.inChannels {
                for oh in 0..<g.outHeight {
                    for ow in 0..<g.outWidth {
                        var sum = 0.0
                        for i in 0..<g.window {
                            let line = xn + c * g.height * g.width + (oh * g.stride + i) * g.width + ow * g.stride
                            for j in 0..<g.window { sum += line[j] }
                        }
                        yn[(c * g.outHeight + oh) * g.outWidth + ow] = sum / area
                    }
                }
            }
        }
    }

    /// Each output's adjoint spread evenly over its window (overlapping windows add).
    static func averageBackward(dy: ConstBuffer, dx: Buffer, batch: Int, geometry g: Geometry) {
        dx.update(repeating: 0, count: batch * g.inCount)
        let area = Double(g.window * g.window)
        for n in 0..<batch {
            let dxn = dx + n * g.inCount, dyn = dy + n * g.outCount
            for c in 0..<g.inChannels {
                for oh in 0..<g.outHeight {
                    for ow in 0..<g.outWidth {
                        let share = dyn[(c * g.outHeight + oh) * g.outWidth + ow] / area
                        for i in 0..<g.window {
                            let line = dxn + c * g.height * g.width + (oh * g.stride + i) * g.width + ow * g.stride
                            for j in 0..<g.window { line[j] += share }
                        }
                    }
                }
            }
        }
    }
}

// MARK: Activations

enum ActivationKernel {
    static func forward(_ activation: Activation, x: ConstBuffer, y: Buffer, count: Int) {
        // One loop per case, so the switch is not taken per element.
        switch activation {
        case .identity: y.update(from: x, count: count)
        case .tanh: for i in 0..<count { y[i] = Activation.tanh.value(x[i]) }
        case .sigmoid: for i in 0..<count { y[i] = Activation.sigmoid.value(x[i]) }
        case .relu: for i in 0..<count { y[i] = Activation.relu.value(x[i]) }
        case .softplus: for i in 0..<count { y[i] = Activation.softplus.value(x[i]) }
        case .leakyRelu(let a):
            let f = Activation.leakyRelu(a)
            for i in 0..<count { y[i] = f.value(x[i]) }
        case .elu(let a):
            let f = Activation.elu(a)
            for i in 0..<count { y[i] = f.value(x[i]) }
        }
    }

    /// `dX = dY * phi'(X)` at the stored pre-activations `x`. (Not `1 - y^2` from the stored
    /// `tanh` output: that form loses every digit for large |x|.)
    static func backward(_ activation: Activation, x: ConstBuffer, dy: ConstBuffer, dx: Buffer, count: Int, kinks: Activation.KinkRule) {
        backward(activation, x: x, dy: dy, dx: dx, count: count)
        // Another convention than the table's: a second pass over the pre-activations of
        // exactly 0, so the loops above stay branch-free under the default.
        guard kinks != .nonNegativeBranch, activation.hasKink else { return }
        let d = activation.kinkDerivative(kinks)
        for i in 0..<count where x[i] == 0 { dx[i] = dy[i] * d }
    }

    static func backward(_ activation: Activation, x: ConstBuffer, dy: ConstBuffer, dx: Buffer, count: Int) {
        switch activation {
        case .identity: dx.update(from: dy, count: count)
        case .tanh: for i in 0..<count { dx[i] = dy[i] * Activation.tanh.derivative(x[i]) }
        case .sigmoid: for i in 0..<count { dx[i] = dy[i] * Activation.sigmoid.derivative(x[i]) }
        case .relu: for i in 0..<count { dx[i] = dy[i] * Activation.relu.derivative(x[i]) }
        case .softplus: for i in 0..<count { dx[i] = dy[i] * Activation.softplus.derivative(x[i]) }
        case .leakyRelu(let a):
            let f = Activation.leakyRelu(a)
            for i in 0..<count { dx[i] = dy[i] * f.derivative(x[i]) }
        case .elu(let a):
            let f = Activation.elu(a)
            for i in 0..<count { dx[i] = dy[i] * f.derivative(x[i]) }
        }
    }
}
