import Foundation
import SafeFiles

/// A bounded, per-thread memo from a piece's bytes to its tokens, for the pieces that need
/// merging and the tokens of more than 8 bytes (a shorter piece that is itself a token never
/// gets here: the short-token table answers it in one line; a longer one is kept as a piece
/// of one token, so that next time the memo's line answers it and not the long-token table's
/// slot and arena: callgrind, second encode, o200k, 1 MB: 1–4 % fewer simulated L2 misses;
/// paired, English 0.95–0.99× the time, man pages 0.96×, source code 0.96×, CJK 1.00×).
///
/// Text repeats its words, and in most languages many words are more than one token; merging
/// one costs a dozen pair lookups that miss the cache, while a hit here is one hash and one
/// cache line. The memo is two-way set-associative: each piece may sit in one of two slots,
/// or, when those are full, in two slots of a second set, so memory stays bounded however
/// much text goes by: pieces of ``minKey`` to 16 bytes go
/// to ``CompactPieceTier`` (4 MiB, 8 once it has evicted 1,024 of them), and longer ones, up
/// to ``maxCachedKey``, to four more tiers of 2 (doubling once), 4, 2 and 2 MiB, each made
/// once a text has merged ``lazyTierThreshold`` pieces of its lengths (``maxKey(_:)`` tells
/// the tiers' shapes).
///
/// Against one slot a piece and two tiers (to 128 bytes), the two ways, the tiers and 8
/// tokens a short slot instead of 6 made a second encode (callgrind, o200k) run 19.5 % fewer
/// instructions on 4 MB of CJK text, 6.2 % on 7.4 MB of man pages, 3.6 % on 5 MB of
/// English, and as many on 10 MB of source code (+0.1 %); `bpe-bench`, 11 pairs each, one
/// core: CJK 0.84× the time (cl100k 0.83×), man pages 0.93× (0.96×), English 0.98×
/// (0.93×), source 0.98× (0.95×); a first encode 0.98–1.03×.
///
/// Exactness: a hit compares the whole key, bytes and length, never just the hash, so a hit
/// returns exactly the tokens the merge gave for these bytes. `EncoderPathTests` and the
/// `FuzzEncode` target encode with and without the memo and compare.
///
/// The memo is a view of buffers that ``PieceCacheStorage`` owns, not a class: the
/// encoder passes it through every piece, and a class reference there was retained and
/// released once or five times a piece (atomic operations, on the hottest path there is).
/// Whoever holds the view keeps its storage alive (``EncodeState`` holds both).
///
/// ```swift
/// let storage = PieceCacheStorage()
/// let cache = storage.cache
/// cache.insert(p, 20, hash: h, tokens: t, count: 2)
/// cache.lookup(p, 20, hash: h)   // (t's copy, 2)
/// cache.compact.insert(p, 7, tokens: t, count: 2)
/// ```
/// - Complexity: `lookup` and `insert` are O(n) for an n-byte piece, in any tier.
struct PieceCache {
    /// The tiers, by the length of the piece: each is `count` slots of `size` bytes, for
    /// pieces of up to `maxKey` bytes (and more than the tier before's). Slot layout: the
    /// header (``tag(_:_:)`` and the token count, 8 bytes, 0 = empty), key bytes at 8, the
    /// tokens at ``tokensAt(_:)``, or, for a piece of more tokens than fit there
    /// (``maxTokens(_:)``), where they are in the spill (``Spill``).
    ///
    /// - 0, short, 17 to 24 bytes, 32,768 slots of 64 (2 MiB, 12 tokens of 20 bits, see
    ///   ``packedTier``), and twice that once it has evicted ``growAfter`` pieces
    ///   (``grow(_:)``); also the pieces of 5 to 16 bytes with more tokens than ``compact``'s
    ///   slots hold. (Pieces of 5 to 16 bytes, most of those text merges, are in ``compact``;
    ///   this tier held 5 to 24 bytes in 4 MiB before it.) Half of the pieces of 17 to 24
    ///   bytes in 4 MB of CJK text merge into 7 to 15 tokens.
    /// - 1, medium, 25 to 48 bytes, 32,768 slots of 128 (4 MiB, 18 tokens);
    /// - 2, long, 49 to 128 bytes, 8,192 slots of 256 (2 MiB, 30 tokens): runs of CJK
    ///   characters, long Cyrillic or German words, which backtracking merges with dozens of
    ///   table probes each. In 4 MB of CJK text pieces of 25 to 128 bytes are 28 % of the
    ///   bytes (25,200 of them, 14,700 distinct, 10,600 of those up to 48 bytes), in 7.4 MB
    ///   of man pages 9 %.
    /// - 3, longest, 129 to 512 bytes, 2,048 slots of 1 KiB (2 MiB, 126 tokens): rare, but
    ///   where they come they come back: the rules of text tables and boxes (`┌────┐`, 3
    ///   bytes a character), underlines, separator lines. The CJK text has 1,774 (186
    ///   distinct, 8.6 % of its bytes); merging them was a quarter of its second encode.
    ///
    /// Each tier is made when a text has merged ``lazyTierThreshold`` pieces of its lengths:
    /// text of short words (English, source code) seldom has any.
    @inline(__always)
    static func maxKey(_ tier: Int) -> Int { tier == 0 ? 24 : tier == 1 ? 48 : tier == 2 ? 128 : 512 }
    @inline(__always)
    static func slotSize(_ tier: Int) -> Int { tier == 0 ? 64 : tier == 1 ? 128 : tier == 2 ? 256 : 1024 }
    @inline(__always)
    static func slotCount(_ tier: Int) -> Int { tier == 0 ? 1 << 15 : tier == 1 ? 1 << 15 : tier == 2 ? 1 << 13 : 1 << 11 }
    static let tierCount = 4
    /// The tier for a piece of `n` bytes (``CompactPieceTier/maxKey`` < n ≤ ``maxCachedKey``).
    @inline(__always)
    static func tier(_ n: Int) -> Int { n <= maxKey(0) ? 0 : n <= maxKey(1) ? 1 : n <= maxKey(2) ? 2 : 3 }
    @inline(__always)
    static func tokensAt(_ tier: Int) -> Int { 8 &+ maxKey(tier) }
    /// The most tokens `tier`'s slots hold themselves: as many as fit after the key, but 12
    /// in tier 0, whose 32 bytes of tokens hold three 20-bit tokens a word (``packedTier``).
    /// A piece of more tokens keeps them in the spill (``Spill``).
    @inline(__always)
    static func maxTokens(_ tier: Int) -> Int {
        tier == packedTier ? 12 : (slotSize(tier) &- tokensAt(tier)) / MemoryLayout<Rank>.size
    }
    /// The tier whose tokens are packed, three of 20 bits in each of its four token words, so
    /// that its 64-byte slots keep pieces of up to 12 tokens (a piece with a token of 2^20
    /// or more is not kept there): of the pieces of 17 to 24 bytes in 4 MB of CJK text that
    /// need merging, 3,165 with o200k and 13,535 with cl100k have more than 8 tokens, and
    /// were merged again at every occurrence, and so were the 2,656 (o200k) of 5 to 16 bytes
    /// with more than ``compact``'s 6 (``insertShort(_:_:tokens:count:)``). A second encode
    /// (callgrind, o200k, 4 MB of CJK text): 3.6 % fewer instructions; `bpe-bench`, paired,
    /// one core: CJK text 0.93× the time with o200k and 0.89× with cl100k, English 0.96×, man
    /// pages 0.97×.
    static let packedTier = 0

