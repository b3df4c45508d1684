// Writing to the terminal: results on stdout, problems on stderr.
import ADVerify
import Foundation

enum Console {
    static func out(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// `✓`, `✗` or `?`.
    static func mark(_ verdict: Verdict) -> String {
        switch verdict {
        case .pass: "✓"
        case .fail: "✗"
        case .inconclusive: "?"
        }
    }

    /// The versions a report records.
    static var tool: ToolInfo {
        #if os(Linux)
        let platform = "Linux " + (ProcessInfo.processInfo.operatingSystemVersionString)
        #else
        let platform = ProcessInfo.processInfo.operatingSystemVersionString
        #endif
        #if compiler(>=6.3)
        let swift = "6.3"
        #elseif compiler(>=6.2)
        let swift = "6.2"
        #elseif compiler(>=6.1)
        let swift = "6.1"
        #else
        let swift = "6.0"
        #endif
        return ToolInfo(adverify: adverifyVersion, gsl: gslVersion, swift: swift, platform: platform)
    }
}
