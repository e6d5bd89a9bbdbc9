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

/// Where a run stands: saved in checkpoints so `--resume` picks up the same batches.
public struct TrainingState: Codable, Equatable, Sendable {
    /// Optimizer steps done.
    public var step: Int
    /// The batch sampler's generator, as it is after `step` steps.
    public var rng: SplitMix64
    /// The run's settings.
    public var options: TrainingOptions
}
