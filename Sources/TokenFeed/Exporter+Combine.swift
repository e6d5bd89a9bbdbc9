import BPE
import Foundation
import SafeFiles

extension Exporter {
    /// Joins the part folders written by ``exportPart(_:inputs:to:progress:)`` into one export
    /// folder: byte for byte what ``export(inputs:to:progress:)`` writes for the whole corpus
    /// on one machine (the same shards, vocabulary copies and `meta.json`), given the same
    /// inputs and options.
    ///
    /// The documents are taken part after part, in corpus order. Each goes to validation or
    /// training by its index in the whole corpus (``ValidationSplit``), and the training
    /// tokens are cut into shards of the parts' ``Options/shardTokens`` afresh, so the shard
    /// boundaries do not depend on where the parts were cut.
    ///
    /// Parts that do not belong together are refused before anything is written: a folder
    /// without `part.json` (a part that did not finish), parts of different corpora, counts
    /// of parts, encodings or options, a part given twice, and a missing part (named, so it
    /// can be rerun). The output is published as an export is: a failed combine leaves
    /// `directory` as it was.
    ///
    /// ```swift
    /// let meta = try Exporter.combine(parts: ["parts/0", "parts/1", "parts/2"], to: "out")
    /// ```
    /// - Throws: ``ShardError``.
    /// - Complexity: O(tokens), reading and writing each once; memory O(1) (buffers).
    public static func combine(parts directories: [String], to directory: String,
                               progress: (Progress) -> Void = { _ in }) throws(ShardError) -> ShardMeta {
        let parts = try checkedParts(directories)
        var meta = parts[0].meta.export
        let rule: ValidationSplit = meta.valDocs.map { .firstDocuments($0) } ?? .fraction(meta.valFraction ?? 0.1)
        guard let format = Format(rawValue: meta.format) else {
            throw .badMeta(path: parts[0].path, reason: "unknown format \"\(meta.format)\"")
        }
        let copies = try vocabularyCopies(of: meta, in: parts[0].directory)

        let staging = try makeStaging(in: directory)
        defer { removeStaging(staging) }
        let (train, val) = SplitOutput.splits(directory: staging, format: format, name: meta.name,
                                                  dtype: meta.dtype, shardTokens: meta.shardTokens ?? Int(Int32.max))
        var done = Progress()
        for part in parts {
            try copy(part, train: train, val: val, rule: rule, eot: meta.eotToken, dtype: meta.dtype, done: &done)
            progress(done)
        }
        guard done.documents > 0 else { throw .emptyCorpus(files: meta.sources.count) }
        guard train.totals.documents > 0 else { throw .noTrainingDocuments(documents: done.documents, rule: rule) }
        try train.finish()
        try val.finish()
        meta.splits = ["train": train.totals, "val": val.totals]
        try publish(meta, copies: copies, staging: staging, to: directory)
        return meta
    }

    /// A part folder and its `part.json`.
    struct LoadedPart {
        let directory: String
        let meta: PartMeta
        var path: String { (directory as NSString).appendingPathComponent(PartMeta.fileName) }
    }

