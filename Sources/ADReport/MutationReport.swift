// `adverify selftest`'s report: mutation.md (the score, the gaps, which cases kill which
// mutants) and mutation.json.
import ADVerify
import Foundation

/// Renders a ``MutationRun``.
public enum MutationReport {
    /// Writes mutation.md and mutation.json into `directory`, each atomically.
    @discardableResult
    public static func write(_ run: MutationRun, to directory: String) throws(ReportError) -> [String] {
        let writer = ReportWriter(directory: directory)
        let json: Data
        do {
            json = try JSONReport.encoder().encode(run)
        } catch {
            throw ReportError(path: writer.path("mutation.json"), reason: "\(error)")
        }
        return [
            try writer.write(json, to: "mutation.json"),
            try writer.write(Data(render(run).utf8), to: "mutation.md"),
        ]
    }

    /// `197 of 197 killable mutants killed (100.0 %)`.
    public static func scoreLine(_ run: MutationRun) -> String {
        let killable = run.mutants.count - run.equivalent
        return "\(run.killed) of \(killable) killable mutants killed (\(String(format: "%.1f", 100 * run.score)) %)"
    }

    public static func render(_ run: MutationRun) -> String {
        var parts = ["# adverify mutation report"]
        parts.append(header(run))
        parts.append(survivors(run))
        parts.append(byTarget(run))
        parts.append(everyMutant(run, title: "Mutants of the rule table", network: false))
        parts.append(everyMutant(run, title: "Mutants of the network core's backpropagation", network: true))
        parts.append(soleKillers(run))
        parts.append(equivalents(run))
        parts.append(method(run))
        return parts.joined(separator: "\n\n") + "\n"
    }

    static func header(_ run: MutationRun) -> String {
        var lines = [
            "**Mutation score: \(scoreLine(run)).** \(run.survived) survived; \(run.equivalent) equivalent mutant\(run.equivalent == 1 ? " is" : "s are") left out of the score.",
            "",
            "Catalogue \(run.paths.map(Markdown.code).joined(separator: ", ")): \(run.cases) cases; \(run.startedAt), \(Numbers.seconds(run.duration)); adverify \(Markdown.text(run.tool.adverify)), \(Markdown.text(run.tool.swift)).",
        ]
        if !run.excludedCases.isEmpty {
            lines += ["", "Left out as killers because they do not pass without a mutant: \(run.excludedCases.map(Markdown.code).joined(separator: ", "))."]
        }
        return lines.joined(separator: "\n")
    }

    static func survivors(_ run: MutationRun) -> String {
        let survived = run.mutants.filter { $0.status == .survived }
        guard !survived.isEmpty else {
            return "## Surviving mutants\n\nNone: every killable mutant makes some case fail."
        }
        let rows = survived.map { m in
            [Markdown.code(m.id), Markdown.text(m.description),
             m.casesRun == 0 ? "no case uses it" : m.casesRun == 1 ? "the 1 case that exercises it still passes" : "all \(m.casesRun) cases that exercise it still pass"]
        }
        return "## Surviving mutants: gaps in the catalogue\n\n"
            + "Each is a wrong derivative no case catches; a case that exercises it where the wrong rule differs from the true one would close the gap.\n\n"
            + Markdown.table(["mutant", "what is wrong", "why it survives"], rows: rows)
    }

    static func byTarget(_ run: MutationRun) -> String {
        var order: [String] = []
        var groups: [String: [MutantResult]] = [:]
        for m in run.mutants {
            if groups[m.target] == nil { order.append(m.target) }
            groups[m.target, default: []].append(m)
        }
        let rows = order.map { target -> [String] in
            let ms = groups[target]!
            let killable = ms.count { $0.status != .equivalent }
            let killed = ms.count { $0.status == .killed }
            let survived = ms.count { $0.status == .survived }
            let cases = ms.map(\.casesRun).max() ?? 0
            return [Markdown.code(target), "\(ms.count)", "\(killed)", survived == 0 ? "0" : "**\(survived)**",
                    "\(ms.count - killable)", "\(cases)", killable == 0 ? "—" : String(format: "%.0f %%", 100 * Double(killed) / Double(killable))]
        }
        return "## By primitive\n\n" + Markdown.table(
            ["primitive", "mutants", "killed", "survived", "equivalent", "cases exercising it", "score"],
            align: [.left, .right, .right, .right, .right, .right, .right], rows: rows)
    }

