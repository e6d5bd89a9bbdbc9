/// Tokens of at most 8 bytes (most of any vocabulary, and most pieces of text), keyed by
/// their bytes packed into one `UInt64`.
///
/// A table that keeps only ranks needs three memory reads that usually miss the cache
/// (slot, offsets, arena) to confirm a hit; here the key sits in the slot, so a lookup is
/// usually one cache line. The encoder tries this table first for every piece of ≤ 8 bytes
/// (``LongTokenTable`` holds the longer tokens).
final class ShortTokenTable: @unchecked Sendable {
    struct Slot {
        var word: UInt64
        var rank: Rank    // .max: empty
        var length: UInt32
    }
    let storage: Slab<Slot>
    let slots: UnsafeMutablePointer<Slot>
    let mask: Int

    /// Room for `capacity` tokens (the caller counts the short ones first).
    init(capacity: Int) {
        storage = Slab(count: tableSize(forKeys: capacity, maxLoad: 0.5), repeating: Slot(word: 0, rank: .max, length: 0))
        slots = storage.base
        mask = storage.count - 1
    }

    /// A table over slots built earlier (read from a cache file).
    init(storage: Slab<Slot>) {
        self.storage = storage
        slots = storage.base
        mask = storage.count - 1
    }

    /// The bytes `p[0..<n]` (1 ≤ n ≤ 8) as a little-endian word, zero-padded.
    ///
    /// Two loads that may overlap, and never a byte past `p[n - 1]`: bytes 0..<4 and
    /// n-4..<n for n ≥ 4 (overlapping bytes land in the same place from both loads, so OR-ing
    /// them is exact), bytes 0, n/2 and n-1 for n < 4. No `memcpy` call on the hot path.
    @inline(__always)
    static func pack(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        let raw = UnsafeRawPointer(p)
        if n >= 4 {
            let lo = UInt64(UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)))
            let hi = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)))
            return lo | hi &<< UInt64(truncatingIfNeeded: 8 &* (n &- 4))
        }
        return UInt64(p[0]) | UInt64(p[n >> 1]) &<< UInt64(truncatingIfNeeded: 8 &* (n >> 1))
            | UInt64(p[n &- 1]) &<< UInt64(truncatingIfNeeded: 8 &* (n &- 1))
    }

    /// ``pack(_:_:)`` with one load and a mask, for a caller that knows at least 8 bytes
    /// are readable from `p` (the piece need not be 8 bytes long). `pack` picks its loads
    /// by `n < 4`, a branch that text takes both ways and mispredicted on one piece in
    /// six (callgrind, English, o200k: 38,000 of the 333,000 mispredicts of a second
    /// encode of 1 MB). `VocabularyTests` checks that both agree for every `n`, whatever
    /// follows the piece.
    ///
    /// ```swift
    /// // "cat, dog": the piece "cat" packs to 0x746163 either way
    /// ShortTokenTable.packPadded(p, 3) == ShortTokenTable.pack(p, 3)
    /// ```
    /// - Complexity: O(1): one load, one mask.
    @inline(__always)
    static func packPadded(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        let w = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
        return w & (UInt64.max &>> UInt64(truncatingIfNeeded: 64 &- 8 &* n))
    }

    @inline(__always)
    private func index(_ word: UInt64, _ n: Int) -> Int { Self.index(word, n, mask) }

    @inline(__always)
    static func index(_ word: UInt64, _ n: Int, _ mask: Int) -> Int {
        var h = (word ^ (UInt64(truncatingIfNeeded: n) &<< 59)) &* 0x9E37_79B9_7F4A_7C15
        h ^= h &>> 29
        return Int(truncatingIfNeeded: h) & mask
    }

    /// ``find(_:_:)`` on raw slots, for callers that hoisted `slots` and `mask` out of a loop.
    @inline(__always)
    static func find(_ p: UnsafePointer<UInt8>, _ n: Int, slots: UnsafeMutablePointer<Slot>, mask: Int) -> Rank? {
        find(word: pack(p, n), n, slots: slots, mask: mask)
    }

    /// ``find(_:_:slots:mask:)`` for a piece already packed (``pack(_:_:)`` or
    /// ``packPadded(_:_:)``).
    @inline(__always)
    static func find(word w: UInt64, _ n: Int, slots: UnsafeMutablePointer<Slot>, mask: Int) -> Rank? {
        var i = index(w, n, mask)
        while true {
            let s = slots[i]
            if s.rank == .max { return nil }
            if s.word == w && s.length == UInt32(truncatingIfNeeded: n) { return s.rank }
            i = (i &+ 1) & mask
        }
    }

    func insert(_ rank: Rank, _ p: UnsafePointer<UInt8>, _ n: Int) {
        let w = Self.pack(p, n)
        var i = index(w, n)
        while slots[i].rank != .max { i = (i + 1) & mask }
        slots[i] = Slot(word: w, rank: rank, length: UInt32(n))
    }

    /// The rank of the token `p[0..<n]` (1 ≤ n ≤ 8), or `nil`.
    @inline(__always)
    func find(_ p: UnsafePointer<UInt8>, _ n: Int) -> Rank? {
        Self.find(word: Self.pack(p, n), n, slots: slots, mask: mask)
    }
}
