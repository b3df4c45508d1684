// Real results for the report tests: YAML cases loaded by ADCatalog and verified by the runner.
import ADCatalog
import ADReport
import ADVerify
import Foundation
import Testing

enum Fixtures {
    static let tool = ToolInfo(adverify: "0.1.0-test", gsl: "2.7.1", swift: "6.3.1", platform: "linux-x86_64")

    /// The Peharz slides' example, right.
    static let peharz = """
        id: peharz-backward-pass
        title: Backward pass through x^2, exp, sqrt and cos at x = 2
        source: Peharz, Neural Networks I, "Backwards Pass" slides
        note: The slides round every number to 3 decimals.
        tags: [textbook, reverse-mode]
        inputs: {x: 2}
        let: {a: x^2, b: exp(a), c: a + b, d: sqrt(c), e: cos(c)}
        output: d + e
        expect:
          value: 7.194
          values: {a: 4, b: 54.598}
          gradient: {x: -182.87}
          adjoints: {c: -0.822}
          tangents: {seed: {x: 1}, values: {a: 4}}
        """

    /// The same function with a value and a gradient that are off in the second decimal.
    static let peharzWrong = """
        id: peharz-wrong-gradient
        title: The backward pass with a wrong gradient
        inputs: {x: 2}
        let: {a: x^2, b: exp(a), c: a + b, d: sqrt(c), e: cos(c)}
        output: d + e
        expect:
          value: 7.20
          gradient: {x: -182.80}
        """

    /// A kink: every oracle is inconclusive there; AD's relu'(0) = 1 is checked to lie between
    /// the one-sided derivatives.
    static let reluKink = """
        id: relu-kink
        title: relu at its kink
        tags: [primitives, kink]
        inputs: {x: 0}
        output: relu(x)
        """

    /// An expression expectation.
    static let ellisSmith = """
        id: ellis-smith
        title: Ellis & Smith, forward and reverse traces
        source: Ellis & Smith, Lecture 7
        inputs: {x1: 2, x2: 5}
        let: {v1: log(x1), v2: x1*x2, v3: sin(x2), v4: v1 + v2}
        output: v4 - v3
        expect:
          value: 11.652
          gradient: {x1: 5.5, x2: "2 - cos(5)"}
        """

    /// The GSL central rule leaves sqrt's domain at 0 and falls back to GSL's forward rule.
    static let sqrtAtZero = """
        id: sqrt-at-zero
        title: sqrt at the edge of its domain
        inputs: {x: 0}
        output: sqrt(x) + x
        """

    /// log of a negative number: NaN at a node, so the case cannot be verified.
    static let logOfNegative = """
        id: log-of-negative
        title: log outside its domain
        inputs: {x: -1}
        output: log(x)
        """

    /// A file with a syntax error the loader reports with a caret.
    static let badFile = """
        id: bad-function
        title: Misspelt function
        inputs: {x: 1}
        output: sine(x)
        """

    /// Loads YAML documents as one case file, requiring that they load.
    static func cases(_ yaml: String..., path: String = "cases/textbook/fixtures.yaml") throws -> [Case] {
        let (cases, errors) = CaseLoader.load(text: yaml.joined(separator: "\n---\n"), path: path)
        try #require(errors.isEmpty, "fixture did not load: \(errors.map(\.description))")
        return cases
    }

    /// The load errors of a broken file.
    static func loadErrors(_ yaml: String, path: String = "cases/broken.yaml") -> [CatalogError] {
        CaseLoader.load(text: yaml, path: path).errors
    }

    /// The cases verified with their traces (`adverify run --traces`).
    static func run(_ cases: [Case], loadErrors: [CatalogError] = []) -> RunResult {
        var runner = Runner()
        runner.traces = true
        return RunResult(
            tool: tool, startedAt: "2025-06-01T12:00:00Z", duration: 0.25, paths: ["cases/"],
            loadErrors: loadErrors, cases: cases.map { runner.verify($0) })
    }

    /// Peharz right and wrong, the kink, Ellis & Smith, sqrt at 0, and one broken file.
    static func mixedRun() throws -> RunResult {
        let textbook = try cases(peharz, peharzWrong, ellisSmith)
        let primitives = try cases(reluKink, sqrtAtZero, path: "cases/primitives/edges.yaml")
        return run(textbook + primitives, loadErrors: loadErrors(badFile))
    }
}

/// The lines of a Markdown table row split at unescaped pipes, as GFM splits them (before
/// inline parsing, so code spans do not protect a pipe).
func tableCells(_ line: String) -> [String] {
    var cells: [String] = []
    var current = ""
    var backslashes = 0
    for c in line {
        if c == "|" && backslashes % 2 == 0 {
            cells.append(current)
            current = ""
        } else {
            current.append(c)
        }
        backslashes = c == "\\" ? backslashes + 1 : 0
    }
    cells.append(current)
    // Leading and trailing pipes delimit, they do not separate.
    if line.hasPrefix("|") { cells.removeFirst() }
    if line.hasSuffix("|") && !line.hasSuffix("\\|") { cells.removeLast() }
    return cells.map { $0.trimmingCharacters(in: .whitespaces) }
}

/// Every GFM table in `markdown`: its header and body rows, split into cells.
func markdownTables(_ markdown: String) -> [(header: [String], rows: [[String]])] {
    let lines = markdown.components(separatedBy: "\n")
    var tables: [(header: [String], rows: [[String]])] = []
    var i = 0
    while i + 1 < lines.count {
        let delimiter = lines[i + 1]
        let cells = tableCells(delimiter)
        let isDelimiter = delimiter.hasPrefix("|") && !cells.isEmpty && cells.allSatisfy { cell in
            !cell.isEmpty && cell.allSatisfy { $0 == "-" || $0 == ":" }
        }
        if lines[i].hasPrefix("|") && isDelimiter {
            var rows: [[String]] = []
            var j = i + 2
            while j < lines.count, lines[j].hasPrefix("|") {
                rows.append(tableCells(lines[j]))
                j += 1
            }
            tables.append((tableCells(lines[i]), rows))
            i = j
        } else {
            i += 1
        }
    }
    return tables
}

/// The text of the section that starts at the line `heading` and ends before the next heading
/// of the same or a higher level.
func section(_ markdown: String, startingWith heading: String) -> String? {
    let lines = markdown.components(separatedBy: "\n")
    guard let start = lines.firstIndex(where: { $0.hasPrefix(heading) }) else { return nil }
    let level = heading.prefix { $0 == "#" }.count
    var end = start + 1
    while end < lines.count {
        let hashes = lines[end].prefix { $0 == "#" }.count
        if hashes > 0, hashes <= level, lines[end].dropFirst(hashes).hasPrefix(" ") { break }
        end += 1
    }
    return lines[start..<end].joined(separator: "\n")
}

/// The page of case `id` (`cases/<id>.md`).
func page(_ run: RunResult, _ id: String) -> String? {
    run.cases.first { $0.id == id }.map(MarkdownReport.casePage)
}

/// Every case page, one after the other.
func pages(_ run: RunResult) -> String {
    run.cases.map(MarkdownReport.casePage).joined(separator: "\n\n")
}
