import Foundation
import SafeFiles

/// An open file descriptor for the shard reader and writer: whole-buffer reads and writes
/// (through SafeFiles' ``FileDescriptor``, which retries short transfers and EINTR) and
/// errors that carry the path. (The exporter also calls `unlink` and `rename` directly.)
final class PosixFile {
    let path: String
    private(set) var fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { if fd >= 0 { Foundation.close(fd) } }

    static func openForReading(_ path: String) throws(ShardError) -> PosixFile {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotRead(path: path, reason: SystemError.last.description) }
        return PosixFile(path: path, fd: fd)
    }

    /// Creates a new file; fails if `path` exists.
    static func create(_ path: String) throws(ShardError) -> PosixFile {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .cannotWrite(path: path, reason: SystemError.last.description) }
        return PosixFile(path: path, fd: fd)
    }

    /// The file's size in bytes.
    func size() throws(ShardError) -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .cannotRead(path: path, reason: SystemError.last.description) }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw .cannotRead(path: path, reason: "is a directory") }
        return Int(st.st_size)
    }

    /// Fills `buffer` from the current position; returns how many bytes were read (less than
    /// the buffer only at the end of the file).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ShardError) -> Int {
        do {
            return try FileDescriptor.readFull(fd, into: buffer)
        } catch {
            throw .cannotRead(path: path, reason: error.description)
        }
    }

    /// Writes all of `buffer` at the current position, or at `offset` (without moving the
    /// file position) if given.
    func write(_ buffer: UnsafeRawBufferPointer, at offset: Int? = nil) throws(ShardError) {
        do {
            try FileDescriptor.writeAll(fd, buffer, at: offset)
        } catch {
            throw .cannotWrite(path: path, reason: error.description)
        }
    }

    /// Fills `array` from the current position; returns the bytes read.
    func read<T: FixedWidthInteger>(into array: inout [T]) throws(ShardError) -> Int {
        try array.withUnsafeMutableBytes { raw in Result { () throws(ShardError) in try read(into: raw) } }.get()
    }

    /// Writes all of `bytes` at the current position, or at `offset` if given.
    func write(_ bytes: [UInt8], at offset: Int? = nil) throws(ShardError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(ShardError) in try write(raw, at: offset) } }.get()
    }

    /// Flushes to disk and closes.
    func syncAndClose() throws(ShardError) {
        guard fsync(fd) == 0 else { throw .cannotWrite(path: path, reason: SystemError.last.description) }
        let result = Foundation.close(fd)
        fd = -1
        guard result == 0 else { throw .cannotWrite(path: path, reason: SystemError.last.description) }
    }

    func close() {
        if fd >= 0 { Foundation.close(fd) }
        fd = -1
    }
}
