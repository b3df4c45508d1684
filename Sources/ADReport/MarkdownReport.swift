// `verification.md`: what a run found, for people — on GitHub and in a browser.
import ADCatalog
import ADNumeric
import ADNetwork
import ADVerify

/// Renders a run as GitHub-flavoured Markdown: `verification.md`, and one page per case.
///
/// `verification.md` reads top-down from "did it pass" to "why": a one-line verdict and the
/// summary tables; load errors with their caret displays; the failures, each check that failed
/// with the numbers it was decided on; the inconclusive checks counted by reason; and an index
/// of every case linking to its page. It stays under ``sizeLimit`` bytes whatever the
/// catalogue's size (GitHub renders Markdown files only up to a few hundred KB): the failures
/// are cut to a budget, and a large index drops its titles, then lists only the cases that did
/// not pass. Each case's page (``casePage(_:)``, written to `cases/<id>.md`) holds every
/// method's number for every quantity, the dot-product test, the slides-style traces when the
/// run or the case asked for them, and the case's YAML.
///
/// Every piece of user text (titles, sources, notes, names) is escaped, so a case file cannot
/// break the page's tables or inject HTML.
public enum MarkdownReport {
    /// The most bytes `verification.md` takes (GitHub's Markdown API renders up to 400 KB).
    public static let sizeLimit = 390_000
    /// The bytes the failures section may take before the rest is left to the index and the pages.
    static let failuresBudget = 120_000
    /// Failed checks shown per case in verification.md (all of them are on the case's page).
    static let failedChecksPerCase = 20
    /// Load errors shown in full (all of them are in verification.json).
    static let loadErrorsShown = 30
    /// A marker on the first line of every case page, so stale pages of an earlier run can be
    /// told from files someone else put in the folder.
    public static let casePageMarker = "<!-- adverify case page -->"

    public static func render(_ run: RunResult) -> String {
        var blocks = ["# adverify verification report", headline(run), summary(run)]
        if !run.loadErrors.isEmpty { blocks.append(loadErrors(run.loadErrors)) }
        let failed = run.cases.filter { $0.verdict == .fail }
        if !failed.isEmpty { blocks.append(failures(failed)) }
        let reasons = InconclusiveReasons(run.cases)
        if !reasons.groups.isEmpty { blocks.append("## Inconclusive checks by reason\n\n" + reasons.table(linkingCases: true)) }
        if !run.cases.isEmpty {
            blocks.append(
                "Each case's page (`cases/<id>.md`, linked from the index) has the table of every method's number for every "
                    + "quantity, the dot-product test, the slides-style traces (with `adverify run --traces`, or `trace: true` in "
                    + "the case) and the case file.")
            let head = blocks.joined(separator: "\n\n")
            blocks.append(index(run.cases, budget: sizeLimit - head.utf8.count - 200))
        }
        return blocks.joined(separator: "\n\n") + "\n"
    }

    /// A case's page, for `cases/<id>.md`: everything about the case, linking back to the report.
    public static func casePage(_ c: CaseResult) -> String {
        casePageMarker + "\n\n[← verification report](../verification.md)\n\n" + section(c, level: "#") + "\n\n" + budgetNote + "\n"
    }

    static let budgetNote =
        "In the table, `±` under a reference's value is the budget it judged AD's value with (10 times its own error "
        + "estimate, never below 4 ulps): a ✓ within ± 0.8 says far less than a ✓ within ± 1e−10. Under an expected "
        + "number, `±` is the case's tolerance for it."

    /// The page's path in the report folder: `cases/<id>.md` (ids are `[a-z0-9-]`; anything
    /// else is replaced, so the path stays inside the folder).
    public static func casePath(of id: String) -> String {
        "cases/" + pageName(of: id)
    }

