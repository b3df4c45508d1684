// Which BLAS the dense and convolution kernels actually call. The package links GSL too,
// whose pkg-config adds -lgslcblas, a slow reference CBLAS exporting the same symbols; the
// dynamic linker binds `cblas_dgemm` to whichever library comes first, so this is worth
// checking at run time rather than assuming.
import CBLAS
import Foundation

/// The BLAS behind ``NetworkWorkspace``.
public enum BLASLibrary {
    /// The file of the shared library that `cblas_dgemm`, as ADNetwork calls it, comes from,
    /// or `nil` if it cannot be told (for example when BLAS is linked statically). On Linux the
    /// function's address is looked up in `/proc/self/maps` (Swift's Glibc module does not
    /// export the GNU `dladdr`); on Apple platforms `dladdr` says.
    public static var path: String? {
        let dgemm: @convention(c) (
            CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, Int32, Int32, Int32,
            Double, UnsafePointer<Double>?, Int32, UnsafePointer<Double>?, Int32,
            Double, UnsafeMutablePointer<Double>?, Int32
        ) -> Void = cblas_dgemm
        let address = UInt(bitPattern: unsafeBitCast(dgemm, to: UnsafeRawPointer.self))
        #if os(Linux)
        // FileHandle, not String(contentsOfFile:): /proc files report size 0 and the latter
        // stops after one page.
        guard let file = FileHandle(forReadingAtPath: "/proc/self/maps"),
              let data = try? file.readToEnd(), let maps = String(data: data, encoding: .utf8) else { return nil }
        try? file.close()
        for line in maps.split(separator: "\n") {
            // start-end perms offset dev inode [path]
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6 else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16) else { continue }
            if start <= address && address < end {
                let file = fields[5].trimmingCharacters(in: .whitespaces)
                return file.hasPrefix("/") ? file : nil
            }
        }
        return nil
        #else
        var info = Dl_info()
        guard dladdr(UnsafeRawPointer(bitPattern: address), &info) != 0, let file = info.dli_fname else { return nil }
        return String(cString: file)
        #endif
    }

    /// OpenBLAS's build configuration (`openblas_get_config()`), e.g.
    /// `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64`.
    public static var configuration: String { String(cString: openblas_get_config()) }

    /// The number of threads OpenBLAS uses (`OPENBLAS_NUM_THREADS`, or the core count).
    public static var threads: Int { Int(openblas_get_num_threads()) }
}
