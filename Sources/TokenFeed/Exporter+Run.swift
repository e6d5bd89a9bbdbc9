import BPE
import BPERegex
import Dispatch
import Foundation

extension Exporter {
    /// One export in progress: reads blocks, encodes them a batch at a time on all threads,
    /// and streams the tokens in document order into the two splits.
    struct Run {
        let exporter: Exporter
        let corpusFiles: Int
        var stream: DocumentStream
        let train: SplitOutput
        let val: SplitOutput
        var batch: [DocumentStream.Chunk] = []
        /// For each chunk in `batch`, for each of its pieces: does it go to validation?
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
            stream = DocumentStream(separator: exporter.options.docSeparator)
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
                    for chunk in stream.feed(block) { add(chunk) }
                    if batchBytes >= exporter.options.batchBytes {
                        try flush()
                        report(progress)
                    }
                }
            } catch let e as ShardError {
                throw e
            } catch let e as Corpus.Error {
                throw .corpus(e.description)
            } catch {
                throw .corpus("\(error)")
            }
            if let last = stream.finish() { add(last) }
            try flush()
            report(progress)
        }

        /// Assigns each new document its split, in corpus order.
        private mutating func add(_ chunk: DocumentStream.Chunk) {
            var route: [Bool] = []
            for piece in chunk.pieces {
                if piece.startsDocument {
                    currentIsValidation = exporter.options.validation.isValidation(document: progress.documents)
                    progress.documents += 1
                    (currentIsValidation ? val : train).totals.documents += 1
                }
                route.append(currentIsValidation)
            }
            batch.append(chunk)
            routes.append(route)
            batchBytes += chunk.bytes.count
        }

        /// A range of one chunk's bytes to encode: a piece, or a part of a long one.
        struct Job: Sendable {
            var chunk: Int
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
            var jobsOfPiece: [[Range<Int>]] = []  // chunk → piece → its jobs
            for (c, chunk) in batch.enumerated() {
                var ranges: [Range<Int>] = []
                chunk.bytes.withUnsafeBufferPointer { bytes in
                    for piece in chunk.pieces {
                        let parts = canCut && piece.range.count > exporter.options.partBytes
                            ? SafeCut.split(bytes, piece.range, target: exporter.options.partBytes) : [piece.range]
                        ranges.append(jobs.count..<(jobs.count + parts.count))
                        jobs += parts.map { Job(chunk: c, range: $0) }
                    }
                }
                jobsOfPiece.append(ranges)
            }
            let results = Self.encode(jobs, in: batch, with: exporter.encoding, threads: exporter.options.threads)
            let eot: ArraySlice<UInt32> = [exporter.eot]
            for (c, chunk) in batch.enumerated() {
                for (p, piece) in chunk.pieces.enumerated() {
                    let out = routes[c][p] ? val : train
                    if piece.startsDocument { try out.append(eot) }
                    for j in jobsOfPiece[c][p] {
                        switch results[j] {
                        case .invalid(let at):
                            throw .invalidUTF8(file: chunk.file, offset: chunk.fileOffset + jobs[j].range.lowerBound + at)
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
        private static func encode(_ jobs: [Job], in batch: [DocumentStream.Chunk],
                                   with encoding: Encoding, threads: Int) -> [JobResult] {
            var results = [JobResult](repeating: .tokens([]), count: jobs.count)
            let next = JobCounter()
            results.withUnsafeMutableBufferPointer { buffer in
                let out = SendableBuffer(buffer)
                DispatchQueue.concurrentPerform(iterations: min(threads, jobs.count)) { _ in
                    while let j = next.take(below: jobs.count) {
                        let job = jobs[j]
                        out.buffer[j] = batch[job.chunk].bytes.withUnsafeBufferPointer { all in
                            let text = UnsafeBufferPointer(rebasing: all[job.range])
                            if let bad = UTF8Validation.firstInvalid(in: text, from: 0) { return .invalid(bad.lowerBound) }
                            return .tokens(encoding.encodeOrdinary(bytes: text))
                        }
                    }
                }
            }
            return results
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
            throw .noTrainingDocuments(documents: progress.documents, rule: exporter.options.validation.description)
        }
        try train.finish()
        try val.finish()
    }
}

/// Hands the results buffer to `concurrentPerform`: every job writes its own index.
struct SendableBuffer<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T>
    init(_ buffer: UnsafeMutableBufferPointer<T>) { self.buffer = buffer }
}

/// The next job to take, shared by the encoding threads.
final class JobCounter: @unchecked Sendable {
    private var next = 0
    private let lock = NSLock()

    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < limit else { return nil }
        next += 1
        return next - 1
    }
}
