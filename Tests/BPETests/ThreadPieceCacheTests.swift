@testable import BPE
import Foundation
import Testing
import TestSupport

/// A thread keeps its piece caches between calls (``ThreadPieceCaches``): a warm cache must
/// answer only with what a merge would give, for the vocabulary it was filled with, and a
/// call nested in another must not share the cache in use.
@Suite struct ThreadPieceCacheTests {
    /// Runs `body` on a new thread and waits for it: each test starts from a thread that has
    /// kept nothing, whatever ran before on the test runner's threads.
    func onNewThread(_ body: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            body()
            done.signal()
        }
        thread.start()
        done.wait()
    }

    /// Words that merge into several tokens (the cache's business), in many scripts.
    static func text(seed: UInt64, bytes: Int) -> [UInt8] {
        var rng = SplitMix(seed: seed)
        let words = [" unbelievable", " Strawberries", " naïveté", " Überraschung", " достопримечательность",
                     " 東京都庁舎", " المستشفيات", " ελληνικά", " antidisestablishment", "'s", "\n", " 2024"]
        var out: [UInt8] = []
        while out.count < bytes { out += Array(words.randomElement(using: &rng)!.utf8) }
        return out
    }

    /// What the encoder gives with no piece cache at all.
    func plain(_ enc: Encoding, _ bytes: [UInt8]) -> [Rank] {
        enc.encodeOrdinary(bytes: bytes, pieceCache: false, backtracking: true)
    }

    /// The first index where `a` and `b` differ, or `nil` (a failure names one index, not
    /// two arrays of thousands of ids).
    func difference(_ a: [Rank], _ b: [Rank]) -> Int? {
        for i in 0..<min(a.count, b.count) where a[i] != b[i] { return i }
        return a.count == b.count ? nil : min(a.count, b.count)
    }

    @Test func aCallOver16KiBLeavesAWarmCacheThatGivesTheSameTokens() throws {
        let enc = try Encoding.builtin("o200k_base")
        let first = Self.text(seed: 1, bytes: 20_000), second = Self.text(seed: 2, bytes: 3_000)
        onNewThread {
            let serial = enc.vocabulary.serial
            #expect(!ThreadPieceCaches.current.holdsCache(for: serial))
            #expect(difference(enc.encodeOrdinary(bytes: first), plain(enc, first)) == nil)
            #expect(ThreadPieceCaches.current.holdsCache(for: serial))
            // The short call takes the warm cache, full of these words, and gives it back.
            #expect(difference(enc.encodeOrdinary(bytes: second), plain(enc, second)) == nil)
            #expect(ThreadPieceCaches.current.holdsCache(for: serial))
        }
    }

    @Test func shortCallsAddUpToTheThreshold() throws {
        let enc = try Encoding.builtin("cl100k_base")
        onNewThread {
            let serial = enc.vocabulary.serial
            for i in 0..<7 {
                let t = Self.text(seed: UInt64(10 + i), bytes: 2_000)
                #expect(difference(enc.encodeOrdinary(bytes: t), plain(enc, t)) == nil)
            }
            // 7 × 2,000 bytes: under 16 KiB, no cache yet.
            #expect(!ThreadPieceCaches.current.holdsCache(for: serial))
            for i in 0..<2 {
                let t = Self.text(seed: UInt64(20 + i), bytes: 2_000)
                #expect(difference(enc.encodeOrdinary(bytes: t), plain(enc, t)) == nil)
            }
            #expect(ThreadPieceCaches.current.holdsCache(for: serial))
        }
    }

    /// The same words in three vocabularies, taking turns on one thread: a cache kept under
    /// the wrong vocabulary would give one vocabulary's tokens to another.
    @Test func eachVocabularyHasItsOwnCache() throws {
        let encodings = try ["r50k_base", "cl100k_base", "o200k_base"].map { try Encoding.builtin($0) }
        let text = Self.text(seed: 3, bytes: 40_000)
        onNewThread {
            for _ in 0..<2 {
                for enc in encodings {
                    #expect(difference(enc.encodeOrdinary(bytes: text), plain(enc, text)) == nil, "\(enc.name)")
                }
            }
            for enc in encodings { #expect(ThreadPieceCaches.current.holdsCache(for: enc.vocabulary.serial)) }
        }
    }

    /// Two encodings loaded from one vocabulary file are two vocabularies as far as the caches
    /// go, and a vocabulary built anew never inherits the cache of one before it.
    @Test func aNewVocabularyStartsCold() throws {
        let enc = try Encoding.builtin("cl100k_base")
        let path = try VocabLocator().locate("cl100k_base.tiktoken")
        let text = Self.text(seed: 4, bytes: 20_000)
        onNewThread {
            #expect(difference(enc.encodeOrdinary(bytes: text), plain(enc, text)) == nil)
            let other = try! Encoding.load(tiktokenFile: path, pattern: "cl100k")
            #expect(other.vocabulary.serial != enc.vocabulary.serial)
            #expect(!ThreadPieceCaches.current.holdsCache(for: other.vocabulary.serial))
            #expect(difference(other.encodeOrdinary(bytes: text), plain(enc, text)) == nil)
        }
    }

    /// A vocabulary that is gone takes its cache with it: the thread lets it go when a
    /// vocabulary new to it comes (a cache kept under a bare serial, as the tests below keep
    /// them, stays).
    @Test func aVocabularyThatIsGoneLeavesNoCache() throws {
        let enc = try Encoding.builtin("cl100k_base")
        let path = try VocabLocator().locate("cl100k_base.tiktoken")
        let text = Self.text(seed: 7, bytes: 20_000)
        onNewThread {
            var gone: UInt64 = 0
            weak var goneVocabulary: Vocabulary?
            do {
                let other = try! Encoding.load(tiktokenFile: path, pattern: "cl100k")
                #expect(difference(other.encodeOrdinary(bytes: text), plain(enc, text)) == nil)
                gone = other.vocabulary.serial
                goneVocabulary = other.vocabulary
                #expect(ThreadPieceCaches.current.holdsCache(for: gone))
                // A known vocabulary does not look for gone ones.
                #expect(difference(other.encodeOrdinary(bytes: text), plain(enc, text)) == nil)
            }
            #expect(goneVocabulary == nil)
            let bare = UInt64.max - 1   // no vocabulary has it
            ThreadPieceCaches.current.keep(PieceCache(), for: bare)
            #expect(ThreadPieceCaches.current.holdsCache(for: gone))   // not looked for yet
            #expect(difference(enc.encodeOrdinary(bytes: text), plain(enc, text)) == nil)
            #expect(!ThreadPieceCaches.current.holdsCache(for: gone))
            #expect(ThreadPieceCaches.current.holdsCache(for: enc.vocabulary.serial))
            #expect(ThreadPieceCaches.current.holdsCache(for: bare))
        }
    }

    /// An encode inside a stream's callback, on the same thread and vocabulary: the inner call
    /// finds the thread's cache taken out, so it uses its own; both give the right tokens and
    /// the thread ends up keeping one cache.
    @Test func aNestedCallDoesNotShareTheCacheInUse() throws {
        let enc = try Encoding.builtin("o200k_base")
        let outer = Self.text(seed: 5, bytes: 60_000), inner = Self.text(seed: 6, bytes: 20_000)
        onNewThread {
            var streamed: [Rank] = []
            var innerResults: [[Rank]] = []
            var offset = 0
            try! enc.encodeStream(read: { n in
                defer { offset = min(offset + n, outer.count) }
                return Array(outer[offset..<min(offset + n, outer.count)])
            }, blockSize: 16_384, disallowedSpecial: .none) { ids in
                streamed += ids
                innerResults.append(enc.encodeOrdinary(bytes: inner))
            }
            #expect(difference(streamed, plain(enc, outer)) == nil)
            #expect(!innerResults.isEmpty)
            for r in innerResults { #expect(difference(r, plain(enc, inner)) == nil) }
            #expect(ThreadPieceCaches.current.holdsCache(for: enc.vocabulary.serial))
        }
    }

    @Test func keepsAtMostFourVocabulariesAndDropsTheLeastRecent() {
        onNewThread {
            let caches = ThreadPieceCaches.current
            caches.removeAll()
            for serial: UInt64 in 1...4 { caches.keep(PieceCache(), for: serial) }
            // Using 1 again makes 2 the least recently used.
            if let c = caches.take(1, adding: 0, threshold: .max) { caches.keep(c, for: 1) }
            caches.keep(PieceCache(), for: 5)
            #expect((1...5).map { caches.holdsCache(for: $0) } == [true, false, true, true, true])
            // A cache given back while the thread holds one for that vocabulary is freed, not kept twice.
            caches.keep(PieceCache(), for: 5)
            #expect(caches.holdsCache(for: 5))
            // Taken out: the thread holds none until it comes back.
            let taken = caches.take(5, adding: 0, threshold: .max)
            #expect(taken != nil && !caches.holdsCache(for: 5))
            caches.keep(taken!, for: 5)
            caches.removeAll()
            #expect(!caches.holdsCache(for: 5))
        }
    }

    /// The checks that compare the encoder's paths (`EncoderPathTests`, `FuzzEncode`) must
    /// merge afresh: they neither take nor leave a thread cache.
    @Test func pathChecksLeaveNoCache() throws {
        let enc = try Encoding.builtin("o200k_base")
        let text = Self.text(seed: 7, bytes: 40_000)
        onNewThread {
            _ = enc.encodeOrdinary(bytes: text, pieceCache: true, backtracking: true)
            _ = enc.encodeOrdinary(bytes: text, pieceCache: true, backtracking: false)
            #expect(!ThreadPieceCaches.current.holdsCache(for: enc.vocabulary.serial))
        }
    }
}
