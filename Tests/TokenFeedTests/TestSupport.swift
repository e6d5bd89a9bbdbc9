import BPE
import Foundation
import TestSupport
@testable import TokenFeed

/// A fresh temporary folder, removed by `cleanup()`.
struct TempDir {
    let path: String

    init(_ label: String = "tokenfeed") {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(getpid())-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let p = file(name)
        try! FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }

    @discardableResult
    func write(_ name: String, _ text: String) -> String { write(name, Array(text.utf8)) }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }

    /// Every file below `sub` (hidden ones too) with its bytes, by relative path.
    func snapshot(_ sub: String) -> [String: [UInt8]] {
        let root = file(sub)
        var out: [String: [UInt8]] = [:]
        guard let walker = FileManager.default.enumerator(atPath: root) else { return out }
        while let rel = walker.nextObject() as? String {
            var isDir: ObjCBool = false
            let full = (root as NSString).appendingPathComponent(rel)
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue {
                out[rel] = Array(FileManager.default.contents(atPath: full) ?? Data())
            }
        }
        return out
    }
}

/// Bytes as text, for readable test failures.
func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

func readBytes(_ path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path) ?? Data()) }

/// Little-endian int32 at byte `offset`.
func int32(_ bytes: [UInt8], at offset: Int) -> Int32 {
    Int32(bitPattern: UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24)
}

/// Python's `[d for d in text.split(sep) if d]` (whole file as one document without `sep`).
func documents(_ bytes: [UInt8], separator: [UInt8]?) -> [[UInt8]] {
    guard let sep = separator else { return bytes.isEmpty ? [] : [bytes] }
    var docs: [[UInt8]] = []
    var start = 0, i = 0
    while i + sep.count <= bytes.count {
        if Array(bytes[i..<(i + sep.count)]) == sep {
            docs.append(Array(bytes[start..<i]))
            i += sep.count
            start = i
        } else {
            i += 1
        }
    }
    docs.append(Array(bytes[start...]))
    return docs.filter { !$0.isEmpty }
}

/// A split's tokens cut at `<|endoftext|>` and decoded: the documents, in order.
func decodedDocuments(_ meta: ShardMeta, split: String, in dir: String, encoding: Encoding) throws -> [[UInt8]] {
    let tokens = try meta.tokens(split: split, in: dir)
    guard !tokens.isEmpty else { return [] }
    precondition(tokens[0] == meta.eotToken, "a split starts with <|endoftext|>")
    return try tokens.split(separator: meta.eotToken, omittingEmptySubsequences: false).dropFirst().map {
        try encoding.decodeBytes($0)
    }
}

/// Deterministic pseudo-random text: words, punctuation, newlines (runs of 1-4), some non-ASCII.
func randomText(seed: UInt64, words: Int) -> String {
    var rng = SplitMix(seed: seed)
    let vocab = ["the", "King", "of", "Denmark", "to", "be", "or", "not", "héllo", "naïve", "日本語", "ок",
                 "42", "1999", "'s", "don't", "?!", "—", "<|endoftext|>", "  ", "\t", "🙂", "Zebra", "x"]
    var s = ""
    for _ in 0..<words {
        s += vocab[Int(rng.next() % UInt64(vocab.count))]
        switch rng.next() % 10 {
        case 0: s += String(repeating: "\n", count: Int(rng.next() % 4) + 1)
        case 1: s += ". "
        default: s += " "
        }
    }
    return s
}

