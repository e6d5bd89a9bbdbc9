import ArgumentParser
import BPE
import BPERegex
import CLISupport
import Foundation

/// Reads a whole file, or standard input for `nil` or `-`.
func readInput(_ path: String?) throws -> [UInt8] {
    guard let path, path != "-" else {
        return Array(FileHandle.standardInput.readDataToEndOfFile())
    }
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
        throw CLIError("\(path): no such file")
    }
    if isDir.boolValue { throw CLIError("\(path): is a directory") }
    // FileHandle, not FileManager.contents: it also reads pipes, FIFOs and /dev/stdin.
    guard let handle = FileHandle(forReadingAtPath: path) else {
        throw CLIError("\(path): cannot open (\(String(cString: strerror(errno))))")
    }
    defer { try? handle.close() }
    do {
        return Array(try handle.readToEnd() ?? Data())
    } catch {
        throw CLIError("\(path): cannot read: \(error.localizedDescription)")
    }
}

/// Bytes per block when `encode` and `count` stream: 4 MiB, or `SWIFT_BPE_BLOCK_SIZE` bytes.
/// That variable is a test knob: `scripts/parity.py` sets it small so real text is cut at
/// thousands of places and every cut is checked against tiktoken.
let streamBlockSize: Int = {
    if let v = ProcessInfo.processInfo.environment["SWIFT_BPE_BLOCK_SIZE"], let n = Int(v), n > 0 { return n }
    return 4 << 20
}()

/// Opens FILE (or standard input for `nil`/`-`) as a block reader for streaming.
func openInput(_ path: String?) throws -> (Int) throws -> [UInt8] {
    let handle: FileHandle
    if let path, path != "-" {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw CLIError("\(path): no such file")
        }
        if isDir.boolValue { throw CLIError("\(path): is a directory") }
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw CLIError("\(path): cannot open (\(String(cString: strerror(errno))))")
        }
        handle = h
    } else {
        handle = FileHandle.standardInput
    }
    let name = path ?? "<stdin>"
    return { n in
        do { return Array(try handle.read(upToCount: n) ?? Data()) } catch {
            throw CLIError("\(name): cannot read: \(error.localizedDescription)")
        }
    }
}

/// Maps a library encoding error to the CLI's wording for input `name`.
func describe(_ error: Error, input name: String) -> CLIError {
    if let e = error as? EncodeError, case .invalidUTF8(let offset) = e {
        return CLIError("\(name): invalid UTF-8 at byte \(offset); pass --allow-invalid-utf8 to encode the raw bytes losslessly")
    }
    if let e = error as? CLIError { return e }
    return CLIError("\(error)")
}

/// Throws unless `bytes` is valid UTF-8, naming the byte offset.
func requireUTF8(_ bytes: [UInt8], name: String) throws {
    if let bad = bytes.withUnsafeBufferPointer({ UTF8Validation.firstInvalid(in: $0, from: 0) }) {
        throw CLIError("\(name): invalid UTF-8 at byte \(bad.lowerBound); pass --allow-invalid-utf8 to encode the raw bytes losslessly")
    }
}

/// Buffered standard output: one `write(2)` per 64 KiB instead of per token.
struct Output {
    private var buffer: [UInt8] = []
    init() { buffer.reserveCapacity(1 << 16) }

    /// Buffers `bytes`; the caller decides when to `flush` (so nothing reaches stdout before
    /// the caller knows the output is good).
    mutating func write(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    var pendingCount: Int { buffer.count }

    /// Appends `v` in decimal without making a `String` (millions of ids per second).
    mutating func writeDecimal(_ v: UInt32) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = v, k = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[k] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
                k += 1
            } while n > 0
            for j in stride(from: k - 1, through: 0, by: -1) { buffer.append(d[j]) }
        }
    }

    mutating func write(_ s: String) { write(s.utf8) }

    mutating func writeIDs(_ ids: [Rank], json: Bool) {
        if json { write("[") }
        for (i, id) in ids.enumerated() {
            if i > 0 { buffer.append(json ? UInt8(ascii: ",") : UInt8(ascii: " ")) }
            writeDecimal(id)
        }
        write(json ? "]\n" : "\n")
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(1, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { if errno == EINTR { continue }; return }
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
