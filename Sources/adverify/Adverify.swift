import ArgumentParser
import Foundation

@main
struct Adverify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adverify",
        abstract: "Verify automatic differentiation and measure what gradients cost.",
        discussion: """
            Exit codes: 0 every check passed (inconclusive allowed), 1 some check failed, \
            2 usage or input error: a file that does not load (the other files of the run are \
            still verified and reported), or nothing selected (a path that does not exist or \
            holds no case file, a --filter that matches no case): then no report is written.
            """,
        version: adverifyVersion,
        subcommands: [Run.self, List.self, Trace.self, Eval.self, Bench.self, Selftest.self, Merge.self]
    )

    /// Usage errors exit 2, as DESIGN.md says (swift-argument-parser's default is 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\nSee 'adverify --help'.\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// The version `adverify --version` prints and reports carry (`ToolInfo.adverify`).
let adverifyVersion = "0.4.0"
