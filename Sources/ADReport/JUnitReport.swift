// `junit.xml`: the run for CI systems (GitHub Actions reporters, GitLab, Jenkins).
import ADCatalog
import ADVerify
import Foundation

/// Renders a run as JUnit XML.
///
/// One `<testsuite>` per case file, named by its path, because the file is what a user opens
/// to fix a failure and what CI dashboards should group by; one suite named `adverify` would
/// put the whole catalogue in a single list. A load error belongs to the file it is in, as a
/// `<testcase>` with an `<error>`, so a file that could not be read at all still shows up.
///
/// Each case is a `<testcase>`: `name` is the case id, `classname` the file path without its
/// extension and with `/` as `.` (Jenkins splits `classname` at dots into package and class:
/// `cases.textbook.peharz`), `file` and `line` where the case starts (GitLab links them).
/// A failed case carries `<failure>` with every failed check's message in the body; an
/// inconclusive case is `<skipped>` with the reason.
///
/// ```xml
/// <testsuites name="adverify" tests="3" failures="1" errors="0" skipped="0" time="0.012">
///   <testsuite name="cases/textbook/peharz.yaml" tests="3" ...>
///     <testcase classname="cases.textbook.peharz" name="peharz-backward-pass" time="0.004" .../>
/// ```
public enum JUnitReport {
    public static func render(_ run: RunResult) -> String {
        let suites = Self.suites(run)
        let tests = suites.reduce(0) { $0 + $1.cases.count + $1.loadErrors.count }
        let failures = suites.reduce(0) { $0 + $1.failures }
        let errors = suites.reduce(0) { $0 + $1.loadErrors.count }
        let skipped = suites.reduce(0) { $0 + $1.skipped }
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += "<testsuites" + attributes([
            ("name", "adverify"), ("tests", "\(tests)"), ("failures", "\(failures)"), ("errors", "\(errors)"),
            ("skipped", "\(skipped)"), ("time", seconds(run.duration)), ("timestamp", run.startedAt),
        ]) + ">\n"
        for suite in suites { xml += render(suite, run: run) }
        xml += "</testsuites>\n"
        return xml
    }

    /// The cases and load errors of one file.
    struct Suite {
        var file: String
        var cases: [CaseResult] = []
        var loadErrors: [CatalogError] = []

        var failures: Int { cases.count { $0.verdict == .fail } }
        var skipped: Int { cases.count { $0.verdict.isInconclusive } }
        var time: Double { cases.reduce(0) { $0 + $1.duration } }
    }

    /// Suites in the order their files first appear: cases in catalogue order, then files that
    /// only have load errors.
    static func suites(_ run: RunResult) -> [Suite] {
        var suites: [Suite] = []
        var position: [String: Int] = [:]
        func index(_ file: String) -> Int {
            if let i = position[file] { return i }
            suites.append(Suite(file: file))
            position[file] = suites.count - 1
            return suites.count - 1
        }
        for c in run.cases { suites[index(c.location.file)].cases.append(c) }
        for e in run.loadErrors { suites[index(e.location.file)].loadErrors.append(e) }
        return suites
    }

    static func render(_ suite: Suite, run: RunResult) -> String {
        var xml = "  <testsuite" + attributes([
            ("name", suite.file), ("tests", "\(suite.cases.count + suite.loadErrors.count)"),
            ("failures", "\(suite.failures)"), ("errors", "\(suite.loadErrors.count)"),
            ("skipped", "\(suite.skipped)"), ("time", seconds(suite.time)), ("timestamp", run.startedAt),
            ("file", suite.file),
        ]) + ">\n"
        xml += "    <properties>\n"
        for (name, value) in [("adverify", run.tool.adverify), ("gsl", run.tool.gsl), ("swift", run.tool.swift), ("platform", run.tool.platform)] {
            xml += "      <property" + attributes([("name", name), ("value", value)]) + "/>\n"
        }
        xml += "    </properties>\n"
        let classname = className(suite.file)
        for c in suite.cases {
            let open = "    <testcase" + attributes([
                ("classname", classname), ("name", c.id), ("time", seconds(c.duration)),
                ("file", c.location.file), ("line", "\(c.location.line)"),
            ])
            switch c.verdict {
            case .pass:
                xml += open + "/>\n"
            case .fail:
                var lines = c.failures.map(\.message)
                if let error = c.error { lines.insert("could not be verified: \(error)", at: 0) }
                if let diagnostic = c.diagnostic { lines.insert(diagnostic.description, at: 1) }
                let message = c.error.map { "could not be verified: \($0)" }
                    ?? "\(c.failures.count) of \(c.checks.count) checks failed: \(c.failures.first?.message ?? "")"
                xml += open + ">\n"
                xml += "      <failure" + attributes([("message", message), ("type", "verification")]) + ">"
                xml += escape(lines.joined(separator: "\n"), attribute: false) + "</failure>\n"
                xml += "    </testcase>\n"
            case .inconclusive(let reason):
                xml += open + ">\n"
                xml += "      <skipped" + attributes([("message", "inconclusive: \(reason)")]) + "/>\n"
                xml += "    </testcase>\n"
            }
        }
        for e in suite.loadErrors {
            let l = e.location
            xml += "    <testcase" + attributes([
                ("classname", classname), ("name", "load \(l.file):\(l.line):\(l.column)"), ("time", "0"),
                ("file", l.file), ("line", "\(l.line)"),
            ]) + ">\n"
            xml += "      <error" + attributes([("message", "\(l): \(e.message)"), ("type", "load")]) + ">"
            xml += escape(e.description, attribute: false) + "</error>\n"
            xml += "    </testcase>\n"
        }
        xml += "  </testsuite>\n"
        return xml
    }

    /// `cases/textbook/peharz.yaml` -> `cases.textbook.peharz`.
    static func className(_ file: String) -> String {
        var path = file
        for ext in [".yaml", ".yml"] where path.hasSuffix(ext) {
            path.removeLast(ext.count)
        }
        while path.hasPrefix("./") { path.removeFirst(2) }
        return path.replacingOccurrences(of: "/", with: ".")
    }

    static func seconds(_ t: Double) -> String {
        t.isFinite && t >= 0 ? String(format: "%.6f", t) : "0"
    }

    static func attributes(_ pairs: [(String, String)]) -> String {
        pairs.map { " \($0.0)=\"\(escape($0.1, attribute: true))\"" }.joined()
    }

    /// Text or an attribute value made safe for XML 1.0.
    ///
    /// `& < > " '` become entities. Characters XML 1.0 forbids (C0 controls other than tab,
    /// line feed and carriage return; U+FFFE, U+FFFF) cannot be written even as references, so
    /// they become U+FFFD. In attributes, tab, line feed and carriage return are written as
    /// references so that attribute-value normalisation keeps them; in text a carriage return
    /// is, so that line-end normalisation keeps it.
    public static func escape(_ s: String, attribute: Bool) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += attribute ? "&quot;" : "\""
            case "'": out += attribute ? "&apos;" : "'"
            case "\t": out += attribute ? "&#9;" : "\t"
            case "\n": out += attribute ? "&#10;" : "\n"
            case "\r": out += "&#13;"
            default:
                if c.value < 0x20 || c.value == 0xFFFE || c.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out
    }
}
