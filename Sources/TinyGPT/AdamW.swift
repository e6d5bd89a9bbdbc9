import Foundation

/// Hyperparameters of ``AdamW`` (the learning rate is passed per step, for schedules).
public struct AdamWOptions: Codable, Equatable, Sendable {
    /// Decay of the first-moment (mean) estimate.
    public var beta1: Float = 0.9
    /// Decay of the second-moment estimate; 0.95 as in GPT-3 / nanoGPT (steadier than 0.999
    /// on small batches).
    public var beta2: Float = 0.95
    /// Added to √v to avoid dividing by zero.
    public var eps: Float = 1e-8
    /// Decoupled weight decay, applied only to tensors whose `decays` is true in
    /// ``ParameterLayout`` (embeddings and linear weights, not biases or LayerNorm gains).
    public var weightDecay: Float = 0.1

    public init(beta1: Float = 0.9, beta2: Float = 0.95, eps: Float = 1e-8, weightDecay: Float = 0.1) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
    }
}

/// AdamW (Loshchilov & Hutter): Adam with bias correction and decoupled weight decay.
///
/// For each parameter θ with gradient g (already multiplied by `gradScale`, used for clipping):
/// ```
/// m = β1·m + (1−β1)·g          v = β2·v + (1−β2)·g²
/// θ −= lr · ( m/(1−β1ᵗ) / (√(v/(1−β2ᵗ)) + eps)  +  wd·θ )     (wd only on decaying tensors)
/// ```
public final class AdamW {
    /// The hyperparameters.
    public let options: AdamWOptions
    /// First-moment estimates, one per parameter.
    public private(set) var m: [Float]
    /// Second-moment estimates, one per parameter.
    public private(set) var v: [Float]
    /// Number of updates done so far (t in the bias correction).
    public private(set) var t: Int

    /// A fresh optimizer (zero moments) for `count` parameters.
    public init(parameterCount count: Int, options: AdamWOptions = AdamWOptions()) {
        self.options = options
        m = Array(repeating: 0, count: count)
        v = Array(repeating: 0, count: count)
        t = 0
    }

    /// An optimizer restored from a checkpoint.
    public init(options: AdamWOptions, m: [Float], v: [Float], t: Int) {
        precondition(m.count == v.count)
        self.options = options
        self.m = m
        self.v = v
        self.t = t
    }

    /// Updates `params` in place from `grads`, tensor by tensor of `layout`.
    /// - Complexity: O(parameters), on all cores.
    public func step(params: UnsafeMutablePointer<Float>, grads: UnsafePointer<Float>,
                     layout: ParameterLayout, learningRate lr: Float, gradScale: Float = 1) {
        precondition(layout.count == m.count, "optimizer and model have different sizes")
        t += 1
        let b1 = options.beta1, b2 = options.beta2, eps = options.eps
        let c1 = 1 - Float(pow(Double(b1), Double(t)))
        let c2 = 1 - Float(pow(Double(b2), Double(t)))
        m.withUnsafeMutableBufferPointer { mb in
            v.withUnsafeMutableBufferPointer { vb in
                let mp = mb.baseAddress!, vp = vb.baseAddress!
                for tensor in layout.tensors {
                    let wd = tensor.decays ? options.weightDecay : 0
                    let base = tensor.offset
                    parallelChunks(tensor.count, granule: 64, minChunk: 8192) { range in
                        for j in range {
                            let i = base + j
                            let g = grads[i] * gradScale
                            let mi = b1 * mp[i] + (1 - b1) * g
                            let vi = b2 * vp[i] + (1 - b2) * g * g
                            mp[i] = mi
                            vp[i] = vi
                            let update = (mi / c1) / ((vi / c2).squareRoot() + eps)
                            params[i] -= lr * (update + wd * params[i])
                        }
                    }
                }
            }
        }
    }
}

/// The L2 norm of `count` floats, summed in Double over fixed 64 Ki chunks (so the same on any
/// core count), for gradient clipping.
public func l2Norm(_ x: UnsafePointer<Float>, count: Int) -> Float {
    let chunk = 1 << 16
    let n = (count + chunk - 1) / chunk
    var partial = [Double](repeating: 0, count: n)
    partial.withUnsafeMutableBufferPointer { out in
        let o = out.baseAddress!
        parallelFor(n) { c in
            var s = 0.0
            for i in (c * chunk)..<min(count, (c + 1) * chunk) { s += Double(x[i]) * Double(x[i]) }
            o[c] = s
        }
    }
    return Float(partial.reduce(0, +).squareRoot())
}
