import BPE
import Foundation
import SafeFiles

/// `part.json`: what one task of an export wrote (``Exporter/exportPart(_:inputs:to:progress:)``),
/// and what ``Exporter/combine(parts:to:progress:)`` checks before joining the parts.
///
/// A part folder holds `tokens.bin` (the part's documents in corpus order, each preceded by
/// `<|endoftext|>`, raw little-endian tokens of ``ShardMeta/dtype``), `documents.bin` (each
/// document's token count, `<|endoftext|>` included, as little-endian uint64), the vocabulary
/// copies of a `.tiktoken` export, and `part.json`, written last: a folder without it is a
/// part that did not finish. The split into train and validation is not made here: it
/// depends on each document's index in the whole corpus, which only the combine knows.
public struct PartMeta: Codable, Sendable, Equatable {
    public static let fileName = "part.json"
    public static let tokensFile = "tokens.bin"
    public static let documentsFile = "documents.bin"

    /// Version of this file's layout.
    public var version = 1
    /// Which part, `0 ..< parts`.
    public var part: Int
    /// How many parts the corpus was cut into.
    public var parts: Int
    /// ``CorpusLayout/digest`` of the whole corpus: parts of one export agree on it.
    public var layoutDigest: String
    /// The part's share of the corpus, in corpus byte offsets (``CorpusShare/range``).
    public var corpusStart: Int
    public var corpusEnd: Int
    /// The size of the whole corpus.
    public var corpusBytes: Int
    /// Documents and tokens in `tokens.bin`.
    public var documents: Int
    public var tokens: Int
    /// The combined export's `meta.json`, without its splits: the same in every part.
    public var export: ShardMeta

    enum CodingKeys: String, CodingKey {
        case version, part, parts, layoutDigest = "layout_digest", corpusStart = "corpus_start", corpusEnd = "corpus_end"
        case corpusBytes = "corpus_bytes", documents, tokens, export
    }

    /// The JSON text, pretty-printed with sorted keys.
    public func encoded() throws -> [UInt8] { try MetaJSON.encode(self) }

    /// Reads `directory/part.json`.
    /// - Throws: ``ShardError/partIncomplete(directory:)`` when there is none (the part was
    ///   killed or failed), ``ShardError/badMeta(path:reason:)`` for one that does not parse.
    public static func load(directory: String) throws(ShardError) -> PartMeta {
        let path = (directory as NSString).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
                throw .cannotRead(path: directory, reason: "no such folder")
            }
            throw .partIncomplete(directory: directory)
        }
        let meta = try MetaJSON.decode(PartMeta.self, from: data, path: path)
        guard meta.version == 1 else { throw .badMeta(path: path, reason: "version \(meta.version); this bpe reads version 1") }
        return meta
    }
}

/// Streams uint64 little-endian counts into a file, published atomically like a shard.
final class DocumentIndexWriter {
    let path: String
    private let temporaryPath: String
    private var file: PosixFile?
    private var buffer: [UInt8] = []
    private var done = false

    init(path: String) {
        self.path = path
        temporaryPath = AtomicFile.temporaryName(for: path)
        buffer.reserveCapacity(1 << 16)
    }

    deinit {
        if !done, let file {
            file.close()
            unlink(temporaryPath)
        }
    }

    func append(_ count: Int) throws(ShardError) {
        withUnsafeBytes(of: UInt64(count).littleEndian) { buffer += $0 }
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws(ShardError) {
        if file == nil {
            do { file = try PosixFile.create(temporaryPath) } catch { throw .cannotWrite(path: path, reason: "\(error)") }
        }
        guard !buffer.isEmpty else { return }
        CrashPoint.reach(.write)
        try file!.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    func finish() throws(ShardError) {
        try flush()
        try file!.syncAndClose()
        do { try AtomicFile.replace(temporaryPath, over: path) } catch { throw .cannotWrite(path: path, reason: error.reason) }
        done = true
    }
}

extension Exporter {
    /// Exports part `part` of the corpus `inputs` into `directory`: the tokens of the
    /// documents that start in its share (``CorpusLayout/share(of:)``), for
    /// ``combine(parts:to:progress:)`` to join with the other parts into the export that
    /// ``export(inputs:to:progress:)`` makes of the whole corpus on one machine.
    ///
    /// Every task must be given the same `inputs` (the same files, at the same paths) and the
    /// same options. A part in which no document starts is valid: it holds no documents.
    /// The files are written to a hidden folder and moved into place, `part.json` last: a
    /// task that fails or is killed leaves no `part.json` (and a rerun removes what a killed
    /// run on this host left behind).
    ///
    /// ```swift
    /// for k in 0..<4 { _ = try exporter.exportPart(CorpusPart(index: k, count: 4), inputs: ["data/"], to: "parts/\(k)") }
    /// try Exporter.combine(parts: (0..<4).map { "parts/\($0)" }, to: "out")
    /// ```
    /// - Throws: ``ShardError``, as ``export(inputs:to:progress:)``, and
    ///   ``ShardError/corpusPart(_:)`` for standard input or a file that changed size.
    /// - Complexity: O(share bytes / threads), plus reading around the two cuts.
    public func exportPart(_ part: CorpusPart, inputs: [String], to directory: String,
                           progress: (Progress) -> Void = { _ in }) throws(ShardError) -> PartMeta {
        let whole = try corpus(inputs)
        guard !whole.files.isEmpty else { throw .emptyCorpus(files: 0) }
        let layout: CorpusLayout, share: CorpusShare
        do {
            layout = try CorpusLayout(whole)
            share = try layout.share(of: part)
        } catch let e as CorpusPart.Error {
            throw .corpusPart(e)
        } catch let e as Corpus.Error {
            throw .corpus(e)
        } catch {
            throw .cannotRead(path: "the corpus", reason: "\(error)")
        }
        var corpus = layout.corpus(of: share)
        corpus.blockSize = options.blockSize
        let (template, copies) = try metaTemplate(sources: whole.files)
        let staging = try Self.makeStaging(in: directory)
        defer { Self.removeStaging(staging) }

        var run = Run(exporter: self, staging: staging, corpusFiles: corpus.files.count, asPart: true)
        try run.read(corpus, progress: progress)
        try run.finish()
        let meta = PartMeta(part: part.index, parts: part.count, layoutDigest: layout.digest,
                            corpusStart: share.range.lowerBound, corpusEnd: share.range.upperBound,
                            corpusBytes: layout.totalBytes, documents: run.progress.documents,
                            tokens: run.train.totals.tokens, export: template)
        try Self.publishPart(meta, copies: copies, staging: staging, to: directory)
        return meta
    }

    /// Moves a part's files into `directory`, then writes `part.json`; an older `part.json`
    /// is removed first, so it never describes files of another run.
    static func publishPart(_ meta: PartMeta, copies: Copies, staging: String, to directory: String) throws(ShardError) {
        let metaPath = (directory as NSString).appendingPathComponent(PartMeta.fileName)
        try moveIntoPlace([PartMeta.tokensFile, PartMeta.documentsFile], from: staging, to: directory, retiring: metaPath)
        try write(copies, into: directory)
        try writeMeta(meta.encoded, to: metaPath)
    }
}
