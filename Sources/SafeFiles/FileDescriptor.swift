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

/// The one loop that writes a whole buffer to a file descriptor, and the one that fills a
/// buffer from one. Every writer of the three tools goes through ``writeAll(_:_:at:)``:
/// atomic files, streamed shards, standard output and standard error. Every whole-buffer
/// reader goes through ``readFull(_:into:at:)``: vocabularies, `encode`'s input blocks,
/// shards and corpus parts.
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
        let done = try transfer(buffer.count) { done in
            offset.map { pwrite(fd, base + done, buffer.count - done, off_t($0 + done)) }
                ?? Foundation.write(fd, base + done, buffer.count - done)
        }
        // write(2) returns 0 for a non-empty buffer only on odd devices; never call it success.
        if done < buffer.count { throw SystemError(code: EIO) }
    }

    /// Reads from `fd` (at `offset` without moving the file position, if given) until
    /// `buffer` is full or the file ends, retrying short reads and `EINTR`.
    ///
    /// ```swift
    /// var block = [UInt8](repeating: 0, count: 1 << 16)
    /// let n = try block.withUnsafeMutableBytes { try FileDescriptor.readFull(0, into: $0) }
    /// // n < block.count only at the end of standard input
    /// ```
    /// - Returns: the bytes read; fewer than `buffer.count` only at the end of the file.
    /// - Throws: the ``SystemError`` of the first read that fails (`EISDIR`, `EIO`, …).
    ///   What was read before it is in `buffer`, but its count is lost with the error.
    /// - Complexity: O(buffer.count).
    public static func readFull(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int? = nil) throws(SystemError) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        return try transfer(buffer.count) { done in
            offset.map { pread(fd, base + done, buffer.count - done, off_t($0 + done)) }
                ?? Foundation.read(fd, base + done, buffer.count - done)
        }
    }

    /// The loop both share: `step(done)` moves the next bytes and returns how many (0 at the
    /// end, -1 with `errno` set on failure); `EINTR` retries.
    private static func transfer(_ count: Int, _ step: (_ done: Int) -> Int) throws(SystemError) -> Int {
        var done = 0
        while done < count {
            let n = step(done)
            if n < 0 {
                if errno == EINTR { continue }
                throw .last
            }
            if n == 0 { break }
            done += n
        }
        return done
    }
}