    /// Pieces shorter than this are not kept: merging two to four bytes costs no more than a
    /// lookup and an insert here, whose cache lines are the misses. base64 (pieces of 3.8
    /// bytes on average with o200k, 16 % of them hits) took 0.88× the time without them, and
    /// real text did not notice (paired runs, o200k: English 0.98×, man pages 0.98×, CJK
    /// 1.02×). Keeping only pieces of 7 bytes or more gained base64 another 8 % but cost CJK
    /// text 4 %.
    static let minKey = 5
    /// Pieces longer than this are never kept: the last tier's longest key.
    @inline(__always)
    static var maxCachedKey: Int { maxKey(tierCount - 1) }
    /// Pieces of a lazy tier's lengths merged before its slots are made.
    static let lazyTierThreshold = 64
    /// Pieces tier 0 evicts before it doubles, once (``CompactPieceTier`` does the same): a
    /// text with more distinct pieces to merge than its slots hold (man pages in 13
    /// languages: 74,800 of 5 to 24 bytes in 7.4 MB) gets there in its first megabytes; a
    /// short text never does, and its first encode does not clear twice the memory (20 KB of
    /// English: 1.4 ms instead of 0.9 with twice the slots from the start).
    static let growAfter = 1 << 10

    /// Each tier's slots (`nil` until ``lazyTierThreshold`` pieces of its lengths were
    /// merged) and their count. Behind a pointer, so every copy of the view sees
    /// a tier made or grown.
    private struct Tier {
        var slots: UnsafeMutableRawPointer?
        var slotCount: Int
        /// A lazy tier's merges while it has no slots.
        var merges = 0
        /// Tier 0's evictions, until it grows.
        var evictions = 0
    }
    private let tiers: UnsafeMutablePointer<Tier>

