/// Causal multi-head self-attention on a packed `qkv` buffer.
///
/// Layout: `qkv` is `[B, T, 3C]` holding q, k, v side by side; head `h` owns channels
/// `h·hs ..< (h+1)·hs` of each (hs = C / heads). The output is `[B, T, C]` with heads side by
/// side again (ready for the output projection). `att` saves the softmax probabilities,
/// `[B, heads, T, T]`, of which only the lower triangle (t2 ≤ t) is written or read.
///
/// Work is split by (batch, head): each task reads and writes only its own head's slices, so
/// the backward pass needs no locks and no partial sums.
public enum Attention {
    /// Forward pass; `scale = 1/√hs`.
    /// - Complexity: O(B · T² · C), on all cores.
    public static func forward(
        out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
        batch B: Int, time T: Int, channels C: Int, heads NH: Int
    ) {
        let (hs, scale, C3) = (C / NH, 1 / Float(C / NH).squareRoot(), 3 * C)
        forEachHead(batch: B, time: T, channels: C, heads: NH) { b, h, offset in
            let base = qkv + offset
            for t in 0..<T {
                let q = base + t * C3
                let row = att + ((b * NH + h) * T + t) * T
                for t2 in 0...t {
                    row[t2] = dot(q, base + t2 * C3 + C, hs) * scale
                }
                softmax(row, into: row, count: t + 1)
                let o = out + (b * T + t) * C + h * hs
                o.update(repeating: 0, count: hs)
                for t2 in 0...t {
                    axpy(o, row[t2], base + t2 * C3 + 2 * C, hs)
                }
            }
        }
    }

    /// Accumulates `dqkv` from `dout`. For each query row t, with p = att[t, :]:
    /// `dv[t2] += p[t2]·dout[t]`, `dp[t2] = dout[t]·v[t2]`,
    /// `ds[t2] = p[t2]·(dp[t2] − Σ p·dp)` (softmax backward), then
    /// `dq[t] += scale·Σ ds[t2]·k[t2]` and `dk[t2] += scale·ds[t2]·q[t]`.
    /// - Complexity: O(B · T² · C), on all cores.
    public static func backward(
        dqkv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
        qkv: UnsafePointer<Float>, att: UnsafePointer<Float>,
        batch B: Int, time T: Int, channels C: Int, heads NH: Int
    ) {
        let (hs, scale, C3) = (C / NH, 1 / Float(C / NH).squareRoot(), 3 * C)
        forEachHead(batch: B, time: T, channels: C, heads: NH) { b, h, offset in
            let base = qkv + offset, dbase = dqkv + offset
            let dp = UnsafeMutablePointer<Float>.allocate(capacity: T)
            defer { dp.deallocate() }
            for t in 0..<T {
                let row = att + ((b * NH + h) * T + t) * T
                let g = dout + (b * T + t) * C + h * hs
                var weighted: Float = 0
                for t2 in 0...t {
                    let v = base + t2 * C3 + 2 * C
                    axpy(dbase + t2 * C3 + 2 * C, row[t2], g, hs)
                    let d = dot(g, v, hs)
                    dp[t2] = d
                    weighted += row[t2] * d
                }
                let q = base + t * C3, dq = dbase + t * C3
                for t2 in 0...t {
                    let ds = row[t2] * (dp[t2] - weighted) * scale
                    axpy(dq, ds, base + t2 * C3 + C, hs)
                    axpy(dbase + t2 * C3 + C, ds, q, hs)
                }
            }
        }
    }

    /// Runs `body(b, h, offset)` for every (batch, head) pair on all cores; `offset` is where
    /// head `h`'s q of sequence `b` starts in `qkv` (its k and v follow at +C and +2C).
    @inline(__always)
    private static func forEachHead(batch B: Int, time T: Int, channels C: Int, heads NH: Int,
                                    _ body: (_ b: Int, _ h: Int, _ offset: Int) -> Void) {
        parallelFor(B * NH) { task in
            let b = task / NH, h = task % NH
            body(b, h, b * T * 3 * C + h * (C / NH))
        }
    }
}
