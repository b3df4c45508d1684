// The benchmark's report: performance.md with its SVG plots, and performance.json.
import ADBench
import Foundation

/// Renders a ``BenchReport``.
public enum PerformanceReport {
    /// The plot files the Markdown references, by name.
    static let ratioPlot = "performance-ratio-vs-n.svg"
    static let chainPlot = "performance-chain.svg"
    static let crossoverPlot = "performance-jacobian-crossover.svg"
    static let errorPlot = "performance-fd-error-vs-step.svg"
    static let networkPlot = "performance-mlp-time-per-batch.svg"

    /// Writes performance.md, performance.json and the plots into `directory`, each atomically.
    @discardableResult
    public static func write(
        _ report: BenchReport, comparison: BenchComparison?, checkCost: [CheckCost]? = nil, to directory: String,
        markdown writeMarkdown: Bool = true, json writeJSON: Bool = true
    ) throws(ReportError) -> [String] {
        let writer = ReportWriter(directory: directory)
        let plots = self.plots(report)
        let markdown = render(report, comparison: comparison, plots: Set(plots.map(\.file)), checkCost: checkCost)
        let json: Data
        do {
            json = try BenchJSON.encoder.encode(report)
        } catch {
            throw ReportError(path: writer.path("performance.json"), reason: "\(error)")
        }
        var written: [String] = []
        if writeMarkdown {
            for (file, plot) in plots { written.append(try writer.write(Data(SVGPlot.render(plot, width: 860, height: 480).utf8), to: file)) }
        }
        if writeJSON { written.append(try writer.write(json, to: "performance.json")) }
        if writeMarkdown { written.append(try writer.write(Data(markdown.utf8), to: "performance.md")) }
        return written
    }

    // MARK: - Markdown

    /// The whole report. `plots` names the plot files written beside it.
    public static func render(_ r: BenchReport, comparison: BenchComparison?, plots: Set<String>, checkCost: [CheckCost]? = nil) -> String {
        var parts: [String] = []
        parts.append("# adverify performance report")
        parts.append(header(r))
        parts.append("## Targets\n\n" + targetTable(r))
        if let comparison {
            parts.append("## Against the baseline\n\n" + PerformanceComparison.headline(comparison) + " The whole comparison is in `\(PerformanceComparison.fileName)`.")
        }
        if let f = r.family("sum-sin-exp") { parts.append(scaling(f, plots: plots)) }
        if let f = r.family("chain") { parts.append(chain(f, plots: plots)) }
        if let m = r.family("jacobian-m") { parts.append(crossover(m, r.family("jacobian-n"), plots: plots)) }
        if let f = r.family("textbook") { parts.append(textbook(f)) }
        if !r.network.isEmpty { parts.append(network(r.network, plots: plots)) }
        if let curve = r.errorCurve { parts.append(errorCurve(curve, plots: plots)) }
        if let run = r.catalogue { parts.append(catalogue(run)) }
        if let rows = checkCost, !rows.isEmpty { parts.append(self.checkCost(rows)) }
        parts.append(peers(r.peers))
        parts.append(method(r))
        return parts.joined(separator: "\n\n") + "\n"
    }

    static func header(_ r: BenchReport) -> String {
        let e = r.environment
        var lines = [
            "\(r.quick ? "Quick run (CI sizes)" : "Full run"), \(r.startedAt), \(String(format: "%.0f", r.duration)) s; peak RSS \(bytes(r.peakResidentBytes)).",
            "",
            Markdown.table(["", ""], rows: [
                ["machine", Markdown.text("\(e.cpu), \(e.cores) cores, \(e.platform)")],
                ["build", e.buildConfiguration == "release" ? "release (-O)" : "**\(e.buildConfiguration): these numbers say nothing about speed**"],
                ["versions", Markdown.text("adverify \(e.adverify), Swift \(e.swift), GSL \(e.gsl)")],
                ["BLAS", Markdown.text("\(e.blas), \(e.blasThreads) thread\(e.blasThreads == 1 ? "" : "s")")],
                ["samples", "≥ \(String(format: "%.0f", r.settings.sampleSeconds * 1e3)) ms of the timing thread's CPU time each (wall-clock time for the MLP with more than one OpenBLAS thread), up to \(r.settings.pairs) alternating pairs (at least \(r.settings.minimumPairs)) per measurement"],
            ]),
        ]
        lines.append("")
        lines.append("Every ratio is a method's time over the primal sweep's time, measured in pairs within this run; the median of the pairs is shown with the smallest and largest pair in brackets where it matters. Absolute times are medians per call.")
        return lines.joined(separator: "\n")
    }

