// The network part of a `kind: network` case.
import ADCore
import ADNetwork

/// A network case: an architecture and, when it is evaluated, its parameters and a batch of
/// data. See docs/case-format.md, "Network cases".
public struct NetworkCase: Sendable {
    /// The network, or `nil` when building it failed as the case expects (`expect: {error: ...}`).
    public var model: Sequential?
    /// The name of each layer's output (`dense1`, `tanh2`, or the `name:` given).
    public var layerNames: [String]
    /// One line per layer: `dense 784->72 (no bias)`.
    public var layerDescriptions: [String]
    /// Why the network could not be built, when it could not.
    public var buildError: String?
    /// Expected architecture facts: parameter count, output shape, or a build error.
    public var geometry: [GeometryExpectation]
    /// The batch to evaluate, when the case evaluates the network.
    public var evaluation: Evaluation?

    public struct Evaluation: Sendable {
        /// Samples in the batch.
        public var batch: Int
        /// `batch x input.count` values, batch-major.
        public var inputs: [Double]
        public var loss: Loss?
        public var targets: Targets?
        /// With no loss and more than one output number, the objective is `L = <u, output>` for
        /// this random non-unit `u`; with one output number `L` is that number.
        public var cotangent: [Double]?
        /// The graph nodes of the network's output, batch-major.
        public var outputNodes: [Int]
        /// The graph nodes of each layer's output, batch-major.
        public var layerNodes: [[Int]]
        /// Coordinates checked one by one when the network has more than `fullLoopLimit` parameters.
        public var sample: Int
        /// Random directions checked by a central difference of `L(θ + t d)` against `<∇L, d>`.
        public var directions: Int
        /// Where the parameters and the data came from, for the report: `inline`, `seed 7`.
        public var parameterOrigin: String
        public var dataOrigin: String
    }

    /// At most this many parameters, every one is checked by finite differences (Domke's
    /// footnote); above it, a seeded sample of `sample` coordinates.
    public static let fullLoopLimit = 1000
    /// Coordinates sampled by default above `fullLoopLimit`.
    public static let defaultSample = 48
    public static let defaultDirections = 3
}

/// An architecture fact a network case expects.
public struct GeometryExpectation: Sendable, Hashable {
    public enum Fact: Sendable, Hashable {
        case parameterCount(Int)
        case outputShape([Int])
        /// Building the network fails with a message containing this text.
        case error(String)
    }

    public var fact: Fact
    public var location: SourceLocation

    public init(fact: Fact, location: SourceLocation) {
        self.fact = fact
        self.location = location
    }
}

extension ParameterTensor {
    /// `W1_2_3`: the scalar name of entry `k` (row-major), indices counted from 1.
    public func entryName(_ k: Int) -> String { NetworkNames.entry(name, shape: shape, k) }
}

/// The scalar names of network cases: `W1_2_3`, `x_1_5`, `h_1_2`, counted from 1.
public enum NetworkNames {
    /// `prefix_i_j_...` for flat index `k` of a row-major tensor of `shape`.
    public static func entry(_ prefix: String, shape: [Int], _ k: Int) -> String {
        var indices = [Int](repeating: 0, count: shape.count)
        var rest = k
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            indices[d] = rest % shape[d] + 1
            rest /= shape[d]
        }
        return prefix + indices.map { "_\($0)" }.joined()
    }

    /// The objective's name: the loss, `<u, output>`, or the one output number.
    public static let objective = "L"
}