    static func everyMutant(_ run: MutationRun, title: String, network: Bool) -> String {
        let ms = run.mutants.filter { ($0.id.hasPrefix("network/")) == network }
        guard !ms.isEmpty else { return "## \(title)\n\nNone were run." }
        let rows = ms.map { m -> [String] in
            let status: String = switch m.status {
            case .killed: "✓ killed"
            case .survived: "**✗ survived**"
            case .equivalent: "≡ equivalent"
            }
            return [Markdown.code(m.id), Markdown.text(m.description), status, killedBy(m), failingChecks(m)]
        }
        return "## \(title)\n\n" + Markdown.table(["mutant", "what is wrong", "status", "killed by", "failing checks"], rows: rows)
    }

    /// `12 of 40: peharz-backward-pass, domke-… and 9 more`.
    static func killedBy(_ m: MutantResult) -> String {
        guard !m.killers.isEmpty else { return m.status == .equivalent ? "—" : "0 of \(m.casesRun)" }
        let shown = m.killers.prefix(3).map { Markdown.code($0.id) }.joined(separator: ", ")
        let more = m.killers.count > 3 ? " and \(m.killers.count - 3) more" : ""
        return "\(m.killers.count) of \(m.casesRun): \(shown)\(more)"
    }

    /// `oracles 12, expectation 3`: how many killers failed each kind of check (the oracle
    /// methods are in mutation.json).
    static func failingChecks(_ m: MutantResult) -> String {
        var counts: [String: Int] = [:]
        for k in m.killers {
            for kind in Set(k.checks.map { $0.hasPrefix("oracle:") ? "oracles" : $0 }) { counts[kind, default: 0] += 1 }
        }
        guard !counts.isEmpty else { return "—" }
        return counts.keys.sorted { (counts[$0]!, $1) > (counts[$1]!, $0) }
            .map { "\(Markdown.text($0)) \(counts[$0]!)" }.joined(separator: ", ")
    }

    static func soleKillers(_ run: MutationRun) -> String {
        let sole = run.mutants.filter { $0.killers.count == 1 }
        var byCase: [String: [String]] = [:]
        for m in sole { byCase[m.killers[0].id, default: []].append(m.id) }
        let header = "## Cases that alone kill a mutant\n\n"
            + "Removing one of these cases would open a gap: each is the only case that kills the mutants listed.\n\n"
        guard !byCase.isEmpty else { return header + "None: every killed mutant is killed by at least two cases." }
        let rows = byCase.keys.sorted().map { id in [Markdown.code(id), byCase[id]!.map(Markdown.code).joined(separator: ", ")] }
        return header + Markdown.table(["case", "the only killer of"], rows: rows)
    }

    static func equivalents(_ run: MutationRun) -> String {
        let eq = run.mutants.filter { $0.status == .equivalent }
        guard !eq.isEmpty else { return "## Equivalent mutants\n\nNone." }
        return "## Equivalent mutants\n\n"
            + "Their partials equal the true ones at every probe point (a grid of a and b over [-3, 3] with irrational offsets, both sides of every kink), so no case can tell them apart: "
            + eq.map { "\(Markdown.code($0.id)) (\(Markdown.text($0.description)))" }.joined(separator: "; ") + "."
    }

    static func method(_ run: MutationRun) -> String {
        """
        ## How the mutants are made and judged

        - **Rule mutants** change one primitive's local partial derivatives in memory: the verifier's \
        workspaces overwrite the stored partials of that primitive's nodes after the primal sweep \
        (`Workspace.ruleMutation`). Values are untouched, so the numerical oracles see the true function, \
        while forward and reverse mode both use the wrong rule (and so agree with each other, as they would \
        on a real bug in the rule table). For each partial of each primitive: its sign flipped, doubled, \
        dropped (set to 0: its term of the chain rule lost), off by a relative 1e-6; the whole rule \
        evaluated at a doubled argument (`cos(x)` → `cos(2x)` for `sin`); and for binary primitives, \
        the two partials swapped.
        - **Network mutants** change the network core's backward pass (`NetworkWorkspace.backpropMutation`): \
        the derivative of one kind of activation dropped (the adjoint passed through), and the weight \
        gradient of every dense layer, or of every convolution, written transposed.
        - A mutant is **killed** when some case fails with it: an expectation, the network core against \
        the ADCore graph, or a numerical oracle against AD. Each mutant runs only the cases that \
        exercise it (a node of its primitive, a layer it changes) and that pass without it.
        - **Score** = killed / (all − equivalent). `adverify selftest` exits 1 while a mutant survives.
        """
    }
}
