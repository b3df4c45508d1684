/// A deliberately wrong step of the network core's backpropagation, for measuring whether the
/// network cases catch it (`adverify selftest`). Set ``NetworkWorkspace/backpropMutation`` to
/// apply it in memory; the forward pass and the loss are never changed.
public enum BackpropMutation: Sendable, Hashable, CustomStringConvertible {
    /// The activation layers of this kind (any parameter: `leaky_relu(0.1)` matches
    /// `.leakyRelu(_)`) pass the adjoint through unchanged: `dx = dy` instead of `dy ⊙ φ'(x)`.
    case droppedActivationDerivative(Activation)
    /// Every dense layer's weight gradient written transposed: the `outputs × inputs` matrix
    /// stored as `inputs × outputs`.
    case transposedDenseWeightGradient
    /// Every convolution's weight gradient written transposed: the
    /// `outChannels × (inChannels·k·k)` matrix stored the other way round.
    case transposedConvWeightGradient
    /// The activation layers of this kind take `x >= 0`'s derivative at a pre-activation of
    /// exactly 0 whatever ``NetworkWorkspace/kinkRule`` says (a backward pass that forgot the
    /// convention); no change under `x>=0`.
    case ignoredKinkRule(Activation)

    /// Every mutant: the dropped derivative of each activation but the identity (whose
    /// derivative is 1, so dropping it changes nothing), both transposed weight gradients, and
    /// the kink rule ignored by each activation with a kink.
    public static let all: [BackpropMutation] =
        [.sigmoid, .tanh, .relu, .leakyRelu(0.1), .elu(1), .softplus].map { .droppedActivationDerivative($0) }
        + [.transposedDenseWeightGradient, .transposedConvWeightGradient]
        + [.relu, .leakyRelu(0.1), .elu(1)].map { .ignoredKinkRule($0) }

    /// A stable identifier: `network/dropped-activation-derivative/tanh`.
    public var id: String {
        switch self {
        case .droppedActivationDerivative(let a): "network/dropped-activation-derivative/\(a.kindName)"
        case .transposedDenseWeightGradient: "network/transposed-weight-gradient/dense"
        case .transposedConvWeightGradient: "network/transposed-weight-gradient/conv2d"
        case .ignoredKinkRule(let a): "network/ignored-kink-rule/\(a.kindName)"
        }
    }

    public var description: String {
        switch self {
        case .droppedActivationDerivative(let a): "the derivative of every \(a.kindName) activation dropped (dx = dy)"
        case .transposedDenseWeightGradient: "every dense layer's weight gradient written transposed"
        case .transposedConvWeightGradient: "every convolution's weight gradient written transposed"
        case .ignoredKinkRule(let a): "every \(a.kindName) activation taking the x >= 0 derivative at 0 under any kink convention"
        }
    }

    /// Whether a network with these layers has a layer the mutant changes.
    public func applies(to layers: [Layer]) -> Bool {
        layers.contains { layer in
            switch (self, layer) {
            case (.droppedActivationDerivative(let a), .activation(let b)), (.ignoredKinkRule(let a), .activation(let b)): a.kindName == b.kindName
            case (.transposedDenseWeightGradient, .dense), (.transposedConvWeightGradient, .conv2d): true
            default: false
            }
        }
    }
}

extension Activation {
    /// The activation's name without its parameter: `leaky_relu`, `elu`, `tanh`.
    public var kindName: String {
        switch self {
        case .leakyRelu: "leaky_relu"
        case .elu: "elu"
        default: name
        }
    }
}

/// Rewrites the `rows × cols` row-major matrix at `m` as its transpose (`cols × rows`), in the
/// same memory: the wrong layout a transposed-gradient bug writes.
func transposeInPlace(_ m: Buffer, rows: Int, cols: Int) {
    let copy = Array(UnsafeBufferPointer(start: m, count: rows * cols))
    for r in 0..<rows {
        for c in 0..<cols { m[c * rows + r] = copy[r * cols + c] }
    }
}
