import ADVerify
import Foundation
import Testing

@testable import ADReport

@Suite("Atomic report writing")
struct ReportWriterTests {
    /// A fresh folder under the system's temporary folder, removed afterwards by the caller.
    static func scratch() -> String {
        NSTemporaryDirectory() + "adreport-tests-" + UUID().uuidString
    }

    static func list(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    static func read(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    struct Interrupted: Error {}

    @Test func writesEveryFormatIntoANewFolder() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let run = try Fixtures.mixedRun()
        let folder = root + "/nested/reports"
        let written = try ReportWriter(directory: folder).write(run)
        #expect(written == [
            folder + "/verification.md", folder + "/summary.md", folder + "/verification.json", folder + "/junit.xml",
            folder + "/cases/ (\(run.cases.count) case pages)",
        ])
        #expect(try Self.list(folder) == ["cases", "junit.xml", "summary.md", "verification.json", "verification.md"])
        #expect(try Self.read(folder + "/verification.md") == MarkdownReport.render(run))
        #expect(try Self.read(folder + "/summary.md") == SummaryReport.render(run))
        #expect(try Self.list(folder + "/cases") == run.cases.map { $0.id + ".md" }.sorted())
        for c in run.cases { #expect(try Self.read(folder + "/cases/\(c.id).md") == MarkdownReport.casePage(c)) }
        #expect(try Self.read(folder + "/junit.xml") == JUnitReport.render(run))
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/verification.json")) == JSONReport.render(run))
    }

    @Test func writesOnlyTheFormatsAskedFor() throws {
        let folder = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = Fixtures.run(try Fixtures.cases(Fixtures.peharz))
        try ReportWriter(directory: folder).write(run, formats: try ReportFormat.list("junit, md,junit"))
        #expect(try Self.list(folder) == ["cases", "junit.xml", "summary.md", "verification.md"])
    }

    @Test("a new run removes the case pages of cases it no longer has, and nothing else")
    func removesStalePages() throws {
        let folder = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let writer = ReportWriter(directory: folder)
        try writer.write(try Fixtures.mixedRun(), formats: [.markdown])
        #expect(try Self.list(folder + "/cases").count == 5)
        // Someone's own notes in the folder, one named like a page but without the marker.
        try "my notes\n".write(toFile: folder + "/cases/notes.md", atomically: true, encoding: .utf8)
        try "# relu-kink, by hand\n".write(toFile: folder + "/cases/relu-kink.md.bak", atomically: true, encoding: .utf8)
        let smaller = Fixtures.run(try Fixtures.cases(Fixtures.peharz))
        try writer.write(smaller, formats: [.markdown])
        #expect(try Self.list(folder + "/cases") == ["notes.md", "peharz-backward-pass.md", "relu-kink.md.bak"])
        #expect(try Self.read(folder + "/cases/notes.md") == "my notes\n")
    }

    @Test func replacesAnOldReport() throws {
        let folder = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let writer = ReportWriter(directory: folder)
        try writer.write(Data("old report\n".utf8), to: "verification.md")
        try writer.write(Data("new report\n".utf8), to: "verification.md")
        #expect(try Self.read(folder + "/verification.md") == "new report\n")
        #expect(try Self.list(folder) == ["verification.md"])
    }

    @Test func anInterruptedWriteLeavesTheOldFileWhole() throws {
        let folder = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let writer = ReportWriter(directory: folder)
        try writer.write(Data("old report\n".utf8), to: "verification.md")

        // The new report is half written when rendering fails.
        #expect {
            _ = try writer.write(to: "verification.md") { sink in
                try sink.write("new report, first half\n")
                #expect(try Self.list(folder).count == 2, "the half-written file is a temporary file beside the old one")
                throw Interrupted()
            }
        } throws: { error in
            guard let error = error as? ReportError else { return false }
            return error.path == folder + "/verification.md" && error.reason.contains("Interrupted")
        }
        #expect(try Self.read(folder + "/verification.md") == "old report\n")
        #expect(try Self.list(folder) == ["verification.md"], "no temporary file is left behind")
    }

    @Test func aFailedRenameRemovesTheTemporaryFile() throws {
        let folder = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A non-empty folder where the file should go: rename(2) cannot replace it.
        try FileManager.default.createDirectory(atPath: folder + "/junit.xml/keep", withIntermediateDirectories: true)
        let writer = ReportWriter(directory: folder)
        let error = #expect(throws: ReportError.self) { try writer.write(Data("<testsuites/>".utf8), to: "junit.xml") }
        #expect(error?.path == folder + "/junit.xml")
        #expect(error?.description.hasPrefix(folder + "/junit.xml: cannot replace the file: ") == true)
        #expect(try Self.list(folder) == ["junit.xml"])
        #expect(try Self.list(folder + "/junit.xml") == ["keep"])
    }

    @Test func aFileInPlaceOfTheFolderIsAnError() throws {
        let path = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: ReportError.self) { try ReportWriter(directory: path).write(Data(), to: "verification.md") }
        #expect(error?.description == "\(path): is a file, not a folder")
        #expect(try Self.read(path) == "not a folder")
    }

    @Test func fileNamesMustBePlain() {
        #expect(throws: ReportError.self) { try ReportWriter(directory: Self.scratch()).write(Data(), to: "../escape.md") }
    }

    @Test func formatNames() throws {
        #expect(try ReportFormat.list("md,json,junit") == [.markdown, .json, .junit])
        #expect(try ReportFormat.list("Markdown, XML") == [.markdown, .junit])
        let error = #expect(throws: ReportError.self) { try ReportFormat.list("md,pdf") }
        #expect(error?.reason == "unknown report format 'pdf'; use md, json or junit")
        #expect(throws: ReportError.self) { try ReportFormat.list(" , ") }
        #expect(ReportFormat.allCases.map(\.fileName) == ["verification.md", "verification.json", "junit.xml"])
    }
}
