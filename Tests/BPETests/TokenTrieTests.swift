@testable import BPE
import Foundation
import Testing
import TestSupport

/// `TokenTrie.longestPrefix` takes its first two steps from tables (`pairNodes`,
/// `byteTokens`) and walks the cells after that; `forEachPrefix` walks the cells from the
/// root. Both must name the same longest token, on tries with and without single-byte tokens,
/// with two-byte paths that carry no token, and on inputs of 0, 1 and 2 bytes.
@Suite struct TokenTrieTests {
    /// The longest token that is a prefix of `bytes`, by the plain walk.
    static func reference(_ trie: TokenTrie, _ bytes: [UInt8]) -> (Rank, Int)? {
        var last: (Rank, Int)?
        bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return }
            trie.forEachPrefix(base, b.count) { last = ($0, $1) }
        }
        return last
    }

    static func longest(_ trie: TokenTrie, _ bytes: [UInt8]) -> (Rank, Int)? {
        bytes.withUnsafeBufferPointer { b in
            // A zero-length input still needs a valid pointer; it must not be read.
            guard let base = b.baseAddress else {
                var dummy: UInt8 = 0xFF
                return trie.longestPrefix(&dummy, 0).map { ($0.token, $0.length) }
            }
            return trie.longestPrefix(base, b.count).map { ($0.token, $0.length) }
        }
    }

    @Test func firstStepsAgreeWithThePlainWalkOnRandomTries() {
        var rng = SplitMix(seed: 77)
        // Few distinct bytes, so that prefixes share paths; 0xE4 0xB8 as in CJK text.
        let alphabet: [UInt8] = [0x00, 0x61, 0x62, 0xE4, 0xB8, 0xFF]
        var checked = 0
        for round in 0..<60 {
            var seen = Set<[UInt8]>()
            var keys: [[UInt8]] = []
            for _ in 0..<Int.random(in: 1..<80, using: &rng) {
                let k = (0..<Int.random(in: 1...6, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
                // Every other round drops the single bytes, so walks start with no token.
                if round % 2 == 1 && k.count == 1 { continue }
                if seen.insert(k).inserted { keys.append(k) }
            }
            let storage = keys.map { k -> UnsafeMutableBufferPointer<UInt8> in
                let b = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: k.count)
                _ = b.initialize(from: k)
                return b
            }
            defer { storage.forEach { $0.deallocate() } }
            let trie = TokenTrie(tokens: storage.enumerated().map { (UnsafeBufferPointer($0.element), Rank($0.offset)) })
            for _ in 0..<200 {
                let input = (0..<Int.random(in: 0...9, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
                let got = Self.longest(trie, input), want = Self.reference(trie, input)
                #expect(got?.0 == want?.0 && got?.1 == want?.1, "\(input) in a trie of \(keys.count) keys")
                checked += 1
            }
        }
        #expect(checked == 12_000)
    }

    /// o200k_base's backtracking trie, as loaded, on CJK text, random letters and random
    /// bytes, at every offset of each sample.
    @Test func firstStepsAgreeOnO200K() throws {
        let trie = try #require(try Encoding.builtin("o200k_base").vocabulary.backtracking).trie
        var rng = SplitMix(seed: 78)
        let samples: [[UInt8]] = [
            Array("中中中中中 東京の天気は晴れです。москва naïve".utf8),
            (0..<300).map { _ in UInt8.random(in: 0x61...0x7A, using: &rng) },
            (0..<300).map { _ in UInt8.random(in: 0...255, using: &rng) },
        ]
        var differ = 0
        for s in samples {
            for start in 0..<s.count {
                let piece = Array(s[start..<min(s.count, start + 40)])
                let got = Self.longest(trie, piece), want = Self.reference(trie, piece)
                if got?.0 != want?.0 || got?.1 != want?.1 { differ += 1 }
            }
        }
        #expect(differ == 0)
    }
}
