/// The input layer: `out[b, t, :] = wte[token[b, t], :] + wpe[t, :]`.
public enum Embedding {
    /// Looks up `rows = B·T` tokens; `T` is the sequence length, so row `r` is position `r % T`.
    /// The caller guarantees every token is below the vocabulary size.
    /// - Complexity: O(B · T · C).
    public static func forward(out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<UInt32>,
                               wte: UnsafePointer<Float>, wpe: UnsafePointer<Float>,
                               batch B: Int, time T: Int, channels C: Int) {
        parallelChunks(B * T, minChunk: 16) { range in
            for r in range {
                let e = wte + Int(tokens[r]) * C, p = wpe + (r % T) * C, o = out + r * C
                for i in 0..<C { o[i] = e[i] + p[i] }
            }
        }
    }

    /// Adds `dout` into the embedding rows it came from. Serial: two rows with the same token
    /// add into the same `dwte` row, and this is a small part of a step (B·T·C adds).
    /// - Complexity: O(B · T · C).
    public static func backward(dwte: UnsafeMutablePointer<Float>, dwpe: UnsafeMutablePointer<Float>,
                                dout: UnsafePointer<Float>, tokens: UnsafePointer<UInt32>,
                                batch B: Int, time T: Int, channels C: Int) {
        for r in 0..<(B * T) {
            let e = dwte + Int(tokens[r]) * C, p = dwpe + (r % T) * C, d = dout + r * C
            for i in 0..<C {
                e[i] += d[i]
                p[i] += d[i]
            }
        }
    }
}
