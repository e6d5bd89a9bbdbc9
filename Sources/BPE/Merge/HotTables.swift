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

    /// The batch item for the piece `base[start..<start + n]`: a piece of up to
    /// ``PieceTable/maxKey`` bytes keyed and hashed, its table line asked for; a longer one
    /// marked for the encoder. Pieces of one and two bytes go through the table like the
    /// rest: answered here from ``byteRanks`` and ``bytePairs`` instead, they cost two
    /// branches on the length that text takes both ways (paired runs, o200k: English 1.02×
    /// the time against 0.74× through the table).
    @inline(__always)
    func queueItem(_ base: UnsafePointer<UInt8>, _ start: Int, _ n: Int, wide: Bool, masks: UnsafePointer<PieceTable.KeyMask>,
                   entries: UnsafeMutablePointer<PieceTable.Entry>, mask: Int) -> PieceBatch.Item {
        guard n <= PieceTable.maxKey else {
            return PieceBatch.Item(key: PieceTable.Key(low: UInt64(truncatingIfNeeded: n), high: 0), hash: 0, start: start)
        }
        let key = wide ? PieceTable.key(base + start, n, masks: masks) : PieceTable.key(base + start, n)
        let hash = PieceTable.hash(key)
        prefetch(entries + PieceTable.home(hash, mask))
        return PieceBatch.Item(key: key, hash: hash, start: start)
    }

    /// The batched encoder's lookups: the `count` pieces queued in `batch`, in order, each
    /// from its item or its table entry's home pair, or else encoded
    /// (``encodePiece(_:_:padded:state:into:)``) and kept. Returns the pieces the table
    /// missed.
    @inline(__always)
    func encodeQueued<S: TokenSink>(_ count: Int, base: UnsafePointer<UInt8>, paddedEnd: Int, table: PieceTable,
                                    batch: PieceBatch, state: inout EncodeState, into sink: inout S) -> Int {
        let items = batch.items
        var (entries, mask) = table.lines
        var misses = 0
        var i = 0
        while i < count {
            // Where the sink lends its storage: each hit's three tokens stored in place (8 and
            // 4 bytes) and the cursor moved by its count; the sink takes them before anything
            // else appends through it.
            if let window = sink.reserveWindow(PieceTable.maxTokens &* (count &- i) &+ 1) {
                var w = window
                while i < count {
                    guard let e = Self.homeEntry(items[i], entries: entries, mask: mask),
                          PieceTable.isPlain(e.pointee.last) else { break }
                    let last = e.pointee.last
                    UnsafeMutableRawPointer(w).storeBytes(of: e.pointee.first, as: UInt64.self)
                    (w + 2).pointee = Rank(truncatingIfNeeded: last)
                    w += Int(truncatingIfNeeded: last &>> 32)
                    i &+= 1
                }
                sink.commitWindow(w - window)
                if i == count { break }
            } else {
                if let e = Self.homeEntry(items[i], entries: entries, mask: mask), PieceTable.isPlain(e.pointee.last) {
                    Self.emit(e.pointee.first, e.pointee.last, into: &sink)
                    i &+= 1
                    continue
                }
            }
            // Probed again rather than carried out of the loop above: a pointer kept across it
            // cost the loop a register (callgrind, o200k, a second encode of 1 MB of English:
            // +2.3 % instructions in the lexer's loop, where this is inlined).
            if let e = Self.homeEntry(items[i], entries: entries, mask: mask), PieceTable.isPacked(e.pointee.last) {
                Self.emitPacked(e.pointee.first, e.pointee.last, into: &sink)
            } else if encodeMissed(items[i], base: base, paddedEnd: paddedEnd, table: table, batch: batch, state: &state,
                                   into: &sink) {
                misses &+= 1
            }
            (entries, mask) = table.lines
            i &+= 1
        }
        return misses
    }

    /// `item`'s entry in its home pair, or nil: a long piece (no key), or one the home pair
    /// does not hold. The caller tells a plain entry (``PieceTable/isPlain(_:)``) from a
    /// packed one (``PieceTable/isPacked(_:)``), one in the arena (``PieceTable/held(_:_:)``)
    /// and a mark (`last` 0).
    ///
    /// - Complexity: O(1): two entries of one cache line compared.
    @inline(__always)
    static func homeEntry(_ item: PieceBatch.Item, entries: UnsafeMutablePointer<PieceTable.Entry>,
                          mask: Int) -> UnsafeMutablePointer<PieceTable.Entry>? {
        guard item.key.high != 0 else { return nil }
        return PieceTable.findHome(item.key, hash: item.hash, entries: entries, mask: mask)
    }

    /// ``encodeQueued(_:base:paddedEnd:table:batch:state:into:)`` out of line, for the
    /// rare flushes (the last batch, an invalid sequence, a bypass).
    @inline(never)
    func encodeQueuedOutOfLine<S: TokenSink>(_ count: Int, base: UnsafePointer<UInt8>, paddedEnd: Int, table: PieceTable,
                                             batch: PieceBatch, state: inout EncodeState, into sink: inout S) -> Int {
        encodeQueued(count, base: base, paddedEnd: paddedEnd, table: table, batch: batch, state: &state, into: &sink)
    }

    /// An entry's tokens (its `first` and `last` words) into `sink`: one store of six, the
    /// count from the top of `last`.
    @inline(__always)
    static func emit<S: TokenSink>(_ first: UInt64, _ last: UInt64, into sink: inout S) {
        sink.append(six: (Rank(truncatingIfNeeded: first), Rank(truncatingIfNeeded: first &>> 32),
                          Rank(truncatingIfNeeded: last), 0, 0, 0),
                    count: Int(truncatingIfNeeded: last &>> 32))
    }

    /// A packed entry's four to six tokens (``PieceTable/unpack(_:_:)``) into `sink`.
    @inline(__always)
    static func emitPacked<S: TokenSink>(_ first: UInt64, _ last: UInt64, into sink: inout S) {
        let (six, n) = PieceTable.unpack(first, last)
        sink.append(six: six, count: n)
    }

    /// A queued piece its home pair did not answer: a long one, one further along the
    /// table, one whose tokens are in the table's arena, one kept as a mark (encoded, and
    /// known not to be a token), or one to encode and keep. Returns whether the table did
    /// not have it.
    ///
    /// A piece the table will keep is encoded without the piece cache's tiers
    /// (`keep: false`): the table is its cache, and a first encode kept every short piece
    /// twice; only a piece the table keeps as a mark goes to the tiers as well.
    @inline(never)
    func encodeMissed<S: TokenSink>(_ item: PieceBatch.Item, base: UnsafePointer<UInt8>, paddedEnd: Int, table: PieceTable,
                                    batch: PieceBatch, state: inout EncodeState, into sink: inout S) -> Bool {
        let start = item.start, n = item.count
        let p = base + start
        guard item.key.high != 0, let (e, found) = table.entry(for: item.key, hash: item.hash) else {
            // A long piece, or a full table: the encoder and its tiers.
            encodePiece(p, n, padded: start <= paddedEnd, state: &state, into: &sink)
            return item.key.high != 0
        }
        if found {
            if PieceTable.isPlain(e.pointee.last) {
                Self.emit(e.pointee.first, e.pointee.last, into: &sink)
            } else if PieceTable.isPacked(e.pointee.last) {
                Self.emitPacked(e.pointee.first, e.pointee.last, into: &sink)
            } else if e.pointee.last != 0 {
                // Held in the arena: answered here, out of the lookups' loop, where the copy
                // cost the loop 1 % more instructions on English (o200k), which has none.
                let (tokens, count) = table.held(e.pointee.first, e.pointee.last)
                sink.append(tokens, count: count)
            } else {
                vocabulary.encodePiece(p, n, state: &state, into: &sink, shortTableMissed: true)
            }
            return false
        }
        var scratch = ScratchSink(base: batch.scratch)
        vocabulary.encodePiece(p, n, state: &state, into: &scratch, keep: false)
        // More tokens than an entry and the arena hold: the mark sends the piece to the
        // tiers, so it is kept there now. Left for its second occurrence, every such piece
        // merged again in a second encode (4 MB of CJK text, cl100k: the second run 1.3x the
        // third).
        if !table.fill(e, key: item.key, tokens: scratch.base, count: scratch.count) && n >= PieceCache.minKey,
           let cache = state.pieceCache {
            cache.insertShort(p, n, tokens: scratch.base, count: scratch.count)
        }
        sink.append(scratch.base, count: scratch.count)
        return true
    }
}
