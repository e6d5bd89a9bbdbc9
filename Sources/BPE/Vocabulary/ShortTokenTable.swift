/// Tokens of at most 8 bytes (most of any vocabulary, and most pieces of text), keyed by
/// their bytes packed into one `UInt64`.
///
/// The general ``ByteTable`` needs three memory reads that usually miss the cache (slot,
/// offsets, arena) to confirm a hit; here the key sits in the slot, so a lookup is usually
/// one cache line. The encoder tries this table first for every piece of ≤ 8 bytes.
final class ShortTokenTable: @unchecked Sendable {
    struct Slot {
        var word: UInt64
        var rank: Rank    // .max: empty
        var length: UInt32
    }
    private let slots: UnsafeMutablePointer<Slot>
    private let mask: Int

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = .allocate(capacity: size)
        slots.initialize(repeating: Slot(word: 0, rank: .max, length: 0), count: size)
        mask = size - 1
    }

    deinit { slots.deallocate() }

    /// The bytes `p[0..<n]` (n ≤ 8) as a little-endian word, zero-padded.
    @inline(__always)
    static func pack(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var w: UInt64 = 0
        withUnsafeMutableBytes(of: &w) { $0.baseAddress!.copyMemory(from: p, byteCount: n) }
        return UInt64(littleEndian: w)
    }

    @inline(__always)
    private func index(_ word: UInt64, _ n: Int) -> Int {
        var h = (word ^ (UInt64(n) << 59)) &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 29
        return Int(truncatingIfNeeded: h) & mask
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
        let w = Self.pack(p, n)
        var i = index(w, n)
        while true {
            let s = slots[i]
            if s.rank == .max { return nil }
            if s.word == w && s.length == UInt32(n) { return s.rank }
            i = (i + 1) & mask
        }
    }
}
