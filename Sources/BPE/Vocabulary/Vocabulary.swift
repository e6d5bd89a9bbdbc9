import Foundation

/// A token rank: the id of a token, and its merge priority (lower merges first).
public typealias Rank = UInt32

/// The mergeable tokens of a byte-level BPE: a bijection between byte strings and ranks
/// `0..<count`, plus the tables the encoder needs to be fast.
///
/// Storage is flat: every token's bytes sit in one arena, indexed by rank, so decoding a
/// token is two loads and a copy. Open-addressing hash tables sit on top:
/// - ``ShortTokenTable`` (tokens of up to 8 bytes) and ``LongTokenTable`` (the longer
///   ones): bytes → rank, for the whole-piece lookup that tiktoken does first;
/// - ``PairTable``: (left rank, right rank) → rank of their concatenation, for merging.
///
/// Immutable after `init`, so it is shared freely across threads.
///
/// ```swift
/// let v = try Vocabulary(tokens: (0...255).map { [UInt8($0)] } + [Array("ab".utf8)])
/// v.rank(of: Array("ab".utf8))   // 256
/// v.mergedRank(97, 98)           // 256
/// ```
public final class Vocabulary: @unchecked Sendable {
    /// One more than the largest rank: ranks are `0..<count`, minus ``holes``.
    public let count: Int
    /// Ranks in `0..<count` that have no token. The official p50k_base file skips 50256, the id
    /// of `<|endoftext|>`; an ``Encoding`` requires every hole to be a special token's id.
    public let holes: [Rank]
    /// Number of mergeable tokens: `count - holes.count`.
    public var tokenCount: Int { count - holes.count }
    /// Token bytes, back to back in rank order.
    let arena: UnsafeMutablePointer<UInt8>
    /// `offsets[r]..<offsets[r + 1]` is token `r` in `arena`; `count + 1` entries.
    let offsets: UnsafeMutablePointer<UInt32>
    /// The rank of each single byte.
    let byteRanks: UnsafeMutablePointer<Rank>
    /// Tokens of more than 8 bytes, by their bytes.
    let longTable: LongTokenTable
    /// Tokens of ≤ 8 bytes again, keyed inline: the fast path for short pieces.
    let shortTable: ShortTokenTable
    let pairs: PairTable
    /// The merges of single-byte pairs, by their bytes (the first lookups of every merge).
    let bytePairs: BytePairTable
    /// How pairs merge: tiktoken's rule, or a merge list.
    public let mergeRule: MergeRule
    /// Whether a piece that is itself a token is that token without merging (always for
    /// tiktoken; for a merge list, Hugging Face's `ignore_merges`).
    let wholePieceLookup: Bool
    /// Whether a two-byte piece's tokens are the byte-pair table's answer
    /// (``BytePairTable/encodePiece(_:merges:byteRanks:into:)``): under tiktoken's rule, and
    /// for a merge list without a whole-piece lookup. Not for a merge list with one
    /// (`ignore_merges`), whose two-byte token may have no merge that makes it.
    let twoBytePiecesByPairs: Bool
    /// The backtracking encoder's tables, built on first need (tiktoken's rule only): `nil`
    /// until then, `.some(nil)` for a vocabulary that has none.
    private let backtrackingTables = Locked<Backtracking??>(nil)
    /// The storage behind `arena`, `offsets` and `byteRanks` (owned, or borrowed from a cache
    /// file), kept alive with the vocabulary.
    let storage: (arena: Slab<UInt8>, offsets: Slab<UInt32>, byteRanks: Slab<Rank>)
    /// A number no other vocabulary of this process has, not even one made later at the
    /// same address: what a thread's piece caches are kept under (``ThreadPieceCaches``).
    let serial: UInt64 = Vocabulary.serials.withLock { n in
        n += 1
        return n
    }
    private static let serials = Locked<UInt64>(0)

