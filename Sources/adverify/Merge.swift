import ADCatalog
import ADReport
import ADVerify
import ArgumentParser
import Foundation

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Join the reports of the shards of a run (run or selftest with --shard K/N) into the reports of one run.",
        discussion: """
            Each argument is a report folder holding verification.json and/or mutation.json, \
            or such a file. The verification results become one run: the cases of every shard \
            in catalogue order, each case once, the load errors once (every shard loads every \
            file), the earliest start and the longest duration; the summary is counted anew, \
            as an unsharded run would count it. The selftest results become one selftest: the \
            mutants in the order an unsharded selftest lists them, and its score. Then the \
            reports are written as run and selftest write them, and the count line (and the \
            score) printed; as run does, the merged summary.md is appended to \
            $GITHUB_STEP_SUMMARY when that is set (annotations are left to the shards, which \
            printed them).

            Shards must come whole: the shards 1/N to N/N of one N, each once. A missing or \
            repeated shard, shards of different N, a shard together with an unsharded run, \
            a case or mutant in two inputs, or results of another schema version are refused, \
            and nothing is written. Results without shard information (unsharded runs) are \
            joined as given, in the order of the arguments. docs/ci-matrix.md shows a GitHub \
            Actions matrix that runs the shards and merges them.

            Exit codes: as the merged run would exit: 0 every check passed and every killable \
            mutant was killed, 1 some check failed or some mutant survived, 2 a case file could \
            not be loaded (the merged reports carry its error), or a usage or input error: an \
            argument that is neither a report folder nor a readable report, an incomplete or \
            overlapping set of shards (then no report is written), or a report that could not \
            be written.
            """
    )

    @Argument(help: ArgumentHelp("Report folders (or verification.json / mutation.json files) of the shards.", valueName: "dir-or-file"))
    var inputs: [String]

    @Option(name: .customLong("report"), help: ArgumentHelp("Folder for the merged reports.", valueName: "dir"))
    var reportDirectory = "reports"

    @Option(help: ArgumentHelp(
        "Reports of the verification to write, comma-separated: md, json, junit (or none: no report at all, not mutation.md and mutation.json either).",
        valueName: "formats"))
    var format = "md,json,junit"

    @Flag(help: "Print only failed cases, surviving mutants and the count lines.")
    var quiet = false

    func validate() throws {
        _ = try formats()
    }

    /// The formats of `--format`, as `run` reads them; `none` writes no report.
    func formats() throws -> [ReportFormat] { try Run.formats(format) }

    func run() throws {
        // SIGINT while a report is written removes its temporary file (see Interrupts).
        Interrupts.install()
        var verifications: [MergeInput<RunResult>] = []
        var selftests: [MergeInput<MutationRun>] = []
        var problems: [String] = []
        for input in inputs {
            switch Self.read(input) {
            case .success(let found):
                verifications += found.verifications
                selftests += found.selftests
            case .failure(let problem):
                problems.append(problem.message)
            }
        }
        guard problems.isEmpty else {
            for problem in problems { Console.error("error: \(problem)") }
            throw ExitCode(2)
        }

        // Both merged before anything is written: a refused set leaves the last reports as they are.
        let run: RunResult?
        let selftest: MutationRun?
        do throws(MergeError) {
            if verifications.isEmpty {
                run = nil
            } else {
                let (merged, warnings) = try RunResult.merge(verifications)
                for warning in warnings { Console.error(warning) }
                run = merged
            }
            if selftests.isEmpty {
                selftest = nil
            } else {
                let (merged, warnings) = try MutationRun.merge(selftests)
                for warning in warnings { Console.error(warning) }
                selftest = merged
            }
        } catch {
            Console.error("error: \(error.message)")
            throw ExitCode(2)
        }

        let formats = try formats()
        var exitCode: Int32 = 0
        if let run {
            for error in run.loadErrors { Console.error(error.description + "\n") }
            for c in run.cases where !quiet || c.verdict == .fail { Console.out(Run.line(for: c)) }
            Console.out(Run.countLine(run))
            // The merged summary on the merge job's page; the shards printed their annotations.
            Run.appendStepSummary(run)
            if !formats.isEmpty {
                try write { try ReportWriter(directory: reportDirectory).write(run, formats: formats) }
            }
            exitCode = max(exitCode, run.exitCode)
        }
        if let selftest {
            for line in Selftest.lines(for: selftest, quiet: quiet) { Console.out(line) }
            if !formats.isEmpty {
                try write { try MutationReport.write(selftest, to: reportDirectory) }
            }
            exitCode = max(exitCode, selftest.exitCode)
        }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }

    /// Writes reports, prints where (unless quiet); exit 2 when they cannot be written.
    private func write(_ body: () throws -> [String]) throws {
        do {
            let written = try body()
            if !quiet { Console.out("reports: \(written.joined(separator: ", "))") }
        } catch {
            Console.error("\(error)")
            throw ExitCode(2)
        }
    }

    /// The results one argument names.
    struct Found {
        var verifications: [MergeInput<RunResult>] = []
        var selftests: [MergeInput<MutationRun>] = []
    }

    /// `path: what is wrong`.
    struct Problem: Error {
        var message: String
    }

    /// The results in a report folder (its verification.json and mutation.json), or in a file:
    /// by its name, or for another name whichever of the two it decodes as.
    static func read(_ argument: String) -> Result<Found, Problem> {
        let shown = Selection.shown(argument)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
            return .failure(Problem(message: "\(shown): no such file or folder"))
        }
        var found = Found()
        if isDirectory.boolValue {
            let writer = ReportWriter(directory: argument)
            for name in ["verification.json", "mutation.json"] {
                let path = writer.path(name)
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else { continue }
                switch readFile(path, as: name) {
                case .success(let more):
                    found.verifications += more.verifications
                    found.selftests += more.selftests
                case .failure(let problem): return .failure(problem)
                }
            }
            guard !found.verifications.isEmpty || !found.selftests.isEmpty else {
                return .failure(Problem(message: "\(shown): no verification.json or mutation.json in this folder"))
            }
            return .success(found)
        }
        return readFile(argument, as: (argument as NSString).lastPathComponent)
    }

    /// One JSON report: a verification (`verification.json`), a selftest (`mutation.json`),
    /// or under another name whichever it decodes as.
    static func readFile(_ path: String, as name: String) -> Result<Found, Problem> {
        let shown = Selection.shown(path)
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            return .failure(Problem(message: "\(shown): cannot be read: \((error as NSError).localizedDescription)"))
        }
        let decoder = JSONReport.decoder()
        var found = Found()
        switch name {
        case "verification.json":
            do {
                found.verifications.append((shown, try decoder.decode(RunResult.self, from: data)))
            } catch {
                return .failure(Problem(message: "\(shown): not a verification.json adverify can read: \(describe(error))"))
            }
        case "mutation.json":
            do {
                found.selftests.append((shown, try decoder.decode(MutationRun.self, from: data)))
            } catch {
                return .failure(Problem(message: "\(shown): not a mutation.json adverify can read: \(describe(error))"))
            }
        default:
            if let run = try? decoder.decode(RunResult.self, from: data) {
                found.verifications.append((shown, run))
            } else if let selftest = try? decoder.decode(MutationRun.self, from: data) {
                found.selftests.append((shown, selftest))
            } else {
                let json = (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil
                return .failure(Problem(message: "\(shown): \(json ? "" : "not JSON, so ")neither a verification.json nor a mutation.json of adverify"))
            }
        }
        return .success(found)
    }

    /// A decoding error in a line: where in the JSON, and what.
    static func describe(_ error: any Error) -> String {
        func place(_ path: [any CodingKey]) -> String {
            let text = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : text
        }
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .dataCorrupted(let context):
            let at = place(context.codingPath)
            return at.isEmpty ? "not JSON (\(context.debugDescription))" : "\(at): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "'\(place(context.codingPath + [key]))' is missing"
        case .typeMismatch(let type, let context):
            return "'\(place(context.codingPath))' has the wrong type (expected \(type))"
        case .valueNotFound(let type, let context):
            return "'\(place(context.codingPath))' is null, not \(type)"
        @unknown default:
            return "\(error)"
        }
    }
}
