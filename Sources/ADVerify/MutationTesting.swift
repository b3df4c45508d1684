// `adverify selftest`: wrong derivative rules injected in memory, the catalogue run against
// each, and a mutant counted as killed when some case fails.
import ADCatalog
import ADCore
import ADNetwork
import Foundation

/// One mutant: a wrong rule of the ADCore rule table or a wrong step of the network core's
/// backpropagation.
public enum Mutant: Sendable, Hashable {
    case rule(RuleMutation)
    case backprop(BackpropMutation)

    /// Every mutant: each primitive's rule mutants, then the network core's.
    public static var all: [Mutant] { RuleMutation.all.map(Mutant.rule) + BackpropMutation.all.map(Mutant.backprop) }

    public var id: String {
        switch self {
        case .rule(let m): m.id
        case .backprop(let m): m.id
        }
    }

    public var description: String {
        switch self {
        case .rule(let m): m.description
        case .backprop(let m): m.description
        }
    }

    /// Whether the mutant changes only second derivatives (a second-order rule mutant).
    public var isSecondOrder: Bool {
        if case .rule(let m) = self { return m.isSecondOrder }
        return false
    }

    /// The primitive (`sin`, `^ (constant exponent)`) or `network`, for grouping in reports.
    public var target: String {
        switch self {
        case .rule(let m): m.op == .powConst ? "^ (constant exponent)" : m.op == .pow ? "^ (variable exponent)" : m.op.name
        case .backprop: "network core"
        }
    }

    /// Whether the mutant changes anything `c` computes: a rule mutant needs a node of its
    /// primitive, a backprop mutant a network with a layer it changes.
    public func exercises(_ c: Case) -> Bool {
        switch self {
        // A second-order mutant changes nothing but Hessians and their products.
        case .rule(let m): c.graph.ops.contains(m.op) && (!m.isSecondOrder || c.hasSecondOrder)
        case .backprop(let m): c.network?.model.map { m.applies(to: $0.layers) } ?? false
        }
    }
}

/// What became of one mutant.
public struct MutantResult: Codable, Sendable {
    public enum Status: String, Codable, Sendable {
        /// Some case failed.
        case killed
        /// Every case that exercises the mutant still passed (or was inconclusive): a gap in
        /// the catalogue.
        case survived
        /// The mutant's partials equal the true ones everywhere they were probed, so no case
        /// can kill it; left out of the score.
        case equivalent
    }

    /// One case that failed under the mutant, and the checks that failed there.
    public struct Killer: Codable, Sendable {
        public var id: String
        /// The failing checks' kinds and methods, e.g. `expectation`, `oracle: complex-step`.
        public var checks: [String]
    }

    public var id: String
    public var description: String
    public var target: String
    public var status: Status
    /// The cases that exercise the mutant (and passed without it).
    public var casesRun: Int
    public var killers: [Killer]
}

/// A whole `adverify selftest` run.
public struct MutationRun: Codable, Sendable {
    public var tool: ToolInfo
    public var startedAt: String
    public var duration: Double
    public var paths: [String]
    public var cases: Int
    /// Cases that do not pass without any mutant (failed, or no check could decide): they
    /// cannot tell a mutant apart, so they are left out.
    public var excludedCases: [String]
    public var mutants: [MutantResult]
    /// The shard of the mutants this run tried (`adverify selftest --shard K/N`); `nil` for a
    /// whole run, and for the result `adverify merge` makes of every shard.
    public var shard: Shard? = nil

    public init(
        tool: ToolInfo, startedAt: String, duration: Double, paths: [String], cases: Int, excludedCases: [String],
        mutants: [MutantResult], shard: Shard? = nil
    ) {
        self.tool = tool
        self.startedAt = startedAt
        self.duration = duration
        self.paths = paths
        self.cases = cases
        self.excludedCases = excludedCases
        self.mutants = mutants
        self.shard = shard
    }

    public var killed: Int { mutants.count { $0.status == .killed } }
    public var survived: Int { mutants.count { $0.status == .survived } }
    public var equivalent: Int { mutants.count { $0.status == .equivalent } }
    /// Killed over killable (every mutant but the equivalent ones); 1 when nothing is killable.
    public var score: Double {
        let killable = mutants.count - equivalent
        return killable == 0 ? 1 : Double(killed) / Double(killable)
    }

