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
/// new one. A failed write removes its temporary file. The files of one ``write(_:formats:)``
/// are renamed together, after all of them are written.
///
/// All formats are rendered before the first file is touched, so a rendering error changes
/// nothing on disk.
///
/// Interrupts: every temporary file is registered from its creation to its rename, under one
/// lock, so a signal handler can call ``abandonInFlight()`` to remove those of an unfinished
/// write and be sure no other is created or renamed before the process ends (`adverify run`
/// does this on SIGINT and SIGTERM).
public struct ReportWriter: Sendable {
    /// The report folder; created, with its parents, if missing.
    public var directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Renders `run` in every format asked for and writes the files. Returns their paths.
    ///
    /// Markdown is three things: `verification.md`, `summary.md`, and one page per case in
    /// `cases/` (``MarkdownReport/casePage(_:)``). The case pages are written first, each
    /// atomically, so the new `verification.md` never links to a page that is not there yet;
    /// then the top-level files, renamed together; then the pages of cases this run no longer
    /// has are removed (only files that carry ``MarkdownReport/casePageMarker``: anything else
    /// in the folder is left alone).
    @discardableResult
    public func write(_ run: RunResult, formats: [ReportFormat] = ReportFormat.allCases) throws(ReportError) -> [String] {
        var rendered: [(name: String, data: Data)] = []
        var seen: Set<ReportFormat> = []
        for format in formats where seen.insert(format).inserted {
            do {
                rendered.append((format.fileName, try format.render(run)))
            } catch {
                throw ReportError(path: path(format.fileName), reason: error.reason)
            }
            if format == .markdown { rendered.append(("summary.md", Data(SummaryReport.render(run).utf8))) }
        }
        var pages: [String] = []
        let pageWriter = ReportWriter(directory: path("cases"))
        if seen.contains(.markdown) {
            var batch: [(name: String, data: Data)] = []
            for c in run.cases {
                batch.append((MarkdownReport.pageName(of: c.id), Data(MarkdownReport.casePage(c).utf8)))
                // In batches, so a catalogue of thousands of cases does not hold every page in memory.
                if batch.count == 256 {
                    pages += try pageWriter.writeAll(batch)
                    batch = []
                }
            }
            if !batch.isEmpty { pages += try pageWriter.writeAll(batch) }
        }
        let written = try writeAll(rendered)
        if seen.contains(.markdown) {
            pageWriter.removeStalePages(keeping: Set(run.cases.map { MarkdownReport.pageName(of: $0.id) }))
        }
        return written + (pages.isEmpty ? [] : [path("cases/") + " (\(pages.count) case page\(pages.count == 1 ? "" : "s"))"])
    }

    /// Removes the case pages of earlier runs: `*.md` files in this folder that start with the
    /// case-page marker and are not in `keeping`. Best effort.
    func removeStalePages(keeping: Set<String>) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        let marker = Data(MarkdownReport.casePageMarker.utf8)
        for name in names where name.hasSuffix(".md") && !keeping.contains(name) {
            let file = path(name)
            guard let handle = FileHandle(forReadingAtPath: file) else { continue }
            let head = (try? handle.read(upToCount: marker.count)) ?? Data()
            try? handle.close()
            if head == marker { unlink(file) }
        }
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

    /// Writes every file to a temporary file, then renames them all. Nothing is renamed
    /// unless every file was written; on an error every temporary file is removed.
    func writeAll(_ files: [(name: String, data: Data)]) throws(ReportError) -> [String] {
        var pending: [Pending] = []
        do throws(ReportError) {
            for file in files {
                var (sink, next) = try begin(file.name)
                pending.append(next)
                do throws(ReportError) {
                    try sink.write(file.data)
                    try sink.finish()
                } catch {
                    sink.abandon()
                    throw error
                }
            }
            try Self.commit(pending)
        } catch {
            Self.discard(pending)
            throw error
        }
        syncDirectory()
        return pending.map(\.target)
    }

