import Crypto
import Foundation

/// The JSON file next to a trained `.tiktoken` file (`my.tiktoken.json`): what a
/// `.tiktoken` file cannot say, so `bpe encode --vocab my.tiktoken` needs no other flags.
/// This is the one codec of the format: `bpe train` writes it, `bpe export` copies or
/// writes it, `bpe --vocab`, `Encoding.load(trained:)` and `tinygpt sample` read it.
///
/// ```json
/// {"format": "swift-bpe-sidecar", "version": 1, "name": "my",
///  "pattern": "'(?i:[sdmt]|ll|ve|re)|…", "pattern_name": "cl100k",
///  "special_tokens": {"<|endoftext|>": 4096}, "vocab_size": 4096, "merges": 3840,
///  "tiktoken_sha256": "9f86d0…", "training": {…}}
/// ```
public struct Sidecar: Codable, Sendable, Equatable {
    public static let toolVersion = "0.1.0"
    public var format = "swift-bpe-sidecar"
    public var version = 1
    /// The encoding's name.
    public var name: String
    /// The split pattern, in tiktoken's syntax.
    public var pattern: String
    /// The preset name of `pattern`, if it is one.
    public var patternName: String?
    /// Special token → id.
    public var specialTokens: [String: Rank]
    /// Mergeable tokens: 256 + merges.
    public var vocabSize: Int
    public var merges: Int
    /// How the vocabulary was trained, if it was trained here.
    public var training: Training?
    /// The sha256 of the `.tiktoken` file written with this sidecar (absent in older ones).
    public var tiktokenSha256: String?

    /// How the vocabulary was trained (no thread count: it does not change the result).
    public struct Training: Codable, Sendable, Equatable {
        public var requestedVocabSize: Int
        public var minFrequency: UInt64
        public var lossy: Bool
        public var inputs: [String]
        public var distinctChunks: Int
        public var totalChunks: UInt64
        public var tool: String

        enum CodingKeys: String, CodingKey {
            case requestedVocabSize = "requested_vocab_size", minFrequency = "min_frequency", lossy, inputs
            case distinctChunks = "distinct_chunks", totalChunks = "total_chunks", tool
        }
    }

    // Explicit keys and no key strategy, as in ShardMeta: the keys of `special_tokens` are
    // token texts and must stay exactly as they are, whatever a strategy does to dictionary
    // keys on some Foundation.
    enum CodingKeys: String, CodingKey {
        case format, version, name, pattern, patternName = "pattern_name", specialTokens = "special_tokens"
        case vocabSize = "vocab_size", merges, training, tiktokenSha256 = "tiktoken_sha256"
    }

    /// `my.tiktoken` → `my.tiktoken.json`.
    public static func path(for tiktokenPath: String) -> String { tiktokenPath + ".json" }

    /// The file's bytes: pretty-printed with sorted keys, so equal sidecars are equal files.
    public func encoded() throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try e.encode(self)) + [0x0A]
    }

    /// Parses a sidecar's bytes; `source` names it in errors.
    /// - Throws: ``VocabularyError/unreadable(path:reason:)`` if it is not a valid sidecar.
    public static func decode(_ bytes: [UInt8], source: String) throws(VocabularyError) -> Sidecar {
        let s: Sidecar
        do {
            s = try JSONDecoder().decode(Sidecar.self, from: Data(bytes))
        } catch {
            throw .unreadable(path: source, reason: "not a valid sidecar (\(error)); delete it, or give the pattern and special tokens yourself")
        }
        guard s.format == "swift-bpe-sidecar" else {
            throw .unreadable(path: source, reason: "not a swift-bpe sidecar (format \(s.format.debugDescription)); delete it, or give the pattern and special tokens yourself")
        }
        return s
    }

    /// Reads a `.tiktoken` file and its sidecar, each once: the bytes to build the
    /// vocabulary from, and the sidecar (`nil` if there is none), checked against them.
    ///
    /// ```swift
    /// let (bytes, sidecar) = try Sidecar.read(tiktokenFile: "my.tiktoken")
    /// let enc = try Encoding.load(tiktoken: bytes, source: "my.tiktoken", sidecar: sidecar!)
    /// ```
    /// - Throws: ``VocabularyError`` if either cannot be read, the sidecar is not valid, or it
    ///   records a sha256 the `.tiktoken` file does not have (the two come from different
    ///   runs: a crash between the two renames of `bpe train`).
    public static func read(tiktokenFile path: String) throws(VocabularyError) -> (tiktoken: [UInt8], sidecar: Sidecar?) {
        let bytes = try readFile(path)
        return (bytes, try sidecar(for: path, digest: FileDigest(of: bytes)))
    }

    /// The sidecar of `tiktokenPath`, or `nil`, checked against the digest of the `.tiktoken`
    /// bytes the caller already read (one hash serves this check and ``VocabularyCache``).
    static func sidecar(for tiktokenPath: String, digest: FileDigest) throws(VocabularyError) -> Sidecar? {
        guard let sidecar = try decodeFile(for: tiktokenPath) else { return nil }
        try sidecar.check(digest, path: tiktokenPath)
        return sidecar
    }

    /// Reads the sidecar of `tiktokenPath`, or `nil` if there is none. The `.tiktoken` file
    /// is read too, for the hash check, if it exists; to use both, ``read(tiktokenFile:)``
    /// reads each once.
    /// - Throws: as ``read(tiktokenFile:)``; a missing `.tiktoken` file is left to whoever
    ///   reads it next.
    public static func load(for tiktokenPath: String) throws(VocabularyError) -> Sidecar? {
        guard let sidecar = try decodeFile(for: tiktokenPath) else { return nil }
        if FileManager.default.fileExists(atPath: tiktokenPath) { try sidecar.check(FileDigest(of: readFile(tiktokenPath)), path: tiktokenPath) }
        return sidecar
    }

    /// The sidecar file of `tiktokenPath`, parsed, or `nil` if there is none.
    private static func decodeFile(for tiktokenPath: String) throws(VocabularyError) -> Sidecar? {
        let p = path(for: tiktokenPath)
        guard FileManager.default.fileExists(atPath: p) else { return nil }
        return try decode(readFile(p), source: p)
    }

    /// Throws unless the `.tiktoken` file at `path`, whose digest is `digest`, has the
    /// recorded sha256.
    private func check(_ digest: FileDigest, path: String) throws(VocabularyError) {
        guard let expected = tiktokenSha256 else { return }
        let actual = digest.hex
        guard actual != expected else { return }
        throw .unreadable(path: Self.path(for: path), reason: "was written with a different \((path as NSString).lastPathComponent) (sha256 \(expected.prefix(12))…, the file has \(actual.prefix(12))…), perhaps by an interrupted `bpe train`; train again, or delete it and give the pattern and special tokens yourself")
    }

    /// Lowercase hex SHA-256 of `bytes`.
    public static func sha256(_ bytes: [UInt8]) -> String { FileDigest(of: bytes).hex }
}

