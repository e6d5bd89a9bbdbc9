import Foundation

/// `meta.json`, written by `bpe export` next to the shards: everything needed to read them
/// and turn them back into text, and to reproduce them.
///
/// ```json
/// {"version": 1, "tool": "swift-bpe 0.1.0", "format": "llmc", "dtype": "uint16",
///  "name": "r50k_base", "encoding": "r50k_base", "n_vocab": 50257, "eot_token": 50256,
///  "sources": ["/data/shakespeare.txt"], "doc_separator": "\n\n", "val_fraction": 0.1,
///  "shard_tokens": 100000000,
///  "splits": {"train": {"documents": 9, "tokens": 1234, "files": ["r50k_base_train_000001.bin"]},
///             "val": {"documents": 1, "tokens": 56, "files": ["r50k_base_val_000000.bin"]}}}
/// ```
/// A vocabulary given as a file adds `vocab_file` and `sidecar_file` (the copies in the same
/// folder), `vocab_sha256` (of the `.tiktoken` file), `pattern` (tiktoken syntax) and
/// `special_tokens`; `encoding` is then `null`.
public struct ShardMeta: Codable, Sendable, Equatable {
    /// The file name in an export directory.
    public static let fileName = "meta.json"

    /// Version of this file's layout.
    public var version = 1
    /// The program that wrote it, e.g. "swift-bpe 0.1.0".
    public var tool: String
    /// "llmc" or "nanogpt".
    public var format: String
    /// How tokens are stored: "uint16" or "uint32".
    public var dtype: TokenDType
    /// The shard files' name prefix (llmc).
    public var name: String
    /// The built-in encoding's name, or `nil` for a vocabulary file.
    public var encoding: String?
    /// The copied `.tiktoken` file's name in this folder (vocabulary files only).
    public var vocabFile: String?
    /// SHA-256 (hex) of the `.tiktoken` file.
    public var vocabSHA256: String?
    /// The copied (or written) sidecar's name in this folder.
    public var sidecarFile: String?
    /// The split pattern in tiktoken's syntax (vocabulary files only).
    public var pattern: String?
    /// Special token → id (vocabulary files only).
    public var specialTokens: [String: UInt32]?
    /// Largest token id + 1.
    public var nVocab: Int
    /// The `<|endoftext|>` id that precedes every document.
    public var eotToken: UInt32
    /// The corpus files in reading order (absolute paths; "-" is standard input).
    public var sources: [String]
    /// The string that split files into documents, or `nil` for one document per file.
    public var docSeparator: String?
    /// The validation rule: exactly one of these is set.
    public var valFraction: Double?
    public var valDocs: Int?
    /// Tokens per train shard (llmc).
    public var shardTokens: Int?
    /// "train" and "val".
    public var splits: [String: Split]

    /// One split's totals.
    public struct Split: Codable, Sendable, Equatable {
        /// Documents in the split.
        public var documents: Int
        /// Tokens, counting the `<|endoftext|>` before each document.
        public var tokens: Int
        /// Its files in this folder, in order.
        public var files: [String]

        public init(documents: Int = 0, tokens: Int = 0, files: [String] = []) {
            self.documents = documents
            self.tokens = tokens
            self.files = files
        }
    }

    // Explicit keys: JSONEncoder's snake-case strategy would also rewrite the keys of
    // `special_tokens` (token texts), which must stay as they are.
    enum CodingKeys: String, CodingKey {
        case version, tool, format, dtype, name, encoding
        case vocabFile = "vocab_file", vocabSHA256 = "vocab_sha256", sidecarFile = "sidecar_file"
        case pattern, specialTokens = "special_tokens", nVocab = "n_vocab", eotToken = "eot_token"
        case sources, docSeparator = "doc_separator", valFraction = "val_fraction", valDocs = "val_docs"
        case shardTokens = "shard_tokens", splits
    }

    public init(tool: String, format: String, dtype: TokenDType, name: String, nVocab: Int, eotToken: UInt32,
                sources: [String], splits: [String: Split] = [:]) {
        self.tool = tool
        self.format = format
        self.dtype = dtype
        self.name = name
        self.nVocab = nVocab
        self.eotToken = eotToken
        self.sources = sources
        self.splits = splits
    }

    // Optional keys are written as `null` (not left out), so every meta.json has the same keys.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(tool, forKey: .tool)
        try c.encode(format, forKey: .format)
        try c.encode(dtype, forKey: .dtype)
        try c.encode(name, forKey: .name)
        try c.encode(encoding, forKey: .encoding)
        try c.encode(vocabFile, forKey: .vocabFile)
        try c.encode(vocabSHA256, forKey: .vocabSHA256)
        try c.encode(sidecarFile, forKey: .sidecarFile)
        try c.encode(pattern, forKey: .pattern)
        try c.encode(specialTokens, forKey: .specialTokens)
        try c.encode(nVocab, forKey: .nVocab)
        try c.encode(eotToken, forKey: .eotToken)
        try c.encode(sources, forKey: .sources)
        try c.encode(docSeparator, forKey: .docSeparator)
        try c.encode(valFraction, forKey: .valFraction)
        try c.encode(valDocs, forKey: .valDocs)
        try c.encode(shardTokens, forKey: .shardTokens)
        try c.encode(splits, forKey: .splits)
    }

    /// The JSON text: pretty-printed with sorted keys, so equal exports give equal bytes.
    public func encoded() throws -> [UInt8] { try MetaJSON.encode(self) }

    /// Reads `directory/meta.json`.
    /// - Throws: ``ShardError/cannotRead(path:reason:)`` or ``ShardError/badMeta(path:reason:)``.
    public static func load(directory: String) throws(ShardError) -> ShardMeta {
        let path = (directory as NSString).appendingPathComponent(fileName)
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .cannotRead(path: path, reason: FileManager.default.fileExists(atPath: path) ? "\(error.localizedDescription)" : "no such file (is \(directory) a bpe export folder?)")
        }
        return try MetaJSON.decode(ShardMeta.self, from: data, path: path)
    }

    /// The paths of a split's files (`split` is "train" or "val").
    public func files(split: String, in directory: String) -> [String] {
        (splits[split]?.files ?? []).map { (directory as NSString).appendingPathComponent($0) }
    }

    /// Reads a split's tokens: every shard of it, concatenated in order.
    /// - Throws: ``ShardError`` from the shard reader.
    public func tokens(split: String, in directory: String) throws(ShardError) -> [UInt32] {
        var out: [UInt32] = []
        for path in files(split: split, in: directory) {
            if format == "llmc" {
                out += try LLMCShard.read(path: path).tokens
            } else {
                out += try NanoGPTBin.read(path: path, dtype: dtype)
            }
        }
        return out
    }
}

/// The JSON of the export's own files (`meta.json`, a part's `part.json`): one encoder
/// setting, so equal values give equal bytes, and one reading of decoding errors.
enum MetaJSON {
    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try e.encode(value)) + [0x0A]
    }

    /// - Throws: ``ShardError/badMeta(path:reason:)`` naming a missing key or a mistyped field.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, path: String) throws(ShardError) -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw .badMeta(path: path, reason: "missing key \"\(key.stringValue)\"")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw .badMeta(path: path, reason: "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))")
        } catch {
            throw .badMeta(path: path, reason: "\(error)")
        }
    }
}
