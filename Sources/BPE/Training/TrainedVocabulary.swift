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

    /// The sidecar written next to the `.tiktoken` file.
    public func sidecar(name: String, inputs: [String] = []) -> Sidecar {
        Sidecar(name: name, pattern: pattern, patternName: patternName, specialTokens: specialTokens,
                vocabSize: count, merges: merges.count,
                training: .init(requestedVocabSize: options.vocabSize, minFrequency: options.minFrequency,
                                lossy: options.lossy, inputs: inputs, distinctChunks: distinctChunks,
                                totalChunks: totalChunks, tool: "swift-bpe \(Sidecar.toolVersion)"))
    }

    /// Writes `path` (the `.tiktoken` file) and `path.json` (the sidecar), each atomically.
    /// The sidecar goes first, so a `.tiktoken` file never appears without its sidecar. It
    /// records the `.tiktoken` file's sha256, so a crash between the two renames (a new
    /// sidecar beside the old vocabulary) is caught when they are loaded, not used silently.
    public func write(to path: String, name: String? = nil, inputs: [String] = []) throws {
        let base = name ?? (((path as NSString).lastPathComponent as NSString).deletingPathExtension)
        let data = try tiktokenData()
        var sidecar = sidecar(name: base, inputs: inputs)
        sidecar.tiktokenSha256 = Sidecar.sha256(data)
        try AtomicFile.write(sidecar.encoded(), to: Sidecar.path(for: path))
        try AtomicFile.write(data, to: path)
    }
}
