import Foundation
import Testing
@testable import TinyGPT

@Suite("Vector exp and tanh")
struct FastMathTests {
    @Test("vexp is within 2e-7 relative of exp on [-87, 88], 0 below, and exp(-inf) = 0")
    func exp() {
        var worst: Double = 0
        var x: Float = -87
        while x < 88 {
            var v = SIMD8<Float>()
            for i in 0..<8 { v[i] = x + Float(i) * 0.001 }
            let e = vexp(v)
            for i in 0..<8 {
                let ref = Foundation.exp(Double(v[i]))
                worst = max(worst, abs(Double(e[i]) - ref) / ref)
            }
            x += 0.0137
        }
        #expect(worst < 2e-7, "worst relative error \(worst)")
        let edge = vexp(SIMD8<Float>(-.infinity, -200, -87.5, 0, 1, 100, 1e-8, -1e-8))
        #expect(edge[0] == 0 && edge[1] == 0 && edge[2] == 0)
        #expect(edge[3] == 1 && abs(edge[4] - Float(M_E)) < 1e-6)
        #expect(edge[5].isFinite && edge[5] > 1e38)
    }

    @Test("vtanh is within 2e-7 of tanh, odd, and saturates")
    func tanh() {
        var worst: Double = 0
        var x: Float = -20
        while x < 20 {
            var v = SIMD8<Float>()
            for i in 0..<8 { v[i] = x + Float(i) * 1e-4 }
            let t = vtanh(v)
            for i in 0..<8 { worst = max(worst, abs(Double(t[i]) - Foundation.tanh(Double(v[i])))) }
            x += 0.00731
        }
        #expect(worst < 2e-7, "worst absolute error \(worst)")
        let s = vtanh(SIMD8<Float>(0, 1, -1, 50, -50, 1000, -1000, 0.5))
        #expect(s[0] == 0 && s[1] == -s[2] && s[3] == 1 && s[4] == -1 && s[5] == 1 && s[6] == -1)
    }

    @Test("softmax of any length sums to 1 and matches the scalar formula")
    func softmaxRows() {
        var rng = SplitMix64(seed: 3)
        for n in [1, 2, 7, 8, 9, 31, 2049] {
            var x = (0..<n).map { _ in 10 * rng.nextNormal() }
            var p = [Float](repeating: 0, count: n)
            x.withUnsafeMutableBufferPointer { xb in
                p.withUnsafeMutableBufferPointer { pb in softmax(xb.baseAddress!, into: pb.baseAddress!, count: n) }
            }
            let m = x.max()!
            let z = x.reduce(0.0) { $0 + Foundation.exp(Double($1 - m)) }
            var worst: Double = 0
            for i in 0..<n { worst = max(worst, abs(Double(p[i]) - Foundation.exp(Double(x[i] - m)) / z)) }
            #expect(worst < 1e-6, "n \(n): worst error \(worst)")
            #expect(abs(p.reduce(0, +) - 1) < 1e-5)
            x[0] = 0
        }
    }
}
