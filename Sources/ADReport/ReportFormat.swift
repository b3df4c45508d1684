// The report formats and the files they go to.
import ADVerify
import Foundation

/// A report format, named as on the command line (`--format md,json,junit`).
public enum ReportFormat: String, CaseIterable, Sendable, Hashable, Codable {
    case markdown = "md"
    case json
    case junit

    /// The file the format is written to in the report folder.
    public var fileName: String {
        switch self {
        case .markdown: "verification.md"
        case .json: "verification.json"
        case .junit: "junit.xml"
        }
    }

    /// `md` (or `markdown`), `json`, `junit` (or `xml`), ignoring case.
    public init?(name: String) {
        switch name.lowercased() {
        case "md", "markdown": self = .markdown
        case "json": self = .json
        case "junit", "xml": self = .junit
        default: return nil
        }
    }

    /// A comma-separated list such as `md,json,junit`; unknown names are an error that lists
    /// the known ones.
    public static func list(_ text: String) throws(ReportError) -> [ReportFormat] {
        var formats: [ReportFormat] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: true) {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let format = ReportFormat(name: name) else {
                throw ReportError(path: "--format", reason: "unknown report format '\(name)'; use md, json or junit")
            }
            if !formats.contains(format) { formats.append(format) }
        }
        guard !formats.isEmpty else { throw ReportError(path: "--format", reason: "no report format given; use md, json or junit") }
        return formats
    }

    /// The file's bytes for `run`.
    public func render(_ run: RunResult) throws(ReportError) -> Data {
        switch self {
        case .markdown: return Data(MarkdownReport.render(run).utf8)
        case .junit: return Data(JUnitReport.render(run).utf8)
        case .json:
            do { return try JSONReport.render(run) } catch {
                throw ReportError(path: fileName, reason: "cannot encode the run as JSON: \(error)")
            }
        }
    }
}
