// The benchmark's results: plain Codable values, rendered by ADReport.
import Foundation

/// A timed method: adverify's sweeps, the numerical oracles, the peers and the limits.
public struct MethodID: RawRepresentable, Codable, Hashable, Sendable, Comparable, ExpressibleByStringLiteral {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
    public static func < (a: MethodID, b: MethodID) -> Bool { a.order < b.order || (a.order == b.order && a.rawValue < b.rawValue) }

    // adverify
    public static let primal: MethodID = "primal"
    public static let reverse: MethodID = "reverse"
    public static let forwardVector: MethodID = "forward-vector"
    public static let forwardScalar: MethodID = "forward-scalar"
    public static let jacobianForward: MethodID = "jacobian-forward"
    public static let jacobianReverse: MethodID = "jacobian-reverse"
    public static let hvp: MethodID = "hvp"
    public static let hessian: MethodID = "hessian"
    // numerical oracles
    public static let forwardDifference: MethodID = "forward-difference"
    public static let centralDifference: MethodID = "central-difference"
    public static let fivePoint: MethodID = "five-point"
    public static let gslCentral: MethodID = "gsl-central"
    public static let complexStep: MethodID = "complex-step"
    // peers
    public static let nativeClosure: MethodID = "native-closure"
    public static let handAdjoint: MethodID = "hand-adjoint"
    public static let swiftADValue: MethodID = "swift-ad-value"
    public static let swiftADGradient: MethodID = "swift-ad-gradient"
    // the network core
    public static let loss: MethodID = "loss"
    public static let lossAndGradient: MethodID = "loss-and-gradient"
    public static let gemm: MethodID = "gemm"

    /// How the report names the method.
    public var displayName: String {
        switch self {
        case .primal: "adverify primal sweep"
        case .reverse: "adverify reverse gradient"
        case .forwardVector: "adverify forward, vector mode"
        case .forwardScalar: "adverify forward, n scalar sweeps"
        case .jacobianForward: "adverify Jacobian, forward"
        case .jacobianReverse: "adverify Jacobian, reverse"
        case .hvp: "adverify Hessian-vector product (forward over reverse)"
        case .hessian: "adverify full Hessian (n products)"
        case .forwardDifference: "forward differences"
        case .centralDifference: "central differences"
        case .fivePoint: "5-point differences"
        case .gslCentral: "GSL central, per partial"
        case .complexStep: "complex step"
        case .nativeClosure: "native Swift closure (primal)"
        case .handAdjoint: "hand-written adjoint"
        case .swiftADValue: "Swift _Differentiation, value"
        case .swiftADGradient: "Swift _Differentiation, gradient"
        case .loss: "network core, loss"
        case .lossAndGradient: "network core, loss + gradient"
        case .gemm: "OpenBLAS GEMMs alone"
        default:
            if rawValue.hasSuffix("-gradient") { "\(rawValue.dropLast("-gradient".count)) gradient (Python)" }
            else if rawValue.hasSuffix("-hvp") { "\(rawValue.dropLast("-hvp".count)) Hessian-vector product (Python)" }
            else if rawValue.hasSuffix("-value") { "\(rawValue.dropLast("-value".count)) value (Python)" }
            else { rawValue }
        }
    }

    /// A name short enough for a plot's legend.
    public var shortName: String {
        switch self {
        case .reverse: "reverse"
        case .forwardVector: "forward, vector"
        case .forwardScalar: "forward, n sweeps"
        case .jacobianForward: "Jacobian, forward"
        case .jacobianReverse: "Jacobian, reverse"
        case .hvp: "HVP"
        case .hessian: "Hessian"
        case .forwardDifference: "forward diff."
        case .centralDifference: "central diff."
        case .fivePoint: "5-point diff."
        case .gslCentral: "GSL central"
        case .complexStep: "complex step"
        case .nativeClosure: "native closure"
        case .handAdjoint: "hand adjoint"
        case .swiftADValue: "Swift AD value"
        case .swiftADGradient: "Swift AD gradient"
        default: rawValue.replacingOccurrences(of: "-", with: " ")
        }
    }

    /// Whether the method is another implementation than adverify's (a peer or a limit).
    public var isPeer: Bool { order >= 20 && self != .loss && self != .lossAndGradient }

