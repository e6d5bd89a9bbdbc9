import Foundation

/// What one ``ModelTrainer/trainStep()`` did.
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
/// let trainer = ModelTrainer(model: GPT(config: cfg, seed: 1), options: opts, train: windows, validation: val)
/// while trainer.step < opts.steps { print(trainer.trainStep().loss) }
/// ```
public final class ModelTrainer {
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
            throw .noOptimizerState
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
