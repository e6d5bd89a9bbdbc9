import Foundation

/// Writes a whole file so that readers see the old contents or the new, never a mix, even if
/// the process or the machine dies halfway: write a temporary file in the same directory,
/// `fsync` it, `rename` it over the target (atomic within one file system), then `fsync` the
/// directory so the rename itself is durable.
///
/// (The BPE module has its own; this library has no dependencies, so it keeps a small copy of
/// the idea.)
public enum AtomicFile {
    /// Replaces `path` with `bytes`.
    /// - Throws: ``AtomicFileError`` naming the file and the system error; the temporary file
    ///   is removed on failure and the old file is left as it was.
    public static func write(_ bytes: [UInt8], to path: String) throws(AtomicFileError) {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let tmp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AtomicFileError(path: path, operation: "create \(tmp)", errno: errno) }
        var failure: AtomicFileError?
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = AtomicFileError(path: path, operation: "write", errno: errno)
                    return
                }
                offset += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = AtomicFileError(path: path, operation: "fsync", errno: errno) }
        if close(fd) != 0, failure == nil { failure = AtomicFileError(path: path, operation: "close", errno: errno) }
        if failure == nil, rename(tmp, path) != 0 { failure = AtomicFileError(path: path, operation: "rename", errno: errno) }
        if let failure {
            unlink(tmp)
            throw failure
        }
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)  // best effort: some file systems refuse fsync on directories
            close(dfd)
        }
    }
}

/// A failed ``AtomicFile/write(_:to:)``.
public struct AtomicFileError: Error, CustomStringConvertible {
    /// The file that was to be written.
    public let path: String
    /// The step that failed (`write`, `rename`, …).
    public let operation: String
    /// The system error number.
    public let code: Int32

    init(path: String, operation: String, errno: Int32) {
        self.path = path
        self.operation = operation
        self.code = errno
    }

    public var description: String {
        "cannot write \(path): \(operation) failed: \(String(cString: strerror(code)))"
    }
}
