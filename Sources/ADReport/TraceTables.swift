// Slides-style trace tables: the primal trace, the forward tangent trace and the reverse
// adjoint trace of a graph at one point, one row per node with its formula and number.
import ADCatalog
import ADCore
import ADVerify

/// Which trace tables to print. The primal trace comes with either mode: both sweeps start
/// from it.
public enum TraceModes: String, CaseIterable, Sendable, Codable {
    /// The primal and the forward tangent trace.
    case forward
    /// The primal and the reverse adjoint trace.
    case reverse
    /// The primal, the tangent and the adjoint trace.
    case both

    var showsTangents: Bool { self != .reverse }
    var showsAdjoints: Bool { self != .forward }
}

/// Trace tables in Markdown, for `adverify trace` and the report's per-case details.
///
/// As on the lecture slides (Ellis & Smith's forward primal and tangent traces, Peharz's
/// backwards pass), the primal and tangent traces read top to bottom, in evaluation order,
/// and the adjoint trace reads bottom to top: it starts at the output, whose adjoint is the
/// cotangent, and ends at the inputs, whose adjoints are the gradient.
///
/// ```
/// **Primal trace** (top to bottom)
///
/// | node | formula | value |
/// |:---|:---|---:|
/// | `x` | input | 2 |
/// | `a` | `a = x ^ 2` | 4 |
/// ...
/// ```
///
/// A table is left out when the trace has no numbers for it (no tangent seed, no cotangent).
public enum TraceTables {
    public static func markdown(_ trace: Trace, modes: TraceModes = .both) -> String {
        var parts = [primal(trace)]
        if modes.showsTangents, let seed = trace.tangentSeed { parts.append(tangent(trace, seed: seed)) }
        if modes.showsAdjoints, let cotangent = trace.cotangent { parts.append(adjoint(trace, cotangent: cotangent)) }
        if modes == .both, let seed = trace.tangentSeed, let cotangent = trace.cotangent, trace.rows.contains(where: { $0.adjointTangent != nil }) {
            parts.append(adjointTangent(trace, seed: seed, cotangent: cotangent))
        }
        return parts.joined(separator: "\n\n") + "\n"
    }

    /// The second-order table: each adjoint's tangent along the seed, bottom to top as the
    /// adjoint trace; at the inputs it is the Hessian-vector product (for a unit cotangent).
    static func adjointTangent(_ trace: Trace, seed: [Double], cotangent: [Double]) -> String {
        let seedText = zip(trace.inputNames, seed).map { "\(dotted($0)) = \(format($1))" }.joined(separator: ", ")
        let unitOutput = unitIndex(cotangent).map { trace.outputNames.indices.contains($0) ? trace.outputNames[$0] : nil } ?? nil
        let rows = trace.rows.reversed().map { row in
            let label = unitOutput.map { "d/dt ∂\($0)/∂\(row.name)" } ?? "d/dt " + barred(row.name)
            return [Markdown.text(label), formulaCell(row), row.adjointTangent.map(format) ?? ""]
        }
        let inputs = unitOutput.map { "at the inputs, ∇²\($0) v" } ?? "at the inputs, Σ u_k ∇²f_k v"
        return "**Second-order adjoint trace** (forward over reverse): the adjoints' tangents along the seed \(Markdown.text(seedText)), "
            + "bottom to top; \(Markdown.text(inputs))\n\n"
            + Markdown.table(["node", "formula", "adjoint tangent"], align: [.left, .left, .right], rows: rows)
    }

    static func primal(_ trace: Trace) -> String {
        let rows = trace.rows.map { row in
            [Markdown.text(row.name), formulaCell(row), format(row.value)]
        }
        return "**Primal trace** (top to bottom)\n\n"
            + Markdown.table(["node", "formula", "value"], align: [.left, .left, .right], rows: rows)
    }

    static func tangent(_ trace: Trace, seed: [Double]) -> String {
        let seedText = zip(trace.inputNames, seed).map { "\(dotted($0)) = \(format($1))" }.joined(separator: ", ")
        let rows = trace.rows.map { row in
            [Markdown.text(dotted(row.name)), formulaCell(row), row.tangent.map(format) ?? ""]
        }
        return "**Tangent trace**, seed \(Markdown.text(seedText)) (top to bottom)\n\n"
            + Markdown.table(["node", "formula", "tangent"], align: [.left, .left, .right], rows: rows)
    }

    static func adjoint(_ trace: Trace, cotangent: [Double]) -> String {
        let unitOutput = unitIndex(cotangent).map { trace.outputNames.indices.contains($0) ? trace.outputNames[$0] : nil } ?? nil
        let cotangentText = zip(trace.outputNames, cotangent).map { "\(barred($0)) = \(format($1))" }.joined(separator: ", ")
        let rows = trace.rows.reversed().map { row in
            let label = unitOutput.map { "∂\($0)/∂\(row.name)" } ?? barred(row.name)
            return [Markdown.text(label), formulaCell(row), row.adjoint.map(format) ?? ""]
        }
        return "**Adjoint trace**, cotangent \(Markdown.text(cotangentText)) (bottom to top)\n\n"
            + Markdown.table(["node", "formula", "adjoint"], align: [.left, .left, .right], rows: rows)
    }

    /// `a = x ^ 2` as code, or "input" for an input.
    private static func formulaCell(_ row: TraceRow) -> String {
        row.op == "input" ? "input" : Markdown.code(row.expression)
    }

    /// `ȧ`, `v̇1`: a tangent, as in Ellis & Smith's traces. The dot goes on the first letter,
    /// so `v1` reads as the slides' v̇₁, not as v with a dotted 1.
    static func dotted(_ name: String) -> String { Case.dotted(name) }

    /// `ā`, `v̄1`: an adjoint.
    static func barred(_ name: String) -> String { accent(name, "\u{304}") }

    private static func accent(_ name: String, _ mark: Character) -> String {
        guard let first = name.first else { return name }
        return String(first) + String(mark) + name.dropFirst()
    }

    /// `k` when `v` is the k-th unit vector.
    private static func unitIndex(_ v: [Double]) -> Int? {
        guard let k = v.firstIndex(of: 1) else { return nil }
        return v.indices.allSatisfy { $0 == k || v[$0] == 0 } ? k : nil
    }
}
