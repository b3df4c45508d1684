// What a network is: its layers, their shapes, and where each parameter tensor lives in the
// flat parameter vector. No arithmetic here; the kernels are in the workspace.
import Foundation

/// An element-wise activation, with the values and derivatives of the Peharz table.
///
/// At a kink ``derivative(_:)`` is the one of the `x >= 0` branch (the indicator `1(x >= 0)` of
/// the slides), as in ADCore: `relu'(0) = 1`, `leaky_relu'(0) = 1`, `elu'(0) = 1`; the other
/// conventions' values are ``kinkDerivative(_:)``.
public enum Activation: Sendable, Hashable, Codable {
    case identity, sigmoid, tanh, relu
    /// `max(x, a x)`-style: `x` for `x >= 0`, `a x` otherwise.
    case leakyRelu(Double)
    /// `x` for `x >= 0`, `a (exp(x) - 1)` otherwise.
    case elu(Double)
    /// `log(1 + exp(x))`, computed without overflow.
    case softplus

    /// `tanh`, `leaky_relu(0.1)`, `elu(1)`: the name in case files and reports.
    public var name: String {
        switch self {
        case .identity: "identity"
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        case .relu: "relu"
        case .leakyRelu(let a): "leaky_relu(\(a))"
        case .elu(let a): "elu(\(a))"
        case .softplus: "softplus"
        }
    }

    /// `phi(x)`.
    @inlinable
    public func value(_ x: Double) -> Double {
        switch self {
        case .identity: x
        case .sigmoid: Activation.logistic(x)
        case .tanh: Foundation.tanh(x)
        case .relu: x >= 0 ? x : 0
        case .leakyRelu(let a): x >= 0 ? x : a * x
        case .elu(let a): x >= 0 ? x : a * Foundation.expm1(x)
        case .softplus: Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x)))
        }
    }

    /// `phi'(x)` at the pre-activation `x`: `sigma(x) sigma(-x)`, `1/cosh^2 x`, `1(x >= 0)`, ...
    @inlinable
    public func derivative(_ x: Double) -> Double {
        switch self {
        case .identity: return 1
        case .sigmoid: return Activation.logistic(x) * Activation.logistic(-x)
        case .tanh:
            // 1/cosh^2, not 1 - tanh^2: tanh rounds to +-1 long before its derivative
            // underflows, so 1 - tanh^2 loses every digit for large |x| (0 at |x| = 20, where
            // the derivative is 1.7e-17). The same form as ADCore's rule table.
            let c = Foundation.cosh(x)
            return 1 / (c * c)
        case .relu: return x >= 0 ? 1 : 0
        case .leakyRelu(let a): return x >= 0 ? 1 : a
        case .elu(let a): return x >= 0 ? 1 : a * Foundation.exp(x)
        case .softplus: return Activation.logistic(x)
        }
    }

    /// Which derivative the activations with a kink take at a pre-activation of exactly 0.
    /// The same conventions as ADCore's `KinkConvention`, written here on their own: the two
    /// cores are verified against each other, so neither borrows the other's rules.
    public enum KinkRule: String, Sendable, Hashable, Codable, CaseIterable {
        /// `1(x >= 0)`: relu'(0) = leaky_relu'(0) = elu'(0) = 1.
        case nonNegativeBranch = "x>=0"
        /// PyTorch's `threshold_backward`, `leaky_relu_backward` (`x > 0 ? 1 : a`) and
        /// `elu_backward` (`x <= 0 ? a exp(x) : 1`): 0, a, a.
        case pytorch
        /// `jax.nn.relu`'s custom JVP (`x > 0`), `jax.nn.leaky_relu`'s `where(x >= 0, ...)`,
        /// `jax.nn.elu`'s `where(x > 0, ...)`: 0, 1, a.
        case jax
    }

    /// `phi'(0)` under `rule`, for the activations with a kink at 0; for smooth ones `derivative(0)`.
    public func kinkDerivative(_ rule: KinkRule) -> Double {
        switch (self, rule) {
        case (.relu, .nonNegativeBranch), (.leakyRelu, .nonNegativeBranch), (.elu, .nonNegativeBranch): 1
        case (.relu, .pytorch), (.relu, .jax): 0
        case (.leakyRelu(let a), .pytorch): a
        case (.leakyRelu, .jax): 1
        case (.elu(let a), .pytorch), (.elu(let a), .jax): a
        default: derivative(0)
        }
    }

    /// Whether the activation has a kink at 0 (piecewise), where finite differences straddle two branches.
    public var hasKink: Bool {
        switch self {
        case .relu, .leakyRelu, .elu: true
        default: false
        }
    }

    /// `1 / (1 + exp(-x))` without overflow for large negative `x`.
    @inlinable
    public static func logistic(_ x: Double) -> Double {
        if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }
}

