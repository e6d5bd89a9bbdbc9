@testable import BPE
import Foundation
import Testing
import TestSupport

/// A `tokenizer.json` through the vocabulary cache: the second load maps the image of the
/// first, with exactly the ids of a load without cache; a damaged, stale, foreign or changed
/// image is never used.
@Suite struct TokenizerJSONCacheTests {
    /// A folder with `cache/` (empty) and `name` holding `bytes`.
    struct Scratch {
        let dir: String
        let file: String
        let cache: VocabularyCache

        init(_ bytes: [UInt8], name: String = "tokenizer.json") throws {
            dir = NSTemporaryDirectory() + "bpe-hfcache-test-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir + "/cache", withIntermediateDirectories: true)
            file = dir + "/" + name
            cache = VocabularyCache(directory: dir + "/cache", minimumJSONFileSize: 0)
            try write(bytes)
        }

        func write(_ bytes: [UInt8]) throws { try Data(bytes).write(to: URL(fileURLWithPath: file)) }
        func load() throws -> Encoding { try Encoding.load(contentsOf: file, pattern: nil, specialTokens: nil, cache: cache) }
        func uncached() throws -> Encoding {
            try Encoding.load(contentsOf: file, pattern: nil, specialTokens: nil, cache: VocabularyCache(directory: nil))
        }
        var digest: FileDigest { get throws { FileDigest(of: try readFile(file)) } }
        var image: String { get throws { try #require(cache.path(for: try digest.hex)) } }
        var images: [String] { (try? FileManager.default.contentsOfDirectory(atPath: dir + "/cache")) ?? [] }
        func remove() { try? FileManager.default.removeItem(atPath: dir) }
    }

    static let deepseekMini = "\(fixturesDirectory)/formats/deepseek-mini.json"

    /// The texts of the fixture's golden file and a few more that reach every table.
    static func texts() throws -> [String] {
        var texts = try jsonLines("formats/deepseek-mini.golden.jsonl").compactMap { $0["text"] as? String }
        texts += [
            "Hello, world! The quick brown fox jumps over the lazy dog. 1234567 3.14159",
            "naïve café — 東京 москва 😀 \u{301}x <｜begin▁of▁sentence｜>hi<｜end▁of▁sentence｜>",
            String(repeating: "a", count: 3000), String(repeating: "abcdefghij ", count: 90),
            "  \n\n\t  trailing spaces   ", "def f(x):\n    return x ** 2  # comment\n",
        ]
        return texts
    }

    /// Same ids, same decoding, same tables: every token's bytes, every merge.
    static func expectSame(_ a: Encoding, _ b: Encoding, texts: [String]) throws {
        #expect(a.vocabulary.count == b.vocabulary.count && a.vocabulary.holes == b.vocabulary.holes)
        #expect(a.specialTokens == b.specialTokens)
        for r in 0..<a.vocabulary.count { #expect(a.vocabulary.tokenBytes(Rank(r)) == b.vocabulary.tokenBytes(Rank(r))) }
        guard case .mergeList(let la, let ia) = a.vocabulary.mergeRule, case .mergeList(let lb, let ib) = b.vocabulary.mergeRule else {
            Issue.record("not a merge list")
            return
        }
        #expect(ia == ib && la.count == lb.count && zip(la, lb).allSatisfy { $0 == $1 })
        for t in texts {
            let ids = try a.encode(t, allowedSpecial: .all)
            #expect(try b.encode(t, allowedSpecial: .all) == ids, "\(t.prefix(30).debugDescription)")
            #expect(b.encodeOrdinary(t) == a.encodeOrdinary(t), "\(t.prefix(30).debugDescription)")
            #expect(try b.decode(ids) == t)
        }
    }

    @Test func cachedLoadGivesTheIdsOfAnUncachedOne() throws {
        let s = try Scratch(try readFile(Self.deepseekMini))
        defer { s.remove() }
        let fresh = try s.uncached()
        #expect(s.images.isEmpty, "a load without cache wrote \(s.images)")
        let first = try s.load()
        let image = try s.image
        #expect(!first.vocabulary.isMapped && FileManager.default.fileExists(atPath: image))
        let second = try s.load()
        #expect(second.vocabulary.isMapped && second.format == .huggingFace)
        let texts = try Self.texts()
        try Self.expectSame(fresh, second, texts: texts)
        try Self.expectSame(fresh, first, texts: texts)
        // And against tokenizers' own ids.
        for row in try jsonLines("formats/deepseek-mini.golden.jsonl") where row["mode"] as? String == "all" {
            #expect(try second.encode(row["text"] as! String, allowedSpecial: .all) == (row["ids"] as! [Int]).map(Rank.init))
        }
    }

    /// The real DeepSeek V3 file and real text, where scripts/fetch_reference_tokenizers.sh and
    /// scripts/fetch_corpora.sh put them (skipped when they are not there).
    @Test func realDeepSeekFileCachedAndUncachedAgree() throws {
        let root = URL(fileURLWithPath: fixturesDirectory).deletingLastPathComponent().path
        let path = root + "/.reference/deepseek_tokenizer.json"
        guard FileManager.default.fileExists(atPath: path) else { return }
        let s = try Scratch(try readFile(path))
        defer { s.remove() }
        let fresh = try s.uncached()
        _ = try s.load()
        let cached = try s.load()
        #expect(cached.vocabulary.isMapped)
        var texts = try Self.texts()
        let corpora = (try? FileManager.default.contentsOfDirectory(atPath: root + "/.corpora")) ?? []
        for name in corpora.sorted() where name.hasSuffix(".txt") {
            let bytes = try readFile(root + "/.corpora/" + name).prefix(200_000)
            texts.append(String(decoding: bytes, as: UTF8.self))
        }
        try Self.expectSame(fresh, cached, texts: texts)
    }

    /// A flipped byte, a truncated file, garbage: each image is refused, the file loads in
    /// full with the same ids, and a good image replaces the bad one.
    @Test func corruptOrTruncatedImagesAreRebuilt() throws {
        let s = try Scratch(try readFile(Self.deepseekMini))
        defer { s.remove() }
        let fresh = try s.uncached()
        _ = try s.load()
        let good = try readFile(try s.image)
        var damaged = good
        damaged[damaged.count / 2] ^= 0x01
        var lastByte = good
        lastByte[lastByte.count - 1] ^= 0x80
        let cases: [(String, [UInt8])] = [
            ("a flipped bit in the tables", damaged), ("a flipped bit at the end", lastByte),
            ("truncated to half", Array(good.prefix(good.count / 2))), ("truncated by 64 bytes", Array(good.dropLast(64))),
            ("the header only", Array(good.prefix(4096))), ("one byte", [0x53]),
            ("garbage", (0..<good.count).map { UInt8(truncatingIfNeeded: $0 &* 131) }),
        ]
        for (what, bad) in cases {
            try Data(bad).write(to: URL(fileURLWithPath: try s.image))
            let rebuilt = try s.load()
            #expect(!rebuilt.vocabulary.isMapped, "\(what): the damaged image was used")
            try Self.expectSame(fresh, rebuilt, texts: Array(try Self.texts().prefix(40)))
            #expect(try readFile(try s.image) == good, "\(what): the image was not rewritten")
            #expect(try s.load().vocabulary.isMapped, "\(what)")
        }
    }

    /// Images that pass every checksum but do not describe this file's model: another
    /// revision, ranges that do not land on model.vocab and model.merges, the tables of a
    /// .tiktoken file. None is used; the file loads in full with its own ids.
    @Test func wellFormedImagesOfTheWrongKindAreNotUsed() throws {
        let s = try Scratch(try readFile(Self.deepseekMini))
        defer { s.remove() }
        let fresh = try s.uncached()
        _ = try s.load()
        let digest = try s.digest
        let (vocabulary, extra) = try #require(s.cache.cached(digest))
        let saved = try #require(HuggingFaceTokenizerFile.CachedModel(extra))
        #expect(saved.encoded() == extra)
        var otherRevision = extra
        otherRevision[8] &+= 1
        var shifted = saved
        shifted.vocab = (saved.vocab.lowerBound + 1)..<saved.vocab.upperBound
        var swapped = saved
        (swapped.vocab, swapped.merges) = (saved.merges, saved.vocab)
        let r50k = try Vocabulary(contentsOf: try VocabLocator().locate("r50k_base.tiktoken"))
        let cases: [(String, Vocabulary, [UInt8])] = [
            ("another revision", vocabulary, otherRevision), ("a vocab range off by one", vocabulary, shifted.encoded()),
            ("vocab and merges swapped", vocabulary, swapped.encoded()), ("no extra bytes", vocabulary, []),
            ("a .tiktoken file's tables", r50k, []), ("a .tiktoken file's tables with this extra", r50k, extra),
        ]
        for (what, v, e) in cases {
            s.cache.store(v, extra: e, digest: digest)
            let loaded = try s.load()
            #expect(!loaded.vocabulary.isMapped, "\(what): the image was used")
            try Self.expectSame(fresh, loaded, texts: Array(try Self.texts().prefix(40)))
            #expect(try s.load().vocabulary.isMapped, "\(what): no good image after the full load")
        }
        // And the other way: the .tiktoken reader never takes a tokenizer.json's image.
        let bytes = try readFile(s.file)
        #expect(throws: VocabularyError.self) { try s.cache.vocabulary(tiktoken: bytes, digest: digest, source: s.file) }
    }

    /// A file changed in place (same path, same length, merges in another order) is not
    /// served from the image of its old content.
    @Test func aChangedFileIsNotServedFromTheOldImage() throws {
        let s = try Scratch(Array(hfJSON(tokens: ["ab", "bc"], merges: ["b c", "a b"]).utf8))
        defer { s.remove() }
        #expect(try s.load().encodeOrdinary("abc") == [97, 257])
        #expect(try s.load().vocabulary.isMapped)
        try s.write(Array(hfJSON(tokens: ["ab", "bc"], merges: ["a b", "b c"]).utf8))
        let changed = try s.load()
        #expect(!changed.vocabulary.isMapped)
        #expect(changed.encodeOrdinary("abc") == [256, 99])
        let again = try s.load()
        #expect(again.vocabulary.isMapped && again.encodeOrdinary("abc") == [256, 99])
        #expect(s.images.count == 2)
        // Changed outside the model too: an added token now special, read from the new bytes.
        let added = #"[{"id": 258, "content": "<x>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": false}]"#
        try s.write(Array(hfJSON(tokens: ["ab", "bc"], merges: ["a b", "b c"], addedTokens: added).utf8))
        _ = try s.load()
        let plain = try s.load()
        #expect(plain.vocabulary.isMapped && plain.encodeOrdinary("a<x>") == [97, 258])
        try s.write(Array(hfJSON(tokens: ["ab", "bc"], merges: ["a b", "b c"], addedTokens: added.replacingOccurrences(of: #""special": false"#, with: #""special": true "#)).utf8))
        _ = try s.load()
        let special = try s.load()
        #expect(special.vocabulary.isMapped && special.specialTokens == ["<x>": 258])
        #expect(throws: EncodeError.self) { try special.encode("a<x>") }
    }

    /// A file whose load fails writes no image; an empty BPE_CACHE_DIR-style cache (nil) none.
    @Test func failedLoadsWriteNoImage() throws {
        let s = try Scratch(Array(hfJSON(tokens: ["ab"], merges: ["a b"], decoder: "null").utf8))
        defer { s.remove() }
        #expect(throws: FormatError.self) { try s.load() }
        #expect(s.images.isEmpty)
    }

    /// A Tekken file the same way: the cached load has the uncached one's ids (and
    /// mistral_common's), a damaged image or one of another kind is rebuilt, a changed file
    /// is read again.
    @Test func tekkenFilesAreCachedTheSameWay() throws {
        let bytes = try readFile("\(fixturesDirectory)/formats/tekken-mini.json")
        let s = try Scratch(bytes, name: "tekken.json")
        defer { s.remove() }
        let fresh = try s.uncached()
        #expect(try !s.load().vocabulary.isMapped)
        let cached = try s.load()
        #expect(cached.vocabulary.isMapped && cached.format == .tekken)
        // Stored without the backtracking tables, built on first need as without a cache.
        #expect(cached.vocabulary.backtracking != nil && fresh.vocabulary.backtracking != nil)
        #expect(cached.specialTokens == fresh.specialTokens && cached.vocabulary.count == fresh.vocabulary.count)
        for r in 0..<fresh.vocabulary.count { #expect(cached.vocabulary.tokenBytes(Rank(r)) == fresh.vocabulary.tokenBytes(Rank(r))) }
        for row in try jsonLines("formats/tekken-mini.golden.jsonl") where row["mode"] as? String == "ordinary" {
            #expect(cached.encodeOrdinary(row["text"] as! String) == (row["ids"] as! [Int]).map(Rank.init))
        }
        for t in try Self.texts() {
            #expect(cached.encodeOrdinary(t) == fresh.encodeOrdinary(t))
            #expect(try cached.encode(t, allowedSpecial: .all) == fresh.encode(t, allowedSpecial: .all))
        }
        // Damaged, then of the wrong kind (a tokenizer.json's extra bytes): rebuilt each time.
        let image = try s.image
        var damaged = try readFile(image)
        damaged[damaged.count / 3] ^= 0x04
        try Data(damaged).write(to: URL(fileURLWithPath: image))
        #expect(try !s.load().vocabulary.isMapped)
        let hfExtra = HuggingFaceTokenizerFile.CachedModel(vocab: 0..<2, merges: 3..<5, size: 1, rawEntries: []).encoded()
        s.cache.store(fresh.vocabulary, extra: hfExtra, digest: try s.digest)
        #expect(try !s.load().vocabulary.isMapped)
        #expect(try s.load().vocabulary.isMapped)
        // Another default_vocab_size: fewer tokens, read from the new bytes.
        let text = String(decoding: bytes, as: UTF8.self)
        let size = try #require(text.firstRange(of: #/"default_vocab_size": *(\d+)/#))
        let old = Int(text[size].split(separator: ":")[1].trimmingCharacters(in: .whitespaces))!
        try s.write(Array(text.replacingCharacters(in: size, with: "\"default_vocab_size\": \(old - 100)").utf8))
        _ = try s.load()
        let smaller = try s.load()
        #expect(smaller.vocabulary.isMapped && smaller.vocabulary.count == fresh.vocabulary.count - 100)
    }

    /// With the default policy, a small JSON file (a fuzzer's input, a test's) leaves no image.
    @Test func smallJSONFilesAreNotCached() throws {
        let s = try Scratch(Array(hfJSON(tokens: ["ab"], merges: ["a b"]).utf8))
        defer { s.remove() }
        let policy = VocabularyCache(directory: s.dir + "/cache")
        #expect(try readFile(s.file).count < policy.minimumJSONFileSize)
        for _ in 0..<2 {
            let enc = try Encoding.load(contentsOf: s.file, pattern: nil, specialTokens: nil, cache: policy)
            #expect(!enc.vocabulary.isMapped && enc.encodeOrdinary("ab") == [256])
        }
        #expect(s.images.isEmpty)
        #expect(try readFile(Self.deepseekMini).count >= policy.minimumJSONFileSize)
    }

    /// The parser's skipping: a recorded range becomes one empty node marked skipped; a range
    /// that does not start a container is ignored.
    @Test func skippedContainersAreOneEmptyNode() throws {
        let text = Array(#"{"a": {"x": [1, 2]}, "b": [3, {"y": 4}], "c": "s"}"#.utf8)
        let full = try JSONDocument(text)
        let a = try #require(full.root["a"]), b = try #require(full.root["b"])
        let doc = try JSONDocument(text, skipping: [a.byteRange, b.byteRange])
        #expect(doc.root["a"]?.node.skipped == true && doc.root["a"]?.kind == .object && doc.root["a"]?.count == 0)
        #expect(doc.root["b"]?.node.skipped == true && doc.root["b"]?.kind == .array)
        #expect(doc.root["c"]?.string == "s")
        let off = try JSONDocument(text, skipping: [(a.byteRange.lowerBound + 1)..<a.byteRange.upperBound])
        #expect(off.root["a"]?.node.skipped == false && off.root["a"]?["x"]?.count == 2)
        let wrongEnd = try JSONDocument(text, skipping: [a.byteRange.lowerBound..<(a.byteRange.upperBound - 1)])
        #expect(wrongEnd.root["a"]?.node.skipped == false)
    }
}
