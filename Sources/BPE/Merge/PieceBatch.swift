import CByteMasks

/// Pieces between the lexer and the lookups, in batches of ``capacity``: the lexer writes each
/// piece's key and hash here and asks for its ``PieceTable`` line, and the lookups come once
/// the batch is full, when the lines have had a batch's worth of time to arrive.
///
/// ```swift
/// batch.items[i] = PieceBatch.Item(key: k, hash: h, start: s)
/// ```
/// - Complexity: O(1) memory: ``capacity`` items of 32 bytes, reused.
struct PieceBatch {
    struct Item {
        /// The piece's key in the table; `high == 0`: a piece longer than
        /// ``PieceTable/maxKey``, which the table does not keep, with its length in `low`.
        var key: PieceTable.Key
        var hash: UInt64
        var start: Int

        /// The piece's length in bytes.
        var count: Int {
            key.high != 0 ? Int(truncatingIfNeeded: key.high &>> 56) : Int(truncatingIfNeeded: key.low)
        }
    }

    static let capacity = 256
    /// A full table whose batch missed more than this many of its pieces sends the next
    /// ``bypassPieces`` pieces straight to the encoder (random text: base64, hashes).
    static let bypassMisses = capacity / 8
    static let bypassPieces = 1 << 16
    let items: UnsafeMutablePointer<Item>
    /// Where a piece the table misses is encoded before it is kept (a piece of n bytes has at
    /// most n tokens).
    let scratch: UnsafeMutablePointer<Rank>

    init() {
        items = .allocate(capacity: Self.capacity)
        scratch = .allocate(capacity: PieceTable.maxKey)
    }

    func deallocate() {
        items.deallocate()
        scratch.deallocate()
    }
}

/// Collects a piece's tokens in ``PieceBatch/scratch``.
struct ScratchSink: TokenSink {
    let base: UnsafeMutablePointer<Rank>
    var count = 0
    @inline(__always) mutating func append(_ rank: Rank) {
        base[count] = rank
        count &+= 1
    }
}

/// The hint for `p`'s line (see `cbm_prefetch`).
@inline(__always)
func prefetch(_ p: UnsafeRawPointer) { cbm_prefetch(p) }
