import Foundation
import SafeFiles

/// A bounded, per-thread memo from a piece's bytes to its tokens, for the pieces that need
/// merging (a piece that is itself a token never gets here: the token tables answer it).
///
/// Text repeats its words, and in most languages many words are more than one token; merging
/// one costs a dozen pair lookups that miss the cache, while a hit here is one hash and one
/// cache line. The memo is direct-mapped: each piece has one slot, and a new piece evicts the
/// old one, so memory stays fixed however much text goes by: ``slotCount`` × 64 bytes for
/// pieces of ``minKey`` to ``maxKey`` bytes, and, once a text has merged
/// ``longTierThreshold`` longer ones, ``longSlotCount`` × 256 bytes for pieces of up to
/// ``maxLongKey`` (the long tier).
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
/// cache.insert(p, 5, hash: h, tokens: t, count: 2)
/// cache.lookup(p, 5, hash: h)   // (t's copy, 2)
/// ```
/// - Complexity: `lookup` and `insert` are O(n) for an n-byte piece, in either tier.
struct PieceCache {
    /// Pieces longer than this go to the long tier.
    static let maxKey = 24
    /// Pieces shorter than this are not kept: merging two to four bytes costs no more than a
    /// lookup and an insert here, whose cache lines are the misses. base64 (pieces of 3.8
    /// bytes on average with o200k, 16 % of them hits) took 0.88× the time without them, and
    /// real text did not notice (paired runs, o200k: English 0.98×, man pages 0.98×, CJK
    /// 1.02×). Keeping only pieces of 7 bytes or more gained base64 another 8 % but cost CJK
    /// text 4 %.
    static let minKey = 5
    /// Pieces that merge into more tokens than this are not kept.
    static let maxTokens = 6
    /// 65,536 slots of 64 bytes: 4 MiB, in two huge pages (``HugePages/allocateZeroed(_:)``:
    /// filled in random order, 4 KiB pages faulted in one by one). Text has more distinct
    /// pieces to merge than a small direct-mapped memo can hold: 5 MB of Shakespeare has
    /// 33,700 of 5 to 24 bytes that are not tokens (o200k_base), 4 MB of CJK text 54,100, and
    /// a piece evicted by a neighbour is merged again the next time it comes. From 16,384
    /// slots (1 MiB) to 65,536, a second encode of those texts ran 12 % and 11 % fewer
    /// instructions with 12 % and 7.5 % fewer misses of a simulated 1 MiB L2 (callgrind);
    /// 32,768 slots gave about half of that. With 4,096 slots (256 KiB), 8 MB of man pages
    /// (13 languages) took 8 % longer than with 16,384.
    static let slotCount = 1 << 16

    /// Slot layout, one cache line: hash (8 bytes, 0 = empty), key length (1), token count (1),
    /// padding, key bytes at 16 (24), tokens at 40 (6 × 4).
    private let slots: UnsafeMutableRawPointer

    /// The long tier: pieces of ``maxKey`` + 1 to ``maxLongKey`` bytes (runs of CJK characters,
    /// long Cyrillic or German words), which backtracking merges with dozens of table probes
    /// each. In 4 MB of CJK text such pieces are a third of the bytes (24,200 of them, 14,900
    /// distinct), in 7.4 MB of man pages 9 %. 16,384 slots of 256 bytes: a second encode of
    /// the CJK text ran 13.6 % fewer instructions (callgrind, o200k; simulated L2 misses
    /// +0.9 %), man pages 4.9 % fewer. Longer pieces are rare and rarely repeat.
    static let maxLongKey = 128
    /// Long pieces that merge into more tokens than this are not kept.
    static let maxLongTokens = 28
    static let longSlotCount = 1 << 14
    /// Long pieces merged before the long tier's slots are made: text of short words (English,
    /// source code) seldom has any, and need not clear 4 MiB it will not use.
    static let longTierThreshold = 64
    /// The long tier's slots (`nil` until ``longTierThreshold`` long pieces were merged) and
    /// that count. Slot layout, four cache lines: hash (8 bytes, 0 = empty), key length (1),
    /// token count (1), padding, key bytes at 16 (128), tokens at 144 (28 × 4).
    private struct LongTier {
        var slots: UnsafeMutableRawPointer?
        var merges = 0
    }
    private let long: UnsafeMutablePointer<LongTier>

    /// The second memo: whether token `b` may follow token `a` in the backtracking encoder
    /// (``Backtracking/compatible(_:_:_:)``, a fixed function of the two tokens), for the
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

    init() {
        // Zeroed: empty slots.
        slots = HugePages.allocateZeroed(Self.slotCount * 64)
        long = .allocate(capacity: 1)
        long.initialize(to: LongTier())
        pairSlots = calloc(Self.pairSlotCount, 8)!.assumingMemoryBound(to: UInt64.self)
    }

