// The regression gate: ratios of a quick run against a baseline of ratios that knows its own
// noise. Ratios, not times: a ratio within one run cancels the machine's speed, a time does not.
// A ratio regresses only when the slowdown is both statistically clear (a rank test on the pair
// ratios of the two runs) and practically large (above a threshold no smaller than the noise the
// baseline measured for that ratio, over runs with the machine quiet and loaded).
import Foundation

/// One gated quantity of a baseline.
public struct BaselineEntry: Codable, Sendable, Hashable {
    /// `family/label/size/method`, `mlp/threads/batch/quantity`, or `summary/method`.
    public var key: String
    /// What the number is, for the comparison table.
    public var description: String
    /// The median of ``samples``.
    public var value: Double
    /// The pair ratios of every run the baseline was made from, pooled: the rank test's sample.
    public var samples: [Double]
    /// Each run's median, in run order: how far the ratio moves between runs.
    public var runMedians: [Double]
    /// A ratio regresses only above `threshold × value` (and improves below `value / threshold`).
    public var threshold: Double
    /// Whether a regression of this ratio fails the gate. An entry whose own noise would hide a
    /// 1.5x slowdown is reported, not gated.
    public var gated: Bool
    /// Why the entry is not gated.
    public var reason: String?

    public init(key: String, description: String, samples: [Double], runMedians: [Double], threshold: Double = Baseline.minimumThreshold, gated: Bool = true, reason: String? = nil) {
        self.key = key
        self.description = description
        self.samples = samples
        value = median(samples)
        self.runMedians = runMedians
        self.threshold = threshold
        self.gated = gated
        self.reason = reason
    }

    /// The largest deviation of one run's median from ``value``, as a factor ≥ 1.
    public var runDeviation: Double {
        runMedians.map { Swift.max($0 / value, value / $0) }.filter(\.isFinite).max() ?? 1
    }

    enum CodingKeys: String, CodingKey { case key, description, value, samples, runMedians, threshold, gated, reason }

    /// Reads schema 1 too (a value and nothing else): its one number stands for the samples.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        description = try c.decode(String.self, forKey: .description)
        value = try c.decode(Double.self, forKey: .value)
        samples = try c.decodeIfPresent([Double].self, forKey: .samples) ?? [value]
        runMedians = try c.decodeIfPresent([Double].self, forKey: .runMedians) ?? [value]
        threshold = try c.decodeIfPresent(Double.self, forKey: .threshold) ?? 1.5
        gated = try c.decodeIfPresent(Bool.self, forKey: .gated) ?? true
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
    }
}

/// A set of ratios, their noise, and the rule they are compared by.
public struct Baseline: Codable, Sendable {
    public static let currentSchemaVersion = 2
    public var schemaVersion = Baseline.currentSchemaVersion
    /// What the baseline was measured on.
    public var environment: BenchEnvironment
    public var createdAt: String
    /// The revision measured (`git describe --always --dirty`), when known.
    public var revision: String?
    public var quick: Bool
    /// The machine's load during each run the baseline was made from (`quiet`, `1 core busy`, …).
    public var runs: [String]
    /// The rank test's one-sided significance level.
    public var alpha: Double
    public var entries: [BaselineEntry]

    /// The smallest threshold of a single ratio: between processes the ratios of
    /// sub-microsecond calls move by 10–30 % with nothing changed (9 quick runs here, quiet and
    /// loaded: the median entry's largest/smallest run was 1.12, one in six above 1.2; some
    /// ratios are bimodal across processes, chain/1000/complex-step at 0.96–1.06 or 1.17–1.31
    /// of its baseline in 23 gate runs, a mode nine baseline runs can miss).
    public static let minimumThreshold = 1.3
    /// The smallest threshold of a summary (a geometric mean over one method's ratios, whose
    /// single moves average out).
    public static let minimumSummaryThreshold = 1.1
    /// The threshold is the largest deviation the baseline's runs showed, times this margin.
    public static let noiseMargin = 1.1
    /// The slowdown every gated entry must be able to show: an entry is gated only when a
    /// slowdown of this size, measured in a run as far below the entry's value as its worst
    /// baseline run, still exceeds its threshold (`1.5 / deviation ≥ threshold`, so deviations
    /// up to about 1.17).
    public static let detectableSlowdown = 1.5
    /// The rank test's level: p < 0.001 one-sided (asv uses 0.002 two-sided).
    public static let defaultAlpha = 0.001
    /// Fewer samples than this on either side and the rank test cannot reach `alpha`; the
    /// decision then rests on the threshold alone.
    public static let minimumSamplesForTest = 5

