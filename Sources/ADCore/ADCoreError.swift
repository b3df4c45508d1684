/// Errors of the reference core: each carries what a user needs to find the cause.
public enum ADCoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An operand refers to a node that does not exist yet (Wengert lists have no forward references).
    case forwardReference(op: Op, operand: Int, nodeCount: Int)
    /// A primitive got the wrong number of operands.
    case arity(op: Op, expected: Int, got: Int)
    /// A name was used twice for inputs or intermediates.
    case duplicateName(String)
    /// A name is empty or not a plain identifier.
    case invalidName(String)
    /// `build()` was called on a graph without outputs.
    case noOutputs
    /// An evaluation got the wrong number of input values.
    case inputCount(expected: Int, got: Int)
    /// A seed or cotangent has the wrong length.
    case seedCount(what: String, expected: Int, got: Int)
    /// The complex step was asked of a graph with a non-analytic primitive.
    case notAnalytic(op: Op, node: String)
    /// A recorded function mixed values from two different recordings.
    case mixedRecordings
    /// The graph has more nodes than 32-bit operand indices address.
    case tooManyNodes
    /// A tangent or adjoint sweep was asked for before ``Workspace/linearize(at:)``.
    case notLinearized

    public var description: String {
        switch self {
        case let .forwardReference(op, operand, nodeCount):
            "operand \(operand) of '\(op.name)' refers to a node not yet defined (the graph has \(nodeCount) nodes)"
        case let .arity(op, expected, got):
            "'\(op.name)' takes \(expected) operand\(expected == 1 ? "" : "s"), got \(got)"
        case let .duplicateName(name):
            "the name '\(name)' is already used in this graph"
        case let .invalidName(name):
            "'\(name)' is not a valid name (letters, digits and _, not starting with a digit)"
        case .noOutputs:
            "the graph has no outputs"
        case let .inputCount(expected, got):
            "expected \(expected) input value\(expected == 1 ? "" : "s"), got \(got)"
        case let .seedCount(what, expected, got):
            "expected a \(what) of length \(expected), got \(got)"
        case let .notAnalytic(op, node):
            "the complex step needs an analytic function, but node '\(node)' applies '\(op.name)', which is not analytic"
        case .mixedRecordings:
            "a recorded function combined values from two different recordings"
        case .tooManyNodes:
            "the graph is larger than 2^31 - 1 nodes"
        case .notLinearized:
            "a tangent or adjoint sweep needs linearize(at:) first"
        }
    }
}