    /// Builds a vocabulary where `tokens[r]` is the token of rank `r`.
    ///
    /// - Throws: ``VocabularyError`` if a token repeats, is empty, or a single byte is missing
    ///   (byte-level BPE must be able to fall back to bytes, or encoding could fail).
    /// - Complexity: O(total token bytes) expected, dominated by building the pair table:
    ///   every split point of every token is looked up once.
    public convenience init(tokens: [[UInt8]]) throws(VocabularyError) {
        var arena: [UInt8] = []
        var offsets: [UInt32] = [0]
        for t in tokens {
            arena.append(contentsOf: t)
            offsets.append(UInt32(arena.count))
        }
        try self.init(arena: arena, offsets: offsets, lines: nil, source: nil, allowHoles: false)
    }

    /// Builds a vocabulary where `tokens[r]` is the token with id `r` (`nil`: no token has
    /// that id, e.g. an added token's), merging by `mergeRule`.
    ///
    /// ```swift
    /// // Hugging Face style: "a b" merges first, whatever the ids.
    /// let v = try Vocabulary(tokensByID: bytes + [Array("ab".utf8)],
    ///                        mergeRule: .mergeList([(97, 98)], ignoreMerges: false))
    /// ```
    /// - Throws: ``VocabularyError`` as ``init(tokens:)``, and
    ///   ``VocabularyError/badMerge(index:reason:source:)`` for a merge whose ids are unknown
    ///   or whose result is not a token.
    public convenience init(tokensByID tokens: [[UInt8]?], mergeRule: MergeRule, source: String? = nil) throws(VocabularyError) {
        var arena: [UInt8] = []
        var offsets: [UInt32] = [0]
        for t in tokens {
            if let t { arena.append(contentsOf: t) }
            offsets.append(UInt32(truncatingIfNeeded: arena.count))
        }
        try self.init(arena: arena, offsets: offsets, lines: nil, source: source, allowHoles: true, mergeRule: mergeRule)
    }

