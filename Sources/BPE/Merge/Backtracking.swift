/// What the backtracking encoder needs beyond the ``Vocabulary``: a trie for "the longest
/// token that starts here", each token's next shorter prefix token, and the split that BPE
/// makes each token from.
///
/// The technique is github's `bpe` crate's (rust-gems): the BPE encoding of a text is the one
/// sequence of tokens in which every adjacent pair is *compatible*, that is, the two tokens
/// side by side would encode to themselves. So the encoder walks forward, taking the longest
/// token at each position, and checks the new pair; when it is not compatible it tries the
/// next shorter prefix token, and when none is left it backs up one token. A bit per byte
/// position remembers where no encoding can end, so no position is tried twice, and a piece
/// of any length is encoded in linear time.
///
/// The compatibility check replays BPE across the seam: it undoes the later of the two
/// tokens' last merges (``splits``) and asks whether a merge across the seam would have come
/// first. Under tiktoken's rule a merge across the seam is any pair whose bytes side by side
/// are a token, so the check asks the vocabulary's full pair table, not only the splits.
///
/// Only tokens that BPE can make from their own bytes are in the trie; a token it cannot
/// make (no split is compatible) can still be a whole piece, which the encoder looks up
/// before merging, but never a part of one.
///
/// The replay assumes BPE makes every token from two tokens ranked below it, as training
/// does. A `.tiktoken` file need not obey that (tiktoken merges any pair whose bytes form a
/// token, whatever its rank), so the tables are built only when each token that the replay
/// finds no split for is indeed one that tiktoken's own merge cannot make from its bytes;
/// otherwise ``init(_:)`` fails and long pieces use the heap merge. `BacktrackingTests`
/// compare this encoder with the heap merge on random vocabularies, random long pieces and
/// the pathological inputs.
final class Backtracking: @unchecked Sendable {
    /// What the encoder reads about token `t`, in one record so a token costs one cache line.
    struct Token {
        /// The two tokens BPE merges into `t`; a single byte's are itself. `Rank.max` for
        /// ids that have no token or that BPE cannot make.
        var left: Rank
        var right: Rank
        /// The longest proper prefix of `t` that is in the trie, or `Rank.max`.
        var nextPrefix: Rank
        /// The token's length in bytes.
        var length: UInt32
    }
    /// The tokens BPE can make, in a trie.
    let trie: TokenTrie
    /// A record per id.
    let storage: Slab<Token>
    let tokens: UnsafeMutablePointer<Token>
    /// Every id below `byteIDLimit` is a single byte's token (the first 256 of the OpenAI
    /// encodings; 0 when id 0 is not), and `byteOfID[id]` is that byte, so a pair of them is
    /// looked up by its bytes in the ``BytePairTable`` (see ``compatible(_:_:_:_:)``).
    let byteIDLimit: Rank
    let byteOfID: Slab<UInt8>

    /// Tables read back from a cache file.
    init(trie: TokenTrie, storage: Slab<Token>) {
        self.trie = trie
        self.storage = storage
        tokens = storage.base
        (byteIDLimit, byteOfID) = Self.byteIDs(trie)
    }

    /// ``byteIDLimit`` and ``byteOfID`` from the trie's single-byte tokens.
    /// - Complexity: O(256).
    static func byteIDs(_ trie: TokenTrie) -> (Rank, Slab<UInt8>) {
        let byteOf = Slab<UInt8>(count: 256, repeating: 0)
        var isByte = [Bool](repeating: false, count: 256)
        for b in 0..<256 {
            let t = trie.token(ofByte: UInt8(b))
            if t < 256 { byteOf.base[Int(t)] = UInt8(b); isByte[Int(t)] = true }
        }
        return (Rank(isByte.firstIndex(of: false) ?? 256), byteOf)
    }

