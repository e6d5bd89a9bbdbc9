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
    /// The 65,536 packed merges, by `x << 8 | y` (hoisted by ``HotTables``).
    let merges: UnsafeMutablePointer<UInt64>

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

    /// Encodes the two-byte piece `p[0..<2]` into `sink` from `merges` alone: the token of
    /// both bytes where they merge, else the two bytes' tokens. That is what the merge gives
    /// (nothing is left to merge after the one pair), and, under tiktoken's rule, what the
    /// piece's own lookup gives too (the pair merges exactly when the two bytes are a token),
    /// so it stands for both where ``Vocabulary/twoBytePiecesByPairs`` says so. One load from
    /// the few lines of the table that text uses, where the short-token table's slot for the
    /// piece is one of its megabytes.
    /// - Complexity: O(1).
    @inline(__always)
    static func encodePiece<S: TokenSink>(_ p: UnsafePointer<UInt8>, merges: UnsafeMutablePointer<UInt64>,
                                          byteRanks: UnsafeMutablePointer<Rank>, into sink: inout S) {
        let m = merges[Int(p[0]) &<< 8 | Int(p[1])]
        if m != .max {
            sink.append(Rank(truncatingIfNeeded: m))
        } else {
            sink.append(byteRanks[Int(p[0])])
            sink.append(byteRanks[Int(p[1])])
        }
    }
}
