/// The linear layer `out = inp · Wᵀ + b`, with weights stored `[outChannels, inChannels]` like
/// PyTorch and llm.c, and every product computed by one blocked kernel, ``gemm``.
///
/// Why one kernel in "i-k-j" form (`C[i, :] += A[i, k] · B[k, :]`): the inner loop runs along a
/// contiguous row of B and C, so it is plain SIMD loads, multiplies and adds with no horizontal
/// sums. All three products of a linear layer fit that form:
///
/// | product                      | A                       | B           |
/// | ---------------------------- | ----------------------- | ----------- |
/// | forward `inp · Wᵀ`           | `inp` (rows)            | `Wᵀ` (copy) |
/// | input grad `dout · W`        | `dout` (rows)           | `W`         |
/// | weight grad `doutᵀ · inp`    | `dout` read by columns  | `inp`       |
///
/// A is only ever read one scalar at a time (broadcast), so reading it by columns costs
/// nothing; the forward pass pays one transpose of W (`in × out` floats, small next to the
/// `rows × in × out` product).
///
/// The dot-product form (`out[i, o] = inp[i, :] · W[o, :]`, no transpose) was not used: it
/// needs a horizontal sum per output and more loads per multiply-add.
public enum Matmul {
    /// `out[r, o] = bias[o] + Σ_c inp[r, c] · weight[o, c]`.
    ///
    /// - Parameters:
    ///   - out: `[rows, outChannels]`, overwritten.
    ///   - inp: `[rows, inChannels]`.
    ///   - weight: `[outChannels, inChannels]`.
    ///   - bias: `[outChannels]` or `nil`.
    /// - Complexity: O(rows · inChannels · outChannels), on all cores.
    public static func forward(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        rows: Int, inChannels: Int, outChannels: Int
    ) {
        let wT = UnsafeMutablePointer<Float>.allocate(capacity: inChannels * outChannels)
        defer { wT.deallocate() }
        transpose(weight, rows: outChannels, cols: inChannels, into: wT)
        if let bias {
            parallelChunks(rows, minChunk: 16) { range in
                for r in range {
                    (out + r * outChannels).update(from: bias, count: outChannels)
                }
            }
        }
        gemm(m: rows, n: outChannels, k: inChannels,
             a: inp, aRow: inChannels, aCol: 1,
             b: wT, ldb: outChannels,
             c: out, ldc: outChannels, accumulate: bias != nil)
    }

    /// Accumulates the gradients of ``forward(out:inp:weight:bias:rows:inChannels:outChannels:)``:
    /// `dinp += dout · W`, `dweight += doutᵀ · inp`, `dbias += Σ_r dout[r, :]`.
    /// - Complexity: O(2 · rows · inChannels · outChannels), on all cores.
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>,
        dbias: UnsafeMutablePointer<Float>?,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        rows: Int, inChannels: Int, outChannels: Int
    ) {
        gemm(m: rows, n: inChannels, k: outChannels,
             a: dout, aRow: outChannels, aCol: 1,
             b: weight, ldb: inChannels,
             c: dinp, ldc: inChannels, accumulate: true)
        gemm(m: outChannels, n: inChannels, k: rows,
             a: dout, aRow: 1, aCol: outChannels,
             b: inp, ldb: inChannels,
             c: dweight, ldc: inChannels, accumulate: true)
        if let dbias {
            // Each task owns a range of output channels and sums all rows in order.
            parallelChunks(outChannels, granule: 8, minChunk: 64) { range in
                for r in 0..<rows {
                    let row = dout + r * outChannels
                    for o in range { dbias[o] += row[o] }
                }
            }
        }
    }

    /// `dst[c, r] = src[r, c]` for a `[rows, cols]` matrix, in 32×32 tiles.
    static func transpose(_ src: UnsafePointer<Float>, rows: Int, cols: Int, into dst: UnsafeMutablePointer<Float>) {
        let tile = 32
        let rowTiles = (rows + tile - 1) / tile
        parallelChunks(rowTiles, minChunk: 4) { tiles in
            for rt in tiles {
                let r0 = rt * tile, r1 = min(rows, r0 + tile)
                var c0 = 0
                while c0 < cols {
                    let c1 = min(cols, c0 + tile)
                    for r in r0..<r1 {
                        for c in c0..<c1 { dst[c * rows + r] = src[r * cols + c] }
                    }
                    c0 = c1
                }
            }
        }
    }
}

