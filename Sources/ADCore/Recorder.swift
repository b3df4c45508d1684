/// The tape one recording appends to: shared by all ``Recorded`` values of that recording.
/// One object per recording (not per node); it is not `Sendable` and lives only for the
/// duration of ``Graph/record(inputNames:outputs:)``.
public final class GraphRecorder {
    var builder = GraphBuilder()
    /// The first error met while recording; reported when the recording ends, since
    /// operators cannot throw.
    var error: ADCoreError?

    init() {}

    func fail(_ e: ADCoreError) { if error == nil { error = e } }

    func node(_ x: Recorded) -> Int {
        switch x.storage {
        case let .node(index, _): return index
        case let .constant(value):
            do { return try builder.constant(value) } catch { fail(error); return 0 }
        }
    }
}

/// A scalar that records the operations applied to it into a ``Graph``.
///
/// Constants (literals, `Recorded(2.0)`) stay unrecorded until combined with a recorded
/// value; operations on constants alone are folded.
public struct Recorded: ADScalar {
    enum Storage {
        case constant(Double)
        case node(Int, GraphRecorder)
    }

    var storage: Storage

    public init(_ constant: Double) { storage = .constant(constant) }
    public init(floatLiteral value: Double) { self.init(value) }
    public init(integerLiteral value: Int) { self.init(Double(value)) }
    init(node: Int, recorder: GraphRecorder) { storage = .node(node, recorder) }

    var recorder: GraphRecorder? {
        if case let .node(_, recorder) = storage { return recorder }
        return nil
    }

    public static func apply(_ op: Op, _ a: Recorded, _ b: Recorded) -> Recorded {
        let binary = op.arity == 2
        guard let recorder = a.recorder ?? (binary ? b.recorder : nil) else {
            if case let .constant(x) = a.storage, case let .constant(y) = b.storage {
                return Recorded(op.value(x, y))
            }
            return a
        }
        if binary, let other = b.recorder, other !== recorder {
            recorder.fail(.mixedRecordings)
            return a
        }
        let lhs = recorder.node(a)
        let rhs = binary ? recorder.node(b) : nil
        do {
            return Recorded(node: try recorder.builder.apply(op, lhs, rhs), recorder: recorder)
        } catch {
            recorder.fail(error)
            return a
        }
    }

    /// Names this node, so traces show `a = x ^ 2` instead of `v3 = x ^ 2`.
    public func named(_ name: String) -> Recorded {
        guard let recorder else { return self }
        do { try recorder.builder.name(recorder.node(self), name) } catch { recorder.fail(error) }
        return self
    }
}

extension Graph {
    /// Records `body`, written over any ``ADScalar``, as a graph with the given input names
    /// and one or more outputs (named `y0`, `y1`, … unless the node has a name).
    public static func record(inputNames: [String], outputs body: ([Recorded]) throws -> [Recorded]) throws -> Graph {
        let recorder = GraphRecorder()
        var inputs: [Recorded] = []
        for name in inputNames {
            inputs.append(Recorded(node: try recorder.builder.input(name), recorder: recorder))
        }
        let outputs = try body(inputs)
        for (k, y) in outputs.enumerated() {
            if let other = y.recorder, other !== recorder { throw ADCoreError.mixedRecordings }
            let node: Int
            if case let .node(index, _) = y.storage { node = index } else { node = recorder.node(y) }
            try recorder.builder.output(node, name: outputs.count == 1 ? nil : "y\(k)")
        }
        if let error = recorder.error { throw error }
        return try recorder.builder.build()
    }

    /// Records a scalar function with the given input names.
    public static func record(inputNames: [String], _ body: ([Recorded]) throws -> Recorded) throws -> Graph {
        try record(inputNames: inputNames, outputs: { [try body($0)] })
    }

    /// Records a scalar function of `inputCount` inputs named `x1`, `x2`, ….
    public static func record(inputCount: Int, _ body: ([Recorded]) throws -> Recorded) throws -> Graph {
        try record(inputNames: (0..<inputCount).map { "x\($0 + 1)" }, body)
    }
}
