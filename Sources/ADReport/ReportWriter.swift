// Writes report files so that a reader never sees half of one: temporary file, then rename.
import ADVerify
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes reports into a folder, each file atomically.
///
/// Each file is written to a temporary file in the same folder (`.verification.md.<uuid>.tmp`),
/// flushed to disk, then renamed over the target. `rename(2)` within one file system replaces
/// the target in one step, so a run that is interrupted (killed, out of disk space, a renderer
/// that throws) leaves the previous report whole, and a reader sees either the old file or the
/// new one. A failed write removes its temporary file.
///
/// All formats are rendered before the first file is touched, so a rendering error changes
/// nothing on disk.
public struct ReportWriter: Sendable {
    /// The report folder; created, with its parents, if missing.
    public var directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Renders `run` in every format asked for and writes the files. Returns their paths.
    @discardableResult
    public func write(_ run: RunResult, formats: [ReportFormat] = ReportFormat.allCases) throws(ReportError) -> [String] {
        var rendered: [(ReportFormat, Data)] = []
        for format in formats where !rendered.contains(where: { $0.0 == format }) {
            do {
                rendered.append((format, try format.render(run)))
            } catch {
                throw ReportError(path: path(format.fileName), reason: error.reason)
            }
        }
        var written: [String] = []
        for (format, data) in rendered { written.append(try write(data, to: format.fileName)) }
        return written
    }

    /// Writes `data` to `fileName` in the folder, atomically. Returns the file's path.
    @discardableResult
    public func write(_ data: Data, to fileName: String) throws(ReportError) -> String {
        try write(to: fileName) { (sink: inout FileSink) throws(ReportError) in try sink.write(data) }
    }

    /// The path of `fileName` in the folder.
    public func path(_ fileName: String) -> String {
        directory.isEmpty ? fileName : (directory.hasSuffix("/") ? directory + fileName : directory + "/" + fileName)
    }

    /// Writes what `produce` sends to the sink into a temporary file, then renames it over
    /// `fileName`. If `produce` throws, the target is untouched and the temporary file removed.
    func write(to fileName: String, _ produce: (inout FileSink) throws -> Void) throws(ReportError) -> String {
        guard !fileName.isEmpty, !fileName.contains("/") else {
            throw ReportError(path: path(fileName), reason: "a report file name must be a plain name, without '/'")
        }
        try makeDirectory()
        let target = path(fileName)
        let temporary = path(".\(fileName).\(UUID().uuidString).tmp")
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ReportError(path: temporary, reason: "cannot create a temporary file: \(errorText())")
        }
        var sink = FileSink(fd: fd, path: temporary)
        do {
            try produce(&sink)
            // Flush before the rename: after a crash the new name must not point at missing data.
            guard fsync(fd) == 0 else { throw ReportError(path: temporary, reason: "cannot flush the file: \(errorText())") }
            guard close(fd) == 0 else {
                sink.closed = true
                throw ReportError(path: temporary, reason: "cannot close the file: \(errorText())")
            }
            sink.closed = true
            guard rename(temporary, target) == 0 else {
                throw ReportError(path: target, reason: "cannot replace the file: \(errorText())")
            }
        } catch {
            if !sink.closed { close(fd) }
            unlink(temporary)
            if let error = error as? ReportError { throw error }
            throw ReportError(path: target, reason: "could not be rendered: \(error)")
        }
        syncDirectory()
        return target
    }

    private func makeDirectory() throws(ReportError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ReportError(path: directory, reason: "is a file, not a folder") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ReportError(path: directory, reason: "cannot create the report folder: \(error.localizedDescription)")
        }
    }

    /// Makes the rename itself durable; best effort (not every file system allows it).
    private func syncDirectory() {
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}

/// Where a report's bytes go while it is written: an open temporary file.
struct FileSink {
    let fd: Int32
    let path: String
    var closed = false

    func write(_ data: Data) throws(ReportError) {
        let failure: Int32? = data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> Int32? in
            guard var p = buffer.baseAddress else { return nil }
            var remaining = buffer.count
            while remaining > 0 {
                let n = systemWrite(fd, p, remaining)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                remaining -= n
                p += n
            }
            return nil
        }
        if let failure {
            throw ReportError(path: path, reason: "cannot write: \(String(cString: strerror(failure)))")
        }
    }

    func write(_ text: String) throws(ReportError) { try write(Data(text.utf8)) }
}

private func errorText() -> String { String(cString: strerror(errno)) }

/// `write(2)`, named so `FileSink.write` does not hide it.
private func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ count: Int) -> Int { write(fd, p, count) }