    /// Writes what `produce` sends to the sink into a temporary file, then renames it over
    /// `fileName`. If `produce` throws, the target is untouched and the temporary file removed.
    func write(to fileName: String, _ produce: (inout FileSink) throws -> Void) throws(ReportError) -> String {
        var (sink, pending) = try begin(fileName)
        do {
            try produce(&sink)
            try sink.finish()
            try Self.commit([pending])
        } catch {
            sink.abandon()
            Self.discard([pending])
            if let error = error as? ReportError { throw error }
            throw ReportError(path: pending.target, reason: "could not be rendered: \(error)")
        }
        syncDirectory()
        return pending.target
    }

    // MARK: Temporary files

    /// A temporary file being written and the file it will replace.
    struct Pending {
        var temporary: String
        var target: String
    }

    /// Creates (and registers) the temporary file for `fileName`.
    private func begin(_ fileName: String) throws(ReportError) -> (FileSink, Pending) {
        guard !fileName.isEmpty, !fileName.contains("/") else {
            throw ReportError(path: path(fileName), reason: "a report file name must be a plain name, without '/'")
        }
        try makeDirectory()
        let pending = Pending(temporary: path(".\(fileName).\(UUID().uuidString).tmp"), target: path(fileName))
        let fd = Self.inFlight.withLock { (paths: inout Set<String>) -> Int32 in
            let fd = open(pending.temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 { paths.insert(pending.temporary) }
            return fd
        }
        guard fd >= 0 else {
            throw ReportError(path: pending.temporary, reason: "cannot create a temporary file: \(errorText())")
        }
        return (FileSink(fd: fd, path: pending.temporary), pending)
    }

    /// Renames every temporary file over its target, in one step for an interrupt.
    private static func commit(_ files: [Pending]) throws(ReportError) {
        let failure = inFlight.withLock { (paths: inout Set<String>) -> ReportError? in
            for file in files {
                guard rename(file.temporary, file.target) == 0 else {
                    return ReportError(path: file.target, reason: "cannot replace the file: \(errorText())")
                }
                paths.remove(file.temporary)
            }
            return nil
        }
        if let failure { throw failure }
    }

    /// Removes the temporary files that are still there.
    private static func discard(_ files: [Pending]) {
        inFlight.withLock { (paths: inout Set<String>) in
            for file in files where paths.remove(file.temporary) != nil { unlink(file.temporary) }
        }
    }

    /// The temporary files between creation and rename, across every writer of the process.
    private static let inFlight = LockedPaths()

    /// For a signal handler: removes every temporary report file still being written and
    /// returns their paths. It keeps the lock, so no writer creates or renames another file
    /// before the process ends; call it only on the way out.
    public static func abandonInFlight() -> [String] {
        inFlight.abandon()
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

/// A set of paths behind a lock.
final class LockedPaths: @unchecked Sendable {
    private let lock = NSLock()
    private var paths: Set<String> = []

    func withLock<T>(_ body: (inout Set<String>) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&paths)
    }

    /// Unlinks every path and keeps the lock for good.
    func abandon() -> [String] {
        lock.lock()
        let abandoned = paths.sorted()
        for path in abandoned { unlink(path) }
        paths = []
        return abandoned
    }
}

/// Where a report's bytes go while it is written: an open temporary file.
struct FileSink {
    let fd: Int32
    let path: String
    var closed = false

    /// Flushes and closes the file. Flush before the rename: after a crash the new name must
    /// not point at missing data.
    mutating func finish() throws(ReportError) {
        guard fsync(fd) == 0 else { throw ReportError(path: path, reason: "cannot flush the file: \(errorText())") }
        closed = true
        guard close(fd) == 0 else { throw ReportError(path: path, reason: "cannot close the file: \(errorText())") }
    }

    /// Closes the file if it is still open (after an error).
    mutating func abandon() {
        if !closed { close(fd) }
        closed = true
    }

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
