import Foundation

/// Softmax over the vocabulary fused with the cross-entropy loss.
public enum SoftmaxCrossEntropy {
    /// Turns each row of `logits` (`[rows, V]`) into probabilities in `probs` (may be the same
    /// buffer) and, if `targets` is given, writes `losses[r] = −log probs[r, targets[r]]`.
    /// The row maximum is subtracted first, so large logits cannot overflow `exp`.
    /// (Non-finite logits are the caller's problem: training stops on a non-finite loss.)
    /// - Complexity: O(rows · V), on all cores.
    public static func forward(
        probs: UnsafeMutablePointer<Float>, losses: UnsafeMutablePointer<Float>?,
        logits: UnsafePointer<Float>, targets: UnsafePointer<UInt32>?,
        rows: Int, vocab V: Int
    ) {
        parallelChunks(rows, minChunk: 4) { range in
            for r in range {
                let p = probs + r * V
                softmax(logits + r * V, into: p, count: V)
                if let losses, let targets {
                    // max(…, leastNormal): a probability that underflowed to 0 gives a large,
                    // finite loss instead of +inf.
                    losses[r] = -logf(max(p[Int(targets[r])], .leastNormalMagnitude))
                }
            }
        }
    }

    /// Writes (not adds) `dlogits[r, i] = dloss · (probs[r, i] − [i == target[r]])`, the
    /// gradient of `dloss · Σ_r losses[r]`. `dlogits` may be the `probs` buffer itself.
    /// - Complexity: O(rows · V), on all cores.
    public static func backward(
        dlogits: UnsafeMutablePointer<Float>, probs: UnsafePointer<Float>,
        targets: UnsafePointer<UInt32>, dloss: Float, rows: Int, vocab V: Int
    ) {
        parallelChunks(rows, minChunk: 4) { range in
            for r in range {
                let p = probs + r * V, d = dlogits + r * V
                for i in 0..<V { d[i] = dloss * p[i] }
                d[Int(targets[r])] -= dloss
            }
        }
    }
}
