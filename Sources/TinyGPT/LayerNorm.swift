import Foundation

/// Layer normalization over the channel axis: `out = (x − mean) · rstd · w + b`, with
/// `rstd = 1 / sqrt(var + 1e-5)` (biased variance, as in GPT-2).
public enum LayerNorm {
    /// The epsilon added to the variance.
    public static let eps: Float = 1e-5

    /// Normalizes each of `rows` rows of `inp` (`[rows, channels]`) into `out`, saving each
    /// row's mean and 1/std for ``backward(dinp:dweight:dbias:dout:inp:weight:mean:rstd:rows:channels:)``.
    /// - Complexity: O(rows · channels), on all cores.
    public static func forward(
        out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
        inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        rows: Int, channels C: Int
    ) {
        parallelChunks(rows, minChunk: 8) { range in
            for r in range {
                let x = inp + r * C, y = out + r * C
                var m: Float = 0
                for i in 0..<C { m += x[i] }
                m /= Float(C)
                var v: Float = 0
                for i in 0..<C { let d = x[i] - m; v += d * d }
                v /= Float(C)
                let s = 1 / (v + eps).squareRoot()
                for i in 0..<C { y[i] = (x[i] - m) * s * weight[i] + bias[i] }
                mean[r] = m
                rstd[r] = s
            }
        }
    }

    /// Accumulates the gradients of ``forward(out:mean:rstd:inp:weight:bias:rows:channels:)``.
    ///
    /// With `n = (x − mean)·rstd` and `g = dout · w`:
    /// `dx = rstd · (g − mean(g) − n · mean(g · n))`, `dw += Σ_rows dout · n`, `db += Σ_rows dout`.
    /// The input gradient is split by rows; the weight and bias gradients by channels (each
    /// task sums all rows in order), so no partial sums need merging.
    /// - Complexity: O(rows · channels), on all cores.
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
        rows: Int, channels C: Int
    ) {
        parallelChunks(rows, minChunk: 8) { range in
            for r in range {
                let x = inp + r * C, dy = dout + r * C, dx = dinp + r * C
                let m = mean[r], s = rstd[r]
                var gMean: Float = 0, gnMean: Float = 0
                for i in 0..<C {
                    let g = dy[i] * weight[i]
                    gMean += g
                    gnMean += g * (x[i] - m) * s
                }
                gMean /= Float(C)
                gnMean /= Float(C)
                for i in 0..<C {
                    let n = (x[i] - m) * s
                    dx[i] += s * (dy[i] * weight[i] - gMean - n * gnMean)
                }
            }
        }
        parallelChunks(C, granule: 8, minChunk: 32) { range in
            for r in 0..<rows {
                let x = inp + r * C, dy = dout + r * C
                let m = mean[r], s = rstd[r]
                for i in range {
                    dweight[i] += dy[i] * (x[i] - m) * s
                    dbias[i] += dy[i]
                }
            }
        }
    }
}
