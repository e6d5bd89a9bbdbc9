@testable import BPE
import Foundation
import SafeFiles
import Testing
import TestSupport

@Suite struct VocabularyTests {
    /// A valid .tiktoken body: the 256 bytes in order, then `extra` lines.
    func file(_ extra: [String] = [], crlf: Bool = false) -> [UInt8] {
        var lines = (0...255).map { "\(Data([UInt8($0)]).base64EncodedString()) \($0)" }
        lines += extra
        return Array(lines.joined(separator: crlf ? "\r\n" : "\n").utf8) + Array((crlf ? "\r\n" : "\n").utf8)
    }

    func error(_ bytes: [UInt8]) -> VocabularyError? {
        do { _ = try Vocabulary(tiktoken: bytes, source: "t.tiktoken"); return nil } catch { return error }
    }

    @Test func parsesAndAcceptsCRLFAndBlankLines() throws {
        let ab = Data("ab".utf8).base64EncodedString()
        let v = try Vocabulary(tiktoken: file(["\(ab) 256"], crlf: true))
        #expect(v.count == 257)
        #expect(v.rank(of: Array("ab".utf8)) == 256)
        #expect(v.mergedRank(97, 98) == 256)
        #expect(try Vocabulary(tiktoken: file(["", "\(ab) 256", ""])).count == 257)
        // Serialising gives the same file back.
        #expect(v.tiktokenData() == file(["\(ab) 256"]))
    }

    @Test func errorsNameTheLine() {
        #expect(error(file(["@@@@ 256"])) == .malformedLine(line: 257, reason: "token is not valid base64", source: "t.tiktoken"))
        #expect(error(file(["YWI="])) == .malformedLine(line: 257, reason: "missing rank", source: "t.tiktoken"))
        #expect(error(file(["YWI= x1"])) == .malformedLine(line: 257, reason: "rank is not a non-negative decimal number", source: "t.tiktoken"))
        #expect(error(file(["YWI= -1"])) == .malformedLine(line: 257, reason: "rank is not a non-negative decimal number", source: "t.tiktoken"))
        #expect(error(file(["YWI= 256 7"])) == .malformedLine(line: 257, reason: "more than two fields", source: "t.tiktoken"))
        #expect(error(file(["YWI= 256", "YWI= 257"])) == .duplicateToken(line: 258, firstLine: 257, source: "t.tiktoken"))
        #expect(error(file(["YWI= 255"])) == .duplicateRank(rank: 255, line: 257, firstLine: 256, source: "t.tiktoken"))
        #expect(error([]) == .empty(source: "t.tiktoken"))
        #expect(error(Array("\n\r\n".utf8)) == .empty(source: "t.tiktoken"))
        let description = VocabularyError.malformedLine(line: 257, reason: "missing rank", source: "t.tiktoken").description
        #expect(description.contains("t.tiktoken, line 257"))
    }

    @Test("the library's errors name its parameters, never a flag")
    func errorsNameParameters() {
        let errors: [VocabularyError] = [
            .unknownEncoding("x", known: ["gpt2"]), .missingPattern(path: "v.tiktoken"),
            .notFound(file: "o200k_base.tiktoken", searched: ["/d (from vocabDirectory:)"]),
        ]
        for e in errors { #expect(!e.description.contains("--"), "\(e)") }
        #expect(errors[0].description.hasSuffix("(or load a file: Encoding.load(contentsOf:))"))
        #expect(errors[1].description.contains("pass pattern: gpt2"))
        #expect(errors[2].description.contains("Pass vocabDirectory: DIR"))
        #expect(errors[2].message(naming: { _ in "FLAG" }).contains("Pass FLAG DIR"))
    }

    @Test func everyByteMustHaveAToken() {
        let lines = (0...254).map { "\(Data([UInt8($0)]).base64EncodedString()) \($0)" }
        #expect(error(Array(lines.joined(separator: "\n").utf8)) == .missingByte(255, source: "t.tiktoken"))
    }

    @Test func holesAreAllowedOnlyUnderSpecialTokens() throws {
        let v = try Vocabulary(tiktoken: file(["YWI= 257"]))
        #expect(v.holes == [256])
        #expect(throws: VocabularyError.rankGap(rank: 256, source: "x")) {
            try Encoding(name: "x", vocabulary: v, pattern: ".", specialTokens: [:])
        }
        let enc = try Encoding(name: "x", vocabulary: v, pattern: #"\p{L}+|."#, specialTokens: ["<|e|>": 256])
        #expect(enc.encodeOrdinary("ab") == [257])
        #expect(try enc.decodeBytes([256]) == Array("<|e|>".utf8))
    }

    @Test func absurdRankIsRefusedWithoutAllocating() {
        guard case .malformedLine(line: 257, _, _) = error(file(["YWI= 4000000000"])) else {
            Issue.record("expected a malformed line error")
            return
        }
    }

    @Test func pairTableHoldsEverySplit() throws {
        // "abc" can be cut as a|bc and ab|c; both pairs must merge to it.
        let v = try byteVocabulary(["ab", "bc", "abc"])
        #expect(v.mergedRank(256, 99) == 258)
        #expect(v.mergedRank(97, 257) == 258)
        #expect(v.mergedRank(98, 99) == 257)
        #expect(v.mergedRank(99, 97) == nil)
    }

    @Test func missingFileIsAClearError() {
        #expect(throws: VocabularyError.unreadable(path: "/nonexistent.tiktoken", reason: "no such file")) {
            try Vocabulary(contentsOf: "/nonexistent.tiktoken")
        }
    }

