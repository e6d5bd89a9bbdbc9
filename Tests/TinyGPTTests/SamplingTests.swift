import Foundation
import Testing
@testable import TinyGPT

@Suite("Sampling")
struct SamplingTests {
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
