extension Vocabulary {
    /// Pieces shorter than this merge with the simple O(n·m) scan; longer ones with the
    /// backtracking encoder, or the heap where the vocabulary has no backtracking tables. All
    /// give identical output; the scan wins on short pieces through cache locality.
    static let longPieceThreshold = 17

    /// Encodes one pre-tokenized piece into `sink`, exactly as tiktoken's `byte_pair_encode`:
    /// a piece that is itself a token is that token; otherwise start from single bytes and
    /// repeatedly merge the adjacent pair whose concatenation has the lowest rank, the
    /// leftmost such pair on ties.
    ///
    /// ```swift
    /// // cl100k_base: "hello" is a token; " unbelievable" is not and merges to [41236, 80850]
    /// ```
    /// - Complexity: O(n) expected when the piece is a token; O(n·m) for m merges with the
    ///   scan (n < ``longPieceThreshold``); O(n) with backtracking, O(n log n) with the heap.
    /// `shortTableMissed`: the caller looked the piece (of 2 to 8 bytes) up in the short-token
    /// table already and found nothing, so it is not asked again. `cacheMissed`: the caller
    /// asked the piece cache's compact tier (a piece of ``PieceCache/minKey`` to
    /// ``CompactPieceTier/maxKey`` bytes) and found nothing, so the piece is merged and kept.
    /// `keep`: false where the caller keeps the tokens itself (the batched encoder's
    /// ``PieceTable``), so the piece cache is neither asked nor filled.
    @inline(__always)
    func encodePiece<S: TokenSink>(_ p: UnsafePointer<UInt8>, _ n: Int, state: inout EncodeState, into sink: inout S,
                                   shortTableMissed: Bool = false, cacheMissed: Bool = false, keep: Bool = true) {
        if n == 1 {
            sink.append(byteRanks[Int(p[0])])
            return
        }
        if n == 2 && twoBytePiecesByPairs {
            BytePairTable.encodePiece(p, merges: bytePairs.merges, byteRanks: byteRanks, into: &sink)
            return
        }
        let cache = keep && n >= PieceCache.minKey && n <= PieceCache.maxCachedKey ? state.pieceCache : nil
        if n <= CompactPieceTier.maxKey {
            if n <= 8 && wholePieceLookup && !shortTableMissed, let r = shortTable.find(p, n) {
                sink.append(r)
                return
            }
            // Pieces of 9 to 16 bytes ask the cache before the long-token table: most of them
            // are not tokens (of those of 9 to 16 bytes, 64 % in man pages, 61 % in English,
            // 80 % in CJK text with o200k_base), and a piece the cache holds then costs one
            // line, not two.
            if !cacheMissed, let cache, cache.lookupShort(p, n, into: &sink) { return }
            if n > 8 && wholePieceLookup, var r = longTable.find(p, count: n, hash: hashBytes(p, n), arena: arena) {
                sink.append(r)
                // Kept as a piece of one token: next time one line, not a miss here and two there.
                if let cache { cache.insertShort(p, n, tokens: &r, count: 1) }
                return
            }
        } else if wholePieceLookup || cache != nil {
            // A longer piece is hashed once, for the token table and the cache alike.
            let h = hashBytes(p, n)
            if let cache, let (tokens, count) = cache.lookup(p, n, hash: h) {
                sink.append(tokens, count: count)
                return
            }
            if wholePieceLookup, var r = longTable.find(p, count: n, hash: h, arena: arena) {
                sink.append(r)
                if let cache { cache.insert(p, n, hash: h, tokens: &r, count: 1) }
                return
            }
            if let cache {
                merge(p, n, state: &state, into: &sink) { tokens, count in
                    cache.insert(p, n, hash: h, tokens: tokens, count: count)
                }
                return
            }
        }
        if let cache {
            merge(p, n, state: &state, into: &sink) { tokens, count in
                cache.insertShort(p, n, tokens: tokens, count: count)
            }
        } else {
            merge(p, n, state: &state, into: &sink)
        }
    }

