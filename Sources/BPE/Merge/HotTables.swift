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
            } else {
                vocabulary.encodePiece(p, n, state: &state, into: &sink, shortTableMissed: true)
            }
        } else {
            vocabulary.encodePiece(p, n, state: &state, into: &sink)
        }
    }
}
