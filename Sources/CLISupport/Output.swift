import Foundation
import SafeFiles

/// Buffered output to standard output (or another descriptor) that reports every failure.
///
/// Both tools write through this one type, so a full disk, an I/O error or `/dev/full` is
/// one `error:` line and exit status 1 (see ``reportingErrors(wording:_:)``), and a reader
/// that went away (`bpe encode big.txt | head`) ends the run quietly with status 141, as a
/// Unix tool killed by `SIGPIPE` does. ``ignoreBrokenPipeSignal()`` must run first, so the
/// write returns `EPIPE` instead of killing the process.
///
/// ```swift
/// var out = Output()
/// out.writeDecimal(15339); out.write(" "); out.writeDecimal(1917); out.write("\n")
/// try out.flush()            // one write(2): "15339 1917\n"
/// ```
/// Nothing reaches the descriptor before ``flush()``, so a command can hold its output until
/// it knows the output is good.
public struct Output {
    /// The bytes not yet written.
    @usableFromInline var buffer: [UInt8] = []
    /// The file descriptor written to.
    public let fd: Int32

    /// - Parameter capacity: bytes to reserve; callers that flush every 64 KiB want that much.
    public init(fd: Int32 = STDOUT_FILENO, capacity: Int = 1 << 16) {
        self.fd = fd
        buffer.reserveCapacity(capacity)
    }

    /// Bytes buffered and not yet flushed.
    @inlinable public var pendingCount: Int { buffer.count }

    /// Buffers `bytes`.
    @inlinable public mutating func write(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// Buffers the UTF-8 of `text`.
    @inlinable public mutating func write(_ text: String) { write(text.utf8) }

    /// Buffers one byte.
    @inlinable public mutating func write(byte: UInt8) { buffer.append(byte) }

    /// Buffers `v` in decimal without making a `String` (millions of ids per second).
    /// - Complexity: O(digits).
    @inlinable public mutating func writeDecimal(_ v: UInt32) {
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

    /// Writes everything buffered, all of it or an error.
    /// - Throws: ``OutputError``; the buffer is emptied either way.
    public mutating func flush() throws(OutputError) {
        defer { buffer.removeAll(keepingCapacity: true) }
        let fd = self.fd
        let result = buffer.withUnsafeBytes { raw in
            Result { () throws(SystemError) in try FileDescriptor.writeAll(fd, raw) }
        }
        if case .failure(let error) = result { throw OutputError(fd: fd, system: error) }
    }
}

/// Writing to standard output (or error) failed.
public struct OutputError: Error, Equatable, CustomStringConvertible {
    public let fd: Int32
    public let system: SystemError

    /// The reader of a pipe went away (`EPIPE`): not a failure to report, a reason to stop.
    public var isBrokenPipe: Bool { system.code == EPIPE }

    public var description: String {
        let name = fd == STDOUT_FILENO ? "standard output" : fd == STDERR_FILENO ? "standard error" : "file descriptor \(fd)"
        return "cannot write to \(name): \(system)"
    }
}

/// The status a run ends with when its reader went away: 128 + `SIGPIPE`, what a shell
/// reports for `cat big.txt | head`, so `set -o pipefail` scripts see the same as with cat.
public let brokenPipeExitStatus: Int32 = 128 + SIGPIPE

/// Makes a write to a closed pipe fail with `EPIPE` instead of killing the process, so
/// ``Output`` can end the run with ``brokenPipeExitStatus`` and no message. Call it first
/// thing in `main`.
public func ignoreBrokenPipeSignal() {
    signal(SIGPIPE, SIG_IGN)
}

/// Writes `text` to standard error at once. Best effort: when standard error itself cannot
/// be written there is nowhere left to report it, so the failure is dropped (as Unix tools
/// do), and the run's own status still tells what happened.
public func writeStandardError(_ text: String) {
    var err = Output(fd: STDERR_FILENO, capacity: text.utf8.count)
    err.write(text)
    try? err.flush()
}

/// One line on standard error (see ``writeStandardError(_:)``).
public func printError(_ line: String) {
    writeStandardError(line + "\n")
}
