import Foundation
import SafeFiles

/// The piece cache's tier for the commonest pieces it keeps: 5 to 16 bytes that merged into
/// at most 6 tokens below 2^20, in 32-byte slots, two to a cache line.
///
/// A slot is the key and the tokens packed: the piece's bytes 0..<8 and 8..<n as two words
/// (zero-padded, ``key(_:_:)``), then two words of six 20-bit tokens, the token count and
/// the length. A set is the two slots of one 64-byte line, so a lookup reads one line
/// whichever way holds the piece, and compares three words, with no hash tag and no loop
/// over the bytes. The 64-byte slots of the tier it replaced (pieces of 5 to 24 bytes, 8
/// tokens) read a second line whenever the piece sat in its set's second way, and held half
/// as many pieces in the same memory. Of the pieces of 5 to 24 bytes that text merges, those
/// of at most 16 bytes and 6 tokens are (o200k_base) 100 % in 5 MB of Shakespeare, 99.6 % in
/// 10 MB of source code, 90 % in 7.4 MB of man pages in 13 languages and 77 % in 4 MB of CJK
/// text; a piece of at most 16 bytes with more tokens goes to the piece cache's tier 0, and
/// its slot here says so (``Found/elsewhere``). A second encode (callgrind, o200k_base,
/// 1 MB): man pages 7.3 % fewer instructions and 41 % fewer misses
/// of a simulated 1 MiB L2, English 4.7 % and 6 %, CJK text 3 % and 3 %, source code 3 %
/// and 2 %; `bpe-bench`, paired, one core: man pages 0.87× the time (cl100k 0.88×), English
/// 0.95× (0.89×), CJK 0.93× (1.02×), source code 1.00×.
///
/// A piece whose set is full goes to its other set (from other bits of the same hash) if
/// that one has room; a lookup that misses in a full set asks the other set too (out of
/// line: a piece is there only if its set was full when it came, and sets never empty). A
/// set drops a piece only when both are full. With one set per piece, the pieces a set
/// dropped were merged again at every occurrence: a second encode of man pages ran 4.6 %
/// faster with 16 MiB of slots than with 8, while CJK text ran 9 % slower in the larger
/// footprint. The other set keeps the footprint and loses the evictions: paired, o200k, a
/// second encode: man pages 0.94× the time, CJK 0.96×, English 0.94×, base64 0.90×; a
/// first encode 0.99× (man pages) and 0.95× (CJK).
///
/// Exactness: a hit compares the piece's whole bytes and its length, so it returns exactly
/// the tokens the merge gave for these bytes; a token of 2^20 or more is never packed (the
/// piece is not kept).
///
/// ```swift
/// let tier = CompactPieceTier()
/// tier.insert(p, 7, tokens: t, count: 2)
/// tier.lookup(p, 7, into: &sink)   // .hit: t[0], t[1] appended
/// ```
/// - Complexity: `lookup` and `insert` are O(1).
struct CompactPieceTier {
    static let maxKey = 16
    static let maxTokens = 6
    static let rankBits = 20
    static let slotSize = 32
    /// Sets (lines) at first: 65,536, 4 MiB, twice the pieces the old tier's 4 MiB held;
    /// doubled once, at the ``growAfter``-th eviction (the tier about 45 % full).
    static let initialSets = 1 << 16
    static let growAfter = 1 << 10

    private struct State {
        var slots: UnsafeMutableRawPointer
        var setMask: Int
        var evictions = 0
    }
    /// Behind a pointer, so that every copy of the view sees the tier grow.
    private let state: UnsafeMutablePointer<State>

    /// `sets` (a power of two) is for tests, which want sets that fill.
    init(sets: Int = Self.initialSets) {
        state = .allocate(capacity: 1)
        state.initialize(to: State(slots: HugePages.allocateZeroed(sets * 64), setMask: sets - 1))
    }

    func deallocate() {
        free(state.pointee.slots)
        state.deallocate()
    }

    /// The tier's slot count now (it doubles once; for tests).
    var slotCount: Int { (state.pointee.setMask + 1) * 2 }

    /// The piece `p[0..<n]` (``PieceCache/minKey`` ≤ n ≤ ``maxKey``) as two little-endian
    /// words, bytes 0..<8 and 8..<n, zero-padded; never a byte outside the piece is read.
    @inline(__always)
    static func key(_ p: UnsafePointer<UInt8>, _ n: Int) -> (UInt64, UInt64) {
        let raw = UnsafeRawPointer(p)
        if n < 8 { return (ShortTokenTable.pack(p, n), 0) }
        let lo = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        let tail = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
        // Bytes 8..<n are the top n - 8 bytes of the last eight; none when n is 8.
        let hi = n > 8 ? tail &>> UInt64(truncatingIfNeeded: 8 &* (16 &- n)) : 0
        return (lo, hi)
    }

