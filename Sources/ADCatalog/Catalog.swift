// The catalogue of a run: every case file under the given paths, loaded, with ids unique across them.
import Foundation

/// The cases of a run and every problem found while loading them.
public struct Catalog: Sendable {
    /// The case files read, in the order their cases appear.
    public var files: [String]
    /// The cases, file by file in path order, documents in file order.
    public var cases: [Case]
    /// Every loading problem; a file with errors still contributes its good cases.
    public var errors: [CatalogError]

    public init(files: [String], cases: [Case], errors: [CatalogError]) {
        self.files = files
        self.cases = cases
        self.errors = errors
    }

    /// Loads every `*.yaml` / `*.yml` file in `paths` (folders are searched recursively, in
    /// sorted order). A case whose id is already taken is reported at its `id:` and dropped.
    /// Each case gets its position in `cases` as its ``Case/catalogueIndex``.
    public static func load(paths: [String]) -> Catalog {
        var files: [String] = []
        var errors: [CatalogError] = []
        for path in paths {
            switch caseFiles(at: path) {
            case .success(let found): files += found.filter { !files.contains($0) }
            case .failure(let error): errors.append(error)
            }
        }
        var cases: [Case] = []
        var ids: [String: SourceLocation] = [:]
        for file in files {
            let (loaded, problems) = CaseLoader.load(path: file)
            errors += problems
            for var c in loaded {
                if let first = ids[c.id] {
                    let line = c.sourceFile.map { String($0.line(c.location.line)) } ?? ""
                    errors.append(CatalogError(
                        location: c.location, message: "duplicate id '\(c.id)': already used at \(first); ids are unique across the run",
                        sourceLine: line))
                    continue
                }
                ids[c.id] = c.location
                c.catalogueIndex = cases.count
                cases.append(c)
            }
        }
        return Catalog(files: files, cases: cases, errors: errors)
    }

    /// The case files at `path`: the file itself, or the YAML files below a folder.
    static func caseFiles(at path: String) -> Result<[String], CatalogError> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(.file(path, "no such file or folder"))
        }
        guard isDirectory.boolValue else { return .success([path]) }
        guard let enumerator = FileManager.default.enumerator(atPath: path) else {
            return .failure(.file(path, "cannot list the folder"))
        }
        var found: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            guard !name.hasPrefix("."), relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") else { continue }
            let full = path.hasSuffix("/") ? path + relative : path + "/" + relative
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue { found.append(full) }
        }
        guard !found.isEmpty else {
            return .failure(.file(path, "no case files (*.yaml, *.yml) in this folder"))
        }
        return .success(found.sorted())
    }
}
