@testable import BPE
import Foundation
import Testing
import TestSupport

/// The vocabulary image and the cache folder: an image gives back exactly the vocabulary it
/// was made from, and a damaged, stale or foreign image is never used.
@Suite struct VocabularyCacheTests {
    static func temporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "bpe-cache-test-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// r50k_base's file, and its digest.
    static func source() throws -> (bytes: [UInt8], sha: FileDigest, path: String) {
        let path = try VocabLocator().locate("r50k_base.tiktoken")
        let bytes = try readFile(path)
        return (bytes, FileDigest(of: bytes), path)
    }

    /// Texts that exercise every table: whole tokens, merges, long pieces (backtracking).
    static let texts: [String] = [
        "Hello, world! The quick brown fox jumps over the lazy dog.",
        "naïve café — 東京 москва 😀 \u{301}x",
        String(repeating: "a", count: 3000), String(repeating: "abcdefghij", count: 90),
        "  \n\n\t  trailing spaces   ", "12345678901234567890",
    ]

    @Test func imageGivesBackTheSameVocabulary() throws {
        let (bytes, sha, path) = try Self.source()
        let fresh = try Vocabulary(tiktoken: bytes, source: path)
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/image"
        try Data(fresh.image(sourceSHA256: sha.bytes)).write(to: URL(fileURLWithPath: file))
        let mappedFile = try #require(MappedFile(path: file))
        let mapped = try #require(Vocabulary(image: mappedFile, sourceSHA256: sha.bytes))
        #expect(mapped.count == fresh.count && mapped.holes == fresh.holes && mapped.pairs.count == fresh.pairs.count)
        for r in 0..<fresh.count { #expect(mapped.tokenBytes(Rank(r)) == fresh.tokenBytes(Rank(r))) }
        #expect(mapped.backtracking != nil)
        // The pair filter comes back word for word: a filter that lost a bit would hide a pair.
        #expect(mapped.pairs.filter.count == fresh.pairs.filter.count)
        #expect(UnsafeBufferPointer(start: mapped.pairs.filter.base, count: mapped.pairs.filter.count)
            .elementsEqual(UnsafeBufferPointer(start: fresh.pairs.filter.base, count: fresh.pairs.filter.count)))
        let a = try Encoding(name: "a", vocabulary: fresh, preset: .gpt2, specialTokens: ["<|endoftext|>": 50256])
        let b = try Encoding(name: "b", vocabulary: mapped, preset: .gpt2, specialTokens: ["<|endoftext|>": 50256])
        for t in Self.texts {
            #expect(b.encodeOrdinary(t) == a.encodeOrdinary(t), "\(t.prefix(20))")
        }
    }

    /// One flipped bit anywhere (header, tables, padding), a short file, another source
    /// digest: each image is refused.
    @Test func damagedOrForeignImagesAreRefused() throws {
        let (bytes, sha, path) = try Self.source()
        let image = try Vocabulary(tiktoken: bytes, source: path).image(sourceSHA256: sha.bytes)
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func accepts(_ b: [UInt8], sha: [UInt8]) throws -> Bool {
            let file = "\(dir)/image-\(UInt32.random(in: 0...UInt32.max))"
            try Data(b).write(to: URL(fileURLWithPath: file))
            guard let mapped = MappedFile(path: file) else { return false }
            return Vocabulary(image: mapped, sourceSHA256: sha) != nil
        }
        #expect(try accepts(image, sha: sha.bytes))
        var rng = SplitMix(seed: 4)
        for offset in [0, 9, 17, 30, 57, 70, 100, 4096, 5000] + (0..<20).map({ _ in Int.random(in: 0..<image.count, using: &rng) }) {
            var bad = image
            bad[offset] ^= 0x10
            #expect(try !accepts(bad, sha: sha.bytes), "a flipped bit at \(offset) was not noticed")
        }
        #expect(try !accepts(Array(image.dropLast(64)), sha: sha.bytes))
        #expect(try !accepts(Array(image.prefix(4096)), sha: sha.bytes))
        var otherSource = sha.bytes
        otherSource[0] ^= 1
        #expect(try !accepts(image, sha: otherSource))
    }

    /// Through the folder: the first load writes an image, the second maps it; a corrupt
    /// image is replaced; a folder that cannot be written still loads; an empty
    /// BPE_CACHE_DIR means no cache.
    @Test func cacheFolderLifecycle() throws {
        let (bytes, sha, path) = try Self.source()
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cache = VocabularyCache(directory: dir)
        let image = try #require(cache.path(for: sha.hex))
        // Images of this file in older formats, and another file's: writing the new image
        // removes the first two, and only them.
        let older = (1..<Vocabulary.formatVersion).map { "\(dir)/\(sha.hex).v\($0).bpecache" }
        let otherFile = "\(dir)/\(String(repeating: "0", count: 64)).v1.bpecache"
        for f in older + [otherFile] { try Data("old".utf8).write(to: URL(fileURLWithPath: f)) }
        let first = try cache.vocabulary(tiktoken: bytes, digest: sha, source: path)
        #expect(!first.isMapped && FileManager.default.fileExists(atPath: image))
        #expect(older.count >= 2 && older.allSatisfy { !FileManager.default.fileExists(atPath: $0) })
        #expect(FileManager.default.fileExists(atPath: otherFile))
        let second = try cache.vocabulary(tiktoken: bytes, digest: sha, source: path)
        #expect(second.isMapped)
        // Corrupt it: refused, rebuilt, rewritten, and mapped again next time.
        var damaged = try readFile(image)
        damaged[damaged.count / 2] ^= 0xFF
        try Data(damaged).write(to: URL(fileURLWithPath: image))
        #expect(try !cache.vocabulary(tiktoken: bytes, digest: sha, source: path).isMapped)
        #expect(try cache.vocabulary(tiktoken: bytes, digest: sha, source: path).isMapped)
        // A folder that cannot be created (a file is in the way): loads, writes nothing.
        let blocked = "\(dir)/blocked"
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocked))
        let v = try VocabularyCache(directory: "\(blocked)/sub").vocabulary(tiktoken: bytes, digest: sha, source: path)
        #expect(v.count == first.count)
        #expect(VocabularyCache(directory: nil).path(for: sha.hex) == nil)
    }
}
