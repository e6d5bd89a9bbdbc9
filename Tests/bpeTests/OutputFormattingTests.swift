import Foundation
import CLISupport
import Testing
import TestSupport

/// `bpe encode`'s id formatting: digit pairs from a table, written in place. Every digit
/// count and its edges, and random ids, against Swift's own `String(_:)`.
@Suite struct OutputFormattingTests {
    static let edges: [UInt32] = [0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 9999, 10_000, 99_999, 100_000,
                                  999_999, 1_000_000, 9_999_999, 10_000_000, 99_999_999, 100_000_000,
                                  999_999_999, 1_000_000_000, UInt32.max - 1, UInt32.max, 15339, 1917, 100_257, 199_999]

    @Test func digitsMatchString() {
        var rng = SplitMix(seed: 8)
        let ids = Self.edges + (0..<5000).map { _ in UInt32.random(in: 0...UInt32.max, using: &rng) >> UInt32.random(in: 0...31, using: &rng) }
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 16)
        defer { p.deallocate() }
        for v in ids {
            let n = DecimalDigits.write(v, to: p)
            #expect(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self) == String(v))
        }
    }

    /// The branch-free form writeIDs uses (four-digit halves from a table): every value up to 300,000 (every id of every
    /// vocabulary there is), each digit-count edge below 10^8, and random values.
    @Test func packedDigitsMatchString() {
        var rng = SplitMix(seed: 9)
        let values = Array(0..<UInt32(300_000)) + Self.edges.filter { $0 < DecimalDigits.packedLimit }
            + (0..<20_000).map { _ in UInt32.random(in: 0..<DecimalDigits.packedLimit, using: &rng) }
        for v in values {
            let (ascii, n) = DecimalDigits.packed(v)
            let bytes = withUnsafeBytes(of: ascii.littleEndian) { Array($0.prefix(n)) }
            #expect(String(decoding: bytes, as: UTF8.self) == String(v), "\(v)")
            #expect(ascii >> (8 * n) == 0, "\(v): bytes after the digits")
            if String(decoding: bytes, as: UTF8.self) != String(v) { break }
        }
    }

    /// `writeIDs` joins with the separator, with none before the first id of the output, across
    /// calls; `writeDecimal` agrees.
    @Test func idsJoinAcrossCalls() throws {
        let ids = Self.edges
        let expected = ids.map(String.init).joined(separator: ",")
        var out = Output(fd: -1, capacity: 8)   // tiny: the buffer must grow
        var first = true
        ids[..<10].withUnsafeBufferPointer { out.writeIDs($0, separator: UInt8(ascii: ","), first: &first) }
        ids[10...].withUnsafeBufferPointer { out.writeIDs($0, separator: UInt8(ascii: ","), first: &first) }
        #expect(out.pendingBytes == Array(expected.utf8))
        var single = Output(fd: -1)
        for (i, v) in ids.enumerated() {
            if i > 0 { single.write(byte: UInt8(ascii: ",")) }
            single.writeDecimal(v)
        }
        #expect(single.pendingBytes == Array(expected.utf8))
    }

    /// Buffers of 2 MiB and more come from the huge-page allocation: one that starts there, and
    /// one that grows into it from 64 bytes, keep every byte across the growth and the flush.
    @Test func hugeBuffersKeepEveryByte() throws {
        let ids = (0..<600_000).map { UInt32($0 &* 2_654_435_761 % 200_000) }
        let expected = Array(ids.map(String.init).joined(separator: " ").utf8)
        for capacity in [64, 2 << 20, 8 << 20] {
            var out = Output(fd: -1, capacity: capacity)
            var first = true
            for chunk in stride(from: 0, to: ids.count, by: 8192) {
                ids[chunk..<min(chunk + 8192, ids.count)].withUnsafeBufferPointer {
                    out.writeIDs($0, separator: UInt8(ascii: " "), first: &first)
                }
            }
            #expect(out.pendingCount == expected.count, "capacity \(capacity)")
            #expect(out.pendingBytes == expected, "capacity \(capacity)")
        }
        // Written for real: a temporary file gets exactly the buffered bytes.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("huge-output-\(getpid())").path
        defer { unlink(path) }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        try #require(fd >= 0)
        var out = Output(fd: fd, capacity: 4 << 20)
        out.write(expected[...])
        try out.flush()
        close(fd)
        #expect(FileManager.default.contents(atPath: path).map(Array.init) == expected)
    }
}
