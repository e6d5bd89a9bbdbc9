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
        let quads = DecimalDigits.quads
        while i < ids.count {
            let v = ids[i]
            p.pointee = separator
            if v < DecimalDigits.packedLimit {
                let (ascii, n) = DecimalDigits.packed(v, quads: quads)
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
///
/// A buffer of 2 MiB or more comes from ``HugePages``: `bpe encode` formats a 4 MiB block's
/// ids, about 6 MB of text, into fresh memory, some 1,500 page faults in 4 KiB pages.
public final class OutputBuffer {
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var count = 0
    @usableFromInline var capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = HugePages.allocate(capacity).assumingMemoryBound(to: UInt8.self)
    }

    deinit { free(base) }

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
        let bigger = HugePages.allocate(size).assumingMemoryBound(to: UInt8.self)
        bigger.update(from: base, count: count)
        free(base)
        base = bigger
        capacity = size
    }
}

/// Decimal formatting of token ids: ``packed(_:quads:)`` for ids below 10^8 (every id of
/// every vocabulary), four-digit groups from a 40 KB table with no branch on the length;
/// ``write(_:to:)`` for any `UInt32`, two digits per step from a 200-byte table.
public enum DecimalDigits {
    /// "00", "01", … "99", back to back.
    @usableFromInline static let pairs: StaticString = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

    /// ``packed(_:quads:)`` takes values below this. (Computed: a stored `static let` read from
    /// inlined code in another module goes through its lazy initializer on every id.)
    @inlinable public static var packedLimit: UInt32 { 100_000_000 }

    /// The four ASCII digits of every number below 10,000, zero-padded, first digit in the
    /// low byte: 40 KB, built once.
    // nonisolated(unsafe): written once, by the initializer, then only read.
    @usableFromInline nonisolated(unsafe) static let quads: UnsafePointer<UInt32> = {
        let table = UnsafeMutablePointer<UInt32>.allocate(capacity: 10_000)
        for n in 0..<10_000 {
            let d0 = UInt32(0x30 + n / 1000), d1 = UInt32(0x30 + n / 100 % 10)
            let d2 = UInt32(0x30 + n / 10 % 10), d3 = UInt32(0x30 + n % 10)
            table[n] = d0 | d1 << 8 | d2 << 16 | d3 << 24
        }
        return UnsafePointer(table)
    }()

    /// The decimal digits of `v` (below ``packedLimit``) as ASCII in the low bytes of a
    /// little-endian word, most significant first, and how many there are: its two halves
    /// of four digits from ``quads`` (read once by the caller: a `static let` read from
    /// inlined code goes through its lazy initializer), then the leading zeros shifted out,
    /// counted with one trailing-zero count. No loop and no branch on the digit count, which
    /// the two-digit routine mispredicts on ids of mixed lengths.
    ///
    /// ```swift
    /// DecimalDigits.packed(15339)   // (0x…3933333531, 5): "15339"
    /// ```
    /// - Complexity: O(1), about 15 instructions.
    @inlinable public static func packed(_ v: UInt32, quads: UnsafePointer<UInt32> = quads) -> (ascii: UInt64, count: Int) {
        let word = UInt64(quads[Int(v / 10_000)]) | UInt64(quads[Int(v % 10_000)]) << 32
        // Leading '0' digits are the low bytes equal to 0x30; zero itself keeps one digit.
        let count = max(8 &- (word ^ 0x3030_3030_3030_3030).trailingZeroBitCount &>> 3, 1)
        // A masking shift: the amount is 0...56, so the checks of a smart shift are waste.
        return (word &>> UInt64(truncatingIfNeeded: 64 &- 8 &* count), count)
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
