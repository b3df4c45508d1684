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

            --baseline FILE compares the run's ratios with FILE and prints the comparison; a ratio \
            above 1.5x its baseline (and 0.25 above it) is a regression. --update-baseline writes \
            the run's ratios to FILE (default reports/baseline.json). Build with -c release: a \
            debug build's numbers say nothing.

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

    @Option(name: .customLong("report"), help: ArgumentHelp("Folder for performance.md, performance.json and the plots.", valueName: "dir"))
    var reportDirectory = "reports"

    @Option(help: ArgumentHelp("Only these families, comma-separated: \(BenchOptions.familyNames.joined(separator: ", ")).", valueName: "names"))
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
    }

    func families() throws -> Set<String>? {
        guard let family else { return nil }
        let names = family.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for name in names where !BenchOptions.familyNames.contains(name) {
            throw ValidationError("unknown family '\(name)'; the families are \(BenchOptions.familyNames.joined(separator: ", "))")
        }
        return Set(names)
    }

    func run() throws {
        let baselinePath = baseline ?? (updateBaseline ? reportDirectory + "/baseline.json" : nil)
        var previous: Baseline?
        if let baselinePath, !updateBaseline {
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: baselinePath))
                previous = try BenchJSON.decoder.decode(Baseline.self, from: data)
            } catch {
                Console.error("\(baselinePath): cannot read the baseline: \(Bench.reason(error))")
                Console.error("(write one with: adverify bench --quick --baseline \(baselinePath) --update-baseline)")
                throw ExitCode(2)
            }
        }
        let started = ISO8601DateFormatter().string(from: Date())
        let report: BenchReport
        if let from {
            do {
                var earlier = try BenchJSON.decoder.decode(BenchReport.self, from: Data(contentsOf: URL(fileURLWithPath: from)))
                earlier.targets = Benchmark.judge(earlier)
                report = earlier
            } catch {
                Console.error("\(from): cannot read the benchmark results: \(Bench.reason(error))")
                throw ExitCode(2)
            }
        } else {
            let options = BenchOptions(
                quick: quick, families: try families(), casesDirectory: cases,
                catalogueCommand: Bench.executable.map { [$0, "run", cases, "--report", NSTemporaryDirectory() + "adverify-bench-run", "--quiet"] },
                python: peers == "python" ? PythonPeers(python: python) : nil)
            let progress = Progress()
            report = Benchmark(options: options, progress: progress.show).run(environment: Bench.environment, startedAt: started)
            progress.finish()
        }

        let comparison = previous.map { $0.compare(report) }
        do {
            let written = try PerformanceReport.write(report, comparison: comparison, to: reportDirectory)
            Console.out("reports: \(written.joined(separator: ", "))")
        } catch {
            Console.error("\(error)")
            throw ExitCode(2)
        }
        Console.out(PerformanceReport.targetTable(report))
        if updateBaseline, let baselinePath {
            do {
                let data = try BenchJSON.encoder.encode(Baseline(report: report, createdAt: report.startedAt))
                let directory = (baselinePath as NSString).deletingLastPathComponent
                try ReportWriter(directory: directory).write(data, to: (baselinePath as NSString).lastPathComponent)
                Console.out("baseline: \(baselinePath) (\(Baseline.entries(of: report).count) ratios)")
            } catch {
                Console.error("\(baselinePath): cannot write the baseline: \(Bench.reason(error))")
                throw ExitCode(2)
            }
        }
        if let comparison, let previous {
            Console.out(PerformanceReport.comparisonTable(comparison, baseline: previous))
            let regressions = comparison.filter { $0.status == .regression }.count
            if regressions > 0 {
                Console.error("\(regressions) ratio\(regressions == 1 ? "" : "s") regressed against \(baselinePath ?? "the baseline")")
                throw ExitCode(1)
            }
        }
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
