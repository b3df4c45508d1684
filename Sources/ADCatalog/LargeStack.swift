// Parsing on a stack of known size, whatever thread asks for it.
import Foundation

/// Runs work that recurses once per nesting level of the input (the expression parser, up to
/// ``ExpressionParser/maxDepth`` levels; Yams' composer, up to ``CaseLoader/maxYAMLDepth``) on
/// a thread of its own with a stack of ``size`` bytes.
///
/// The parser's frames are large: about 8 KB per level in a debug build and 2.5 KB in a release
/// build (three frames per level). Swift concurrency runs `adverify run` on dispatch worker
/// threads, whose stacks are 512 KB on macOS and follow `ulimit -s` on Linux: 200 levels did
/// not fit in 512 KB (a crash at about 50 levels in debug, 180 in release). On a 16 MB stack the
/// limits, not the stack, stop a hostile input.
enum LargeStack {
    static let size = 16 << 20

    /// `body()`, computed on a thread with a `size`-byte stack; the caller waits for it.
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        let box = Box<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.value = body()
            done.signal()
        }
        thread.stackSize = size
        thread.start()
        done.wait()
        // Take the result out of the box: the thread still holds the box (in its closure) until
        // it has wound down, which may be after this returns.
        let value = box.value!
        box.value = nil
        return value
    }

    /// The result, handed from the worker thread to the waiting one (the semaphore orders them).
    private final class Box<T>: @unchecked Sendable {
        var value: T?
    }
}
