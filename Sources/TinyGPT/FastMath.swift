/// `exp` and `tanh` on eight floats at once, for softmax and GELU.
///
/// Why: the platform's `expf`/`tanhf` are scalar calls; with one call per logit and two per
/// MLP activation they took about 12% of a training step, more than everything but the
/// matrix products. These run the whole vector through one polynomial instead, within about
/// 2 ulp of `expf` (the tests check them against Foundation on a dense grid).
///
/// exp(x): write x = n·ln2 + r with n an integer and |r| ≤ ln2/2, so exp(x) = 2ⁿ·exp(r);
/// exp(r) is a degree-6 minimax polynomial (Cephes's coefficients for single precision),
/// and 2ⁿ is built directly in the exponent bits. n comes from adding 1.5·2²³, which
/// rounds to the nearest integer with no rounding instruction (none exists in plain SSE2).
@inline(__always)
func vexp(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let hi = SIMD8<Float>(repeating: 88.0), lo = SIMD8<Float>(repeating: -87.0)
    let xc = x.replacing(with: hi, where: x .> hi).replacing(with: lo, where: x .< lo)
    let shifter = SIMD8<Float>(repeating: 12_582_912.0)  // 1.5 · 2^23
    let t = xc * 1.442_695_040_888_963_4 + shifter
    let n = t - shifter
    let r = xc - n * 0.693_359_375 + n * 2.121_944_400_546_905_827_679e-4
    var p = SIMD8<Float>(repeating: 1.987_569_150_0e-4)
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    let er = p * (r * r) + r + 1
    // n sits in the low mantissa bits of t: (bits(t) − bits(shifter)) is n as an integer.
    let tBits = unsafeBitCast(t, to: SIMD8<Int32>.self)
    let sBits = unsafeBitCast(shifter, to: SIMD8<Int32>.self)
    let scale = unsafeBitCast((tBits &- sBits &+ 127) &<< 23, to: SIMD8<Float>.self)
    let result = er * scale
    // Below the clamp the true value is (nearly) 0; keep exp(-inf) = 0 for masked logits.
    return result.replacing(with: SIMD8<Float>(), where: x .< lo)
}

/// tanh(u) = sign(u)·(1 − 2/(exp(2|u|) + 1)): no overflow (exp saturates, the fraction goes
/// to 0), absolute error below 1e-7 everywhere.
@inline(__always)
func vtanh(_ u: SIMD8<Float>) -> SIMD8<Float> {
    let a = u.replacing(with: -u, where: u .< 0)
    let e = vexp(2 * a)
    let t = 1 - 2 / (e + 1)
    return t.replacing(with: -t, where: u .< 0)
}

/// Loads `min(8, n)` floats from `p`, padding with `pad`.
@inline(__always)
func loadPartial(_ p: UnsafePointer<Float>, _ n: Int, pad: Float = 0) -> SIMD8<Float> {
    if n >= 8 { return UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
    var v = SIMD8<Float>(repeating: pad)
    for i in 0..<n { v[i] = p[i] }
    return v
}

/// Stores the first `min(8, n)` lanes of `v` to `p`.
@inline(__always)
func storePartial(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
    if n >= 8 {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
        return
    }
    for i in 0..<n { p[i] = v[i] }
}

/// `p = softmax(x)` over `n` floats (`p` may be `x`), with the maximum subtracted first so
/// nothing overflows. Sums in eight lanes, in a fixed order.
/// - Complexity: O(n).
@inline(__always)
func softmax(_ x: UnsafePointer<Float>, into p: UnsafeMutablePointer<Float>, count n: Int) {
    var m = SIMD8<Float>(repeating: -.infinity)
    var i = 0
    while i < n {
        m = pointwiseMax(m, loadPartial(x + i, n - i, pad: -.infinity))
        i += 8
    }
    let maxv = SIMD8<Float>(repeating: m.max())
    var acc = SIMD8<Float>()
    i = 0
    while i < n {
        let e = vexp(loadPartial(x + i, n - i, pad: -.infinity) - maxv)
        storePartial(e, p + i, n - i)
        acc += e
        i += 8
    }
    let inv = 1 / acc.sum()
    i = 0
    while i < n {
        storePartial(loadPartial(p + i, n - i) * inv, p + i, n - i)
        i += 8
    }
}
