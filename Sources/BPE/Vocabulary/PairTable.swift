/// Open-addressing hash table from a pair of ranks to the rank of their concatenation.
///
/// This is what makes merging cheap: tiktoken hashes the *bytes* of each candidate pair on
/// every step; we hash one 64-bit integer. The two are equivalent because the table holds
/// every split of every token into two tokens (see ``Vocabulary``).
///
/// Grows by doubling at load factor 1/2, so the caller's capacity is only a hint.
/// - Complexity: `find` and `insert` are O(1) expected.
final class PairTable: @unchecked Sendable {
    private var keys: UnsafeMutablePointer<UInt64>
    private var values: UnsafeMutablePointer<Rank>
    private var mask: Int
    private(set) var count = 0
    private static let empty = UInt64.max

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = .allocate(capacity: size)
        keys.initialize(repeating: Self.empty, count: size)
        values = .allocate(capacity: size)
        values.initialize(repeating: .max, count: size)
        mask = size - 1
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    @inline(__always)
    private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 32
        return Int(truncatingIfNeeded: h) & mask
    }

    func insert(left: Rank, right: Rank, merged: Rank) {
        if (count + 1) * 2 > mask + 1 { grow() }
        let key = UInt64(left) << 32 | UInt64(right)
        var i = Self.slot(key, mask)
        while keys[i] != Self.empty {
            if keys[i] == key { values[i] = merged; return }
            i = (i + 1) & mask
        }
        keys[i] = key
        values[i] = merged
        count += 1
    }

    /// The merged rank, or `Rank.max` when `left` and `right` do not merge.
    @inline(__always)
    func find(left: Rank, right: Rank) -> Rank {
        let key = UInt64(left) << 32 | UInt64(right)
        var i = Self.slot(key, mask)
        while true {
            let k = keys[i]
            if k == key { return values[i] }
            if k == Self.empty { return .max }
            i = (i + 1) & mask
        }
    }

    private func grow() {
        let oldKeys = keys, oldValues = values, oldSize = mask + 1
        let size = oldSize * 2
        keys = .allocate(capacity: size)
        keys.initialize(repeating: Self.empty, count: size)
        values = .allocate(capacity: size)
        values.initialize(repeating: .max, count: size)
        mask = size - 1
        for j in 0..<oldSize where oldKeys[j] != Self.empty {
            var i = Self.slot(oldKeys[j], mask)
            while keys[i] != Self.empty { i = (i + 1) & mask }
            keys[i] = oldKeys[j]
            values[i] = oldValues[j]
        }
        oldKeys.deallocate()
        oldValues.deallocate()
    }
}
