import ADCore
import ADCatalog
import ADReport
import ADVerify
import ArgumentParser
import Foundation

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify every case: AD against the expected numbers, forward against reverse mode, and both against numerical oracles.",
        discussion: """
            For each case: the primal value(s); the gradient or Jacobian by forward (vector) mode \
            and by reverse mode; the dot-product test <u, J v> = <Jᵀu, v> with random non-unit \
            u and v; every expectation of the case file; and for every partial derivative the \
            numerical oracles GSL central (GSL forward/backward near domain edges), central and \
            5-point differences, the complex step (analytic functions only) and Richardson \
            extrapolation, each judged by its own error estimate. Cases run concurrently; the \
            output order is the catalogue's.

            Prints one line per case (✓ pass, ✗ fail, ? inconclusive, with the fewest digits \
            AD shares with its best reference) and a final count line, and writes the reports \
            atomically into the report folder: verification.md (the failures and an index, under \
            400 KB whatever the catalogue's size), summary.md (under 60,000 characters, for a \
            pull request or a job summary; appended to $GITHUB_STEP_SUMMARY when that is set), \
            one page per case in cases/, verification.json (the complete record) and junit.xml. \
            Under GitHub Actions (GITHUB_ACTIONS=true) or with --annotations github, failed \
            checks are also printed as ::error annotations at their expectation's line.

            Exit codes: 0 every check passed (inconclusive allowed), 1 some check failed, \
            2 a case file could not be loaded (the other files are still verified and reported), \
            a path does not exist or holds no case file, or no case was selected (--filter \
            matched none): then nothing is verified and no report is written.
            """
    )

    @Argument(help: "Case files or folders (searched recursively for *.yaml, *.yml).")
    var paths: [String] = ["cases"]

    @Option(name: .customLong("report"), help: ArgumentHelp("Folder for the reports.", valueName: "dir"))
    var reportDirectory = "reports"

    @Option(help: ArgumentHelp("Reports to write, comma-separated: md, json, junit (or none).", valueName: "formats"))
    var format = "md,json,junit"

    @Option(help: ArgumentHelp("Only cases whose id matches this glob, e.g. 'peharz-*'.", valueName: "glob"))
    var filter: String?

    @Flag(help: "Print only failed cases and the final count line.")
    var quiet = false

    @Option(
        name: .customLong("shard"),
        help: ArgumentHelp(
            "Verify only shard K of N (1 <= K <= N): every N-th of the selected cases in order of their ids, for a CI matrix; 'adverify merge' joins the shards' reports.",
            valueName: "k/n"))
    var shardText: String?

    @OptionGroup var kinks: KinkOption

    @Flag(help: "Put every case's slides-style trace tables in its report page (otherwise only cases with 'trace: true' have them).")
    var traces = false

    @Option(help: ArgumentHelp(
        "Workflow annotations for failed checks: github (::error lines at the expectation's file and line, at most 10) or none. Default: github when GITHUB_ACTIONS=true.",
        valueName: "kind"))
    var annotations: String?

    func validate() throws {
        _ = try formats()
        _ = try annotating()
        _ = try ShardOption.parse(shardText)
    }

    /// Whether to print GitHub annotations: `--annotations`, else whether GitHub Actions runs us.
    func annotating() throws -> Bool {
        switch annotations?.lowercased() {
        case nil: return ProcessInfo.processInfo.environment["GITHUB_ACTIONS"] == "true"
        case "github": return true
        case "none": return false
        case let other?: throw ValidationError("--annotations: unknown kind '\(other)'; use github or none")
        }
    }

    /// The formats of `--format`; `none` writes no report.
    func formats() throws -> [ReportFormat] { try Run.formats(format) }

    /// The formats of a `--format` value (run's and merge's); `none` writes no report.
    static func formats(_ format: String) throws -> [ReportFormat] {
        if format.trimmingCharacters(in: .whitespaces).lowercased() == "none" { return [] }
        do {
            return try ReportFormat.list(format)
        } catch {
            throw ValidationError(error.reason)
        }
    }

    func run() async throws {
        // SIGINT while a report is written removes its temporary file (see Interrupts).
        Interrupts.install()
        let started = Date()
        try Selection.requireCaseFiles(in: paths)
        var catalog = Catalog.load(paths: paths)
        let loaded = catalog.cases
        if let filter {
            catalog.cases = catalog.cases.filter { fnmatch(filter, $0.id, 0) == 0 }
        }
        for error in catalog.errors { Console.error(error.description + "\n") }
        if catalog.cases.isEmpty {
            if filter != nil || catalog.errors.isEmpty {
                Console.error(Selection.nothingSelected(paths: paths, filter: filter, catalog: catalog, loaded: loaded))
            }
            // Nothing to report: the last reports stay as they are. Load errors are reported.
            if catalog.errors.isEmpty { throw ExitCode(2) }
        }
        let shard = try ShardOption.parse(shardText)
        catalog.cases = ShardOption.share(of: catalog.cases, shard: shard, id: \.id, noun: "case")
        var runner = Runner()
        runner.kinkConvention = try kinks.convention()
        runner.traces = traces
        var result = await runner.run(catalog, tool: Console.tool, paths: paths, startedAt: started)
        result.shard = shard
        // A case that could not be verified at its point (a NaN at a node): where, on stderr.
        for c in result.cases { if let diagnostic = c.diagnostic { Console.error(diagnostic.description + "\n") } }

        for c in result.cases where !quiet || c.verdict == .fail {
            Console.out(Run.line(for: c))
            // An expectation's failure points at its own place in the case file.
            for failure in c.failures.prefix(5) {
                let place = failure.location.map { "\($0.file):\($0.line):\($0.column): " } ?? ""
                Console.out("    \(place)\(failure.message)")
            }
            for notice in c.notices ?? [] { Console.out("    notice: \(notice)") }
            if c.failures.count > 5 { Console.out("    … and \(c.failures.count - 5) more failed checks (see the report)") }
            if let error = c.error { Console.out("    \(error)") }
        }
        Console.out(Run.countLine(result))

        if try annotating() { for line in GitHubAnnotations.lines(result) { Console.out(line) } }
        Run.appendStepSummary(result)

        let formats = try formats()
        if !formats.isEmpty {
            do {
                let written = try ReportWriter(directory: reportDirectory).write(result, formats: formats)
                if !quiet { Console.out("reports: \(written.joined(separator: ", "))") }
            } catch {
                Console.error("\(error)")
                throw ExitCode(2)
            }
        }
        if result.exitCode != 0 { throw ExitCode(result.exitCode) }
    }

    /// Appends summary.md's text to the file `GITHUB_STEP_SUMMARY` names, when it names one
    /// (GitHub Actions shows it on the run's page). A problem there is a warning, not a failure.
    static func appendStepSummary(_ result: RunResult) {
        guard let path = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"], !path.isEmpty else { return }
        let text = SummaryReport.render(result) + "\n"
        guard let handle = FileHandle(forWritingAtPath: path) else {
            if !FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) {
                Console.error("warning: GITHUB_STEP_SUMMARY=\(path) cannot be written; the job summary is left out\n")
            }
            return
        }
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
            try handle.close()
        } catch {
            Console.error("warning: GITHUB_STEP_SUMMARY=\(path): \(error.localizedDescription); the job summary is left out\n")
        }
    }

    /// `✓ peharz-backward-pass  14.2 digits  17 checks  Backward pass through …`
    static func line(for c: CaseResult) -> String {
        let digits = c.worstAgreeingDigits.map { String(format: "%4.1f digits", $0) } ?? "   — digits"
        let failed = c.failures.count
        let checks = failed > 0 ? "\(failed)/\(c.checks.count) checks failed" : "\(c.checks.count) checks"
        return "\(Console.mark(c.verdict)) \(c.id)  \(digits)  \(checks)  \(c.location.file):\(c.location.line)"
    }

    /// `3 cases: 2 passed, 1 failed, 0 inconclusive; 51 checks: …; 1 file error (0.03 s)`
    /// (also `adverify merge`'s).
    static func countLine(_ result: RunResult) -> String {
        let s = result.summary
        return "\(s.cases) case\(s.cases == 1 ? "" : "s"): \(s.passedCases) passed, \(s.failedCases) failed, \(s.inconclusiveCases) inconclusive; "
            + "\(s.checks) checks: \(s.passedChecks) passed, \(s.failedChecks) failed, \(s.inconclusiveChecks) inconclusive"
            + (s.loadErrors > 0 ? "; \(s.loadErrors) file error\(s.loadErrors == 1 ? "" : "s")" : "")
            + String(format: " (%.2f s)", result.duration)
    }
}
