import Foundation
import Testing
@testable import TinyGPT

@Suite("Sampling and streaming UTF-8")
struct SamplingTests {
    @Test("a character split across tokens is held back until complete")
    func splitCharacters() {
        var d = UTF8StreamDecoder()
        #expect(d.decode([0x68, 0xC3]) == "h")           // "h" + first byte of "é"
        #expect(d.pendingByteCount == 1)
        #expect(d.decode([0xA9, 0x21]) == "é!")
        #expect(d.decode([0xE4]) == "")                   // 世 = E4 B8 96, one byte per token
        #expect(d.decode([0xB8]) == "")
        #expect(d.decode([0x96]) == "世")
        #expect(d.decode([0xF0, 0x9F]) == "")             // 🎉 = F0 9F 8E 89
        #expect(d.decode([0x8E, 0x89, 0x20]) == "🎉 ")
        #expect(d.finish() == "")
    }

    @Test("every split of a mixed-script text streams without a broken character")
    func everySplit() {
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

    @Test("for random bytes and random splits the stream equals decoding all bytes at once")
    func randomBytes() {
        var rng = SplitMix64(seed: 11)
        // Bytes biased towards UTF-8 structure: lead bytes, continuations, ASCII, invalid.
        let alphabet: [UInt8] = [0x41, 0x20, 0x80, 0x9F, 0xA0, 0xBF, 0xC2, 0xC3, 0xDF, 0xE0, 0xE4, 0xED, 0xEF,
                                 0xF0, 0xF4, 0xF5, 0xFF, 0xC0, 0x8F, 0x90]
        for _ in 0..<2000 {
            let n = rng.nextInt(below: 12)
            let bytes = (0..<n).map { _ in alphabet[rng.nextInt(below: alphabet.count)] }
            var d = UTF8StreamDecoder()
            var out = ""
            var i = 0
            while i < n {
                let k = 1 + rng.nextInt(below: 3)
                out += d.decode(bytes[i..<min(n, i + k)])
                i += k
            }
            out += d.finish()
            #expect(out == String(decoding: bytes, as: UTF8.self), "bytes \(bytes)")
        }
    }

    @Test("an unfinished character at the end is flushed as U+FFFD")
    func flushRemainder() {
        var d = UTF8StreamDecoder()
        #expect(d.decode([0x61, 0xE4, 0xB8]) == "a")
        #expect(d.finish() == "\u{FFFD}")
        #expect(d.finish() == "")
    }

    @Test("greedy and top-1 pick the largest logit; a seed repeats the same choices")
    func sampler() {
        let logits: [Float] = [0.1, 2.5, -1, 2.4, 0]
        logits.withUnsafeBufferPointer { l in
            var greedy = Sampler(temperature: 0)
            #expect(greedy.sample(logits: l) == 1)
            var top1 = Sampler(temperature: 1, topK: 1, seed: 5)
            for _ in 0..<20 { #expect(top1.sample(logits: l) == 1) }
            var top2 = Sampler(temperature: 1, topK: 2, seed: 5)
            for _ in 0..<50 { #expect([1, 3].contains(top2.sample(logits: l))) }
            var a = Sampler(temperature: 0.8, seed: 9), b = Sampler(temperature: 0.8, seed: 9)
            #expect((0..<30).map { _ in a.sample(logits: l) } == (0..<30).map { _ in b.sample(logits: l) })
        }
    }

    @Test("sampling at temperature 1 follows the softmax")
    func samplerFrequencies() {
        let logits: [Float] = [0, Float(log(2.0)), Float(log(4.0))]   // probabilities 1/7, 2/7, 4/7
        var counts = [0, 0, 0]
        var s = Sampler(temperature: 1, seed: 3)
        logits.withUnsafeBufferPointer { l in
            for _ in 0..<7000 { counts[s.sample(logits: l)] += 1 }
        }
        #expect(abs(counts[0] - 1000) < 150 && abs(counts[1] - 2000) < 200 && abs(counts[2] - 4000) < 250, "\(counts)")
    }

    @Test("generate streams tokens from a model and keeps to its context")
    func generate() {
        let model = GPT(config: GPTConfig(vocabSize: 7, contextLength: 4, layers: 1, heads: 1, channels: 8), seed: 1)
        var s = Sampler(temperature: 1, seed: 2)
        var streamed: [UInt32] = []
        let out = model.generate(from: [1, 2], count: 10, sampler: &s) { streamed.append($0) }
        #expect(out.count == 10 && out == streamed && out.allSatisfy { $0 < 7 })
    }
}
