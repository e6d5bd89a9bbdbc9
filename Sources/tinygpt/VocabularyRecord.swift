import BPE
import CLISupport
import Foundation
import TinyGPT
import TokenFeed

/// How a checkpoint remembers its vocabulary, so `tinygpt sample` needs nothing but the
/// checkpoint: the built-in encoding's name, or for a trained vocabulary a copy of its
/// `.tiktoken` file and sidecar (both copied into the shard folder by `bpe export`).
///
/// Metadata keys: `vocab.encoding` (built-in name) or `vocab.file`, `vocab.sha256`,
/// `vocab.pattern`, `vocab.special_tokens` (JSON); always `vocab.n_vocab`, `vocab.eot_token`.
/// Attachments: `vocab.tiktoken`, `vocab.tiktoken.json` (sidecar), `meta.json`.
enum VocabularyRecord {
    /// The metadata and attachments to store for the vocabulary of `data`.
    static func capture(_ data: TrainingData) throws -> (metadata: [String: String], attachments: [String: [UInt8]]) {
        let meta = data.meta
        var metadata = ["vocab.n_vocab": String(meta.nVocab), "vocab.eot_token": String(meta.eotToken)]
        var attachments: [String: [UInt8]] = [:]
        func file(_ name: String) throws -> [UInt8] {
            let path = (data.directory as NSString).appendingPathComponent(name)
            guard let bytes = FileManager.default.contents(atPath: path) else {
                throw CLIError("\(path): cannot read it, but meta.json names it as the vocabulary; re-run bpe export")
            }
            return [UInt8](bytes)
        }
        attachments["meta.json"] = try file(ShardMeta.fileName)
        if let name = meta.encoding {
            metadata["vocab.encoding"] = name
        } else if let vocabFile = meta.vocabFile {
            metadata["vocab.file"] = vocabFile
            attachments["vocab.tiktoken"] = try file(vocabFile)
            if let sidecar = meta.sidecarFile { attachments["vocab.tiktoken.json"] = try file(sidecar) }
            if let sha = meta.vocabSHA256 { metadata["vocab.sha256"] = sha }
            if let pattern = meta.pattern { metadata["vocab.pattern"] = pattern }
            if let specials = meta.specialTokens,
               let json = try? JSONEncoder().encode(specials) {
                metadata["vocab.special_tokens"] = String(decoding: json, as: UTF8.self)
            }
        } else {
            throw CLIError("\(data.directory)/meta.json names neither an encoding nor a vocab_file; re-run bpe export")
        }
        return (metadata, attachments)
    }

    /// A short name for the vocabulary, to check that a resumed run reads the same one.
    static func identity(_ metadata: [String: String]) -> String {
        if let name = metadata["vocab.encoding"] { return "encoding \(name)" }
        return "vocabulary file \(metadata["vocab.file"] ?? "?") (sha256 \(metadata["vocab.sha256"] ?? "?"))"
    }

    /// Rebuilds the checkpoint's vocabulary.
    /// - Throws: ``CLIError`` if the checkpoint records none, or it does not match the model.
    static func encoding(for checkpoint: Checkpoint, path: String) throws -> Encoding {
        let md = checkpoint.metadata
        let encoding: Encoding
        if let name = md["vocab.encoding"] {
            encoding = try Encoding.builtin(name)
        } else if let tiktoken = checkpoint.attachments["vocab.tiktoken"] {
            // The sidecar copy, through the one sidecar codec; checkpoints of exports without
            // one fall back on the pattern and special tokens in the metadata.
            var pattern = md["vocab.pattern"]
            var specials: [String: Rank] = [:]
            if let sidecar = checkpoint.attachments["vocab.tiktoken.json"] {
                let s = try Sidecar.decode(sidecar, source: "\(path) (vocab.tiktoken.json)")
                (pattern, specials) = (s.pattern, s.specialTokens)
            } else if let json = md["vocab.special_tokens"] {
                guard let decoded = try? JSONDecoder().decode([String: Rank].self, from: Data(json.utf8)) else {
                    throw CLIError("\(path): the checkpoint's vocab.special_tokens is not a JSON object of ids; retrain from a folder written by bpe export")
                }
                specials = decoded
            }
            guard let pattern else {
                throw CLIError("\(path): the checkpoint's vocabulary has no split pattern; retrain from a folder written by bpe export")
            }
            encoding = try Encoding.load(tiktoken: tiktoken, source: "\(path) (vocab.tiktoken)", pattern: pattern,
                                         specialTokens: specials,
                                         name: ((md["vocab.file"] ?? "vocab.tiktoken") as NSString).deletingPathExtension)
        } else {
            throw CLIError("\(path): the checkpoint records no vocabulary (no vocab.encoding or vocab.tiktoken); was it written by tinygpt train?")
        }
        guard encoding.nVocab == checkpoint.config.vocabSize else {
            throw CLIError("\(path): the vocabulary has \(encoding.nVocab) tokens but the model \(checkpoint.config.vocabSize); the checkpoint is inconsistent")
        }
        return encoding
    }
}