    /// 0 when every killable mutant was killed, 1 when one survived.
    public var exitCode: Int32 { survived == 0 ? 0 : 1 }
}

/// Runs the catalogue against mutants.
public struct MutationTesting: Sendable {
    public var runner: Runner
    public var mutants: [Mutant]

    public init(runner: Runner = Runner(), mutants: [Mutant] = Mutant.all) {
        self.runner = runner
        self.mutants = mutants
    }

    /// Runs every case once without a mutant, then every (mutant, case) pair in which the case
    /// exercises the mutant and passed on its own. Equivalent rule mutants are not run.
    /// `progress` gets the number of pairs done and the total.
    public func run(
        _ catalog: Catalog, tool: ToolInfo, paths: [String], startedAt: Date = Date(),
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async -> MutationRun {
        let baseline = await runner.run(catalog, tool: tool, paths: paths)
        let passing = zip(catalog.cases, baseline.cases).filter { $0.1.verdict == .pass }.map(\.0)
        let excluded = baseline.cases.filter { $0.verdict != .pass }.map(\.id)

        var pairs: [(mutant: Int, case: Int)] = []
        var equivalent = Set<Int>()
        for (m, mutant) in mutants.enumerated() {
            if case .rule(let rule) = mutant, rule.isEquivalent(at: RuleMutation.probePoints) {
                equivalent.insert(m)
                continue
            }
            for (k, c) in passing.enumerated() where mutant.exercises(c) { pairs.append((m, k)) }
        }

        let total = pairs.count
        let runner = self.runner, mutants = self.mutants, work = pairs
        let outcomes = await withTaskGroup(of: (Int, [String]?).self) { group in
            var next = 0
            var outcomes = [[String]?](repeating: nil, count: total)
            // At most a few pairs in flight per core: the cases of one mutant share nothing, and
            // a bounded group keeps memory flat on a large catalogue.
            let width = Swift.max(2, 4 * ProcessInfo.processInfo.activeProcessorCount)
            func add(_ i: Int) {
                let (m, k) = work[i]
                group.addTask {
                    var r = runner
                    switch mutants[m] {
                    case .rule(let rule): r.ruleMutation = rule
                    case .backprop(let b): r.backpropMutation = b
                    }
                    let result = r.verify(passing[k])
                    guard result.verdict == .fail else { return (i, nil) }
                    return (i, Self.failingChecks(result))
                }
            }
            while next < Swift.min(width, total) { add(next); next += 1 }
            var done = 0
            for await (i, failed) in group {
                outcomes[i] = failed
                done += 1
                progress?(done, total)
                if next < total { add(next); next += 1 }
            }
            return outcomes
        }

        var results: [MutantResult] = mutants.map { m in
            MutantResult(id: m.id, description: m.description, target: m.target, status: .survived, casesRun: 0, killers: [])
        }
        for m in equivalent { results[m].status = .equivalent }
        for (i, (m, k)) in pairs.enumerated() {
            results[m].casesRun += 1
            if let failed = outcomes[i] {
                results[m].killers.append(.init(id: passing[k].id, checks: failed))
                results[m].status = .killed
            }
        }
        return MutationRun(
            tool: tool, startedAt: ISO8601DateFormatter().string(from: startedAt),
            duration: Date().timeIntervalSince(startedAt), paths: paths, cases: catalog.cases.count,
            excludedCases: excluded, mutants: results)
    }

    /// The distinct kinds (and oracle methods) of a failed case's failing checks; `error`
    /// when the case stopped with an error.
    static func failingChecks(_ result: CaseResult) -> [String] {
        var seen: [String] = []
        if result.error != nil { seen.append("error") }
        for check in result.checks where check.comparison.verdict == .fail {
            let name = check.kind == .oracle ? "oracle: \(check.comparison.method)" : check.kind.rawValue
            if !seen.contains(name) { seen.append(name) }
        }
        return seen
    }
}
