import Foundation

/// Writes files so that a reader sees the old file or the new one, never a torn one:
/// write a temporary file in the same directory, fsync it, rename it over the target,
/// fsync the directory.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically.
    /// - Throws: ``AtomicFile/Error`` naming the path and the system's reason; on failure
    ///   the temporary file is removed and `path` is untouched.
    public static func write(_ bytes: [UInt8], to path: String) throws(Error) {
        let dir = (path as NSString).deletingLastPathComponent
        let directory = dir.isEmpty ? "." : dir
        let name = (path as NSString).lastPathComponent
        let temp = "\(directory)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        TemporaryFiles.shared.track(temp)
        defer { TemporaryFiles.shared.untrack(temp) }
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .cannotWrite(path, String(cString: strerror(errno))) }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        let written = bytes.withUnsafeBytes { raw -> Bool in
            var off = 0
            while off < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 { if errno == EINTR { continue }; return false }
                off += n
            }
            return true
        }
        let why = String(cString: strerror(errno))
        guard written, fsync(fd) == 0 else { close(fd); throw .cannotWrite(path, why) }
        guard close(fd) == 0 else { throw .cannotWrite(path, String(cString: strerror(errno))) }
        guard rename(temp, path) == 0 else { throw .cannotWrite(path, String(cString: strerror(errno))) }
        ok = true
        let dfd = open(directory, O_RDONLY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }

    public enum Error: Swift.Error, CustomStringConvertible, Equatable {
        case cannotWrite(String, String)
        public var description: String {
            switch self {
            case .cannotWrite(let p, let why): return "\(p): cannot write: \(why)"
            }
        }
    }
}