    /// Where the tokens of a piece go when they are more than its tier's slots hold
    /// (``maxTokens(_:)``): one arena of ``spillTokens`` tokens, filled front to back; the
    /// slot keeps the tokens' offset and the arena's epoch. A full arena starts again from
    /// the front with the next epoch, and a slot of an older epoch then reads as empty, so
    /// no slot ever answers with tokens written over.
    ///
    /// Without it such pieces were merged again at every occurrence: with cl100k, runs of
    /// CJK characters often merge into more tokens than the tiers' slots hold (in 4 MB of
    /// CJK text, 3,726 pieces, 115 KB: 3,078 of 17 to 24 bytes with more than 12 tokens,
    /// 648 of 25 to 128 bytes with more than 18 or 30), and in 7.4 MB of man pages 926.
    private struct Spill {
        var tokens: UnsafeMutablePointer<Rank>?
        var used = 0
        var epoch: UInt32 = 1
    }
    private let spill: UnsafeMutablePointer<Spill>
    /// The spill's size in tokens (1 MiB), made when a piece first needs it.
    let spillTokens: Int
    static let defaultSpillTokens = 1 << 18
    /// Pieces of ``minKey`` to ``CompactPieceTier/maxKey`` bytes.
    let compact: CompactPieceTier
    /// Every piece of up to ``PieceTable/maxKey`` bytes, for the batched encoder.
    let pieces: PieceTable
    /// The batched encoder's pieces between lexing and lookup (``PieceBatch``).
    let batch: PieceBatch

    /// Tier `t`'s slot count now (tier 0's doubles; for tests).
    func slotCount(now t: Int) -> Int { tiers[t].slotCount }

    /// A slot's header without its token count: the hash's bottom half with its lowest bit
    /// set, so that no tag is 0 (empty), and the key length. One load and compare rejects
    /// most other pieces; the key's bytes decide. The set comes from the bits above the
    /// lowest (``set(_:_:_:_:)``), so a tag tells its set in a table twice the size too.
    @inline(__always)
    static func tag(_ h: UInt64, _ n: Int) -> UInt64 { (h & 0xFFFF_FFFF | 1) | UInt64(truncatingIfNeeded: n) << 32 }
    static let tagBits: UInt64 = (1 << 48) - 1

    /// The second memo: whether token `b` may follow token `a` in the backtracking encoder
    /// (``Backtracking/compatible(_:_:_:_:)``, a fixed function of the two tokens), for the
    /// last pairs asked about, direct-mapped. A long piece asks once per token, and each
    /// answer costs a chain of pair-table probes; text that repeats (a run of one character,
    /// a long word seen before, the characters of a CJK text) asks about the same pairs again.
    /// 16,384 slots of 8 bytes (128 KiB): Japanese text asked twice as often as a thousand
    /// slots could answer.
    static let pairSlotBits = 14
    static let pairSlotCount = 1 << pairSlotBits
    /// Slot layout: `(a << 32 | b) + 1` in the low 63 bits (0: empty, so calloc's zeroed
    /// pages are an empty memo), the answer in the top bit. Pairs with `a` ≥ 2^31 - 1, which
    /// no vocabulary here reaches, are not kept.
    private let pairSlots: UnsafeMutablePointer<UInt64>
    /// Where ``packedTier``'s tokens are unpacked for the caller of ``lookup(_:_:hash:)``
    /// (the cache is one thread's).
    private let unpacked: UnsafeMutablePointer<Rank>

