// What a verification run found: plain Codable values that the reports render.
import ADCatalog
import ADCore
import Foundation

/// Everything a run of `adverify run` found. `verification.json` is this value, encoded.
///
/// Schema history: 1 — the first version. Optional fields added since, which older files
/// decode without: `shard`, `cases[].catalogueIndex`.
public struct RunResult: Codable, Sendable {
    /// The version of this structure's JSON form; bumped when a field changes meaning or goes.
    public var schemaVersion: Int
    public var tool: ToolInfo
    /// When the run started, ISO 8601.
    public var startedAt: String
    /// Wall-clock seconds for loading and verifying.
    public var duration: Double
    /// The paths the run was given.
    public var paths: [String]
    public var summary: RunSummary
    /// Problems loading case files (each makes the run exit 2).
    public var loadErrors: [CatalogError]
    /// One result per case, in catalogue order.
    public var cases: [CaseResult]
    /// The shard of the cases this run verified (`adverify run --shard K/N`); `nil` for a whole
    /// run, and for the result `adverify merge` makes of every shard.
    public var shard: Shard? = nil

    public static let currentSchemaVersion = 1

    public init(tool: ToolInfo, startedAt: String, duration: Double, paths: [String], loadErrors: [CatalogError], cases: [CaseResult]) {
        self.schemaVersion = Self.currentSchemaVersion
        self.tool = tool
        self.startedAt = startedAt
        self.duration = duration
        self.paths = paths
        self.summary = RunSummary(cases: cases, loadErrors: loadErrors.count)
        self.loadErrors = loadErrors
        self.cases = cases
    }

    /// 0 when every check passed (inconclusive allowed), 1 when some check failed,
    /// 2 when a case file could not be loaded (whatever else happened).
    public var exitCode: Int32 {
        if !loadErrors.isEmpty { return 2 }
        return summary.failedCases > 0 ? 1 : 0
    }
}

/// The versions that produced a result.
public struct ToolInfo: Codable, Sendable, Hashable {
    public var adverify: String
    public var gsl: String
    public var swift: String
    public var platform: String

    public init(adverify: String, gsl: String, swift: String, platform: String) {
        self.adverify = adverify
        self.gsl = gsl
        self.swift = swift
        self.platform = platform
    }
}

/// Counts of cases and checks by verdict.
public struct RunSummary: Codable, Sendable, Hashable {
    public var cases: Int
    public var passedCases: Int
    public var failedCases: Int
    public var inconclusiveCases: Int
    public var checks: Int
    public var passedChecks: Int
    public var failedChecks: Int
    public var inconclusiveChecks: Int
    public var loadErrors: Int

    public init(cases results: [CaseResult], loadErrors: Int) {
        cases = results.count
        passedCases = results.count { $0.verdict == .pass }
        failedCases = results.count { $0.verdict == .fail }
        inconclusiveCases = results.count { $0.verdict.isInconclusive }
        let all = results.flatMap(\.checks)
        checks = all.count
        passedChecks = all.count { $0.comparison.verdict == .pass }
        failedChecks = all.count { $0.comparison.verdict == .fail }
        inconclusiveChecks = all.count { $0.comparison.verdict.isInconclusive }
        self.loadErrors = loadErrors
    }
}

