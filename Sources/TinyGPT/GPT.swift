import Foundation

/// Where each parameter tensor lives in the one flat `Float` buffer.
///
/// Order and shapes follow GPT-2 (and llm.c): `wte [V, C]`, `wpe [maxT, C]`, then per-layer
/// tensors stacked over the L layers (`ln1w [L, C]`, `qkvw [L, 3C, C]`, …), then the final
/// LayerNorm. One flat buffer makes the optimizer, gradient clipping and checkpoints single
/// loops over `count` floats.
public struct ParameterLayout: Sendable {
    /// One named tensor of the layout.
    public struct Tensor: Sendable, Equatable {
        /// GPT-2's name for it (`wte`, `qkvw`, …).
        public let name: String
        /// First float of the tensor in the flat buffer.
        public let offset: Int
        /// Its shape, outermost first (`[L, 3C, C]` for `qkvw`).
        public let shape: [Int]
        /// Number of floats, the product of `shape`.
        public let count: Int
        /// Whether AdamW applies weight decay: matrices (embeddings and linear weights) yes,
        /// biases and LayerNorm gains no.
        public let decays: Bool
    }

    /// All tensors in buffer order.
    public let tensors: [Tensor]
    /// Total number of floats.
    public let count: Int
    let wte, wpe, ln1w, ln1b, qkvw, qkvb, attprojw, attprojb: Int
    let ln2w, ln2b, fcw, fcb, fcprojw, fcprojb, lnfw, lnfb: Int

    public init(_ config: GPTConfig) {
        let V = config.vocabSize, maxT = config.contextLength, L = config.layers, C = config.channels
        var tensors: [Tensor] = []
        var offset = 0
        func add(_ name: String, _ shape: [Int], decays: Bool) -> Int {
            let count = shape.reduce(1, *)
            tensors.append(Tensor(name: name, offset: offset, shape: shape, count: count, decays: decays))
            defer { offset += count }
            return offset
        }
        wte = add("wte", [V, C], decays: true)
        wpe = add("wpe", [maxT, C], decays: true)
        ln1w = add("ln1w", [L, C], decays: false)
        ln1b = add("ln1b", [L, C], decays: false)
        qkvw = add("qkvw", [L, 3 * C, C], decays: true)
        qkvb = add("qkvb", [L, 3 * C], decays: false)
        attprojw = add("attprojw", [L, C, C], decays: true)
        attprojb = add("attprojb", [L, C], decays: false)
        ln2w = add("ln2w", [L, C], decays: false)
        ln2b = add("ln2b", [L, C], decays: false)
        fcw = add("fcw", [L, 4 * C, C], decays: true)
        fcb = add("fcb", [L, 4 * C], decays: false)
        fcprojw = add("fcprojw", [L, C, 4 * C], decays: true)
        fcprojb = add("fcprojb", [L, C], decays: false)
        lnfw = add("lnfw", [C], decays: false)
        lnfb = add("lnfb", [C], decays: false)
        self.tensors = tensors
        self.count = offset
    }

    /// The tensor called `name`, if any.
    public func tensor(_ name: String) -> Tensor? { tensors.first { $0.name == name } }
}

/// Activations of one forward pass (or their gradients), in one zero-initialised block.
///
/// Sized for a capacity of `B·T` rows; a smaller batch or shorter sequence reuses it (each
/// layer's slice starts at a capacity-sized stride, and the kernels use the actual B and T
/// from its start).
final class ActivationBuffers {
    let batchCapacity: Int, timeCapacity: Int
    let storage: UnsafeMutablePointer<Float>
    let floatCount: Int
    let tokens: UnsafeMutablePointer<UInt32>, targets: UnsafeMutablePointer<UInt32>
    /// Per-layer strides: rows·C, rows, and B·NH·T·T for the attention probabilities.
    let btc: Int, bt: Int, attStride: Int
    let encoded, ln1, ln1Mean, ln1Rstd, qkv, atty, att, attproj, residual2: UnsafeMutablePointer<Float>
    let ln2, ln2Mean, ln2Rstd, fch, fchGelu, fcproj, residual3: UnsafeMutablePointer<Float>
    let lnf, lnfMean, lnfRstd, logits, probs, losses: UnsafeMutablePointer<Float>