    /// A baseline from the runs of one revision (one run, or several with the machine quiet and
    /// loaded: ``LoadGenerator``). Each entry pools its runs' pair ratios and takes its
    /// threshold from how far its runs' medians spread.
    public init(runs reports: [BenchReport], loads: [String]? = nil, createdAt: String, revision: String? = nil) {
        precondition(!reports.isEmpty, "a baseline of no runs")
        environment = reports[0].environment
        self.createdAt = createdAt
        self.revision = revision
        quick = reports[0].quick
        runs = loads ?? reports.map { _ in "as it was" }
        alpha = Baseline.defaultAlpha
        var byKey: [String: (description: String, samples: [Double], medians: [Double])] = [:]
        var order: [String] = []
        for report in reports {
            for q in Baseline.quantities(of: report) {
                if byKey[q.key] == nil { order.append(q.key) }
                byKey[q.key, default: (q.description, [], [])].samples += q.ratio.values
                byKey[q.key, default: (q.description, [], [])].medians.append(q.ratio.median)
            }
        }
        var entries: [BaselineEntry] = []
        for key in order {
            guard let q = byKey[key] else { continue }
            entries.append(Baseline.judged(BaselineEntry(key: key, description: q.description, samples: q.samples, runMedians: q.medians)))
        }
        self.entries = entries + Baseline.summaries(entries)
    }

    /// Sets an entry's threshold from its noise, and whether it can be gated.
    static func judged(_ entry: BaselineEntry) -> BaselineEntry {
        var e = entry
        if let reason = ungatedByRule(e.key) {
            e.gated = false
            e.reason = reason
            e.threshold = Swift.max(minimumThreshold, e.runDeviation * noiseMargin)
            return e
        }
        let deviation = e.runDeviation
        let floor = e.key.hasPrefix("summary/") ? minimumSummaryThreshold : minimumThreshold
        e.threshold = Swift.max(floor, deviation * noiseMargin)
        if !e.value.isFinite || e.value <= 0 {
            e.gated = false
            e.reason = "not measured in the baseline"
        } else if detectableSlowdown / deviation < e.threshold {
            e.gated = false
            e.reason = String(
                format: "its runs moved up to %.2fx from their median (quiet and loaded): a %.1fx slowdown could not be told from that",
                deviation, detectableSlowdown)
        }
        return e
    }

    /// Entries never gated, whatever their noise, and why.
    static func ungatedByRule(_ key: String) -> String? {
        if key.hasPrefix("mlp/"), key.hasSuffix("/1/over-gemm") {
            return "at batch 1 the network core calls dgemv and the GEMM peer dgemm: the ratio follows OpenBLAS's kernels for the processor (0.52 with its Haswell kernels, 1.3 with Cooperlake), not adverify"
        }
        if key.hasPrefix("mlp/threads-"), !key.hasPrefix("mlp/threads-1/") {
            return "with more than one OpenBLAS thread the work runs on other cores too, timed by the wall clock: on a machine with other load the ratio measures that load (over-gemm at batch 1 went from 1.6 to 229 with both cores busy)"
        }
        if key == "sum-sin-exp/10000/primal-over-native" {
            return "moves with the state of this shared machine, not with the code: the same binary measured 1.30 for a baseline and 1.69 to 1.77 an hour later, in three runs, the native loop (registers only) staying put while the sweep (an 80 KB working set) slowed"
        }
        return nil
    }

    /// The summaries: for each method, the geometric mean of its gated ratios' changes. A slower
    /// sweep slows every family it runs in, while the noise of single ratios is their own, so the
    /// mean sees a slowdown no single sub-microsecond ratio can. Their samples are the member
    /// entries' pair ratios over the entry's value (so the value is about 1).
    static func summaries(_ entries: [BaselineEntry]) -> [BaselineEntry] {
        var groups: [String: [BaselineEntry]] = [:]
        var order: [String] = []
        for e in entries where e.value.isFinite && e.value > 0 && ungatedByRule(e.key) == nil {
            let method = summaryMethod(of: e.key)
            if groups[method] == nil { order.append(method) }
            groups[method, default: []].append(e)
        }
        var out: [BaselineEntry] = []
        for method in order {
            guard let members = groups[method], members.count >= 3 else { continue }
            let runs = members.map(\.runMedians.count).min() ?? 0
            let medians = (0..<runs).map { r in geometricMean(members.map { $0.runMedians[r] / $0.value }) }
            let samples = members.flatMap { e in e.samples.map { $0 / e.value } }
            var entry = BaselineEntry(
                key: "summary/" + method,
                description: "geometric mean of the \(members.count) \(method) ratios' changes",
                samples: samples, runMedians: medians)
            entry.value = 1
            out.append(judged(entry))
        }
        return out
    }