    /// The parts in index order, once each, all of one export; or the reason they are not.
    static func checkedParts(_ directories: [String]) throws(ShardError) -> [LoadedPart] {
        guard !directories.isEmpty else { throw .noParts }
        var loaded: [LoadedPart] = []
        for d in directories { loaded.append(LoadedPart(directory: d, meta: try PartMeta.load(directory: d))) }
        let first = loaded[0]
        let n = first.meta.parts
        for p in loaded.dropFirst() {
            if p.meta.parts != n {
                throw .partCountMismatch(directory: p.directory, parts: p.meta.parts, other: first.directory, otherParts: n)
            }
            if let field = Self.difference(p.meta.export, first.meta.export) {
                throw .partsDisagree(directory: p.directory, other: first.directory, field: field.name,
                                     found: field.found, expected: field.expected)
            }
            if p.meta.layoutDigest != first.meta.layoutDigest || p.meta.corpusBytes != first.meta.corpusBytes {
                throw .partsDisagree(directory: p.directory, other: first.directory, field: "corpus (files, sizes, separator)",
                                     found: "layout \(p.meta.layoutDigest), \(p.meta.corpusBytes) bytes",
                                     expected: "layout \(first.meta.layoutDigest), \(first.meta.corpusBytes) bytes")
            }
        }
        var slots = [LoadedPart?](repeating: nil, count: n)
        for p in loaded {
            guard (0..<n).contains(p.meta.part) else {
                throw .badMeta(path: p.path, reason: "part \(p.meta.part) of \(n)")
            }
            if let seen = slots[p.meta.part] {
                throw .duplicatePart(part: p.meta.part, parts: n, directory: p.directory, other: seen.directory)
            }
            slots[p.meta.part] = p
        }
        let missing = slots.indices.filter { slots[$0] == nil }
        if !missing.isEmpty { throw .partsMissing(missing, parts: n) }
        let ordered = slots.map { $0! }
        // Parts of one layout meet end to end; anything else is a corrupt part.json.
        var at = 0
        for p in ordered {
            guard p.meta.corpusStart == at, p.meta.corpusEnd >= at, p.meta.documents >= 0, p.meta.tokens >= p.meta.documents else {
                throw .badMeta(path: p.path, reason: "its share starts at corpus byte \(p.meta.corpusStart), but the part before ends at \(at)")
            }
            at = p.meta.corpusEnd
        }
        guard at == first.meta.corpusBytes else {
            throw .badMeta(path: ordered.last!.path, reason: "the last share ends at corpus byte \(at) of \(first.meta.corpusBytes)")
        }
        return ordered
    }

