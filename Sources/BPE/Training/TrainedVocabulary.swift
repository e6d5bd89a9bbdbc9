import Crypto
import Foundation
import SafeFiles

/// The result of training: the tokens by rank, the merges that made them, special tokens,
/// and everything needed to use the vocabulary exactly as it was trained.
public struct TrainedVocabulary: Sendable {
    /// Token bytes by rank: 256 single bytes, then one token per merge.
    public let tokens: [[UInt8]]
    public let merges: [MergeTrainer.Merge]
    /// Special token → id (after the merges).
    public let specialTokens: [String: Rank]
    /// The split pattern, in tiktoken's syntax.
    public let pattern: String
    /// The preset name of `pattern`, if it is one.
    public let patternName: String?
    public let options: Trainer.Options
    public let distinctChunks: Int
    public let totalChunks: UInt64

    /// Number of mergeable tokens (256 + merges).
    public var count: Int { tokens.count }

    /// The `.tiktoken` file contents.
    public func tiktokenData() throws -> [UInt8] {
        try Vocabulary(tokens: tokens).tiktokenData()
    }

    /// An encoding that splits and merges exactly as this vocabulary was trained.
    public func encoding(name: String = "trained") throws -> Encoding {
        try Encoding(name: name, vocabulary: Vocabulary(tokens: tokens),
                     pattern: SplitPattern.pcre2(fromTiktoken: pattern), specialTokens: specialTokens)
    }

    /// Writes `path` (the `.tiktoken` file) and `path.json` (the sidecar), each atomically.
    /// The sidecar goes first, so a `.tiktoken` file never appears without its sidecar. It
    /// records the `.tiktoken` file's sha256, so a crash between the two renames (a new
    /// sidecar beside the old vocabulary) is caught when they are loaded, not used silently.
    public func write(to path: String, name: String? = nil, inputs: [String] = []) throws {
        let base = name ?? (((path as NSString).lastPathComponent as NSString).deletingPathExtension)
        let sidecar = Sidecar(name: base, pattern: pattern, patternName: patternName,
                              specialTokens: specialTokens, vocabSize: count, merges: merges.count,
                              training: .init(requestedVocabSize: options.vocabSize, minFrequency: options.minFrequency,
                                              lossy: options.lossy, inputs: inputs, distinctChunks: distinctChunks,
                                              totalChunks: totalChunks, tool: "swift-bpe \(Sidecar.toolVersion)"))
        let data = try tiktokenData()
        var described = sidecar
        described.tiktokenSha256 = Sidecar.sha256(data)
        try AtomicFile.write(described.encoded(), to: Sidecar.path(for: path))
        try AtomicFile.write(data, to: path)
    }
}

/// The JSON file next to a trained `.tiktoken` file (`my.tiktoken.json`): what a
/// `.tiktoken` file cannot say, so `bpe encode --vocab my.tiktoken` needs no other flags.
///
/// ```json
/// {"format": "swift-bpe-sidecar", "version": 1, "name": "my",
///  "pattern": "'(?i:[sdmt]|ll|ve|re)|…", "pattern_name": "cl100k",
///  "special_tokens": {"<|endoftext|>": 4096}, "vocab_size": 4096, "merges": 3840,
///  "training": {…}}
/// ```
public struct Sidecar: Codable, Sendable, Equatable {
    public static let toolVersion = "0.1.0"
    public var format = "swift-bpe-sidecar"
    public var version = 1
    public var name: String
    public var pattern: String
    public var patternName: String?
    public var specialTokens: [String: Rank]
    public var vocabSize: Int
    public var merges: Int
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
    }

    /// `my.tiktoken` → `my.tiktoken.json`.
    public static func path(for tiktokenPath: String) -> String { tiktokenPath + ".json" }

    func encoded() throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.keyEncodingStrategy = .convertToSnakeCase
        return Array(try e.encode(self)) + [0x0A]
    }

    /// Reads the sidecar of `tiktokenPath`, or `nil` if there is none.
    /// - Throws: if it exists but is not a valid sidecar, or records a sha256 that the
    ///   `.tiktoken` file does not have (the two come from different runs); the message names
    ///   the file.
    public static func load(for tiktokenPath: String) throws -> Sidecar? {
        let p = path(for: tiktokenPath)
        guard FileManager.default.fileExists(atPath: p) else { return nil }
        let s: Sidecar
        do {
            let d = JSONDecoder()
            d.keyDecodingStrategy = .convertFromSnakeCase
            s = try d.decode(Sidecar.self, from: Data(contentsOf: URL(fileURLWithPath: p)))
            guard s.format == "swift-bpe-sidecar" else { throw TrainingError.badOption("not a swift-bpe sidecar") }
        } catch {
            throw VocabularyError.unreadable(path: p, reason: "not a valid sidecar (\(error)); delete it or pass --pattern and --special")
        }
        // A missing or unreadable .tiktoken file is reported by whoever reads it next.
        if let expected = s.tiktokenSha256, let bytes = FileManager.default.contents(atPath: tiktokenPath),
           sha256(Array(bytes)) != expected {
            throw VocabularyError.unreadable(path: p, reason: "was written with a different \((tiktokenPath as NSString).lastPathComponent) (sha256 \(expected.prefix(12))…, the file has \(sha256(Array(bytes)).prefix(12))…), perhaps by an interrupted `bpe train`; train again, or delete it and pass --pattern and --special")
        }
        return s
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}

extension Encoding {
    /// Loads a trained vocabulary: the `.tiktoken` file and its sidecar (pattern, special
    /// tokens). The one-liner after `bpe train … -o my.tiktoken`.
    /// ```swift
    /// let enc = try Encoding.load(trained: "my.tiktoken")
    /// ```
    public static func load(trained path: String) throws -> Encoding {
        guard let sidecar = try Sidecar.load(for: path) else {
            throw VocabularyError.unreadable(path: Sidecar.path(for: path), reason: "no sidecar next to \(path); pass the pattern and special tokens explicitly")
        }
        return try load(tiktokenFile: path, pattern: sidecar.pattern, specialTokens: sidecar.specialTokens, name: sidecar.name)
    }
}
