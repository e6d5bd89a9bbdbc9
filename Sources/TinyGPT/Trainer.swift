import Foundation

/// Settings of a training run, stored in checkpoints so `--resume` continues the same run.
public struct TrainingOptions: Codable, Equatable, Sendable {
    /// Sequences per step (B).
    public var batchSize: Int = 8
    /// Total number of optimizer steps of the run; a resumed run stops at the same total.
    public var steps: Int = 1000
    /// Peak learning rate.
    public var learningRate: Float = 3e-4
    /// Steps of linear warm-up from lr/warmup to lr.
    public var warmupSteps: Int = 0
    /// The cosine decay ends at `learningRate · minLearningRateFraction` on the last step.
    public var minLearningRateFraction: Float = 0.1
    /// Clip the global gradient L2 norm to this value; 0 turns clipping off.
    public var gradClip: Float = 1.0
    /// AdamW's betas, eps and weight decay.
    public var adam = AdamWOptions()
    /// Seeds the weights and the batch sampler.
    public var seed: UInt64 = 1337
    /// Batches of `batchSize` windows per validation pass.
    public var evalBatches: Int = 10

    public init() {}

    /// The learning rate for the update with 0-based index `step`: linear warm-up over
    /// `warmupSteps`, then a half cosine from `learningRate` down to
    /// `learningRate · minLearningRateFraction` at the last step.
    public func learningRate(at step: Int) -> Float {
        if step < warmupSteps { return learningRate * Float(step + 1) / Float(warmupSteps) }
        let span = max(1, steps - 1 - warmupSteps)
        let progress = min(1, Float(step - warmupSteps) / Float(span))
        let floor = learningRate * minLearningRateFraction
        return floor + 0.5 * (learningRate - floor) * (1 + cosf(Float.pi * progress))
    }
}

/// Every window of `context + 1` consecutive tokens inside one shard (windows never cross a
/// shard boundary), numbered across shards.
public struct TokenWindows: Sendable {
    /// The token shards.
    public let shards: [[UInt32]]
    /// Tokens the model reads per sequence (T); each window holds T + 1.
    public let context: Int
    /// `firstWindow[i]` is the number of windows in shards before `i`.
    private let firstWindow: [Int]
    /// Total number of windows.
    public let count: Int

    /// - Throws: ``ConfigError`` if no shard holds `context + 1` tokens.
    public init(shards: [[UInt32]], context: Int) throws(ConfigError) {
        self.shards = shards
        self.context = context
        var first: [Int] = []
        var n = 0
        for s in shards {
            first.append(n)
            n += max(0, s.count - context)
        }
        firstWindow = first
        count = n
        guard n > 0 else {
            let longest = shards.map(\.count).max() ?? 0
            throw ConfigError("--context \(context) needs shards of at least \(context + 1) tokens, but the longest has \(longest); use a smaller --context or more data")
        }
    }

    /// Window number `index` as (inputs, targets), each `context` tokens.
    public func window(_ index: Int) -> (inputs: ArraySlice<UInt32>, targets: ArraySlice<UInt32>) {
        precondition(index >= 0 && index < count)
        // The last shard whose first window is ≤ index. Among shards with equal first
        // windows only the last can be non-empty, so this never lands on an empty one.
        var lo = 0, hi = firstWindow.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if firstWindow[mid] <= index { lo = mid } else { hi = mid - 1 }
        }
        let start = index - firstWindow[lo]
        let s = shards[lo]
        return (s[start ..< start + context], s[start + 1 ..< start + context + 1])
    }

    /// `batch` windows drawn uniformly (with replacement) with `rng`.
    public func randomBatch(_ batch: Int, rng: inout SplitMix64) -> (inputs: [UInt32], targets: [UInt32]) {
        var x: [UInt32] = [], y: [UInt32] = []
        x.reserveCapacity(batch * context)
        y.reserveCapacity(batch * context)
        for _ in 0..<batch {
            let w = window(rng.nextInt(below: count))
            x.append(contentsOf: w.inputs)
            y.append(contentsOf: w.targets)
        }
        return (x, y)
    }

    /// Batch `i` of `n` fixed evaluation batches: windows spread evenly over all windows, the
    /// same every time, so successive validation losses are comparable.
    public func evaluationBatch(_ i: Int, of n: Int, batch: Int) -> (inputs: [UInt32], targets: [UInt32]) {
        var x: [UInt32] = [], y: [UInt32] = []
        let total = n * batch
        for j in 0..<batch {
            let k = i * batch + j
            let w = window(Int((Double(k) + 0.5) * Double(count) / Double(total)))
            x.append(contentsOf: w.inputs)
            y.append(contentsOf: w.targets)
        }
        return (x, y)
    }
}

