import Foundation

/// Picks the next token from a row of logits: greedy, or softmax with a temperature,
/// optionally restricted to the `topK` most likely tokens.
///
/// ```swift
/// var s = Sampler(temperature: 0.8, topK: 40, seed: 42)
/// let next = s.sample(logits: model.logits(row: t - 1))
/// ```
public struct Sampler: Sendable {
    /// Divides the logits; below 1 sharpens, above 1 flattens. 0 means greedy (argmax).
    public var temperature: Float
    /// Keep only the `topK` largest logits; 0 keeps all.
    public var topK: Int
    /// The generator; same seed, same logits → same tokens.
    public var rng: SplitMix64

    public init(temperature: Float = 1, topK: Int = 0, seed: UInt64 = 0) {
        self.temperature = temperature
        self.topK = topK
        rng = SplitMix64(seed: seed)
    }

    /// A token id in `0..<logits.count`. Ties go to the smaller id.
    /// - Complexity: O(V) greedy or without top-k; O(V log V) with it.
    public mutating func sample(logits: UnsafeBufferPointer<Float>) -> Int {
        let V = logits.count
        precondition(V > 0)
        if temperature <= 0 {
            var best = 0
            for i in 1..<V where logits[i] > logits[best] { best = i }
            return best
        }
        let candidates: [Int]
        if topK > 0 && topK < V {
            candidates = Array((0..<V).sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }.prefix(topK))
        } else {
            candidates = Array(0..<V)
        }
        var maxv = -Float.infinity
        for i in candidates { maxv = max(maxv, logits[i]) }
        var weights = [Double](repeating: 0, count: candidates.count)
        var total = 0.0
        for (j, i) in candidates.enumerated() {
            let w = exp(Double((logits[i] - maxv) / temperature))
            weights[j] = w
            total += w
        }
        let u = Double(rng.nextUnit()) * total
        var acc = 0.0
        for (j, w) in weights.enumerated() {
            acc += w
            if u < acc { return candidates[j] }
        }
        return candidates[weights.lastIndex { $0 > 0 } ?? 0]
    }
}

extension GPT {
    /// Generates `count` tokens after `prompt`, calling `onToken` with each as soon as it is
    /// chosen (to stream it). The model sees the last `contextLength` tokens; with no key/value
    /// cache each token costs a full forward pass over that window.
    ///
    /// - Precondition: `prompt` is not empty (start from an end-of-text token if you have
    ///   nothing else) and its tokens are below `vocabSize`.
    /// - Returns: the generated tokens (without the prompt).
    public func generate(from prompt: [UInt32], count: Int, sampler: inout Sampler,
                         onToken: (UInt32) throws -> Void) rethrows -> [UInt32] {
        precondition(!prompt.isEmpty, "generate needs at least one prompt token")
        var tokens = prompt
        var out: [UInt32] = []
        for _ in 0..<count {
            let window = Array(tokens.suffix(config.contextLength))
            forward(inputs: window, batch: 1, time: window.count)
            let next = UInt32(sampler.sample(logits: logits(row: window.count - 1)))
            tokens.append(next)
            out.append(next)
            try onToken(next)
        }
        return out
    }
}
