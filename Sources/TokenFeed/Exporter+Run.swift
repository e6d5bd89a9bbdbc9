import BPE
import BPERegex
import Dispatch
import Foundation

extension Exporter {
    /// One export in progress: reads blocks, encodes them a batch at a time on all threads,
    /// and streams the tokens in document order into the two splits.
    ///
    /// The corpus hands out blocks already split into documents (``Corpus/Block``), the
    /// first of which may continue the previous block's document: that one gets no
    /// `<|endoftext|>` of its own, so a document cut across blocks gets exactly one.
    struct Run {
        let exporter: Exporter
        let corpusFiles: Int
        let train: SplitOutput
        let val: SplitOutput
        var batch: [Corpus.Block] = []
        /// For each block in `batch`, for each of its documents: does it go to validation?
        var routes: [[Bool]] = []
        var batchBytes = 0
        var progress = Progress()
        /// The split of the document whose pieces are still arriving.
        var currentIsValidation = false
        /// The split patterns of the built-in encodings allow cutting long documents (see
        /// ``SafeCut``); a custom pattern might join across the cut, so it is never cut.
        let canCut: Bool
        /// A part of a corpus (``Exporter/exportPart(_:inputs:to:progress:)``): every document
        /// goes to `train`, which is then the part's one token file, with its document index.
        /// The split is decided when the parts are combined, by each document's place in the
        /// whole corpus.
        let asPart: Bool

        init(exporter: Exporter, staging: String, corpusFiles: Int, asPart: Bool = false) {
            self.exporter = exporter
            self.corpusFiles = corpusFiles
            self.asPart = asPart
            let o = exporter.options
            if asPart {
                train = SplitOutput(directory: staging, split: "part", name: exporter.name, layout: .raw,
                                    dtype: exporter.tokenType, perShard: Int.max, rotates: false, firstIndex: 0,
                                    rawFile: PartMeta.tokensFile,
                                    documentIndex: DocumentIndexWriter(path: (staging as NSString).appendingPathComponent(PartMeta.documentsFile)))
                val = train
            } else {
                (train, val) = SplitOutput.splits(directory: staging, format: o.format, name: exporter.name,
                                                  dtype: exporter.tokenType, shardTokens: o.shardTokens)
            }
            canCut = SplitPattern.presetName(of: exporter.encoding.pattern.source) != nil
        }

        mutating func read(_ corpus: Corpus, progress report: (Progress) -> Void) throws(ShardError) {
            do {
                try corpus.forEachBlock { block in
                    progress.bytesRead += block.bytes.count
                    add(block)
                    if batchBytes >= exporter.options.batchBytes {
                        try flush()
                        report(progress)
                    }
                }
            } catch let e as ShardError {
                throw e
            } catch let e as Corpus.Error {
                throw .corpus(e)
            } catch {
                throw .cannotRead(path: "the corpus", reason: "\(error)")
            }
            try flush()
            report(progress)
        }

        /// Assigns each new document its split, in corpus order.
        private mutating func add(_ block: Corpus.Block) {
            var route: [Bool] = []
            for d in block.documents.indices {
                if Self.startsDocument(d, of: block) {
                    currentIsValidation = !asPart && exporter.options.validation.isValidation(document: progress.documents)
                    progress.documents += 1
                    (currentIsValidation ? val : train).totals.documents += 1
                }
                route.append(currentIsValidation)
            }
            batch.append(block)
            routes.append(route)
            batchBytes += block.bytes.count
        }

        /// Whether document `d` of `block` is a document's first bytes (and gets an
        /// `<|endoftext|>` before it).
        static func startsDocument(_ d: Int, of block: Corpus.Block) -> Bool {
            d > 0 || !block.continuesDocument
        }

        /// A range of one block's bytes to encode: a document, or a part of a long one.
        struct Job: Sendable {
            var block: Int
            var range: Range<Int>
        }

        enum JobResult: Sendable {
            case tokens([UInt32])
            /// Offset of the first invalid UTF-8 byte in the job's range.
            case invalid(Int)
        }

        /// Encodes the batch on all threads, then appends the tokens in order.
        private mutating func flush() throws(ShardError) {
            defer { batch = []; routes = []; batchBytes = 0 }
            var jobs: [Job] = []
            var jobsOfDocument: [[Range<Int>]] = []  // block → document → its jobs
            for (b, block) in batch.enumerated() {
                var ranges: [Range<Int>] = []
                block.bytes.withUnsafeBufferPointer { bytes in
                    for document in block.documents {
                        let parts = canCut && document.count > exporter.options.partBytes
                            ? SafeCut.split(bytes, document, target: exporter.options.partBytes) : [document]
                        ranges.append(jobs.count..<(jobs.count + parts.count))
                        jobs += parts.map { Job(block: b, range: $0) }
                    }
                }
                jobsOfDocument.append(ranges)
            }
            let results = Self.encode(jobs, in: batch, with: exporter.encoding, threads: exporter.options.threads)
            let eot: ArraySlice<UInt32> = [exporter.eot]
            for (b, block) in batch.enumerated() {
                for d in block.documents.indices {
                    let out = routes[b][d] ? val : train
                    if Self.startsDocument(d, of: block) {
                        try out.startDocument()
                        try out.append(eot)
                    }
                    for j in jobsOfDocument[b][d] {
                        switch results[j] {
                        case .invalid(let at):
                            throw .invalidUTF8(file: block.file, offset: block.fileOffset + jobs[j].range.lowerBound + at)
                        case .tokens(let t):
                            try out.append(t[...])
                        }
                    }
                }
            }
            progress.tokens = asPart ? train.totals.tokens : train.totals.tokens + val.totals.tokens
        }