    init(config: GPTConfig, batch B: Int, time T: Int) {
        batchCapacity = B
        timeCapacity = T
        let C = config.channels, L = config.layers, NH = config.heads, V = config.vocabSize
        bt = B * T
        btc = bt * C
        attStride = B * NH * T * T
        let sizes = [
            btc,                                   // encoded
            L * btc, L * bt, L * bt,               // ln1, mean, rstd
            L * 3 * btc, L * btc, L * attStride,   // qkv, atty, att
            L * btc, L * btc,                      // attproj, residual2
            L * btc, L * bt, L * bt,               // ln2, mean, rstd
            L * 4 * btc, L * 4 * btc,              // fch, fchGelu
            L * btc, L * btc,                      // fcproj, residual3
            btc, bt, bt,                           // lnf, mean, rstd
            bt * V, bt * V, bt,                    // logits, probs, losses
        ]
        floatCount = sizes.reduce(0, +)
        storage = .allocate(capacity: floatCount)
        storage.initialize(repeating: 0, count: floatCount)
        var cursor = storage
        var pointers: [UnsafeMutablePointer<Float>] = []
        for s in sizes {
            pointers.append(cursor)
            cursor += s
        }
        (encoded, ln1, ln1Mean, ln1Rstd) = (pointers[0], pointers[1], pointers[2], pointers[3])
        (qkv, atty, att, attproj, residual2) = (pointers[4], pointers[5], pointers[6], pointers[7], pointers[8])
        (ln2, ln2Mean, ln2Rstd, fch, fchGelu) = (pointers[9], pointers[10], pointers[11], pointers[12], pointers[13])
        (fcproj, residual3, lnf, lnfMean, lnfRstd) = (pointers[14], pointers[15], pointers[16], pointers[17], pointers[18])
        (logits, probs, losses) = (pointers[19], pointers[20], pointers[21])
        tokens = .allocate(capacity: bt)
        tokens.initialize(repeating: 0, count: bt)
        targets = .allocate(capacity: bt)
        targets.initialize(repeating: 0, count: bt)
    }

    deinit {
        storage.deallocate()
        tokens.deallocate()
        targets.deallocate()
    }

    func zero() { storage.update(repeating: 0, count: floatCount) }
}

/// A GPT-2-style decoder-only transformer with explicit forward and backward passes.
///
/// ```
/// x = wte[token] + wpe[position]
/// for each block:  x = x + proj(attention(LN1(x)))
///                  x = x + fcproj(gelu(fc(LN2(x))))
/// logits = LNf(x) · wteᵀ                  (the LM head shares wte)
/// loss = mean over positions of −log softmax(logits)[next token]
/// ```
/// All buffers are contiguous `Float32`, `[B, T, C]` row-major. Not thread-safe: one model
/// runs one pass at a time (each pass uses all cores itself).
///
/// ```swift
/// let model = GPT(config: GPTConfig(vocabSize: 50, contextLength: 16, layers: 2, heads: 2, channels: 32), seed: 1)
/// let loss = model.forward(inputs: x, targets: y, batch: 4, time: 16)!
/// model.backward()               // gradients in model.grads
/// ```
public final class GPT {
    /// The model's shape.
    public let config: GPTConfig
    /// Where each tensor lives in ``parameters``.
    public let layout: ParameterLayout
    /// All parameters, `layout.count` floats.
    public let parameters: UnsafeMutablePointer<Float>
    /// Gradients of the last ``backward()``, same layout; allocated by the first backward pass.
    public private(set) var gradients: UnsafeMutablePointer<Float>?

    var acts: ActivationBuffers?
    var gradActs: ActivationBuffers?
    /// Shape of the last forward pass, and whether it had targets.
    public private(set) var batch = 0, time = 0
    var hasTargets = false

    /// A model with GPT-2's initialisation: weights from N(0, 0.02), the two projections that
    /// write into the residual stream scaled by 1/√(2L), biases 0, LayerNorm gains 1.
    /// - Precondition: `config.validate()` passes.
    public init(config: GPTConfig, seed: UInt64) {
        precondition((try? config.validate()) != nil, "invalid GPTConfig \(config)")
        self.config = config
        layout = ParameterLayout(config)
        parameters = .allocate(capacity: layout.count)
        var rng = SplitMix64(seed: seed)
        let residualStd = 0.02 / Float(2 * config.layers).squareRoot()
        for t in layout.tensors {
            let p = parameters + t.offset
            switch t.name {
            case "ln1w", "ln2w", "lnfw":
                p.initialize(repeating: 1, count: t.count)
            case _ where !t.decays:
                p.initialize(repeating: 0, count: t.count)
            default:
                let std: Float = (t.name == "attprojw" || t.name == "fcprojw") ? residualStd : 0.02
                for i in 0..<t.count { (p + i).initialize(to: std * rng.nextNormal()) }
            }
        }
    }

