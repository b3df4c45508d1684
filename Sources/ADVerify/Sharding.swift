// Splitting a run into shards for a CI matrix (`--shard K/N`) and joining their results again
// (`adverify merge`) into what one unsharded run would have written.
import ADCatalog
import Foundation

/// Shard `index` of `count`: a deterministic share of a run's cases (or of a selftest's mutants).
///
/// The items are sorted by id and shard `K` takes those at the positions `i` with
/// `i % N == K - 1`, so the shards `1/N … N/N` of one selection are disjoint, cover it, and
/// differ in size by at most one. The share depends only on the ids, never on the machine, so
/// every job of a matrix computes it alike.
public struct Shard: Codable, Sendable, Hashable, CustomStringConvertible {
    /// 1-based: `1 … count`.
    public var index: Int
    /// How many shards the run is split into, at least 1.
    public var count: Int

    /// `nil` unless `1 <= index <= count`.
    public init?(index: Int, count: Int) {
        guard count >= 1, index >= 1, index <= count else { return nil }
        self.index = index
        self.count = count
    }

    /// `K/N` as typed on the command line (digits only, e.g. `2/4`), or `nil`.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let index = Int(parts[0]), let count = Int(parts[1])
        else { return nil }
        self.init(index: index, count: count)
    }

    /// `K/N`.
    public var description: String { "\(index)/\(count)" }

    /// This shard's share of `items`, in their given order: those whose position among the
    /// items sorted by `id` is `index - 1` modulo `count` (equal ids keep their order).
    public func select<T>(_ items: [T], id: (T) -> String) -> [T] {
        let ids = items.map(id)
        let sorted = ids.indices.sorted { ids[$0] != ids[$1] ? ids[$0] < ids[$1] : $0 < $1 }
        var chosen = [Bool](repeating: false, count: items.count)
        for (position, item) in sorted.enumerated() where position % count == index - 1 { chosen[item] = true }
        return items.indices.filter { chosen[$0] }.map { items[$0] }
    }
}

/// Why results could not be merged: shards missing, repeated or of different splits, a case
/// or mutant in two inputs, results of different schema versions or catalogues.
public struct MergeError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Results to merge, each with where it came from (a path, for messages).
public typealias MergeInput<Result> = (source: String, result: Result)

extension RunResult {
    /// Joins the results of the shards of one run (or of separate runs) into one result.
    ///
    /// - Cases are concatenated; when the inputs are shards they come out in catalogue order
    ///   (``CaseResult/catalogueIndex``, then file and line), as the unsharded run writes
    ///   them; otherwise in the order of the inputs. A case id in two inputs is an error.
    /// - Load errors are kept once each: every shard loads every file and reports the same ones.
    /// - `startedAt` is the earliest, `duration` the longest; `tool` and `paths` are the first
    ///   input's (a different tool elsewhere is returned as a warning).
    /// - Inputs with a `shard` must be the shards `1/N … N/N` of one `N`, each once; they may not
    ///   be mixed with unsharded ones. Every input must have this version's `schemaVersion`.
    ///
    /// The summary is counted anew from the merged cases; the result has no `shard`.
    public static func merge(_ inputs: [MergeInput<RunResult>]) throws(MergeError) -> (result: RunResult, warnings: [String]) {
        guard let first = inputs.first else { throw MergeError("nothing to merge") }
        for input in inputs where input.result.schemaVersion != currentSchemaVersion {
            throw MergeError(
                "\(input.source): schemaVersion \(input.result.schemaVersion), but this adverify reads and writes \(currentSchemaVersion): "
                    + "merge results of one adverify version")
        }
        let sharded = try checkShards(inputs.map { ($0.source, $0.result.shard) })

        var cases = try joinedOnce(inputs, \.cases, id: \.id, what: "case", of: "run")
        if sharded { cases = cases.sortedByCatalogue() }

        var errors: [CatalogError] = []
        var seen = Set<CatalogError>()
        for input in inputs {
            for error in input.result.loadErrors where seen.insert(error).inserted { errors.append(error) }
        }

        var merged = RunResult(
            tool: first.result.tool, startedAt: earliest(inputs.map(\.result.startedAt)),
            duration: inputs.map(\.result.duration).max() ?? 0, paths: first.result.paths,
            loadErrors: errors, cases: cases)
        merged.shard = nil
        return (merged, toolWarnings(inputs.map { ($0.source, $0.result.tool) }))
    }
}

