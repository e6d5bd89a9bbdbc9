import BPE
import Dispatch
import Foundation
import SafeFiles

/// Tokenizes a corpus into training shards for llm.c or nanoGPT: the library behind
/// `bpe export`.
///
/// Every document is preceded by `<|endoftext|>` (as llm.c's data scripts do) and encoded
/// with ``BPE/Encoding/encodeOrdinary(_:)``, so special-token text inside a document is
/// plain text. Documents go to the validation or the training split by
/// ``ValidationSplit``, in corpus order, whatever the number of threads: the output folder is
/// byte-identical for 1 or 64 threads.
///
/// ```swift
/// let enc = try Encoding.builtin("gpt2")
/// var options = Exporter.Options()
/// options.docSeparator = Array("\n\n".utf8)
/// let meta = try Exporter(encoding: enc, options: options)
///     .export(inputs: ["shakespeare.txt"], to: "out")
/// meta.splits["train"]?.files     // ["r50k_base_train_000001.bin"] (gpt2 is r50k_base)
/// ```
///
/// Memory does not grow with the corpus: files are read in blocks, a batch of blocks is
/// encoded on all threads, and the tokens are streamed, in document order, into
/// ``ShardWriter``s. The shards are written to a hidden folder inside the output folder and
/// moved into place only when the whole corpus has been read, so a failed export (an invalid
/// byte in the last file) leaves the output folder as it was.
///
/// - Complexity: O(corpus bytes / threads); memory O(``Options/batchBytes``).
public struct Exporter: Sendable {
    /// The shard layout.
    public enum Format: String, Codable, Sendable, CaseIterable {
        /// llm.c: `{name}_val_000000.bin`, `{name}_train_000001.bin`, … with a 1024-byte header.
        case llmc
        /// nanoGPT: raw `train.bin` and `val.bin`.
        case nanogpt
    }

    /// Which documents form the validation split. Both rules stream: they need no count of
    /// the documents in advance.
    public enum ValidationSplit: Sendable, Equatable, CustomStringConvertible {
        /// Document `i` (from 0) is validation when ⌈(i+1)·f⌉ > ⌈i·f⌉: the first document,
        /// then one in every 1/f (for f = 0.1: documents 0, 10, 20, …). After n documents,
        /// exactly ⌈n·f⌉ are validation. `f` is taken to 9 decimal places, so the rule is exact
        /// integer arithmetic, the same on every machine.
        case fraction(Double)
        /// The first `n` documents.
        case firstDocuments(Int)

        /// Whether document `i` (counting from 0) goes to validation.
        public func isValidation(document i: Int) -> Bool {
            switch self {
            case .firstDocuments(let n): return i < n
            case .fraction(let f):
                let q = Self.billionths(f)
                return Self.ceilScaled(i + 1, q) > Self.ceilScaled(i, q)
            }
        }

        /// How many of the first `n` documents go to validation.
        public func validationCount(documents n: Int) -> Int {
            switch self {
            case .firstDocuments(let k): return min(k, n)
            case .fraction(let f): return Self.ceilScaled(n, Self.billionths(f))
            }
        }

        public var description: String { message(naming: \.rawValue) }

        /// What the rule does, with its option spelled by `name`.
        public func message(naming name: (Parameter) -> String) -> String {
            switch self {
            case .firstDocuments(let n): return "\(name(.valDocs)) \(n) takes the first \(n)"
            case .fraction(let f): return "\(name(.valFraction)) \(f) takes document 0 and then one in every \(f > 0 ? String(format: "%g", 1 / f) : "∞")"
            }
        }

        static let scale = 1_000_000_000

        static func billionths(_ f: Double) -> Int { Int((min(max(f, 0), 1) * Double(scale)).rounded()) }

        /// ⌈i·q / 10⁹⌉ without overflow for any document count.
        static func ceilScaled(_ i: Int, _ q: Int) -> Int {
            let whole = i / scale, part = i % scale
            return whole * q + (part * q + scale - 1) / scale
        }
    }

    /// Where the vocabulary came from, for `meta.json` and the copies next to the shards.
    public enum Source: Sendable, Equatable {
        /// A built-in encoding, recorded by name.
        case builtin
        /// A `.tiktoken` file and its split pattern (preset name or tiktoken-syntax regex;
        /// `nil`: the pattern its sidecar records). The file is hashed and copied next to the
        /// shards with its sidecar `FILE.json`; when there is no sidecar, or it disagrees with
        /// the encoding used, one is written.
        case file(path: String, pattern: String?)
    }

