@testable import TinyGPT

/// An owned Float buffer for kernel tests.
final class Buffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(_ count: Int, fill: Float = 0) {
        self.count = count
        pointer = .allocate(capacity: max(1, count))
        pointer.initialize(repeating: fill, count: max(1, count))
    }

    convenience init(random count: Int, rng: inout SplitMix64, scale: Float = 1) {
        self.init(count)
        for i in 0..<count { pointer[i] = scale * rng.nextNormal() }
    }

    deinit { pointer.deallocate() }

    var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
    subscript(i: Int) -> Float {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }
    func zero() { pointer.update(repeating: 0, count: count) }
}

/// `Σ w[i]·out[i]` in Double: a scalar objective whose gradient with respect to `out` is `w`.
func weightedSum(_ out: Buffer, _ w: Buffer) -> Double {
    var s = 0.0
    for i in 0..<out.count { s += Double(out[i]) * Double(w[i]) }
    return s
}

/// Central finite difference of `f` with respect to every element of `x`.
func numericGradient(of f: () -> Double, wrt x: Buffer, h: Float = 1e-3, indices: [Int]? = nil) -> [Int: Double] {
    var out: [Int: Double] = [:]
    for i in indices ?? Array(0..<x.count) {
        let saved = x[i]
        x[i] = saved + h
        let plus = f()
        x[i] = saved - h
        let minus = f()
        x[i] = saved
        out[i] = (plus - minus) / (2 * Double(h))
    }
    return out
}

/// How far an analytic gradient is from a numeric one: the largest
/// `|a − n| / max(|a|, |n|, floor)` over the checked elements, where `floor` is a tenth of
/// the analytic gradient's RMS over those elements. In Float an objective of many terms
/// carries rounding noise of about 1e-6, i.e. ~1e-3 in a difference quotient with h = 1e-3;
/// the floor keeps entries near zero from failing on that absolute noise while every entry
/// of ordinary size is held to the relative tolerance. `overall` is ‖a − n‖ / ‖n‖.
func worstRelativeError(analytic: [Float], numeric: [Int: Double]) -> (error: Double, index: Int, overall: Double) {
    let rms = (numeric.keys.reduce(0.0) { $0 + Double(analytic[$1]) * Double(analytic[$1]) } / Double(max(1, numeric.count))).squareRoot()
    let floor = max(0.1 * rms, 1e-6)
    var worst = 0.0, at = -1, diff = 0.0, norm = 0.0
    for (i, n) in numeric {
        let a = Double(analytic[i])
        let e = abs(a - n) / max(abs(a), abs(n), floor)
        if e > worst { worst = e; at = i }
        diff += (a - n) * (a - n)
        norm += n * n
    }
    return (worst, at, (diff / max(norm, 1e-300)).squareRoot())
}
