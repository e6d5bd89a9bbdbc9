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
///
/// Two layouts, chosen when the table is made:
/// - **compact**, one `UInt64` a slot, `left | right << 21 | merged << 42`: for tiktoken's
///   rule (the priority is the merged rank itself) with fewer than 2^21 - 1 tokens. This is
///   every built-in encoding; o200k_base's 446,189 pairs take 8 MiB instead of 16.
/// - **wide**, two words a slot, the key `left << 32 | right` and the packed merge: for a
///   merge list (the priority is a position in the list) or a larger vocabulary.
///
/// An empty slot is all ones in both; a compact key never is, since no rank is 2^21 - 1.
///
/// Beside the slots, a filter (a blocked Bloom filter: two bits of one word per pair, a word
/// per 16 slots, 512 KiB for o200k_base) answers "certainly not a pair" without touching the
/// slots. The table is 8 MiB, four times an L2 cache, and the backtracking encoder asks it
/// mostly about pairs that are not there (61 % of its probes on random letters, 99 % on CJK
/// text), each a cache miss, as does the scan merge about the pairs a merge makes new;
/// ``findLikelyAbsent(left:right:)`` asks the filter first. A pair that is there always
/// passes the filter, so the answers are the same as ``find``'s. (`bpe-bench`, o200k,
/// paired: 0.63× the time on 1 MB of random letters, 0.93× on 1 MB of CJK text.)
/// - Complexity: `find` and `insert` are O(1) expected.
final class PairTable: @unchecked Sendable {
    /// The slots: one word each (compact) or two, key then merge, side by side so that a
    /// lookup that hits touches one cache line, not two.
    let storage: Slab<UInt64>
    /// Whether the slots are one word each.
    let compact: Bool
    private let words: UnsafeMutablePointer<UInt64>
    /// Slot count - 1.
    private let mask: Int
    /// Pairs held.
    private(set) var count = 0
    private static let empty = UInt64.max
    /// The bits of a compact slot that hold the key.
    private static let keyBits: UInt64 = (1 << 42) - 1
    /// The filter's words (a power of two, ``filterWordCount(slots:)``).
    let filter: Slab<UInt64>
    private let filterBits: UnsafeMutablePointer<UInt64>
    /// 64 - log2(filter word count): the hash's top bits pick the word.
    private let filterShift: UInt64

    /// Whether a vocabulary of `tokens` tokens merging by tiktoken's rule (or not) gets the
    /// compact layout.
    static func fitsCompact(tokens: Int, tiktokenRule: Bool) -> Bool { tiktokenRule && tokens < (1 << 21) - 1 }

    /// Room for `capacity` pairs; inserting more is a programming error.
    init(capacity: Int, compact: Bool) {
        let slots = tableSize(forKeys: capacity, maxLoad: 0.5)
        storage = Slab(count: compact ? slots : 2 * slots, repeating: Self.empty)
        self.compact = compact
        words = storage.base
        mask = slots - 1
        filter = Slab(count: Self.filterWordCount(slots: slots), repeating: 0)
        filterBits = filter.base
        filterShift = UInt64(64 - filter.count.trailingZeroBitCount)
    }

    /// A table over slots built earlier (read from a cache file) holding `count` pairs:
    /// `storage.count` must be a power of two (of at least 2 words when wide), and `filter`
    /// the filter built with them, of ``filterWordCount(slots:)`` words.
    init(storage: Slab<UInt64>, compact: Bool, count: Int, filter: Slab<UInt64>) {
        self.storage = storage
        self.compact = compact
        words = storage.base
        mask = Self.slotCount(words: storage.count, compact: compact) - 1
        self.count = count
        precondition(filter.count == Self.filterWordCount(slots: mask + 1), "PairTable filter of the wrong size")
        self.filter = filter
        filterBits = filter.base
        filterShift = UInt64(64 - filter.count.trailingZeroBitCount)
    }

