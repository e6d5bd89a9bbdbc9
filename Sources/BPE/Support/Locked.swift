import Foundation

/// A value behind a lock, safe to share between threads: the one lock wrapper of this
/// package (the encoding cache, the trainer's per-thread counters, the exporter's job queue).
///
/// Not named `Mutex`, which would shadow the standard library's `Synchronization.Mutex`;
/// that one needs macOS 15 and this package supports macOS 13, hence `NSLock`.
///
/// ```swift
/// let hits = Locked(0)
/// DispatchQueue.concurrentPerform(iterations: 4) { _ in hits.withLock { $0 += 1 } }
/// hits.withLock { $0 }    // 4
/// ```
/// - Complexity: one uncontended lock and unlock per ``withLock(_:)``, tens of nanoseconds:
///   for work per block or per job, not per byte.
package final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    package init(_ value: Value) { self.value = value }

    /// Runs `body` with the value while holding the lock.
    package func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
