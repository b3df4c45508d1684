// The one error type of ADReport.

/// A report could not be rendered or written. `path` is the file or folder concerned.
///
/// ```
/// reports/verification.md: cannot replace the file: Permission denied
/// ```
public struct ReportError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