    /// The targets as a Markdown table (also printed by `adverify bench`).
    public static func targetTable(_ r: BenchReport) -> String {
        guard !r.targets.isEmpty else { return "No target was measured in this run." }
        return Markdown.table(["", "target", "measured", "note"], rows: r.targets.map { t in
            [t.met.map { $0 ? "✓" : "✗" } ?? "—", Markdown.text(t.target), Markdown.text(t.measured), Markdown.text(t.note ?? "")]
        })
    }

    // MARK: Families

    static func scaling(_ f: FamilyResult, plots: Set<String>) -> String {
        var s = "## The cheap gradient: sum-sin-exp\n\n" + Markdown.text(f.description) + "\n\n"
        if plots.contains(ratioPlot) { s += "![time over primal time against n, log-log](\(ratioPlot))\n\n" }
        s += "Time over the primal sweep's time (median; min–max of the pairs below it). "
        s += "The reverse gradient stays a constant multiple of the function while the forward and numerical gradients grow with n.\n\n"
        s += methodTable(f) + "\n\n" + sizeTable(f)
        if !f.skipped.isEmpty { s += "\n\n" + f.skipped.map { "- " + Markdown.text($0) }.joined(separator: "\n") }
        return s
    }

    static func chain(_ f: FamilyResult, plots: Set<String>) -> String {
        var s = "## One input, d nested functions: chain\n\n" + Markdown.text(f.description) + "\n\n"
        if plots.contains(chainPlot) { s += "![time over primal time against d](\(chainPlot))\n\n" }
        s += "With one input, one forward sweep and one reverse sweep do the same work: the two ratios should meet, and every method is a constant number of primals at any depth.\n\n"
        return s + methodTable(f) + "\n\n" + sizeTable(f)
    }

    static func crossover(_ m: FamilyResult, _ n: FamilyResult?, plots: Set<String>) -> String {
        var s = "## Forward against reverse: the Jacobian crossover\n\n" + Markdown.text(m.description) + "\n\n"
        if plots.contains(crossoverPlot) { s += "![Jacobian time over primal time against m and n](\(crossoverPlot))\n\n" }
        s += "Forward mode costs about n tangent directions and reverse mode m adjoint sweeps over the same graph, so forward wins when n << m and reverse when m << n.\n\n"
        s += methodTable(m)
        if let n {
            s += "\n\n" + Markdown.text(n.description) + "\n\n" + methodTable(n)
        }
        return s
    }

    static func textbook(_ f: FamilyResult) -> String {
        var s = "## The seeds' worked examples\n\n" + Markdown.text(f.description) + "\n\n"
        let labels = f.graphs.compactMap(\.label)
        let methods = Array(Set(f.measurements.map(\.method))).sorted()
        let header = ["method"] + labels.map { label in
            let g = f.graphs.first { $0.label == label }
            return Markdown.code(label) + (g.map { "<br>\($0.inputs) input\($0.inputs == 1 ? "" : "s"), \($0.nodes) nodes" } ?? "")
        }
        var rows: [[String]] = []
        rows.append(["primal time"] + labels.map { l in
            f.measurements.first { $0.label == l && $0.method == .primal }.map { Numbers.seconds($0.seconds.median) } ?? ""
        })
        for method in methods where method != .primal {
            rows.append([Markdown.text(method.displayName)] + labels.map { l in
                f.measurements.first { $0.label == l && $0.method == method }.map(cell) ?? ""
            })
        }
        s += Markdown.table(header, align: [.left] + labels.map { _ in .right }, rows: rows)
        s += notes(f)
        if !f.skipped.isEmpty { s += "\n\n" + f.skipped.map { "- " + Markdown.text($0) }.joined(separator: "\n") }
        return s
    }