/// The shape of one sample: `[features]` for dense data, `[channels, height, width]` for images.
public struct Shape: Sendable, Hashable, Codable, CustomStringConvertible {
    public var dims: [Int]

    public init(_ dims: [Int]) { self.dims = dims }

    /// The number of values in one sample. ``Sequential`` refuses shapes where this overflows.
    public var count: Int { dims.reduce(1, *) }

    /// The number of values, or nil when it does not fit in an `Int` (or a size is negative).
    public var checkedCount: Int? {
        var product = 1
        for d in dims {
            guard d >= 0 else { return nil }
            let (p, overflow) = product.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            product = p
        }
        return product
    }

    /// `784`, `3x32x32`.
    public var description: String { dims.map(String.init).joined(separator: "x") }
}

/// A fully connected layer in the batch convention of the Ellis & Smith slides:
/// `y = x W^T + b` for `x` of `N_B x inputs`, `W` of `outputs x inputs`.
public struct Dense: Sendable, Hashable, Codable {
    public var inputs: Int
    public var outputs: Int
    public var bias: Bool

    public init(inputs: Int, outputs: Int, bias: Bool = true) {
        self.inputs = inputs
        self.outputs = outputs
        self.bias = bias
    }
}

/// A 2-D convolution (cross-correlation, as in the slides' `y_ij = b + sum_kl w_kl x_(i+k, j+l)`)
/// over `inChannels x H x W` samples, with square kernels, a stride and zero padding.
/// Weights are `outChannels x inChannels x kernel x kernel` (PyTorch's layout), one bias per
/// output channel.
public struct Conv2d: Sendable, Hashable, Codable {
    public var inChannels: Int
    public var outChannels: Int
    public var kernel: Int
    public var stride: Int
    public var padding: Int
    public var bias: Bool

    public init(inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.bias = bias
    }
}

/// A max or average pool over `size x size` windows moved by `stride`, per channel, no padding.
public struct Pool: Sendable, Hashable, Codable {
    public var size: Int
    public var stride: Int

    public init(size: Int, stride: Int? = nil) {
        self.size = size
        self.stride = stride ?? size
    }
}

/// One layer of a ``Sequential``.
public enum Layer: Sendable, Hashable, Codable {
    case dense(Dense)
    case activation(Activation)
    case conv2d(Conv2d)
    case maxPool(Pool)
    case avgPool(Pool)
    /// `C x H x W` to `C*H*W` features (a no-op on the data, which is stored flat).
    case flatten

    /// `dense 784->72`, `tanh`, `conv2d 3->10 5x5/1 pad 2`, `maxpool 2x2/2`.
    public var description: String {
        switch self {
        case .dense(let d): "dense \(d.inputs)->\(d.outputs)\(d.bias ? "" : " (no bias)")"
        case .activation(let a): a.name
        case .conv2d(let c): "conv2d \(c.inChannels)->\(c.outChannels) \(c.kernel)x\(c.kernel)/\(c.stride) pad \(c.padding)\(c.bias ? "" : " (no bias)")"
        case .maxPool(let p): "maxpool \(p.size)x\(p.size)/\(p.stride)"
        case .avgPool(let p): "avgpool \(p.size)x\(p.size)/\(p.stride)"
        case .flatten: "flatten"
        }
    }
}

/// A parameter tensor's place in the flat parameter vector.
public struct ParameterTensor: Sendable, Hashable, Codable {
    public enum Role: String, Sendable, Hashable, Codable { case weight, bias }

