/// Open-addressing hash table from token bytes to rank, keyed into a ``Vocabulary``'s arena:
/// every token, while a vocabulary is built (it finds duplicate tokens and the two halves of
/// every merge). A built vocabulary looks tokens up in ``ShortTokenTable`` and
/// ``LongTokenTable`` instead, whose slots hold what confirms a hit.
///
/// Slots hold only ranks; the bytes they stand for are read back from the arena, so the
/// table costs 4 bytes per slot and never copies a token. Linear probing, load factor ≤ 1/2.
///
/// - Complexity: `find` and `insert` are O(n) expected for an n-byte key.
final class ByteTable: @unchecked Sendable {
    let storage: Slab<Rank>
    private let slots: UnsafeMutablePointer<Rank>
    private let mask: Int

    init(capacity: Int) {
        storage = Slab(count: tableSize(forKeys: capacity, maxLoad: 0.5), repeating: .max)
        slots = storage.base
        mask = storage.count - 1
    }

    /// A table over slots built earlier (read from a cache file).
    init(storage: Slab<Rank>) {
        self.storage = storage
        slots = storage.base
        mask = storage.count - 1
    }

    /// Inserts `rank` for the given bytes; returns the rank already stored for equal bytes
    /// (and inserts nothing) if there is one.
    func insert(_ rank: Rank, bytes p: UnsafePointer<UInt8>, count n: Int, tokens v: TokenStore) -> Rank? {
        var i = Int(truncatingIfNeeded: hashBytes(p, n)) & mask
        while true {
            let s = slots[i]
            if s == .max { slots[i] = rank; return nil }
            if Self.equal(s, p, n, v) { return s }
            i = (i + 1) & mask
        }
    }

    @inline(__always)
    func find(_ p: UnsafePointer<UInt8>, count n: Int, tokens v: TokenStore) -> Rank? {
        var i = Int(truncatingIfNeeded: hashBytes(p, n)) & mask
        while true {
            let s = slots[i]
            if s == .max { return nil }
            if Self.equal(s, p, n, v) { return s }
            i = (i + 1) & mask
        }
    }

    @inline(__always)
    private static func equal(_ rank: Rank, _ p: UnsafePointer<UInt8>, _ n: Int, _ v: TokenStore) -> Bool {
        let (q, m) = v.bytes(of: rank)
        return m == n && bytesEqual(p, q, n)
    }
}

/// A fast, non-cryptographic hash of a short byte string: eight bytes per multiply.
/// Inputs are trusted (our own vocabulary), so HashDoS resistance is not needed here.
@inline(__always)
func hashBytes(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
    var h = UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15
    var k = 0
    while k + 8 <= n {
        let w = UnsafeRawPointer(p + k).loadUnaligned(as: UInt64.self)
        h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 29
        k += 8
    }
    if k < n {
        // The last n - k bytes as a little-endian word, with no loop (its exit was mispredicted
        // once per piece): one overlapping load of the last eight bytes, shifted past the bytes
        // already hashed, or the short-token packing when there are fewer than eight in all.
        let w = n >= 8
            ? UInt64(littleEndian: UnsafeRawPointer(p + (n - 8)).loadUnaligned(as: UInt64.self)) >> UInt64(8 * (8 - (n - k)))
            : ShortTokenTable.pack(p, n)
        h = (h ^ w) &* 0x94D0_49BB_1331_11EB
    }
    h ^= h >> 32
    h = h &* 0x9E37_79B9_7F4A_7C15
    return h ^ (h >> 29)
}