    /// `<id>.md`, with anything but letters, digits, `-` and `_` replaced by `-`.
    public static func pageName(of id: String) -> String {
        String(id.prefix(120).map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "-" }) + ".md"
    }

    /// The anchor of a case's section: `case-<id>` (ids are `[a-z0-9-]`; anything else is
    /// replaced so the anchor stays a plain fragment).
    public static func anchor(of id: String) -> String {
        "case-" + String(id.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "-" })
    }

    // MARK: Summary

    static func headline(_ run: RunResult) -> String {
        let s = run.summary
        var parts: [String] = []
        if s.failedCases > 0 {
            parts.append("**✗ \(s.failedCases) of \(count(s.cases, "case")) failed** · \(s.failedChecks) of \(count(s.checks, "check")) failed")
        } else if s.cases == 0 {
            parts.append("**No cases were verified.**")
        } else if s.passedCases == 0 {
            parts.append("**? No case could be decided** (\(count(s.checks, "check")), all inconclusive)")
        } else {
            parts.append("**✓ \(s.cases == 1 ? "The case" : "All \(s.cases) cases") passed** (\(count(s.passedChecks, "check")) passed, \(s.inconclusiveChecks) inconclusive)")
        }
        if s.loadErrors > 0 {
            parts.append("**✗ \(count(s.loadErrors, "load error"))**")
        }
        if let shard = run.shard {
            parts.append("shard \(shard.index) of \(shard.count): only its share of the cases (`adverify merge` joins the shards)")
        }
        return parts.joined(separator: " · ")
    }

    /// Cases and checks by verdict (verification.md and summary.md).
    static func counts(_ s: RunSummary) -> String {
        Markdown.table(
            ["", "cases", "checks"], align: [.left, .right, .right],
            rows: [
                ["✓ passed", "\(s.passedCases)", "\(s.passedChecks)"],
                ["✗ failed", "\(s.failedCases)", "\(s.failedChecks)"],
                ["? inconclusive", "\(s.inconclusiveCases)", "\(s.inconclusiveChecks)"],
                ["**total**", "**\(s.cases)**", "**\(s.checks)**"],
            ])
    }

    static func summary(_ run: RunResult) -> String {
        let s = run.summary
        let counts = counts(s)
        let t = run.tool
        let facts = Markdown.table(
            ["run", ""], align: [.left, .left],
            rows: [
                ["load errors", s.loadErrors == 0 ? "0" : "**\(s.loadErrors)** (see [below](#load-errors))"],
                ["run time", Numbers.seconds(run.duration)],
                ["started at", Markdown.text(run.startedAt)],
                ["paths", run.paths.map(Markdown.code).joined(separator: ", ")],
                ["adverify", Markdown.text(t.adverify)],
                ["GSL", Markdown.text(t.gsl)],
                ["Swift", Markdown.text(t.swift)],
                ["platform", Markdown.text(t.platform)],
            ])
        return counts + "\n\n" + facts
    }

    static func loadErrors(_ errors: [CatalogError]) -> String {
        var lines = ["## <a id=\"load-errors\"></a>Load errors", "These case files (or parts of them) could not be loaded; their other cases were verified."]
        lines += errors.prefix(loadErrorsShown).map { Markdown.fence(Markdown.clip($0.description, 4000), language: "text") }
        if errors.count > loadErrorsShown {
            lines.append("… and \(errors.count - loadErrorsShown) more load errors, all in `verification.json` and `junit.xml`.")
        }
        return lines.joined(separator: "\n\n")
    }

    // MARK: Failures

    static func failures(_ cases: [CaseResult]) -> String {
        var blocks = ["## <a id=\"failures\"></a>Failures"]
        var used = 0, shown = 0
        for c in cases {
            var part = ["### ✗ [\(Markdown.text(c.id))](\(casePath(of: c.id)))\n\n\(Markdown.line(Markdown.clip(c.title, 200)))"]
            if let error = c.error {
                part.append("**Could not be verified:** \(Markdown.text(Markdown.clip(error, 2000)))")
                if let diagnostic = c.diagnostic { part.append(Markdown.fence(Markdown.clip(diagnostic.description, 4000), language: "text")) }
            }
            let failed = c.failures
            if !failed.isEmpty {
                part.append(Markdown.table(
                    ["quantity", "check", "expected or reference", "computed", "difference", "budget"],
                    align: [.left, .left, .right, .right, .right, .right],
                    rows: failed.prefix(failedChecksPerCase).map(failureRow)))
                // Whose number is wrong (and at a kink, the conventions), under the table.
                let said = failed.prefix(failedChecksPerCase).compactMap { check in
                    check.detail.map { "- \(Markdown.text(check.quantity)): \(Markdown.text(Markdown.clip($0, 800)))" }
                }
                if !said.isEmpty { part.append(said.joined(separator: "\n")) }
                if failed.count > failedChecksPerCase {
                    part.append("… and \(failed.count - failedChecksPerCase) more failed checks on [its page](\(casePath(of: c.id))).")
                }
            }
            let text = part.joined(separator: "\n\n")
            // The first failed case always shows; the others while the budget lasts.
            if shown > 0, used + text.utf8.count > failuresBudget { break }
            blocks.append(text)
            used += text.utf8.count
            shown += 1
        }
        if shown < cases.count {
            blocks.append("… and \(cases.count - shown) more failed cases: each is marked ✗ in the index below and has its page.")
        }
        return blocks.joined(separator: "\n\n")
    }

    /// One failed check: what was compared with what, and by how much it missed.
    static func failureRow(_ check: Check) -> [String] {
        let c = check.comparison
        let what: String, reference: String, computed: String
        switch check.kind {
        case .expectation:
            what = "expected" + (check.location.map { " at " + Markdown.code("\($0.file):\($0.line)") } ?? "")
            reference = check.expectedText.map(Markdown.text) ?? format(c.reference)
            computed = format(c.value) + " (reverse AD)"
        case .modes:
            what = "forward vs reverse AD"
            reference = format(c.reference) + " (reverse)"
            computed = format(c.value) + " (forward)"
        case .oracle:
            what = "oracle " + Markdown.code(c.method)
            reference = format(c.reference)
            computed = format(c.value) + " (AD)"
        case .dotProduct:
            what = "dot product"
            reference = format(c.reference) + " (⟨Jᵀu, v⟩)"
            computed = format(c.value) + " (⟨u, J v⟩)"
        case .architecture:
            what = "architecture" + (check.location.map { " at " + Markdown.code("\($0.file):\($0.line)") } ?? "")
            reference = check.expectedText.map(Markdown.text) ?? format(c.reference)
            computed = Markdown.text(check.detail ?? format(c.value))
        case .network:
            what = "network core vs ADCore graph"
            reference = format(c.reference) + " (graph)"
            computed = format(c.value) + " (network)"
        case .symmetry:
            what = "symmetry of second derivatives"
            reference = format(c.reference)
            computed = format(c.value)
        }
        return [Markdown.text(check.quantity), what, reference, computed, format(c.difference), Numbers.short(c.budget)]
    }

    // MARK: Index

    /// The index of every case, linking to its page, in at most `budget` bytes: with titles if
    /// they fit, else without, else only the cases that did not pass and a count per file.
    static func index(_ cases: [CaseResult], budget: Int) -> String {
        func tally(_ c: CaseResult) -> String {
            "\(c.checks.count { $0.comparison.verdict == .pass }) ✓ · \(c.checks.count { $0.comparison.verdict == .fail }) ✗ · \(c.checks.count { $0.comparison.verdict.isInconclusive }) ?"
        }
        func link(_ c: CaseResult) -> String { "[\(Markdown.text(c.id))](\(casePath(of: c.id)))" }
        func digits(_ c: CaseResult) -> String { c.worstAgreeingDigits.map(Numbers.digits) ?? "" }
        let withTitles = "## Index\n\n" + Markdown.table(
            ["", "case", "title", "checks", "worst digits"], align: [.center, .left, .left, .right, .right],
            rows: cases.map { [$0.verdict.mark, link($0), Markdown.text(Markdown.shorten($0.title, 80)), tally($0), digits($0)] })
        if withTitles.utf8.count <= budget { return withTitles }
        let bare = "## Index\n\n" + Markdown.table(
            ["", "case", "checks", "worst digits"], align: [.center, .left, .right, .right],
            rows: cases.map { [$0.verdict.mark, link($0), tally($0), digits($0)] })
        if bare.utf8.count <= budget { return bare }
        // Too many cases to list: a count per file, then the cases that did not pass.
        var files: [String: (pass: Int, fail: Int, open: Int)] = [:]
        var order: [String] = []
        for c in cases {
            if files[c.location.file] == nil { order.append(c.location.file) }
            var t = files[c.location.file] ?? (0, 0, 0)
            switch c.verdict {
            case .pass: t.pass += 1
            case .fail: t.fail += 1
            case .inconclusive: t.open += 1
            }
            files[c.location.file] = t
        }
        var out = "## Index\n\n\(cases.count) cases, too many to list here: every one has its page in `cases/` and its full record in `verification.json`.\n\n"
        let perFile = Markdown.table(
            ["file", "✓", "✗", "?"], align: [.left, .right, .right, .right],
            rows: order.map { f in let t = files[f] ?? (0, 0, 0); return [Markdown.code(f), "\(t.pass)", "\(t.fail)", "\(t.open)"] })
        out += perFile.utf8.count < budget / 3 ? perFile + "\n\n" : ""
        let open = cases.filter { $0.verdict != .pass }
        guard !open.isEmpty else { return out + "Every case passed." }
        var rows: [[String]] = [], used = out.utf8.count + 200
        for c in open {
            let row = [c.verdict.mark, link(c), tally(c), digits(c)]
            used += row.joined().utf8.count + 16
            if used > budget { break }
            rows.append(row)
        }
        out += "The cases that did not pass:\n\n" + Markdown.table(["", "case", "checks", "worst digits"], align: [.center, .left, .right, .right], rows: rows)
        if rows.count < open.count { out += "\n\n… and \(open.count - rows.count) more: see `verification.json`." }
        return out
    }

    // MARK: One case

    static func section(_ c: CaseResult, level: String = "###") -> String {
        var blocks = ["\(level) <a id=\"\(anchor(of: c.id))\"></a>\(c.verdict.mark) \(Markdown.text(c.id))"]
        blocks.append("**\(Markdown.text(c.title))**")
        if let note = c.note, !note.isEmpty { blocks.append(Markdown.blockquote(note)) }
        blocks.append(facts(c))
        if let error = c.error {
            blocks.append("> **✗ This case could not be verified:** \(Markdown.text(error))")
        }
        for notice in c.notices ?? [] { blocks.append("> **Notice:** \(Markdown.text(notice))") }
        if let network = c.network { blocks.append(networkBlock(c, network)) }
        if c.rows.contains(where: { !$0.kind.isSecondOrder }) { blocks.append(quantityTable(c)) }
        for check in c.checks where check.kind == .dotProduct {
            blocks.append(dotProduct(check))
        }
        if c.rows.contains(where: \.kind.isSecondOrder) { blocks.append(secondOrderTable(c)) }
        let symmetry = c.checks.filter { $0.kind == .symmetry }
        if !symmetry.isEmpty {
            blocks.append("**Symmetry of the second derivatives:** " + symmetry.map { s in
                "\(Markdown.text(s.quantity)) \(s.comparison.verdict.mark) (difference \(format(s.comparison.difference)), budget \(Numbers.short(s.comparison.budget)))"
            }.joined(separator: "; "))
        }
        if let trace = c.trace {
            blocks.append(details("Trace: primal, tangent and adjoint", TraceTables.markdown(trace, modes: .both)))
        } else if c.error == nil, c.nodeCount > 0, c.nodeCount <= 2000 {
            blocks.append("The slides-style trace: " + Markdown.code("adverify trace \(c.location.file) --id \(c.id)") + " (or `adverify run --traces`).")
        }
        blocks.append(details("Case file", Markdown.fence(c.text, language: "yaml")))
        return blocks.joined(separator: "\n\n")
    }

    static func facts(_ c: CaseResult) -> String {
        let passed = c.checks.count { $0.comparison.verdict == .pass }
        let failed = c.checks.count { $0.comparison.verdict == .fail }
        let open = c.checks.count { $0.comparison.verdict.isInconclusive }
        var verdict = "**\(c.verdict.mark) \(c.verdict.word)** — \(count(c.checks.count, "check")): \(passed) ✓, \(failed) ✗, \(open) ?"
        if let digits = c.worstAgreeingDigits { verdict += "; worst agreeing digits \(Numbers.digits(digits))" }
        if let reason = c.verdict.reason { verdict += " (\(Markdown.text(reason)))" }
        var items = ["**Verdict:** " + verdict]
        if let source = c.source, !source.isEmpty { items.append("**Source:** <cite>\(Markdown.html(source))</cite>") }
        items.append("**Location:** " + Markdown.code("\(c.location.file):\(c.location.line)"))
        if !c.tags.isEmpty { items.append("**Tags:** " + c.tags.map(Markdown.code).joined(separator: " ")) }
        if let network = c.network {
            if let p = network.parameterCount, network.batch != nil {
                items.append("**Inputs:** \(Numbers.grouped(p)) parameters (\(Markdown.text(network.parameterOrigin ?? "")))" + (c.inputs.isEmpty ? "" : ": " + values(c.inputs)))
            }
        } else {
            items.append("**Inputs:** " + values(c.inputs))
        }
        if !c.outputs.isEmpty { items.append("**Outputs:** " + values(c.outputs)) }
        var cost = "\(Numbers.grouped(c.nodeCount)) nodes, \(Numbers.grouped(c.oracleEvaluations)) oracle evaluations, \(Numbers.seconds(c.duration))"
        if !c.isAnalytic { cost += "; not analytic, so no complex step" }
        items.append("**Graph:** " + cost)
        // The convention's name only: its values are in docs/case-format.md and on every failure at a kink.
        if let kinks = c.kinks { items.append("**Kinks:** " + Markdown.code(kinks.description)) }
        return items.map { "- " + $0 }.joined(separator: "\n")
    }

    static func values(_ named: [NamedValue]) -> String {
        named.map { "\(Markdown.text($0.name)) = \(format($0.value))" }.joined(separator: ", ")
    }

    /// The numbered notes under a table: each distinct text once, referred to by its number.
    struct Notes {
        var items: [String] = []

        /// The number of `text`'s note, adding it if new.
        mutating func number(_ text: String) -> Int {
            if let index = items.firstIndex(of: text) { return index + 1 }
            items.append(text)
            return items.count
        }

        /// `<sup>2,3</sup>` for the notes of `texts` (commas, so 2 and 3 never read as 23).
        mutating func refs(_ texts: [String]) -> String {
            // A word joiner keeps the numbers on the mark's line; no spaces, so no break inside.
            texts.isEmpty ? "" : "\u{2060}<sup>" + texts.map { String(number($0)) }.joined(separator: ",") + "</sup>"
        }

        var markdown: String {
            items.enumerated().map { "\($0.offset + 1). \(Markdown.text($0.element))" }.joined(separator: "\n")
        }
    }

    /// The oracles shown as columns: the runner's defaults always (so every case's table has
    /// the same shape), then any other method a case used.
    static func oracleColumns(_ c: CaseResult) -> [DifferenceMethod] {
        var methods = Runner.defaultOracles
        for row in c.rows where !row.kind.isSecondOrder {
            for cell in row.oracles where !methods.contains(cell.requested) { methods.append(cell.requested) }
        }
        return methods
    }

    static func header(_ method: DifferenceMethod) -> String {
        switch method {
        case .gslCentral: "GSL"
        case .gslForward: "GSL forward"
        case .gslBackward: "GSL backward"
        case .central: "central FD"
        case .fivePoint: "5-point"
        case .fourPointCentral: "4-point central"
        case .complexStep: "complex step"
        case .richardson: "Richardson"
        case .forward: "forward FD"
        case .backward: "backward FD"
        case .secondCentral: "second difference"
        case .secondRichardson: "second diff. Richardson"
        }
    }

    static func isGSL(_ method: DifferenceMethod) -> Bool {
        method == .gslCentral || method == .gslForward || method == .gslBackward
    }

    static func quantityTable(_ c: CaseResult) -> String {
        let methods = oracleColumns(c)
        var notes = Notes()
        var rows: [[String]] = []
        for row in c.rows where !row.kind.isSecondOrder {
            let checks = c.checks.filter { $0.quantity == row.quantity }
            var cells = leadingCells(row, checks: checks, notes: &notes)

            var forward = row.forward.map(format) ?? ""
            if let modes = checks.first(where: { $0.kind == .modes && $0.comparison.verdict != .pass }) {
                forward += nbsp + modes.comparison.verdict.mark + notes.refs([modes.message])
            }
            cells.append(forward)
            cells.append(row.reverse.map(format) ?? "")

            for method in methods {
                guard let o = row.oracles.first(where: { $0.requested == method }) else {
                    cells.append("")
                    continue
                }
                var s = format(o.value) + nbsp + o.verdict.mark
                s += notes.refs([o.verdict.reason, o.note.map { "\(o.method.rawValue): \($0)" }].compactMap { $0 })
                // The budget the value was judged with (its check's); an inconclusive estimate has
                // none, and GSL's then shows its own error.
                let budget = checks.first { $0.kind == .oracle && $0.comparison.method == o.method.rawValue }?.comparison.budget
                if let budget, budget.isFinite {
                    s += "\n" + Numbers.plusMinus(budget)
                } else if isGSL(o.requested), o.error.isFinite {
                    s += "\n" + Numbers.plusMinus(o.error)
                }
                if o.method != o.requested { s += "\n<sub>via \(o.method.rawValue)</sub>" }
                cells.append(s)
            }

            rows.append(cells)
        }
        // Network cases compare the graph's forward mode with the network core's backprop.
        let modes = c.network == nil ? ["forward AD", "reverse AD"] : ["ADCore forward", "network backprop"]
        let header = ["quantity", "verdict", "digits", "expected"] + modes + methods.map(header)
        let align: [Markdown.Alignment] = [.left, .center] + Array(repeating: .right, count: header.count - 2)
        var out = Markdown.table(header, align: align, rows: rows)
        if !notes.items.isEmpty { out += "\n\n" + notes.markdown }
        return out
    }

    /// A quantity row's first cells: the quantity, its verdict (with the reason as a note) and
    /// digits, then the expected number with its mark and budget. Verdict and digits go first:
    /// on GitHub a wide table scrolls, and they must show. A row nothing could check (a value or
    /// adjoint with no expected number) shows a dash.
    static func leadingCells(_ row: QuantityRow, checks: [Check], notes: inout Notes) -> [String] {
        var verdict = row.verdict?.mark ?? "—"
        if let reason = row.verdict?.reason { verdict += notes.refs([reason]) }
        var cells = [Markdown.text(row.quantity), verdict, row.agreeingDigits.map(Numbers.digits) ?? ""]
        if let e = row.expected {
            let mark = checks.first { $0.kind == .expectation }.map { nbsp + $0.comparison.verdict.mark } ?? ""
            let shown = e.form == "expression" ? Markdown.code(e.text) + "\n" + format(e.value) : Markdown.text(e.text)
            cells.append(shown + mark + "\n" + Numbers.plusMinus(e.budget))
        } else {
            cells.append("")
        }
        return cells
    }

    /// The second derivatives of a case that expects them: each Hessian entry or component of
    /// `∇²f v` by forward over reverse, against the expected number and three families of
    /// references, each a column: differences of the reverse gradient, second differences of f,
    /// differences of the complex-step gradient.
    static func secondOrderTable(_ c: CaseResult) -> String {
        var columns: [(closure: OracleClosure?, method: DifferenceMethod)] = []
        for row in c.rows where row.kind.isSecondOrder {
            for cell in row.oracles where !columns.contains(where: { $0.closure == cell.closure && $0.method == cell.requested }) {
                columns.append((cell.closure, cell.requested))
            }
        }
        var notes = Notes()
        var rows: [[String]] = []
        for row in c.rows where row.kind.isSecondOrder {
            let checks = c.checks.filter { $0.quantity == row.quantity }
            var cells = leadingCells(row, checks: checks, notes: &notes)
            cells.append(row.reverse.map(format) ?? "")
            for column in columns {
                guard let o = row.oracles.first(where: { $0.closure == column.closure && $0.requested == column.method }) else {
                    cells.append("")
                    continue
                }
                var s = format(o.value) + nbsp + o.verdict.mark
                s += notes.refs([o.verdict.reason, o.note.map { "\(o.checkMethod): \($0)" }].compactMap { $0 })
                let budget = checks.first { $0.kind == .oracle && $0.comparison.method == o.checkMethod }?.comparison.budget
                if let budget, budget.isFinite { s += "\n" + Numbers.plusMinus(budget) }
                if o.method != o.requested { s += "\n<sub>via \(o.method.rawValue)</sub>" }
                cells.append(s)
            }
            rows.append(cells)
        }
        let header = ["second derivative", "verdict", "digits", "expected", "forward over reverse"]
            + columns.map { ($0.closure.map { $0 == .gradient ? "∇f: " : "complex-step ∇f: " } ?? "f: ") + Self.header($0.method) }
        let align: [Markdown.Alignment] = [.left, .center] + Array(repeating: .right, count: header.count - 2)
        var out = "**Second derivatives.** The references: ∇f — differences of the reverse gradient (verified above) along the row's direction; "
            + "f — second differences of f itself (no derivative); complex-step ∇f — differences of Im f(x + t v + ih eᵢ)/h (no AD; analytic graphs). "
            + "For a vector function F, f is Σ u_k F_k with the row's cotangent u, and its gradient a VJP.\n\n"
        out += Markdown.table(header, align: align, rows: rows)
        if !notes.items.isEmpty { out += "\n\n" + notes.markdown }
        return out
    }

    /// Keeps a number and its verdict mark on one line in narrow columns.
    static let nbsp = "\u{A0}"

    static func dotProduct(_ check: Check) -> String {
        let c = check.comparison
        var s = "**Dot-product test** \(c.verdict.mark): ⟨u, J v⟩ = \(format(c.value)) by forward mode, "
        s += "⟨Jᵀu, v⟩ = \(format(c.reference)) by reverse mode, for random non-unit u, v; "
        s += "difference \(format(c.difference)) (budget \(Numbers.short(c.budget)))"
        if let reason = c.verdict.reason { s += " — \(Markdown.text(reason))" }
        if let detail = check.detail { s += " (\(Markdown.text(detail)))" }
        return s
    }

    // MARK: Networks

    /// The architecture, what it was checked against, and the network core against the ADCore
    /// graph tensor by tensor (the per-layer agreement).
    static func networkBlock(_ c: CaseResult, _ n: NetworkResult) -> String {
        var blocks: [String] = []
        var rows = [["input", "", Shape(n.inputShape).description, ""]]
        rows += n.layers.map { [Markdown.text($0.layer), Markdown.code($0.name), $0.outputShape.isEmpty ? "—" : Shape($0.outputShape).description, $0.parameters == 0 ? "" : Numbers.grouped($0.parameters)] }
        var intro = "**Network:** "
        if let p = n.parameterCount { intro += "\(Numbers.grouped(p)) parameters" } else { intro += "cannot be built" }
        if let batch = n.batch { intro += "; a batch of \(batch) (\(Markdown.text(n.dataOrigin ?? "")))" }
        if let objective = n.objective { intro += "; objective L = \(Markdown.text(objective))" }
        blocks.append(intro + "\n\n" + Markdown.table(["layer", "name", "output shape", "parameters"], align: [.left, .left, .right, .right], rows: rows))
        let facts = c.checks.filter { $0.kind == .architecture }
        if !facts.isEmpty {
            blocks.append(facts.map { "- \($0.comparison.verdict.mark) **\(Markdown.text($0.quantity))**: \(Markdown.text($0.detail ?? ""))" }.joined(separator: "\n"))
        }
        guard !n.agreement.isEmpty else { return blocks.joined(separator: "\n\n") }
        let agreement = n.agreement.map { a -> [String] in
            let what: String
            switch a.kind {
            case .gradient: what = "∂L/∂" + a.name
            case .adjoint: what = "∂L/∂" + a.name + " (adjoints)"
            case .value: what = a.name + " (values)"
            }
            return [
                Markdown.text(what), a.verdict.mark, Shape(a.shape).description, Numbers.short(a.worstRelativeError),
                Markdown.code(a.worstEntry), format(a.largestMagnitude),
                a.kind == .gradient ? String(a.oracleCoordinates) : "", a.oracleWorstDigits.map(Numbers.digits) ?? "",
            ]
        }
        blocks.append(
            "**Network core against the ADCore graph**, every entry; worst relative error = max |network − graph| / max |graph| over the tensor:\n\n"
                + Markdown.table(
                    ["tensor", "verdict", "shape", "worst rel. error", "at", "max |graph|", "oracle coords", "worst digits vs oracles"],
                    align: [.left, .center, .right, .right, .left, .right, .right, .right], rows: agreement))
        var coverage: String
        if n.everyParameterChecked {
            coverage = "**Finite differences:** every one of the \(Numbers.grouped(n.parameterCount ?? 0)) parameters checked by every oracle (Domke's footnote loop)"
        } else {
            coverage = "**Finite differences:** the full loop over all \(Numbers.grouped(n.parameterCount ?? 0)) parameters would need \(Numbers.grouped(n.fullLoopForward)) loss evaluations with forward differences (Domke's footnote) or \(Numbers.grouped(n.fullLoopCentral)) with central differences; the sampled check took \(n.coordinatesChecked) seeded coordinates"
        }
        coverage += " and \(n.directions) random direction\(n.directions == 1 ? "" : "s"), \(Numbers.grouped(n.oracleEvaluations)) loss evaluations in all."
        blocks.append(coverage)
        return blocks.joined(separator: "\n\n")
    }

    /// A folded block. GFM parses Markdown inside only after a blank line; `markdown="1"` asks
    /// Python-Markdown (md_in_html) to do the same, and GitHub drops the attribute.
    static func details(_ summary: String, _ body: String) -> String {
        "<details markdown=\"1\"><summary>\(Markdown.html(summary))</summary>\n\n\(body.hasSuffix("\n") ? String(body.dropLast()) : body)\n\n</details>"
    }

    static func count(_ n: Int, _ noun: String) -> String {
        "\(n) \(noun)\(n == 1 ? "" : "s")"
    }
}