    func deallocate() {
        free(slots)
        free(long.pointee.slots)
        long.deallocate()
        free(pairSlots)
    }

    /// `bt.compatible(a, b, pairs)`, from the memo when it has the pair; `misses` counts the
    /// questions it could not answer.
    /// - Complexity: O(1) on a hit; as ``Backtracking/compatible(_:_:_:)`` on a miss.
    @inline(__always)
    func compatible(_ a: Rank, _ b: Rank, _ bt: Backtracking, _ pairs: PairTable, misses: inout Int) -> Bool {
        guard a < (1 << 31) - 1 else { return bt.compatible(a, b, pairs) }
        let key = (UInt64(a) << 32 | UInt64(b)) &+ 1
        let slot = pairSlots + Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - Self.pairSlotBits))
        let entry = slot.pointee
        if entry & ~(1 << 63) == key { return entry >> 63 != 0 }
        misses &+= 1
        let answer = bt.compatible(a, b, pairs)
        slot.pointee = key | (answer ? 1 << 63 : 0)
        return answer
    }

    /// The tokens kept for the piece `p[0..<n]` (``minKey`` ≤ n ≤ ``maxLongKey``) with hash
    /// `h` (from ``hashBytes``), from the tier its length picks, if kept.
    @inline(__always)
    func lookup(_ p: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64) -> (UnsafePointer<Rank>, Int)? {
        if n <= Self.maxKey {
            return Self.lookup(p, n, hash: h, slot: slots + Int(truncatingIfNeeded: h) & (Self.slotCount - 1) * 64, tokensAt: 40)
        }
        guard let longSlots = long.pointee.slots else { return nil }
        return Self.lookup(p, n, hash: h, slot: longSlots + Int(truncatingIfNeeded: h) & (Self.longSlotCount - 1) * 256,
                           tokensAt: 144)
    }

    /// Keeps `tokens[0..<count]` for the piece `p[0..<n]` (``minKey`` ≤ n ≤ ``maxLongKey``) in
    /// the tier its length picks, evicting whatever held its slot; a piece of more tokens than
    /// the tier's slots hold (``maxTokens``, ``maxLongTokens``) is not kept. The long tier's
    /// slots are made at its ``longTierThreshold``-th long piece.
    @inline(__always)
    func insert(_ p: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64, tokens: UnsafePointer<Rank>, count: Int) {
        if n <= Self.maxKey {
            guard count <= Self.maxTokens else { return }
            Self.insert(p, n, hash: h, tokens: tokens, count: count,
                        slot: slots + Int(truncatingIfNeeded: h) & (Self.slotCount - 1) * 64, tokensAt: 40)
            return
        }
        guard count <= Self.maxLongTokens else { return }
        let longSlots: UnsafeMutableRawPointer
        if let made = long.pointee.slots {
            longSlots = made
        } else {
            long.pointee.merges += 1
            guard long.pointee.merges >= Self.longTierThreshold else { return }
            longSlots = HugePages.allocateZeroed(Self.longSlotCount * 256)
            long.pointee.slots = longSlots
        }
        Self.insert(p, n, hash: h, tokens: tokens, count: count,
                    slot: longSlots + Int(truncatingIfNeeded: h) & (Self.longSlotCount - 1) * 256, tokensAt: 144)
    }

    /// Both tiers' slots: hash at 0, key length at 8, token count at 9, key at 16, tokens at
    /// `tokensAt`.
    @inline(__always)
    private static func lookup(_ p: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64, slot: UnsafeMutableRawPointer,
                               tokensAt: Int) -> (UnsafePointer<Rank>, Int)? {
        guard slot.load(as: UInt64.self) == h | 1, Int(slot.load(fromByteOffset: 8, as: UInt8.self)) == n else { return nil }
        guard bytesEqual(p, slot.advanced(by: 16).assumingMemoryBound(to: UInt8.self), n) else { return nil }
        let count = Int(slot.load(fromByteOffset: 9, as: UInt8.self))
        return (UnsafePointer(slot.advanced(by: tokensAt).assumingMemoryBound(to: Rank.self)), count)
    }

    @inline(__always)
    private static func insert(_ p: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64, tokens: UnsafePointer<Rank>, count: Int,
                               slot: UnsafeMutableRawPointer, tokensAt: Int) {
        slot.storeBytes(of: h | 1, as: UInt64.self)
        slot.storeBytes(of: UInt8(n), toByteOffset: 8, as: UInt8.self)
        slot.storeBytes(of: UInt8(count), toByteOffset: 9, as: UInt8.self)
        (slot + 16).copyMemory(from: p, byteCount: n)
        (slot + tokensAt).copyMemory(from: tokens, byteCount: count * MemoryLayout<Rank>.size)
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
