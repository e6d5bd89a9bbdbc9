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
/// let t = MergeTrainer(words: [(Array("aaabdaaabac".utf8), 1)])
/// t.train(merges: 3).map(\.pair)   // [(97, 97), (97, 98), (256, 257)]
/// ```
/// - Complexity: O(S + Σ words touched per merge) for S initial symbols; each merge costs
///   time proportional to the occurrences of its pair, plus heap operations.
public final class MergeTrainer {
    /// One merge: `pair.0` and `pair.1` became `rank`, having occurred `count` times.
    public struct Merge: Equatable, Sendable {
        public let pair: (Rank, Rank)
        public let rank: Rank
        public let count: UInt64
        public static func == (a: Merge, b: Merge) -> Bool {
            a.pair == b.pair && a.rank == b.rank && a.count == b.count
        }
    }

    // Words: symbols back to back; a word shrinks in place as merges apply. Raw storage,
    // because the merge loop is the hot path and Swift arrays in a class pay uniqueness and
    // exclusivity checks on every write.
    private let symbols: UnsafeMutablePointer<Rank>
    private let wordStart: UnsafeMutablePointer<Int>
    private let wordLength: UnsafeMutablePointer<Int32>
    private let wordCount: UnsafeMutablePointer<UInt64>
    private let wordTotal: Int

    private let pairs: PairStatsTable
    /// Occurrence lists: `word` payload and `next` link; heads live in the pair table.
    private var occurrences = GrowableBuffer<(word: UInt32, next: UInt32)>()
    private var heap = PairHeap()
    private var nextRank: Rank = 256

    /// - Parameter words: distinct chunks and how often each occurs. Chunks of one byte are
    ///   dropped (they have no pairs).
    public convenience init(words: [(chunk: [UInt8], count: UInt64)]) {
        self.init(words: words, pairTableSize: 1 << 16)
    }

    /// `pairTableSize` is the initial size of the pair table; tests make it tiny so it grows.
    init(words: [(chunk: [UInt8], count: UInt64)], pairTableSize: Int) {
        let kept = words.filter { $0.chunk.count > 1 && $0.count > 0 }
        let total = kept.reduce(0) { $0 + $1.chunk.count }
        symbols = .allocate(capacity: max(total, 1))
        wordStart = .allocate(capacity: max(kept.count, 1))
        wordLength = .allocate(capacity: max(kept.count, 1))
        wordCount = .allocate(capacity: max(kept.count, 1))
        wordTotal = kept.count
        pairs = PairStatsTable(size: pairTableSize)
        var at = 0
        for (w, (chunk, count)) in kept.enumerated() {
            wordStart[w] = at
            wordLength[w] = Int32(chunk.count)
            wordCount[w] = count
            for b in chunk { symbols[at] = Rank(b); at += 1 }
        }
        countInitialPairs()
    }

    deinit {
        symbols.deallocate(); wordStart.deallocate(); wordLength.deallocate(); wordCount.deallocate()
        occurrences.deallocate()
    }

    private func countInitialPairs() {
        for w in 0..<wordTotal {
            let start = wordStart[w], end = start + Int(wordLength[w])
            for i in start..<(end - 1) {
                let slot = pairs.slot(for: key(symbols[i], symbols[i + 1]))
                pairs.count[slot] &+= Int64(wordCount[w])
                addOccurrence(slot, word: UInt32(w))
            }
        }
        pairs.forEachOccupied { slot in
            if pairs.count[slot] > 0 { heap.push(count: pairs.count[slot], pair: pairs.keys[slot]) }
        }
    }

    @inline(__always)
    private func key(_ a: Rank, _ b: Rank) -> UInt64 { UInt64(a) << 32 | UInt64(b) }

    /// Records that the pair in `slot` occurs in word `w` (once per word).
    @inline(__always)
    private func addOccurrence(_ slot: Int, word w: UInt32) {
        if pairs.lastWord[slot] == w { return }
        pairs.lastWord[slot] = w
        occurrences.append((word: w, next: pairs.head[slot]))
        pairs.head[slot] = UInt32(occurrences.count - 1)
    }

    /// Runs up to `merges` merges, stopping early when no pair occurs at least
    /// `minFrequency` times (or at all). `onMerge` sees each merge as it is made.
    /// - Returns: the merges, in rank order from 256.
    public func train(merges: Int, minFrequency: UInt64 = 1,
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
    private func apply(_ merge: Merge, slot: Int) {
        let (a, b) = merge.pair
        let new = merge.rank
        // Pairs whose count went up, to requeue. Keys, not slots: a later insertion may grow
        // the table and move every slot.
        var touched: [UInt64] = []
        var o = pairs.head[slot]
        pairs.head[slot] = .max
        let symbols = self.symbols
        while o != .max {
            let w = Int(occurrences[Int(o)].word)
            o = occurrences[Int(o)].next
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
                        let k = key(x, new)
                        addOccurrence(bump(k, by: n), word: UInt32(w))
                        touched.append(k)
                    }
                    bump(key(a, b), by: -n)
                    if r + 2 < end {
                        let y = symbols[r + 2]
                        bump(key(b, y), by: -n)
                        let k = key(new, y)
                        addOccurrence(bump(k, by: n), word: UInt32(w))
                        touched.append(k)
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
    private func bump(_ key: UInt64, by delta: Int64) -> Int {
        let s = pairs.slot(for: key)
        pairs.count[s] &+= delta
        return s
    }
}

/// A growable array on raw storage (no copy-on-write checks); the owner deallocates it.
struct GrowableBuffer<T> {
    private(set) var base = UnsafeMutablePointer<T>.allocate(capacity: 1024)
    private var capacity = 1024
    private(set) var count = 0

    @inline(__always)
    mutating func append(_ x: T) {
        if count == capacity {
            let bigger = UnsafeMutablePointer<T>.allocate(capacity: capacity * 2)
            bigger.moveInitialize(from: base, count: count)
            base.deallocate()
            base = bigger
            capacity *= 2
        }
        (base + count).initialize(to: x)
        count += 1
    }

    @inline(__always)
    subscript(i: Int) -> T { base[i] }

    func deallocate() { base.deallocate() }
}

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