    public struct Options: Sendable {
        public var format: Format = .llmc
        public var validation: ValidationSplit = .fraction(0.1)
        /// Most tokens in one train shard (llmc), 1 ... `Int32.max`.
        public var shardTokens = 100_000_000
        /// Splits files into documents; `nil`: one document per file.
        public var docSeparator: [UInt8]?
        /// Shard file prefix; `nil`: the encoding's name, or the vocabulary file's stem.
        public var name: String?
        /// Encoding threads (default: ``Processors/allowed``).
        public var threads = Processors.allowed
        /// Bytes read per file read (``Corpus/blockSize``).
        public var blockSize = 8 << 20
        /// Bytes of text encoded per parallel round: 2 MiB per thread, at least 16 MiB.
        /// Memory is a small multiple of this (the text, its tokens, the reader's buffers).
        public var batchBytes = max(16 << 20, Processors.allowed * (2 << 20))
        /// Documents longer than this are encoded in parts on several threads (at points
        /// where the split pattern cannot join, so the tokens are the same).
        public var partBytes = 1 << 20

        public init() {}

        /// Checks every option on its own. ``Exporter/init(encoding:source:options:)`` calls
        /// it; a front end may call it earlier, to refuse bad options before loading anything.
        /// - Throws: ``ShardError`` naming the option.
        public func validate() throws(ShardError) {
            guard (1...Int(Int32.max)).contains(shardTokens) else { throw .shardTokensOutOfRange(shardTokens) }
            switch validation {
            case .fraction(let f) where !(f >= 0 && f < 1): throw .validationFractionOutOfRange(f)
            case .firstDocuments(let n) where n < 0: throw .negativeValidationDocuments(n)
            default: break
            }
            guard threads >= 1 else { throw .noThreads(threads) }
            guard blockSize >= 1, batchBytes >= 1, partBytes >= 1 else {
                throw .nonPositiveSize(blockSize: blockSize, batchBytes: batchBytes, partBytes: partBytes)
            }
            if let name, name.isEmpty || name.contains("/") || name.hasPrefix(".") { throw .badName(name) }
            do { try Corpus.validate(separator: docSeparator) } catch { throw .emptyDocumentSeparator }
        }
    }

    /// The options an error message may name, by their Swift spelling. A front end maps
    /// them to its own (`bpe export` says `--val-fraction`).
    public enum Parameter: String, Sendable, CaseIterable {
        case shardTokens, threads, name, docSeparator
        /// Which part of the corpus (``Exporter/exportPart(_:inputs:to:progress:)``).
        case part
        /// The part folders (``Exporter/combine(parts:to:progress:)``).
        case parts
        case valFraction = "validation .fraction"
        case valDocs = "validation .firstDocuments"
        /// How to give an encoding the `<|endoftext|>` token every document starts with.
        case endOfText = "train with specialTokens: [\"<|endoftext|>\"], or load the .tiktoken file with specialTokens: [\"<|endoftext|>\": ID]"
    }

    /// Counts so far, for a progress display.
    public struct Progress: Sendable {
        public var bytesRead = 0
        public var documents = 0
        public var tokens = 0
    }

    public let encoding: Encoding
    public let source: Source
    public let options: Options
    let eot: UInt32
    let dtype: TokenDType

    /// Checks the options and that `encoding` has `<|endoftext|>`.
    /// - Throws: ``ShardError/noEndOfText(encoding:)``, or an option error from
    ///   ``Options/validate()``.
    public init(encoding: Encoding, source: Source = .builtin, options: Options = Options()) throws(ShardError) {
        guard let eot = encoding.eotToken else { throw .noEndOfText(encoding: encoding.name) }
        try options.validate()
        self.encoding = encoding
        self.source = source
        self.options = options
        self.eot = eot
        dtype = TokenDType.fitting(nVocab: encoding.nVocab)
    }

    /// The shard file prefix: ``Options/name``, else the encoding's name or the vocabulary
    /// file's stem (`my.tiktoken` → `my`).
    public var name: String {
        if let name = options.name { return name }
        if case .file(let path, _) = source {
            return ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        }
        return encoding.name
    }

    /// The token type of the output: uint16 when every id fits (n_vocab ≤ 65536), else uint32.
    public var tokenType: TokenDType { dtype }