    /// The tables for `v`, or `nil` when the replay does not model its merges (see above).
    /// - Complexity: O(total token bytes) trie work plus a few pair lookups per token.
    init?(_ v: Vocabulary) {
        let count = v.count
        var left = [Rank](repeating: .max, count: count)
        var right = [Rank](repeating: .max, count: count)
        var keys: [(bytes: UnsafeBufferPointer<UInt8>, id: Rank)] = []
        keys.reserveCapacity(count)
        for r in 0..<count {
            let (p, n) = v.bytes(of: Rank(r))
            if n > 0 { keys.append((UnsafeBufferPointer(start: p, count: n), Rank(r))) }
        }
        let all = TokenTrie(tokens: keys)
        var prefixes: [(token: Rank, length: Int)] = []
        for r in 0..<count {
            let (p, n) = v.bytes(of: Rank(r))
            if n == 1 { left[r] = Rank(r); right[r] = Rank(r); continue }
            guard n > 1 else { continue }
            // Candidates, longest prefix first, as BPE's last merge would be found.
            prefixes.removeAll(keepingCapacity: true)
            all.forEachPrefix(p, n - 1) { prefixes.append(($0, $1)) }
            for (a, k) in prefixes.reversed() {
                guard a < Rank(r), left[Int(a)] != .max,
                      let b = v.rank(of: p + k, count: n - k), b < Rank(r), left[Int(b)] != .max,
                      Self.compatible(a, b, limit: Rank(r), v.pairs, left, right) else { continue }
                left[r] = a
                right[r] = b
                break
            }
            if left[r] == .max {
                // No split ranked below it: fine only if tiktoken cannot make it either.
                var sink = ArraySink()
                v.mergeByHeap(p, n, into: &sink)
                if sink.tokens == [Rank(r)] { return nil }
            }
        }
        var reachable: [(bytes: UnsafeBufferPointer<UInt8>, id: Rank)] = []
        reachable.reserveCapacity(count)
        for k in keys where left[Int(k.id)] != .max { reachable.append(k) }
        trie = TokenTrie(tokens: reachable)
        var records = (0..<count).map { r in
            Token(left: left[r], right: right[r], nextPrefix: .max, length: v.offsets[r + 1] - v.offsets[r])
        }
        for k in reachable where k.bytes.count > 1 {
            records[Int(k.id)].nextPrefix = trie.longestPrefix(k.bytes.baseAddress!, k.bytes.count - 1)?.token ?? .max
        }
        storage = Slab(records)
        tokens = storage.base
        (byteIDLimit, byteOfID) = Self.byteIDs(trie)
    }

    /// Whether `a` then `b` is what BPE makes of their bytes side by side, considering only
    /// merges ranked below `limit` (`Rank.max`: all). `left(t)`/`right(t)` give the split.
    /// Most pairs asked about here do not merge, so each probe asks the pair table's filter
    /// first (``PairTable/findLikelyAbsent(left:right:)``).
    ///
    /// Two tokens whose ids are below `byteIDLimit` are single bytes, whose merge
    /// `bytePair(a, b)` gives from the ``BytePairTable``, by their bytes: one load from the
    /// few lines that text uses, and nothing left to undo after it. In random letters (o200k)
    /// a third of the probes are such pairs, and three in four of the pairs that pass the
    /// pair table's filter, whose slots are scattered over megabytes.
    @inline(__always)
    static func compatible(_ a: Rank, _ b: Rank, limit: Rank, _ pairs: PairTable,
                           byteIDLimit: Rank = 0, bytePair: (Rank, Rank) -> UInt64 = { _, _ in .max },
                           left: (Rank) -> Rank, right: (Rank) -> Rank) -> Bool {
        var a = a, b = b, limit = limit
        while true {
            if a < byteIDLimit && b < byteIDLimit {
                let m = bytePair(a, b)
                return m == .max || Rank(truncatingIfNeeded: m) >= limit
            }
            let m = pairs.findLikelyAbsent(left: a, right: b)
            if m != .max && Rank(truncatingIfNeeded: m) < limit { return false }
            // Undo the later of the two last merges; the seam moves into that token.
            if a > b {
                limit = a
                a = right(a)
                if a == limit {
                    limit = b &+ 1
                    b = left(b)
                    if b &+ 1 == limit { return true }
                }
            } else {
                limit = b &+ 1
                b = left(b)
                if b &+ 1 == limit {
                    limit = a
                    a = right(a)
                    if a == limit { return true }
                }
            }
        }
    }

    /// ``compatible(_:_:limit:_:byteIDLimit:bytePair:left:right:)`` while the splits are still
    /// being found.
    static func compatible(_ a: Rank, _ b: Rank, limit: Rank, _ pairs: PairTable, _ left: [Rank], _ right: [Rank]) -> Bool {
        compatible(a, b, limit: limit, pairs, left: { left[Int($0)] }, right: { right[Int($0)] })
    }

    /// The ``BytePairTable`` merge (`bytePairs`, its words) of the single-byte tokens `a`
    /// and `b`, both below ``byteIDLimit``, whose bytes `byteOf` (``byteOfID``) gives.
    /// - Complexity: O(1), three loads.
    @inline(__always)
    static func byteMerge(_ a: Rank, _ b: Rank, byteOf: UnsafePointer<UInt8>, bytePairs: UnsafePointer<UInt64>) -> UInt64 {
        bytePairs[Int(byteOf[Int(a)]) &<< 8 | Int(byteOf[Int(b)])]
    }