    /// The first field in which two parts' export settings differ, in words.
    static func difference(_ a: ShardMeta, _ b: ShardMeta) -> (name: String, found: String, expected: String)? {
        func vocabulary(_ m: ShardMeta) -> String {
            let what = m.encoding.map { "encoding \($0)" }
                ?? "vocabulary \(m.vocabFile ?? "?") (sha256 \(m.vocabSHA256 ?? "?"), pattern \(m.pattern ?? "?"))"
            return "\(what), n_vocab \(m.nVocab), <|endoftext|> \(m.eotToken), special tokens \(m.specialTokens.map { $0.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") } ?? "-")"
        }
        func show<T>(_ v: T?) -> String { v.map { "\($0)" } ?? "none" }
        let fields: [(String, (ShardMeta) -> String)] = [
            ("encoding", vocabulary),
            ("format", { $0.format }), ("dtype", { $0.dtype.rawValue }), ("name", { $0.name }),
            ("validation", { $0.valDocs.map { "first \($0) documents" } ?? "fraction \(show($0.valFraction))" }),
            ("shard tokens", { show($0.shardTokens) }), ("document separator", { show($0.docSeparator?.debugDescription) }),
            ("sources", { "\($0.sources.count) files: \($0.sources.prefix(3).joined(separator: ", "))\($0.sources.count > 3 ? ", ..." : "")" }),
            ("tool", { $0.tool }),
        ]
        for (name, value) in fields where value(a) != value(b) { return (name, value(a), value(b)) }
        if a.sources != b.sources { return ("sources", "a different list of files", "the same files in the same order") }
        return a == b ? nil : ("export settings", "\(a)", "\(b)")
    }

    /// The vocabulary copies a part holds (none for a built-in encoding), checked against the
    /// hash its `part.json` records.
    static func vocabularyCopies(of meta: ShardMeta, in directory: String) throws(ShardError) -> Copies {
        guard let vocab = meta.vocabFile, let sidecar = meta.sidecarFile else { return [] }
        var copies: Copies = []
        for name in [sidecar, vocab] {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .cannotRead(path: path, reason: "missing from the part folder (its part.json names it)")
            }
            copies.append((name, Array(data)))
        }
        if let sha = meta.vocabSHA256, Sidecar.sha256(copies[1].bytes) != sha {
            throw .badMeta(path: (directory as NSString).appendingPathComponent(vocab),
                           reason: "its sha256 is not the \(sha) that part.json records")
        }
        return copies
    }

    /// Streams one part's documents into the splits, deciding each one's split by its index
    /// in the whole corpus (`done.documents`).
    private static func copy(_ part: LoadedPart, train: SplitOutput, val: SplitOutput,
                             rule: ValidationSplit, eot: UInt32, dtype: TokenDType, done: inout Progress) throws(ShardError) {
        let tokensPath = (part.directory as NSString).appendingPathComponent(PartMeta.tokensFile)
        let documentsPath = (part.directory as NSString).appendingPathComponent(PartMeta.documentsFile)
        let tokens = try TokenReader(path: tokensPath, dtype: dtype)
        let documents = try TokenReader(path: documentsPath, width: 8)
        guard tokens.count == part.meta.tokens, documents.count == part.meta.documents else {
            throw .badMeta(path: part.path, reason: "it records \(part.meta.documents) documents and \(part.meta.tokens) tokens, but \(PartMeta.documentsFile) holds \(documents.count) and \(PartMeta.tokensFile) \(tokens.count)")
        }
        var buffer: [UInt32] = []
        while let length = try documents.next() {
            let out = rule.isValidation(document: done.documents) ? val : train
            out.totals.documents += 1
            done.documents += 1
            var left = Int(length)
            var first = true
            while left > 0 {
                try tokens.read(into: &buffer, upTo: min(left, 1 << 20))
                guard !buffer.isEmpty else { break }
                if first && buffer[0] != eot {
                    throw .badMeta(path: tokensPath, reason: "document \(done.documents - 1) does not start with <|endoftext|> (\(eot)); the part is corrupt: rerun it")
                }
                first = false
                try out.append(buffer[...])
                left -= buffer.count
                done.tokens += buffer.count
            }
            guard left == 0, length > 0 else {
                throw .badMeta(path: documentsPath, reason: "a document of \(length) tokens runs past the end of \(PartMeta.tokensFile); the part is corrupt: rerun it")
            }
        }
    }

    /// Reads fixed-width little-endian integers from a file, a buffer at a time.
    final class TokenReader {
        let file: PosixFile
        let width: Int
        /// Integers in the file.
        let count: Int
        private var bytes = [UInt8](repeating: 0, count: 1 << 20)
        private var start = 0, end = 0

        init(path: String, width: Int) throws(ShardError) {
            file = try PosixFile.openForReading(path)
            self.width = width
            let size = try file.size()
            guard size % width == 0 else { throw .rawSizeNotMultiple(path: path, size: size, dtype: width == 2 ? .uint16 : .uint32) }
            count = size / width
        }

        convenience init(path: String, dtype: TokenDType) throws(ShardError) {
            try self.init(path: path, width: dtype.width)
        }

        private func refill() throws(ShardError) {
            let rest = end - start
            if rest > 0 { bytes.replaceSubrange(0..<rest, with: bytes[start..<end]) }
            start = 0
            end = rest
            let got = try bytes.withUnsafeMutableBytes { raw in
                Result { () throws(ShardError) in try file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[rest...])) }
            }.get()
            end += got
        }

        private func value(at i: Int) -> UInt64 {
            var v: UInt64 = 0
            for b in 0..<width { v |= UInt64(bytes[i + b]) << (8 * b) }
            return v
        }

        /// The next integer, or `nil` at the end.
        func next() throws(ShardError) -> UInt64? {
            if end - start < width { try refill() }
            guard end - start >= width else { return nil }
            defer { start += width }
            return value(at: start)
        }

        /// Replaces `out` with the next integers, at most `limit` (none at the end).
        func read(into out: inout [UInt32], upTo limit: Int) throws(ShardError) {
            out.removeAll(keepingCapacity: true)
            if end - start < width { try refill() }
            let n = min(limit, (end - start) / width)
            out.reserveCapacity(n)
            bytes.withUnsafeBytes { raw in
                if width == 2 {
                    for i in 0..<n { out.append(UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: start + 2 * i, as: UInt16.self)))) }
                } else {
                    for i in 0..<n { out.append(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * i, as: UInt32.self))) }
                }
            }
            start += n * width
        }
    }
}