    /// Reads `inputs` (files, directories, globs, `-`), writes the shards, the vocabulary
    /// copies and `meta.json` into `directory` (created if needed), and returns the meta.
    /// - Throws: ``ShardError``: a corpus file that cannot be read, invalid UTF-8 (with file
    ///   and byte offset), an empty corpus, an empty training split, a write error.
    public func export(inputs: [String], to directory: String,
                       progress: (Progress) -> Void = { _ in }) throws(ShardError) -> ShardMeta {
        let corpus = try corpus(inputs)
        guard !corpus.files.isEmpty else { throw .emptyCorpus(files: 0) }
        var (meta, copies) = try metaTemplate(sources: corpus.files)
        let staging = try Self.makeStaging(in: directory)
        defer { Self.removeStaging(staging) }

        var run = Run(exporter: self, staging: staging, corpusFiles: corpus.files.count)
        try run.read(corpus, progress: progress)
        try run.finish()
        meta.splits = ["train": run.train.totals, "val": run.val.totals]
        try Self.publish(meta, copies: copies, staging: staging, to: directory)
        return meta
    }

    /// The corpus of `inputs`, read in ``Options/blockSize`` blocks.
    func corpus(_ inputs: [String]) throws(ShardError) -> Corpus {
        var corpus: Corpus
        do {
            corpus = try Corpus(inputs: inputs, separator: options.docSeparator)
        } catch {
            throw .corpus(error)
        }
        corpus.blockSize = options.blockSize
        return corpus
    }

    /// A vocabulary file's copies for the export folder: name and bytes, sidecar first.
    typealias Copies = [(name: String, bytes: [UInt8])]

    /// `meta.json` for an export of `sources` with these options, but no splits yet; and the
    /// vocabulary copies that go beside it (none for a built-in encoding).
    func metaTemplate(sources: [String]) throws(ShardError) -> (ShardMeta, Copies) {
        var meta = ShardMeta(tool: TokenFeed.tool, format: options.format.rawValue, dtype: dtype,
                             name: name, nVocab: encoding.nVocab, eotToken: eot,
                             sources: sources.map(Self.absolute))
        meta.docSeparator = options.docSeparator.map { String(decoding: $0, as: UTF8.self) }
        switch options.validation {
        case .fraction(let f): meta.valFraction = f
        case .firstDocuments(let n): meta.valDocs = n
        }
        if options.format == .llmc { meta.shardTokens = options.shardTokens }
        switch source {
        case .builtin:
            meta.encoding = encoding.name
            return (meta, [])
        case .file(let path, let pattern):
            let copies = try vocabularyCopies(path, pattern: pattern, meta: &meta)
            return (meta, copies)
        }
    }

