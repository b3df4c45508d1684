import ADCatalog
import ADCore
import ADReport
import ADVerify
import ArgumentParser
import Foundation

struct Selftest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure whether the catalogue catches wrong derivatives: run it against mutants of the rule table and of the network core's backprop.",
        discussion: """
            Every mutant is injected in memory, never by editing the sources. For each partial \
            of each primitive: its sign flipped, doubled, dropped, off by a relative 1e-6, the \
            rule evaluated at a doubled argument (cos(x) -> cos(2x) for sin), and for binary \
            primitives the two partials swapped; for the piecewise primitives the x >= 0 rule \
            used on both sides, and per kink convention (x>=0, pytorch, jax) a wrong value at \
            the kink that acts only under that convention. For the network core: each kind of \
            activation's derivative dropped, the weight gradient of dense layers or of \
            convolutions written transposed, and relu, leaky_relu and elu ignoring the kink \
            convention. A mutant is killed when some case that passes \
            on its own fails with it. Mutants whose partials equal the true ones everywhere \
            (e.g. '+' evaluated at 2a) are equivalent and left out of the score.

            Writes mutation.md (the score, every surviving mutant named as a gap, which cases \
            kill which mutants) and mutation.json into the report folder.

            With --shard K/N only every N-th of the chosen mutants (in order of their ids) is \
            tried, against the whole catalogue; a shard that gets no mutant runs nothing and \
            writes reports without mutants. 'adverify merge' joins the shards' reports into \
            the unsharded one (docs/ci-matrix.md).

            Exit codes: 0 every killable mutant was killed, 1 some mutant survived, \
            2 a path does not exist or holds no case file, a case file could not be loaded, \
            --mutants chose no mutant or only equivalent ones (nothing is run, no report is \
            written), or a report could not be written.
            """
    )

    @Argument(help: "Case files or folders (searched recursively for *.yaml, *.yml).")
    var paths: [String] = ["cases"]

    @Option(name: .customLong("report"), help: ArgumentHelp("Folder for mutation.md and mutation.json.", valueName: "dir"))
    var reportDirectory = "reports"

    @Option(help: ArgumentHelp("Only mutants whose id matches this glob, e.g. 'sin/*' or 'network/*'.", valueName: "glob"))
    var mutants: String?

    @Flag(help: "Print only the surviving mutants and the score.")
    var quiet = false

    @Option(
        name: .customLong("shard"),
        help: ArgumentHelp(
            "Try only shard K of N (1 <= K <= N): every N-th of the chosen mutants in order of their ids, for a CI matrix; every shard runs the whole catalogue against its mutants, and 'adverify merge' joins the shards' reports.",
            valueName: "k/n"))
    var shardText: String?

    func validate() throws {
        _ = try ShardOption.parse(shardText)
    }

    func run() async throws {
        let started = Date()
        try Selection.requireCaseFiles(in: paths)
        let catalog = Catalog.load(paths: paths)
        for error in catalog.errors { Console.error(error.description + "\n") }
        if !catalog.errors.isEmpty {
            Console.error("error: selftest needs a catalogue that loads whole: fix the file errors above first")
            throw ExitCode(2)
        }
        if catalog.cases.isEmpty {
            Console.error(Selection.nothingSelected(paths: paths, filter: nil, catalog: catalog, loaded: []))
            throw ExitCode(2)
        }
        var chosen = Mutant.all
        // Second-order mutants change nothing but Hessians: a catalogue in which no case expects
        // second derivatives cannot kill one, and would only see them all as gaps. They run when
        // a case expects second derivatives, or when --mutants names them.
        if mutants == nil, !catalog.cases.contains(where: \.hasSecondOrder) {
            let secondOrder = chosen.count(where: \.isSecondOrder)
            chosen.removeAll(where: \.isSecondOrder)
            Console.error("note: no case expects second derivatives (hessian:, hvp:): the \(secondOrder) second-order mutants are not run")
        }
        if let mutants {
            chosen = chosen.filter { fnmatch(mutants, $0.id, 0) == 0 }
            guard !chosen.isEmpty else {
                Console.error("error: no mutant id matches '\(mutants)' (ids look like 'sin/sign-flipped', 'div/dropped/b', 'network/transposed-weight-gradient/dense')")
                throw ExitCode(2)
            }
        }
        // Mutants equivalent to the true rule are left out of the score: a choice of only those
        // would score 100 % on nothing.
        let killable = chosen.filter { mutant in
            if case .rule(let rule) = mutant { return !rule.isEquivalent(at: RuleMutation.probePoints) }
            return true
        }
        guard !killable.isEmpty else {
            Console.error("error: \(mutants.map { "the mutants matching '\($0)'" } ?? "the mutants") (\(chosen.map(\.id).joined(separator: ", "))) are all equivalent to the true derivative: no score to measure")
            throw ExitCode(2)
        }

        // A shard takes its share of the chosen mutants; one with none runs nothing.
        let shard = try ShardOption.parse(shardText)
        let share = ShardOption.share(of: chosen, shard: shard, id: \.id, noun: "mutant")
        var run: MutationRun
        if share.isEmpty {
            run = MutationRun(
                tool: Console.tool, startedAt: ISO8601DateFormatter().string(from: started),
                duration: Date().timeIntervalSince(started), paths: paths, cases: catalog.cases.count,
                excludedCases: [], mutants: [])
        } else {
            let progress = SelftestProgress(enabled: !quiet)
            run = await MutationTesting(mutants: share).run(
                catalog, tool: Console.tool, paths: paths, startedAt: started, progress: progress.show)
            progress.finish()
        }
        run.shard = shard

        for line in Selftest.lines(for: run, quiet: quiet) { Console.out(line) }
        do {
            let written = try MutationReport.write(run, to: reportDirectory)
            if !quiet { Console.out("reports: \(written.joined(separator: ", "))") }
        } catch {
            Console.error("\(error)")
            throw ExitCode(2)
        }
        if run.exitCode != 0 { throw ExitCode(run.exitCode) }
    }

    /// A line per mutant (with `quiet`, per surviving mutant) and the score line
    /// (also `adverify merge`'s).
    static func lines(for run: MutationRun, quiet: Bool) -> [String] {
        var lines: [String] = []
        if !quiet {
            for m in run.mutants {
                let mark = switch m.status {
                case .killed: "✓"
                case .survived: "✗"
                case .equivalent: "≡"
                }
                let detail = switch m.status {
                case .killed: "killed by \(m.killers.count) of \(m.casesRun) cases"
                case .survived: m.casesRun == 0 ? "SURVIVED: no case uses it" : "SURVIVED \(m.casesRun) cases"
                case .equivalent: "equivalent"
                }
                lines.append("\(mark) \(m.id)  \(detail)")
            }
        } else {
            for m in run.mutants where m.status == .survived { lines.append("✗ \(m.id)  survived: \(m.description)") }
        }
        lines.append("mutation score: \(MutationReport.scoreLine(run)); \(run.survived) survived, \(run.equivalent) equivalent"
                     + String(format: " (%.1f s)", run.duration))
        return lines
    }
}

/// `[selftest 12.3 s] 1234 / 5678 mutant runs` on stderr: rewritten in place on a terminal,
/// every tenth in a log. Called from one task at a time.
final class SelftestProgress: @unchecked Sendable {
    private let enabled: Bool
    private let terminal = isatty(2) != 0
    private let start = Date()
    private var lastTenth = -1

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ done: Int, _ total: Int) {
        guard enabled else { return }
        let line = String(format: "[selftest %5.1f s] %d / %d mutant runs", Date().timeIntervalSince(start), done, total)
        if terminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
        } else {
            let tenth = total == 0 ? 10 : 10 * done / total
            guard tenth != lastTenth else { return }
            lastTenth = tenth
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    func finish() {
        if enabled && terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