    /// A set's index bits from the key and its length (which the padding alone does not tell).
    @inline(__always)
    static func hash(_ k0: UInt64, _ k1: UInt64, _ n: Int) -> UInt64 {
        let m = (k0 ^ 0x9E37_79B9_7F4A_7C15).multipliedFullWidth(by: k1 ^ 0xBF58_476D_1CE4_E5B9 ^ UInt64(truncatingIfNeeded: n))
        return m.high ^ m.low
    }

    /// Pieces evicted so far (for tests).
    var evictionCount: Int { state.pointee.evictions }

    /// The set of hash `h` now.
    @inline(__always)
    private func setIndex(_ h: UInt64) -> Int { Int(truncatingIfNeeded: h >> 20) & state.pointee.setMask }

    /// The other set a piece of hash `h` may take when its own is full: from the hash's low
    /// bits, which ``setIndex(_:)`` does not use.
    @inline(__always)
    private func otherSetIndex(_ h: UInt64) -> Int { Int(truncatingIfNeeded: h) & state.pointee.setMask }

    /// The set `p[0..<n]` goes to now, and the other set it may take (for tests).
    func setIndices(_ p: UnsafePointer<UInt8>, _ n: Int) -> (own: Int, other: Int) {
        let (k0, k1) = Self.key(p, n)
        let h = Self.hash(k0, k1, n)
        return (setIndex(h), otherSetIndex(h))
    }

    @inline(__always)
    private func set(_ h: UInt64) -> UnsafeMutableRawPointer { state.pointee.slots + setIndex(h) &* 64 }

    @inline(__always)
    private func otherSet(_ h: UInt64) -> UnsafeMutableRawPointer { state.pointee.slots + otherSetIndex(h) &* 64 }

    /// Whether the slot at `slot` holds the piece of key `k0`, `k1` and `length` (n - 1).
    @inline(__always)
    private static func holds(_ slot: UnsafeMutableRawPointer, _ k0: UInt64, _ k1: UInt64, _ length: UInt64) -> Bool {
        slot.load(as: UInt64.self) == k0 && slot.load(fromByteOffset: 8, as: UInt64.self) == k1
            && slot.load(fromByteOffset: 24, as: UInt64.self) & 0xF == length
    }

    /// Whether the set at `set` is full: its second slot is taken (a set fills first to last).
    @inline(__always)
    private static func isFull(_ set: UnsafeMutableRawPointer) -> Bool {
        (set + slotSize).load(fromByteOffset: 24, as: UInt64.self) != 0
    }

    /// The slot of the piece in its other set, or `nil`: asked only when its own set is full
    /// and does not hold it, out of line so the common lookup stays small.
    @inline(never)
    private func slotInOtherSet(_ h: UInt64, _ k0: UInt64, _ k1: UInt64, _ length: UInt64) -> UnsafeMutableRawPointer? {
        let other = otherSet(h)
        if Self.holds(other, k0, k1, length) { return other }
        if Self.holds(other + Self.slotSize, k0, k1, length) { return other + Self.slotSize }
        return nil
    }

    /// What ``lookup(_:_:into:)`` found.
    enum Found {
        /// The piece's tokens went to the sink.
        case hit
        case miss
        /// The piece has more tokens than a slot holds and was kept in the piece cache's
        /// tier 0 (``markElsewhere(_:_:)``): ask there.
        case elsewhere
    }

    /// The count that marks a piece kept elsewhere.
    static let elsewhereCount: UInt64 = 0xF

    /// Appends the tokens kept for `p[0..<n]` (``PieceCache/minKey`` ≤ n ≤ ``maxKey``) to
    /// `sink` (`.hit`), or tells that they are not here.
    @inline(__always)
    func lookup<S: TokenSink>(_ p: UnsafePointer<UInt8>, _ n: Int, into sink: inout S) -> Found {
        let (k0, k1) = Self.key(p, n)
        let h = Self.hash(k0, k1, n)
        let set = set(h)
        // An empty slot is all zeros, whose length field (n - 1 ≥ 4 for a kept piece) never matches.
        let length = UInt64(truncatingIfNeeded: n &- 1)
        var slot = set
        if !Self.holds(slot, k0, k1, length) {
            slot = set + Self.slotSize
            if !Self.holds(slot, k0, k1, length) {
                // Only a piece whose set was full when it came went to its other set.
                guard Self.isFull(set), let other = slotInOtherSet(h, k0, k1, length) else { return .miss }
                slot = other
            }
        }
        let a = slot.load(fromByteOffset: 16, as: UInt64.self), b = slot.load(fromByteOffset: 24, as: UInt64.self)
        if a & 0xF == Self.elsewhereCount { return .elsewhere }
        let mask: UInt64 = (1 << Self.rankBits) - 1
        let out: SixRanks = (
            Rank(truncatingIfNeeded: a >> 4 & mask), Rank(truncatingIfNeeded: a >> 24 & mask), Rank(truncatingIfNeeded: a >> 44),
            Rank(truncatingIfNeeded: b >> 4 & mask), Rank(truncatingIfNeeded: b >> 24 & mask), Rank(truncatingIfNeeded: b >> 44))
        sink.append(six: out, count: Int(truncatingIfNeeded: a & 0xF))
        return .hit
    }

