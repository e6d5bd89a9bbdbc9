import Testing
@testable import TinyGPT

/// Finite-difference checks of every layer's backward pass, in Float: central differences
/// with h = 1e-3 (1e-2 for the whole model, whose objective has more rounding noise) on
/// objectives summed in Double. Every element must agree to 1e-2 relative (see
/// `worstRelativeError` for the floor near zero), and each tensor as a whole to 1e-3.
@Suite("Gradient checks")
struct GradientCheckTests {
    static let tolerance = 1e-2
    static let overallTolerance = 1e-3

    @Test("matmul forward matches a naive product, remainders included")
    func matmulForwardMatchesNaive() {
        var rng = SplitMix64(seed: 1)
        for (rows, C, OC) in [(1, 1, 1), (7, 13, 21), (37, 40, 50), (64, 32, 300)] {
            let inp = Buffer(random: rows * C, rng: &rng), w = Buffer(random: OC * C, rng: &rng)
            let b = Buffer(random: OC, rng: &rng), out = Buffer(rows * OC)
            Matmul.forward(out: out.pointer, inp: inp.pointer, weight: w.pointer, bias: b.pointer,
                           rows: rows, inChannels: C, outChannels: OC)
            var worst: Double = 0
            for r in 0..<rows {
                for o in 0..<OC {
                    var s = Double(b[o])
                    for c in 0..<C { s += Double(inp[r * C + c]) * Double(w[o * C + c]) }
                    worst = max(worst, abs(s - Double(out[r * OC + o])))
                }
            }
            #expect(worst < 1e-4, "rows \(rows) C \(C) OC \(OC): max error \(worst)")
        }
    }

    @Test("matmul backward: dinp, dweight, dbias")
    func matmul() {
        var rng = SplitMix64(seed: 2)
        let rows = 7, C = 13, OC = 21
        let inp = Buffer(random: rows * C, rng: &rng), w = Buffer(random: OC * C, rng: &rng)
        let b = Buffer(random: OC, rng: &rng), out = Buffer(rows * OC), dout = Buffer(random: rows * OC, rng: &rng)
        let f = { () -> Double in
            Matmul.forward(out: out.pointer, inp: inp.pointer, weight: w.pointer, bias: b.pointer,
                           rows: rows, inChannels: C, outChannels: OC)
            return weightedSum(out, dout)
        }
        let dinp = Buffer(rows * C), dw = Buffer(OC * C), db = Buffer(OC)
        _ = f()
        Matmul.backward(dinp: dinp.pointer, dweight: dw.pointer, dbias: db.pointer, dout: dout.pointer,
                        inp: inp.pointer, weight: w.pointer, rows: rows, inChannels: C, outChannels: OC)
        for (name, x, g) in [("inp", inp, dinp), ("weight", w, dw), ("bias", b, db)] {
            let e = worstRelativeError(analytic: g.array, numeric: numericGradient(of: f, wrt: x))
            #expect(e.error < Self.tolerance, "d\(name)[\(e.index)]: relative error \(e.error)")
            #expect(e.overall < Self.overallTolerance, "overall relative error \(e.overall)")
        }
    }

    @Test("layernorm backward: dinp, dweight, dbias")
    func layerNorm() {
        var rng = SplitMix64(seed: 3)
        let rows = 6, C = 10
        let inp = Buffer(random: rows * C, rng: &rng, scale: 2), w = Buffer(random: C, rng: &rng)
        let b = Buffer(random: C, rng: &rng), out = Buffer(rows * C), dout = Buffer(random: rows * C, rng: &rng)
        let mean = Buffer(rows), rstd = Buffer(rows)
        let f = { () -> Double in
            LayerNorm.forward(out: out.pointer, mean: mean.pointer, rstd: rstd.pointer, inp: inp.pointer,
                              weight: w.pointer, bias: b.pointer, rows: rows, channels: C)
            return weightedSum(out, dout)
        }
        _ = f()
        let dinp = Buffer(rows * C), dw = Buffer(C), db = Buffer(C)
        LayerNorm.backward(dinp: dinp.pointer, dweight: dw.pointer, dbias: db.pointer, dout: dout.pointer,
                           inp: inp.pointer, weight: w.pointer, mean: mean.pointer, rstd: rstd.pointer,
                           rows: rows, channels: C)
        for (name, x, g) in [("inp", inp, dinp), ("weight", w, dw), ("bias", b, db)] {
            let e = worstRelativeError(analytic: g.array, numeric: numericGradient(of: f, wrt: x))
            #expect(e.error < Self.tolerance, "d\(name)[\(e.index)]: relative error \(e.error)")
            #expect(e.overall < Self.overallTolerance, "overall relative error \(e.overall)")
        }
    }

