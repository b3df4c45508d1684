import ADCore
import ArgumentParser

/// `--kinks x>=0|pytorch|jax`: the kink convention of cases that do not choose one.
struct KinkOption: ParsableArguments {
    @Option(
        name: .customLong("kinks"),
        help: ArgumentHelp(
            "The derivative piecewise primitives take exactly at a kink, for cases without their own 'kinks:': x>=0 (the default: relu'(0) = 1, a tie of max to the first operand), pytorch or jax.",
            valueName: "convention"))
    var text: String?

    func validate() throws {
        _ = try convention()
    }

    /// The chosen convention; the default when none is given.
    func convention() throws -> KinkConvention {
        guard let text else { return .default }
        switch KinkConvention.parse(text) {
        case .success(let c): return c
        case .failure(let problem): throw ValidationError("--kinks: \(problem.description)")
        }
    }
}
