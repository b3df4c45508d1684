// Why a node's value is NaN or infinite: the node, its op, its operands' values and the reason.
import ADCatalog
import ADCore

/// The first node of a primal sweep whose value is not finite, explained.
struct NonFiniteNode {
    var node: Int
    var message: String

    /// The first non-finite entry of `values` (a primal sweep of `graph`), or nil. Inputs and
    /// constants are finite, so the node found is a primitive applied to finite operands: the
    /// message says which primitive, to what, and why that is not finite, e.g.
    /// `node v3 = log(a) (op log) is NaN: log(-1): -1 is outside the domain of log, x > 0`.
    static func first(in graph: Graph, values: [Double], displayNames names: [String]) -> NonFiniteNode? {
        guard let node = values.firstIndex(where: { !$0.isFinite }) else { return nil }
        let op = graph.ops[node]
        let value = values[node]
        let formula = graph.formula(of: node, displayNames: names)
        let a = graph.lhs[node] >= 0 && op.arity >= 1 ? values[Int(graph.lhs[node])] : .nan
        let b = graph.rhs[node] >= 0 && op.arity == 2 ? values[Int(graph.rhs[node])] : .nan
        var text = "node \(names[node]) = \(formula) (op \(op.name)) is \(format(value))"
        if op.isLeaf {
            text += " at the case's inputs"
        } else {
            text += ": \(applied(op, a, b)) \(reason(op, a, b, value))"
        }
        return NonFiniteNode(node: node, message: text)
    }

    /// Where a derivative stops being finite: the first node whose tangent (along one input,
    /// after a forward sweep) is NaN or infinite, and the local derivative that made it so,
    /// e.g. `the tangent along x first becomes inf at node v1 = sqrt(x) (op sqrt), whose
    /// derivative at sqrt(0) is inf`.
    static func firstTangent(
        in graph: Graph, values: [Double], tangent: (Int) -> Double, along input: String, displayNames names: [String]
    ) -> String? {
        guard let node = (0..<graph.nodeCount).first(where: { !tangent($0).isFinite }) else { return nil }
        let op = graph.ops[node]
        var text = "the tangent along \(input) first becomes \(format(tangent(node))) at node \(names[node]) = \(graph.formula(of: node, displayNames: names)) (op \(op.name))"
        guard !op.isLeaf else { return text }
        let a = values[Int(graph.lhs[node])]
        let b = op.arity == 2 ? values[Int(graph.rhs[node])] : 0
        let (da, db) = op.partials(a, b, value: values[node])
        if !da.isFinite {
            text += ", whose derivative\(op.arity == 2 ? " in its first operand" : "") at \(applied(op, a, b)) is \(format(da))"
        } else if op.arity == 2, !db.isFinite {
            text += ", whose derivative in its second operand at \(applied(op, a, b)) is \(format(db))"
        } else {
            text += ": its finite local derivatives times its operands' tangents overflow"
        }
        return text
    }

    /// `log(-1)`, `1 / 0`, `-(x)`, `(-8) ^ 0.5`: the op applied to the operands' values.
    static func applied(_ op: Op, _ a: Double, _ b: Double) -> String {
        func operand(_ x: Double) -> String { x < 0 ? "(\(format(x)))" : format(x) }
        return switch op {
        case .add, .sub, .mul, .div, .pow, .powConst: "\(operand(a)) \(op.name) \(operand(b))"
        case .neg: "-(\(format(a)))"
        default: op.arity == 2 ? "\(op.name)(\(format(a)), \(format(b)))" : "\(op.name)(\(format(a)))"
        }
    }

    /// Why `op` at `(a, b)` gives the non-finite `value`.
    static func reason(_ op: Op, _ a: Double, _ b: Double, _ value: Double) -> String {
        switch op {
        case .div where b == 0:
            return a == 0 ? "is 0 / 0: undefined" : "divides by zero"
        case .log where a == 0:
            return "is log(0) = -inf: log has a pole at 0"
        case .log:
            return "is outside the domain of log, x > 0"
        case .sqrt:
            return "is outside the domain of sqrt, x >= 0"
        case .asin, .acos:
            return "is outside the domain of \(op.name), -1 <= x <= 1"
        case .pow, .powConst:
            if a == 0, b < 0 { return "is 0 to a negative power: a pole" }
            if a < 0, b != b.rounded() { return "is a negative base to a non-integer power: not real" }
            if value.isInfinite { return "overflows: the result is beyond double precision (about 1.8e308)" }
            return "is not a real number"
        default:
            if value.isInfinite { return "overflows: the result is beyond double precision (about 1.8e308)" }
            return "is not a number (NaN) for these operands"
        }
    }
}