    static func network(_ rows: [NetworkTiming], plots: Set<String>) -> String {
        var s = "## The network core: 784-72-10, tanh, multiclass logistic loss\n\n"
        s += "Domke's perceptron without biases, parameters uniform in ±1/√fan-in, a random batch. Loss alone, loss + gradient (forward pass, loss, backpropagation), and the five GEMMs of one loss + gradient alone (X W1ᵀ, H W2ᵀ, dZ2ᵀ H, dZ2 W2, dZ1ᵀ X, with the network core's transposes): the limit on these shapes. At batch 1 the network core uses matrix-vector products and an outer-product loop instead of GEMMs.\n\n"
        if plots.contains(networkPlot) { s += "![time per batch against batch size](\(networkPlot))\n\n" }
        s += Markdown.table(
            ["batch", "OpenBLAS threads", "loss", "loss + gradient", "ratio", "GEMMs alone", "GEMM rate", "share of the GEMM rate"],
            align: [.right, .right, .right, .right, .right, .right, .right, .right],
            rows: rows.map { r in
                [
                    String(r.batch), String(r.threads), Numbers.seconds(r.lossSeconds), Numbers.seconds(r.lossAndGradientSeconds),
                    spread(r.ratio), Numbers.seconds(r.gemmSeconds), String(format: "%.1f GFLOP/s", r.gemmRate),
                    r.batch == 1 ? String(format: "(%.0f%%)", 100 * r.gemmShare) : String(format: "%.0f%%", 100 * r.gemmShare),
                ]
            })
        return s
    }

    static func errorCurve(_ c: ErrorCurve, plots: Set<String>) -> String {
        var s = "## Why differences are not references: the error against the step\n\n"
        s += Markdown.text("\(c.function) at x = \(Numbers.short(c.x)), against f'(2) = \(c.exact) (\(c.referenceSource)). ")
        s += "Truncation falls with the step (slopes 1, 2 and 4 on the right), round-off grows as the step shrinks (slope −1 on the left); the complex step has no subtraction and so no left arm.\n\n"
        if plots.contains(errorPlot) { s += "![absolute error against step, log-log](\(errorPlot))\n\n" }
        let names = ["forward", "central", "5-point", "complex step"]
        s += Markdown.table(["formula", "best step", "its error", "adverify's default step", "error there"], align: [.left, .right, .right, .right, .right], rows: names.map { name in
            let errors = c.errors[name] ?? []
            let best = c.bestSteps[name]
            let bestError = best.flatMap { b in c.steps.firstIndex(of: b).flatMap { errors[$0] } }
            let d = c.defaultSteps[name]
            let nearest = d.flatMap { d in c.steps.indices.min { abs(log10(c.steps[$0]) - log10(d)) < abs(log10(c.steps[$1]) - log10(d)) } }
            return [
                name, best.map(Numbers.short) ?? "", bestError.map(Numbers.short) ?? "",
                d.map(Numbers.short) ?? "", nearest.flatMap { errors[$0] }.map { "≈ " + Numbers.short($0) } ?? "",
            ]
        })
        return s
    }

    static func catalogue(_ run: CatalogueTiming) -> String {
        "## The catalogue's run time\n\n" + Markdown.code(run.command) + ": "
            + "\(Numbers.seconds(run.seconds.median)) (median of \(run.seconds.count) runs, \(Numbers.seconds(run.seconds.min))–\(Numbers.seconds(run.seconds.max)); \(run.buildConfiguration) build; exit \(run.exitCode)), "
            + "process start, loading, every check of every case, and the three reports included."
    }

    /// What a whole ADCheck gradient check costs, full and fast, in evaluations and seconds.
    static func checkCost(_ rows: [CheckCost]) -> String {
        let table = Markdown.table(
            ["function", "inputs", "mode", "entries", "evaluations", "per input", "seconds", "one evaluation", "check / evaluation", "verdict"],
            align: [.left, .right, .left, .right, .right, .right, .right, .right, .right, .left],
            rows: rows.map { c in
                [
                    Markdown.text(c.function), "\(c.inputs)",
                    Markdown.text(c.mode) + (c.sampled.map { " (\($0) sampled partials)" } ?? ""),
                    "\(c.entries)", "\(c.evaluations)",
                    String(format: "%.1f", Double(c.evaluations) / Double(Swift.max(c.inputs, 1))),
                    Numbers.seconds(c.seconds), Numbers.seconds(c.evaluationSeconds),
                    c.evaluationSeconds > 0 ? String(format: "%.0f", c.seconds / c.evaluationSeconds) : "–",
                    Markdown.text(c.verdict),
                ]
            })
        return "## What a gradient check costs (ADCheck)\n\n"
            + "A whole `DerivativeCheck.gradient` (the engine of ADCheck) of a hand-written gradient: sum-sin-exp as a "
            + "user writes it in Swift, and the 784-72-10 perceptron's loss with the network core's backprop as the "
            + "gradient. Full mode checks every partial, the 4-point central rule first (4 evaluations when it settles); "
            + "fast mode checks 4 random directions, 8 sampled partials and the Taylor slope, a cost independent of n. "
            + "A full check of the perceptron would take minutes: its row is estimated from sampled partials' evaluations "
            + "times all partials. Wall-clock time, one run each.\n\n" + table
    }

