import Foundation

/// The piece caches a thread keeps between texts, one per vocabulary it encoded with lately,
/// so that the next `encode` on the thread starts warm instead of merging again every word
/// it merged before (what splintr and gigatoken keep too).
///
/// Without it a piece cache lived for one call: a program that encodes its texts one call
/// at a time (a chat message, a document, a line) merged each text's words afresh, and a
/// call under 16 KiB had no cache at all. Now a thread that has encoded 16 KiB with a
/// vocabulary, in one call or many, keeps that vocabulary's cache (4.1 MiB, up to 16.1 MiB
/// as it grows and makes tiers for longer pieces, cleared in huge pages when made, with its
/// spill of 1 MiB where pieces need it, and its ``PieceTable``, up to 8 MiB more and a
/// 1 MiB arena where pieces need it) for its next calls.
///
/// - Exactness: a cache holds a piece's whole bytes and the tokens that vocabulary's merge
///   gave them, and vocabularies are immutable, so a kept cache answers only with what a
///   merge would give. It is kept under ``Vocabulary/serial``, never under an address that
///   a later vocabulary could reuse.
/// - Threads: each thread has its own, reached through a POSIX thread-specific key, so
///   nothing is shared and nothing is locked; a thread's caches are freed when it ends.
/// - Nesting: a call takes the cache out while it runs and gives it back at its end, so a
///   call made inside another (from a stream's callback) gets a cache of its own, never the
///   one in use.
/// - Memory: at most ``maxVocabularies`` caches a thread; the least recently used goes, and
///   so does the cache of a vocabulary that no longer exists, once the thread meets a
///   vocabulary new to it (a program that loads encodings afresh, as `bpe-bench --fresh`
///   does for every run, held the caches of every vocabulary it had let go until four
///   newer ones pushed them out: up to 16 MiB each).
///
/// ```swift
/// var state = EncodeState()
/// state.willEncode(text.count, vocabulary: v.serial)   // the thread's warm cache, if any
/// // … encode; when `state` goes, its cache goes back to the thread
/// ```
/// - Complexity: ``take(_:adding:threshold:)`` and ``keep(_:for:)`` are O(``maxVocabularies``),
///   once per call, not per piece.
final class ThreadPieceCaches {
    /// Caches a thread keeps at most, one per vocabulary.
    static let maxVocabularies = 4

    private struct Entry {
        var vocabulary: UInt64
        /// The vocabulary itself, when the caller named it: once it is gone, so is the entry.
        weak var owner: AnyObject?
        /// Whether `owner` was named (tests keep caches under bare serials).
        var owned: Bool
        /// Bytes the thread has encoded with the vocabulary (while it has no cache yet).
        var bytesSeen: Int
        /// `nil` while a call has it out, or before the first is made.
        var cache: PieceCache?
    }
    /// Most recently used first.
    private var entries: [Entry] = []

    deinit {
        for e in entries { e.cache?.deallocate() }
    }

    /// The calling thread's caches, made on first use.
    static var current: ThreadPieceCaches {
        if let p = pthread_getspecific(threadKey) {
            return Unmanaged<ThreadPieceCaches>.fromOpaque(p).takeUnretainedValue()
        }
        let caches = ThreadPieceCaches()
        pthread_setspecific(threadKey, Unmanaged.passRetained(caches).toOpaque())
        return caches
    }

    /// For a call that is about to encode `count` bytes with vocabulary `serial`: the
    /// thread's cache for it, taken out until ``keep(_:for:)`` gives it back; else a new
    /// cache once the thread has encoded `threshold` bytes with that vocabulary; else `nil`.
    /// `owner`, the vocabulary of that serial, lets the thread drop the entry once it is
    /// gone.
    func take(_ serial: UInt64, owner: AnyObject? = nil, adding count: Int, threshold: Int) -> PieceCache? {
        var e: Entry
        if let found = remove(serial) {
            e = found
        } else {
            dropGone()
            e = Entry(vocabulary: serial, owner: owner, owned: owner != nil, bytesSeen: 0, cache: nil)
        }
        e.bytesSeen = e.bytesSeen &+ count
        var out: PieceCache?
        if let cache = e.cache {
            out = cache
            e.cache = nil
        } else if e.bytesSeen >= threshold {
            out = PieceCache()
        }
        insertFirst(e)
        return out
    }

    /// Gives back a cache of vocabulary `serial` at the end of its call: kept when the
    /// thread holds none for that vocabulary (a nested call may have given one back first),
    /// else freed.
    func keep(_ cache: PieceCache, for serial: UInt64) {
        var e = remove(serial) ?? Entry(vocabulary: serial, owner: nil, owned: false, bytesSeen: 0, cache: nil)
        if e.cache == nil { e.cache = cache } else { cache.deallocate() }
        insertFirst(e)
    }

    /// Whether the thread keeps a cache for vocabulary `serial` now (for tests).
    func holdsCache(for serial: UInt64) -> Bool {
        entries.contains { $0.vocabulary == serial && $0.cache != nil }
    }

    /// Frees every cache the thread keeps, and forgets what it has encoded.
    func removeAll() {
        for e in entries { e.cache?.deallocate() }
        entries.removeAll()
    }

    /// Frees the caches of vocabularies that are gone (O(``maxVocabularies``); only when a
    /// vocabulary new to the thread comes, so a call with a known one pays nothing).
    private func dropGone() {
        entries.removeAll { e in
            guard e.owned && e.owner == nil else { return false }
            e.cache?.deallocate()
            return true
        }
    }

    private func remove(_ serial: UInt64) -> Entry? {
        guard let i = entries.firstIndex(where: { $0.vocabulary == serial }) else { return nil }
        return entries.remove(at: i)
    }

    private func insertFirst(_ e: Entry) {
        entries.insert(e, at: 0)
        while entries.count > Self.maxVocabularies { entries.removeLast().cache?.deallocate() }
    }
}

/// The key of each thread's ``ThreadPieceCaches``; its destructor releases them when the
/// thread ends.
private let threadKey: pthread_key_t = {
    var key = pthread_key_t()
    #if os(Linux)
    let status = pthread_key_create(&key) { p in
        if let p { Unmanaged<ThreadPieceCaches>.fromOpaque(p).release() }
    }
    #else
    let status = pthread_key_create(&key) { p in Unmanaged<ThreadPieceCaches>.fromOpaque(p).release() }
    #endif
    precondition(status == 0, "pthread_key_create failed (\(status)): the process has used up its thread-specific keys")
    return key
}()