    /// Designated initializer over flat storage. `lines[r]` is the 1-based line that defined
    /// rank `r`, used only for error messages.
    /// With `allowHoles`, an empty entry marks a rank that has no token.
    convenience init(arena: [UInt8], offsets: [UInt32], lines: [Int]?, source: String?, allowHoles: Bool,
         mergeRule: MergeRule = .tiktoken) throws(VocabularyError) {
        let count = offsets.count - 1
        guard count > 0 else { throw .empty(source: source) }
        guard arena.count < Int(UInt32.max) else { throw .tooLarge(source: source) }
        let arenaSlab = Slab(arena), offsetSlab = Slab(offsets)
        let store = TokenStore(arena: arenaSlab.base, offsets: offsetSlab.base)
        var holes: [Rank] = []
        var shortCount = 0
        for r in 0..<count {
            let n = Int(offsets[r + 1] - offsets[r])
            if n == 0 {
                guard allowHoles else { throw .emptyToken(line: lines?[r], source: source) }
                holes.append(Rank(r))
            }
            if n > 0 && n <= 8 { shortCount += 1 }
        }
        let byteRanks = Slab<Rank>(count: 256, repeating: .max)
        let table = ByteTable(capacity: count - holes.count)
        let shortTable = ShortTokenTable(capacity: shortCount)
        for r in 0..<count {
            let (p, n) = store.bytes(of: Rank(r))
            guard n > 0 else { continue }
            if let first = table.insert(Rank(r), bytes: p, count: n, tokens: store) {
                throw .duplicateToken(line: lines?[r], firstLine: lines?[Int(first)], source: source)
            }
            if n == 1 { byteRanks.base[Int(p[0])] = Rank(r) }
            if n <= 8 { shortTable.insert(Rank(r), p, n) }
        }
        for b in 0..<256 where byteRanks.base[b] == .max {
            throw .missingByte(UInt8(b), source: source)
        }
        // The merges, counted before the pair table is sized: it is the largest table, and
        // its size is the encoder's cache misses.
        var merges: [(left: Rank, right: Rank, merged: Rank, priority: UInt32)] = []
        switch mergeRule {
        case .tiktoken:
            // Every way to cut a token in two known tokens is a merge the encoder may meet, since
            // tiktoken ranks a pair by looking up the bytes of the concatenation.
            for r in 0..<count {
                let (p, n) = store.bytes(of: Rank(r))
                guard n > 1 else { continue }
                for k in 1..<n {
                    guard let left = table.find(p, count: k, tokens: store),
                          let right = table.find(p + k, count: n - k, tokens: store) else { continue }
                    merges.append((left, right, Rank(r), UInt32(r)))
                }
            }
        case .mergeList(let list, _):
            merges.reserveCapacity(list.count)
            // One scratch buffer for every concatenation: no allocation per merge.
            var joined: [UInt8] = []
            joined.reserveCapacity(256)
            for (i, (left, right)) in list.enumerated() {
                guard Int(left) < count, Int(right) < count, case let (a, an) = store.bytes(of: left), an > 0,
                      case let (b, bn) = store.bytes(of: right), bn > 0 else {
                    let bad = Int(left) < count && store.bytes(of: left).1 > 0 ? right : left
                    throw .badMerge(index: i, reason: "id \(bad) is not a token", source: source)
                }
                joined.removeAll(keepingCapacity: true)
                joined.append(contentsOf: UnsafeBufferPointer(start: a, count: an))
                joined.append(contentsOf: UnsafeBufferPointer(start: b, count: bn))
                guard let merged = joined.withUnsafeBufferPointer({ table.find($0.baseAddress!, count: $0.count, tokens: store) }) else {
                    throw .badMerge(index: i, reason: "the pair's concatenation is not a token of the vocabulary", source: source)
                }
                merges.append((left, right, merged, UInt32(i)))
            }
        }
        var tiktokenRule = false
        if case .tiktoken = mergeRule { tiktokenRule = true }
        let pairs = PairTable(capacity: merges.count, compact: PairTable.fitsCompact(tokens: count, tiktokenRule: tiktokenRule))
        for m in merges { pairs.insert(left: m.left, right: m.right, merged: m.merged, priority: m.priority) }
        // The table of every token served the checks above; lookups after this use the short
        // and long tables, whose slots confirm most hits and misses without the arena.
        self.init(count: count, holes: holes, storage: (arenaSlab, offsetSlab, byteRanks),
                  longTable: LongTokenTable(tokens: store, count: count), shortTable: shortTable, pairs: pairs, mergeRule: mergeRule)
    }

    /// A vocabulary over tables that are already built (by the initializer above, or read
    /// back from a cache file by ``VocabularyCache``).
    init(count: Int, holes: [Rank], storage: (arena: Slab<UInt8>, offsets: Slab<UInt32>, byteRanks: Slab<Rank>),
         longTable: LongTokenTable, shortTable: ShortTokenTable, pairs: PairTable, mergeRule: MergeRule,
         backtracking: Backtracking?? = nil) {
        self.count = count
        self.holes = holes
        self.storage = storage
        arena = storage.arena.base
        offsets = storage.offsets.base
        byteRanks = storage.byteRanks.base
        self.longTable = longTable
        self.shortTable = shortTable
        self.pairs = pairs
        self.mergeRule = mergeRule
        var tiktokenRule = false
        switch mergeRule {
        case .tiktoken: wholePieceLookup = true; tiktokenRule = true
        case .mergeList(_, let ignoreMerges): wholePieceLookup = ignoreMerges
        }
        twoBytePiecesByPairs = tiktokenRule || !wholePieceLookup
        bytePairs = BytePairTable(count: count, offsets: storage.offsets.base, arena: storage.arena.base,
                                  byteRanks: storage.byteRanks.base, pairs: pairs, tiktokenRule: tiktokenRule)
        if let backtracking { backtrackingTables.withLock { $0 = .some(backtracking) } }
    }

