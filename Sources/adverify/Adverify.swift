import ArgumentParser

@main
struct Adverify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adverify",
        abstract: "Verify automatic differentiation and measure what gradients cost.",
        subcommands: [Demo.self]
    )
}