    /// Table order: adverify, oracles, peers.
    var order: Int {
        switch self {
        case .primal: 0
        case .reverse: 1
        case .forwardVector: 2
        case .forwardScalar: 3
        case .jacobianForward: 4
        case .jacobianReverse: 5
        case .hvp: 6
        case .hessian: 7
        case .forwardDifference: 10
        case .centralDifference: 11
        case .fivePoint: 12
        case .gslCentral: 13
        case .complexStep: 14
        case .nativeClosure: 20
        case .handAdjoint: 21
        case .swiftADValue: 22
        case .swiftADGradient: 23
        case .loss: 30
        case .lossAndGradient: 31
        case .gemm: 32
        default: 40
        }
    }
}

/// One timed method at one size, against the primal of the same run.
public struct MethodTiming: Codable, Sendable, Hashable {
    /// The family (`sum-sin-exp`, `chain`, …).
    public var family: String
    /// The size: `n`, the depth `d`, the varied dimension, or the batch.
    public var size: Int
    /// A label within the family where the size is not enough (a textbook case's id, the
    /// OpenBLAS thread count of an MLP row).
    public var label: String?
    public var method: MethodID
    /// Seconds per call of the primal it was paired with (median).
    public var primalSeconds: Double
    /// Seconds per call of the method (median, min, max).
    public var seconds: Spread
    /// `method / primal`, pair by pair (median, min, max).
    public var ratio: Spread
    /// Primal evaluations (numerical methods) or sweeps (AD) per call, counted on one call.
    public var evaluations: Int?
    /// The largest relative difference of the method's gradient from adverify's reverse
    /// gradient (or from the closed form), checked once before timing.
    public var agreement: Double?
    /// Anything the reader should know: a disagreement, whose primal a peer's ratio is to.
    public var note: String?

    /// The key of this measurement in a baseline: `family/label/size/method`.
    public var key: String { MethodTiming.key(family: family, label: label, size: size, method: method) }

    /// `family/label/size/method` (no label: `family/size/method`).
    public static func key(family: String, label: String?, size: Int, method: MethodID) -> String {
        [family, label, String(size), method.rawValue].compactMap { $0 }.joined(separator: "/")
    }

    /// Whether the pairs' ratios scatter widely (see ``wideSpread``).
    public var isWidelySpread: Bool { ratio.relativeInterquartileRange > MethodTiming.wideSpread }

    /// A note is added when the interquartile range of the pairs' ratios is more than this
    /// fraction of their median.
    public static let wideSpread = 0.2
}

/// The size-dependent facts of a family's graph.
public struct GraphSize: Codable, Sendable, Hashable {
    public var size: Int
    public var label: String?
    public var inputs: Int
    public var outputs: Int
    public var nodes: Int
    /// Bytes per node the reverse sweep keeps: the graph's op, operands and payload, and the
    /// workspace's value, two local partials and adjoint.
    public var tapeBytesPerNode: Double
}

/// A family's measurements.
public struct FamilyResult: Codable, Sendable, Hashable {
    /// `sum-sin-exp`, `chain`, `jacobian-m`, `jacobian-n`, `textbook`, `mlp`.
    public var name: String
    /// One line: the function and what it shows.
    public var description: String
    /// The name of the size parameter: `n`, `d`, `m`, `batch`.
    public var sizeName: String
    public var graphs: [GraphSize]
    public var measurements: [MethodTiming]
    /// Methods left out at some sizes, and why.
    public var skipped: [String]

    public init(name: String, description: String, sizeName: String) {
        self.name = name
        self.description = description
        self.sizeName = sizeName
        graphs = []
        measurements = []
        skipped = []
    }

    /// The measurement of `method` at `size` (and `label`).
    public func measurement(_ method: MethodID, size: Int, label: String? = nil) -> MethodTiming? {
        measurements.first { $0.method == method && $0.size == size && $0.label == label }
    }
}

/// Absolute errors of difference formulas against a high-precision derivative, over steps.
public struct ErrorCurve: Codable, Sendable, Hashable {
    /// What is differentiated, e.g. Peharz's f at x = 2.
    public var function: String
    public var x: Double
    /// The reference derivative (not computed by adverify).
    public var exact: Double
    public var referenceSource: String
    public var steps: [Double]
    /// Per formula (`forward`, `central`, `5-point`, `complex step`): the error at each step, nil when not finite.
    public var errors: [String: [Double?]]
    /// The step with the smallest error per formula.
    public var bestSteps: [String: Double]
    /// The step adverify's oracles choose by default per formula.
    public var defaultSteps: [String: Double]
}