/// Where a run stands: saved in checkpoints so `--resume` picks up the same batches.
public struct TrainingState: Codable, Equatable, Sendable {
    /// Optimizer steps done.
    public var step: Int
    /// The batch sampler's generator, as it is after `step` steps.
    public var rng: SplitMix64
    /// The run's settings.
    public var options: TrainingOptions
}

/// What one ``Trainer/trainStep()`` did.
public struct StepReport: Sendable {
    /// 1-based number of the step just done.
    public let step: Int
    /// Mean training loss of the batch (before the update).
    public let loss: Float
    /// Learning rate used.
    public let learningRate: Float
    /// Global gradient norm before clipping.
    public let gradNorm: Float
}

/// The training loop: sample a batch, forward, backward, clip, AdamW step.
///
/// ```swift
/// let trainer = try Trainer(model: GPT(config: cfg, seed: 1), options: opts, train: windows, validation: val)
/// while trainer.step < opts.steps { print(trainer.trainStep().loss) }
/// ```
public final class Trainer {
    /// The model being trained.
    public let model: GPT
    /// Its optimizer.
    public let optimizer: AdamW
    /// The run's settings.
    public let options: TrainingOptions
    /// Training windows (random batches).
    public let train: TokenWindows
    /// Validation windows (fixed batches), if any.
    public let validation: TokenWindows?
    /// Steps done.
    public private(set) var step: Int
    /// The batch sampler.
    public private(set) var rng: SplitMix64

    /// A fresh run. The batch sampler is seeded from `options.seed` (the model's weights
    /// should be too: `GPT(config:seed: options.seed)`).
    public init(model: GPT, options: TrainingOptions, train: TokenWindows, validation: TokenWindows?) {
        self.model = model
        self.options = options
        self.train = train
        self.validation = validation
        optimizer = AdamW(parameterCount: model.layout.count, options: options.adam)
        step = 0
        rng = SplitMix64(seed: options.seed ^ 0x5EED_DA7A_5EED_DA7A)
    }

    /// Continues a run from a checkpoint written by ``checkpoint(metadata:attachments:)``.
    /// `options` may differ from the saved ones (say, more `steps`); the model shape may not.
    /// - Throws: ``ConfigError`` if the checkpoint has no optimizer or training state.
    public init(resuming checkpoint: Checkpoint, options: TrainingOptions,
                train: TokenWindows, validation: TokenWindows?) throws(ConfigError) {
        guard let opt = checkpoint.optimizer, let state = checkpoint.training else {
            throw ConfigError("the checkpoint has no optimizer state (it was saved for sampling only); train without --resume")
        }
        model = try GPT(config: checkpoint.config, parameters: checkpoint.parameters)
        optimizer = AdamW(options: options.adam, m: opt.m, v: opt.v, t: opt.t)
        self.options = options
        self.train = train
        self.validation = validation
        step = state.step
        rng = state.rng
    }

    /// One optimizer step on a fresh random batch.
    public func trainStep() -> StepReport {
        let B = options.batchSize, T = train.context
        let (x, y) = train.randomBatch(B, rng: &rng)
        let loss = model.forward(inputs: x, targets: y, batch: B, time: T)!
        model.backward()
        let grads = model.gradients!
        let norm = l2Norm(grads, count: model.layout.count)
        let scale: Float = (options.gradClip > 0 && norm > options.gradClip) ? options.gradClip / norm : 1
        let lr = options.learningRate(at: step)
        optimizer.step(params: model.parameters, grads: grads, layout: model.layout, learningRate: lr, gradScale: scale)
        step += 1
        return StepReport(step: step, loss: loss, learningRate: lr, gradNorm: norm)
    }

    /// Mean loss over `options.evalBatches` fixed validation batches, or `nil` without
    /// validation data.
    public func validationLoss() -> Float? {
        guard let validation, options.evalBatches > 0 else { return nil }
        var sum = 0.0
        for i in 0..<options.evalBatches {
            let (x, y) = validation.evaluationBatch(i, of: options.evalBatches, batch: options.batchSize)
            sum += Double(model.forward(inputs: x, targets: y, batch: options.batchSize, time: validation.context)!)
        }
        return Float(sum / Double(options.evalBatches))
    }

    /// Everything needed to resume (or to sample): weights, optimizer moments, step, RNG state
    /// and options, plus the caller's `metadata` and `attachments`.
    public func checkpoint(metadata: [String: String] = [:], attachments: [String: [UInt8]] = [:]) -> Checkpoint {
        Checkpoint(config: model.config, parameters: model.parameterArray,
                   optimizer: OptimizerState(options: optimizer.options, m: optimizer.m, v: optimizer.v, t: optimizer.t),
                   training: TrainingState(step: step, rng: rng, options: options),
                   metadata: metadata, attachments: attachments)
    }

    /// FLOPs of one training step (see ``GPT/trainingFLOPs(tokens:time:)``).
    public var flopsPerStep: Double {
        model.trainingFLOPs(tokens: options.batchSize * train.context, time: train.context)
    }
}