/// The verification of one case.
public struct CaseResult: Codable, Sendable {
    public var id: String
    public var title: String
    public var source: String?
    public var note: String?
    public var tags: [String]
    /// `file:line:column` of the case's `id:`.
    public var location: SourceLocation
    /// The case's YAML as written.
    public var text: String
    public var inputs: [NamedValue]
    public var outputs: [NamedValue]
    /// Whether the graph is analytic (the complex step applies to every partial).
    public var isAnalytic: Bool
    public var nodeCount: Int
    /// `fail` if any check failed; `pass` if at least one passed and none failed; else inconclusive.
    public var verdict: Verdict
    /// One row per quantity: values, every partial, adjoints of the lets, expected tangents.
    public var rows: [QuantityRow]
    /// Every check made, in row order; the dot-product test last.
    public var checks: [Check]
    /// The smallest, over the rows, of the digits AD shares with its best reference.
    public var worstAgreeingDigits: Double?
    /// Function evaluations spent by the numerical oracles.
    public var oracleEvaluations: Int
    /// The primal trace, with the tangents of the first seed and the adjoints of output 0.
    public var trace: Trace?
    /// Why the case could not be verified (e.g. a NaN at a node), if it could not.
    public var error: String?
    /// The same reason located in the case file (`file:line:column`, the line, a caret), when
    /// it is about a place there: the node whose value is NaN or infinite.
    public var diagnostic: CatalogError? = nil
    /// Seconds spent verifying this case.
    public var duration: Double
    /// For network cases: the architecture, and the network core against the ADCore graph.
    public var network: NetworkResult? = nil
    /// What the user should know about the case file even when it passes: expected numbers
    /// whose as-printed budget is wider than 1 % of the value, with the fix. `nil` when none.
    public var notices: [String]? = nil
    /// The kink convention the case was verified under, when its graph has a piecewise node
    /// (`x>=0`, `pytorch`, `jax`); `nil` for smooth cases.
    public var kinks: KinkConvention? = nil
    /// The case's position in the catalogue of the run (``Case/catalogueIndex``): the order
    /// `adverify merge` restores when it joins the results of shards. `nil` in results written
    /// before it was recorded, and for cases not loaded by `Catalog.load`.
    public var catalogueIndex: Int? = nil

    /// The failed checks.
    public var failures: [Check] { checks.filter { $0.comparison.verdict == .fail } }

    /// The longest case text (and note) a report carries whole.
    public static let maxTextLength = 20_000

    /// Cuts what the case file says about itself to what a report can show: the YAML and the
    /// note to ``maxTextLength`` bytes, the title and source to 1000 characters. A generated
    /// case of ten megabytes would otherwise be copied into every report, twice.
    public mutating func clipForReports() {
        text = Self.excerpt(text)
        note = note.map { Self.clip($0, Self.maxTextLength) }
        title = Self.clip(title, 1000)
        source = source.map { Self.clip($0, 1000) }
    }

    /// `text` cut to `limit` characters, saying how many were left out.
    static func clip(_ text: String, _ limit: Int) -> String {
        guard text.utf8.count > limit, text.count > limit else { return text }
        return String(text.prefix(limit)) + "… (\(text.count - limit) more characters in the case file)"
    }

    /// `text` for the report: whole when short, else its start and how much was left out.
    public static func excerpt(_ text: String) -> String {
        guard text.utf8.count > maxTextLength else { return text }
        let bytes = Array(text.utf8.prefix(maxTextLength + 1))
        var cut = maxTextLength
        while cut > 0, bytes[cut] & 0xC0 == 0x80 { cut -= 1 }  // not inside a character
        let kept = String(decoding: bytes[..<cut], as: UTF8.self)
        return kept + "\n# … cut here: \(text.utf8.count - kept.utf8.count) more bytes are in the case file\n"
    }
}

public struct NamedValue: Codable, Sendable, Hashable {
    public var name: String
    public var value: Double

    public init(name: String, value: Double) {
        self.name = name
        self.value = value
    }
}

/// One quantity (a value, a partial, an adjoint, a tangent) with every method's number for it.
public struct QuantityRow: Codable, Sendable {
    /// `f`, `∂f/∂x`, `∂f/∂c (adjoint)`, `ȧ (seed ẋ = 1)`.
    public var quantity: String
    public var kind: Kind
    public var expected: ExpectedCell?
    /// Forward-mode AD (or the primal value for value rows).
    public var forward: Double?
    /// Reverse-mode AD (or the primal value for value rows).
    public var reverse: Double?
    /// Numerical oracles by method: gslCentral (or its one-sided fallback), central, fivePoint,
    /// complexStep, richardson.
    public var oracles: [OracleCell]
    /// Digits AD shares with its best reference (expected expression or conclusive oracle).
    public var agreeingDigits: Double?
    /// The worst verdict of the row's checks; `nil` when nothing checked it (a value or an
    /// adjoint with no expected number: there is no oracle for those).
    public var verdict: Verdict?

