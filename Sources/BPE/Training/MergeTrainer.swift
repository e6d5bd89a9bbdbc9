/// The merge phase of byte-level BPE training: unique words with counts in, merges out.
///
/// The algorithm of the fast trainers (rustbpe, HF `tokenizers`), not a recount per merge:
/// - every distinct chunk ("word") is a sequence of token ids, starting as its bytes;
/// - a table holds, for each adjacent pair, its total count (64-bit: word count × occurrences)
///   and the list of words it occurs in;
/// - a max-heap orders pairs by count, ties to the smaller pair (left id, then right id), the
///   rule rustbpe and HF use; entries are refreshed lazily when popped;
/// - merging a pair rewrites only the words on its list, left to right without overlaps, and
///   updates the counts of the pairs around each replacement.
///
/// The result is exactly what recounting every pair after every merge would give (the tests
/// check this against a naive reference trainer).
///
/// ```swift
/// // "aaabdaaabac" once, vocabulary size 259: merges aa, ab, aaab
/// var t = MergeTrainer(words: [(Array("aaabdaaabac".utf8), 1)])
/// t.train(merges: 3).map(\.pair)   // [(97, 97), (97, 98), (256, 257)]
/// ```
/// - Complexity: O(S + Σ words touched per merge) for S initial symbols; each merge costs
///   time proportional to the occurrences of its pair, plus heap operations.
public struct MergeTrainer {
    /// One merge: `pair.0` and `pair.1` became `rank`, having occurred `count` times.
    public struct Merge: Equatable, Sendable {
        public let pair: (Rank, Rank)
        public let rank: Rank
        public let count: UInt64
        public static func == (a: Merge, b: Merge) -> Bool {
            a.pair == b.pair && a.rank == b.rank && a.count == b.count
        }
    }

    // Words: symbols back to back; a word shrinks in place as merges apply.
    private var symbols: [Rank] = []
    private var wordStart: [Int] = []
    private var wordLength: [Int32] = []
    private var wordCount: [UInt64] = []

    private var pairs = PairStatsTable()
    /// Occurrence lists: `next` links, `word` payload; heads live in the pair table.
    private var occurrenceWord: [UInt32] = []
    private var occurrenceNext: [UInt32] = []
    private var heap = PairHeap()
    private var nextRank: Rank = 256

    /// - Parameter words: distinct chunks and how often each occurs. Chunks of one byte are
    ///   dropped (they have no pairs).
    public init(words: [(chunk: [UInt8], count: UInt64)]) {
        self.init(words: words, pairTableSize: 1 << 16)
    }

    /// `pairTableSize` is the initial size of the pair table; tests make it tiny so it grows.
    init(words: [(chunk: [UInt8], count: UInt64)], pairTableSize: Int) {
        pairs = PairStatsTable(size: pairTableSize)
        for (chunk, count) in words where chunk.count > 1 && count > 0 {
            wordStart.append(symbols.count)
            wordLength.append(Int32(chunk.count))
            wordCount.append(count)
            for b in chunk { symbols.append(Rank(b)) }
        }
        countInitialPairs()
    }

    private mutating func countInitialPairs() {
        for w in 0..<wordStart.count {
            let start = wordStart[w], end = start + Int(wordLength[w])
            for i in start..<(end - 1) {
                let slot = pairs.slot(for: key(symbols[i], symbols[i + 1]))
                pairs.count[slot] &+= Int64(wordCount[w])
                addOccurrence(slot, word: UInt32(w))
            }
        }
        for slot in pairs.occupiedSlots() where pairs.count[slot] > 0 {
            heap.push(count: pairs.count[slot], pair: pairs.keys[slot])
        }
    }

    @inline(__always)
    private func key(_ a: Rank, _ b: Rank) -> UInt64 { UInt64(a) << 32 | UInt64(b) }

    /// Records that the pair in `slot` occurs in word `w` (once per word).
    @inline(__always)
    private mutating func addOccurrence(_ slot: Int, word w: UInt32) {
        if pairs.lastWord[slot] == w { return }
        pairs.lastWord[slot] = w
        occurrenceWord.append(w)
        occurrenceNext.append(pairs.head[slot])
        pairs.head[slot] = UInt32(occurrenceWord.count - 1)
    }

    /// Runs up to `merges` merges, stopping early when no pair occurs at least
    /// `minFrequency` times (or at all). `onMerge` sees each merge as it is made.
    /// - Returns: the merges, in rank order from 256.
    public mutating func train(merges: Int, minFrequency: UInt64 = 1,
                               onMerge: (Merge) -> Void = { _ in }) -> [Merge] {
        var out: [Merge] = []
        out.reserveCapacity(max(0, merges))
        while out.count < merges, let top = heap.popMax() {
            guard let slot = pairs.find(top.pair) else { continue }
            let current = pairs.count[slot]
            if current != top.count {
                // Stale: the pair lost occurrences since it was queued. Requeue its true count.
                if current > 0 { heap.push(count: current, pair: top.pair) }
                continue
            }
            guard current > 0, UInt64(current) >= minFrequency else { break }
            let merge = Merge(pair: (Rank(top.pair >> 32), Rank(truncatingIfNeeded: top.pair)),
                              rank: nextRank, count: UInt64(current))
            apply(merge, slot: slot)
            nextRank += 1
            out.append(merge)
            onMerge(merge)
        }
        return out
    }