    /// The method a key's summary groups it under: its last component.
    static func summaryMethod(of key: String) -> String {
        key.split(separator: "/").last.map(String.init) ?? key
    }

    /// A baseline from an earlier run's `performance.json`, with the thresholds and gating of
    /// `noise` (the committed baseline) where it has the same key: one run says little of its own
    /// noise.
    public init(report: BenchReport, createdAt: String, revision: String? = nil, noise: Baseline? = nil) {
        self.init(runs: [report], createdAt: createdAt, revision: revision)
        guard let noise else { return }
        let known = Dictionary(noise.entries.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        for k in entries.indices {
            guard let other = known[entries[k].key] else { continue }
            entries[k].threshold = other.threshold
            entries[k].gated = other.gated && entries[k].gated
            entries[k].reason = entries[k].reason ?? other.reason
        }
    }

    /// Reads schema 1 too.
    enum CodingKeys: String, CodingKey { case schemaVersion, environment, createdAt, revision, quick, runs, alpha, entries }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
        environment = try c.decode(BenchEnvironment.self, forKey: .environment)
        createdAt = try c.decode(String.self, forKey: .createdAt)
        revision = try c.decodeIfPresent(String.self, forKey: .revision)
        quick = try c.decode(Bool.self, forKey: .quick)
        entries = try c.decode([BaselineEntry].self, forKey: .entries)
        runs = try c.decodeIfPresent([String].self, forKey: .runs) ?? ["as it was"]
        alpha = try c.decodeIfPresent(Double.self, forKey: .alpha) ?? Baseline.defaultAlpha
    }

    /// One ratio of a report: the quantities the gate watches, all "higher is worse":
    /// adverify's own methods and the numerical loops over the primal; the primal over the native
    /// closure; the network core's loss + gradient over its loss and over the GEMMs alone.
    /// Peers' own ratios are reported, not gated: they measure other people's code.
    public struct Quantity: Sendable {
        public var key: String
        public var description: String
        public var ratio: Spread
    }

    static let gatedMethods: Set<MethodID> = [
        .reverse, .forwardVector, .forwardScalar, .jacobianForward, .jacobianReverse,
        .forwardDifference, .centralDifference, .fivePoint, .gslCentral, .complexStep, .hvp, .hessian,
    ]

    public static func quantities(of report: BenchReport) -> [Quantity] {
        var out: [Quantity] = []
        for m in report.measurements {
            if gatedMethods.contains(m.method) {
                out.append(Quantity(key: m.key, description: "\(m.method.displayName) / primal", ratio: m.ratio))
            } else if m.method == .nativeClosure {
                out.append(Quantity(
                    key: [m.family, m.label, String(m.size), "primal-over-native"].compactMap { $0 }.joined(separator: "/"),
                    description: "adverify primal / native closure", ratio: m.ratio.inverted()))
            }
        }
        for row in report.network {
            let prefix = "mlp/threads-\(row.threads)/\(row.batch)"
            out.append(Quantity(key: prefix + "/loss-and-gradient", description: "network loss + gradient / loss", ratio: row.ratio))
            let overGEMM = row.gemmRatio ?? Spread(median: 1 / row.gemmShare, min: 1 / row.gemmShare, max: 1 / row.gemmShare, count: 1)
            out.append(Quantity(key: prefix + "/over-gemm", description: "network loss + gradient / GEMMs alone", ratio: overGEMM))
        }
        return out
    }

    /// The measurement a quantity's key comes from (`…/native-closure` for `…/primal-over-native`),
    /// for re-measuring it alone.
    public static func measurementKey(of key: String) -> String {
        key.hasSuffix("/primal-over-native") ? String(key.dropLast("primal-over-native".count)) + MethodID.nativeClosure.rawValue : key
    }

    /// The keys of the entries a summary stands for.
    public func members(of summaryKey: String) -> [String] {
        guard summaryKey.hasPrefix("summary/") else { return [summaryKey] }
        let method = String(summaryKey.dropFirst("summary/".count))
        return entries.filter { !$0.key.hasPrefix("summary/") && Baseline.ungatedByRule($0.key) == nil && Baseline.summaryMethod(of: $0.key) == method }.map(\.key)
    }

