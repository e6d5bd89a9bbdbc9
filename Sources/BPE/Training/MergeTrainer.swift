/// The merge phase of byte-level BPE training: unique words with counts in, merges out.
///
/// The algorithm of the fast trainers (rustbpe, HF `tokenizers`), not a recount per merge:
/// - every distinct chunk ("word") is a sequence of token ids, starting as its bytes;
/// - a table holds, for each adjacent pair, its total count (64-bit: word count × occurrences)
///   and the list of words it occurs in;
/// - a heap (``MinHeap`` of ``QueuedPair``) orders pairs by count, ties to the smaller pair (left id, then right id), the
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
    /// (The two are copied into locals for each merge and stored back after: stored
    /// properties of a class pay a dynamic exclusivity check on every access, which was 15 %
    /// of the instructions of training at vocabulary 32,768.)
    private var occurrences = GrowableBuffer<(word: UInt32, next: UInt32)>()
    /// Entries of lists already consumed (a merged pair's), linked through `next`, reused
    /// before the buffer grows: without this the buffer only grows, to 17 million entries
    /// for 381,000 distinct chunks at vocabulary 32,768, most of them dead.
    private var freeOccurrence: UInt32 = .max
    /// Pairs by count, most frequent first (see ``QueuedPair``).
    private var heap = MinHeap<QueuedPair>(capacity: 1 << 10)
    private var nextRank: Rank = 256

    /// - Parameter words: distinct chunks and how often each occurs. Chunks of one byte are
    ///   dropped (they have no pairs).
    public convenience init(words: [(chunk: [UInt8], count: UInt64)]) {
        self.init(words: words, pairTableSize: 1 << 16)
    }

    /// `pairTableSize` is the initial size of the pair table; tests make it tiny so it grows.
    convenience init(words: [(chunk: [UInt8], count: UInt64)], pairTableSize: Int) {
        self.init(pairTableSize: pairTableSize) { body in
            for (chunk, count) in words { chunk.withUnsafeBufferPointer { body($0.baseAddress!, $0.count, count) } }
        }
    }

    /// The distinct chunks of `counts`, in its sorted order, read in place (no array per
    /// chunk: 381,000 of them were 34 MB at vocabulary 32,768 on the benchmark corpus).
    public convenience init(counts: ChunkCounter) {
        self.init(pairTableSize: 1 << 16) { body in counts.forEachSorted(body) }
    }

    /// Words from `forEachWord`, which is called twice (to size the storage, then to fill it)
    /// and must give the same words in the same order both times.
    private init(pairTableSize: Int, _ forEachWord: ((UnsafePointer<UInt8>, Int, UInt64) -> Void) -> Void) {
        var kept = 0, total = 0
        forEachWord { _, n, count in
            if n > 1 && count > 0 { kept += 1; total += n }
        }
        symbols = .allocate(capacity: max(total, 1))
        wordStart = .allocate(capacity: max(kept, 1))
        wordLength = .allocate(capacity: max(kept, 1))
        wordCount = .allocate(capacity: max(kept, 1))
        wordTotal = kept
        pairs = PairStatsTable(size: pairTableSize)
        var at = 0, w = 0
        let (symbols, wordStart, wordLength, wordCount) = (self.symbols, self.wordStart, self.wordLength, self.wordCount)
        forEachWord { p, n, count in
            guard n > 1 && count > 0 else { return }
            wordStart[w] = at
            wordLength[w] = Int32(n)
            wordCount[w] = count
            for i in 0..<n { symbols[at + i] = Rank(p[i]) }
            at += n
            w += 1
        }
        countInitialPairs()
    }

    deinit {
        symbols.deallocate(); wordStart.deallocate(); wordLength.deallocate(); wordCount.deallocate()
        occurrences.deallocate()
        heap.deallocate()
    }

    private func countInitialPairs() {
        var entries = occurrences, free = freeOccurrence
        defer { occurrences = entries; freeOccurrence = free }
        for w in 0..<wordTotal {
            let start = wordStart[w], end = start + Int(wordLength[w])
            for i in start..<(end - 1) {
                let slot = pairs.slot(for: key(symbols[i], symbols[i + 1]))
                pairs.count[slot] &+= Int64(wordCount[w])
                addOccurrence(slot, word: UInt32(w), &entries, &free)
            }
        }
        pairs.forEachOccupied { slot in
            if pairs.count[slot] > 0 { heap.push(QueuedPair(count: pairs.count[slot], pair: pairs.keys[slot])) }
        }
    }

    @inline(__always)
    private func key(_ a: Rank, _ b: Rank) -> UInt64 { UInt64(a) << 32 | UInt64(b) }

    /// Records that the pair in `slot` occurs in word `w` (once per word), in `entries`
    /// (taking a free entry first).
    @inline(__always)
    private func addOccurrence(_ slot: Int, word w: UInt32,
                               _ entries: inout GrowableBuffer<(word: UInt32, next: UInt32)>, _ free: inout UInt32) {
        if pairs.lastWord[slot] == w { return }
        pairs.lastWord[slot] = w
        if free != .max {
            let o = free
            free = entries[Int(o)].next
            entries[Int(o)] = (word: w, next: pairs.head[slot])
            pairs.head[slot] = o
            return
        }
        entries.append((word: w, next: pairs.head[slot]))
        pairs.head[slot] = UInt32(entries.count - 1)
    }

    /// Runs up to `merges` merges, stopping early when no pair occurs at least
    /// `minFrequency` times (or at all). `onMerge` sees each merge as it is made.
    /// - Returns: the merges, in rank order from 256.
    public func train(merges: Int, minFrequency: UInt64 = 1,
                      onMerge: (Merge) -> Void = { _ in }) -> [Merge] {
        var out: [Merge] = []
        out.reserveCapacity(max(0, merges))
        while out.count < merges, let top = heap.pop() {
            guard let slot = pairs.find(top.pair) else { continue }
            let current = pairs.count[slot]
            if current != top.count {
                // Stale: the pair lost occurrences since it was queued. Requeue its true count.
                if current > 0 { heap.push(QueuedPair(count: current, pair: top.pair)) }
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
        var entries = occurrences, free = freeOccurrence
        defer { occurrences = entries; freeOccurrence = free }
        while o != .max {
            let w = Int(entries[Int(o)].word)
            let next = entries[Int(o)].next
            // This list is consumed: its entry is free for the occurrences this merge adds.
            entries[Int(o)].next = free
            free = o
            o = next
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
                        addOccurrence(bump(k, by: n), word: UInt32(w), &entries, &free)
                        touched.append(k)
                    }
                    bump(key(a, b), by: -n)
                    if r + 2 < end {
                        let y = symbols[r + 2]
                        bump(key(b, y), by: -n)
                        let k = key(new, y)
                        addOccurrence(bump(k, by: n), word: UInt32(w), &entries, &free)
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
            heap.push(QueuedPair(count: pairs.count[s], pair: k))
        }
    }

    @discardableResult @inline(__always)
    private func bump(_ key: UInt64, by delta: Int64) -> Int {
        let s = pairs.slot(for: key)
        pairs.count[s] &+= delta
        return s
    }
}

extension MergeTrainer {
    /// A pair in the trainer's queue, ordered for ``MinHeap``: "smaller" is what pops first,
    /// the higher count, ties to the smaller pair (left id, then right id), the rule of
    /// rustbpe and HF `tokenizers`.
    struct QueuedPair: Comparable, BitwiseCopyable {
        /// The pair's count when it was queued (it may be stale by the time it pops).
        let count: Int64
        /// `left << 32 | right`.
        let pair: UInt64

        static func < (a: QueuedPair, b: QueuedPair) -> Bool {
            a.count > b.count || (a.count == b.count && a.pair < b.pair)
        }
    }
}
