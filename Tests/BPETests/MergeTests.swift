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

    func merge(_ v: Vocabulary, _ piece: [UInt8], heap: Bool) -> [Rank] {
        var sink = ArraySink()
        piece.withUnsafeBufferPointer { b in
            if heap { v.mergeByHeap(b.baseAddress!, b.count, into: &sink) } else { v.mergeByScan(b.baseAddress!, b.count, into: &sink) }
        }
        return sink.tokens
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
}
