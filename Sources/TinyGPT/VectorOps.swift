/// Small vector helpers for the attention kernels (head sizes of 8–128 floats).

/// `Σ a[i]·b[i]`, eight lanes at a time (a fixed order, so results are reproducible).
@inline(__always)
func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    while i + 8 <= n {
        acc += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
            * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
        i += 8
    }
    var s = acc.sum()
    while i < n { s += a[i] * b[i]; i += 1 }
    return s
}

/// `y[i] += alpha · x[i]`.
@inline(__always)
func axpy(_ y: UnsafeMutablePointer<Float>, _ alpha: Float, _ x: UnsafePointer<Float>, _ n: Int) {
    var i = 0
    while i + 8 <= n {
        let raw = UnsafeMutableRawPointer(y + i)
        let v = raw.loadUnaligned(as: SIMD8<Float>.self)
            + alpha * UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
        raw.storeBytes(of: v, as: SIMD8<Float>.self)
        i += 8
    }
    while i < n { y[i] += alpha * x[i]; i += 1 }
}