    /// A model with the given parameters (for example from a ``Checkpoint``).
    /// - Throws: ``ConfigError`` if the config is invalid or the count does not match it.
    public init(config: GPTConfig, parameters values: [Float]) throws(ConfigError) {
        try config.validate()
        self.config = config
        layout = ParameterLayout(config)
        guard values.count == layout.count else {
            throw .wrongParameterCount(expected: layout.count, got: values.count)
        }
        parameters = .allocate(capacity: layout.count)
        _ = UnsafeMutableBufferPointer(start: parameters, count: layout.count).initialize(from: values)
    }

    deinit {
        parameters.deallocate()
        gradients?.deallocate()
    }

    /// A copy of all parameters.
    public var parameterArray: [Float] { Array(UnsafeBufferPointer(start: parameters, count: layout.count)) }

    /// A copy of the last gradients (empty before the first backward pass).
    public var gradientArray: [Float] {
        guard let gradients else { return [] }
        return Array(UnsafeBufferPointer(start: gradients, count: layout.count))
    }

    /// Buffers for `B` sequences of up to `contextLength` tokens, so shorter passes (a growing
    /// prompt while sampling) reuse them; a larger batch allocates anew.
    private func activations(batch B: Int) -> ActivationBuffers {
        if let a = acts, a.batchCapacity >= B { return a }
        gradActs = nil
        let a = ActivationBuffers(config: config, batch: B, time: config.contextLength)
        acts = a
        return a
    }

    /// Runs the model on `batch` sequences of `time` tokens (`inputs` is `[B, T]` row-major).
    /// With `targets` (`[B, T]`, the next token of each position) it also computes the loss.
    ///
    /// - Returns: the mean cross-entropy over all B·T positions, or `nil` without targets.
    /// - Precondition: `time <= contextLength`, and every token is below `vocabSize`.
    /// - Complexity: O(B·T·P + L·B·T²·C) for P parameters.
    @discardableResult
    public func forward(inputs: [UInt32], targets: [UInt32]? = nil, batch B: Int, time T: Int) -> Float? {
        let V = config.vocabSize, C = config.channels, L = config.layers, NH = config.heads
        precondition(B > 0 && T > 0 && T <= config.contextLength, "time \(T) outside 1...\(config.contextLength)")
        precondition(inputs.count == B * T && (targets == nil || targets!.count == B * T), "inputs must be B·T tokens")
        precondition(!inputs.contains { Int($0) >= V } && !(targets ?? []).contains { Int($0) >= V },
                     "token id ≥ vocabulary size \(V)")
        let a = activations(batch: B)
        batch = B
        time = T
        hasTargets = targets != nil
        let BT = B * T
        _ = UnsafeMutableBufferPointer(start: a.tokens, count: BT).update(fromContentsOf: inputs)
        if let targets { _ = UnsafeMutableBufferPointer(start: a.targets, count: BT).update(fromContentsOf: targets) }
        let p = parameters, lay = layout

        Embedding.forward(out: a.encoded, tokens: a.tokens, wte: p + lay.wte, wpe: p + lay.wpe,
                          batch: B, time: T, channels: C)
        for l in 0..<L {
            let residual = l == 0 ? a.encoded : a.residual3 + (l - 1) * a.btc
            let ln1 = a.ln1 + l * a.btc, qkv = a.qkv + l * 3 * a.btc, atty = a.atty + l * a.btc
            let att = a.att + l * a.attStride, attproj = a.attproj + l * a.btc
            let residual2 = a.residual2 + l * a.btc, ln2 = a.ln2 + l * a.btc
            let fch = a.fch + l * 4 * a.btc, fchGelu = a.fchGelu + l * 4 * a.btc
            let fcproj = a.fcproj + l * a.btc, residual3 = a.residual3 + l * a.btc

            LayerNorm.forward(out: ln1, mean: a.ln1Mean + l * a.bt, rstd: a.ln1Rstd + l * a.bt, inp: residual,
                              weight: p + lay.ln1w + l * C, bias: p + lay.ln1b + l * C, rows: BT, channels: C)
            Matmul.forward(out: qkv, inp: ln1, weight: p + lay.qkvw + l * 3 * C * C, bias: p + lay.qkvb + l * 3 * C,
                           rows: BT, inChannels: C, outChannels: 3 * C)
            Attention.forward(out: atty, att: att, qkv: qkv, batch: B, time: T, channels: C, heads: NH)
            Matmul.forward(out: attproj, inp: atty, weight: p + lay.attprojw + l * C * C, bias: p + lay.attprojb + l * C,
                           rows: BT, inChannels: C, outChannels: C)
            Residual.forward(out: residual2, residual, attproj, count: BT * C)
            LayerNorm.forward(out: ln2, mean: a.ln2Mean + l * a.bt, rstd: a.ln2Rstd + l * a.bt, inp: residual2,
                              weight: p + lay.ln2w + l * C, bias: p + lay.ln2b + l * C, rows: BT, channels: C)
            Matmul.forward(out: fch, inp: ln2, weight: p + lay.fcw + l * 4 * C * C, bias: p + lay.fcb + l * 4 * C,
                           rows: BT, inChannels: C, outChannels: 4 * C)
            GELU.forward(out: fchGelu, inp: fch, count: BT * 4 * C)
            Matmul.forward(out: fcproj, inp: fchGelu, weight: p + lay.fcprojw + l * 4 * C * C, bias: p + lay.fcprojb + l * C,
                           rows: BT, inChannels: 4 * C, outChannels: C)
            Residual.forward(out: residual3, residual2, fcproj, count: BT * C)
        }
        let last = a.residual3 + (L - 1) * a.btc
        LayerNorm.forward(out: a.lnf, mean: a.lnfMean, rstd: a.lnfRstd, inp: last,
                          weight: p + lay.lnfw, bias: p + lay.lnfb, rows: BT, channels: C)
        Matmul.forward(out: a.logits, inp: a.lnf, weight: p + lay.wte, bias: nil, rows: BT, inChannels: C, outChannels: V)
        SoftmaxCrossEntropy.forward(probs: a.probs, losses: targets == nil ? nil : a.losses, logits: a.logits,
                                    targets: targets == nil ? nil : a.targets, rows: BT, vocab: V)
        guard targets != nil else { return nil }
        var sum = 0.0
        for r in 0..<BT { sum += Double(a.losses[r]) }
        return Float(sum / Double(BT))
    }