    public enum Kind: String, Codable, Sendable {
        case value, nodeValue, partial, adjoint, tangent
        /// `d L(θ + t d) / dt` along a random direction `d` (network cases).
        case direction
        /// `∂²f/∂x_i∂x_j`: a Hessian entry by forward over reverse (in `reverse`).
        case secondPartial
        /// A component of `∇²f v` by forward over reverse (in `reverse`).
        case hvp

        /// Whether the row is a second derivative.
        public var isSecondOrder: Bool { self == .secondPartial || self == .hvp }
    }

    public init(quantity: String, kind: Kind, forward: Double?, reverse: Double?) {
        self.quantity = quantity
        self.kind = kind
        self.forward = forward
        self.reverse = reverse
        self.expected = nil
        self.oracles = []
        self.agreeingDigits = nil
        self.verdict = nil
    }
}

/// An expected number as written, with its budget.
public struct ExpectedCell: Codable, Sendable, Hashable {
    public var text: String
    public var value: Double
    /// The largest difference that passes (half a unit of the last printed digit, or atol + rtol |v|).
    public var budget: Double
    /// `printed` or `expression`.
    public var form: String
    public var location: SourceLocation
}

/// One oracle's estimate for a row and the verdict on AD against it.
public struct OracleCell: Codable, Sendable, Hashable {
    /// The method that produced the value (GSL central may fall back to gslForward/gslBackward).
    public var method: DifferenceMethod
    /// The method asked for.
    public var requested: DifferenceMethod
    public var value: Double
    public var error: Double
    public var verdict: Verdict
    public var note: String?
    /// What the method differenced, when not f itself: a second-order row's references
    /// difference a gradient (`nil` for f, and for the second differences of f).
    public var closure: OracleClosure? = nil

    /// The method's name as its check records it: `gradient: gsl-central` for a closure.
    public var checkMethod: String { (closure?.prefix ?? "") + method.rawValue }
}

/// The closure a second derivative's reference differences once (instead of differencing f twice).
public enum OracleClosure: String, Codable, Sendable, Hashable {
    /// The reverse-mode gradient (verified by the first-order checks): `∂f/∂x_i (x + t v)`
    /// differenced in t, the approach Stan's `finite_diff_hessian` takes.
    case gradient
    /// The gradient by the complex step, `Im f(x + t v + i h e_i) / h`, differenced in t: no AD
    /// at all, for analytic graphs.
    case complexStepGradient = "complex-step gradient"

    /// `gradient: ` before the method's name in a check.
    public var prefix: String { rawValue + ": " }
}

/// One check: what was compared with what, and the verdict.
public struct Check: Codable, Sendable {
    public var quantity: String
    public var kind: Kind
    public var comparison: Comparison
    /// The expected text for expectation checks.
    public var expectedText: String?
    /// Where the expectation was written, for expectation checks.
    public var location: SourceLocation?

    public enum Kind: String, Codable, Sendable {
        /// An expected number from the case file against reverse-mode AD (or the primal).
        case expectation
        /// Forward against reverse mode.
        case modes
        /// A numerical oracle against AD.
        case oracle
        /// `<u, J v>` (forward) against `<J^T u, v>` (reverse) for random non-unit `u`, `v`.
        case dotProduct
        /// A network fact: its parameter count, output shape, or the error building it gives.
        case architecture
        /// The network core (ADNetwork) against the ADCore graph of the same network: the loss,
        /// the outputs, a parameter tensor's gradient, a layer's adjoints.
        case network
        /// Second derivatives against themselves: `∂²f/∂x∂y` against `∂²f/∂y∂x` (the Hessian
        /// is symmetric), `<w, ∇²f v>` against `<∇²f w, v>` for random non-unit `w`, `v`.
        case symmetry
    }

    /// What the check found, for kinds whose comparison is not a number against a number
    /// (`architecture`), or to say what was compared (`network`).
    public var detail: String? = nil