extension MutationRun {
    /// Joins the results of the shards of one `adverify selftest` into one.
    ///
    /// Mutants are concatenated and ordered as an unsharded selftest writes them: by their
    /// position in ``Mutant/all``, ids it does not know last, sorted. A mutant in two inputs
    /// is an error, and so are inputs that ran catalogues of different sizes. The excluded
    /// cases are joined (each shard finds the same ones). Shards, `tool`, `paths`, `startedAt`
    /// and `duration` are treated as in ``RunResult/merge(_:)``; the score follows from the
    /// merged mutants.
    public static func merge(_ inputs: [MergeInput<MutationRun>]) throws(MergeError) -> (result: MutationRun, warnings: [String]) {
        guard let first = inputs.first else { throw MergeError("nothing to merge") }
        _ = try checkShards(inputs.map { ($0.source, $0.result.shard) })
        for input in inputs.dropFirst() where input.result.cases != first.result.cases {
            throw MergeError(
                "\(first.source) ran \(first.result.cases) cases but \(input.source) ran \(input.result.cases): "
                    + "the shards of one selftest run the same catalogue")
        }

        var mutants = try joinedOnce(inputs, \.mutants, id: \.id, what: "mutant", of: "selftest")
        var excluded: [String] = []
        for input in inputs {
            for id in input.result.excludedCases where !excluded.contains(id) { excluded.append(id) }
        }
        let order = Dictionary(Mutant.all.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        mutants.sort { a, b in
            switch (order[a.id], order[b.id]) {
            case let (i?, j?): i < j
            case (.some, nil): true
            case (nil, .some): false
            case (nil, nil): a.id < b.id
            }
        }
        let merged = MutationRun(
            tool: first.result.tool, startedAt: earliest(inputs.map(\.result.startedAt)),
            duration: inputs.map(\.result.duration).max() ?? 0, paths: first.result.paths,
            cases: first.result.cases, excludedCases: excluded, mutants: mutants)
        return (merged, toolWarnings(inputs.map { ($0.source, $0.result.tool) }))
    }
}

extension [CaseResult] {
    /// In catalogue order: by ``CaseResult/catalogueIndex`` (cases without one after those
    /// with), then by place in the case files.
    func sortedByCatalogue() -> [CaseResult] {
        sorted { a, b in
            switch (a.catalogueIndex, b.catalogueIndex) {
            case let (i?, j?) where i != j: return i < j
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.location < b.location
            }
        }
    }
}

/// Whether the inputs are shards, after checking that they are all of `1/N … N/N` of one
/// `N`, each once, or none of them is a shard.
/// The items of every input in input order, refusing an item (by id) found in two inputs.
func joinedOnce<R, T>(
    _ inputs: [MergeInput<R>], _ items: (R) -> [T], id: (T) -> String, what: String, of whole: String
) throws(MergeError) -> [T] {
    var owner: [String: String] = [:]
    var joined: [T] = []
    for input in inputs {
        for item in items(input.result) {
            let key = id(item)
            if let other = owner[key] {
                throw MergeError("\(what) '\(key)' is in both \(other) and \(input.source): merge the shards of one \(whole), each once")
            }
            owner[key] = input.source
            joined.append(item)
        }
    }
    return joined
}

func checkShards(_ inputs: [(source: String, shard: Shard?)]) throws(MergeError) -> Bool {
    let shards = inputs.compactMap { input in input.shard.map { (input.source, $0) } }
    guard let (firstSource, firstShard) = shards.first else { return false }
    if let plain = inputs.first(where: { $0.shard == nil }) {
        throw MergeError("\(plain.source) is not a shard but \(firstSource) is shard \(firstShard): merge all the shards of one run, or unsharded runs")
    }
    let count = firstShard.count
    if let other = shards.first(where: { $0.1.count != count }) {
        throw MergeError("\(firstSource) is shard \(firstShard) but \(other.0) is shard \(other.1): merge the shards of one split")
    }
    var sources: [Int: String] = [:]
    for (source, shard) in shards {
        if let earlier = sources[shard.index] {
            throw MergeError("shard \(shard) is repeated: \(earlier) and \(source)")
        }
        sources[shard.index] = source
    }
    let missing = (1...count).filter { sources[$0] == nil }.map { "\($0)/\(count)" }
    switch missing.count {
    case 0: return true
    case 1: throw MergeError("shard \(missing[0]) is missing: merge every shard of the run (\(count) in all)")
    default:
        throw MergeError("shards \(missing.dropLast().joined(separator: ", ")) and \(missing.last ?? "") are missing: merge every shard of the run (\(count) in all)")
    }
}

/// The earliest of ISO 8601 times (as the results write them); unparsable ones compare as text.
func earliest(_ times: [String]) -> String {
    let formatter = ISO8601DateFormatter()
    return times.min { a, b in
        if let x = formatter.date(from: a), let y = formatter.date(from: b) { return x < y }
        return a < b
    } ?? ""
}

/// `warning: …` when the inputs were made by different tools.
func toolWarnings(_ tools: [(source: String, tool: ToolInfo)]) -> [String] {
    guard let first = tools.first else { return [] }
    return tools.dropFirst().filter { $0.tool != first.tool }.map { other in
        "warning: \(other.source) was made by adverify \(other.tool.adverify) (Swift \(other.tool.swift), GSL \(other.tool.gsl), \(other.tool.platform)) "
            + "but \(first.source) by adverify \(first.tool.adverify) (Swift \(first.tool.swift), GSL \(first.tool.gsl), \(first.tool.platform)); the merged report names the first"
    }
}