    /// `W1`, `b1`, `W2`, ...: `W`/`b` and the number of the parametrised layer, counted from 1.
    public var name: String
    /// The index of the layer in ``Sequential/layers``.
    public var layer: Int
    public var role: Role
    /// `[outputs, inputs]` for dense weights, `[out, in, k, k]` for conv weights, `[n]` for biases.
    public var shape: [Int]
    /// The first entry's index in the flat parameter vector (row-major within the tensor).
    public var offset: Int
    public var count: Int
}

/// A loss over a batch of network outputs.
public enum Loss: String, Sendable, Hashable, Codable, CaseIterable {
    /// `(1/N_B) sum_n 1/2 sum_k (yhat_nk - y_nk)^2`.
    case squaredError = "squared_error"
    /// Domke's multiclass logistic loss summed over the batch (the empirical risk):
    /// `sum_n [log sum_y exp f_ny - f_n,target(n)]`, log-sum-exp with the maximum subtracted.
    case multiclassLogistic = "multiclass_logistic"
    /// The same per sample (`-log softmax(f)_target`), averaged over the batch.
    case softmaxCrossEntropy = "softmax_cross_entropy"
    /// Binary cross-entropy on logits `z`, averaged over all `N_B x K` entries:
    /// `max(z, 0) - z y + log(1 + exp(-|z|))`.
    case binaryCrossEntropyWithLogits = "bce_with_logits"

    /// Whether targets are class labels (one integer per sample) rather than values.
    public var takesLabels: Bool { self == .multiclassLogistic || self == .softmaxCrossEntropy }
}

/// Why a network cannot be built: a geometry that does not fit, a shape mismatch.
public struct NetworkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The layer at fault (0-based), if one is.
    public var layer: Int?
    public var message: String

    public init(layer: Int?, _ message: String) {
        self.layer = layer
        self.message = message
    }

    public var description: String {
        layer.map { "layer \($0 + 1): \(message)" } ?? message
    }
}

/// Layers applied one after another, as PyTorch's `nn.Sequential`: shapes checked and
/// parameters laid out when it is built. The arithmetic is in ``NetworkWorkspace``.
public struct Sequential: Sendable, Hashable {
    /// The shape of one input sample.
    public let input: Shape
    public let layers: [Layer]
    /// The output shape of each layer.
    public let shapes: [Shape]
    /// Every parameter tensor, in layer order (weight before bias).
    public let parameters: [ParameterTensor]
    /// The total number of parameters.
    public let parameterCount: Int

    /// The shape of one output sample.
    public var output: Shape { shapes.last ?? input }

    /// The shape of layer `k`'s input.
    public func inputShape(of k: Int) -> Shape { k == 0 ? input : shapes[k - 1] }

