/// What a loss compares the network's outputs with.
public enum Targets: Sendable, Hashable {
    /// `N_B x K` values (squared error, binary cross-entropy), batch-major.
    case values([Double])
    /// One class per sample, `0 ..< K` (the multiclass losses).
    case labels([Int])
}
