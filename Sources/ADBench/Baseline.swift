// The regression gate: ratios of a quick run against a committed baseline of ratios. Ratios,
// not times: a ratio within one run cancels the machine's speed, a time does not.
import Foundation

/// One gated quantity of a baseline.
public struct BaselineEntry: Codable, Sendable, Hashable {
    /// `family/label/size/method`, or `mlp/threads/batch/quantity`.
    public var key: String
    /// What the number is, for the comparison table.
    public var description: String
    public var value: Double
}

/// A committed set of ratios and the thresholds they are compared with.
public struct Baseline: Codable, Sendable {
    public static let currentSchemaVersion = 1
    public var schemaVersion = Baseline.currentSchemaVersion
    /// What the baseline was measured on.
    public var environment: BenchEnvironment
    public var createdAt: String
    public var quick: Bool
    /// A ratio regresses when it exceeds `factor × baseline` and `baseline + slack`.
    public var factor: Double
    public var slack: Double
    public var entries: [BaselineEntry]

    /// The documented thresholds: 1.5 times the baseline, and at least 0.25 above it (ratios
    /// near 1 move by a few tenths with the machine's caches and frequency).
    public static let defaultFactor = 1.5
    public static let defaultSlack = 0.25

    public init(report: BenchReport, createdAt: String) {
        environment = report.environment
        self.createdAt = createdAt
        quick = report.quick
        factor = Baseline.defaultFactor
        slack = Baseline.defaultSlack
        entries = Baseline.entries(of: report)
    }

    /// The quantities the gate watches, all "higher is worse": adverify's own methods and the
    /// numerical loops over the primal; the primal over the native closure; the network core's
    /// loss + gradient over its loss and over the GEMMs alone. Peers' own ratios are reported,
    /// not gated: they measure other people's code.
    public static func entries(of report: BenchReport) -> [BaselineEntry] {
        var entries: [BaselineEntry] = []
        let gated: Set<MethodID> = [
            .reverse, .forwardVector, .forwardScalar, .jacobianForward, .jacobianReverse,
            .forwardDifference, .centralDifference, .fivePoint, .gslCentral, .complexStep,
        ]
        for m in report.measurements {
            if gated.contains(m.method) {
                entries.append(BaselineEntry(key: m.key, description: "\(m.method.displayName) / primal", value: m.ratio.median))
            } else if m.method == .nativeClosure {
                entries.append(BaselineEntry(
                    key: [m.family, m.label, String(m.size), "primal-over-native"].compactMap { $0 }.joined(separator: "/"),
                    description: "adverify primal / native closure", value: 1 / m.ratio.median))
            }
        }
        for row in report.network {
            let prefix = "mlp/threads-\(row.threads)/\(row.batch)"
            entries.append(BaselineEntry(key: prefix + "/loss-and-gradient", description: "network loss + gradient / loss", value: row.ratio.median))
            entries.append(BaselineEntry(key: prefix + "/over-gemm", description: "network loss + gradient / GEMMs alone", value: 1 / row.gemmShare))
        }
        return entries
    }
}

/// One row of a comparison with a baseline.
public struct BaselineComparison: Codable, Sendable, Hashable {
    public enum Status: String, Codable, Sendable { case ok, regression, improved, missing, new }
    public var key: String
    public var description: String
    public var baseline: Double?
    public var current: Double?
    public var status: Status

    /// `current / baseline`.
    public var change: Double? {
        guard let baseline, let current, baseline > 0 else { return nil }
        return current / baseline
    }
}

extension Baseline {
    /// Compares `report` with this baseline, entry by entry. An entry of the baseline the run
    /// did not measure is `missing` (not a regression: `--family` may have left it out); an
    /// entry the baseline lacks is `new`.
    public func compare(_ report: BenchReport) -> [BaselineComparison] {
        let current = Dictionary(Baseline.entries(of: report).map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        var rows: [BaselineComparison] = []
        var seen: Set<String> = []
        for entry in entries {
            seen.insert(entry.key)
            guard let now = current[entry.key] else {
                rows.append(BaselineComparison(key: entry.key, description: entry.description, baseline: entry.value, current: nil, status: .missing))
                continue
            }
            let status: BaselineComparison.Status
            if !now.value.isFinite || (now.value > factor * entry.value && now.value > entry.value + slack) {
                status = .regression
            } else if now.value * factor < entry.value && now.value + slack < entry.value {
                status = .improved
            } else {
                status = .ok
            }
            rows.append(BaselineComparison(key: entry.key, description: entry.description, baseline: entry.value, current: now.value, status: status))
        }
        for entry in Baseline.entries(of: report) where !seen.contains(entry.key) {
            rows.append(BaselineComparison(key: entry.key, description: entry.description, baseline: nil, current: entry.value, status: .new))
        }
        return rows
    }
}
