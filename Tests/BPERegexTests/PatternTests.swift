import BPERegex
import Dispatch
import Testing
import TestSupport

@Suite struct PatternTests {
    @Test func splitsInByteOffsets() throws {
        let p = try Pattern(#"\p{L}+|\s+|."#)
        let bytes = Array("héllo wörld!".utf8)
        // "héllo" is 6 bytes, not 5 characters: offsets must be bytes.
        #expect(p.split(bytes) == [0..<6, 6..<7, 7..<13, 13..<14])
        #expect(p.split("héllo wörld!") == ["héllo", " ", "wörld", "!"])
    }

    @Test func isJITCompiled() throws {
        #expect(try Pattern(#"\p{L}+"#).isJITCompiled)
    }

    @Test func unmatchedTextIsSkippedAsInTiktoken() throws {
        // tiktoken's find_iter drops text no alternative matches; so do we.
        #expect(try Pattern(#"\d+"#).split("ab12cd345") == ["12", "345"])
    }

    @Test func emptyMatchesAreNeverReportedAndDoNotLoop() throws {
        let p = try Pattern("a*")
        #expect(p.split("baaab") == ["aaa"])
        #expect(p.split("") == [])
        #expect(try Pattern("(?=x)").split("xxx") == [])
        // A possible empty match at a position must not hide a non-empty one there.
        #expect(try Pattern("|é").split("éé") == ["é", "é"])
    }

    @Test func dollarMeansEndOfSubjectOnly() throws {
        // Rust's `$` (what tiktoken runs) never matches before a final newline; PCRE2's
        // default does. `\s++$` must not take the spaces of "a  \n".
        let p = try Pattern(#"\s++$|\s+(?!\S)|\s|\S+"#)
        #expect(p.split("a  \n") == ["a", "  \n"])
        #expect(p.split("a  ") == ["a", "  "])
    }

    @Test func invalidUTF8TilesTheInputAndNeverCrashes() throws {
        let p = try Pattern(#"\p{L}+|\s+|."#)
        let bytes: [UInt8] = [0x61, 0xFF, 0x62, 0xE2, 0x82, 0x20, 0xF0, 0x9F, 0x98, 0x80, 0xC0, 0xAF, 0xED, 0xA0, 0x80]
        let pieces = p.split(bytes)
        var end = 0
        for r in pieces {
            #expect(r.lowerBound == end)
            #expect(!r.isEmpty)
            end = r.upperBound
        }
        #expect(end == bytes.count)
        // Each ill-formed sequence is a piece on its own (maximal subparts).
        #expect(pieces.contains(1..<2))
        #expect(pieces.contains(3..<5))
    }

    @Test func randomBytesAlwaysTile() throws {
        let p = try Pattern(#" ?\p{L}+| ?\p{N}+|\s+(?!\S)|\s+|[^\s\p{L}\p{N}]+"#)
        var rng = SplitMix(seed: 7)
        for _ in 0..<300 {
            let bytes = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let pieces = p.split(bytes)
            #expect(pieces.map(\.count).reduce(0, +) == bytes.count)
            #expect(zip(pieces, pieces.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        }
    }

    @Test func badPatternThrowsWithOffset() {
        #expect(throws: PatternError.self) { try Pattern("(unclosed") }
        do {
            _ = try Pattern("ab(")
        } catch {
            #expect(error.offset == 3)
            #expect(error.description.contains("missing closing parenthesis"))
        }
    }

    @Test func longRunsMatchWithoutStackTrouble() throws {
        // `\s+(?!\S)` over a megabyte of spaces backtracks once at the very end.
        let p = try Pattern(#"\s+(?!\S)|\s+|\S+"#)
        let bytes = [UInt8](repeating: 0x20, count: 1 << 20) + Array("x".utf8)
        #expect(p.split(bytes) == [0..<((1 << 20) - 1), ((1 << 20) - 1)..<(1 << 20), (1 << 20)..<((1 << 20) + 1)])
    }

    @Test func oneCompiledPatternServesManyThreads() throws {
        let p = try Pattern(#"\p{L}+|\p{N}+|\s+|."#)
        let text = Array(String(repeating: "Grüße 123 世界! ", count: 200).utf8)
        let expected = p.split(text)
        let results = ResultBox(count: 16)
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            let m = p.makeMatcher()
            let got = text.withUnsafeBufferPointer { m.split($0) }
            results.set(i, got == expected)
        }
        #expect(results.all)
    }

    @Test func utf8ValidationFindsTheFirstBadByte() {
        let cases: [([UInt8], Range<Int>?)] = [
            (Array("ok ✓ 😀".utf8), nil),
            ([0x61, 0x80], 1..<2),
            ([0xE0, 0x80, 0x80], 0..<1),       // overlong
            ([0xED, 0xA0, 0x80], 0..<1),       // surrogate (CESU-8)
            ([0xF4, 0x90, 0x80, 0x80], 0..<1), // above U+10FFFF
            ([0xF0, 0x9F, 0x98], 0..<3),       // truncated at end
        ]
        for (bytes, expected) in cases {
            #expect(bytes.withUnsafeBufferPointer { UTF8Validation.firstInvalid(in: $0, from: 0) } == expected)
        }
    }
}


final class ResultBox: @unchecked Sendable {
    private var values: [Bool]
    private let lock = NSLockLike()
    init(count: Int) { values = Array(repeating: false, count: count) }
    func set(_ i: Int, _ v: Bool) { lock.sync { values[i] = v } }
    var all: Bool { lock.sync { values.allSatisfy { $0 } } }
}

final class NSLockLike: @unchecked Sendable {
    private let q = DispatchQueue(label: "lock")
    func sync<R>(_ body: () -> R) -> R { q.sync(execute: body) }
}