    static func peers(_ peers: [PeerInfo]) -> String {
        "## Peers\n\n" + peers.map { p in
            "- **\(Markdown.text(p.name))**\(p.version.map { " " + Markdown.text($0) } ?? "")\(p.available ? "" : " (not run)"): \(Markdown.text(p.note))"
        }.joined(separator: "\n")
    }

    static func method(_ r: BenchReport) -> String {
        """
        ## How this was measured

        - Each measurement warms up with one call, then finds a repetition count that makes one sample last at least \(String(format: "%.0f", r.settings.sampleSeconds * 1e3)) ms, separately for the primal and the method.
        - Then it takes pairs of samples, primal and method, alternating which goes first, and divides within each pair: the ratio of a pair is not disturbed by the machine being slower a second later. The median of the pairs is reported, with the smallest and largest; a note lists the measurements whose middle half of pairs (the interquartile range) spans more than \(String(format: "%.0f", 100 * MethodTiming.wideSpread))% of the median.
        - Pairs are capped by a time budget of \(String(format: "%.0f", r.settings.budgetSeconds)) s per measurement (at least \(r.settings.minimumPairs) pairs), so the O(n²) methods at large n take few pairs.
        - Before timing, every gradient is compared with adverify's reverse gradient (or the Jacobians with each other); a disagreement is noted in the tables.
        - Evaluations are counted on one call: primal evaluations for the numerical methods, sweeps for forward mode.
        - Tape: bytes per node the reverse sweep keeps (the graph's op, two operand indices and constant; the workspace's value, two local partials and adjoint).
        """
    }

    // MARK: Tables

    /// Methods down, sizes across.
    static func methodTable(_ f: FamilyResult) -> String {
        let sizes = Array(Set(f.measurements.filter { $0.label == nil }.map(\.size))).sorted()
        let methods = Array(Set(f.measurements.map(\.method))).sorted()
        var rows: [[String]] = []
        rows.append(["primal time"] + sizes.map { n in f.measurement(.primal, size: n).map { Numbers.seconds($0.seconds.median) } ?? "" })
        for method in methods where method != .primal {
            rows.append([Markdown.text(method.displayName)] + sizes.map { n in f.measurement(method, size: n).map(cell) ?? "" })
        }
        let table = Markdown.table(["\(f.sizeName) ="] + sizes.map(power), align: [.left] + sizes.map { _ in .right }, rows: rows)
        return table + notes(f)
    }

    /// Sizes down: graph size, tape, evaluation counts.
    static func sizeTable(_ f: FamilyResult) -> String {
        let counted: [MethodID] = [.forwardVector, .forwardScalar, .forwardDifference, .centralDifference, .fivePoint, .gslCentral, .complexStep]
        let present = counted.filter { m in f.measurements.contains { $0.method == m } }
        let header = [f.sizeName, "nodes", "tape bytes / node"] + present.map { Markdown.text($0.shortName) + ($0 == .forwardVector || $0 == .forwardScalar ? ": sweeps" : ": evaluations") }
        return Markdown.table(header, align: Array(repeating: .right, count: header.count), rows: f.graphs.map { g in
            [power(g.size), Numbers.grouped(g.nodes), String(format: "%.0f", g.tapeBytesPerNode)]
                + present.map { m in f.measurement(m, size: g.size, label: g.label)?.evaluations.map(Numbers.grouped) ?? "" }
        })
    }

