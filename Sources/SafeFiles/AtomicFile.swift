import Foundation

/// Writes files so that a reader sees the old file or the new one, never a torn one, even if
/// the process or the machine dies halfway: write a temporary file in the same directory,
/// `fsync` it, `rename` it over the target (atomic within one file system), then `fsync` the
/// directory so the rename itself is durable.
///
/// Every file the tools write goes through here: vocabularies, sidecars, counts files,
/// `meta.json`, checkpoints, and (through ``temporaryName(for:)`` and ``replace(_:over:)``)
/// the shards that are streamed to disk.
///
/// ```swift
/// try AtomicFile.write(Array("hello\n".utf8), to: "out.txt")
/// ```
public enum AtomicFile {
    /// Replaces `path` with `bytes`. O(bytes), plus two `fsync`s.
    /// - Throws: ``AtomicFile/Error`` naming the path and the system's reason; on failure the
    ///   temporary file is removed and `path` is left as it was.
    public static func write(_ bytes: [UInt8], to path: String) throws(Error) {
        let temp = temporaryName(for: path)
        // Tracked, so Ctrl-C removes it (see TemporaryFiles).
        TemporaryFiles.shared.track(temp)
        defer { TemporaryFiles.shared.untrack(temp) }
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Error(path: path, reason: SystemError.last.description) }
        var failure: String?
        bytes.withUnsafeBytes { raw in
            // The crash point sits halfway, where a direct write would leave a torn file.
            let half = raw.count / 2
            do throws(SystemError) {
                try FileDescriptor.writeAll(fd, UnsafeRawBufferPointer(rebasing: raw[..<half]))
                CrashPoint.reach(.write)
                try FileDescriptor.writeAll(fd, UnsafeRawBufferPointer(rebasing: raw[half...]))
            } catch {
                failure = error.description
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = SystemError.last.description }
        if close(fd) != 0, failure == nil { failure = SystemError.last.description }
        if let failure {
            unlink(temp)
            throw Error(path: path, reason: failure)
        }
        do {
            try replace(temp, over: path)
        } catch {
            unlink(temp)
            throw error
        }
    }

    /// A fresh name for a temporary file next to `path`: same directory (so the final rename
    /// stays within one file system), hidden (so globs skip it), unique per process and call.
    public static func temporaryName(for path: String) -> String {
        let name = (path as NSString).lastPathComponent
        return "\(directory(of: path))/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Renames the finished file `temp` over `path` and makes the rename durable.
    public static func replace(_ temp: String, over path: String) throws(Error) {
        CrashPoint.reach(.rename)
        guard rename(temp, path) == 0 else { throw Error(path: path, reason: SystemError.last.description) }
        syncDirectory(of: path)
    }

    /// `fsync`s the directory holding `path`, so a rename or unlink in it survives a crash.
    /// Best effort: some file systems refuse `fsync` on directories.
    public static func syncDirectory(of path: String) {
        let dfd = open(directory(of: path), O_RDONLY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }

    /// A failed write: the file meant, and the system's reason.
    public struct Error: Swift.Error, CustomStringConvertible, Equatable {
        public let path: String
        public let reason: String
        public var description: String { "\(path): cannot write: \(reason)" }
    }

    private static func directory(of path: String) -> String {
        let dir = (path as NSString).deletingLastPathComponent
        return dir.isEmpty ? "." : dir
    }
}