/// The multilayer perceptron's measurements at one batch size and thread count.
public struct NetworkTiming: Codable, Sendable, Hashable {
    public var batch: Int
    public var threads: Int
    /// Seconds of the loss alone, of loss + gradient, of the GEMMs alone (medians).
    public var lossSeconds: Double
    public var lossAndGradientSeconds: Double
    public var gemmSeconds: Double
    /// `(loss + gradient) / loss`, pair by pair.
    public var ratio: Spread
    /// `GEMM time / (loss + gradient) time`, the median of pairs of the two: the share of
    /// the GEMM-only rate that loss + gradient reaches on the same shapes.
    public var gemmShare: Double
    /// `(loss + gradient) / GEMMs`, pair by pair (nil in results written before it was kept).
    public var gemmRatio: Spread?
    /// Floating-point operations of the GEMMs of one loss + gradient.
    public var gemmFlops: Double
    /// GFLOP/s of the GEMMs alone.
    public var gemmRate: Double { gemmFlops / gemmSeconds / 1e9 }
}

/// The catalogue's run time (`adverify run cases/`, this binary, as a subprocess).
public struct CatalogueTiming: Codable, Sendable, Hashable {
    public var command: String
    public var seconds: Spread
    public var buildConfiguration: String
    public var exitCode: Int32
}

/// A target of the benchmark's own and whether this run meets it.
public struct TargetResult: Codable, Sendable, Hashable {
    public var target: String
    /// The measured value as text, e.g. "2.1 (worst at n = 10^6)".
    public var measured: String
    public var met: Bool?
    /// Why a target is missed or not measured.
    public var note: String?
}

/// A peer that was asked for and what came of it.
public struct PeerInfo: Codable, Sendable, Hashable {
    public var name: String
    public var available: Bool
    public var version: String?
    /// How the peer's function is written, or why it is missing.
    public var note: String
}

/// What the machine was.
public struct BenchEnvironment: Codable, Sendable, Hashable {
    public var adverify: String
    public var swift: String
    public var platform: String
    public var cpu: String
    public var cores: Int
    public var gsl: String
    public var blas: String
    public var blasThreads: Int
    /// `release` or `debug`: debug numbers say little.
    public var buildConfiguration: String

    public init(adverify: String, swift: String, platform: String, cpu: String, cores: Int, gsl: String, blas: String, blasThreads: Int, buildConfiguration: String) {
        self.adverify = adverify
        self.swift = swift
        self.platform = platform
        self.cpu = cpu
        self.cores = cores
        self.gsl = gsl
        self.blas = blas
        self.blasThreads = blasThreads
        self.buildConfiguration = buildConfiguration
    }
}

/// One `adverify bench` run.
public struct BenchReport: Codable, Sendable {
    public static let currentSchemaVersion = 1
    public var schemaVersion = BenchReport.currentSchemaVersion
    public var quick: Bool
    public var environment: BenchEnvironment
    public var settings: TimingSettings
    public var startedAt: String
    public var duration: Double
    public var families: [FamilyResult]
    public var network: [NetworkTiming]
    public var errorCurve: ErrorCurve?
    public var catalogue: CatalogueTiming?
    public var peers: [PeerInfo]
    public var targets: [TargetResult]
    /// Peak resident set size of the whole run, bytes.
    public var peakResidentBytes: Int

    public init(quick: Bool, environment: BenchEnvironment, settings: TimingSettings, startedAt: String) {
        self.quick = quick
        self.environment = environment
        self.settings = settings
        self.startedAt = startedAt
        duration = 0
        families = []
        network = []
        peers = []
        targets = []
        peakResidentBytes = 0
    }

    /// The family named `name`.
    public func family(_ name: String) -> FamilyResult? { families.first { $0.name == name } }

    /// Every measurement of every family.
    public var measurements: [MethodTiming] { families.flatMap(\.measurements) }
}

/// JSON for results and baselines: sorted keys, and infinities or NaN (a failed measurement)
/// written as strings rather than refused.
public enum BenchJSON {
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}