    /// Makes a hidden staging folder inside `directory` (created if needed) for shards being
    /// written, first removing the ones that runs on this host left when they were killed
    /// (SIGKILL runs no clean-up): a rerun into the same folder leaves no litter.
    static func makeStaging(in directory: String) throws(ShardError) -> String {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .cannotWrite(path: directory, reason: "cannot create the output folder: \(error.localizedDescription)")
        }
        let host = Self.hostName
        let ours = "\(stagingPrefix)\(host)-"
        /// Whether `digits` (up to a `-`) is the pid of a process that is gone.
        func deadProcess(_ digits: Substring) -> Bool {
            guard let pid = Int32(digits.prefix { $0 != "-" }), pid > 0 else { return false }
            return kill(pid, 0) != 0 && errno == ESRCH
        }
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where entry.hasPrefix(".") {
            let path = (directory as NSString).appendingPathComponent(entry)
            if entry.hasPrefix(ours) {
                // .bpe-export-HOST-PID-RANDOM, from a process of this host that is gone.
                if deadProcess(entry.dropFirst(ours.count)) { try? FileManager.default.removeItem(atPath: path) }
            } else if let r = entry.range(of: ".tmp-", options: .backwards), deadProcess(entry[r.upperBound...]) {
                // The temporary file of an atomic write (`.meta.json.tmp-PID-RANDOM`, see
                // AtomicFile.temporaryName) of a killed process. Its name carries no host: one
                // output folder is written by one run at a time, so a dead pid here is a killed
                // run of ours.
                unlink(path)
            }
        }
        let staging = (directory as NSString).appendingPathComponent("\(ours)\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: false)
        } catch {
            throw .cannotWrite(path: directory, reason: "cannot create a folder inside it: \(error.localizedDescription)")
        }
        // Tracked so an interrupted export removes it (see TemporaryFiles).
        TemporaryFiles.shared.track(staging)
        return staging
    }

    static func removeStaging(_ staging: String) {
        try? FileManager.default.removeItem(atPath: staging)
        TemporaryFiles.shared.untrack(staging)
    }

    static let stagingPrefix = ".bpe-export-"

    /// This machine's name without dots or dashes (it goes into staging folder names).
    static let hostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "host" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .filter { $0.isLetter || $0.isNumber }
        return name.isEmpty ? "host" : name
    }()

    /// Moves the shards `meta` lists from `staging` into `directory`, removes older shards of
    /// the same name that it does not list, writes the vocabulary copies and `meta.json` (last).
    ///
    /// `meta.json` marks a complete export. An older one is removed before the first shard
    /// moves in, so a run killed while publishing (each shard is moved by one atomic rename,
    /// so no shard is ever torn) leaves a folder without `meta.json`, never a `meta.json`
    /// that describes a mix of old and new shards.
    static func publish(_ meta: ShardMeta, copies: Copies, staging: String, to directory: String) throws(ShardError) {
        let metaPath = (directory as NSString).appendingPathComponent(ShardMeta.fileName)
        let files = ["train", "val"].flatMap { meta.splits[$0]?.files ?? [] }
        try moveIntoPlace(files, from: staging, to: directory, retiring: metaPath)
        if meta.format == Format.llmc.rawValue {
            let ours = Set(files)
            for split in ["train", "val"] {
                for stale in LLMCShard.files(in: directory, split: split, name: meta.name)
                where !ours.contains((stale as NSString).lastPathComponent) {
                    unlink(stale)
                }
            }
        }
        try write(copies, into: directory)
        try writeMeta(meta.encoded, to: metaPath)
    }

    /// Removes the folder's old marker file `retiring` (so it never describes a mix of old and
    /// new files), then moves `files` from `staging` into `directory`, each by one atomic rename.
    static func moveIntoPlace(_ files: [String], from staging: String, to directory: String,
                              retiring metaPath: String) throws(ShardError) {
        if unlink(metaPath) == 0 { AtomicFile.syncDirectory(of: metaPath) }
        for file in files {
            let target = (directory as NSString).appendingPathComponent(file)
            do {
                try AtomicFile.replace((staging as NSString).appendingPathComponent(file), over: target)
            } catch {
                throw .cannotWrite(path: target, reason: error.reason)
            }
        }
    }

    /// Writes a marker file (`meta.json`, `part.json`) atomically: the last step of a publish.
    static func writeMeta(_ encoded: () throws -> [UInt8], to path: String) throws(ShardError) {
        do {
            try AtomicFile.write(encoded(), to: path)
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// Writes each copy atomically, in order (the sidecar first, so the .tiktoken copy never
    /// appears without it).
    static func write(_ copies: Copies, into directory: String) throws(ShardError) {
        for (target, data) in copies {
            let full = (directory as NSString).appendingPathComponent(target)
            do {
                try AtomicFile.write(data, to: full)
            } catch {
                throw .cannotWrite(path: full, reason: "\(error)")
            }
        }
    }

    /// The copies of `path` (hashing it) and its sidecar that go next to the shards, so they
    /// can be decoded later without guessing the vocabulary, and their fields in `meta`. The
    /// file is read once: for the hash, the sidecar's check and the copy. A sidecar that
    /// describes another encoding than the one used (the flags overrode it), or none, is
    /// replaced by one that describes this one.
    private func vocabularyCopies(_ path: String, pattern: String?, meta: inout ShardMeta) throws(ShardError) -> Copies {
        let fileName = (path as NSString).lastPathComponent
        let bytes: [UInt8], found: Sidecar?
        do {
            (bytes, found) = try Sidecar.read(tiktokenFile: path)
        } catch .unreadable(let p, let why) {
            throw .cannotRead(path: p, reason: why)
        } catch {
            throw .cannotRead(path: path, reason: error.description)
        }
        guard let tiktokenPattern = pattern.map(SplitPattern.tiktokenSource) ?? found?.pattern else {
            throw .cannotRead(path: Sidecar.path(for: path), reason: "no such file, so the split pattern is unknown; give it in the source (.file(path:pattern:))")
        }
        meta.vocabFile = fileName
        meta.vocabSHA256 = Sidecar.sha256(bytes)
        meta.pattern = tiktokenPattern
        meta.specialTokens = encoding.specialTokens
        meta.sidecarFile = Sidecar.path(for: fileName)

        var sidecar = found.flatMap { $0.pattern == tiktokenPattern && $0.specialTokens == encoding.specialTokens ? $0 : nil }
            ?? Sidecar(describing: encoding, name: found?.name ?? name, pattern: tiktokenPattern)
        sidecar.tiktokenSha256 = meta.vocabSHA256
        let sidecarBytes: [UInt8]
        do {
            sidecarBytes = try sidecar.encoded()
        } catch {
            throw .cannotWrite(path: Sidecar.path(for: fileName), reason: "\(error)")
        }
        return [(Sidecar.path(for: fileName), sidecarBytes), (fileName, bytes)]
    }

    static func absolute(_ path: String) -> String {
        guard path != "-" else { return path }
        let full = path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        return (full as NSString).standardizingPath
    }
}
