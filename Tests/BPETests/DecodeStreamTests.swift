@testable import BPE
import Testing
import TestSupport

/// Streaming decode: text only at UTF-8 boundaries, the whole equal to decoding at once.
@Suite struct DecodeStreamTests {
    @Test func characterSplitAcrossChunksIsHeldBack() {
        var d = UTF8StreamDecoder()
        #expect(d.decode([0x68, 0xC3]) == "h")           // "h" + first byte of "é"
        #expect(d.pendingByteCount == 1)
        #expect(d.decode([0xA9, 0x21]) == "é!")
        #expect(d.decode([0xE4]) == "")                   // 世 = E4 B8 96
        #expect(d.decode([0xB8]) == "")
        #expect(d.decode([0x96]) == "世")
        #expect(d.decode([0xF0, 0x9F]) == "")             // 🎉 = F0 9F 8E 89
        #expect(d.decode([0x8E, 0x89, 0x20]) == "🎉 ")
        #expect(d.finish() == "")
    }

    @Test func everySplitOfMixedScriptText() {
        let text = "héllo 世界 🎉 ok"
        let bytes = Array(text.utf8)
        for i in 0...bytes.count {
            for j in i...bytes.count {
                var d = UTF8StreamDecoder()
                let parts = [d.decode(bytes[..<i]), d.decode(bytes[i..<j]), d.decode(bytes[j...]), d.finish()]
                #expect(parts.joined() == text)
                #expect(!parts.contains { $0.unicodeScalars.contains("\u{FFFD}") }, "split at \(i), \(j)")
            }
        }
    }

    @Test func randomBytesEqualDecodingAllAtOnce() {
        var rng = SplitMix(seed: 11)
        let alphabet: [UInt8] = [0x41, 0x20, 0x80, 0x9F, 0xA0, 0xBF, 0xC2, 0xC3, 0xDF, 0xE0, 0xE4, 0xED, 0xEF,
                                 0xF0, 0xF4, 0xF5, 0xFF, 0xC0, 0x8F, 0x90]
        for _ in 0..<2000 {
            let n = Int.random(in: 0..<12, using: &rng)
            let bytes = (0..<n).map { _ in alphabet.randomElement(using: &rng)! }
            var d = UTF8StreamDecoder()
            var out = ""
            var i = 0
            while i < n {
                let k = Int.random(in: 1...3, using: &rng)
                out += d.decode(bytes[i..<min(n, i + k)])
                i += k
            }
            out += d.finish()
            #expect(out == String(decoding: bytes, as: UTF8.self), "bytes \(bytes)")
        }
    }

    @Test func unfinishedCharacterAtTheEndIsFlushedAsReplacement() {
        var d = UTF8StreamDecoder()
        #expect(d.decode([0x61, 0xE4, 0xB8]) == "a")
        #expect(d.finish() == "\u{FFFD}")
        #expect(d.finish() == "")
    }

    /// Token by token through a real encoding: byte-level tokens split characters, and the
    /// concatenated steps are the lossy decoding of all ids, never a broken character early.
    @Test func tokenByTokenEqualsDecode() throws {
        let enc = try Encoding.builtin("cl100k_base")
        for text in ["héllo 世界 🎉 ok", "👨‍👩‍👧 family", "ascii only", "日本語のテキスト"] {
            let ids = enc.encodeOrdinary(text)
            var stream = DecodeStream(encoding: enc)
            var out = ""
            for id in ids {
                let part = try stream.step(id)
                #expect(!part.unicodeScalars.contains("\u{FFFD}"))
                out += part
            }
            out += stream.finish()
            #expect(out == text)
        }
        var stream = DecodeStream(encoding: enc)
        #expect(throws: DecodeError.unknownToken(999_999_999, index: 0)) { try stream.step(999_999_999) }
    }
}