    /// Where this run's machine differs from the baseline's (empty when it is the same).
    public func machineDifferences(_ now: BenchEnvironment) -> [String] {
        let then = environment
        var out: [String] = []
        func check(_ name: String, _ a: String, _ b: String) { if a != b { out.append("\(name): \(a) → \(b)") } }
        check("processor", then.cpu, now.cpu)
        check("cores", String(then.cores), String(now.cores))
        check("BLAS", then.blas, now.blas)
        check("BLAS threads", String(then.blasThreads), String(now.blasThreads))
        check("Swift", then.swift, now.swift)
        check("GSL", then.gsl, now.gsl)
        check("platform", then.platform, now.platform)
        check("build", then.buildConfiguration, now.buildConfiguration)
        return out
    }
}

func geometricMean(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    return Foundation.exp(values.map { Foundation.log($0) }.reduce(0, +) / Double(values.count))
}

extension Spread {
    /// `1 / x` for every value (the median of the inverses is the inverse of the median).
    func inverted() -> Spread {
        var s = Spread(median: 1 / median, min: 1 / max, max: 1 / min, count: count)
        s.lowerQuartile = upperQuartile.map { 1 / $0 }
        s.upperQuartile = lowerQuartile.map { 1 / $0 }
        s.samples = samples.map { $0.map { 1 / $0 } }
        return s
    }
}

/// One row of a comparison with a baseline.
public struct BaselineComparison: Codable, Sendable, Hashable {
    public enum Status: String, Codable, Sendable {
        /// Within the threshold, or not statistically clear.
        case ok
        /// Slower beyond the threshold, clearly, and still after re-measuring: fails the gate.
        case regression
        /// Faster beyond the threshold, clearly.
        case improved
        /// Slower beyond the threshold and clearly, on an entry that is not gated.
        case slower
        /// In the baseline, not in this run.
        case missing
        /// In this run, not in the baseline.
        case new
    }
    public var key: String
    public var description: String
    public var baseline: Double?
    public var current: Double?
    public var status: Status
    /// The entry's threshold factor and whether it is gated (nil for `new`).
    public var threshold: Double?
    public var gated: Bool
    /// Why the entry is not gated.
    public var reason: String?
    /// The 99% bootstrap interval of `median(now) / median(baseline)`.
    public var interval: ClosedInterval?
    /// The rank test's one-sided p-value in the direction of the change.
    public var pValue: Double?
    /// The number of pair ratios behind `current`.
    public var samples: Int
    /// When the row was re-measured: the change the first measurement showed (the row's own
    /// numbers are then those of both measurements' pairs together).
    public var firstChange: Double?
    /// Whether the row is to be re-measured: a gated entry slower than its threshold over
    /// ``Baseline/suspectMargin`` and clearly so.
    public var suspect = false

    public struct ClosedInterval: Codable, Sendable, Hashable {
        public var lower: Double
        public var upper: Double
    }

    /// `current / baseline`.
    public var change: Double? {
        guard let baseline, let current, baseline > 0 else { return nil }
        return current / baseline
    }

    /// A suspected regression, to be re-measured before it is reported.
    public var isSuspect: Bool { suspect }
}

