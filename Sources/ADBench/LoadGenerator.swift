// Busy threads for making a baseline: CI runs on shared machines whose other cores may be busy,
// and how far each ratio moves then is part of its noise. The baseline's runs are taken with the
// machine quiet and with one and two cores kept busy by these threads.
import Foundation

/// Threads that spin on floating-point work until stopped.
public final class LoadGenerator: @unchecked Sendable {
    private let lock = NSLock()
    private var running = true
    private var finished = 0
    private let count: Int

    /// Starts `threads` busy threads (none for 0).
    public init(threads: Int) {
        count = threads
        for _ in 0..<threads {
            let thread = Thread { [self] in spin() }
            thread.start()
        }
    }

    /// How a run with `threads` busy threads is described in a baseline.
    public static func describe(threads: Int) -> String {
        threads == 0 ? "quiet" : "\(threads) core\(threads == 1 ? "" : "s") busy"
    }

    private var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return running
    }

    private func spin() {
        var x = 1.000_000_1
        while isRunning {
            for _ in 0..<1_000_000 { x = x * 1.000_000_1 + 1e-9 }
            if x > 1e300 { x = 1.000_000_1 }
        }
        lock.lock()
        finished += 1
        lock.unlock()
        consume(x)
    }

    /// Stops the threads and waits until they have ended.
    public func stop() {
        lock.lock()
        running = false
        lock.unlock()
        while true {
            lock.lock()
            let done = finished == count
            lock.unlock()
            if done { return }
            usleep(1_000)
        }
    }
}
