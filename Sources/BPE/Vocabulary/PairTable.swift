/// Open-addressing hash table from a pair of ranks to the merge they make: its priority and
/// the rank of the merged token.
///
/// This is what makes merging cheap: tiktoken hashes the *bytes* of each candidate pair on
/// every step; we hash one 64-bit integer. The two are equivalent because, for tiktoken's
/// rule, the table holds every split of every token into two tokens, with the token's rank as
/// the priority (see ``Vocabulary``). For a merge list (Hugging Face), it holds the list's
/// pairs, each with its position as the priority.
///
/// A merge is one `UInt64`, `priority << 32 | merged`, so comparing merges compares
/// priorities; `UInt64.max` means "no merge".
///
/// Sized once for the pairs it will hold (load factor at most 1/2): the vocabulary counts
/// them first, since the table is the largest a vocabulary has and its size is cache misses.
/// - Complexity: `find` and `insert` are O(1) expected.
final class PairTable: @unchecked Sendable {
    /// Key and value side by side: a lookup that hits touches one cache line, not two.
    /// (The table is tens of MB, so nearly every lookup is a cache miss.)
    struct Slot {
        var key: UInt64
        var value: UInt64
    }
    let storage: Slab<Slot>
    private let slots: UnsafeMutablePointer<Slot>
    private let mask: Int
    /// Pairs held.
    private(set) var count = 0
    private static let empty = UInt64.max

    /// Room for `capacity` pairs; inserting more is a programming error.
    init(capacity: Int) {
        storage = Slab(count: tableSize(forKeys: capacity, maxLoad: 0.5), repeating: Slot(key: Self.empty, value: .max))
        slots = storage.base
        mask = storage.count - 1
    }

    /// A table over slots built earlier (read from a cache file) holding `count` pairs.
    init(storage: Slab<Slot>, count: Int) {
        self.storage = storage
        slots = storage.base
        mask = storage.count - 1
        self.count = count
    }

    /// The packed merge of `priority` and `merged`.
    @inline(__always)
    static func merge(priority: UInt32, merged: Rank) -> UInt64 { UInt64(priority) << 32 | UInt64(merged) }

    @inline(__always)
    static func slot(_ key: UInt64, _ mask: Int) -> Int {
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 32
        return Int(truncatingIfNeeded: h) & mask
    }

    /// Records that `left`, `right` merge into `merged` with `priority`; a pair recorded
    /// again takes the new merge (as Hugging Face's merge map does for a repeated pair).
    func insert(left: Rank, right: Rank, merged: Rank, priority: UInt32) {
        precondition((count + 1) * 2 <= mask + 1, "PairTable sized for fewer pairs")
        let key = UInt64(left) << 32 | UInt64(right)
        let value = Self.merge(priority: priority, merged: merged)
        var i = Self.slot(key, mask)
        while slots[i].key != Self.empty {
            if slots[i].key == key { slots[i].value = value; return }
            i = (i + 1) & mask
        }
        slots[i] = Slot(key: key, value: value)
        count += 1
    }

    /// The packed merge (`priority << 32 | merged`), or `UInt64.max` when `left` and `right`
    /// do not merge.
    @inline(__always)
    func find(left: Rank, right: Rank) -> UInt64 {
        let key = UInt64(left) << 32 | UInt64(right)
        var i = Self.slot(key, mask)
        while true {
            let k = slots[i].key
            if k == key { return slots[i].value }
            if k == Self.empty { return .max }
            i = (i + 1) & mask
        }
    }
}
