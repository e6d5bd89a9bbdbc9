@testable import BPE
import BPERegex
import Foundation
import Testing
import TestSupport

@Suite struct EncodingTests {
    let cl100k = try! Encoding.builtin("cl100k_base")

    @Test func knownIDs() throws {
        #expect(cl100k.encodeOrdinary("hello world") == [15339, 1917])
        #expect(try Encoding.builtin("gpt2").encodeOrdinary("hello world") == [31373, 995])
        #expect(try Encoding.builtin("o200k_base").encodeOrdinary("hello world") == [24912, 2375])
        #expect(try cl100k.decode([15339, 1917]) == "hello world")
    }

    @Test func disallowedSpecialTokenThrowsNamingTheTokenAndTheFix() {
        #expect(throws: EncodeError.disallowedSpecialToken("<|endoftext|>", byteOffset: 6)) {
            try cl100k.encode("hello <|endoftext|>")
        }
        let message = EncodeError.disallowedSpecialToken("<|endoftext|>", byteOffset: 6).description
        #expect(message.contains("<|endoftext|>"))
        #expect(message.contains("allowedSpecial"))
        #expect(message.contains("--disallowed-special none"))
    }

    @Test func specialTokenSemanticsFollowTiktoken() throws {
        let text = "a<|endoftext|>b<|fim_prefix|>c"
        // Allowed → special ids.
        #expect(try cl100k.encode(text, allowedSpecial: .all) == [64, 100257, 65, 100258, 66])
        // Allowed one; the other is still disallowed by default ("all" minus allowed).
        #expect(throws: EncodeError.disallowedSpecialToken("<|fim_prefix|>", byteOffset: 15)) {
            try cl100k.encode(text, allowedSpecial: ["<|endoftext|>"])
        }
        // Allowed one, check disabled: the other is plain text.
        let mixed = try cl100k.encode(text, allowedSpecial: ["<|endoftext|>"], disallowedSpecial: .none)
        #expect(mixed.contains(100257) && !mixed.contains(100258))
        #expect(try cl100k.decodeBytes(mixed) == Array(text.utf8))
        // Nothing allowed, nothing disallowed: same as encodeOrdinary.
        #expect(try cl100k.encode(text, disallowedSpecial: .none) == cl100k.encodeOrdinary(text))
        // Only the named token is disallowed.
        #expect(throws: EncodeError.self) {
            try cl100k.encode("x<|fim_prefix|>", disallowedSpecial: ["<|fim_prefix|>"])
        }
        #expect(try cl100k.encode("x<|endoftext|>", disallowedSpecial: ["<|fim_prefix|>"]).count > 1)
    }

    @Test func textBetweenSpecialTokensIsSplitSeparately() throws {
        // "  " before a special token is trailing whitespace of its own subject (`\s++$`).
        let ids = try cl100k.encode("x  <|endoftext|>", allowedSpecial: .all)
        #expect(ids == [87, 256, 100257])
    }

    @Test func singleTokens() throws {
        #expect(try cl100k.encodeSingleToken("hello") == 15339)
        #expect(try cl100k.encodeSingleToken("<|endofprompt|>") == 100276)
        #expect(throws: EncodeError.notASingleToken(Array("hello world".utf8))) {
            try cl100k.encodeSingleToken("hello world")
        }
        #expect(try cl100k.decodeSingleTokenBytes(100257) == Array("<|endoftext|>".utf8))
    }

    @Test func unknownTokenIsAnErrorNamingTheID() {
        #expect(throws: DecodeError.unknownToken(100256, index: 1)) { try cl100k.decodeBytes([15339, 100256]) }
        #expect(throws: DecodeError.unknownToken(999_999, index: 0)) { try cl100k.decode([999_999]) }
        #expect(DecodeError.unknownToken(7, index: 0).description.contains("7"))
    }

    @Test func lossyDecodeReplacesBrokenUTF8() throws {
        // "é" is one token in cl100k; its first byte alone is token 127.
        let ids = [Rank(127)]
        #expect(try cl100k.decodeBytes(ids) == [0xC3])
        #expect(try cl100k.decode(ids) == "\u{FFFD}")
    }

    @Test func decodeWithOffsets() throws {
        let ids = cl100k.encodeOrdinary("hello world")
        let (text, offsets) = try cl100k.decodeWithOffsets(ids)
        #expect(text == "hello world")
        #expect(offsets == [0, 5])
    }

    @Test func batchEqualsOneByOne() throws {
        var rng = SplitMix(seed: 3)
        let words = ["hello", " world", "Grüße", "世界", "😀", "\n", "  ", "123", "<|endoftext|>", "don't"]
        let texts = (0..<300).map { _ in (0..<Int.random(in: 0..<40, using: &rng)).map { _ in words.randomElement(using: &rng)! }.joined() }
        #expect(cl100k.encodeOrdinaryBatch(texts) == texts.map { cl100k.encodeOrdinary($0) })
        #expect(try cl100k.encodeBatch(texts, allowedSpecial: .all) == texts.map { try cl100k.encode($0, allowedSpecial: .all) })
        #expect(throws: EncodeError.self) { try cl100k.encodeBatch(texts) }
        for threads in [nil, 1, 2, 3, 1000] {
            #expect(cl100k.encodeOrdinaryBatch(texts, threads: threads) == texts.map { cl100k.encodeOrdinary($0) })
        }
    }

    /// The chunks cover every index once, whatever the count and the threads, also when one
    /// worker's chunks are slow and the others take them from the back of its share.
    @Test func chunksCoverEveryIndexOnce() {
        for count in [1, 2, 3, 7, 16, 17, 100, 1000] {
            for threads in [2, 3, 4, 1000] {
                let seen = Locked([Int](repeating: 0, count: count))
                Encoding.forEachChunk(count: count, threads: threads) { range in
                    #expect(!range.isEmpty)
                    // The first share's chunks are slow, so its neighbours finish first and take some.
                    if range.lowerBound < count / 4 { usleep(2000) }
                    seen.withLock { for i in range { $0[i] += 1 } }
                }
                #expect(seen.withLock { $0 } == [Int](repeating: 1, count: count), "\(count) texts, \(threads) threads")
            }
        }
    }

    /// A batch without a thread count starts one worker per CPU this process may use (its
    /// affinity mask, as `taskset` sets it), not one per CPU of the machine; never more than
    /// one per text and never fewer than one.
    @Test func batchWorkersFollowTheAffinityMask() {
        #expect(Encoding.workerCount(count: 1000, threads: nil) == Processors.allowed)
        #expect(Processors.allowedOnce == Processors.allowed)
        #expect(Encoding.workerCount(count: 1, threads: nil) == 1)
        #expect(Encoding.workerCount(count: 1000, threads: 3) == 3)
        #expect(Encoding.workerCount(count: 2, threads: 8) == 2)
        #expect(Encoding.workerCount(count: 5, threads: 0) == 1)
    }

    /// Byte strings, invalid UTF-8 among them, on any number of threads: the same ids as one
    /// by one, and the error of the first text that fails, whichever thread meets it.
    @Test func bytesBatchEqualsOneByOne() throws {
        var rng = SplitMix(seed: 5)
        let parts: [[UInt8]] = [Array("hello".utf8), Array(" Grüße".utf8), [0xFF], [0xE4, 0xB8], Array("世界".utf8),
                                Array("\r\n".utf8), Array(" 123".utf8), [0xC0, 0x80]]
        let texts = (0..<400).map { _ in (0..<Int.random(in: 0..<30, using: &rng)).flatMap { _ in parts.randomElement(using: &rng)! } }
        let expected = try texts.map { try cl100k.encode(bytes: $0) }
        #expect(try cl100k.encodeBatch(bytes: [Array("hello".utf8), [0xFF]]) == [[15339], [187]])   // the doc example
        for threads in [nil, 1, 2, 3, 1000] {
            #expect(try cl100k.encodeBatch(bytes: texts, threads: threads) == expected, "threads \(String(describing: threads))")
        }
        #expect(try cl100k.encodeBatch(bytes: [], threads: 2) == [])
        // Two bad texts: the first one's token is the error, on one thread and on three.
        var bad = texts
        bad[100] = Array("a <|fim_prefix|>".utf8)
        bad[300] = Array("<|endoftext|>".utf8)
        for threads in [1, 3] {
            #expect(throws: EncodeError.disallowedSpecialToken("<|fim_prefix|>", byteOffset: 2)) {
                try cl100k.encodeBatch(bytes: bad, threads: threads)
            }
        }
    }

    @Test func countTokensMatchesEncode() throws {
        let text = String(repeating: "The quick brown fox — 速い茶色の狐 — 🦊\r\n", count: 50)
        #expect(try cl100k.countTokens(text) == cl100k.encodeOrdinary(text).count)
    }

    /// A megabyte of one repeated character, of spaces, of one CJK character, or of base64
    /// with no spaces is one huge piece (or run): the heap merge must keep it linear. These
    /// check the result; Benchmarks/encode_bench.py reports the times.
    @Test(arguments: ["a", " ", "中", "\n", "0", "ab"])
    func megabyteOfOneThingRoundTrips(_ unit: String) throws {
        let text = String(repeating: unit, count: (1 << 20) / unit.utf8.count)
        for enc in [cl100k, try Encoding.builtin("o200k_base")] {
            let ids = enc.encodeOrdinary(text)
            #expect(try enc.decodeBytes(ids) == Array(text.utf8))
            #expect(ids.count <= text.utf8.count / 2 || unit == "中")
        }
    }

    @Test func megabyteOfBase64RoundTrips() throws {
        var rng = SplitMix(seed: 9)
        let raw = (0..<(3 << 18)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let text = Data(raw).base64EncodedString()
        let ids = cl100k.encodeOrdinary(text)
        #expect(try cl100k.decodeBytes(ids) == Array(text.utf8))
    }

    @Test func customEncodingFromParts() throws {
        let v = try byteVocabulary(["ab", "abab"])
        let enc = try Encoding(name: "tiny", vocabulary: v, pattern: SplitPattern.preset("cl100k")!,
                               specialTokens: ["<|end|>": 258])
        #expect(enc.encodeOrdinary("ababab") == [257, 256])
        #expect(try enc.encode("ab<|end|>", allowedSpecial: .all) == [256, 258])
        #expect(enc.nVocab == 259)
        #expect(throws: VocabularyError.specialTokenCollision(token: "<|x|>", rank: 5)) {
            try Encoding(name: "bad", vocabulary: v, pattern: ".", specialTokens: ["<|x|>": 5])
        }
    }

    /// tiktoken compares allowed and disallowed special tokens code point for code point: a
    /// canonically equivalent spelling (`e` + U+0301 for `é`) names no special token.
    @Test func specialTokenSetsCompareCodePoints() throws {
        let v = try byteVocabulary(["ab"])
        let composed = "<|caf\u{E9}|>", decomposed = "<|cafe\u{301}|>"
        #expect(composed == decomposed && !composed.utf8.elementsEqual(decomposed.utf8))
        let enc = try Encoding(name: "tiny", vocabulary: v, pattern: SplitPattern.preset("cl100k")!,
                               specialTokens: [composed: 257])
        #expect(try enc.encode("ab" + composed, allowedSpecial: [composed]) == [256, 257])
        // The other spelling does not allow it, so the default (disallow all others) refuses it.
        #expect(throws: EncodeError.self) { try enc.encode("ab" + composed, allowedSpecial: [decomposed]) }
        // Nor does it disallow it: as ordinary text it encodes to bytes.
        let plain = try enc.encode(composed, disallowedSpecial: [decomposed])
        #expect(plain == enc.encodeOrdinary(composed) && !plain.contains(257))
        #expect(throws: EncodeError.self) { try enc.encode(composed, disallowedSpecial: [composed]) }
        // The tokenizer.json pipeline's choice per added token, alike.
        #expect(SpecialChoice(allowed: [decomposed], disallowed: [decomposed]).isAllowed(composed) == false)
        #expect(SpecialChoice(allowed: [composed], disallowed: .all).isAllowed(composed) == true)
        #expect(SpecialChoice(allowed: .none, disallowed: [composed]).isAllowed(composed) == nil)
    }

    @Test func unknownBuiltinNamesTheKnownOnes() {
        do {
            _ = try Encoding.builtin("cl200k")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("cl100k_base"))
        }
    }

    @Test func missingVocabDirectoryListsWhereItLooked() {
        do {
            _ = try Encoding.builtin("cl100k_base", vocabDirectory: "/nonexistent/vocab")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("/nonexistent/vocab"))
            #expect(error.description.contains("BPE_VOCAB_DIR"))
        }
    }

    @Test func wrongHashIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpe-hash-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var data = try Data(contentsOf: URL(fileURLWithPath: "\(fixturesDirectory)/../vocab/r50k_base.tiktoken"))
        data.append(contentsOf: Array("\n".utf8))
        try data.write(to: dir.appendingPathComponent("r50k_base.tiktoken"))
        do {
            _ = try Encoding.builtin("r50k_base", vocabDirectory: dir.path)
            Issue.record("expected an error")
        } catch {
            guard case .hashMismatch = error else { Issue.record("wrong error \(error)"); return }
            #expect(error.description.contains("sha256"))
        }
    }

    /// The built-ins map their file; one that cannot be mapped (empty, or a directory) is
    /// still read and refused with the reason.
    @Test func emptyOrDirectoryVocabularyIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpe-unmappable-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data().write(to: dir.appendingPathComponent("r50k_base.tiktoken"))
        do {
            _ = try Encoding.builtin("r50k_base", vocabDirectory: dir.path)
            Issue.record("expected an error for an empty file")
        } catch {
            guard case .hashMismatch(_, _, let actual) = error else { Issue.record("wrong error \(error)"); return }
            // The SHA-256 of no bytes.
            #expect(actual == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("cl100k_base.tiktoken"),
                                                withIntermediateDirectories: true)
        do {
            _ = try Encoding.builtin("cl100k_base", vocabDirectory: dir.path)
            Issue.record("expected an error for a directory")
        } catch {
            #expect(error.description.contains("directory"), "\(error)")
        }
    }

    @Test func patternTranslationSpellsOutWhiteSpace() {
        let p = SplitPattern.pcre2(fromTiktoken: #"\s+(?!\S)|[^\s\p{L}]|[\s]"#)
        #expect(!p.contains(#"\s"#) && !p.contains(#"\S"#))
        #expect(p.contains(#"\x{85}"#))
        // An escaped backslash followed by s is not \s.
        #expect(SplitPattern.pcre2(fromTiktoken: #"\\s"#) == #"\\s"#)
    }

    @Test func nextLineIsWhiteSpaceAsInRust() throws {
        // U+0085 is White_Space for Rust's regex (tiktoken); PCRE2's own \s has changed across
        // versions, so the translation spells the class out and does not depend on it.
        let p = try Pattern(SplitPattern.pcre2(fromTiktoken: #"\s+|\S+"#))
        #expect(p.split([0x61, 0xC2, 0x85, 0x62]) == [0..<1, 1..<3, 3..<4])
    }

    @Test func unicode16NumbersSplitAsInTiktoken() throws {
        // Kaktovik numerals (UCD 15) are \p{N} for tiktoken's Rust regex (UCD 16) but unassigned
        // for PCRE2 10.42 (UCD 14); the unicode sweep found them. tiktoken: [220, 57352, 233, 222].
        #expect(cl100k.encodeOrdinary(" \u{1D2C0}") == [220, 57352, 233, 222])
        #expect(SplitPattern.pcre2(fromTiktoken: #"\p{N}"#).contains(#"\x{1D2C0}-\x{1D2D3}"#))
    }
}