    /// The tables of the backtracking encoder (see ``Backtracking``), built on first call,
    /// or `nil` for a merge list, or for a vocabulary whose merges it does not model.
    /// - Complexity: O(total token bytes) on the first call (tens of milliseconds); O(1) after.
    var backtracking: Backtracking? {
        backtrackingTables.withLock { tables in
            if let built = tables { return built }
            var built: Backtracking? = nil
            if case .tiktoken = mergeRule { built = Backtracking(self) }
            tables = .some(built)
            return built
        }
    }

    /// Pointer and length of token `rank`'s bytes. `rank` must be `< count`.
    @inline(__always)
    func bytes(of rank: Rank) -> (UnsafeMutablePointer<UInt8>, Int) {
        let start = Int(offsets[Int(rank)])
        return (arena + start, Int(offsets[Int(rank) + 1]) - start)
    }

    /// The rank of a token given by its bytes, or `nil`.
    /// - Complexity: O(n) expected for n bytes.
    @inline(__always)
    func rank(of p: UnsafePointer<UInt8>, count n: Int) -> Rank? {
        if n <= 8 { return n > 0 ? shortTable.find(p, n) : nil }
        return longTable.find(p, count: n, hash: hashBytes(p, n), arena: arena)
    }

    /// Whether the tables are mapped from a cache image rather than built in memory.
    var isMapped: Bool { !storage.arena.isOwned }

    /// The rank of a token given by its bytes, or `nil`.
    ///
    /// ```swift
    /// cl100k.vocabulary.rank(of: Array("hello".utf8))   // 15339
    /// ```
    /// - Complexity: O(n) expected for n bytes.
    public func rank(of token: [UInt8]) -> Rank? {
        token.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress, buf.count > 0 else { return nil }
            return rank(of: base, count: buf.count)
        }
    }

    /// The bytes of token `rank`, or `nil` if there is no such token.
    /// - Complexity: O(token length).
    public func tokenBytes(_ rank: Rank) -> [UInt8]? {
        guard Int(rank) < count else { return nil }
        let (p, n) = bytes(of: rank)
        guard n > 0 else { return nil }
        return Array(UnsafeBufferPointer(start: p, count: n))
    }

    /// The rank of the token made of tokens `left` and `right` side by side, if any.
    /// - Complexity: O(1) expected.
    @inline(__always)
    public func mergedRank(_ left: Rank, _ right: Rank) -> Rank? {
        let m = pairs.find(left: left, right: right)
        return m == .max ? nil : Rank(truncatingIfNeeded: m)
    }
}

/// Token bytes by rank: a ``Vocabulary``'s arena and offsets, as the byte-keyed tables see
/// them (so they can be built before the vocabulary is).
struct TokenStore {
    let arena: UnsafeMutablePointer<UInt8>
    let offsets: UnsafeMutablePointer<UInt32>

    /// Pointer and length of token `rank`'s bytes.
    @inline(__always)
    func bytes(of rank: Rank) -> (UnsafeMutablePointer<UInt8>, Int) {
        let start = Int(offsets[Int(rank)])
        return (arena + start, Int(offsets[Int(rank) + 1]) - start)
    }
}

/// How a ``Vocabulary`` merges adjacent tokens.
public enum MergeRule: Sendable {
    /// tiktoken's: two adjacent tokens merge when their bytes side by side are a token, the
    /// lowest-ranked such token first; a piece that is a token is that token.
    case tiktoken
    /// A merge list, as Hugging Face's `merges`: a pair merges only when the list holds it,
    /// earlier entries first (a pair listed twice takes its last place, as in `tokenizers`),
    /// into the token of its concatenation. With `ignoreMerges`, a piece that is a token is
    /// that token.
    case mergeList([(Rank, Rank)], ignoreMerges: Bool)
}
