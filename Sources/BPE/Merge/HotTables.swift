/// A snapshot of a ``Vocabulary``'s hot tables for one text (see ``Vocabulary/hot``).
struct HotTables {
    let vocabulary: Vocabulary
    let byteRanks: UnsafeMutablePointer<Rank>
    let shortSlots: UnsafeMutablePointer<ShortTokenTable.Slot>
    let shortMask: Int
    let wholePieceLookup: Bool
    let bytePairs: UnsafeMutablePointer<UInt64>
    let twoBytePiecesByPairs: Bool

    /// ``Vocabulary/encodePiece(_:_:state:into:)``, with the commonest cases (one byte; two
    /// bytes; a short piece that is a token) answered from the snapshot. `padded`: at least
    /// 8 bytes are readable from `p` (the text goes on), so a short piece is packed with one
    /// load (``ShortTokenTable/packPadded(_:_:)``).
    ///
    /// A piece of 5 to 16 bytes that is not a short token asks the piece cache's compact tier
    /// here too, where the call out of line to ``Vocabulary/encodePiece(_:_:state:into:shortTableMissed:cacheMissed:)``
    /// cost a prologue, an epilogue and the length tests again for each of them (in a second
    /// encode, one piece in six of man pages and English). Callgrind, o200k, a second encode
    /// of 1 MB: English 26.16 M → 24.27 M instructions, man pages 36.79 M → 34.49 M, CJK
    /// 39.57 M → 38.20 M, source code 24.97 M → 23.67 M; paired, one core, 9 pairs (a busy
    /// window): 0.93–1.00× the time. A first encode is within ±1.5 % in instructions.
    @inline(__always)
    func encodePiece<S: TokenSink>(_ p: UnsafePointer<UInt8>, _ n: Int, padded: Bool = false, state: inout EncodeState,
                                   into sink: inout S) {
        if n == 1 {
            sink.append(byteRanks[Int(p[0])])
        } else if n == 2 && twoBytePiecesByPairs {
            BytePairTable.encodePiece(p, merges: bytePairs, byteRanks: byteRanks, into: &sink)
        } else if wholePieceLookup && n <= 8 {
            let w = padded ? ShortTokenTable.packPadded(p, n) : ShortTokenTable.pack(p, n)
            if let r = ShortTokenTable.find(word: w, n, slots: shortSlots, mask: shortMask) {
                sink.append(r)
            } else if n >= PieceCache.minKey, let cache = state.pieceCache {
                if !cache.lookupShort(p, n, into: &sink) {
                    vocabulary.encodePiece(p, n, state: &state, into: &sink, shortTableMissed: true, cacheMissed: true)
                }
            } else {
                vocabulary.encodePiece(p, n, state: &state, into: &sink, shortTableMissed: true)
            }
        } else if wholePieceLookup && n <= CompactPieceTier.maxKey, let cache = state.pieceCache {
            if !cache.lookupShort(p, n, into: &sink) {
                vocabulary.encodePiece(p, n, state: &state, into: &sink, cacheMissed: true)
            }
        } else {
            vocabulary.encodePiece(p, n, state: &state, into: &sink)
        }
    }
}
