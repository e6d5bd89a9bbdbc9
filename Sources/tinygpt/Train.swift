import ArgumentParser
import CLISupport
import Foundation
import TinyGPT

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model on the llm.c shards of a bpe export folder.",
        discussion: """
            Reads DIR/meta.json and every shard it lists: train shards for training (random \
            windows of context+1 tokens, drawn with --seed), the val shard for validation \
            (--eval-batches fixed windows spread over it). The vocabulary size is meta.json's \
            n_vocab. Prints the validation loss before the first step, the training loss every \
            --log-every steps with tokens/s and GFLOP/s (6 x parameters x tokens plus \
            attention), and the validation loss every --eval-every steps and at the end, each \
            time saving --out atomically (temporary file, fsync, rename).

            The checkpoint holds the weights, AdamW's moments, the step, the sampler's RNG \
            state, the run's options and a copy of the vocabulary, so `tinygpt sample` needs \
            nothing else and --resume continues exactly where the run stopped: the same \
            batches, bit for bit the same weights as an uninterrupted run. On --resume the \
            model shape comes from the checkpoint, and any option not given keeps its saved \
            value; --steps is the total, so `--steps 2000 --resume` after 1000 runs 1000 more.

            Optimizer: AdamW (beta1 0.9, beta2 0.95, eps 1e-8) with decoupled weight decay on \
            embeddings and linear weights only (not biases or LayerNorm gains); the global \
            gradient norm is clipped to --grad-clip; the learning rate warms up linearly over \
            --warmup steps, then follows a half cosine down to lr/10 at the last step.
            """
    )

    @Option(help: ArgumentHelp("Folder written by `bpe export` (meta.json and .bin shards).", valueName: "dir"))
    var data: String

    @Option(help: ArgumentHelp("Checkpoint to write (and read back with --resume).", valueName: "ckpt"))
    var out: String

    @Flag(help: "Continue the run saved in --out (model, optimizer, step, RNG state).")
    var resume = false

    @Option(parsing: .unconditional, help: "Transformer blocks (default 4).")
    var layers: Int?
    @Option(parsing: .unconditional, help: "Attention heads; must divide --channels (default 4).")
    var heads: Int?
    @Option(parsing: .unconditional, help: "Embedding width C (default 128).")
    var channels: Int?
    @Option(parsing: .unconditional, help: "Tokens per sequence T (default 64).")
    var context: Int?

    @Option(parsing: .unconditional, help: "Sequences per step B (default 8).")
    var batch: Int?
    @Option(parsing: .unconditional, help: "Total optimizer steps of the run (default 1000).")
    var steps: Int?
    @Option(parsing: .unconditional, help: "Peak learning rate (default 3e-4).")
    var lr: Float?
    @Option(parsing: .unconditional, help: "Linear warm-up steps (default: steps/20, at most 100).")
    var warmup: Int?
    @Option(parsing: .unconditional, help: "AdamW weight decay on 2-D weights (default 0.1).")
    var weightDecay: Float?
    @Option(parsing: .unconditional, help: "Clip the global gradient norm to this; 0 = off (default 1.0).")
    var gradClip: Float?
    @Option(parsing: .unconditional, help: "Seed for the weights and the batch sampler (default 1337).")
    var seed: UInt64?
    @Option(parsing: .unconditional, help: "Validate and save a checkpoint every N steps; 0 = only at the end (default 100).")
    var evalEvery: Int?
    @Option(parsing: .unconditional, help: "Batches per validation pass (default 10).")
    var evalBatches: Int?
    @Option(parsing: .unconditional, help: "Print the training loss every N steps.")
    var logEvery: Int = 10

    func run() throws {
        try reportingErrors(wording: flagWording) { try train() }
    }

    /// Checks the flags that do not need the data, with messages that name the flag. The
    /// model shape's rules are the library's (``GPTConfig/validate()``); a new run asks it here,
    /// before the data is read (a resumed run takes its shape from the checkpoint).
    private func checkFlags() throws {
        for (flag, value) in [("--batch", batch), ("--steps", steps)] {
            if let value, value <= 0 { throw CLIError("\(flag) must be positive, got \(value)") }
        }
        for (flag, value) in [("--warmup", warmup), ("--eval-every", evalEvery), ("--eval-batches", evalBatches)] {
            if let value, value < 0 { throw CLIError("\(flag) must be 0 or more, got \(value)") }
        }
        if logEvery <= 0 { throw CLIError("--log-every must be positive, got \(logEvery)") }
        if let lr, !(lr > 0 && lr.isFinite) { throw CLIError("--lr must be positive, got \(lr)") }
        if let wd = weightDecay, !(wd >= 0 && wd.isFinite) { throw CLIError("--weight-decay must be 0 or more, got \(wd)") }
        if let c = gradClip, !(c >= 0 && c.isFinite) { throw CLIError("--grad-clip must be 0 or more, got \(c)") }
        if !resume { try shape(vocabSize: 1).validate() }
    }

    /// The model shape of a new run: the flags, or the defaults.
    private func shape(vocabSize: Int) -> GPTConfig {
        GPTConfig(vocabSize: vocabSize, contextLength: context ?? 64, layers: layers ?? 4,
                  heads: heads ?? 4, channels: channels ?? 128)
    }

    /// The run's options: saved ones (on --resume) or defaults, overridden by given flags.
    private func options(base: TrainingOptions?) -> TrainingOptions {
        var o = base ?? TrainingOptions()
        if base == nil {
            o.batchSize = 8
            o.steps = 1000
            o.learningRate = 3e-4
            o.seed = 1337
            o.evalBatches = 10
        }
        if let batch { o.batchSize = batch }
        if let steps { o.steps = steps }
        if let lr { o.learningRate = lr }
        if let weightDecay { o.adam.weightDecay = weightDecay }
        if let gradClip { o.gradClip = gradClip }
        if let seed { o.seed = seed }
        if let evalBatches { o.evalBatches = evalBatches }
        if let warmup {
            o.warmupSteps = warmup
        } else if base == nil || steps != nil {
            o.warmupSteps = min(100, o.steps / 20)
        }
        return o
    }

    private func train() throws {
        try checkFlags()
        let data = try TrainingData.load(directory: self.data)
        let vocab = try VocabularyRecord.capture(data)

        let trainer: ModelTrainer
        if resume {
            guard FileManager.default.fileExists(atPath: out) else {
                throw CLIError("--resume: \(out) does not exist; drop --resume to start a new run")
            }
            let ckpt = try Checkpoint.read(path: out)
            guard let saved = ckpt.training else {
                throw CLIError("--resume: \(out) has no training state (saved for sampling only); drop --resume")
            }
            let cfg = ckpt.config
            for (flag, given, have) in [("--layers", layers, cfg.layers), ("--heads", heads, cfg.heads),
                                        ("--channels", channels, cfg.channels), ("--context", context, cfg.contextLength)] {
                if let given, given != have {
                    throw CLIError("--resume: \(flag) \(given) differs from the checkpoint's \(have); drop \(flag) (the shape comes from the checkpoint) or start a new run")
                }
            }
            guard cfg.vocabSize == data.meta.nVocab,
                  VocabularyRecord.identity(ckpt.metadata) == VocabularyRecord.identity(vocab.metadata) else {
                throw CLIError("--resume: \(out) was trained on \(VocabularyRecord.identity(ckpt.metadata)) with \(cfg.vocabSize) tokens, but \(self.data) uses \(VocabularyRecord.identity(vocab.metadata)) with \(data.meta.nVocab); resume on shards of the same vocabulary")
            }
            let opts = options(base: saved.options)
            let (trainWindows, valWindows) = try windows(data, context: cfg.contextLength)
            trainer = try ModelTrainer(resuming: ckpt, options: opts, train: trainWindows, validation: valWindows)
            guard trainer.step < opts.steps else {
                throw CLIError("--resume: \(out) is already at step \(trainer.step) of \(opts.steps); pass a larger --steps to train on")
            }
        } else {
            if FileManager.default.fileExists(atPath: out) {
                printError("note: \(out) exists and will be replaced at the first save; pass --resume to continue it instead")
            }
            let config = shape(vocabSize: data.meta.nVocab)
            try config.validate()
            let opts = options(base: nil)
            let (trainWindows, valWindows) = try windows(data, context: config.contextLength)
            trainer = ModelTrainer(model: GPT(config: config, seed: opts.seed), options: opts,
                              train: trainWindows, validation: valWindows)
        }
        try run(trainer, data: data, vocab: vocab)
    }

    private func windows(_ data: TrainingData, context: Int) throws -> (TokenWindows, TokenWindows?) {
        let train = try TokenWindows(shards: data.train, context: context)
        var val: TokenWindows?
        if !data.val.isEmpty {
            do {
                val = try TokenWindows(shards: data.val, context: context)
            } catch {
                printError("warning: the validation shard is shorter than --context \(context) + 1 tokens; training without validation")
            }
        } else {
            printError("warning: \(data.directory) has no validation shard; training without validation")
        }
        return (train, val)
    }

    private func run(_ trainer: ModelTrainer, data: TrainingData, vocab: (metadata: [String: String], attachments: [String: [UInt8]])) throws {
        let cfg = trainer.model.config, opts = trainer.options
        let trainTokens = data.train.reduce(0) { $0 + $1.count }, valTokens = data.val.reduce(0) { $0 + $1.count }
        try say("model: \(cfg.layers) layers, \(cfg.heads) heads, \(cfg.channels) channels, context \(cfg.contextLength), vocabulary \(cfg.vocabSize): \(cfg.parameterCount) parameters")
        try say("data: \(trainTokens) train tokens in \(data.train.count) shard(s), \(valTokens) val tokens; \(VocabularyRecord.identity(vocab.metadata))")
        var reference = String(format: "ln(vocab) = %.4f", Foundation.log(Double(cfg.vocabSize)))
        if let h = data.validationUnigramEntropy { reference += String(format: ", val unigram entropy = %.4f", h) }
        try say("reference (nats/token): \(reference)")
        try say("training: batch \(opts.batchSize) x \(cfg.contextLength) tokens, steps \(trainer.step + 1)...\(opts.steps), lr \(opts.learningRate) (warm-up \(opts.warmupSteps)), weight decay \(opts.adam.weightDecay), grad clip \(opts.gradClip), seed \(opts.seed), \(Parallelism.cores) threads")
        if trainer.step == 0, let v = trainer.validationLoss() {
            try say(String(format: "step %d | val loss %.4f", trainer.step, v))
        }
        let evalEvery = self.evalEvery ?? 100
        let tokensPerStep = opts.batchSize * cfg.contextLength
        let flopsPerStep = trainer.flopsPerStep
        var windowSeconds = 0.0, windowSteps = 0, totalSeconds = 0.0, totalSteps = 0
        var lossSum = 0.0, cpuSeconds = 0.0
        while trainer.step < opts.steps {
            let t0 = DispatchTime.now().uptimeNanoseconds, c0 = processCPUSeconds()
            let report = trainer.trainStep()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            cpuSeconds += processCPUSeconds() - c0
            guard report.loss.isFinite else {
                throw CLIError("the training loss became \(report.loss) at step \(report.step); lower --lr (now \(opts.learningRate)) or keep --grad-clip on")
            }
            windowSeconds += seconds; windowSteps += 1; totalSeconds += seconds; totalSteps += 1
            lossSum += Double(report.loss)
            if report.step % logEvery == 0 || report.step == opts.steps {
                let tps = Double(windowSteps * tokensPerStep) / windowSeconds
                let gflops = Double(windowSteps) * flopsPerStep / windowSeconds / 1e9
                try say(String(format: "step %d/%d | loss %.4f | lr %.2e | grad norm %.3f | %.0f tok/s | %.2f GFLOP/s",
                             report.step, opts.steps, lossSum / Double(windowSteps), report.learningRate,
                             report.gradNorm, tps, gflops))
                windowSeconds = 0; windowSteps = 0; lossSum = 0
            }
            if (evalEvery > 0 && report.step % evalEvery == 0) || report.step == opts.steps {
                var line = "step \(report.step)"
                if let v = trainer.validationLoss() { line += String(format: " | val loss %.4f", v) }
                try trainer.checkpoint(metadata: vocab.metadata, attachments: vocab.attachments).write(to: out)
                try say(line + " | saved \(out)")
            }
        }
        if totalSteps > 0 {
            try say(String(format: "done: %d steps, %d tokens in %.1f s of training: %.0f tok/s, %.2f GFLOP/s (%.2f of %d cores busy on average)",
                         totalSteps, totalSteps * tokensPerStep, totalSeconds,
                         Double(totalSteps * tokensPerStep) / totalSeconds,
                         Double(totalSteps) * flopsPerStep / totalSeconds / 1e9,
                         cpuSeconds / totalSeconds, Parallelism.cores))
        }
    }
}
