@testable import BPE
import Testing
import TestSupport

/// The scan merge, the heap merge and a naive reference must agree on every piece.
@Suite struct MergeTests {
    /// The textbook definition, as slow as can be: merge the leftmost lowest-ranked pair,
    /// where a pair's rank is the rank of its concatenated bytes.
    func reference(_ v: Vocabulary, _ piece: [UInt8]) -> [Rank] {
        var parts = piece.map { [$0] }
        while parts.count > 1 {
            var best: (Rank, Int)? = nil
            for i in 0..<(parts.count - 1) {
                if let r = v.rank(of: parts[i] + parts[i + 1]), best == nil || r < best!.0 { best = (r, i) }
            }
            guard let (_, i) = best else { break }
            parts[i] += parts[i + 1]
            parts.remove(at: i + 1)
        }
        return parts.map { v.rank(of: $0)! }
    }

    func merge(_ v: Vocabulary, _ piece: [UInt8], heap: Bool, wholeIsNotAToken: Bool = false) -> [Rank] {
        var sink = ArraySink()
        piece.withUnsafeBufferPointer { b in
            if heap {
                v.mergeByHeap(b.baseAddress!, b.count, into: &sink)
            } else {
                v.mergeByScan(b.baseAddress!, b.count, wholeIsNotAToken: wholeIsNotAToken, into: &sink)
            }
        }
        return sink.tokens
    }

    /// The scan told that a piece is not a token stops at its last two tokens without asking
    /// whether they merge: for every piece of 3 to 16 bytes that is not a token, the same
    /// tokens as the reference merge (tiktoken's rule; real vocabularies, pieces from text
    /// and from random bytes).
    @Test(arguments: ["cl100k_base", "o200k_base"])
    func scanOfAPieceKnownNotATokenAgrees(_ name: String) throws {
        let v = try Encoding.builtin(name).vocabulary
        var rng = SplitMix(seed: 17)
        let words = Array("the of and naïve Übergröße 東京都では Привет мир 12345 !?\"()[]{} résumé".utf8)
        var checked = 0
        for i in 0..<20_000 {
            let n = Int.random(in: 3...16, using: &rng)
            let piece: [UInt8] = i % 2 == 0
                ? (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
                : Array(words[Int.random(in: 0...(words.count - n), using: &rng)...].prefix(n))
            guard v.rank(of: piece) == nil else { continue }
            checked += 1
            #expect(merge(v, piece, heap: false, wholeIsNotAToken: true) == reference(v, piece), "\(piece)")
        }
        #expect(checked > 15_000)
    }

    /// A sink reserved for fewer tokens than it gets grows and keeps every one, in order.
    @Test func arraySinkGrowsPastItsReservation() {
        for reserved in [0, 3, 256, 1000] {
            var sink = ArraySink(inputBytes: reserved)
            for r in 0..<5000 { sink.append(Rank(r)) }
            #expect(sink.tokens == (0..<5000).map { Rank($0) })
        }
    }

    @Test func scanHeapAndReferenceAgreeOnRandomPieces() throws {
        let v = try byteVocabulary(["aa", "ab", "aaab", "ba", "bab", "aaaa", "abab", "bb", "bbb", "abba", "aab"])
        var rng = SplitMix(seed: 1)
        for _ in 0..<2000 {
            let piece = (0..<Int.random(in: 2..<60, using: &rng)).map { _ in [UInt8(ascii: "a"), UInt8(ascii: "b")].randomElement(using: &rng)! }
            let expected = reference(v, piece)
            #expect(merge(v, piece, heap: false) == expected)
            #expect(merge(v, piece, heap: true) == expected)
        }
    }

    @Test func realVocabularyLongPieces() throws {
        let enc = try Encoding.builtin("cl100k_base")
        var rng = SplitMix(seed: 5)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/".utf8)
        for _ in 0..<100 {
            let piece = (0..<Int.random(in: 2..<400, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            let expected = reference(enc.vocabulary, piece)
            #expect(merge(enc.vocabulary, piece, heap: true) == expected)
            if piece.count < 200 { #expect(merge(enc.vocabulary, piece, heap: false) == expected) }
        }
    }

    /// A merge list (Hugging Face) merges only listed pairs, by list position, not by rank,
    /// and looks the whole piece up only with `ignoreMerges`.
    @Test func mergeListRule() throws {
        let tokens: [[UInt8]?] = (0...255).map { [UInt8($0)] } + ["ab", "bc", "abc"].map { Array($0.utf8) }
        let abc = Array("abc".utf8)
        func encode(_ rule: MergeRule) throws -> [Rank] {
            let v = try Vocabulary(tokensByID: tokens, mergeRule: rule)
            var sink = ArraySink()
            abc.withUnsafeBufferPointer { v.encodePiece($0.baseAddress!, $0.count, into: &sink) }
            #expect(merge(v, abc, heap: true) == merge(v, abc, heap: false))
            return sink.tokens
        }
        // tiktoken: "ab" (256) merges before "bc" (257), then "ab"+"c" is "abc".
        #expect(try encode(.tiktoken) == [258])
        // "b c" listed first, then "a bc": the list order wins over the ids.
        #expect(try encode(.mergeList([(98, 99), (97, 257)], ignoreMerges: false)) == [258])
        // Only "b c": no merge makes "abc", though it is a token...
        #expect(try encode(.mergeList([(98, 99)], ignoreMerges: false)) == [97, 257])
        // ...unless the whole piece is looked up first.
        #expect(try encode(.mergeList([(98, 99)], ignoreMerges: true)) == [258])
        // "a b" is listed, "ab c" is not: stuck at [ab, c] even though "bc" + "a" could merge.
        #expect(try encode(.mergeList([(97, 98), (98, 99), (97, 257)], ignoreMerges: false)) == [256, 99])
        #expect(throws: VocabularyError.self) { try Vocabulary(tokensByID: tokens, mergeRule: .mergeList([(97, 99)], ignoreMerges: false)) }
        #expect(throws: VocabularyError.self) { try Vocabulary(tokensByID: tokens, mergeRule: .mergeList([(97, 999)], ignoreMerges: false)) }
    }
}