    /// The logits of row `b·T + t` of the last forward pass (`vocabSize` floats, valid until the
    /// next pass).
    public func logits(row: Int) -> UnsafeBufferPointer<Float> {
        precondition(row >= 0 && row < batch * time, "row \(row) outside the last forward pass")
        return UnsafeBufferPointer(start: acts!.logits + row * config.vocabSize, count: config.vocabSize)
    }

    /// The softmax probabilities of row `b·T + t` of the last forward pass.
    public func probabilities(row: Int) -> UnsafeBufferPointer<Float> {
        precondition(row >= 0 && row < batch * time, "row \(row) outside the last forward pass")
        return UnsafeBufferPointer(start: acts!.probs + row * config.vocabSize, count: config.vocabSize)
    }

    /// Computes ``gradients`` of the mean loss of the last forward pass (which must have had
    /// targets). Gradients are overwritten, not accumulated across calls.
    /// - Complexity: about twice the forward pass.
    public func backward() {
        precondition(hasTargets, "backward() needs a forward pass with targets")
        let a = acts!
        let V = config.vocabSize, C = config.channels, L = config.layers, NH = config.heads
        let B = batch, T = time, BT = B * T
        let g: ActivationBuffers
        if let existing = gradActs {
            existing.zero()
            g = existing
        } else {
            g = ActivationBuffers(config: config, batch: a.batchCapacity, time: a.timeCapacity)
            gradActs = g
        }
        let d: UnsafeMutablePointer<Float>
        if let existing = gradients {
            d = existing
            d.update(repeating: 0, count: layout.count)
        } else {
            d = .allocate(capacity: layout.count)
            d.initialize(repeating: 0, count: layout.count)
            gradients = d
        }
        let p = parameters, lay = layout

        SoftmaxCrossEntropy.backward(dlogits: g.logits, probs: a.probs, targets: a.targets,
                                     dloss: 1 / Float(BT), rows: BT, vocab: V)
        Matmul.backward(dinp: g.lnf, dweight: d + lay.wte, dbias: nil, dout: g.logits, inp: a.lnf,
                        weight: p + lay.wte, rows: BT, inChannels: C, outChannels: V)
        LayerNorm.backward(dinp: g.residual3 + (L - 1) * a.btc, dweight: d + lay.lnfw, dbias: d + lay.lnfb,
                           dout: g.lnf, inp: a.residual3 + (L - 1) * a.btc, weight: p + lay.lnfw,
                           mean: a.lnfMean, rstd: a.lnfRstd, rows: BT, channels: C)
        for l in stride(from: L - 1, through: 0, by: -1) {
            let residual = l == 0 ? a.encoded : a.residual3 + (l - 1) * a.btc
            let dresidual = l == 0 ? g.encoded : g.residual3 + (l - 1) * a.btc
            let o = l * a.btc, o3 = 3 * o, o4 = 4 * o, oa = l * a.attStride, om = l * a.bt

            Residual.backward(da: g.residual2 + o, db: g.fcproj + o, dout: g.residual3 + o, count: BT * C)
            Matmul.backward(dinp: g.fchGelu + o4, dweight: d + lay.fcprojw + l * 4 * C * C, dbias: d + lay.fcprojb + l * C,
                            dout: g.fcproj + o, inp: a.fchGelu + o4, weight: p + lay.fcprojw + l * 4 * C * C,
                            rows: BT, inChannels: 4 * C, outChannels: C)
            GELU.backward(dinp: g.fch + o4, inp: a.fch + o4, dout: g.fchGelu + o4, count: BT * 4 * C)
            Matmul.backward(dinp: g.ln2 + o, dweight: d + lay.fcw + l * 4 * C * C, dbias: d + lay.fcb + l * 4 * C,
                            dout: g.fch + o4, inp: a.ln2 + o, weight: p + lay.fcw + l * 4 * C * C,
                            rows: BT, inChannels: C, outChannels: 4 * C)
            LayerNorm.backward(dinp: g.residual2 + o, dweight: d + lay.ln2w + l * C, dbias: d + lay.ln2b + l * C,
                               dout: g.ln2 + o, inp: a.residual2 + o, weight: p + lay.ln2w + l * C,
                               mean: a.ln2Mean + om, rstd: a.ln2Rstd + om, rows: BT, channels: C)
            Residual.backward(da: dresidual, db: g.attproj + o, dout: g.residual2 + o, count: BT * C)
            Matmul.backward(dinp: g.atty + o, dweight: d + lay.attprojw + l * C * C, dbias: d + lay.attprojb + l * C,
                            dout: g.attproj + o, inp: a.atty + o, weight: p + lay.attprojw + l * C * C,
                            rows: BT, inChannels: C, outChannels: C)
            Attention.backward(dqkv: g.qkv + o3, dout: g.atty + o, qkv: a.qkv + o3, att: a.att + oa,
                               batch: B, time: T, channels: C, heads: NH)
            Matmul.backward(dinp: g.ln1 + o, dweight: d + lay.qkvw + l * 3 * C * C, dbias: d + lay.qkvb + l * 3 * C,
                            dout: g.qkv + o3, inp: a.ln1 + o, weight: p + lay.qkvw + l * 3 * C * C,
                            rows: BT, inChannels: C, outChannels: 3 * C)
            LayerNorm.backward(dinp: dresidual, dweight: d + lay.ln1w + l * C, dbias: d + lay.ln1b + l * C,
                               dout: g.ln1 + o, inp: residual, weight: p + lay.ln1w + l * C,
                               mean: a.ln1Mean + om, rstd: a.ln1Rstd + om, rows: BT, channels: C)
        }
        Embedding.backward(dwte: d + lay.wte, dwpe: d + lay.wpe, dout: g.encoded, tokens: a.tokens,
                           batch: B, time: T, channels: C)
    }

    /// Floating-point operations of one training step on `tokens` tokens of sequence length
    /// `time`: 6 per parameter per token for the matrix products (2 forward, 4 backward; the
    /// biases and LayerNorm gains are counted too, a slight over-count; the position table is
    /// not, being a lookup), plus the attention
    /// scores and weighted sums, 6·L·T·C per token on average with the causal mask.
    public func trainingFLOPs(tokens: Int, time T: Int) -> Double {
        let nonPosition = layout.count - config.contextLength * config.channels
        return 6 * Double(nonPosition) * Double(tokens)
            + 6 * Double(config.layers) * Double(T) * Double(config.channels) * Double(tokens)
    }
}
