/// The merge of every pair of single bytes, by the two bytes: what ``PairTable/find(left:right:)``
/// answers for `(byteRanks[x], byteRanks[y])`, in one load from a 512 KiB array instead of a
/// hashed probe of the pair table's megabytes.
///
/// A merge starts from single bytes, so its first `n - 1` pair lookups for an n-byte piece
/// are all byte pairs, and text uses few of the 65,536: the pairs of ASCII letters and
/// spaces, or of a script's lead and continuation bytes, share a few hundred cache lines that
/// stay near the core, where the pair table's slots for them are scattered over its whole
/// size.
///
/// Exact by construction: two single-byte tokens merge, under either merge rule, only into
/// the token of their two bytes, so the table holds "no merge" for every byte pair that is
/// not a two-byte token. Under tiktoken's rule the pair of a two-byte token `r` merges into
/// `r` with priority `r` (a vocabulary has no duplicate tokens), which the table writes
/// without probing the pair table: at load its slots are cold, and probing them for o200k's
/// two-byte tokens took a millisecond. A merge list's table asks the pair table.
/// `BytePairTableTests` compares it with the pair table on all 65,536 pairs.
///
/// ```swift
/// let v = try Encoding.builtin("cl100k_base").vocabulary
/// v.bytePairs.find(UInt8(ascii: "a"), UInt8(ascii: "b"))
/// // the same as v.pairs.find(left: v.byteRanks[0x61], right: v.byteRanks[0x62]): token "ab"
/// ```
/// - Complexity: `find` is O(1), one load; building reads every token's length once and
///   asks the pair table once per two-byte token.
struct BytePairTable {
    let storage: Slab<UInt64>
    private let merges: UnsafeMutablePointer<UInt64>

    init(count: Int, offsets: UnsafePointer<UInt32>, arena: UnsafePointer<UInt8>, byteRanks: UnsafePointer<Rank>,
         pairs: PairTable, tiktokenRule: Bool) {
        storage = Slab(count: 1 << 16, repeating: .max)
        merges = storage.base
        var start = Int(offsets[0])
        for r in 0..<count {
            let end = Int(offsets[r + 1])
            defer { start = end }
            guard end - start == 2 else { continue }
            let x = arena[start], y = arena[start + 1]
            merges[Int(x) << 8 | Int(y)] = tiktokenRule
                ? PairTable.merge(priority: UInt32(r), merged: Rank(r))
                : pairs.find(left: byteRanks[Int(x)], right: byteRanks[Int(y)])
        }
    }

    /// The packed merge (``PairTable/merge(priority:merged:)``) of the single-byte tokens of
    /// `x` and `y`, or `UInt64.max` when they do not merge.
    @inline(__always)
    func find(_ x: UInt8, _ y: UInt8) -> UInt64 { merges[Int(x) &<< 8 | Int(y)] }
}