    /// A file that reports no size (a pipe, a /proc file) is read to its end, however long:
    /// the whole r50k_base file (over 64 KiB, the first read) through a named pipe.
    @Test func readsAFileThatReportsNoSize() throws {
        let data = try Encoding.builtin("r50k_base").vocabulary.tiktokenData()
        let fifo = FileManager.default.temporaryDirectory.appendingPathComponent("vocab-\(getpid()).fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        let writer = Thread {
            let fd = open(fifo, O_WRONLY)
            data.withUnsafeBytes { _ = try? FileDescriptor.writeAll(fd, $0) }
            close(fd)
        }
        writer.start()
        let v = try Vocabulary(contentsOf: fifo)
        #expect(v.tiktokenData() == data)
    }

    /// `hashBytes` takes a piece's tail in one load, with no byte loop: it must give the
    /// byte-by-byte definition's value for every length (cached images and their layout
    /// fingerprint depend on it), reading nothing past the piece.
    @Test func hashBytesTailMatchesTheByteLoop() {
        func reference(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
            var h = UInt64(n) &* 0x9E37_79B9_7F4A_7C15, k = 0
            while k + 8 <= n {
                h = (h ^ UnsafeRawPointer(p + k).loadUnaligned(as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
                h ^= h >> 29
                k += 8
            }
            if k < n {
                var w: UInt64 = 0
                for j in k..<n { w |= UInt64(p[j]) << UInt64(8 * (j - k)) }
                h = (h ^ w) &* 0x94D0_49BB_1331_11EB
            }
            h ^= h >> 32
            h = h &* 0x9E37_79B9_7F4A_7C15
            return h ^ (h >> 29)
        }
        var rng = SplitMix(seed: 12)
        for n in 1...40 {
            for _ in 0..<50 {
                // Exactly n bytes allocated, so a read past the piece is out of bounds (ASan).
                let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
                bytes.withUnsafeBufferPointer { #expect(hashBytes($0.baseAddress!, n) == reference($0.baseAddress!, n), "length \(n)") }
            }
        }
    }

    /// The short-token key packs 1 to 8 bytes with overlapping loads: it must equal the plain
    /// little-endian packing for every length, and read nothing past the piece.
    @Test func shortKeysPackExactly() {
        var rng = SplitMix(seed: 9)
        for _ in 0..<2000 {
            let n = Int.random(in: 1...8, using: &rng)
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var expected: UInt64 = 0
            for (i, b) in bytes.enumerated() { expected |= UInt64(b) << UInt64(8 * i) }
            // An exactly-sized allocation: a read past the end would be caught by ASan.
            let p = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
            p.initialize(from: bytes, count: n)
            #expect(ShortTokenTable.pack(p, n) == expected, "\(bytes)")
            p.deallocate()
        }
    }

    /// The one-load packing, for a piece followed by more text, must give the same key as
    /// ``ShortTokenTable/pack(_:_:)`` whatever bytes follow the piece (here random ones, never
    /// zero-filled), or the encoder would miss short tokens or find wrong ones.
    @Test func paddedShortKeysIgnoreWhatFollows() {
        var rng = SplitMix(seed: 10)
        for _ in 0..<2000 {
            let n = Int.random(in: 1...8, using: &rng)
            let bytes = (0..<(n + 8)).map { _ in UInt8.random(in: 1...255, using: &rng) }
            bytes.withUnsafeBufferPointer { buf in
                let p = buf.baseAddress!
                #expect(ShortTokenTable.packPadded(p, n) == ShortTokenTable.pack(p, n), "\(bytes.prefix(n)) n=\(n)")
            }
        }
    }
}
