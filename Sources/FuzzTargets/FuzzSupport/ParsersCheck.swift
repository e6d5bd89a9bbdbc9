import BPE
import Foundation
import TokenFeed

/// The file parsers on untrusted bytes: `.tiktoken` vocabularies, sidecar JSON, word-counts
/// files, llm.c shards, and (through `Encoding.load(contentsOf:)`) `tokenizer.json` and
/// Tekken JSON with format detection. Each may throw (that is the point) but must never trap, hang or
/// exhaust memory; libFuzzer reports those. A vocabulary that parses must also survive
/// being written back out and parsed again. The fuzz entry traps on a violation;
/// `FuzzRegressionTests` asks for ``violation(_:)`` instead.
public enum ParsersCheck {
    /// A private scratch folder per process; the file-based parsers read from it.
    static let directory: String = {
        let path = NSTemporaryDirectory() + "swift-bpe-fuzz-parsers-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()
    static let vocabPath = directory + "/v.tiktoken"
    static let countsPath = directory + "/words.counts"
    static let shardPath = directory + "/shard.bin"
    static let formatPath = directory + "/tokenizer.json"
    /// A word-counts file made with this pattern is accepted; the seeds use it.
    static let countsPattern = SplitPattern.cl100kTiktoken

    /// Traps on a violation (the fuzz entry point).
    public static func check(_ input: UnsafeBufferPointer<UInt8>) {
        if let violation = violation(input) { preconditionFailure(violation) }
    }

    /// What is wrong with `input`, or `nil`. (The parsers' real test is that they return at
    /// all: a trap, hang or blow-up is caught by libFuzzer, or crashes the test run.)
    public static func violation(_ input: UnsafeBufferPointer<UInt8>) -> String? {
        let bytes = Array(input)

        if let vocabulary = try? Vocabulary(tiktoken: bytes, source: "fuzz input") {
            do { _ = try Vocabulary(tiktoken: vocabulary.tiktokenData(), source: "rewritten") } catch {
                return "a parsed vocabulary does not parse again after tiktokenData(): \(error)"
            }
        }

        write(bytes, to: Sidecar.path(for: vocabPath))
        _ = try? Sidecar.load(for: vocabPath)

        write(bytes, to: countsPath)
        var counter = ChunkCounter()
        _ = try? counter.addCountsFile(countsPath, pattern: countsPattern)

        write(bytes, to: shardPath)
        _ = try? LLMCShard.read(path: shardPath)

        // tokenizer.json, Tekken JSON and format detection, through the one entry point. A
        // file that loads must encode and decode without trapping, and decoding what it
        // encoded must give the text back where the format keeps text as is.
        _ = VocabularyFormat(detecting: bytes)
        write(bytes, to: formatPath)
        if let enc = try? Encoding.load(contentsOf: formatPath) {
            let text = "Hello, wörld! 123 <|endoftext|> ab"
            let ids = enc.encodeOrdinary(text)
            do { _ = try enc.decodeBytes(ids) } catch {
                return "a loaded \(enc.format.rawValue) encoding cannot decode its own ids: \(error)"
            }
            _ = try? enc.encode(text, allowedSpecial: .all)
            if enc.format == .huggingFace { _ = try? enc.tiktokenExport() } else { _ = try? enc.tokenizerJSON() }
        }
        return nil
    }

    static func write(_ bytes: [UInt8], to path: String) {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            fatalError("cannot write \(path)")
        }
    }
}
