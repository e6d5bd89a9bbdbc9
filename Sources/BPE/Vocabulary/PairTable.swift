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
/// Grows by doubling at load factor 1/2, so the caller's capacity is only a hint.
/// - Complexity: `find` and `insert` are O(1) expected.
final class PairTable: @unchecked Sendable {
    /// Key and value side by side: a lookup that hits touches one cache line, not two.
    /// (The table is tens of MB, so nearly every lookup is a cache miss.)
    struct Slot {
        var key: UInt64
        var value: UInt64
    }
    private var slots: UnsafeMutablePointer<Slot>
    private var mask: Int
    private(set) var count = 0
    private static let empty = UInt64.max

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = .allocate(capacity: size)
        slots.initialize(repeating: Slot(key: Self.empty, value: .max), count: size)
        mask = size - 1
    }

    /// The packed merge of `priority` and `merged`.
    @inline(__always)
    static func merge(priority: UInt32, merged: Rank) -> UInt64 { UInt64(priority) << 32 | UInt64(merged) }

    deinit { slots.deallocate() }

    @inline(__always)
    private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 32
        return Int(truncatingIfNeeded: h) & mask
    }

    /// Records that `left`, `right` merge into `merged` with `priority`; a pair recorded
    /// again takes the new merge (as Hugging Face's merge map does for a repeated pair).
    func insert(left: Rank, right: Rank, merged: Rank, priority: UInt32) {
        if (count + 1) * 2 > mask + 1 { grow() }
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

    private func grow() {
        let old = slots, oldSize = mask + 1
        let size = oldSize * 2
        slots = .allocate(capacity: size)
        slots.initialize(repeating: Slot(key: Self.empty, value: .max), count: size)
        mask = size - 1
        for j in 0..<oldSize where old[j].key != Self.empty {
            var i = Self.slot(old[j].key, mask)
            while slots[i].key != Self.empty { i = (i + 1) & mask }
            slots[i] = old[j]
        }
        old.deallocate()
    }
}
