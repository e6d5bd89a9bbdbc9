@testable import BPE
import BPERegex
import Foundation
import Testing
import TestSupport

/// Streaming must be exact: cutting long input at safe points gives the ids of the whole.
@Suite struct StreamTests {
    /// Text built to tempt a wrong cut: whitespace runs, CRLF and multi-byte characters around
    /// every line break, letters and digits next to newlines.
    static let adversarial: String = {
        var rng = SplitMix(seed: 21)
        let parts = ["word", "Word", "x", "42", "  ", "   \t", "\r\n", "\n", "\n\n", " \n", "é", "中文", "😀", "!", "'s",
                     "don't", "\u{3000}", "\u{85}", "a\nB", "9\nz", "  \nQ", "\r\nX", "<|endoftext|>", ".\nA", "y\n Z"]
        return (0..<4000).map { _ in parts.randomElement(using: &rng)! }.joined()
    }()

    @Test(arguments: ["r50k_base", "cl100k_base", "o200k_base"])
    func streamedEqualsWhole(_ name: String) throws {
        let enc = try Encoding.builtin(name)
        #expect(enc.canStream)
        let bytes = Array(Self.adversarial.utf8)
        let whole = try enc.encode(bytes: bytes, allowedSpecial: .all)
        for blockSize in [7, 64, 1000] {
            var at = 0
            var got: [Rank] = []
            var blocks = 0
            try enc.encodeStream(read: { n in
                defer { at = min(at + n, bytes.count) }
                return Array(bytes[at..<min(at + n, bytes.count)])
            }, blockSize: blockSize, allowedSpecial: .all) { ids in
                got += ids
                blocks += 1
            }
            #expect(got == whole, "\(name), block \(blockSize)")
            #expect(blocks > 1, "the stream was actually cut")
        }
    }

