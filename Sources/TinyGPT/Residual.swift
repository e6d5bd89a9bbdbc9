/// The residual connection: `out = a + b`; its backward pass adds `dout` to both inputs.
public enum Residual {
    /// `out[i] = a[i] + b[i]`.
    /// - Complexity: O(count), on all cores.
    public static func forward(out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>,
                               _ b: UnsafePointer<Float>, count: Int) {
        parallelChunks(count, granule: 64, minChunk: 16384) { range in
            for i in range { out[i] = a[i] + b[i] }
        }
    }

    /// `da[i] += dout[i]`, `db[i] += dout[i]`.
    /// - Complexity: O(count), on all cores.
    public static func backward(da: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>,
                                dout: UnsafePointer<Float>, count: Int) {
        parallelChunks(count, granule: 64, minChunk: 16384) { range in
            for i in range {
                da[i] += dout[i]
                db[i] += dout[i]
            }
        }
    }
}
