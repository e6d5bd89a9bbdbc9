import BPERegex

/// What one thread needs while encoding, reused across pieces (and, in a batch or a
/// stream, across texts): a regex splitter's PCRE2 match data, made on first need; the
/// piece cache, the thread's warm one (``ThreadPieceCaches``) or one made once enough text
/// has gone by to repay its 4 MiB; and the vocabulary's backtracking tables, fetched on the
/// first long piece.
struct EncodeState {
    var matcher: Matcher?
    /// The piece cache's view and the storage that keeps it valid, made together.
    private(set) var pieceCache: PieceCache?
    private var pieceCacheStorage: PieceCacheStorage?
    private var bytesSeen = 0
    /// Whether the thread's caches were asked yet (once per state).
    private var askedThread = false
    /// Whether to keep a piece cache at all (tests compare with and without).
    var usesPieceCache = true
    /// Whether the piece cache comes from, and goes back to, the thread's caches. The checks
    /// that compare the encoder's paths turn it off, so each of their calls merges afresh.
    var usesThreadCaches = true
    /// Whether long pieces may use the backtracking encoder (tests compare with and without).
    var usesBacktracking = true
    /// Whether a text with a piece cache goes through the batched encoder and its
    /// ``PieceTable`` (tests compare with and without, and the tiers' own tests go without).
    var usesPieceTable = true
    private var backtracking: Backtracking?
    private var backtrackingFetched = false

    /// The compact tier's sets in a cache made here rather than taken from the thread
    /// (``PieceCache/init(compactSets:)``): the fuzz check makes 64 (4 KiB), so that an input
    /// of a few bytes does not clear 4 MiB per encoding, and its caches evict early.
    var compactCacheSets = CompactPieceTier.initialSets

    /// Text below this (in one call, or summed over a batch, a stream or the thread's calls
    /// with one vocabulary) is encoded without a cache (16 KiB; the fuzz check sets 0 so that
    /// short inputs use the cache too).
    var pieceCacheThreshold = 16 << 10

    /// Notes that `count` more bytes are about to be encoded with `vocabulary`; takes the
    /// thread's warm cache for it (kept under its ``Vocabulary/serial``, and let go with it),
    /// or makes a cache once the text seen is long enough.
    @inline(__always)
    mutating func willEncode(_ count: Int, vocabulary: Vocabulary) {
        guard pieceCache == nil, usesPieceCache else { return }
        bytesSeen += count
        let kept = usesThreadCaches && usesBacktracking
        if kept && !askedThread {
            askedThread = true
            if let cache = ThreadPieceCaches.current.take(vocabulary.serial, owner: vocabulary, adding: count,
                                                          threshold: pieceCacheThreshold) {
                adopt(PieceCacheStorage(cache, keptFor: vocabulary.serial))
                return
            }
        }
        if bytesSeen >= pieceCacheThreshold {
            // A kept cache goes back to the thread: always full size.
            let sets = kept ? CompactPieceTier.initialSets : compactCacheSets
            adopt(PieceCacheStorage(PieceCache(compactSets: sets), keptFor: kept ? vocabulary.serial : nil))
        }
    }

    private mutating func adopt(_ storage: PieceCacheStorage) {
        pieceCacheStorage = storage
        pieceCache = storage.cache
    }

    /// `v`'s backtracking tables (built by the first caller in the process), or `nil`.
    @inline(__always)
    mutating func backtracking(_ v: Vocabulary) -> Backtracking? {
        if !backtrackingFetched {
            backtracking = usesBacktracking ? v.backtracking : nil
            backtrackingFetched = true
        }
        return backtracking
    }
}