    /// The chunked form (what `bpe encode` prints from): ids arrive in chunks no longer than
    /// asked, from one reused buffer, and together with `partEnded` they give the whole
    /// input's ids part by part; a failing part's ids never reach a `partEnded`.
    @Test(arguments: ["cl100k_base", "o200k_base"])
    func chunkedEqualsWhole(_ name: String) throws {
        let enc = try Encoding.builtin(name)
        let bytes = Array(Self.adversarial.utf8)
        let whole = try enc.encode(bytes: bytes, allowedSpecial: .all)
        for (blockSize, chunkSize) in [(7, 1), (64, 5), (1000, 8192), (1 << 20, 100)] {
            var at = 0
            var pending: [Rank] = [], got: [Rank] = []
            var parts = 0, longest = 0
            try enc.encodeStream(read: { n in
                defer { at = min(at + n, bytes.count) }
                return Array(bytes[at..<min(at + n, bytes.count)])
            }, blockSize: blockSize, allowedSpecial: .all, chunkSize: chunkSize,
               ids: { pending += $0; longest = max(longest, $0.count) },
               partEnded: { got += pending; pending.removeAll(); parts += 1 })
            #expect(got == whole, "\(name), block \(blockSize), chunk \(chunkSize)")
            #expect(pending.isEmpty && longest <= chunkSize)
            #expect(blockSize == 1 << 20 ? parts == 1 : parts > 1)
        }
        // A disallowed special token in the second part: the first part ended, the second never.
        let text = Array((String(repeating: "hello world\n", count: 40) + "<|endoftext|>").utf8)
        var at = 0, ended: [Rank] = []
        var pending: [Rank] = []
        #expect(throws: EncodeError.self) {
            try enc.encodeStream(read: { n in
                defer { at = min(at + n, text.count) }
                return Array(text[at..<min(at + n, text.count)])
            }, blockSize: 100, chunkSize: 3, ids: { pending += $0 }, partEnded: { ended += pending; pending.removeAll() })
        }
        let shown = try enc.decodeBytes(ended)
        #expect(!ended.isEmpty && shown.count < text.count - 13 && text.starts(with: shown))
        #expect(ended == enc.encodeOrdinary(bytes: shown))
    }

    /// On several threads: the parts arrive in input order and hold the one-thread stream's
    /// ids; a failing part ends the stream after exactly the parts before it, with the same
    /// error; a read that fails throws after the parts read before it, unless one of those
    /// failed first.
    @Test(arguments: [1, 2, 4])
    func parallelEqualsOneThread(_ threads: Int) throws {
        struct ReadFailed: Error {}
        let enc = try Encoding.builtin("o200k_base")
        let bytes = Array(Self.adversarial.utf8)
        let whole = try enc.encode(bytes: bytes, allowedSpecial: .all)
        func reader(_ b: [UInt8], failAfter: Int? = nil) -> (Int) throws -> [UInt8] {
            var at = 0
            return { n in
                if let failAfter, at >= failAfter { throw ReadFailed() }
                defer { at = min(at + n, b.count) }
                return Array(b[at..<min(at + n, b.count)])
            }
        }
        for blockSize in [7, 64, 1000] {
            var parts: [(index: Int, ids: [Rank])] = []
            try enc.encodeStream(read: reader(bytes), blockSize: blockSize, allowedSpecial: .all, chunkSize: 5,
                                 threads: threads, makePart: { (index: $0, ids: [Rank]()) }, ids: { $1.ids += $0 },
                                 partEnded: { parts.append($0) })
            #expect(parts.map(\.index) == Array(0..<parts.count) && parts.count > 1)
            #expect(parts.flatMap(\.ids) == whole, "threads \(threads), block \(blockSize)")
        }
        // A disallowed special token in a later part.
        let text = Array((String(repeating: "hello world\n", count: 40) + "<|endoftext|>" + String(repeating: "more\n", count: 40)).utf8)
        var oneThread: [Rank] = [], pending: [Rank] = []
        var expected: Error?
        do {
            try enc.encodeStream(read: reader(text), blockSize: 100, ids: { pending += $0 },
                                 partEnded: { oneThread += pending; pending.removeAll() })
        } catch { expected = error }
        var ended: [Rank] = []
        #expect(throws: try #require(expected as? EncodeError)) {
            try enc.encodeStream(read: reader(text), blockSize: 100, threads: threads, makePart: { _ in [Rank]() },
                                 ids: { $1 += $0 }, partEnded: { ended += $0 })
        }
        #expect(ended == oneThread && !ended.isEmpty)
        // A read that fails after 300 bytes: the parts before it, then its error.
        ended = []
        #expect(throws: ReadFailed.self) {
            try enc.encodeStream(read: reader(bytes, failAfter: 300), blockSize: 100, allowedSpecial: .all, threads: threads,
                                 makePart: { _ in [Rank]() }, ids: { $1 += $0 }, partEnded: { ended += $0 })
        }
        #expect(!ended.isEmpty && whole.starts(with: ended))
        // Both: the part that failed comes first (as with one thread, which reads no further).
        #expect(throws: EncodeError.self) {
            try enc.encodeStream(read: reader(text, failAfter: text.count - 100), blockSize: 100,
                                 ids: { _ in }, partEnded: {})
        }
        #expect(throws: EncodeError.self) {
            try enc.encodeStream(read: reader(text, failAfter: text.count - 100), blockSize: 100, threads: threads,
                                 makePart: { _ in [Rank]() }, ids: { $1 += $0 }, partEnded: { _ in })
        }
    }

    @Test func errorsCarryWholeInputOffsets() throws {
        let enc = try Encoding.builtin("cl100k_base")
        let text = Array((String(repeating: "line of text\nNext ", count: 200) + "<|endoftext|>").utf8)
        var at = 0
        let read: (Int) -> [UInt8] = { n in
            defer { at = min(at + n, text.count) }
            return Array(text[at..<min(at + n, text.count)])
        }
        #expect(throws: EncodeError.disallowedSpecialToken("<|endoftext|>", byteOffset: text.count - 13)) {
            try enc.encodeStream(read: read, blockSize: 100) { _ in }
        }
        let bad = Array(String(repeating: "abc\nDef ", count: 100).utf8) + [0xFF]
        at = 0
        #expect(throws: EncodeError.invalidUTF8(byteOffset: bad.count - 1)) {
            try enc.encodeStream(read: { n in
                defer { at = min(at + n, bad.count) }
                return Array(bad[at..<min(at + n, bad.count)])
            }, blockSize: 64, validateUTF8: true) { _ in }
        }
    }

    /// The cut rule itself, directly: at every place ``SafeCut`` allows, splitting the two
    /// parts gives exactly the pieces of the whole, for the three preset patterns (with PCRE2
    /// and with the lexer, which is what encoding uses). Texts are random runs of the characters
    /// that matter around a newline: ASCII punctuation, apostrophes and slashes, digits,
    /// letters of both cases, every kind of whitespace (Unicode spaces, NEL, CR, tab), marks.
    @Test(arguments: ["gpt2", "cl100k", "o200k"])
    func everyAllowedCutIsAPieceBoundary(_ preset: String) throws {
        let lexer = try #require(Preset(name: preset))
        let pcre2 = try Pattern(lexer.pcre2Pattern)
        let splitters: [([UInt8]) -> [Range<Int>]] = [pcre2.split, lexer.split]
        let alphabet = ["\n", "\n", "\n", "\r", " ", "  ", "\t", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{3000}", "\u{2028}",
                        "a", "Z", "é", "Ж", "中", "7", "٣", "'", "'s", "'LL", ".", ",", "/", "(", "-", "_", "#", "~",
                        "\u{301}", "😀", "\u{1C}", "<|endoftext|>"]
        var rng = SplitMix(seed: 77)
        var cuts = 0
        for _ in 0..<3000 {
            let text = (0..<Int.random(in: 2...16, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()
            let bytes = Array(text.utf8)
            for split in splitters {
                let whole = split(bytes)
                var end = bytes.count
                // Every cut the rule allows, from the last one down.
                while end > 2, let cut = bytes.withUnsafeBufferPointer({ SafeCut.last(in: UnsafeBufferPointer(rebasing: $0[..<end])) }) {
                    let left = split(Array(bytes[..<cut]))
                    let right = split(Array(bytes[cut...])).map { ($0.lowerBound + cut)..<($0.upperBound + cut) }
                    #expect(left + right == whole, "\(preset): cut at \(cut) in \(text.debugDescription)")
                    cuts += 1
                    end = cut - 1
                }
            }
        }
        #expect(cuts > 500, "the rule allowed only \(cuts) cuts")
    }

    /// The streaming readers scan only the bytes added since the last look (so a line with no
    /// cut is scanned once): starting after any prefix that has no cut must find the same cut.
    @Test func resumedScanFindsTheSameCut() {
        var rng = SplitMix(seed: 5)
        let alphabet: [[UInt8]] = ["a", "Z", "7", "\n", " ", "\r", "é", "!"].map { Array($0.utf8) }
        for _ in 0..<2000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...24, using: &rng) { bytes += alphabet.randomElement(using: &rng)! }
            bytes.withUnsafeBufferPointer { all in
                let expected = SafeCut.last(in: all)
                for k in 0...bytes.count {
                    // Only prefixes the reader could have scanned without finding a cut.
                    guard SafeCut.last(in: UnsafeBufferPointer(rebasing: all[..<k])) == nil else { break }
                    #expect(SafeCut.last(in: all, after: k) == expected, "\(bytes) after \(k)")
                }
            }
        }
    }

    /// ``SafeCut/last(in:after:)`` tries eight positions at once: it finds the cut the rule,
    /// byte by byte, finds, on texts of the bytes at the rule's edges (`\n`, `/`, space,
    /// `!`, `~`, DEL, controls, non-ASCII) from every start, at every length around the
    /// words' edges.
    @Test func lastCutAgreesWithTheByteRule() {
        var rng = SplitMix(seed: 0xC07)
        let alphabet: [UInt8] = [0x0A, 0x0A, 0x0A, 0x2F, 0x20, 0x21, 0x7E, 0x7F, 0x09, 0x0D, 0x00, 0x41, 0x61, 0x80, 0xE4, 0xFF]
        var found = 0
        for _ in 0..<3000 {
            let bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            bytes.withUnsafeBufferPointer { all in
                for after in 0...bytes.count {
                    var expected: Int?
                    var i = bytes.count - 2
                    while i >= max(1, after - 2) {
                        if SafeCut.isCut(all, at: i) { expected = i + 1; break }
                        i -= 1
                    }
                    #expect(SafeCut.last(in: all, after: after) == expected, "\(bytes) after \(after)")
                    if expected != nil { found += 1 }
                }
            }
        }
        #expect(found > 2000)
    }

    @Test func customPatternsDoNotStream() throws {
        let v = try byteVocabulary(["ab"])
        let enc = try Encoding(name: "x", vocabulary: v, pattern: #"[^\n]+\n?"#, specialTokens: [:])
        #expect(!enc.canStream)
    }
}