    /// ``compatible(_:_:limit:_:byteIDLimit:bytePair:left:right:)`` over the finished
    /// records, with the vocabulary's ``BytePairTable`` merges for pairs of bytes.
    @inline(__always)
    func compatible(_ a: Rank, _ b: Rank, _ pairs: PairTable, _ bytePairs: UnsafePointer<UInt64>) -> Bool {
        let t = tokens, byteOf = UnsafePointer(byteOfID.base)
        return Self.compatible(a, b, limit: .max, pairs, byteIDLimit: byteIDLimit,
                               bytePair: { Self.byteMerge($0, $1, byteOf: byteOf, bytePairs: bytePairs) },
                               left: { t[Int($0)].left }, right: { t[Int($0)].right })
    }
}

extension Vocabulary {
    /// How many times the pair memo misses in one piece before the piece judges whether it
    /// pays (see ``mergeByBacktracking(_:_:_:memo:into:done:)``).
    static let memoTrial = 8192

    /// Encodes one piece that is not itself a token with the backtracking encoder (see
    /// ``Backtracking``): the same tokens as the scan and heap merges, in linear time.
    /// - Complexity: O(n) for an n-byte piece, in practice a trie step per byte and a few pair
    ///   lookups per token.
    /// `memo`, when given, answers the compatibility of pairs asked about before. A piece
    /// whose pairs rarely repeat stops asking it: once the memo has missed ``memoTrial``
    /// times, more often than the piece has tokens so far, the rest of the piece checks its
    /// pairs directly. Random letters are one long piece whose memo answers 11 % of about two
    /// questions a token, and a miss costs a probe and a store that evict useful lines
    /// (`bpe-bench`, paired, 10 MB of random letters: 0.89× the time with cl100k, 0.90× with
    /// o200k; 1 MB 0.91× and 0.96×). CJK text, whose pieces never miss that often, and a run
    /// of one character, whose memo answers nearly every question, keep it (0.99–1.01×).
    func mergeByBacktracking<S: TokenSink>(_ p: UnsafePointer<UInt8>, _ n: Int, _ bt: Backtracking, memo: PieceCache? = nil,
                                           into sink: inout S, done: (UnsafePointer<Rank>, Int) -> Void = { _, _ in }) {
        let words = n / 64 + 1
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: words) { bits in
        withUnsafeTemporaryAllocation(of: Rank.self, capacity: n) { out in
            // bits: the positions where an encoding of the prefix may still end.
            let bits = bits.baseAddress!
            bits.initialize(repeating: .max, count: words)
            let tokens = out.baseAddress!
            var count = 0
            var pos = 0
            let trie = bt.trie
            let info = bt.tokens
            let pairs = self.pairs
            let bytePairs = UnsafePointer(self.bytePairs.merges)
            let byteIDLimit = bt.byteIDLimit, byteOf = UnsafePointer(bt.byteOfID.base)
            // Locals of this closure, not of the function: a variable the closure captured
            // would live in a box, a load and a store through memory for every question.
            var memo = memo
            var misses = 0
            do {
                var next: Rank? = trie.longestPrefix(p, n)?.token
                while var token = next {
                    let last: Rank? = count > 0 ? tokens[count - 1] : nil
                    while true {
                        let end = pos &+ Int(info[Int(token)].length)
                        var fits = bits[end >> 6] & (1 << UInt64(end & 63)) != 0
                        if fits, let last {
                            if let m = memo {
                                fits = m.compatible(last, token, bt, pairs, bytePairs, misses: &misses)
                                if misses == Self.memoTrial && misses > count { memo = nil }
                            } else {
                                // The static check, not the instance method that the memo
                                // calls: through that, the check was an out-of-line call per
                                // question (+16 % instructions on random letters).
                                fits = Backtracking.compatible(
                                    last, token, limit: .max, pairs, byteIDLimit: byteIDLimit,
                                    bytePair: { Backtracking.byteMerge($0, $1, byteOf: byteOf, bytePairs: bytePairs) },
                                    left: { info[Int($0)].left }, right: { info[Int($0)].right })
                            }
                        }
                        if fits {
                            tokens[count] = token
                            count += 1
                            pos = end
                            next = end < n ? trie.longestPrefix(p + end, n - end)?.token : nil
                            break
                        }
                        let shorter = info[Int(token)].nextPrefix
                        if shorter != .max {
                            token = shorter
                            continue
                        }
                        // No token fits here: no encoding of the prefix ends at `pos`.
                        bits[pos >> 6] &= ~(1 << UInt64(pos & 63))
                        count -= 1
                        let back = tokens[count]
                        pos -= Int(info[Int(back)].length)
                        next = back
                        break
                    }
                }
            }
            done(tokens, count)
            sink.append(tokens, count: count)
        }
        }
    }
}