    /// The number of slots in `words` words of storage: one word a slot when compact, two
    /// when wide.
    static func slotCount(words: Int, compact: Bool) -> Int { compact ? words : words / 2 }

    /// The filter's size in words for a table of `slots` slots: one word per 16 slots (about
    /// 9 bits a pair at the load factor of 1/2, so about one pair in 20 that is not there
    /// passes), at least 64.
    static func filterWordCount(slots: Int) -> Int { max(64, slots / 16) }

    /// The filter word and the two bits in it that stand for `left`, `right`: the word from
    /// the hash's top bits, the bits from two fields below them.
    @inline(__always)
    private func filterSpot(_ left: Rank, _ right: Rank) -> (word: Int, bits: UInt64) {
        let h = (UInt64(left) << 32 | UInt64(right)) &* 0xD6E8_FEB8_6659_FD93
        return (Int(truncatingIfNeeded: h >> filterShift), 1 << ((h >> 32) & 63) | 1 << ((h >> 38) & 63))
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
    /// A compact table takes only `priority == merged`, with ranks below 2^21 - 1.
    func insert(left: Rank, right: Rank, merged: Rank, priority: UInt32) {
        precondition((count + 1) * 2 <= mask + 1, "PairTable sized for fewer pairs")
        let spot = filterSpot(left, right)
        filterBits[spot.word] |= spot.bits
        if compact {
            let limit: Rank = (1 << 21) - 1
            precondition(priority == merged && left < limit && right < limit && merged < limit,
                         "a compact PairTable holds tiktoken-rule merges of ranks below 2^21 - 1")
            let key = UInt64(left) | UInt64(right) << 21
            var i = Self.slot(key, mask)
            while words[i] != Self.empty {
                if words[i] & Self.keyBits == key { words[i] = key | UInt64(merged) << 42; return }
                i = (i + 1) & mask
            }
            words[i] = key | UInt64(merged) << 42
        } else {
            let key = UInt64(left) << 32 | UInt64(right)
            let value = Self.merge(priority: priority, merged: merged)
            var i = Self.slot(key, mask)
            while words[2 * i] != Self.empty {
                if words[2 * i] == key { words[2 * i + 1] = value; return }
                i = (i + 1) & mask
            }
            words[2 * i] = key
            words[2 * i + 1] = value
        }
        count += 1
    }

    /// The packed merge (`priority << 32 | merged`), or `UInt64.max` when `left` and `right`
    /// do not merge.
    @inline(__always)
    func find(left: Rank, right: Rank) -> UInt64 {
        if compact {
            let key = UInt64(left) | UInt64(right) << 21
            var i = Self.slot(key, mask)
            while true {
                let w = words[i]
                // The merged rank is also the priority: copy it into both halves.
                if w & Self.keyBits == key { return (w >> 42) &* 0x1_0000_0001 }
                if w == Self.empty { return .max }
                i = (i + 1) & mask
            }
        }
        let key = UInt64(left) << 32 | UInt64(right)
        var i = Self.slot(key, mask)
        while true {
            let k = words[2 * i]
            if k == key { return words[2 * i + 1] }
            if k == Self.empty { return .max }
            i = (i + 1) & mask
        }
    }

    /// ``find(left:right:)``, answering from the filter alone for most pairs that are not
    /// there: for callers whose pairs mostly are not (the backtracking encoder's checks).
    /// - Complexity: O(1); one load from the filter, and a probe of the slots only when the
    ///   pair passes it.
    @inline(__always)
    func findLikelyAbsent(left: Rank, right: Rank) -> UInt64 {
        filterPasses(left: left, right: right) ? find(left: left, right: right) : .max
    }

    /// Whether the filter lets `left`, `right` through: always when the pair is in the
    /// table, and for about one pair in 20 that is not.
    @inline(__always)
    func filterPasses(left: Rank, right: Rank) -> Bool {
        let spot = filterSpot(left, right)
        return filterBits[spot.word] & spot.bits == spot.bits
    }
}
