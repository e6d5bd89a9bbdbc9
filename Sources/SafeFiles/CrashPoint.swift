import Foundation

/// Fault injection for the crash tests: kills this process with SIGKILL at a chosen point of
/// a file write, so a test can check that a crash there leaves the old file or the new one,
/// never a torn one, without hoping that a timed kill lands inside a write.
///
/// Set `SWIFT_BPE_CRASH_AT=POINT:N` (POINT is `write` or `rename`) and the process dies the
/// N-th time it reaches POINT (counting from 1). Unset, which is always the case outside the
/// tests, ``reach(_:)`` costs one load of a cached value.
///
/// ```sh
/// SWIFT_BPE_CRASH_AT=rename:2 bpe train corpus.txt --vocab-size 300 -o v.tiktoken   # killed
/// ```
public enum CrashPoint: String, Sendable {
    /// In the middle of writing a file's contents (half of an atomic write, or one buffer of a
    /// streamed shard).
    case write
    /// Just before a finished temporary file is renamed over its target.
    case rename

    /// Dies here if `SWIFT_BPE_CRASH_AT` names this point and this is its N-th visit.
    public static func reach(_ point: CrashPoint) {
        guard let target = armed, target.point == point else { return }
        lock.lock()
        visits += 1
        let hit = visits == target.count
        lock.unlock()
        if hit { kill(getpid(), SIGKILL) }
    }

    private static let armed: (point: CrashPoint, count: Int)? = {
        guard let spec = ProcessInfo.processInfo.environment["SWIFT_BPE_CRASH_AT"] else { return nil }
        let parts = spec.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let point = CrashPoint(rawValue: String(parts[0])),
              let n = Int(parts[1]), n >= 1 else { return nil }
        return (point, n)
    }()

    private static let lock = NSLock()
    nonisolated(unsafe) private static var visits = 0   // guarded by lock
}
