@testable import BPE
import FuzzSupport
import Testing
import TestSupport

/// The encoder's shortcuts (piece cache, backtracking for long pieces) must change nothing:
/// encode the same texts with each of them on and off and compare.
@Suite struct EncoderPathTests {
    func encode(_ enc: Encoding, _ bytes: [UInt8], cache: Bool, backtracking: Bool) -> [Rank] {
        enc.encodeOrdinary(bytes: bytes, pieceCache: cache, backtracking: backtracking)
    }

    /// Texts long enough for the cache to switch on (over 16 KiB): repeated words (cache
    /// hits), risky text, long runs (backtracking), and invalid UTF-8.
    static func texts() -> [[UInt8]] {
        var rng = SplitMix(seed: 21)
        var risky: [UInt8] = []
        while risky.count < 60_000 { risky += RiskyText.alphabet.randomElement(using: &rng)! }
        var words: [UInt8] = []
        let vocab = ["the", " quick", " Brown", " fox", "'s", " über", " naïve", " 東京", " москва", "\n", "  ", " 12345", " ünïcödé"]
        while words.count < 60_000 { words += Array(vocab.randomElement(using: &rng)!.utf8) }
        var long: [UInt8] = []
        for _ in 0..<40 {
            let run = Int.random(in: 20...600, using: &rng)
            let alphabet = [Array("abcdefghijklmnopqrstuvwxyz".utf8), Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8),
                            Array("ab".utf8), Array(" ".utf8), Array("中文字".utf8)].randomElement(using: &rng)!
            long += (0..<run).map { _ in alphabet.randomElement(using: &rng)! } + [0x0A]
        }
        // Runs of one character: the backtracking encoder asks about the same token pairs
        // again and again, which the piece cache's pair memo answers.
        for unit in ["中", "a", "Ab", "😀", "x9"] { long += Array(String(repeating: unit, count: 700).utf8) + [0x0A] }
        return [risky, words, long]
    }

    @Test(arguments: ["r50k_base", "cl100k_base", "o200k_base"])
    func shortcutsChangeNothing(_ name: String) throws {
        let enc = try Encoding.builtin(name)
        for text in Self.texts() {
            let plain = encode(enc, text, cache: false, backtracking: false)
            #expect(encode(enc, text, cache: true, backtracking: false) == plain, "\(name): cache")
            #expect(encode(enc, text, cache: false, backtracking: true) == plain, "\(name): backtracking")
            #expect(encode(enc, text, cache: true, backtracking: true) == plain, "\(name): both")
            #expect(try enc.decodeBytes(plain) == text)
        }
    }

    /// The cache keeps pieces by their bytes: two pieces whose slots collide must not be
    /// confused (a cache of one slot makes every piece collide).
    @Test func cacheComparesKeysNotHashes() throws {
        let storage = PieceCacheStorage()
        defer { withExtendedLifetime(storage) {} }
        let cache = storage.cache
        let a = Array("abcdefgh".utf8), b = Array("zyxwvuts".utf8)
        let ta: [Rank] = [1, 2], tb: [Rank] = [3]
        a.withUnsafeBufferPointer { p in ta.withUnsafeBufferPointer { cache.insert(p.baseAddress!, 8, hash: 42, tokens: $0.baseAddress!, count: 2) } }
        // Same hash, other bytes: a miss.
        #expect(b.withUnsafeBufferPointer { cache.lookup($0.baseAddress!, 8, hash: 42) } == nil)
        // Same bytes, shorter length: a miss.
        #expect(a.withUnsafeBufferPointer { cache.lookup($0.baseAddress!, 7, hash: 42) } == nil)
        let hit = a.withUnsafeBufferPointer { cache.lookup($0.baseAddress!, 8, hash: 42) }
        #expect(hit.map { Array(UnsafeBufferPointer(start: $0.0, count: $0.1)) } == ta)
        b.withUnsafeBufferPointer { p in tb.withUnsafeBufferPointer { cache.insert(p.baseAddress!, 8, hash: 42, tokens: $0.baseAddress!, count: 1) } }
        #expect(a.withUnsafeBufferPointer { cache.lookup($0.baseAddress!, 8, hash: 42) } == nil)   // evicted
    }
}