        /// Runs `jobs` on `threads` threads; each thread takes the next job when it is done
        /// with one, so a long document does not hold up a fixed share of the work.
        private static func encode(_ jobs: [Job], in batch: [Corpus.Block],
                                   with encoding: Encoding, threads: Int) -> [JobResult] {
            // The next job to take and the results so far; a lock per job is nothing next to
            // encoding one (a document, or a part of up to a megabyte).
            let state = Locked((next: 0, results: [JobResult](repeating: .tokens([]), count: jobs.count)))
            DispatchQueue.concurrentPerform(iterations: min(threads, jobs.count)) { _ in
                while let j = state.withLock({ s -> Int? in
                    guard s.next < jobs.count else { return nil }
                    s.next += 1
                    return s.next - 1
                }) {
                    let job = jobs[j]
                    let result: JobResult = batch[job.block].bytes.withUnsafeBufferPointer { all in
                        let text = UnsafeBufferPointer(rebasing: all[job.range])
                        if let bad = UTF8Validation.firstInvalid(in: text, from: 0) { return .invalid(bad.lowerBound) }
                        return .tokens(encoding.encodeOrdinary(bytes: text))
                    }
                    state.withLock { $0.results[j] = result }
                }
            }
            return state.withLock { $0.results }
        }
    }

    /// The tokens of one split: one file (val, nanoGPT) or numbered shards (llm.c train).
    final class SplitOutput {
        let directory: String
        let split: String
        /// The llm.c shard name prefix.
        let name: String
        let layout: ShardWriter.Layout
        let dtype: TokenDType
        let perShard: Int
        let rotates: Bool
        /// The one file of a raw split (default `SPLIT.bin`).
        let rawFile: String?
        /// Records each document's token count (a part's documents.bin), or `nil`.
        let documentIndex: DocumentIndexWriter?
        private var writer: ShardWriter?
        private var nextIndex: Int
        /// Tokens of the document being appended, once ``startDocument()`` was called.
        private var documentTokens: Int?
        var totals = ShardMeta.Split()

        init(directory: String, split: String, name: String, layout: ShardWriter.Layout, dtype: TokenDType,
             perShard: Int, rotates: Bool, firstIndex: Int, rawFile: String? = nil, documentIndex: DocumentIndexWriter? = nil) {
            self.directory = directory
            self.split = split
            self.name = name
            self.layout = layout
            self.dtype = dtype
            self.perShard = perShard
            self.rotates = rotates
            self.rawFile = rawFile
            self.documentIndex = documentIndex
            nextIndex = firstIndex
        }

        /// An export's two splits: llm.c train shards of at most `shardTokens` tokens from
        /// index 1 and one val shard at index 0, or nanoGPT's train.bin and val.bin. The one
        /// definition of the layout, for an export on one machine and for combined parts.
        static func splits(directory: String, format: Format, name: String, dtype: TokenDType,
                           shardTokens: Int) -> (train: SplitOutput, val: SplitOutput) {
            let llmc = format == .llmc
            let layout: ShardWriter.Layout = llmc ? .llmc : .raw
            return (SplitOutput(directory: directory, split: "train", name: name, layout: layout, dtype: dtype,
                                perShard: llmc ? shardTokens : Int.max, rotates: llmc, firstIndex: 1),
                    SplitOutput(directory: directory, split: "val", name: name, layout: layout, dtype: dtype,
                                perShard: llmc ? Int(Int32.max) : Int.max, rotates: false, firstIndex: 0))
        }

        /// A new document begins with the next token appended (its `<|endoftext|>`).
        func startDocument() throws(ShardError) {
            guard let documentIndex else { return }
            if let n = documentTokens { try documentIndex.append(n) }
            documentTokens = 0
        }

        func append(_ tokens: ArraySlice<UInt32>) throws(ShardError) {
            var rest = tokens
            while !rest.isEmpty {
                let w = try current()
                let room = min(perShard - w.tokenCount, w.remaining)
                guard room > 0 else {
                    guard rotates else { throw .validationTooLarge(limit: w.capacity) }
                    try w.finish()
                    writer = nil
                    continue
                }
                let take = rest.prefix(room)
                try w.append(take)
                rest = rest.dropFirst(take.count)
                totals.tokens += take.count
            }
            if documentTokens != nil { documentTokens! += tokens.count }
        }

        /// The open shard, or a new one.
        private func current() throws(ShardError) -> ShardWriter {
            if let writer { return writer }
            return try open()
        }

        private func open() throws(ShardError) -> ShardWriter {
            let file = layout == .llmc ? LLMCShard.fileName(name: name, split: split, index: nextIndex) : rawFile ?? "\(split).bin"
            nextIndex += 1
            let w = try ShardWriter(path: (directory as NSString).appendingPathComponent(file), layout: layout, dtype: dtype)
            totals.files.append(file)
            writer = w
            return w
        }

        /// Publishes the open shard (and the document index); a split with no tokens still
        /// gets one (empty) file.
        func finish() throws(ShardError) {
            let w = try current()
            try w.finish()
            writer = nil
            if let documentIndex {
                if let n = documentTokens { try documentIndex.append(n) }
                documentTokens = nil
                try documentIndex.finish()
            }
        }
    }
}

extension Exporter.Run {
    /// Checks the totals and publishes the last shards (into the staging folder).
    mutating func finish() throws(ShardError) {
        if asPart {
            // Any count of documents, none included: the totals are checked when combining.
            try train.finish()
            return
        }
        guard progress.documents > 0 else { throw .emptyCorpus(files: corpusFiles) }
        guard train.totals.documents > 0 else {
            throw .noTrainingDocuments(documents: progress.documents, rule: exporter.options.validation)
        }
        try train.finish()
        try val.finish()
    }
}
