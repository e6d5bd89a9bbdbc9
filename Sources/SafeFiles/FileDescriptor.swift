import Foundation

/// A failed system call: its `errno`, and the system's words for it.
///
/// ```swift
/// SystemError(code: ENOSPC).description    // "No space left on device"
/// ```
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    public let code: Int32
    public init(code: Int32) { self.code = code }
    /// The error of the last failed call on this thread.
    public static var last: SystemError { SystemError(code: errno) }
    public var description: String { String(cString: strerror(code)) }
}

/// The one loop that writes a whole buffer to a file descriptor. Every writer of the three
/// tools goes through it: atomic files, streamed shards, standard output and standard error.
public enum FileDescriptor {
    /// Writes all of `buffer` to `fd` (at `offset` without moving the file position, if
    /// given), retrying short writes and `EINTR`.
    ///
    /// ```swift
    /// try Array("hi\n".utf8).withUnsafeBytes { try FileDescriptor.writeAll(1, $0) }
    /// ```
    /// - Throws: the ``SystemError`` of the first write that fails: `ENOSPC` on a full disk,
    ///   `EPIPE` on a pipe whose reader is gone (with `SIGPIPE` ignored).
    /// - Complexity: O(buffer.count).
    public static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, at offset: Int? = nil) throws(SystemError) {
        guard let base = buffer.baseAddress else { return }
        var done = 0
        while done < buffer.count {
            let n = offset.map { pwrite(fd, base + done, buffer.count - done, off_t($0 + done)) }
                ?? Foundation.write(fd, base + done, buffer.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw .last
            }
            done += n
        }
    }
}