    /// Footnotes: measurements with notes, then one line for the widely spread ones.
    static func notes(_ f: FamilyResult) -> String {
        func place(_ m: MethodTiming) -> String {
            "\(Markdown.text(m.method.displayName)) at \(f.sizeName) = \(power(m.size))\(m.label.map { " (" + Markdown.code($0) + ")" } ?? "")"
        }
        var lines = f.measurements.filter { $0.note != nil }.map { "- \(place($0)): \(Markdown.text($0.note!))" }
        let wide = f.measurements.filter(\.isWidelySpread)
        if !wide.isEmpty {
            lines.append("- Wide spread (the middle half of the pairs spans more than \(String(format: "%.0f", 100 * MethodTiming.wideSpread))% of the median): "
                + wide.map { "\(place($0)) (\(String(format: "%.0f", 100 * $0.ratio.relativeInterquartileRange))%)" }.joined(separator: ", ") + ".")
        }
        return lines.isEmpty ? "" : "\n\n" + lines.joined(separator: "\n")
    }

    /// `2.03` over `1.98–2.10`, in a narrow cell.
    static func cell(_ m: MethodTiming) -> String {
        ratio(m.ratio.median) + (m.ratio.count > 1 ? "<br><sub>\(ratio(m.ratio.min))–\(ratio(m.ratio.max))</sub>" : "")
    }

    static func spread(_ s: Spread) -> String {
        ratio(s.median) + " (\(ratio(s.min))–\(ratio(s.max)))"
    }

    /// Three significant digits, no exponent below a million.
    static func ratio(_ x: Double) -> String {
        guard x.isFinite else { return Numbers.short(x) }
        if x >= 1e6 { return String(format: "%.2e", x) }
        if x >= 100 { return Numbers.grouped(Int(x.rounded())) }
        if x >= 10 { return String(format: "%.1f", x) }
        return String(format: "%.2f", x)
    }

    /// `10⁴` for powers of ten from 1000 up, the number otherwise.
    static func power(_ n: Int) -> String {
        var k = 0, m = n
        while m >= 10, m % 10 == 0 { m /= 10; k += 1 }
        guard m == 1, k >= 3 else { return Numbers.grouped(n) }
        let superscripts: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
        return "10" + String(String(k).map { superscripts[Int(String($0))!] })
    }

    static func bytes(_ n: Int) -> String {
        n >= 1 << 30 ? String(format: "%.1f GiB", Double(n) / Double(1 << 30)) : String(format: "%.0f MiB", Double(n) / Double(1 << 20))
    }
}

/// One whole gradient check (ADCheck's engine) of a user-style closure and its hand-written
/// gradient: its cost in evaluations of the function and in seconds, against one evaluation.
/// Measured by the command line after the benchmark's families and rendered into
/// performance.md; kept out of ADBench, whose code layout the Jacobian ratios are sensitive to.
public struct CheckCost: Codable, Sendable, Hashable {
    /// `sum-sin-exp`, `mlp 784-72-10 loss`.
    public var function: String
    /// The number of inputs (partials of the gradient).
    public var inputs: Int
    /// `full`, `fast`, or `full (estimated)`: a full check too long to run, estimated from the
    /// evaluations of `sampled` partials checked one by one.
    public var mode: String
    /// Entries the check judged (partials, directions, the Taylor slope).
    public var entries: Int
    /// Evaluations of the function the check spent (estimated: per partial times inputs).
    public var evaluations: Int
    /// Wall-clock seconds of the whole check (estimated: evaluations times one evaluation).
    public var seconds: Double
    /// Seconds of one evaluation of the function (median).
    public var evaluationSeconds: Double
    /// pass, fail or inconclusive: a correct gradient must not fail.
    public var verdict: String
    /// Partials checked one by one for an estimate.
    public var sampled: Int?

    public init(
        function: String, inputs: Int, mode: String, entries: Int, evaluations: Int, seconds: Double,
        evaluationSeconds: Double, verdict: String, sampled: Int? = nil
    ) {
        self.function = function
        self.inputs = inputs
        self.mode = mode
        self.entries = entries
        self.evaluations = evaluations
        self.seconds = seconds
        self.evaluationSeconds = evaluationSeconds
        self.verdict = verdict
        self.sampled = sampled
    }
}