    @Test("attention backward: dqkv, and the causal mask holds")
    func attention() {
        var rng = SplitMix64(seed: 4)
        let B = 2, T = 5, C = 8, NH = 2
        let qkv = Buffer(random: B * T * 3 * C, rng: &rng), out = Buffer(B * T * C)
        let att = Buffer(B * NH * T * T), dout = Buffer(random: B * T * C, rng: &rng)
        let f = { () -> Double in
            Attention.forward(out: out.pointer, att: att.pointer, qkv: qkv.pointer, batch: B, time: T, channels: C, heads: NH)
            return weightedSum(out, dout)
        }
        _ = f()
        let dqkv = Buffer(B * T * 3 * C)
        Attention.backward(dqkv: dqkv.pointer, dout: dout.pointer, qkv: qkv.pointer, att: att.pointer,
                           batch: B, time: T, channels: C, heads: NH)
        let e = worstRelativeError(analytic: dqkv.array, numeric: numericGradient(of: f, wrt: qkv))
        #expect(e.error < Self.tolerance, "dqkv[\(e.index)]: relative error \(e.error)")
        #expect(e.overall < Self.overallTolerance, "overall relative error \(e.overall)")

        // Position 0 of each sequence attends only to itself: its output is its own v.
        for b in 0..<B {
            for c in 0..<C {
                #expect(abs(out[b * T * C + c] - qkv[b * T * 3 * C + 2 * C + c]) < 1e-6)
            }
        }
        // Changing the last token's k and v leaves every earlier output alone.
        let before = out.array
        for c in C..<(3 * C) { qkv[(T - 1) * 3 * C + c] += 1 }
        _ = f()
        for t in 0..<(T - 1) {
            for c in 0..<C { #expect(out[t * C + c] == before[t * C + c]) }
        }
    }

    @Test("gelu backward")
    func gelu() {
        let n = 41
        let inp = Buffer(n), out = Buffer(n), dout = Buffer(n)
        var rng = SplitMix64(seed: 5)
        for i in 0..<n {
            inp[i] = -4 + 8 * Float(i) / Float(n - 1)
            dout[i] = rng.nextNormal()
        }
        let f = { () -> Double in
            GELU.forward(out: out.pointer, inp: inp.pointer, count: n)
            return weightedSum(out, dout)
        }
        _ = f()
        #expect(abs(out[20]) < 1e-7)                      // gelu(0) = 0
        #expect(abs(out[n - 1] - 4) < 1e-3)               // ≈ x for large x
        let dinp = Buffer(n)
        GELU.backward(dinp: dinp.pointer, inp: inp.pointer, dout: dout.pointer, count: n)
        let e = worstRelativeError(analytic: dinp.array, numeric: numericGradient(of: f, wrt: inp))
        #expect(e.error < Self.tolerance, "dinp[\(e.index)]: relative error \(e.error)")
        #expect(e.overall < Self.overallTolerance, "overall relative error \(e.overall)")
    }

    @Test("softmax cross-entropy backward, and probabilities sum to 1")
    func softmaxCrossEntropy() {
        var rng = SplitMix64(seed: 6)
        let rows = 4, V = 11
        let logits = Buffer(random: rows * V, rng: &rng, scale: 3), probs = Buffer(rows * V), losses = Buffer(rows)
        let targets: [UInt32] = [0, 10, 3, 3]
        let f = { () -> Double in
            targets.withUnsafeBufferPointer { t in
                SoftmaxCrossEntropy.forward(probs: probs.pointer, losses: losses.pointer, logits: logits.pointer,
                                            targets: t.baseAddress!, rows: rows, vocab: V)
            }
            return losses.array.reduce(0.0) { $0 + Double($1) } / Double(rows)
        }
        _ = f()
        for r in 0..<rows {
            let s = (0..<V).reduce(Float(0)) { $0 + probs[r * V + $1] }
            #expect(abs(s - 1) < 1e-5)
        }
        let dlogits = Buffer(rows * V)
        targets.withUnsafeBufferPointer { t in
            SoftmaxCrossEntropy.backward(dlogits: dlogits.pointer, probs: probs.pointer, targets: t.baseAddress!,
                                         dloss: 1 / Float(rows), rows: rows, vocab: V)
        }
        let e = worstRelativeError(analytic: dlogits.array, numeric: numericGradient(of: f, wrt: logits))
        #expect(e.error < Self.tolerance, "dlogits[\(e.index)]: relative error \(e.error)")
        #expect(e.overall < Self.overallTolerance, "overall relative error \(e.overall)")
    }

    @Test("embedding backward: repeated tokens add up")
    func embedding() {
        var rng = SplitMix64(seed: 7)
        let B = 2, T = 3, C = 4, V = 5
        let tokens: [UInt32] = [1, 4, 1, 0, 1, 2]
        let wte = Buffer(random: V * C, rng: &rng), wpe = Buffer(random: T * C, rng: &rng)
        let out = Buffer(B * T * C), dout = Buffer(random: B * T * C, rng: &rng)
        let f = { () -> Double in
            tokens.withUnsafeBufferPointer { t in
                Embedding.forward(out: out.pointer, tokens: t.baseAddress!, wte: wte.pointer, wpe: wpe.pointer,
                                  batch: B, time: T, channels: C)
            }
            return weightedSum(out, dout)
        }
        _ = f()
        let dwte = Buffer(V * C), dwpe = Buffer(T * C)
        tokens.withUnsafeBufferPointer { t in
            Embedding.backward(dwte: dwte.pointer, dwpe: dwpe.pointer, dout: dout.pointer, tokens: t.baseAddress!,
                               batch: B, time: T, channels: C)
        }
        for (name, x, g) in [("wte", wte, dwte), ("wpe", wpe, dwpe)] {
            let e = worstRelativeError(analytic: g.array, numeric: numericGradient(of: f, wrt: x))
            #expect(e.error < Self.tolerance, "d\(name)[\(e.index)]: relative error \(e.error)")
            #expect(e.overall < Self.overallTolerance, "overall relative error \(e.overall)")
        }
    }

    @Test("residual backward")
    func residual() {
        var rng = SplitMix64(seed: 8)
        let n = 9
        let a = Buffer(random: n, rng: &rng), b = Buffer(random: n, rng: &rng)
        let out = Buffer(n), dout = Buffer(random: n, rng: &rng)
        let f = { () -> Double in
            Residual.forward(out: out.pointer, a.pointer, b.pointer, count: n)
            return weightedSum(out, dout)
        }
        _ = f()
        let da = Buffer(n), db = Buffer(n)
        Residual.backward(da: da.pointer, db: db.pointer, dout: dout.pointer, count: n)
        for (x, g) in [(a, da), (b, db)] {
            let e = worstRelativeError(analytic: g.array, numeric: numericGradient(of: f, wrt: x))
            #expect(e.error < Self.tolerance && e.overall < Self.overallTolerance)
        }
    }

    @Test("the whole model, end to end (V=11, T=5, C=8, 2 heads, 2 layers, B=2)")
    func wholeModel() {
        let config = GPTConfig(vocabSize: 11, contextLength: 5, layers: 2, heads: 2, channels: 8)
        let model = GPT(config: config, seed: 9)
        // Larger weights than GPT-2's init, so every gradient is well above Float noise.
        var rng = SplitMix64(seed: 10)
        for i in 0..<model.layout.count { model.parameters[i] += 0.3 * rng.nextNormal() }
        let B = 2, T = 5
        let inputs: [UInt32] = [1, 5, 10, 0, 3, 7, 7, 2, 9, 4]
        let targets: [UInt32] = [5, 10, 0, 3, 8, 7, 2, 9, 4, 6]
        model.forward(inputs: inputs, targets: targets, batch: B, time: T)
        model.backward()
        let analytic = model.gradientArray
        // Sum the per-position losses in Double (not the Float mean) to keep rounding small.
        let f = { () -> Double in
            model.forward(inputs: inputs, targets: targets, batch: B, time: T)
            let losses = model.acts!.losses
            return (0..<(B * T)).reduce(0.0) { $0 + Double(losses[$1]) } / Double(B * T)
        }
        for tensor in model.layout.tensors {
            var numeric: [Int: Double] = [:]
            for i in tensor.offset ..< tensor.offset + tensor.count {
                let saved = model.parameters[i]
                model.parameters[i] = saved + 1e-2
                let plus = f()
                model.parameters[i] = saved - 1e-2
                let minus = f()
                model.parameters[i] = saved
                numeric[i] = (plus - minus) / 2e-2
            }
            let e = worstRelativeError(analytic: analytic, numeric: numeric)
            #expect(e.error < Self.tolerance, "\(tensor.name): worst relative error \(e.error) at \(e.index - tensor.offset)")
            #expect(e.overall < Self.overallTolerance, "overall relative error \(e.overall)")
        }
    }
}
