/// GELU with the tanh approximation GPT-2 uses:
/// `gelu(x) = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`, eight values at a time
/// (``vtanh(_:)``).
public enum GELU {
    static let scale = Float((2.0 / Double.pi).squareRoot())
    static let cubic: Float = 0.044715

    /// `out[i] = gelu(inp[i])` for `count` values.
    /// - Complexity: O(count), on all cores.
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
        forEachVector(count) { i, n in
            let x = loadPartial(inp + i, n)
            let u = scale * (x + cubic * x * x * x)
            storePartial(0.5 * x * (1 + vtanh(u)), out + i, n)
        }
    }

    /// `dinp[i] += gelu′(inp[i]) · dout[i]`, where
    /// `gelu′(x) = ½(1 + t) + ½·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²)` and `t = tanh(u)`.
    /// - Complexity: O(count), on all cores.
    public static func backward(dinp: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                                dout: UnsafePointer<Float>, count: Int) {
        forEachVector(count) { i, n in
            let x = loadPartial(inp + i, n)
            let u = scale * (x + cubic * x * x * x)
            let t = vtanh(u)
            let du = scale * (1 + 3 * cubic * x * x)
            let grad = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du
            storePartial(loadPartial(dinp + i, n) + grad * loadPartial(dout + i, n), dinp + i, n)
        }
    }

    /// Calls `body(i, remaining)` for i = 0, 8, 16… below `count`, on all cores: one 8-lane
    /// vector each (a partial load or store takes `min(8, remaining)` lanes).
    private static func forEachVector(_ count: Int, _ body: (Int, Int) -> Void) {
        parallelChunks(count, granule: 64, minChunk: 4096) { range in
            var i = range.lowerBound
            while i < range.upperBound {
                body(i, range.upperBound - i)
                i += 8
            }
        }
    }
}
