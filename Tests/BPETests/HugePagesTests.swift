@testable import BPE
import Foundation
import SafeFiles
import Testing

/// ``HugePages`` and the large buffers that use it: the ids of a long text (``TokenBuffer``,
/// ``ArraySink``) and, in the CLI, output and input blocks. The advice changes only where
/// the kernel puts pages, so what is checked is that every byte written is kept, across
/// growth and copies, at sizes on both sides of one huge page.
@Suite struct HugePagesTests {
    @Test(arguments: [1, 4096, HugePages.size - 1, HugePages.size, 5 * HugePages.size + 3])
    func allocationsHoldWhatIsWritten(bytes: Int) {
        let p = HugePages.allocate(bytes)
        defer { free(p) }
        #if os(Linux)
        if bytes >= HugePages.size { #expect(Int(bitPattern: p) % HugePages.size == 0) }
        #endif
        let words = bytes / 8
        let w = p.bindMemory(to: UInt64.self, capacity: max(words, 1))
        for i in 0..<words { w[i] = UInt64(i) &* 0x9E37_79B9_7F4A_7C15 }
        var bad = 0
        for i in 0..<words where w[i] != UInt64(i) &* 0x9E37_79B9_7F4A_7C15 { bad += 1 }
        #expect(bad == 0)
    }

    /// Zeroed allocations are zero on both sides of one huge page, also when they reuse the
    /// memory of an allocation of the same size that was written all over and freed (what
    /// `malloc` hands back next); the piece cache's empty slots are these zeros.
    @Test(arguments: [1, 4096, HugePages.size - 1, HugePages.size, 2 * HugePages.size + 64])
    func zeroedAllocationsAreZero(bytes: Int) {
        for round in 0..<3 {
            let p = HugePages.allocateZeroed(bytes)
            let b = p.bindMemory(to: UInt8.self, capacity: bytes)
            var nonZero = 0
            for i in 0..<bytes where b[i] != 0 { nonZero += 1 }
            #expect(nonZero == 0, "round \(round), \(bytes) bytes")
            #if os(Linux)
            if bytes >= HugePages.size { #expect(Int(bitPattern: p) % HugePages.size == 0) }
            #endif
            memset(p, 0xA5, bytes)   // dirty, so that reused memory shows
            free(p)
        }
    }

    /// Advice over a range that starts and ends mid-page, in memory malloc gave, is harmless.
    @Test func adviceOnForeignMemoryKeepsIt() {
        let n = 3 * HugePages.size + 12_345
        let p = malloc(n)!
        defer { free(p) }
        HugePages.advise(p + 7, n - 7)
        HugePages.advise(p, 10)   // smaller than a huge page: nothing to advise
        let b = p.bindMemory(to: UInt8.self, capacity: n)
        for i in 0..<n { b[i] = UInt8(truncatingIfNeeded: i &* 31) }
        #expect((0..<n).allSatisfy { b[$0] == UInt8(truncatingIfNeeded: $0 &* 31) })
    }

    /// A sink sized for a text of megabytes (huge-page storage), one that grows into it from
    /// 256 tokens, and the array each hands back (advised before the copy) all hold the ids.
    @Test func largeSinksKeepEveryToken() {
        let count = 1_500_000   // 6 MB of ids: more than two huge pages
        for capacity in [nil, 4_000_000] as [Int?] {
            var sink = capacity.map { ArraySink(inputBytes: $0) } ?? ArraySink()
            for i in 0..<count { sink.append(Rank(truncatingIfNeeded: i &* 7919 % 200_000)) }
            let tokens = sink.tokens
            #expect(tokens.count == count)
            #expect(tokens.indices.allSatisfy { tokens[$0] == Rank(truncatingIfNeeded: $0 &* 7919 % 200_000) })
        }
    }

    /// The whole path: a text of megabytes encodes to the same ids as its parts do one by one.
    @Test func longTextEncodesAsItsParts() throws {
        let enc = try Encoding.builtin("cl100k_base")
        let line = "The quick brown fox, 1234 jumps; \u{4E2D}\u{6587} over the lazy dog.\n"
        let text = String(repeating: line, count: 60_000)   // about 4 MB
        let whole = enc.encodeOrdinary(text)
        #expect(whole.count == 60_000 * enc.encodeOrdinary(line).count)
        #expect(Array(whole.prefix(100)) == Array(enc.encodeOrdinary(String(repeating: line, count: 10)).prefix(100)))
    }
}