    /// Rewrites every word that holds the pair and updates the counts around each change.
    private mutating func apply(_ merge: Merge, slot: Int) {
        let (a, b) = merge.pair
        let new = merge.rank
        // Pairs whose count went up, to requeue. Keys, not slots: a later insertion may grow
        // the table and move every slot.
        var touched: [UInt64] = []
        var o = pairs.head[slot]
        pairs.head[slot] = .max
        while o != .max {
            let w = Int(occurrenceWord[Int(o)])
            o = occurrenceNext[Int(o)]
            let n = Int64(wordCount[w])
            let start = wordStart[w], end = start + Int(wordLength[w])
            var r = start, out = start
            var changed = false
            while r < end {
                if r + 1 < end && symbols[r] == a && symbols[r + 1] == b {
                    changed = true
                    if out > start {
                        let x = symbols[out - 1]
                        bump(key(x, a), by: -n)
                        let s = bump(key(x, new), by: n)
                        addOccurrence(s, word: UInt32(w)); touched.append(key(x, new))
                    }
                    bump(key(a, b), by: -n)
                    if r + 2 < end {
                        let y = symbols[r + 2]
                        bump(key(b, y), by: -n)
                        let s = bump(key(new, y), by: n)
                        addOccurrence(s, word: UInt32(w)); touched.append(key(new, y))
                    }
                    symbols[out] = new
                    out += 1
                    r += 2
                } else {
                    symbols[out] = symbols[r]
                    out += 1
                    r += 1
                }
            }
            if changed { wordLength[w] = Int32(out - start) }
        }
        for k in touched {
            guard let s = pairs.find(k), pairs.count[s] > 0, pairs.queuedAt[s] != new else { continue }
            pairs.queuedAt[s] = new
            heap.push(count: pairs.count[s], pair: k)
        }
    }

    @discardableResult @inline(__always)
    private mutating func bump(_ key: UInt64, by delta: Int64) -> Int {
        let s = pairs.slot(for: key)
        pairs.count[s] &+= delta
        return s
    }
}

/// Open-addressing table of pair statistics, as parallel arrays (count, list head, …).
struct PairStatsTable {
    private(set) var keys: [UInt64]
    var count: [Int64]
    var head: [UInt32]
    var lastWord: [UInt32]
    /// The merge rank at which this pair was last pushed on the heap (dedupes pushes).
    var queuedAt: [Rank]
    private var mask: Int
    private var used = 0
    private static let empty = UInt64.max

    init(size: Int = 1 << 16) {
        keys = Array(repeating: Self.empty, count: size)
        count = Array(repeating: 0, count: size)
        head = Array(repeating: .max, count: size)
        lastWord = Array(repeating: .max, count: size)
        queuedAt = Array(repeating: .max, count: size)
        mask = size - 1
    }

    @inline(__always)
    private func hash(_ key: UInt64) -> Int {
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 31
        return Int(truncatingIfNeeded: h) & mask
    }

    func find(_ key: UInt64) -> Int? {
        var i = hash(key)
        while true {
            if keys[i] == key { return i }
            if keys[i] == Self.empty { return nil }
            i = (i + 1) & mask
        }
    }

    /// The slot of `key`, inserting it (count 0, empty list) if absent.
    mutating func slot(for key: UInt64) -> Int {
        var i = hash(key)
        while true {
            if keys[i] == key { return i }
            if keys[i] == Self.empty { break }
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

    func occupiedSlots() -> [Int] { keys.indices.filter { keys[$0] != Self.empty } }

    private mutating func grow() {
        let old = (keys, count, head, lastWord, queuedAt)
        let size = (mask + 1) * 2
        keys = Array(repeating: Self.empty, count: size)
        count = Array(repeating: 0, count: size)
        head = Array(repeating: .max, count: size)
        lastWord = Array(repeating: .max, count: size)
        queuedAt = Array(repeating: .max, count: size)
        mask = size - 1
        for j in old.0.indices where old.0[j] != Self.empty {
            var i = hash(old.0[j])
            while keys[i] != Self.empty { i = (i + 1) & mask }
            keys[i] = old.0[j]; count[i] = old.1[j]; head[i] = old.2[j]
            lastWord[i] = old.3[j]; queuedAt[i] = old.4[j]
        }
    }
}

/// Max-heap of (count, pair): highest count first, ties to the smaller pair.
struct PairHeap {
    private var counts: [Int64] = []
    private var pairs: [UInt64] = []

    @inline(__always)
    private func above(_ i: Int, _ j: Int) -> Bool {
        counts[i] > counts[j] || (counts[i] == counts[j] && pairs[i] < pairs[j])
    }

    mutating func push(count: Int64, pair: UInt64) {
        counts.append(count)
        pairs.append(pair)
        var i = counts.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard above(i, p) else { break }
            counts.swapAt(i, p); pairs.swapAt(i, p)
            i = p
        }
    }

    mutating func popMax() -> (count: Int64, pair: UInt64)? {
        guard !counts.isEmpty else { return nil }
        let top = (counts[0], pairs[0])
        let last = counts.count - 1
        counts.swapAt(0, last); pairs.swapAt(0, last)
        counts.removeLast(); pairs.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var best = i
            if l < counts.count && above(l, best) { best = l }
            if r < counts.count && above(r, best) { best = r }
            if best == i { break }
            counts.swapAt(i, best); pairs.swapAt(i, best)
            i = best
        }
        return top
    }
}