/// `C[i, j] (+)= Σ_k A[i·aRow + k·aCol] · B[k·ldb + j]` for `i < m`, `j < n`, `k < k`.
///
/// Blocking: tasks own a rectangle of C (a multiple of 4 rows × up to 256 columns). Inside,
/// a 4×16 register block walks the whole K dimension: per step it loads 16 floats of B and 4
/// scalars of A for 64 multiply-adds. The 16-wide strip of B (K × 64 bytes) stays in L1/L2
/// while all row blocks of the task reuse it. Rows past `m` in the last block are computed
/// from a repeated row and not stored, so there is no scalar row tail; columns past the last
/// multiple of 8 take a short scalar loop.
///
/// Each C element is summed over k in order 0..<k by exactly one task, so the result does not
/// depend on the task split.
///
/// Performance notes (training shapes, 512 rows × 128…2049 columns, one core): about 18
/// GFLOP/s per core with SwiftPM's default x86-64 target, where SIMD8 is two SSE registers and
/// the 16 accumulators spill a little; a 4×8 block (no spills) measured 5–25% slower, as it
/// loads A twice as often. Built with `-Xswiftc -target-cpu -Xswiftc haswell` (AVX2) the same
/// code ran about 2× faster. `addingProduct` (FMA) is avoided: without FMA in the target it
/// becomes a libm call per lane.
/// - Complexity: O(m · n · k).
@usableFromInline
func gemm(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, aRow: Int, aCol: Int,
    b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
        if !accumulate { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
        return
    }
    let colChunk = 256
    let colTasks = (n + colChunk - 1) / colChunk
    let wanted = 4 * Parallelism.cores
    let rowTasks = max(1, min((m + 3) / 4, (wanted + colTasks - 1) / colTasks))
    var rowChunk = (m + rowTasks - 1) / rowTasks
    rowChunk = (rowChunk + 3) / 4 * 4
    let rowTaskCount = (m + rowChunk - 1) / rowChunk
    parallelFor(rowTaskCount * colTasks) { task in
        let rt = task / colTasks, ct = task % colTasks
        let i0 = rt * rowChunk, i1 = min(m, i0 + rowChunk)
        let j0 = ct * colChunk, j1 = min(n, j0 + colChunk)
        var j = j0
        while j + 16 <= j1 {
            var i = i0
            while i < i1 {
                kernel4x16(rows: min(4, i1 - i), k: k,
                           a: a + i * aRow, aRow: aRow, aCol: aCol,
                           b: b + j, ldb: ldb, c: c + i * ldc + j, ldc: ldc, accumulate: accumulate)
                i += 4
            }
            j += 16
        }
        if j + 8 <= j1 {
            var i = i0
            while i < i1 {
                kernel4x8(rows: min(4, i1 - i), k: k,
                          a: a + i * aRow, aRow: aRow, aCol: aCol,
                          b: b + j, ldb: ldb, c: c + i * ldc + j, ldc: ldc, accumulate: accumulate)
                i += 4
            }
            j += 8
        }
        if j < j1 {
            for i in i0..<i1 {
                for jj in j..<j1 {
                    var s: Float = 0
                    var pa = a + i * aRow, pb = b + jj
                    for _ in 0..<k {
                        s += pa.pointee * pb.pointee
                        pa += aCol; pb += ldb
                    }
                    let out = c + i * ldc + jj
                    out.pointee = accumulate ? out.pointee + s : s
                }
            }
        }
    }
}

@inline(__always)
private func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
private func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, accumulate: Bool) {
    let raw = UnsafeMutableRawPointer(p)
    if accumulate {
        raw.storeBytes(of: raw.loadUnaligned(as: SIMD8<Float>.self) + v, as: SIMD8<Float>.self)
    } else {
        raw.storeBytes(of: v, as: SIMD8<Float>.self)
    }
}

/// A 4×16 block of C. `rows` < 4 repeats the last valid row of A and skips its stores.
/// (`x * v` then `+=`, never `addingProduct`: without FMA hardware that becomes a libm call.)
@inline(__always)
private func kernel4x16(
    rows: Int, k: Int, a: UnsafePointer<Float>, aRow: Int, aCol: Int,
    b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
) {
    let o1 = min(1, rows - 1) * aRow, o2 = min(2, rows - 1) * aRow, o3 = min(3, rows - 1) * aRow
    var c00 = SIMD8<Float>(), c01 = SIMD8<Float>()
    var c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
    var c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
    var c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
    var pa = a, pb = b
    for _ in 0..<k {
        let b0 = load8(pb), b1 = load8(pb + 8)
        let a0 = pa[0], a1 = pa[o1], a2 = pa[o2], a3 = pa[o3]
        c00 += a0 * b0; c01 += a0 * b1
        c10 += a1 * b0; c11 += a1 * b1
        c20 += a2 * b0; c21 += a2 * b1
        c30 += a3 * b0; c31 += a3 * b1
        pa += aCol; pb += ldb
    }
    store8(c00, c, accumulate: accumulate); store8(c01, c + 8, accumulate: accumulate)
    if rows > 1 { store8(c10, c + ldc, accumulate: accumulate); store8(c11, c + ldc + 8, accumulate: accumulate) }
    if rows > 2 { store8(c20, c + 2 * ldc, accumulate: accumulate); store8(c21, c + 2 * ldc + 8, accumulate: accumulate) }
    if rows > 3 { store8(c30, c + 3 * ldc, accumulate: accumulate); store8(c31, c + 3 * ldc + 8, accumulate: accumulate) }
}

/// A 4×8 block of C, for the last 8 columns that do not fill a 16-wide block.
@inline(__always)
private func kernel4x8(
    rows: Int, k: Int, a: UnsafePointer<Float>, aRow: Int, aCol: Int,
    b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
) {
    let o1 = min(1, rows - 1) * aRow, o2 = min(2, rows - 1) * aRow, o3 = min(3, rows - 1) * aRow
    var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>(), c3 = SIMD8<Float>()
    var pa = a, pb = b
    for _ in 0..<k {
        let b0 = load8(pb)
        c0 += pa[0] * b0; c1 += pa[o1] * b0; c2 += pa[o2] * b0; c3 += pa[o3] * b0
        pa += aCol; pb += ldb
    }
    store8(c0, c, accumulate: accumulate)
    if rows > 1 { store8(c1, c + ldc, accumulate: accumulate) }
    if rows > 2 { store8(c2, c + 2 * ldc, accumulate: accumulate) }
    if rows > 3 { store8(c3, c + 3 * ldc, accumulate: accumulate) }
}
