// libFuzzer target: the case loader, fed a case file's bytes exactly as `adverify run` reads
// them: the bytes are written to a file and loaded with CaseLoader.load(path:), so the size
// limit, the NUL and UTF-8 checks and the byte-order mark all see the raw input. Every loaded
// case then goes through what the runner does first (FuzzSupport.exercise), and every error
// is rendered as the tool prints it.
import ADCatalog
import FuzzSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One scratch file per process (libFuzzer's -jobs/-fork run several), in TMPDIR or /tmp.
let scratchPath: String = {
    let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    return "\(directory)/adverify-fuzz-\(getpid()).yaml"
}()

/// With FUZZ_VERBOSE=1 in the environment, each input's cases and errors are printed (for
/// looking at a corpus file or a reproducer: `FUZZ_VERBOSE=1 FuzzCaseLoader FILE`).
let verbose = getenv("FUZZ_VERBOSE") != nil

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCaseLoader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let fd = open(scratchPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { fatalError("cannot write \(scratchPath): errno \(errno)") }
    var written = 0
    while written < size, let data {
        let n = write(fd, data + written, size - written)
        guard n > 0 else { fatalError("cannot write \(scratchPath): errno \(errno)") }
        written += n
    }
    close(fd)
    let (cases, errors) = CaseLoader.load(path: scratchPath)
    for error in errors { checkError(error) }
    for c in cases { exercise(c) }
    if verbose {
        print("\(cases.count) case(s): \(cases.map(\.id).joined(separator: ", "))")
        for error in errors { print(error.description) }
    }
    return 0
}
