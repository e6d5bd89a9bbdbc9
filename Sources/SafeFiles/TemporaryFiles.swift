import Foundation

/// The temporary files and folders this process is writing, so an interrupted run (Ctrl-C,
/// SIGTERM) can remove them before it exits: atomic writes leave no torn output, and this
/// leaves no litter either.
///
/// ```swift
/// TemporaryFiles.shared.track(tempPath)
/// defer { TemporaryFiles.shared.untrack(tempPath) }
/// ```
public final class TemporaryFiles: @unchecked Sendable {
    public static let shared = TemporaryFiles()
    private var paths: Set<String> = []
    private let lock = NSLock()

    public func track(_ path: String) { lock.lock(); paths.insert(path); lock.unlock() }
    public func untrack(_ path: String) { lock.lock(); paths.remove(path); lock.unlock() }

    /// Removes every tracked file or folder; returns the paths removed.
    @discardableResult
    public func removeAll() -> [String] {
        lock.lock()
        let all = paths.sorted()
        paths.removeAll()
        lock.unlock()
        return all.filter { (try? FileManager.default.removeItem(atPath: $0)) != nil }
    }
}
