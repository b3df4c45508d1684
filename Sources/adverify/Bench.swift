import ADBench
import ADNetwork
import ADNumeric
import ADReport
import ArgumentParser
import Foundation

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure what gradients cost, as ratios to the primal within one run, and guard the ratios against a baseline.",
        discussion: """
            Families: sum-sin-exp (n = 10 … 10^6), chain (one input through d nested functions), \
            jacobian (R^n -> R^m, forward against reverse), textbook (the seeds' worked examples \
            from cases/textbook), mlp (784-72-10 at batch 1, 64, 256), error-curve (the \
            finite-difference V), catalogue (the run time of `adverify run cases/`). Methods: \
            adverify's primal, reverse, forward vector and scalar modes; forward, central and \
            5-point differences, GSL central per partial, the complex step; peers: a native Swift \
            closure, a hand-written adjoint, Swift's _Differentiation, OpenBLAS's GEMMs, and with \
            --peers python JAX and autograd when installed.

            Each method is timed against the primal in alternating pairs of samples of at least \
            10 ms, after a warm-up; reports give the median ratio with min and max. Writes \
            reports/performance.md, performance.json and the SVG plots it references.

            --baseline FILE compares the run's ratios with FILE: a baseline.json, or the \
            performance.json of any earlier run (another revision benchmarked in the same job, \
            say; --thresholds then lends it the committed baseline's noise). A ratio regresses \
            when its median is above its entry's threshold times the baseline (at least 1.3x, \
            and more where the baseline's own runs moved more) and a Mann-Whitney U test on \
            the pair ratios says it is slower at p < 0.001; suspects (above the threshold over \
            1.1) are re-measured in a fresh process with more pairs and judged on both \
            measurements together, and only what still regresses fails. Ratios too noisy to show a 1.5x slowdown \
            are reported, not gated. The comparison goes to performance-comparison.md (sized \
            for a pull-request comment; appended to $GITHUB_STEP_SUMMARY when that is set) \
            and performance-comparison.json.

            --update-baseline writes the runs' ratios to FILE (default reports/baseline.json); \
            with --runs N (9 for a committed baseline) it takes N runs, cycling the machine's load through quiet, one core \
            busy and two cores busy, so that every entry's threshold covers the noise CI sees. \
            Build with -c release: a debug build's numbers say nothing.

            Exit codes: 0 done (no regression), 1 a regression against the baseline, 2 usage error \
            or unreadable baseline.
            """
    )

    @Flag(help: "CI mode: n up to 10^4, the O(n²) loops up to 10^3, 7 pairs, about a minute.")
    var quick = false

    @Option(help: ArgumentHelp("Compare with this baseline (or, with --update-baseline, write it).", valueName: "file"))
    var baseline: String?

    @Flag(help: "Write this run's ratios as the new baseline.")
    var updateBaseline = false

    @Option(help: ArgumentHelp("With --update-baseline: runs to make the baseline from, the load cycling quiet, 1 core busy, 2 cores busy.", valueName: "n"))
    var runs = 1

    @Option(help: ArgumentHelp("Thresholds and gating from this baseline.json, for a --baseline that is a performance.json.", valueName: "file"))
    var thresholds: String?

    @Option(help: ArgumentHelp("What to write besides the comparison: md (performance.md and plots), json (performance.json), benchmark-action (benchmark-action.json, github-action-benchmark's customSmallerIsBetter).", valueName: "list"))
    var format = "md,json"

    @Flag(help: "Do not re-measure suspected regressions (decide on the first measurement).")
    var noRemeasure = false

    /// Re-measuring runs in a child process: a fresh process lays out its heap anew, and the
    /// ratio of a sub-microsecond call can depend on that layout, so a suspect is judged again
    /// on an independent draw.
    @Option(help: .hidden)
    var measureOnly: String?

    @Option(name: .customLong("report"), help: ArgumentHelp("Folder for performance.md, performance.json and the plots.", valueName: "dir"))
    var reportDirectory = "reports"

    @Option(help: ArgumentHelp("Only these families, comma-separated: \(Bench.familyNames.joined(separator: ", ")).", valueName: "names"))
    var family: String?

    @Option(help: ArgumentHelp("Also run peers outside Swift: 'python' (JAX and autograd, if installed).", valueName: "peers"))
    var peers: String?

    @Option(help: ArgumentHelp("The Python for --peers python.", valueName: "path"))
    var python = "python3"

    @Option(help: ArgumentHelp("The catalogue folder (textbook functions, catalogue run time).", valueName: "dir"))
    var cases = "cases"

    @Option(help: ArgumentHelp("Measure nothing: render the report (and compare) from the performance.json of an earlier run.", valueName: "file"))
    var from: String?

    func validate() throws {
        if let peers, peers != "python" { throw ValidationError("--peers takes 'python', not '\(peers)'") }
        _ = try families()
        _ = try formats()
        if runs < 1 || runs > 30 { throw ValidationError("--runs takes 1 to 30, not \(runs)") }
        if runs > 1 && !updateBaseline { throw ValidationError("--runs goes with --update-baseline") }
        if runs > 1 && from != nil { throw ValidationError("--runs measures; it cannot go with --from") }
        if thresholds != nil && baseline == nil { throw ValidationError("--thresholds goes with --baseline") }
    }

    static let formatNames = ["md", "json", "benchmark-action"]

    /// ADBench's families and `check`: what a whole ADCheck gradient check costs, measured here
    /// after the families (ADBench does not depend on the engine).
    static let familyNames = BenchOptions.familyNames + ["check"]

    func formats() throws -> Set<String> {
        let names = format.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for name in names where !Bench.formatNames.contains(name) {
            throw ValidationError("unknown format '\(name)'; the formats are \(Bench.formatNames.joined(separator: ", "))")
        }
        return Set(names)
    }

    func families() throws -> Set<String>? {
        guard let family else { return nil }
        let names = family.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for name in names where !Bench.familyNames.contains(name) {
            throw ValidationError("unknown family '\(name)'; the families are \(Bench.familyNames.joined(separator: ", "))")
        }
        return Set(names)
    }

    func run() throws {
        let baselinePath = baseline ?? (updateBaseline ? reportDirectory + "/baseline.json" : nil)
        var previous: Baseline?
        if let baselinePath, !updateBaseline {
            let noise = try thresholds.map { try Bench.loadBaseline($0, noise: nil) }
            previous = try Bench.loadBaseline(baselinePath, noise: noise)
        }
        let started = ISO8601DateFormatter().string(from: Date())
        var reports: [BenchReport] = []
        var loads: [String] = []
        if let from {
            do {
                var earlier = try BenchJSON.decoder.decode(BenchReport.self, from: Data(contentsOf: URL(fileURLWithPath: from)))
                earlier.targets = Benchmark.judge(earlier)
                reports = [earlier]
            } catch {
                Console.error("\(from): cannot read the benchmark results: \(Bench.reason(error))")
                throw ExitCode(2)
            }
        } else {
            var options = try self.options()
            if let measureOnly {
                options.only = Set(measureOnly.split(separator: ",").map(String.init))
                options.catalogueCommand = nil
                options.python = nil
            }
            for k in 0..<runs {
                let busy = runs == 1 ? 0 : k % 3
                if runs > 1 { Console.error("run \(k + 1) of \(runs): \(LoadGenerator.describe(threads: busy))") }
                let load = LoadGenerator(threads: busy)
                let progress = Progress()
                var runOptions = options
                // The error curve and the catalogue's time are not ratios: once is enough.
                if k > 0 { runOptions.catalogueCommand = nil; runOptions.python = nil }
                reports.append(Benchmark(options: runOptions, progress: progress.show).run(environment: Bench.environment, startedAt: started))
                progress.finish()
                load.stop()
                loads.append(LoadGenerator.describe(threads: busy))
            }
        }
        var checkCost: [CheckCost]?
        if from == nil, measureOnly == nil, try families()?.contains("check") ?? true {
            let progress = Progress()
            checkCost = CheckCostBench.run(quick: quick, progress: progress.show)
            progress.finish()
        }
        let report = reports[0]

        var comparison: BenchComparison?
        if let previous, let baselinePath {
            var rows = previous.compare(report)
            let suspects = rows.filter(\.isSuspect)
            if !suspects.isEmpty, from == nil, !noRemeasure {
                let keys = previous.measurementKeys(for: suspects)
                Console.error("re-measuring \(suspects.count) suspected regression\(suspects.count == 1 ? "" : "s") (\(keys.count) measurement\(keys.count == 1 ? "" : "s")) in a new process, with more pairs")
                if let again = remeasure(keys) {
                    rows = previous.confirm(rows, first: report, remeasured: again)
                } else {
                    Console.error("re-measuring failed; the first measurement decides")
                }
            }
            comparison = BenchComparison(baseline: previous, source: baselinePath, environment: report.environment, rows: rows)
        }

        let formats = try self.formats()
        do {
            var written: [String] = []
            if formats.contains("md") || formats.contains("json") {
                written += try PerformanceReport.write(report, comparison: comparison, checkCost: checkCost, to: reportDirectory, markdown: formats.contains("md"), json: formats.contains("json"))
            }
            let writer = ReportWriter(directory: reportDirectory)
            if formats.contains("benchmark-action") {
                let data: Data
                do { data = try PerformanceComparison.benchmarkAction(report) } catch { throw ReportError(path: writer.path(PerformanceComparison.benchmarkActionFileName), reason: "\(error)") }
                written.append(try writer.write(data, to: PerformanceComparison.benchmarkActionFileName))
            }
            if let comparison {
                let data: Data
                do { data = try BenchJSON.encoder.encode(comparison) } catch { throw ReportError(path: writer.path(PerformanceComparison.jsonFileName), reason: "\(error)") }
                written.append(try writer.write(data, to: PerformanceComparison.jsonFileName))
                written.append(try writer.write(Data(PerformanceComparison.render(comparison).utf8), to: PerformanceComparison.fileName))
            }
            Console.out("reports: \(written.joined(separator: ", "))")
        } catch {
            Console.error("\(error)")
            throw ExitCode(2)
        }
        Console.out(PerformanceReport.targetTable(report))
        if updateBaseline, let baselinePath {
            do {
                let made = Baseline(runs: reports, loads: from == nil ? loads : nil, createdAt: report.startedAt, revision: Bench.revision)
                let data = try BenchJSON.encoder.encode(made)
                let directory = (baselinePath as NSString).deletingLastPathComponent
                try ReportWriter(directory: directory).write(data, to: (baselinePath as NSString).lastPathComponent)
                let gated = made.entries.filter(\.gated).count
                Console.out("baseline: \(baselinePath) (\(made.entries.count) ratios, \(gated) gated, from \(reports.count) run\(reports.count == 1 ? "" : "s"))")
            } catch {
                Console.error("\(baselinePath): cannot write the baseline: \(Bench.reason(error))")
                throw ExitCode(2)
            }
        }
        if let comparison {
            Console.out(Bench.summary(comparison))
            if let summary = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"], !summary.isEmpty {
                Bench.append(PerformanceComparison.render(comparison), to: summary)
            }
            if !comparison.passed {
                Console.error("\(comparison.regressions.count) ratio\(comparison.regressions.count == 1 ? "" : "s") regressed against \(comparison.baselineSource)")
                throw ExitCode(1)
            }
        }
    }

    /// Runs this binary with `--measure-only` for `keys` and reads back its results (nil when
    /// it could not run or wrote nothing).
    func remeasure(_ keys: Set<String>) -> BenchReport? {
        guard let executable = Bench.executable else { return nil }
        let directory = NSTemporaryDirectory() + "adverify-remeasure-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        var arguments = ["bench", "--measure-only", keys.sorted().joined(separator: ","), "--report", directory, "--format", "json", "--cases", cases]
        if quick { arguments.append("--quick") }
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        process.waitUntilExit()
        guard process.terminationStatus == 0, let data = FileManager.default.contents(atPath: directory + "/performance.json") else { return nil }
        return try? BenchJSON.decoder.decode(BenchReport.self, from: data)
    }

    /// The benchmark's options from the flags.
    func options() throws -> BenchOptions {
        BenchOptions(
            quick: quick, families: try families(), casesDirectory: cases,
            catalogueCommand: Bench.executable.map { [$0, "run", cases, "--report", NSTemporaryDirectory() + "adverify-bench-run", "--quiet"] },
            python: peers == "python" ? PythonPeers(python: python) : nil)
    }

    /// A baseline.json, or a performance.json of an earlier run (with `noise`'s thresholds).
    static func loadBaseline(_ path: String, noise: Baseline?) throws -> Baseline {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            if object?["families"] != nil {
                let report = try BenchJSON.decoder.decode(BenchReport.self, from: data)
                return Baseline(report: report, createdAt: report.startedAt, noise: noise)
            }
            return try BenchJSON.decoder.decode(Baseline.self, from: data)
        } catch {
            Console.error("\(path): cannot read the baseline: \(Bench.reason(error))")
            Console.error("(write one with: adverify bench --quick --baseline \(path) --update-baseline --runs 9, or give the performance.json of an earlier run)")
            throw ExitCode(2)
        }
    }

    /// What the terminal shows of a comparison: the verdict and every row that is not plain ok.
    static func summary(_ c: BenchComparison) -> String {
        var text = PerformanceComparison.headline(c)
        if c.machineDiffers { text += "\nThe baseline was measured on another machine: " + c.machineDifferences.joined(separator: "; ") }
        let notable = c.rows.filter { $0.status == .regression || $0.status == .improved || $0.status == .slower || $0.firstChange != nil }
        if !notable.isEmpty { text += "\n\n" + PerformanceComparison.table(notable) }
        return text
    }

    /// Appends `text` to a file (the job summary), creating it; a failure is said, not fatal.
    static func append(_ text: String, to path: String) {
        guard let handle = FileHandle(forWritingAtPath: path) ?? {
            FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil
        }() else {
            Console.error("\(path): cannot append the comparison to the job summary")
            return
        }
        handle.seekToEndOfFile()
        handle.write(Data((text + "\n").utf8))
        try? handle.close()
    }

    /// `git describe --always --dirty` of the working directory, when it is a git checkout.
    static var revision: String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "describe", "--always", "--dirty", "--abbrev=12"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    static func reason(_ error: any Error) -> String {
        if let error = error as? DecodingError {
            switch error {
            case .dataCorrupted(let c), .keyNotFound(_, let c), .typeMismatch(_, let c), .valueNotFound(_, let c):
                let path = c.codingPath.map(\.stringValue).joined(separator: ".")
                return (path.isEmpty ? "" : path + ": ") + c.debugDescription
            @unknown default: return "\(error)"
            }
        }
        return (error as NSError).localizedDescription
    }

    /// This binary, for timing `adverify run cases/` as a user runs it.
    static var executable: String? {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        #endif
        return Bundle.main.executablePath
    }

    static var environment: BenchEnvironment {
        #if DEBUG
        let configuration = "debug"
        #else
        let configuration = "release"
        #endif
        let tool = Console.tool
        return BenchEnvironment(
            adverify: tool.adverify, swift: tool.swift, platform: tool.platform, cpu: cpuModel,
            cores: ProcessInfo.processInfo.activeProcessorCount, gsl: gslVersion,
            blas: BLASLibrary.configuration, blasThreads: BLASLibrary.threads, buildConfiguration: configuration)
    }

    static var cpuModel: String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") { return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        return "unknown"
    }
}

/// One progress line on stderr, rewritten in place on a terminal.
final class Progress: @unchecked Sendable {
    private let terminal = isatty(2) != 0
    private let start = Date()
    private var lastFamily = ""

    func show(_ line: String) {
        let elapsed = String(format: "%5.1f s", Date().timeIntervalSince(start))
        if terminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K[bench \(elapsed)] \(line)".utf8))
        } else {
            // In a log, one line per family, not one per measurement.
            let family = String(line.prefix { $0 != " " })
            guard family != lastFamily else { return }
            lastFamily = family
            FileHandle.standardError.write(Data("[bench \(elapsed)] \(line)\n".utf8))
        }
    }

    func finish() {
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
