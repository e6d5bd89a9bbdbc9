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
        // Long pieces (25 to 128 bytes, the piece cache's medium and long tiers) that come back: 200 runs
        // of CJK characters, drawn 900 times; more than the tier's threshold of merges, so the
        // tier is made and then answers.
        let han = (0..<200).map { _ in
            String((0..<Int.random(in: 9...42, using: &rng)).map { _ in Character(Unicode.Scalar(UInt32.random(in: 0x4E00...0x5FFF, using: &rng))!) })
        }
        var repeatedLong: [UInt8] = []
        for _ in 0..<900 { repeatedLong += Array((han.randomElement(using: &rng)! + "\n").utf8) }
        // Pieces of 129 to 512 bytes (the longest tier) that come back: 40 table rules of box
        // characters and runs of CJK characters, drawn 300 times.
        let rules = (0..<40).map { i in
            i % 2 == 0
                ? " ┌" + String(repeating: "─", count: Int.random(in: 42...168, using: &rng)) + "┐\n"
                : String((0..<Int.random(in: 43...170, using: &rng)).map { _ in Character(Unicode.Scalar(UInt32.random(in: 0x4E00...0x5FFF, using: &rng))!) })
        }
        var repeatedRules: [UInt8] = []
        for _ in 0..<300 { repeatedRules += Array((rules.randomElement(using: &rng)! + "\n").utf8) }
        // Short runs of rare CJK characters (Extension A), each two or three tokens: pieces of
        // 9 to 24 bytes with more tokens than the compact tier's slots hold, kept in tier 0.
        let rare = (0..<200).map { _ in
            String((0..<Int.random(in: 3...8, using: &rng)).map { _ in Character(Unicode.Scalar(UInt32.random(in: 0x3400...0x4DBF, using: &rng))!) })
        }
        var repeatedShort: [UInt8] = []
        for _ in 0..<900 { repeatedShort += Array((rare.randomElement(using: &rng)! + "\n").utf8) }
        return [risky, words, long, repeatedLong, repeatedRules, repeatedShort]
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

    /// A piece of more than 8 bytes that is a token is kept in the piece cache as one token
    /// once the token table found it, so that it comes back from one line; the ids do not
    /// change.
    @Test(arguments: ["cl100k_base", "o200k_base"])
    func longTokensAreKeptAsPiecesOfOneToken(_ name: String) throws {
        let enc = try Encoding.builtin(name)
        var picked: [(bytes: [UInt8], rank: Rank)] = []
        for r in stride(from: 1000, to: enc.vocabulary.count, by: 7) where picked.count < 60 {
            let (p, n) = enc.vocabulary.bytes(of: Rank(r))
            guard n > 8, n <= 40 else { continue }
            let bytes = Array(UnsafeBufferPointer(start: p, count: n))
            // A whole piece of its own between the newlines of the text below.
            let newline = enc.encodeOrdinary("\n")
            if enc.encodeOrdinary(bytes: [0x0A] + bytes + [0x0A]) == newline + [Rank(r)] + newline { picked.append((bytes, Rank(r))) }
        }
        #expect(picked.contains { $0.bytes.count <= CompactPieceTier.maxKey } && picked.contains { $0.bytes.count > CompactPieceTier.maxKey })
        var text: [UInt8] = []
        for _ in 0..<3 { for t in picked { text += [0x0A] + t.bytes } }
        var state = EncodeState()
        state.usesThreadCaches = false
        state.pieceCacheThreshold = 0
        // The tiers' own behaviour: the batched encoder's table would answer these first.
        state.usesPieceTable = false
        var sink = ArraySink()
        text.withUnsafeBufferPointer { enc.encodeOrdinary($0, state: &state, into: &sink) }
        #expect(sink.tokens == encode(enc, text, cache: false, backtracking: true))
        let cache = try #require(state.pieceCache)
        for t in picked where t.bytes.count <= CompactPieceTier.maxKey {
            var held = ArraySink()
            let hit = t.bytes.withUnsafeBufferPointer { cache.compact.lookup($0.baseAddress!, t.bytes.count, into: &held) } == .hit
            #expect(hit && held.tokens == [t.rank], "\(t.rank)")
        }
    }

    /// Each lazy tier keeps nothing until ``PieceCache/lazyTierThreshold`` pieces of its
    /// lengths were merged, then keeps pieces up to its longest key and most tokens by their
    /// whole bytes, two to a set, and two more in the other set when a set is full.
    @Test(arguments: 0..<PieceCache.tierCount)
    func lazyTierWaitsForItsThresholdAndComparesKeys(_ tier: Int) throws {
        let storage = PieceCacheStorage()
        defer { withExtendedLifetime(storage) {} }
        let cache = storage.cache
        let shortest = tier == 0 ? CompactPieceTier.maxKey + 1 : PieceCache.maxKey(tier - 1) + 1
        let longest = PieceCache.maxKey(tier)
        #expect(PieceCache.tier(shortest) == tier && PieceCache.tier(longest) == tier)
        func key(_ i: Int, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) } }
        for i in 0..<(PieceCache.lazyTierThreshold - 1) {
            cache.insert(key(i, shortest), hash: UInt64(i), [1, 2, 3])
            #expect(cache.lookup(key(i, shortest), hash: UInt64(i)) == nil, "kept before the threshold (merge \(i + 1))")
        }
        // The other lazy tiers count their own merges: still nothing kept there.
        for other in 0..<PieceCache.tierCount where other != tier {
            cache.insert(key(1, PieceCache.maxKey(other)), hash: 5, [1])
            #expect(cache.lookup(key(1, PieceCache.maxKey(other)), hash: 5) == nil)
        }
        let hash: UInt64 = 0x1234_5678_0000_0099
        let big = key(500, longest), most = (0..<PieceCache.maxTokens(tier)).map { Rank($0 * 1000 + 7) }
        cache.insert(big, hash: hash, most)
        #expect(cache.lookup(big, hash: hash) == most)
        // One token too many for the slot: kept in the spill (see `spillKeepsPiecesOfManyTokens`),
        // in another cache so that this one's sets stay as the checks below expect.
        let other = PieceCacheStorage()
        defer { withExtendedLifetime(other) {} }
        for i in 0..<PieceCache.lazyTierThreshold { other.cache.insert(key(i, shortest), hash: UInt64(i), [1]) }
        other.cache.insert(key(502, longest), hash: hash, most + [1])
        #expect(other.cache.lookup(key(502, longest), hash: hash) == most + [1])
        // Same hash, other bytes or a shorter length: misses.
        #expect(cache.lookup(key(501, longest), hash: hash) == nil)
        #expect(cache.lookup(Array(big.dropLast()), hash: hash) == nil)
        // The same set (bits 1 to 16 of the hash), another tag (bit 30): a miss.
        #expect(cache.lookup(big, hash: hash ^ 1 << 30) == nil)
        // The tier below does not answer for it (the compact tier's own test is elsewhere).
        if tier > 0 { #expect(cache.lookup(Array(big.prefix(shortest - 1)), hash: hash) == nil) }
        // Two ways: a second piece of the set keeps the first; a third and a fourth go to the
        // other set (from bits 17 and up: set 0 for this hash); a fifth, with both sets full,
        // takes the slot of its own set that the hash's top bit picks (0: the first).
        cache.insert(key(7, shortest), hash: hash, [42])
        #expect(cache.lookup(big, hash: hash) == most)
        #expect(cache.lookup(key(7, shortest), hash: hash) == [42])
        cache.insert(key(8, shortest), hash: hash, [43, 44])
        cache.insert(key(9, shortest), hash: hash, [45])
        #expect(cache.lookup(big, hash: hash) == most)
        #expect(cache.lookup(key(8, shortest), hash: hash) == [43, 44] && cache.lookup(key(9, shortest), hash: hash) == [45])
        cache.insert(key(10, shortest), hash: hash, [46])
        #expect(cache.lookup(big, hash: hash) == nil)   // evicted
        #expect(cache.lookup(key(7, shortest), hash: hash) == [42])
        #expect(cache.lookup(key(8, shortest), hash: hash) == [43, 44])
        #expect(cache.lookup(key(9, shortest), hash: hash) == [45])
        #expect(cache.lookup(key(10, shortest), hash: hash) == [46])
    }

    /// A piece of 5 to 16 bytes with more tokens than the compact tier's slots hold goes to
    /// tier 0, whose packed slots hold 12 tokens below 2^20, with a mark in the compact tier
    /// that sends its lookups there; one that fits neither is not kept, and leaves no mark.
    @Test func shortPiecesOfManyTokensGoToTierZero() throws {
        let storage = PieceCacheStorage()
        defer { withExtendedLifetime(storage) {} }
        let cache = storage.cache
        func lookupShort(_ key: [UInt8]) -> [Rank]? {
            var sink = ArraySink()
            let hit = key.withUnsafeBufferPointer { cache.lookupShort($0.baseAddress!, key.count, into: &sink) }
            return hit ? sink.tokens : nil
        }
        func insertShort(_ key: [UInt8], _ tokens: [Rank]) {
            key.withUnsafeBufferPointer { k in tokens.withUnsafeBufferPointer { cache.insertShort(k.baseAddress!, key.count, tokens: $0.baseAddress!, count: tokens.count) } }
        }
        func compactFinds(_ key: [UInt8]) -> CompactPieceTier.Found {
            var sink = ArraySink()
            return key.withUnsafeBufferPointer { cache.compact.lookup($0.baseAddress!, key.count, into: &sink) }
        }
        let nine = Array("ninetoken".utf8), twelve = Array("twelve tokens".utf8), wide = Array("wide rank".utf8)
        let nineTokens = (0..<9).map { Rank($0 * 100_000 + 3) }   // up to 800,003: 20 bits
        // Before tier 0 is made (its lazyTierThreshold-th piece), nothing is kept and nothing marked.
        insertShort(nine, nineTokens)
        #expect(lookupShort(nine) == nil && compactFinds(nine) == .miss)
        for i in 0..<PieceCache.lazyTierThreshold {
            cache.insert((0..<20).map { UInt8(truncatingIfNeeded: $0 &+ i) }, hash: testHash(i), [1])
        }
        insertShort(nine, nineTokens)
        #expect(compactFinds(nine) == .elsewhere)
        #expect(lookupShort(nine) == nineTokens)
        let most = (0..<12).map { Rank((1 << 20) - 1 - $0) }
        insertShort(twelve, most)
        #expect(lookupShort(twelve) == most)
        // More than its slots hold: the spill keeps them.
        insertShort(Array("thirteen tok".utf8), most + [5])
        #expect(lookupShort(Array("thirteen tok".utf8)) == most + [5])
        // A token of 2^20 or more in a piece that would fit the packed slot: not kept.
        insertShort(wide, [1, 2, 3, 4, 5, 6, 1 << 20])
        #expect(lookupShort(wide) == nil && compactFinds(wide) == .miss)
        // Six or fewer stay in the compact tier itself.
        insertShort(Array("six tokens".utf8), [1, 2, 3, 4, 5, 6])
        #expect(lookupShort(Array("six tokens".utf8)) == [1, 2, 3, 4, 5, 6])
        #expect(compactFinds(Array("six tokens".utf8)) == .hit)
    }

    /// A piece of more tokens than its tier's slots hold keeps them in the spill, in every
    /// tier (a token of 2^20 or more included). When the spill is full it starts again from
    /// the front: the pieces kept before read as missing, never as the tokens written over
    /// them, and a piece kept again after that is found, past its stale slot.
    @Test func spillKeepsPiecesOfManyTokens() throws {
        let storage = PieceCacheStorage(PieceCache(spillTokens: PieceCache.maxCachedKey))
        defer { withExtendedLifetime(storage) {} }
        let cache = storage.cache
        func key(_ i: Int, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 11 &+ i) } }
        for t in 0..<PieceCache.tierCount {
            for i in 0..<PieceCache.lazyTierThreshold { cache.insert(key(i, PieceCache.maxKey(t)), hash: testHash(i), [1]) }
        }
        // Tier 0's longest piece of 24 bytes, with 20 tokens, some past 2^20.
        let a = key(200, 24), aTokens = (0..<20).map { Rank($0 * 70_000 + 1) }
        cache.insert(a, hash: testHash(200), aTokens)
        #expect(cache.lookup(a, hash: testHash(200)) == aTokens)
        // Each lazy tier's longest piece, one token a byte: the most a piece has.
        for t in 1..<PieceCache.tierCount {
            let n = PieceCache.maxKey(t), k = key(300 + t, n), tokens = (0..<n).map { Rank($0 + 1000 * t) }
            cache.insert(k, hash: testHash(300 + t), tokens)
            #expect(cache.lookup(k, hash: testHash(300 + t)) == tokens, "tier \(t)")
        }
        // 20 + 48 + 128 + 512 tokens passed the 512 of this spill: it started again when the
        // 512-token piece came, so only that piece reads.
        #expect(cache.lookup(a, hash: testHash(200)) == nil)
        #expect(cache.lookup(key(301, 48), hash: testHash(301)) == nil)
        #expect(cache.lookup(key(303, 512), hash: testHash(303)) == (0..<512).map { Rank($0 + 3000) })
        // Kept again, `a` takes the set's other slot and is found past the stale one.
        cache.insert(a, hash: testHash(200), aTokens)
        #expect(cache.lookup(a, hash: testHash(200)) == aTokens)
        #expect(cache.lookup(key(303, 512), hash: testHash(303)) == nil)   // written over
    }

    /// A hash for test keys (any fixed mix will do: the tiers compare the bytes).
    func testHash(_ i: Int) -> UInt64 { UInt64(i) &* 0x9E37_79B9_7F4A_7C15 }

    /// Tier 0 doubles at its ``PieceCache/growAfter``-th eviction, once, and every piece it
    /// held is found in the new slots, in its set there (half of these move to the upper half).
    @Test func shortTierDoublesOnceAndKeepsItsPieces() throws {
        let storage = PieceCacheStorage()
        defer { withExtendedLifetime(storage) {} }
        let cache = storage.cache
        let slots = PieceCache.slotCount(0), sets = slots / 2
        func key(_ i: Int) -> [UInt8] { (0..<20).map { UInt8(truncatingIfNeeded: i >> (8 * ($0 % 4)) &+ $0) } }
        // Tier 0 packs its tokens in 20 bits: each piece's token is its number modulo 2^20.
        func token(_ i: Int) -> [Rank] { [Rank(i % (1 << 20))] }
        func insert(_ i: Int, hash: UInt64) { cache.insert(key(i), hash: hash, token(i)) }
        func lookup(_ i: Int, hash: UInt64) -> [Rank]? { cache.lookup(key(i), hash: hash) }
        // The tier is made at its lazyTierThreshold-th piece (these go to sets far from the test's).
        for i in 0..<PieceCache.lazyTierThreshold { insert(9_000_000 + i, hash: UInt64(sets / 2 + i) << 1) }
        #expect(lookup(9_000_000 + PieceCache.lazyTierThreshold - 1, hash: UInt64(sets / 2 + PieceCache.lazyTierThreshold - 1) << 1) != nil)
        // Sets 1...100 full, two pieces each; the second of each has the bit that picks the
        // upper half of the doubled slots.
        func hash(_ set: Int, _ way: Int) -> UInt64 { UInt64(set) << 1 | UInt64(way) << 16 | 1 << 40 }
        for set in 1...100 { for way in 0..<2 { insert(set * 2 + way, hash: hash(set, way)) } }
        // Set 0 filled, then evictions there, one short of the threshold.
        insert(1_000_000, hash: 0)
        insert(1_000_001, hash: 0)
        for e in 0..<(PieceCache.growAfter - 1) { insert(2_000_000 + e, hash: 0) }
        #expect(cache.slotCount(now: 0) == slots)
        #expect(lookup(2_000_000 + PieceCache.growAfter - 2, hash: 0) == token(2_000_000 + PieceCache.growAfter - 2))
        insert(3_000_000, hash: 0)   // the growAfter-th eviction
        #expect(cache.slotCount(now: 0) == 2 * slots)
        #expect(lookup(3_000_000, hash: 0) == token(3_000_000))
        for set in 1...100 {
            for way in 0..<2 { #expect(lookup(set * 2 + way, hash: hash(set, way)) == token(set * 2 + way), "set \(set) way \(way)") }
        }
        // Once only: as many evictions again leave it at twice the slots.
        for e in 0..<(2 * PieceCache.growAfter) { insert(4_000_000 + e, hash: UInt64(sets) << 1) }
        #expect(cache.slotCount(now: 0) == 2 * slots)
    }

    /// A text with more distinct pieces to merge than the compact tier holds grows it
    /// mid-text, and the cache still changes nothing: 80,000 words of random letters, then
    /// the same again. With the batched encoder, the same text grows its table.
    @Test func aGrowingCacheChangesNothing() throws {
        let enc = try Encoding.builtin("o200k_base")
        var rng = SplitMix(seed: 5)
        let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        var once: [UInt8] = []
        for _ in 0..<80_000 {
            once.append(0x20)
            for _ in 0..<Int.random(in: 5...9, using: &rng) { once.append(letters.randomElement(using: &rng)!) }
        }
        let text = once + once
        var state = EncodeState()
        state.usesThreadCaches = false
        state.pieceCacheThreshold = 0
        state.usesPieceTable = false
        var sink = ArraySink()
        text.withUnsafeBufferPointer { enc.encodeOrdinary($0, state: &state, into: &sink) }
        #expect(state.pieceCache?.compact.slotCount == 4 * CompactPieceTier.initialSets)
        let plain = encode(enc, text, cache: false, backtracking: true)
        #expect(sink.tokens == plain)
        // Through the batched encoder: its table, sized for the text (131,072 entries for
        // 1.3 MB), grows mid-text to its most to keep the 80,000 words.
        var batched = EncodeState()
        batched.usesThreadCaches = false
        batched.pieceCacheThreshold = 0
        var batchedSink = ArraySink()
        text.withUnsafeBufferPointer { enc.encodeOrdinary($0, state: &batched, into: &batchedSink) }
        let table = try #require(batched.pieceCache).pieces
        #expect(table.capacity == PieceTable.maxEntries && table.count >= 79_000)
        #expect(batchedSink.tokens == plain)
    }

    /// The batched encoder's table keeps pieces of up to ``PieceTable/maxKey`` bytes; it
    /// sends a longer one to the piece cache's tiers, which must keep it under its own bytes'
    /// hash, so that it comes back from there (runs of CJK characters are half the bytes of
    /// CJK text), with the ids unchanged.
    @Test(arguments: ["cl100k_base", "o200k_base"])
    func batchedEncoderKeepsLongPiecesInTheTiers(_ name: String) throws {
        let enc = try Encoding.builtin(name)
        let text = Self.texts()[3]   // runs of CJK characters, 27 to 126 bytes, that come back
        var state = EncodeState()
        state.usesThreadCaches = false
        state.pieceCacheThreshold = 0
        var sink = ArraySink()
        text.withUnsafeBufferPointer { enc.encodeOrdinary($0, state: &state, into: &sink) }
        #expect(sink.tokens == encode(enc, text, cache: false, backtracking: true))
        let cache = try #require(state.pieceCache)
        var checked = 0
        // From the end: a piece whose every occurrence came before its tier was made
        // (``PieceCache/lazyTierThreshold``) is rightly not kept.
        for line in text.split(separator: 0x0A).reversed() where line.count > CompactPieceTier.maxKey {
            let piece = Array(line)
            let kept = piece.withUnsafeBufferPointer { cache.lookup(piece, hash: hashBytes($0.baseAddress!, piece.count)) }
            #expect(kept == enc.encodeOrdinary(bytes: piece), "\(piece.count) bytes")
            checked += 1
            if checked == 200 { break }
        }
        #expect(checked == 200)
    }

    /// The fuzz check's cache, whose compact tier has 64 sets instead of 65,536 (and one
    /// set, here): far fewer slots than these texts have distinct pieces, so it evicts, and
    /// it still changes nothing. The thread's own cache is never made that small.
    @Test(arguments: ["cl100k_base", "o200k_base"])
    func aSmallCacheChangesNothing(_ name: String) throws {
        let enc = try Encoding.builtin(name)
        let texts = Self.texts()
        for text in texts {
            let plain = encode(enc, text, cache: false, backtracking: false)
            #expect(enc.encodeOrdinary(bytes: text, pieceCache: true, backtracking: true, compactCacheSets: 64) == plain)
            #expect(enc.encodeOrdinary(bytes: text, pieceCache: true, backtracking: false, compactCacheSets: 1) == plain)
            #expect(enc.encodeOrdinary(bytes: text, pieceCache: true, backtracking: true, compactCacheSets: 64,
                                       pieceTable: false) == plain)
        }
        var state = EncodeState()
        state.usesThreadCaches = false
        state.pieceCacheThreshold = 0
        state.compactCacheSets = 64
        var sink = ArraySink()
        let words = texts[1]
        words.withUnsafeBufferPointer { enc.encodeOrdinary($0, state: &state, into: &sink) }
        #expect(try #require(state.pieceCache).compact.slotCount == 2 * 64)
        var kept = EncodeState()
        kept.compactCacheSets = 64
        kept.pieceCacheThreshold = 0
        var keptSink = ArraySink()
        words.withUnsafeBufferPointer { enc.encodeOrdinary($0, state: &kept, into: &keptSink) }
        #expect(try #require(kept.pieceCache).compact.slotCount >= 2 * CompactPieceTier.initialSets)
        #expect(keptSink.tokens == sink.tokens)
    }
}

extension PieceCache {
    /// ``insert(_:_:hash:tokens:count:)`` for a key and its tokens in arrays.
    func insert(_ key: [UInt8], hash: UInt64, _ tokens: [Rank]) {
        key.withUnsafeBufferPointer { k in
            // Whether it was kept: these tests look the piece up afterwards instead.
            tokens.withUnsafeBufferPointer { _ = insert(k.baseAddress!, key.count, hash: hash, tokens: $0.baseAddress!, count: tokens.count) }
        }
    }

    /// ``lookup(_:_:hash:)`` for a key in an array, the tokens copied out.
    func lookup(_ key: [UInt8], hash: UInt64) -> [Rank]? {
        key.withUnsafeBufferPointer { lookup($0.baseAddress!, key.count, hash: hash) }.map { Array(UnsafeBufferPointer(start: $0.0, count: $0.1)) }
    }
}
