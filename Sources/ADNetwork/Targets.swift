/// What a loss compares a batch of network outputs with.
public enum Targets: Sendable, Hashable {
    /// Values, batch-major: `N_B x output.count` (squared error, binary cross-entropy).
    case values([Double])
    /// One class index per sample, `0 <= label < output.count` (multiclass logistic,
    /// softmax cross-entropy).
    case labels([Int])
}
