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
    /// The bytes not yet written, in raw storage (an `Array`'s append checks uniqueness on
    /// every byte, which was most of `bpe encode`'s formatting time).
    @usableFromInline let buffer: OutputBuffer
    /// The file descriptor written to.
    public let fd: Int32

    /// - Parameter capacity: bytes to reserve; callers that flush every 64 KiB want that much.
    public init(fd: Int32 = STDOUT_FILENO, capacity: Int = 1 << 16) {
        self.fd = fd
        buffer = OutputBuffer(capacity: max(capacity, 64))
    }

    /// Bytes buffered and not yet flushed.
    @inlinable public var pendingCount: Int { buffer.count }

    /// A copy of the bytes not yet flushed (for tests).
    public var pendingBytes: [UInt8] { Array(UnsafeBufferPointer(start: buffer.base, count: buffer.count)) }

    /// Buffers `bytes`.
    @inlinable public mutating func write(_ bytes: some Sequence<UInt8>) {
        for b in bytes { buffer.append(b) }
    }

    /// Buffers the UTF-8 of `text`.
    @inlinable public mutating func write(_ text: String) {
        var text = text
        text.withUTF8 { buffer.append($0) }
    }

    /// Buffers the bytes of a buffer.
    @inlinable public mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) { buffer.append(bytes) }

    /// Buffers one byte.
    @inlinable public mutating func write(byte: UInt8) { buffer.append(byte) }

    /// Buffers `v` in decimal without making a `String` (millions of ids per second).
    /// - Complexity: O(digits).
    @inlinable public mutating func writeDecimal(_ v: UInt32) {
        buffer.reserve(10)
        buffer.count += DecimalDigits.write(v, to: buffer.end)
    }

    /// Buffers `ids` in decimal, each after `separator` except the first id of the output
    /// (`first` says whether nothing was written yet, and is cleared).
    /// - Complexity: O(total digits), a few instructions per digit.
    @inlinable public mutating func writeIDs(_ ids: UnsafeBufferPointer<UInt32>, separator: UInt8, first: inout Bool) {
        guard !ids.isEmpty else { return }
        buffer.reserve(ids.count * 11)
        var p = buffer.end
        var i = 0
        if first {
            p += DecimalDigits.write(ids[0], to: p)
            first = false
            i = 1
        }
        // Separator and digits as two stores with no branch on the digit count (ids below
        // 10^8, which is every id of every vocabulary); 11 bytes reserved per id covers the
        // 8-byte store and the general routine alike.
        while i < ids.count {
            let v = ids[i]
            p.pointee = separator
            if v < DecimalDigits.packedLimit {
                let (ascii, n) = DecimalDigits.packed(v)
                UnsafeMutableRawPointer(p + 1).storeBytes(of: ascii.littleEndian, as: UInt64.self)
                p += 1 + n
            } else {
                p += 1 + DecimalDigits.write(v, to: p + 1)
            }
            i += 1
        }
        buffer.count = buffer.base.distance(to: p)
    }

    /// Writes everything buffered, all of it or an error.
    /// - Throws: ``OutputError``; the buffer is emptied either way.
    public mutating func flush() throws(OutputError) {
        defer { buffer.count = 0 }
        do throws(SystemError) {
            try FileDescriptor.writeAll(fd, UnsafeRawBufferPointer(start: buffer.base, count: buffer.count))
        } catch {
            throw OutputError(fd: fd, system: error)
        }
    }
}

/// The storage behind ``Output``: bytes that grow by doubling.
public final class OutputBuffer {
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var count = 0
    @usableFromInline var capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// Where the next byte goes.
    @inlinable var end: UnsafeMutablePointer<UInt8> { base + count }

    /// Makes room for `n` more bytes.
    @inlinable func reserve(_ n: Int) {
        if count + n > capacity { grow(to: count + n) }
    }

    @inlinable func append(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count += 1
    }

    @inlinable func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let src = bytes.baseAddress else { return }
        reserve(bytes.count)
        (base + count).update(from: src, count: bytes.count)
        count += bytes.count
    }

    @usableFromInline func grow(to needed: Int) {
        var size = capacity * 2
        while size < needed { size *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = size
    }
}

/// Decimal formatting of token ids: two digits per step from a 200-byte table.
public enum DecimalDigits {
    /// "00", "01", … "99", back to back.
    @usableFromInline static let pairs: StaticString = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

    /// ``packed(_:)`` takes values below this.
    public static let packedLimit: UInt32 = 100_000_000

    /// The decimal digits of `v` (below ``packedLimit``) as ASCII in the low bytes of a
    /// little-endian word, most significant first, and how many there are: SWAR arithmetic
    /// (split into 4-digit halves, then 2-digit, then 1-digit lanes with multiply-shift
    /// division), so there is no loop and no branch on the digit count, which the table
    /// routine mispredicts on mixed-length ids.
    ///
    /// ```swift
    /// DecimalDigits.packed(15339)   // (0x…3933333531, 5): "15339" in the low 5 bytes
    /// ```
    /// - Complexity: O(1), about 20 instructions.
    @inlinable public static func packed(_ v: UInt32) -> (ascii: UInt64, count: Int) {
        // [v / 10^4, v % 10^4] as two 32-bit lanes, the high half first in memory order.
        let x = UInt64(v / 10_000) | UInt64(v % 10_000) << 32
        // Each lane n < 10^4 into [n / 100, n % 100]; n * 5243 >> 19 is n / 100 for n < 43,699.
        let hundreds = (x &* 5243) >> 19 & 0x0000_007F_0000_007F
        let pairs = hundreds | (x &- hundreds &* 100) << 16
        // Each 16-bit lane n < 100 into [n / 10, n % 10]; n * 103 >> 10 is n / 10 for n < 179.
        let tens = (pairs &* 103) >> 10 & 0x000F_000F_000F_000F
        let digits = tens | (pairs &- tens &* 10) << 8
        // Leading zero digits are the low zero bytes; zero itself keeps one digit.
        let count = max(8 - digits.trailingZeroBitCount >> 3, 1)
        return ((digits | 0x3030_3030_3030_3030) >> (64 - 8 * count), count)
    }

    /// The number of decimal digits of `v`.
    @inlinable static func count(_ v: UInt32) -> Int {
        if v < 100_000 { return v < 100 ? (v < 10 ? 1 : 2) : (v < 1000 ? 3 : (v < 10_000 ? 4 : 5)) }
        return v < 10_000_000 ? (v < 1_000_000 ? 6 : 7) : (v < 100_000_000 ? 8 : (v < 1_000_000_000 ? 9 : 10))
    }

    /// Writes `v` in decimal at `p` (room for 10 bytes needed); returns the digits written.
    ///
    /// ```swift
    /// DecimalDigits.write(15339, to: p)   // 5: "15339"
    /// ```
    @inlinable public static func write(_ v: UInt32, to p: UnsafeMutablePointer<UInt8>) -> Int {
        let n = count(v)
        var q = p + n
        var v = v
        let table = pairs.utf8Start
        while v >= 100 {
            let r = Int(v % 100)
            v /= 100
            q -= 2
            q[0] = table[2 * r]
            q[1] = table[2 * r + 1]
        }
        if v >= 10 {
            q -= 2
            q[0] = table[2 * Int(v)]
            q[1] = table[2 * Int(v) + 1]
        } else {
            q -= 1
            q[0] = UInt8(ascii: "0") + UInt8(v)
        }
        return n
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
