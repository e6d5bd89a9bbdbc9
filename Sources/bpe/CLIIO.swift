import ArgumentParser
import BPE
import BPERegex
import CLISupport
import Foundation
import SafeFiles

/// Reads a whole file, or standard input for `nil` or `-`.
func readInput(_ path: String?) throws -> [UInt8] {
    let (handle, name) = try openForReading(path)
    defer { if handle !== FileHandle.standardInput { try? handle.close() } }
    do {
        return Array(try handle.readToEnd() ?? Data())
    } catch {
        throw CLIError("\(name): cannot read: \(error.localizedDescription)")
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
    let (handle, name) = try openForReading(path)
    let fd = handle.fileDescriptor
    // read(2) straight into the array: no Data in between, one copy from the kernel. A
    // block's fresh pages are advised to be huge before the kernel touches them (see
    // HugePages): a 4 MiB block is otherwise some 1,000 page faults.
    return { n in
        var failure: SystemError?
        let bytes = [UInt8](unsafeUninitializedCapacity: n) { buf, filled in
            if let p = buf.baseAddress { HugePages.advise(p, n) }
            do throws(SystemError) {
                filled = try FileDescriptor.readFull(fd, into: UnsafeMutableRawBufferPointer(buf))
            } catch {
                filled = 0
                failure = error
            }
        }
        if let failure { throw CLIError("\(name): cannot read: \(failure)") }
        _ = handle   // keep the file open while reading
        return bytes
    }
}

/// FILE opened for reading, or standard input for `nil`/`-`, with its name for messages.
/// FileHandle, not FileManager.contents: it also reads pipes, FIFOs and /dev/stdin.
private func openForReading(_ path: String?) throws -> (FileHandle, name: String) {
    guard let path, path != "-" else { return (FileHandle.standardInput, "<stdin>") }
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
        throw CLIError("\(path): no such file")
    }
    if isDir.boolValue { throw CLIError("\(path): is a directory") }
    guard let handle = FileHandle(forReadingAtPath: path) else {
        throw CLIError("\(path): cannot open (\(String(cString: strerror(errno))))")
    }
    return (handle, path)
}

/// An encoding error in the CLI's words, naming input `name`; other errors pass through.
func describe(_ error: Error, input name: String) -> Error {
    guard let e = error as? EncodeError else { return error }
    if case .invalidUTF8(let offset) = e {
        return CLIError("\(name): invalid UTF-8 at byte \(offset); pass --allow-invalid-utf8 to encode the raw bytes losslessly")
    }
    return CLIError("\(name): \(e)")
}

/// Throws unless `bytes` is valid UTF-8, naming the byte offset.
func requireUTF8(_ bytes: [UInt8], name: String) throws { try requireUTF8(bytes[...], name: name) }

/// ``requireUTF8(_:name:)`` for part of a buffer; the offset counts from the slice's start.
func requireUTF8(_ bytes: ArraySlice<UInt8>, name: String) throws {
    if let bad = bytes.withUnsafeBufferPointer({ UTF8Validation.firstInvalid(in: $0, from: 0) }) {
        throw CLIError("\(name): invalid UTF-8 at byte \(bad.lowerBound); pass --allow-invalid-utf8 to encode the raw bytes losslessly")
    }
}
