/// Tokens of more than 8 bytes (those ``ShortTokenTable`` cannot key inline), with what
/// confirms a hit kept in the slot: the key's hash tag, length and place in the arena.
///
/// The encoder looks every piece of more than 8 bytes up here first (a word such as
/// " something", or a piece that needs merging). The general table it replaced kept only a
/// rank per slot, so each slot probed cost two more loads that usually miss the cache (the
/// token's offsets, then its bytes): a piece that is not a token passed one or two other
/// tokens' slots on its way to an empty one, and paid for both. Here a slot whose tag or
/// length differs is passed without leaving the table, and a hit reads the arena once.
/// Measured against that table (bpe-bench, paired, one core): 7.4 MB of man pages 0.90× the
/// time with o200k and 0.95× with cl100k, 5 MB of English 0.93× and 0.91×, 4 MB of CJK text
/// 0.95× (o200k), 10 MB of source code 1.00× (o200k); callgrind with a 1 MiB last level, 2 MB
/// of man pages: 11 % fewer misses in the encode loop.
///
/// 16 bytes a slot, linear probing, load factor ≤ 1/2: 2 MiB for o200k_base's 51,688 long
/// tokens, about what the rank-only table of all 200,000 took.
///
/// ```swift
/// let t = LongTokenTable(tokens: store, count: v.count)
/// t.find(p, count: 10, hash: hashBytes(p, 10), arena: store.arena)   // the rank, or nil
/// ```
/// - Complexity: `find` is O(n) expected for an n-byte key (one hash, one arena compare).
final class LongTokenTable: @unchecked Sendable {
    struct Slot {
        /// The top half of the key's ``hashBytes(_:_:)``; the bottom half picks the slot.
        var tag: UInt32
        /// `Rank.max`: empty.
        var rank: Rank
        /// Where the token's bytes start in the vocabulary's arena, and how many there are.
        var offset: UInt32
        var length: UInt32
    }
    let storage: Slab<Slot>
    private let slots: UnsafeMutablePointer<Slot>
    private let mask: Int

    /// Keys shorter than this are not kept (they are ``ShortTokenTable``'s).
    static let minimumLength = 9

    /// The table of the tokens in `tokens` (ranks `0..<count`) of at least ``minimumLength``
    /// bytes. Tokens must be distinct (the vocabulary checks that first).
    init(tokens v: TokenStore, count: Int) {
        var keys = 0
        for r in 0..<count where v.bytes(of: Rank(r)).1 >= Self.minimumLength { keys += 1 }
        storage = Slab(count: tableSize(forKeys: keys, maxLoad: 0.5), repeating: Slot(tag: 0, rank: .max, offset: 0, length: 0))
        slots = storage.base
        mask = storage.count - 1
        for r in 0..<count {
            let start = v.offsets[r], n = Int(v.offsets[r + 1] - start)
            guard n >= Self.minimumLength else { continue }
            let h = hashBytes(v.arena + Int(start), n)
            var i = Int(truncatingIfNeeded: h) & mask
            while slots[i].rank != .max { i = (i + 1) & mask }
            slots[i] = Slot(tag: UInt32(truncatingIfNeeded: h >> 32), rank: Rank(r), offset: start, length: UInt32(n))
        }
    }

    /// A table over slots built earlier (read from a cache file).
    init(storage: Slab<Slot>) {
        self.storage = storage
        slots = storage.base
        mask = storage.count - 1
    }

    /// The rank of the token `p[0..<n]` (n ≥ ``minimumLength``), whose ``hashBytes(_:_:)``
    /// is `hash`, or `nil`; `arena` is the vocabulary's.
    @inline(__always)
    func find(_ p: UnsafePointer<UInt8>, count n: Int, hash: UInt64, arena: UnsafeMutablePointer<UInt8>) -> Rank? {
        var i = Int(truncatingIfNeeded: hash) & mask
        let tag = UInt32(truncatingIfNeeded: hash >> 32), length = UInt32(truncatingIfNeeded: n)
        while true {
            let s = slots[i]
            if s.rank == .max { return nil }
            if s.tag == tag && s.length == length && bytesEqual(p, arena + Int(s.offset), n) { return s.rank }
            i = (i &+ 1) & mask
        }
    }
}