extension Sidecar {
    /// A sidecar that describes `encoding` with its split pattern (tiktoken syntax): what
    /// `bpe export` writes beside a copied `.tiktoken` file that has none of its own.
    public init(describing encoding: Encoding, name: String, pattern: String) {
        let count = encoding.vocabulary.count
        self.init(name: name, pattern: pattern, patternName: Self.presetName(ofTiktoken: pattern),
                  specialTokens: encoding.specialTokens, vocabSize: count, merges: max(0, count - 256))
    }

    /// The preset name (`cl100k`, …) of a pattern in tiktoken's syntax, if it is one.
    static func presetName(ofTiktoken pattern: String) -> String? {
        SplitPattern.presets.first { $0.tiktoken == pattern }?.name
    }
}

extension Encoding {
    /// The one way to build an encoding from a vocabulary record: the bytes of a `.tiktoken`
    /// file with a split pattern and special tokens. `bpe --vocab`, ``load(trained:)``,
    /// `bpe export`'s copies and `tinygpt sample` all come through here.
    ///
    /// ```swift
    /// let enc = try Encoding.load(tiktoken: bytes, source: "my.tiktoken", pattern: "cl100k",
    ///                             specialTokens: ["<|endoftext|>": 4096], name: "my")
    /// ```
    /// - Parameters:
    ///   - source: names the bytes in errors (a path).
    ///   - pattern: a preset name (`gpt2`, `cl100k`, `o200k`) or a regex in tiktoken's syntax.
    /// - Throws: ``VocabularyError`` (with the line) or `PatternError`.
    /// - Complexity: O(bytes).
    public static func load(tiktoken bytes: [UInt8], source: String, pattern: String,
                            specialTokens: [String: Rank] = [:], name: String) throws -> Encoding {
        try load(tiktoken: bytes, digest: FileDigest(of: bytes), source: source, pattern: pattern,
                 specialTokens: specialTokens, name: name)
    }

    /// ``load(tiktoken:source:pattern:specialTokens:name:)`` with the bytes' digest known.
    static func load(tiktoken bytes: [UInt8], digest: FileDigest, source: String, pattern: String,
                     specialTokens: [String: Rank], name: String) throws -> Encoding {
        // Built once per file: later loads map the image kept by VocabularyCache.
        let vocabulary = try VocabularyCache.shared.vocabulary(tiktoken: bytes, digest: digest, source: source)
        if let preset = Preset(nameOrPattern: pattern) {
            return try Encoding(name: name, vocabulary: vocabulary, preset: preset, specialTokens: specialTokens)
        }
        return try Encoding(name: name, vocabulary: vocabulary, pattern: SplitPattern.pcre2(fromTiktoken: pattern),
                            specialTokens: specialTokens)
    }

    /// The encoding a sidecar describes, from the bytes of its `.tiktoken` file.
    public static func load(tiktoken bytes: [UInt8], source: String, sidecar: Sidecar) throws -> Encoding {
        try load(tiktoken: bytes, source: source, pattern: sidecar.pattern, specialTokens: sidecar.specialTokens,
                 name: sidecar.name)
    }

    /// Loads a trained vocabulary: the `.tiktoken` file and its sidecar (pattern, special
    /// tokens), each read once. The one-liner after `bpe train … -o my.tiktoken`.
    /// ```swift
    /// let enc = try Encoding.load(trained: "my.tiktoken")
    /// ```
    public static func load(trained path: String) throws -> Encoding {
        let (bytes, sidecar) = try Sidecar.read(tiktokenFile: path)
        guard let sidecar else {
            throw VocabularyError.unreadable(path: Sidecar.path(for: path), reason: "no sidecar next to \(path); pass the pattern and special tokens explicitly")
        }
        return try load(tiktoken: bytes, source: path, sidecar: sidecar)
    }
}
