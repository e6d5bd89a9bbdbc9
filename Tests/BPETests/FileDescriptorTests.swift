import Foundation
import SafeFiles
import Testing

/// `FileDescriptor.readFull`, the one whole-buffer read loop (vocabularies, `encode`'s
/// blocks, shards, corpus parts): it keeps reading after short reads, stops only at the end
/// of the file, reads at an offset without moving the position, and throws the system's error.
@Suite struct FileDescriptorTests {
    /// A pipe hands its bytes over as they are written, so one `read` sees only the first
    /// write; `readFull` must go on until the buffer is full.
    @Test func fillsTheBufferAcrossShortReads() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let (r, w) = (ends[0], ends[1])
        defer { close(r) }
        let writer = Thread {
            for k in 0..<3 {
                let chunk = [UInt8](repeating: UInt8(ascii: "a") + UInt8(k), count: 10)
                chunk.withUnsafeBytes { _ = try? FileDescriptor.writeAll(w, $0) }
                usleep(20_000)
            }
            close(w)
        }
        writer.start()
        var buffer = [UInt8](repeating: 0, count: 30)
        let n = try buffer.withUnsafeMutableBytes { buf throws(SystemError) in try FileDescriptor.readFull(r, into: buf) }
        #expect(n == 30)
        #expect(buffer == Array(repeating: UInt8(ascii: "a"), count: 10) + Array(repeating: UInt8(ascii: "b"), count: 10)
                + Array(repeating: UInt8(ascii: "c"), count: 10))
        // The writer has closed its end: what is left is the end of the file.
        var more = [UInt8](repeating: 0, count: 8)
        #expect(try more.withUnsafeMutableBytes { buf throws(SystemError) in try FileDescriptor.readFull(r, into: buf) } == 0)
    }

    /// At an offset it reads with `pread`: the file position stays, and a range that runs past
    /// the end returns only what is there.
    @Test func readsAtAnOffsetUpToTheEnd() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("readfull-\(getpid()).bin").path
        defer { unlink(path) }
        try AtomicFile.write(Array("0123456789".utf8), to: path)
        let fd = open(path, O_RDONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 6)
        let n = try buffer.withUnsafeMutableBytes { buf throws(SystemError) in try FileDescriptor.readFull(fd, into: buf, at: 7) }
        #expect(n == 3)
        #expect(Array(buffer[..<3]) == Array("789".utf8))
        #expect(lseek(fd, 0, SEEK_CUR) == 0)
        let m = try buffer.withUnsafeMutableBytes { buf throws(SystemError) in try FileDescriptor.readFull(fd, into: buf) }
        #expect(m == 6)
        #expect(buffer == Array("012345".utf8))
    }

    @Test func aFailedReadThrowsTheSystemError() {
        let fd = open(FileManager.default.temporaryDirectory.path, O_RDONLY | O_DIRECTORY)
        #expect(fd >= 0)
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4)
        #expect(throws: SystemError(code: EISDIR)) {
            _ = try buffer.withUnsafeMutableBytes { buf throws(SystemError) in try FileDescriptor.readFull(fd, into: buf) }
        }
    }
}
