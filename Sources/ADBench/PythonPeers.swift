// Optional peers in Python (JAX, HIPS autograd): scripts shipped in bench/peers, run as
// subprocesses when `--peers python` asks for them. Never needed in CI.
import Foundation

/// Runs the Python peer scripts and turns their JSON into measurements.
public struct PythonPeers: Sendable {
    /// The Python interpreter.
    public var python: String
    /// The folder of the peer scripts (`bench/peers`).
    public var directory: String
    /// The scripts, by peer name.
    public static let scripts = ["jax": "jax_peer.py", "autograd": "autograd_peer.py"]

    public init(python: String = "python3", directory: String = "bench/peers") {
        self.python = python
        self.directory = directory
    }

    /// What one script prints.
    struct Output: Decodable {
        struct Row: Decodable {
            var family: String
            var n: Int
            var primal_seconds: Double
            var gradient_seconds: Double
            var ratio_median: Double
            var ratio_min: Double
            var ratio_max: Double
            var pairs: Int
            /// `gradient` (the default) or `hvp`: what `gradient_seconds` timed.
            var method: String?
        }
        var peer: String
        var version: String?
        var available: Bool
        var note: String?
        var results: [Row]
    }

    /// Runs every script; a peer that is missing or fails is reported as unavailable.
    func run(sizes: [Int], settings: TimingSettings) -> ([PeerInfo], [MethodTiming]) {
        var infos: [PeerInfo] = [], measurements: [MethodTiming] = []
        for (name, script) in PythonPeers.scripts.sorted(by: { $0.key < $1.key }) {
            let arguments = [
                directory + "/" + script, "--sizes", sizes.map(String.init).joined(separator: ","),
                "--sample-seconds", String(settings.sampleSeconds), "--pairs", String(settings.pairs),
            ]
            guard let data = PythonPeers.output(of: python, arguments) else {
                infos.append(PeerInfo(name: name, available: false, version: nil, note: "\(python) \(script) did not run"))
                continue
            }
            guard let output = try? JSONDecoder().decode(Output.self, from: data) else {
                infos.append(PeerInfo(name: name, available: false, version: nil, note: "\(script) printed no result JSON"))
                continue
            }
            let note = (output.note ?? "") + (output.available ? "; its ratios are to its own primal" : "")
            infos.append(PeerInfo(name: output.peer, available: output.available, version: output.version, note: note))
            for row in output.results {
                let family = row.family == "peharz" ? "textbook" : row.family
                let label: String? = row.family == "peharz" ? "peharz-backward-pass" : nil
                measurements.append(MethodTiming(
                    family: family, size: row.n, label: label, method: MethodID(rawValue: "\(output.peer)-\(row.method ?? "gradient")"),
                    primalSeconds: row.primal_seconds,
                    seconds: Spread(median: row.gradient_seconds, min: row.gradient_seconds, max: row.gradient_seconds, count: 1),
                    ratio: Spread(median: row.ratio_median, min: row.ratio_min, max: row.ratio_max, count: row.pairs),
                    evaluations: 1, agreement: nil, note: nil))
            }
        }
        return (infos, measurements)
    }

    /// Standard output of `command arguments`, or nil when it cannot be started or fails.
    static func output(of command: String, _ arguments: [String]) -> Data? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? data : nil
    }
}

/// Times the catalogue's run as a user runs it: this binary, `run cases/`, as a subprocess.
enum CatalogueRun {
    static func time(_ command: [String], runs: Int, buildConfiguration: String) -> CatalogueTiming? {
        guard let executable = command.first else { return nil }
        var seconds: [Double] = []
        var status: Int32 = 0
        for _ in 0..<runs {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = Array(command.dropFirst())
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let start = monotonicNanoseconds()
            do { try process.run() } catch { return nil }
            process.waitUntilExit()
            seconds.append(Double(monotonicNanoseconds() &- start) * 1e-9)
            status = process.terminationStatus
        }
        return CatalogueTiming(
            command: "adverify " + command.dropFirst().joined(separator: " "), seconds: Spread(seconds),
            buildConfiguration: buildConfiguration, exitCode: status)
    }
}
