import BPERegex
import Dispatch
import Foundation

/// Trains a byte-level BPE vocabulary: corpus in, `.tiktoken` ranks out.
///
/// 1. **Count** the chunks the split pattern cuts each document into, streaming, on all
///    cores (``countChunks(in:)``). Memory grows with the number of distinct chunks.
/// 2. **Merge** over the distinct chunks with incremental pair counts, a heap and a
///    pair → words index (``MergeTrainer``), until the vocabulary has ``Options/vocabSize``
///    tokens or no pair occurs ``Options/minFrequency`` times.
///
/// Ranks 0–255 are the single bytes in byte order; merge *k* gets rank 256 + *k*; special
/// tokens get the ids after the last merge. The same corpus and options give the same
/// vocabulary on any machine and any thread count.
///
/// ```swift
/// let trainer = try Trainer(options: .init(vocabSize: 1024))
/// let counts = try trainer.countChunks(in: Corpus(inputs: ["shakespeare/"]))
/// let vocab = trainer.train(counts: counts)
/// try vocab.write(to: "shakespeare.tiktoken")     // + shakespeare.tiktoken.json
/// let enc = try vocab.encoding()
/// ```
public struct Trainer: Sendable {
    public struct Options: Sendable, Codable, Equatable {
        /// Total tokens: the 256 bytes plus the merges (special tokens come on top).
        public var vocabSize: Int
        /// Split pattern: a preset (`gpt2`, `cl100k`, `o200k`) or a regex in tiktoken's syntax.
        public var pattern: String = "cl100k"
        /// Special tokens, given ids after the merges in this order.
        public var specialTokens: [String] = []
        /// Stop when the most frequent pair occurs fewer times than this.
        public var minFrequency: UInt64 = 1
        /// Worker threads for counting (default: ``Processors/allowed``).
        public var threads: Int = Processors.allowed
        /// Replace invalid UTF-8 with U+FFFD instead of failing.
        public var lossy: Bool = false

        public init(vocabSize: Int, pattern: String = "cl100k", specialTokens: [String] = [],
                    minFrequency: UInt64 = 1, threads: Int? = nil, lossy: Bool = false) {
            self.vocabSize = vocabSize
            self.pattern = pattern
            self.specialTokens = specialTokens
            self.minFrequency = minFrequency
            if let threads { self.threads = threads }
            self.lossy = lossy
        }

        /// The pattern in tiktoken's (Rust regex) syntax, presets expanded.
        public var tiktokenPattern: String { SplitPattern.tiktokenSource(pattern) }

        /// Checks every option on its own (the pattern is checked when ``Trainer`` compiles
        /// it). ``Trainer/init(options:)`` calls it; a front end may call it earlier, to
        /// refuse bad options before reading anything.
        /// - Throws: ``TrainingError``.
        public func validate() throws(TrainingError) {
            guard vocabSize >= 256 && vocabSize <= Trainer.maxVocabSize else { throw .vocabSizeOutOfRange(vocabSize) }
            guard threads >= 1 else { throw .noThreads(threads) }
            guard minFrequency >= 1 else { throw .zeroMinFrequency }
            var seen = Set<String>()
            for token in specialTokens {
                guard !token.isEmpty else { throw .emptySpecialToken }
                guard seen.insert(token).inserted else { throw .duplicateSpecialToken(token) }
            }
        }
    }

    /// Largest vocabulary we accept: ranks must fit comfortably in 31 bits.
    public static let maxVocabSize = 1 << 31 - 1

    public let options: Options
    /// How documents are cut into chunks: the same splitter an ``Encoding`` uses.
    let splitter: Splitter

    /// - Throws: ``TrainingError`` for options out of range (see ``Options/validate()``),
    ///   `PatternError` for a pattern that does not compile.
    public init(options: Options) throws {
        try options.validate()
        self.options = options
        splitter = try Splitter(pcre2Pattern: SplitPattern.pcre2(fromTiktoken: options.tiktokenPattern))
    }