    /// Checks every layer against the shape it receives and lays out the parameters.
    /// A convolution or pool whose window does not tile its input exactly is an error,
    /// never a silent crop.
    public init(input: Shape, layers: [Layer]) throws(NetworkError) {
        guard input.dims.count == 1 || input.dims.count == 3, input.dims.allSatisfy({ $0 > 0 }) else {
            throw NetworkError(layer: nil, "the input shape \(input.dims) must be [features] or [channels, height, width], with positive sizes")
        }
        guard input.checkedCount != nil else {
            throw NetworkError(layer: nil, "the input shape \(input) has too many values to count in a 64-bit integer")
        }
        self.input = input
        self.layers = layers
        var shape = input
        var shapes: [Shape] = []
        var parameters: [ParameterTensor] = []
        var offset = 0
        var parametrised = 0
        func add(_ role: ParameterTensor.Role, _ dims: [Int], layer: Int) throws(NetworkError) {
            let (count, overflow) = dims.reduce((1, false)) { acc, d in
                let (p, o) = acc.0.multipliedReportingOverflow(by: d)
                return (p, acc.1 || o)
            }
            let (end, overflow2) = offset.addingReportingOverflow(count)
            guard !overflow, !overflow2 else { throw NetworkError(layer: layer, "too many parameters to count in a 64-bit integer") }
            let name = (role == .weight ? "W" : "b") + String(parametrised)
            parameters.append(ParameterTensor(name: name, layer: layer, role: role, shape: dims, offset: offset, count: count))
            offset = end
        }
        for (k, layer) in layers.enumerated() {
            switch layer {
            case .dense(let d):
                guard d.inputs > 0, d.outputs > 0 else { throw NetworkError(layer: k, "a dense layer needs positive sizes, not \(d.inputs)->\(d.outputs)") }
                guard shape.dims.count == 1 else {
                    throw NetworkError(layer: k, "a dense layer takes features, but its input is \(shape) (add a flatten layer before it)")
                }
                guard shape.dims[0] == d.inputs else {
                    throw NetworkError(layer: k, "a dense layer with \(d.inputs) inputs receives \(shape.dims[0]) features")
                }
                parametrised += 1
                try add(.weight, [d.outputs, d.inputs], layer: k)
                if d.bias { try add(.bias, [d.outputs], layer: k) }
                shape = Shape([d.outputs])
            case .activation:
                break
            case .conv2d(let c):
                guard shape.dims.count == 3 else {
                    throw NetworkError(layer: k, "a convolution takes channels x height x width, but its input is \(shape)")
                }
                guard shape.dims[0] == c.inChannels else {
                    throw NetworkError(layer: k, "a convolution with \(c.inChannels) input channel\(c.inChannels == 1 ? "" : "s") receives \(shape.dims[0])")
                }
                guard c.outChannels > 0 else { throw NetworkError(layer: k, "a convolution needs at least one filter") }
                let h = try Self.outputSize(shape.dims[1], window: c.kernel, stride: c.stride, padding: c.padding, what: "filter", axis: "height", layer: k)
                let w = try Self.outputSize(shape.dims[2], window: c.kernel, stride: c.stride, padding: c.padding, what: "filter", axis: "width", layer: k)
                parametrised += 1
                try add(.weight, [c.outChannels, c.inChannels, c.kernel, c.kernel], layer: k)
                if c.bias { try add(.bias, [c.outChannels], layer: k) }
                shape = Shape([c.outChannels, h, w])
            case .maxPool(let p), .avgPool(let p):
                guard shape.dims.count == 3 else {
                    throw NetworkError(layer: k, "a pool takes channels x height x width, but its input is \(shape)")
                }
                let h = try Self.outputSize(shape.dims[1], window: p.size, stride: p.stride, padding: 0, what: "pool window", axis: "height", layer: k)
                let w = try Self.outputSize(shape.dims[2], window: p.size, stride: p.stride, padding: 0, what: "pool window", axis: "width", layer: k)
                shape = Shape([shape.dims[0], h, w])
            case .flatten:
                shape = Shape([shape.count])
            }
            guard shape.checkedCount != nil else {
                throw NetworkError(layer: k, "the layer's output, \(shape), has too many values to count in a 64-bit integer")
            }
            shapes.append(shape)
        }
        self.shapes = shapes
        self.parameters = parameters
        self.parameterCount = offset
    }

    /// `(N - F + 2P) / S + 1`, or an error naming the numbers when it is not a whole number.
    public static func outputSize(
        _ n: Int, window f: Int, stride s: Int, padding p: Int, what: String, axis: String, layer: Int
    ) throws(NetworkError) -> Int {
        guard f > 0 else { throw NetworkError(layer: layer, "the \(what) size must be positive, not \(f)") }
        guard s > 0 else { throw NetworkError(layer: layer, "the stride must be positive, not \(s)") }
        guard p >= 0 else { throw NetworkError(layer: layer, "the padding must not be negative, not \(p)") }
        let span = n - f + 2 * p
        guard span >= 0 else {
            throw NetworkError(layer: layer, "a \(f)x\(f) \(what) does not fit an input of \(axis) \(n) with padding \(p)")
        }
        guard span % s == 0 else {
            throw NetworkError(
                layer: layer,
                "the geometry does not fit: (N - F + 2P)/S + 1 = (\(n) - \(f) + 2*\(p))/\(s) + 1 = \(span)/\(s) + 1 is not a whole number along the \(axis): a \(f)x\(f) \(what) with stride \(s) would leave the last \(span % s) \(axis == "height" ? "row" : "column")\(span % s == 1 ? "" : "s") of the input unused, and adverify does not crop silently")
        }
        return span / s + 1
    }
}