    /// A sentence for reports and the console, e.g.
    /// `∂f/∂x: expected -182.87 (± 0.005), reverse AD gives -182.8694, difference 0.0006`.
    public var message: String {
        let c = comparison
        switch kind {
        case .expectation:
            let who = detail.map { "; \($0)" } ?? ""
            return "\(quantity): expected \(expectedText ?? format(c.reference)) (± \(format(c.budget))), computed \(format(c.value)), difference \(format(c.difference))\(who)"
        case .modes:
            let why = detail.map { "; \($0)" } ?? ""
            return "\(quantity): forward mode \(format(c.value)) and reverse mode \(format(c.reference)) differ by \(format(c.difference)) (budget \(format(c.budget)))\(why)"
        case .oracle:
            if case .inconclusive(let reason) = c.verdict { return "\(quantity): \(c.method) inconclusive: \(reason)" }
            return "\(quantity): AD \(format(c.value)), \(c.method) \(format(c.reference)), difference \(format(c.difference)) (budget \(format(c.budget)))"
        case .architecture:
            return "\(quantity): \(detail ?? "")"
        case .network:
            return "\(quantity): \(detail ?? ""): worst difference \(format(c.difference)) (budget \(format(c.budget)))"
        case .symmetry:
            return "\(quantity): \(format(c.value)) against \(format(c.reference)), difference \(format(c.difference)) (budget \(format(c.budget)))\(detail.map { "; \($0)" } ?? "")"
        case .dotProduct:
            return "dot-product test: <u, J v> = \(format(c.value)) by forward mode, <Jᵀu, v> = \(format(c.reference)) by reverse mode, difference \(format(c.difference)) (budget \(format(c.budget)))"
        }
    }
}

/// The network part of a network case's result.
public struct NetworkResult: Codable, Sendable {
    /// One row per layer: name, what it is, output shape, parameters.
    public var layers: [LayerSummary]
    public var inputShape: [Int]
    public var parameterCount: Int?
    /// Why the network could not be built (for a case that expects it).
    public var buildError: String?
    public var batch: Int?
    /// The loss, or `<u, output>` / `output` when there is none.
    public var objective: String?
    public var parameterOrigin: String?
    public var dataOrigin: String?
    /// The network core's gradient and adjoints against the ADCore graph, per parameter tensor
    /// and per layer output.
    public var agreement: [TensorAgreement]
    /// Whether every parameter was checked by finite differences (Domke's footnote), or a sample.
    public var everyParameterChecked: Bool
    /// Parameters checked by the oracles one by one.
    public var coordinatesChecked: Int
    /// What the full finite-difference loop over every parameter would cost: `P + 1` loss
    /// evaluations with forward differences (Domke's footnote), `2P` with central differences.
    public var fullLoopForward: Int
    public var fullLoopCentral: Int
    /// Loss evaluations the oracles spent on the coordinates and directions checked.
    public var oracleEvaluations: Int
    public var directions: Int
}

public struct LayerSummary: Codable, Sendable, Hashable {
    public var name: String
    public var layer: String
    public var outputShape: [Int]
    public var parameters: Int
}

/// The network core against the ADCore graph for one tensor: the worst entry.
public struct TensorAgreement: Codable, Sendable {
    public enum Kind: String, Codable, Sendable {
        /// `∂L/∂W` for a parameter tensor.
        case gradient
        /// `∂L/∂(layer output)`.
        case adjoint
        /// The layer's output values (the forward pass).
        case value
    }

    /// `W1`, or a layer name.
    public var name: String
    public var kind: Kind
    /// The tensor's shape, batch first for layer outputs.
    public var shape: [Int]
    /// `max |network - graph| / max |graph|` over the tensor's entries (0 when both are all zero).
    public var worstRelativeError: Double
    /// The entry where the difference is largest, e.g. `W1_3_17`.
    public var worstEntry: String
    /// `max |graph|` over the tensor.
    public var largestMagnitude: Double
    public var verdict: Verdict
    /// For gradients: how many entries the oracles checked, and the fewest digits AD shared with its best oracle.
    public var oracleCoordinates: Int
    public var oracleWorstDigits: Double?
}

/// A number in reports: 10 significant digits, shortest form.
public func format(_ x: Double) -> String {
    if x.isNaN { return "NaN" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == 0 { return "0" }
    let s = String(format: "%.10g", x)
    return s
}