extension Baseline {
    /// Compares `report` with this baseline, entry by entry. An entry of the baseline the run
    /// did not measure is `missing` (not a regression: `--family` may have left it out); an
    /// entry the baseline lacks is `new`.
    ///
    /// `again`: a re-measurement of some of the run's measurements; where it has a key, the
    /// key's pairs from both runs are judged together.
    public func compare(_ report: BenchReport, pooledWith again: BenchReport? = nil) -> [BaselineComparison] {
        var now: [String: [Double]] = [:]
        var order: [Baseline.Quantity] = []
        for q in Baseline.quantities(of: report) where now[q.key] == nil {
            now[q.key] = q.ratio.values
            order.append(q)
        }
        if let again {
            for q in Baseline.quantities(of: again) where now[q.key] != nil { now[q.key]! += q.ratio.values }
        }
        var rows: [BaselineComparison] = []
        var seen: Set<String> = []
        for entry in entries where !entry.key.hasPrefix("summary/") {
            seen.insert(entry.key)
            guard let values = now[entry.key] else {
                rows.append(BaselineComparison(
                    key: entry.key, description: entry.description, baseline: entry.value, current: nil, status: .missing,
                    threshold: entry.threshold, gated: entry.gated, reason: entry.reason, samples: 0))
                continue
            }
            rows.append(judge(entry, current: values))
        }
        let byKey = Dictionary(entries.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        for entry in entries where entry.key.hasPrefix("summary/") {
            let members = self.members(of: entry.key).compactMap { key in byKey[key].flatMap { e in now[key].map { (e, $0) } } }
            guard members.count >= 3 else { continue }
            rows.append(judge(entry, current: members.flatMap { e, values in values.map { $0 / e.value } }))
        }
        for q in order where !seen.contains(q.key) {
            rows.append(BaselineComparison(
                key: q.key, description: q.description, baseline: nil, current: q.ratio.median, status: .new,
                threshold: nil, gated: false, reason: nil, samples: q.ratio.count))
        }
        return rows
    }

    /// How far below its threshold a gated entry is already re-measured: a run that lands low
    /// in the entry's noise shows a real 1.5x slowdown as less than 1.5x, so what is near the
    /// threshold gets a second look rather than a pass.
    public static let suspectMargin = 1.1

    /// The decision for one entry on the current run's pair ratios.
    public func judge(_ entry: BaselineEntry, current values: [Double]) -> BaselineComparison {
        let current = median(values)
        var row = BaselineComparison(
            key: entry.key, description: entry.description, baseline: entry.value, current: current, status: .ok,
            threshold: entry.threshold, gated: entry.gated, reason: entry.reason, samples: values.count)
        guard current.isFinite, values.allSatisfy(\.isFinite) else {
            row.status = entry.gated ? .regression : .slower
            row.suspect = entry.gated
            return row
        }
        let change = current / entry.value
        let (lower, upper) = bootstrapMedianRatio(values, entry.samples)
        // The interval is of median(now) / median(baseline samples); `value` is that median.
        row.interval = .init(lower: lower, upper: upper)
        let testable = values.count >= Baseline.minimumSamplesForTest && entry.samples.count >= Baseline.minimumSamplesForTest
        if change > entry.threshold / (entry.gated ? Baseline.suspectMargin : 1) {
            let p = RankTest.pGreater(values, entry.samples)
            row.pValue = p
            let clear = !testable || p < alpha
            row.suspect = entry.gated && clear
            if clear && change > entry.threshold { row.status = entry.gated ? .regression : .slower }
        } else if change < 1 / entry.threshold {
            let p = RankTest.pGreater(entry.samples, values)
            row.pValue = p
            if !testable || p < alpha { row.status = .improved }
        }
        return row
    }

    /// The rows after re-measuring the suspects: each suspect is judged again on its pairs from
    /// both measurements together (the re-measurement's 15 pairs outweigh the first run's 7),
    /// with the first change kept for the report. Only a suspect that regresses then fails.
    public func confirm(_ rows: [BaselineComparison], first: BenchReport, remeasured again: BenchReport) -> [BaselineComparison] {
        let pooled = Dictionary(compare(first, pooledWith: again).map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        return rows.map { row in
            guard row.isSuspect, var second = pooled[row.key], second.status != .missing, second.samples > row.samples else { return row }
            second.firstChange = row.change
            second.suspect = false
            return second
        }
    }

    /// The measurements to re-measure for these suspects (summaries stand for their members).
    public func measurementKeys(for suspects: [BaselineComparison]) -> Set<String> {
        Set(suspects.flatMap { members(of: $0.key) }.map(Baseline.measurementKey(of:)))
    }
}

/// A whole comparison of a run with a baseline: what `performance-comparison.json` holds and
/// `performance-comparison.md` shows.
public struct BenchComparison: Codable, Sendable {
    /// Where the baseline came from (a file name) and what it was.
    public var baselineSource: String
    public var baselineCreatedAt: String
    public var baselineRevision: String?
    /// The loads of the baseline's runs.
    public var baselineRuns: [String]
    /// Whether the baseline was measured on another machine, and how it differs.
    public var machineDiffers: Bool
    public var machineDifferences: [String]
    public var alpha: Double
    public var rows: [BaselineComparison]

    public init(baseline: Baseline, source: String, environment: BenchEnvironment, rows: [BaselineComparison]) {
        baselineSource = source
        baselineCreatedAt = baseline.createdAt
        baselineRevision = baseline.revision
        baselineRuns = baseline.runs
        machineDifferences = baseline.machineDifferences(environment)
        machineDiffers = !machineDifferences.isEmpty
        alpha = baseline.alpha
        self.rows = rows
    }

    /// The rows that fail the gate.
    public var regressions: [BaselineComparison] { rows.filter { $0.status == .regression } }
    /// Whether the gate passes.
    public var passed: Bool { regressions.isEmpty }
    /// Rows that were re-measured.
    public var remeasured: [BaselineComparison] { rows.filter { $0.firstChange != nil } }
}
