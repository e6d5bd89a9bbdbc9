/// Open-addressing table of pair statistics, as parallel raw arrays (count, list head, …).
final class PairStatsTable {
    private(set) var keys: UnsafeMutablePointer<UInt64>
    private(set) var count: UnsafeMutablePointer<Int64>
    private(set) var head: UnsafeMutablePointer<UInt32>
    private(set) var lastWord: UnsafeMutablePointer<UInt32>
    /// The merge rank at which this pair was last pushed on the heap (dedupes pushes).
    private(set) var queuedAt: UnsafeMutablePointer<Rank>
    private var mask: Int
    private var used = 0
    private static let empty = UInt64.max

    init(size requested: Int = 1 << 16) {
        var size = 16
        while size < requested { size <<= 1 }
        (keys, count, head, lastWord, queuedAt) = Self.allocate(size)
        mask = size - 1
    }

    deinit { Self.free((keys, count, head, lastWord, queuedAt)) }

    private static func allocate(_ size: Int) -> (UnsafeMutablePointer<UInt64>, UnsafeMutablePointer<Int64>,
                                                  UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt32>,
                                                  UnsafeMutablePointer<Rank>) {
        let k = UnsafeMutablePointer<UInt64>.allocate(capacity: size); k.initialize(repeating: empty, count: size)
        let c = UnsafeMutablePointer<Int64>.allocate(capacity: size); c.initialize(repeating: 0, count: size)
        let h = UnsafeMutablePointer<UInt32>.allocate(capacity: size); h.initialize(repeating: .max, count: size)
        let l = UnsafeMutablePointer<UInt32>.allocate(capacity: size); l.initialize(repeating: .max, count: size)
        let q = UnsafeMutablePointer<Rank>.allocate(capacity: size); q.initialize(repeating: .max, count: size)
        return (k, c, h, l, q)
    }

    private static func free(_ t: (UnsafeMutablePointer<UInt64>, UnsafeMutablePointer<Int64>,
                                   UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt32>,
                                   UnsafeMutablePointer<Rank>)) {
        t.0.deallocate(); t.1.deallocate(); t.2.deallocate(); t.3.deallocate(); t.4.deallocate()
    }

    @inline(__always)
    private func hash(_ key: UInt64) -> Int {
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 31
        return Int(truncatingIfNeeded: h) & mask
    }

    @inline(__always)
    func find(_ key: UInt64) -> Int? {
        var i = hash(key)
        while true {
            let k = keys[i]
            if k == key { return i }
            if k == Self.empty { return nil }
            i = (i + 1) & mask
        }
    }

    /// The slot of `key`, inserting it (count 0, empty list) if absent.
    @inline(__always)
    func slot(for key: UInt64) -> Int {
        var i = hash(key)
        while true {
            let k = keys[i]
            if k == key { return i }
            if k == Self.empty { break }
            i = (i + 1) & mask
        }
        if (used + 1) * 2 > mask + 1 {
            grow()
            return slot(for: key)
        }
        keys[i] = key
        used += 1
        return i
    }

    func forEachOccupied(_ body: (Int) -> Void) {
        for i in 0...mask where keys[i] != Self.empty { body(i) }
    }

    private func grow() {
        let old = (keys, count, head, lastWord, queuedAt)
        let oldSize = mask + 1
        let size = oldSize * 2
        (keys, count, head, lastWord, queuedAt) = Self.allocate(size)
        mask = size - 1
        for j in 0..<oldSize where old.0[j] != Self.empty {
            var i = hash(old.0[j])
            while keys[i] != Self.empty { i = (i + 1) & mask }
            keys[i] = old.0[j]; count[i] = old.1[j]; head[i] = old.2[j]
            lastWord[i] = old.3[j]; queuedAt[i] = old.4[j]
        }
        Self.free(old)
    }
}
