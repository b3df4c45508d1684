// SIGINT and SIGTERM while reports are written: no half-written temporary file is left behind.
import ADReport
import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Ends the process on SIGINT or SIGTERM the way the default action would, after removing
/// the temporary file of a report being written.
///
/// Reports are renamed into place whole, so an interrupted run always leaves the previous
/// report (or the new one) intact; what an interrupt could leave is the temporary file of the
/// write in progress (`.verification.md.<uuid>.tmp`). The handler runs on a dispatch queue,
/// not in signal context: it removes those files (holding the writer's lock, so no other is
/// created or renamed meanwhile), says so on stderr, then restores the default action and
/// raises the signal again, so the caller sees a process killed by SIGINT (status 130 in a
/// shell, which then stops a script's loop as it should) or SIGTERM.
enum Interrupts {
    /// The signal sources, kept alive for the life of the process.
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func install() {
        guard sources.isEmpty else { return }
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                let removed = ReportWriter.abandonInFlight()
                if !removed.isEmpty {
                    let list = removed.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")
                    let message = "adverify: interrupted while writing the reports; removed the unfinished \(list); the previous reports are unchanged\n"
                    FileHandle.standardError.write(Data(message.utf8))
                }
                // Die of the signal: default action, unblocked in this (dispatch) thread, raised
                // here so it is delivered before raise returns.
                signal(signalNumber, SIG_DFL)
                var set = sigset_t()
                sigemptyset(&set)
                sigaddset(&set, signalNumber)
                pthread_sigmask(SIG_UNBLOCK, &set, nil)
                raise(signalNumber)
                _exit(128 + signalNumber)
            }
            source.resume()
            sources.append(source)
        }
    }
}