    /// Merges a piece that is not a token: the scan for short pieces, else backtracking, or
    /// the heap where the vocabulary has no backtracking tables. `done` sees the result
    /// before `sink` does.
    @inline(__always)
    func merge<S: TokenSink>(_ p: UnsafePointer<UInt8>, _ n: Int, state: inout EncodeState, into sink: inout S,
                             done: (UnsafePointer<Rank>, Int) -> Void = { _, _ in }) {
        if n < Self.longPieceThreshold {
            // Where pieces are looked up whole, encodePiece did, and found no token.
            mergeByScan(p, n, wholeIsNotAToken: wholePieceLookup, into: &sink, done: done)
        } else if let bt = state.backtracking(self) {
            mergeByBacktracking(p, n, bt, memo: state.pieceCache, into: &sink, done: done)
        } else {
            mergeByHeap(p, n, into: &sink)
        }
    }

    /// The tables the per-piece fast path reads, loaded once per text instead of once per
    /// piece (the optimizer cannot hoist loads through a class reference on its own).
    var hot: HotTables {
        HotTables(vocabulary: self, byteRanks: byteRanks, shortSlots: shortTable.slots, shortMask: shortTable.mask,
                  wholePieceLookup: wholePieceLookup, bytePairs: bytePairs.merges, twoBytePiecesByPairs: twoBytePiecesByPairs)
    }

    /// ``encodePiece(_:_:state:into:)`` with a fresh state (for tests and one-off pieces).
    func encodePiece<S: TokenSink>(_ p: UnsafePointer<UInt8>, _ n: Int, into sink: inout S) {
        var state = EncodeState()
        encodePiece(p, n, state: &state, into: &sink)
    }

    /// The short-piece merge: two small arrays, `tokens` and `merged[i]` = the merge of
    /// `tokens[i]` and `tokens[i+1]` (``PairTable``'s packed priority and result), scanned for
    /// the minimum after every merge. The pairs a merge makes new ask the pair table's filter
    /// first: they are often pairs that do not merge (the piece's last tokens always are),
    /// and the filter saves their cache miss (paired runs, o200k: 0.94× the time on 8 MB of
    /// man pages, 0.95× on 5 MB of Shakespeare). The first pairs, of single bytes, come from
    /// ``BytePairTable`` by the bytes themselves: one load from the few lines text uses,
    /// where the pair table's hashed slots missed the L2 (callgrind, o200k, second encode:
    /// man pages −2.5 % instructions and −1.9 % simulated L2 misses, CJK −2.0 % / −2.1 %,
    /// base64 −8.4 % / −4.3 %; paired runs of a first encode of man pages 0.95×).
    /// `done` sees the result before it goes to `sink` (the piece cache keeps it).
    /// `wholeIsNotAToken`: the caller knows the piece is not a token, so the last two tokens
    /// never merge.
    @inline(__always)
    func mergeByScan<S: TokenSink>(_ p: UnsafePointer<UInt8>, _ n: Int, wholeIsNotAToken: Bool = false, into sink: inout S,
                                   done: (UnsafePointer<Rank>, Int) -> Void = { _, _ in }) {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: n) { mergedBuf in
        withUnsafeTemporaryAllocation(of: Rank.self, capacity: n) { buf in
            let tokens = buf.baseAddress!
            let merged = mergedBuf.baseAddress!
            for i in 0..<n { tokens[i] = byteRanks[Int(p[i])] }
            for i in 0..<(n - 1) { merged[i] = bytePairs.find(p[i], p[i + 1]) }
            var m = n  // live tokens; merged has m - 1 live entries
            while m > 1 {
                var best = UInt64.max, at = -1
                for i in 0..<(m - 1) where merged[i] < best {
                    best = merged[i]
                    at = i
                }
                if at < 0 { break }
                tokens[at] = Rank(truncatingIfNeeded: best)
                // Drop tokens[at + 1] and merged[at] moves to the new right neighbour.
                var j = at + 1
                while j < m - 1 {
                    tokens[j] = tokens[j + 1]
                    merged[j] = merged[j + 1]
                    j += 1
                }
                m -= 1
                // Two tokens left make the whole piece, which the caller found is not a token,
                // and a merge only ever makes a token: they stay two, and the pair needs no
                // probe (a likely miss; most pieces merge to two).
                if m == 2 && wholeIsNotAToken { break }
                if at + 1 < m {
                    merged[at] = pairs.findLikelyAbsent(left: tokens[at], right: tokens[at + 1])
                } else {
                    merged[at] = .max
                }
                if at > 0 { merged[at - 1] = pairs.findLikelyAbsent(left: tokens[at - 1], right: tokens[at]) }
            }
            done(tokens, m)
            sink.append(tokens, count: m)
        }
        }
    }
}
