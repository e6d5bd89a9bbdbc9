import CLISupport
import Foundation
import TokenFeed

/// The token shards of one `bpe export` folder, read and checked against its `meta.json`.
struct TrainingData {
    /// The folder.
    let directory: String
    /// Its `meta.json`.
    let meta: ShardMeta
    /// Train shards, one array per file (training windows never cross a file boundary).
    let train: [[UInt32]]
    /// Validation shards.
    let val: [[UInt32]]
    /// Paths of the train and validation files, for messages.
    let trainFiles: [String], valFiles: [String]

    /// Reads every shard listed in `directory/meta.json`, with TokenFeed's readers (which
    /// reject a wrong magic, a wrong version or a truncated file, naming it).
    /// - Throws: ``CLIError`` for a missing or empty folder, no train shards, or a token id
    ///   outside the vocabulary; `ShardError` for a bad `meta.json` or shard.
    static func load(directory: String) throws -> TrainingData {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir) else {
            throw CLIError("--data \(directory): no such directory; write shards there with `bpe export … --out \(directory)`")
        }
        guard isDir.boolValue else {
            throw CLIError("--data \(directory) is a file; pass the folder that bpe export wrote (it holds meta.json and the .bin shards)")
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        guard !entries.filter({ !$0.hasPrefix(".") }).isEmpty else {
            throw CLIError("--data \(directory) is empty; write shards there with `bpe export … --out \(directory)`")
        }
        let meta = try ShardMeta.load(directory: directory)
        var trainFiles = meta.files(split: "train", in: directory)
        var valFiles = meta.files(split: "val", in: directory)
        if meta.format == "llmc" {
            // meta.json lists the files; fall back on the naming rule if an older export did not.
            if trainFiles.isEmpty { trainFiles = LLMCShard.files(in: directory, split: "train", name: meta.name) }
            if valFiles.isEmpty { valFiles = LLMCShard.files(in: directory, split: "val", name: meta.name) }
        }
        guard !trainFiles.isEmpty else {
            throw CLIError("--data \(directory): meta.json lists no train shards; re-run bpe export with more documents or a smaller --val-fraction")
        }
        func read(_ path: String) throws -> [UInt32] {
            let tokens = meta.format == "nanogpt"
                ? try NanoGPTBin.read(path: path, dtype: meta.dtype)
                : try LLMCShard.read(path: path).tokens
            if let bad = tokens.firstIndex(where: { Int($0) >= meta.nVocab }) {
                throw CLIError("\(path): token id \(tokens[bad]) at position \(bad) is outside the vocabulary (n_vocab \(meta.nVocab) in meta.json); the shards and meta.json do not match: re-run bpe export")
            }
            return tokens
        }
        let train = try trainFiles.map(read)
        let val = try valFiles.map(read)
        guard train.contains(where: { !$0.isEmpty }) else {
            throw CLIError("--data \(directory): the train shards hold no tokens; re-run bpe export on a non-empty corpus")
        }
        return TrainingData(directory: directory, meta: meta, train: train, val: val,
                            trainFiles: trainFiles, valFiles: valFiles)
    }

    /// Unigram entropy (nats) of the validation tokens: the loss of a model that knows only
    /// token frequencies. A trained model must beat it to have learned any context.
    var validationUnigramEntropy: Double? {
        var counts: [UInt32: Int] = [:]
        var total = 0
        for shard in val {
            for t in shard { counts[t, default: 0] += 1 }
            total += shard.count
        }
        guard total > 0 else { return nil }
        return -counts.values.reduce(0.0) { h, c in
            let p = Double(c) / Double(total)
            return h + p * Foundation.log(p)
        }
    }
}