    /// `compactSets`: the compact tier's sets (a power of two; see ``CompactPieceTier``).
    /// The checks that compare the encoder's paths make small caches, which evict early.
    /// `spillTokens`: the spill's size; by default ``defaultSpillTokens``, and for the checks'
    /// small caches the least there is (``maxCachedKey``), so that it starts again early.
    init(compactSets: Int = CompactPieceTier.initialSets, spillTokens: Int? = nil) {
        let spillTokens = spillTokens ?? (compactSets < CompactPieceTier.initialSets ? Self.maxCachedKey : Self.defaultSpillTokens)
        // A piece of n bytes has at most n tokens.
        precondition(spillTokens >= Self.maxCachedKey, "a spill holds any one piece's tokens")
        self.spillTokens = spillTokens
        spill = .allocate(capacity: 1)
        spill.initialize(to: Spill())
        tiers = .allocate(capacity: Self.tierCount)
        for t in 0..<Self.tierCount { (tiers + t).initialize(to: Tier(slots: nil, slotCount: Self.slotCount(t))) }
        // The tiers' slots come zeroed (empty) and in huge pages (``HugePages/allocateZeroed(_:)``):
        // filled in random order, 4 KiB pages would be faulted in one by one.
        compact = CompactPieceTier(sets: compactSets)
        // The checks' small caches (fewer compact sets than the thread's) get a small piece
        // table too, so that it grows and fills within their few bytes of input.
        pieces = compactSets < CompactPieceTier.initialSets ? PieceTable(initialEntries: 8, maxEntries: 64) : PieceTable()
        batch = PieceBatch()
        pairSlots = calloc(Self.pairSlotCount, 8)!.assumingMemoryBound(to: UInt64.self)
        unpacked = .allocate(capacity: Self.maxTokens(Self.packedTier))
    }

    func deallocate() {
        for t in 0..<Self.tierCount { free(tiers[t].slots) }
        tiers.deallocate()
        compact.deallocate()
        pieces.deallocate()
        batch.deallocate()
        free(pairSlots)
        unpacked.deallocate()
        spill.pointee.tokens?.deallocate()
        spill.deallocate()
    }

    /// Appends the tokens kept for a piece of ``minKey`` to ``CompactPieceTier/maxKey``
    /// bytes, from ``compact`` or, for one of more tokens than its slots hold, tier 0; or
    /// returns false.
    @inline(__always)
    func lookupShort<S: TokenSink>(_ p: UnsafePointer<UInt8>, _ n: Int, into sink: inout S) -> Bool {
        let found = compact.lookup(p, n, into: &sink)
        return found == .hit || found == .elsewhere && lookupElsewhere(p, n, into: &sink)
    }

    /// ``lookupShort(_:_:into:)`` for a piece ``compact`` sends to tier 0: out of line, so
    /// that the common case stays small where it is inlined.
    @inline(never)
    private func lookupElsewhere<S: TokenSink>(_ p: UnsafePointer<UInt8>, _ n: Int, into sink: inout S) -> Bool {
        guard let (tokens, count) = lookup(p, n, hash: hashBytes(p, n)) else { return false }
        sink.append(tokens, count: count)
        return true
    }

    /// Keeps the tokens of a piece of ``minKey`` to ``CompactPieceTier/maxKey`` bytes: in
    /// ``compact``, or, when they are more than its slots hold, in tier 0 with a mark in
    /// ``compact`` that sends its lookups there.
    @inline(__always)
    func insertShort(_ p: UnsafePointer<UInt8>, _ n: Int, tokens: UnsafePointer<Rank>, count: Int) {
        if count <= CompactPieceTier.maxTokens {
            compact.insert(p, n, tokens: tokens, count: count)
        } else if insert(p, n, hash: hashBytes(p, n), tokens: tokens, count: count) {
            compact.markElsewhere(p, n)
        }
    }

