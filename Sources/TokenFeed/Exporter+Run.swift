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

        init(exporter: Exporter, staging: String, corpusFiles: Int) {
            self.exporter = exporter
            self.corpusFiles = corpusFiles
            let o = exporter.options
            let llmc = o.format == .llmc
            train = SplitOutput(directory: staging, split: "train", exporter: exporter,
                                perShard: llmc ? o.shardTokens : Int.max, rotates: llmc, firstIndex: 1)
            val = SplitOutput(directory: staging, split: "val", exporter: exporter,
                              perShard: llmc ? Int(Int32.max) : Int.max, rotates: false, firstIndex: 0)
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
                    currentIsValidation = exporter.options.validation.isValidation(document: progress.documents)
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
                    if Self.startsDocument(d, of: block) { try out.append(eot) }
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
            progress.tokens = train.totals.tokens + val.totals.tokens
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
        let exporter: Exporter
        let perShard: Int
        let rotates: Bool
        private var writer: ShardWriter?
        private var nextIndex: Int
        var totals = ShardMeta.Split()

        init(directory: String, split: String, exporter: Exporter, perShard: Int, rotates: Bool, firstIndex: Int) {
            self.directory = directory
            self.split = split
            self.exporter = exporter
            self.perShard = perShard
            self.rotates = rotates
            nextIndex = firstIndex
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
        }

        /// The open shard, or a new one.
        private func current() throws(ShardError) -> ShardWriter {
            if let writer { return writer }
            return try open()
        }

        private func open() throws(ShardError) -> ShardWriter {
            let file = exporter.options.format == .llmc
                ? LLMCShard.fileName(name: exporter.name, split: split, index: nextIndex) : "\(split).bin"
            nextIndex += 1
            let w = try ShardWriter(path: (directory as NSString).appendingPathComponent(file),
                                    layout: exporter.options.format == .llmc ? .llmc : .raw, dtype: exporter.tokenType)
            totals.files.append(file)
            writer = w
            return w
        }

        /// Publishes the open shard; a split with no tokens still gets one (empty) file.
        func finish() throws(ShardError) {
            let w = try current()
            try w.finish()
            writer = nil
        }
    }
}

extension Exporter.Run {
    /// Checks the totals and publishes the last shards (into the staging folder).
    mutating func finish() throws(ShardError) {
        guard progress.documents > 0 else { throw .emptyCorpus(files: corpusFiles) }
        guard train.totals.documents > 0 else {
            throw .noTrainingDocuments(documents: progress.documents, rule: exporter.options.validation)
        }
        try train.finish()
        try val.finish()
    }
}
