// What the user asked for, checked before any work: paths that exist and hold case files, a
// selection that is not empty. Nothing selected is an input error (exit 2), never a green run.
import ADCatalog
import ArgumentParser
import Foundation

enum Selection {
    /// Exits 2 when a path does not exist or is a folder without a case file: a typo in the
    /// command line, reported as such (no `:1:1`, which would point into a file that is not
    /// there), before anything is loaded, run or written.
    static func requireCaseFiles(in paths: [String]) throws {
        let problems = paths.compactMap(problem)
        guard !problems.isEmpty else { return }
        for p in problems { Console.error("error: \(p)") }
        throw ExitCode(2)
    }

    /// `no such file or folder: PATH`, `no case files (*.yaml, *.yml) in the folder PATH`, or nil.
    static func problem(_ path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return "no such file or folder: \(shown(path))"
        }
        guard isDirectory.boolValue else { return nil }
        // Unlistable folders are left to the catalogue, which reports them as load errors.
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return nil }
        while let relative = enumerator.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            guard !name.hasPrefix("."), name.hasSuffix(".yaml") || name.hasSuffix(".yml") else { continue }
            var isDir: ObjCBool = false
            let full = (path as NSString).appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue { return nil }
        }
        return "no case files (*.yaml, *.yml) in the folder \(shown(path))"
    }

    /// Why no case was selected: what was searched, the filter, what it saw. Without a filter
    /// and with load errors, those errors already say why (the caller prints nothing more).
    static func nothingSelected(paths: [String], filter: String?, catalog: Catalog, loaded: [Case]) -> String {
        let searched = paths.map(shown).joined(separator: ", ")
        let files = "\(catalog.files.count) file\(catalog.files.count == 1 ? "" : "s")"
        guard let filter else {
            return "error: no case in \(searched) (\(files))"
        }
        let count = "\(loaded.count) case\(loaded.count == 1 ? "" : "s")"
        let examples = loaded.prefix(3).map { "'\($0.id)'" }.joined(separator: ", ")
        return "error: --filter '\(filter)' matches none of the \(count) in \(searched) (\(files))"
            + (examples.isEmpty ? "" : "; ids look like \(examples)")
    }

    /// A path as typed, quoted when it would otherwise be invisible.
    /// Control characters are shown as their visible symbols, as in load errors.
    static func shown(_ path: String) -> String {
        path.trimmingCharacters(in: .whitespaces).isEmpty ? "'\(path)'" : CatalogError.visible(path)
    }
}