    /// `bt.compatible(a, b, pairs, bytePairs)`, from the memo when it has the pair; `misses`
    /// counts the questions it could not answer.
    /// - Complexity: O(1) on a hit; as ``Backtracking/compatible(_:_:_:_:)`` on a miss.
    @inline(__always)
    func compatible(_ a: Rank, _ b: Rank, _ bt: Backtracking, _ pairs: PairTable, _ bytePairs: UnsafePointer<UInt64>,
                    misses: inout Int) -> Bool {
        guard a < (1 << 31) - 1 else { return bt.compatible(a, b, pairs, bytePairs) }
        let key = (UInt64(a) << 32 | UInt64(b)) &+ 1
        let slot = pairSlots + Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - Self.pairSlotBits))
        let entry = slot.pointee
        if entry & ~(1 << 63) == key { return entry >> 63 != 0 }
        misses &+= 1
        let answer = bt.compatible(a, b, pairs, bytePairs)
        slot.pointee = key | (answer ? 1 << 63 : 0)
        return answer
    }

    /// The tokens kept for the piece `p[0..<n]` (``CompactPieceTier/maxKey`` < n ≤
    /// ``maxCachedKey``; shorter pieces ask ``compact``) with hash `h` (from ``hashBytes``),
    /// from the tier its length picks, if kept.
    @inline(__always)
    func lookup(_ p: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64) -> (UnsafePointer<Rank>, Int)? {
        let t = Self.tier(n)
        guard let tierSlots = tiers[t].slots else { return nil }
        let size = Self.slotSize(t)
        let own = Self.set(tierSlots, tiers[t].slotCount, h, t)
        let tag = Self.tag(h, n)
        // Both slots of its own set, then, if that set is full, its other set's: only a piece
        // whose set was full when it came went there, and slots never empty.
        let full = own.load(as: UInt64.self) != 0 && (own + size).load(as: UInt64.self) != 0
        for way in 0..<(full ? 4 : 2) {
            let slot = way < 2 ? own + way &* size : Self.otherSet(tierSlots, tiers[t].slotCount, h, t) + (way &- 2) &* size
            let header = slot.load(as: UInt64.self)
            if header & Self.tagBits == tag && bytesEqual(p, slot.advanced(by: 8).assumingMemoryBound(to: UInt8.self), n) {
                let count = Int(truncatingIfNeeded: header >> 48)
                if count > Self.maxTokens(t) {
                    // In the spill: current, or written over since (then another way may
                    // hold the piece again).
                    let ref = (slot + Self.tokensAt(t)).load(as: UInt64.self)
                    guard UInt32(truncatingIfNeeded: ref >> 32) == spill.pointee.epoch,
                          let tokens = spill.pointee.tokens else { continue }
                    return (UnsafePointer(tokens + Int(truncatingIfNeeded: ref & 0xFFFF_FFFF)), count)
                }
                if t == Self.packedTier {
                    let words = slot + Self.tokensAt(t), bits = CompactPieceTier.rankBits
                    let mask: UInt64 = (1 << bits) - 1
                    for w in 0..<4 {
                        let word = words.load(fromByteOffset: 8 &* w, as: UInt64.self)
                        unpacked[3 &* w] = Rank(truncatingIfNeeded: word & mask)
                        unpacked[3 &* w &+ 1] = Rank(truncatingIfNeeded: word >> bits & mask)
                        unpacked[3 &* w &+ 2] = Rank(truncatingIfNeeded: word >> (2 &* bits) & mask)
                    }
                    return (UnsafePointer(unpacked), count)
                }
                return (UnsafePointer(slot.advanced(by: Self.tokensAt(t)).assumingMemoryBound(to: Rank.self)), count)
            }
        }
        return nil
    }

    /// Keeps `tokens[0..<count]` for the piece `p[0..<n]` (``CompactPieceTier/maxKey`` < n ≤
    /// ``maxCachedKey``; shorter pieces go to ``compact``) in the tier its length picks: in an
    /// empty slot of its set, else in one of its other set (``otherSet(_:_:_:_:)``), else in
    /// the slot of its own set that its hash's top bit picks. With one set a piece, the
    /// pieces a set dropped were merged again at every occurrence: the other set made a
    /// second encode of 4 MB of CJK text (o200k) run 4.2 % fewer instructions, with 7.6 %
    /// fewer simulated misses, and take 0.92× the time (paired), man pages 0.95×, English
    /// 0.99×; a first encode of the CJK text 1.02×. (Moving the first
    /// slot's piece to the second and keeping the new one first, so that the older goes,
    /// wrote a second cache line each time and kept fewer pieces: CJK text 6 % more
    /// instructions, English 1.2 %.) A piece of more tokens than the tier's slots hold
    /// (``maxTokens(_:)``) keeps them in the spill (``Spill``); one of tier 0 with a token
    /// of 2^20 or more, which its packed slots cannot hold, is not kept. A tier's slots are made at its
    /// ``lazyTierThreshold``-th piece; tier 0 doubles at its ``growAfter``-th eviction.
    /// Returns whether the piece was kept.
    @inline(__always) @discardableResult
    func insert(_ p: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64, tokens: UnsafePointer<Rank>, count: Int) -> Bool {
        let t = Self.tier(n)
        let spills = count > Self.maxTokens(t)
        if !spills && t == Self.packedTier {
            var all: Rank = 0
            for i in 0..<count { all |= tokens[i] }
            guard all < 1 << CompactPieceTier.rankBits else { return false }
        }
        let tierSlots: UnsafeMutableRawPointer
        if let made = tiers[t].slots {
            tierSlots = made
        } else {
            tiers[t].merges += 1
            guard tiers[t].merges >= Self.lazyTierThreshold else { return false }
            tierSlots = HugePages.allocateZeroed(tiers[t].slotCount * Self.slotSize(t))
            tiers[t].slots = tierSlots
        }
        var empty = Self.emptySlot(tierSlots, tiers[t].slotCount, h, t)
        if empty == nil && t == 0 {
            tiers[0].evictions &+= 1
            if tiers[0].evictions == Self.growAfter {
                grow(0)
                empty = Self.emptySlot(tiers[0].slots.unsafelyUnwrapped, tiers[0].slotCount, h, 0)
            }
        }
        // Both sets full: the slot of its own set that the hash's top bit picks.
        let slot = empty ?? Self.set(tiers[t].slots.unsafelyUnwrapped, tiers[t].slotCount, h, t) + Int(truncatingIfNeeded: h >> 63) &* Self.slotSize(t)
        var ref: UInt64 = 0
        if spills {
            guard let r = reserveSpill(count) else { return false }
            ref = r
        }
        slot.storeBytes(of: Self.tag(h, n) | UInt64(truncatingIfNeeded: count) << 48, as: UInt64.self)
        (slot + 8).copyMemory(from: p, byteCount: n)
        if spills {
            (slot + Self.tokensAt(t)).storeBytes(of: ref, as: UInt64.self)
            let at = spill.pointee.tokens.unsafelyUnwrapped + Int(truncatingIfNeeded: ref & 0xFFFF_FFFF)
            at.initialize(from: tokens, count: count)   // Rank is trivial: over older tokens too
        } else if t == Self.packedTier {
            for w in 0..<4 {
                var word: UInt64 = 0
                for k in 0..<3 where 3 &* w &+ k < count {
                    word |= UInt64(tokens[3 &* w &+ k]) << UInt64(CompactPieceTier.rankBits &* k)
                }
                (slot + Self.tokensAt(t)).storeBytes(of: word, toByteOffset: 8 &* w, as: UInt64.self)
            }
        } else {
            (slot + Self.tokensAt(t)).copyMemory(from: tokens, byteCount: count * MemoryLayout<Rank>.size)
        }
        return true
    }

    /// Room for `count` tokens in the spill: their offset, and the epoch in the top half.
    /// Nil only when the epochs have run out (2^32 fills of the arena), so nothing more spills.
    private func reserveSpill(_ count: Int) -> UInt64? {
        if spill.pointee.tokens == nil { spill.pointee.tokens = .allocate(capacity: spillTokens) }
        if spill.pointee.used &+ count > spillTokens {
            guard spill.pointee.epoch < UInt32.max else { return nil }
            spill.pointee.epoch &+= 1
            spill.pointee.used = 0
        }
        let offset = spill.pointee.used
        spill.pointee.used &+= count
        return UInt64(truncatingIfNeeded: offset) | UInt64(spill.pointee.epoch) << 32
    }

    /// The first of the two slots that hash `h` may use in tier `t`, whose `slotCount` slots
    /// start at `base`: from the hash's bits above the lowest, which the tag keeps too.
    @inline(__always)
    private static func set(_ base: UnsafeMutableRawPointer, _ slotCount: Int, _ h: UInt64, _ t: Int) -> UnsafeMutableRawPointer {
        base + (Int(truncatingIfNeeded: h >> 1) & (slotCount / 2 &- 1)) &* (2 &* slotSize(t))
    }

    /// The other set a piece may take when its own is full: from the tag's bits above those
    /// ``set(_:_:_:_:)`` uses (17 and up: 15 bits, as many sets as a tier has), so that
    /// ``grow(_:)`` finds it from the tag as well.
    @inline(__always)
    private static func otherSet(_ base: UnsafeMutableRawPointer, _ slotCount: Int, _ h: UInt64, _ t: Int) -> UnsafeMutableRawPointer {
        base + (Int(truncatingIfNeeded: h >> 17) & (slotCount / 2 &- 1)) &* (2 &* slotSize(t))
    }

    /// An empty slot for a new piece of hash `h`: in its own set, else in its other set;
    /// `nil` when both are full.
    @inline(__always)
    private static func emptySlot(_ base: UnsafeMutableRawPointer, _ slotCount: Int, _ h: UInt64, _ t: Int) -> UnsafeMutableRawPointer? {
        let size = slotSize(t), own = set(base, slotCount, h, t)
        if own.load(as: UInt64.self) == 0 { return own }
        if (own + size).load(as: UInt64.self) == 0 { return own + size }
        let other = otherSet(base, slotCount, h, t)
        if other.load(as: UInt64.self) == 0 { return other }
        if (other + size).load(as: UInt64.self) == 0 { return other + size }
        return nil
    }

    /// Doubles tier `t`'s slots, moving every piece it holds to an empty slot of its set or
    /// its other set in the new ones (both from its tag's bits); one whose two sets are both
    /// full (rare, at half the load) is dropped.
    /// - Complexity: O(slots), once.
    private func grow(_ t: Int) {
        let size = Self.slotSize(t), old = tiers[t].slots.unsafelyUnwrapped, oldCount = tiers[t].slotCount
        let count = oldCount * 2
        let new = HugePages.allocateZeroed(count * size)
        for i in 0..<oldCount {
            let from = old + i &* size
            let header = from.load(as: UInt64.self)
            guard header != 0, let to = Self.emptySlot(new, count, header, t) else { continue }
            to.copyMemory(from: from, byteCount: size)
        }
        free(old)
        tiers[t].slots = new
        tiers[t].slotCount = count
    }
}

/// Owns the buffers of one ``PieceCache`` until the last reference goes: then it frees
/// them, or, for a cache of vocabulary `keptFor`, hands them to the current thread's
/// ``ThreadPieceCaches``, so that the thread's next text starts with a warm cache.
final class PieceCacheStorage {
    let cache: PieceCache
    /// The ``Vocabulary/serial`` of the vocabulary whose merges the cache holds, when it goes
    /// back to the thread at the end; `nil`: freed.
    let keptFor: UInt64?

    init(_ cache: PieceCache = PieceCache(), keptFor: UInt64? = nil) {
        self.cache = cache
        self.keptFor = keptFor
    }

    deinit {
        if let keptFor { ThreadPieceCaches.current.keep(cache, for: keptFor) } else { cache.deallocate() }
    }
}
