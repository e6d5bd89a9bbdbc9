import Foundation

/// The one place this module calls the C file API: an open file descriptor with whole-buffer
/// reads and writes (retrying short transfers and EINTR) and errors that carry the path.
final class PosixFile {
    let path: String
    private(set) var fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { if fd >= 0 { Foundation.close(fd) } }

    static var lastError: String { String(cString: strerror(errno)) }

    static func openForReading(_ path: String) throws(ShardError) -> PosixFile {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotRead(path: path, reason: lastError) }
        return PosixFile(path: path, fd: fd)
    }

    /// Creates a new file; fails if `path` exists.
    static func create(_ path: String) throws(ShardError) -> PosixFile {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .cannotWrite(path: path, reason: lastError) }
        return PosixFile(path: path, fd: fd)
    }

    /// The file's size in bytes.
    func size() throws(ShardError) -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .cannotRead(path: path, reason: Self.lastError) }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw .cannotRead(path: path, reason: "is a directory") }
        return Int(st.st_size)
    }

    /// Fills `buffer` from the current position; returns how many bytes were read (less than
    /// the buffer only at the end of the file).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ShardError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = Foundation.read(fd, buffer.baseAddress! + done, buffer.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw .cannotRead(path: path, reason: Self.lastError)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    func write(_ buffer: UnsafeRawBufferPointer) throws(ShardError) {
        var done = 0
        while done < buffer.count {
            let n = Foundation.write(fd, buffer.baseAddress! + done, buffer.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw .cannotWrite(path: path, reason: Self.lastError)
            }
            done += n
        }
    }

    /// Writes `buffer` at `offset` without moving the file position.
    func write(_ buffer: UnsafeRawBufferPointer, at offset: Int) throws(ShardError) {
        var done = 0
        while done < buffer.count {
            let n = pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .cannotWrite(path: path, reason: Self.lastError)
            }
            done += n
        }
    }

    /// Fills `array` from the current position; returns the bytes read.
    func read<T: FixedWidthInteger>(into array: inout [T]) throws(ShardError) -> Int {
        try array.withUnsafeMutableBytes { raw in Result { () throws(ShardError) in try read(into: raw) } }.get()
    }

    /// Writes all of `bytes` at the current position, or at `offset` if given.
    func write(_ bytes: [UInt8], at offset: Int? = nil) throws(ShardError) {
        try bytes.withUnsafeBytes { raw in
            Result { () throws(ShardError) in
                if let offset { try write(raw, at: offset) } else { try write(raw) }
            }
        }.get()
    }

    /// Flushes to disk and closes.
    func syncAndClose() throws(ShardError) {
        guard fsync(fd) == 0 else { throw .cannotWrite(path: path, reason: Self.lastError) }
        let result = Foundation.close(fd)
        fd = -1
        guard result == 0 else { throw .cannotWrite(path: path, reason: Self.lastError) }
    }

    func close() {
        if fd >= 0 { Foundation.close(fd) }
        fd = -1
    }
}