    /// Counts the chunks of every document in `corpus`, on ``Options/threads`` threads.
    ///
    /// - Parameter progress: called after each round of blocks with the bytes read so far.
    /// - Throws: ``Corpus/Error`` for unreadable files or (unless lossy) invalid UTF-8.
    /// - Complexity: O(corpus size / threads); memory O(distinct chunks + threads × block).
    public func countChunks(in corpus: Corpus, progress: (Int) -> Void = { _ in }) throws -> ChunkCounter {
        let threads = options.threads
        // One counter per thread, each locked only by its own thread (once per block).
        let counters = (0..<threads).map { _ in Locked(ChunkCounter()) }
        let failure = Locked<Corpus.Error?>(nil)
        var round: [Corpus.Block] = []
        var bytesRead = 0
        func flush() throws {
            let blocks = round
            round = []
            DispatchQueue.concurrentPerform(iterations: min(threads, blocks.count)) { t in
                var matcher: Matcher?
                var i = t
                while i < blocks.count {
                    if let e = counters[t].withLock({ count(blocks[i], into: &$0, &matcher) }) {
                        failure.withLock { if $0 == nil { $0 = e } }
                    }
                    i += threads
                }
            }
            if let e = failure.withLock({ $0 }) { throw e }
            progress(bytesRead)
        }
        try corpus.forEachBlock { block in
            bytesRead += block.bytes.count
            round.append(block)
            if round.count >= threads { try flush() }
        }
        if !round.isEmpty { try flush() }
        guard bytesRead > 0 else { throw Corpus.Error.noInput }
        var total = counters[0].withLock { $0 }
        for c in counters.dropFirst() { c.withLock { total.merge($0) } }
        return total
    }

    /// Counts one block's documents; returns the first invalid UTF-8 error unless lossy.
    private func count(_ block: Corpus.Block, into counter: inout ChunkCounter, _ matcher: inout Matcher?) -> Corpus.Error? {
        block.bytes.withUnsafeBufferPointer { buf -> Corpus.Error? in
            for doc in block.documents {
                let slice = UnsafeBufferPointer(rebasing: buf[doc])
                if let bad = UTF8Validation.firstInvalid(in: slice, from: 0) {
                    guard options.lossy else {
                        return .invalidUTF8(file: block.file, offset: block.fileOffset + doc.lowerBound + bad.lowerBound)
                    }
                    let repaired = Array(String(decoding: slice, as: UTF8.self).utf8)
                    repaired.withUnsafeBufferPointer { countDocument($0, into: &counter, &matcher) }
                } else {
                    countDocument(slice, into: &counter, &matcher)
                }
            }
            return nil
        }
    }

    private func countDocument(_ doc: UnsafeBufferPointer<UInt8>, into counter: inout ChunkCounter, _ matcher: inout Matcher?) {
        guard let base = doc.baseAddress else { return }
        splitter.forEachPiece(in: doc, matcher: &matcher) { start, end, _ in counter.add(base + start, end - start) }
    }

    /// Runs the merges over counted chunks.
    ///
    /// - Parameter onMerge: sees each merge as it is made (for progress and `--verbose`).
    /// - Complexity: see ``MergeTrainer``.
    /// - Parameter counts: consumed: its tables are freed once the trainer has read the chunks,
    ///   before the merges start (a caller that keeps its own copy keeps them alive).
    public func train(counts: consuming ChunkCounter, onMerge: (MergeTrainer.Merge) -> Void = { _ in }) -> TrainedVocabulary {
        let distinct = counts.count, total = counts.total
        let merger = MergeTrainer(counts: counts)   // takes the counter: freed when it has read it
        let merges = merger.train(merges: options.vocabSize - 256, minFrequency: options.minFrequency, onMerge: onMerge)
        var tokens: [[UInt8]] = (0...255).map { [UInt8($0)] }
        for m in merges { tokens.append(tokens[Int(m.pair.0)] + tokens[Int(m.pair.1)]) }
        var specials: [String: Rank] = [:]
        for (i, s) in options.specialTokens.enumerated() { specials[s] = Rank(tokens.count + i) }
        return TrainedVocabulary(tokens: tokens, merges: merges, specialTokens: specials,
                                 pattern: options.tiktokenPattern,
                                 patternName: Sidecar.presetName(ofTiktoken: options.tiktokenPattern),
                                 options: options, distinctChunks: distinct, totalChunks: total)
    }
}