    /// Keeps `tokens[0..<count]` for `p[0..<n]` (``PieceCache/minKey`` ≤ n ≤ ``maxKey``),
    /// unless there are more than ``maxTokens`` or one is 2^20 or more. The new piece takes
    /// the first slot of its set, or of its other set when its own is full and the other is
    /// not, and the piece there moves to the second (one line either way); when both are full
    /// its own set drops the piece put in least recently.
    @inline(__always)
    func insert(_ p: UnsafePointer<UInt8>, _ n: Int, tokens: UnsafePointer<Rank>, count: Int) {
        guard count <= Self.maxTokens else { return }
        // Three tokens a word, above the word's 4-bit field: 4, 24 and 44.
        var a = UInt64(truncatingIfNeeded: count), b: UInt64 = 0, all: Rank = 0
        for i in 0..<count {
            all |= tokens[i]
            let t = UInt64(tokens[i]) << UInt64(4 &+ Self.rankBits &* (i % 3))
            if i < 3 { a |= t } else { b |= t }
        }
        guard all < 1 << Self.rankBits else { return }
        store(p, n, a, b)
    }

    /// Keeps `p[0..<n]` as a piece whose tokens the piece cache's tier 0 holds (more than
    /// ``maxTokens``): a lookup answers `.elsewhere`, so that a piece merged afresh here, not
    /// kept, costs no probe of tier 0.
    func markElsewhere(_ p: UnsafePointer<UInt8>, _ n: Int) { store(p, n, Self.elsewhereCount, 0) }

    /// Stores the key of `p[0..<n]` with the token words `a` (the count in its low 4 bits)
    /// and `b` (the length is added to its low 4 bits) in the first slot of its set.
    @inline(__always)
    private func store(_ p: UnsafePointer<UInt8>, _ n: Int, _ a: UInt64, _ b: UInt64) {
        let (k0, k1) = Self.key(p, n)
        let h = Self.hash(k0, k1, n)
        var set = place(h)
        if set == nil {
            state.pointee.evictions &+= 1
            if state.pointee.evictions == Self.growAfter { grow() }
            set = place(h)
        }
        put(set ?? self.set(h), k0, k1, a, UInt64(truncatingIfNeeded: n &- 1) | b)
    }

    /// The set a new piece of hash `h` goes to: its own, unless that is full and its other
    /// set is not; `nil` when both are full (its own set then drops its older piece).
    @inline(__always)
    private func place(_ h: UInt64) -> UnsafeMutableRawPointer? {
        let own = set(h)
        if !Self.isFull(own) { return own }
        let other = otherSet(h)
        return Self.isFull(other) ? nil : other
    }

    /// Writes a slot's four words into the first slot of `set`, whose first slot moves to the
    /// second (and whose second, if any, goes).
    @inline(__always)
    private func put(_ set: UnsafeMutableRawPointer, _ k0: UInt64, _ k1: UInt64, _ a: UInt64, _ b: UInt64) {
        (set + Self.slotSize).copyMemory(from: set, byteCount: Self.slotSize)
        set.storeBytes(of: k0, as: UInt64.self)
        set.storeBytes(of: k1, toByteOffset: 8, as: UInt64.self)
        set.storeBytes(of: a, toByteOffset: 16, as: UInt64.self)
        set.storeBytes(of: b, toByteOffset: 24, as: UInt64.self)
    }

    /// Doubles the sets, moving every piece to its set among twice as many (the key in the
    /// slot gives its hash back). A set of the old table splits into two, so no new set gets
    /// more than the two pieces it had, in the same order.
    /// - Complexity: O(slots), once.
    private func grow() {
        let old = state.pointee.slots, oldSets = state.pointee.setMask + 1
        let sets = oldSets * 2
        let new = HugePages.allocateZeroed(sets * 64)
        state.pointee.slots = new
        state.pointee.setMask = sets - 1
        // The second way first, so that a set's first piece stays first where both go. A
        // piece whose two new sets are both full (rare: twice the sets) is dropped.
        for way in [1, 0] {
            for i in 0..<oldSets {
                let from = old + i &* 64 + way &* Self.slotSize
                let b = from.load(fromByteOffset: 24, as: UInt64.self)
                guard b != 0 else { continue }
                let k0 = from.load(as: UInt64.self), k1 = from.load(fromByteOffset: 8, as: UInt64.self)
                guard let to = place(Self.hash(k0, k1, Int(b & 0xF) + 1)) else { continue }
                put(to, k0, k1, from.load(fromByteOffset: 16, as: UInt64.self), b)
            }
        }
        free(old)
    }
}
