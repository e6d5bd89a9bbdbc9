import Foundation
import Testing
@testable import TinyGPT
import SafeFiles

@Suite("Training, checkpoints and resume")
struct TrainingTests {
    static let config = GPTConfig(vocabSize: 11, contextLength: 8, layers: 2, heads: 2, channels: 16)

    static func options(steps: Int, lr: Float = 1e-2) -> TrainingOptions {
        var o = TrainingOptions()
        o.batchSize = 4
        o.steps = steps
        o.learningRate = lr
        o.warmupSteps = 2
        o.evalBatches = 2
        o.seed = 7
        return o
    }

    /// A short repeating sequence: perfectly predictable from the previous token.
    static let sequence: [UInt32] = (0..<200).map { UInt32([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7][$0 % 14]) }

    static func windows() throws -> TokenWindows {
        try TokenWindows(shards: [sequence], context: config.contextLength)
    }

    @Test("a tiny model overfits a tiny sequence: the loss falls by more than half in 40 steps")
    func overfit() throws {
        let w = try Self.windows()
        let trainer = ModelTrainer(model: GPT(config: Self.config, seed: 1), options: Self.options(steps: 40),
                              train: w, validation: w)
        let before = trainer.validationLoss()!
        #expect(abs(before - Float(Foundation.log(11.0))) < 0.3, "initial loss \(before) should be near ln 11")
        var last = Float.infinity
        while trainer.step < 40 { last = trainer.trainStep().loss }
        let after = trainer.validationLoss()!
        #expect(after < before / 2, "validation loss \(before) → \(after)")
        #expect(last < before / 2, "training loss \(before) → \(last)")
    }

    @Test("checkpoint save → load gives identical logits, optimizer state, metadata and attachments")
    func checkpointRoundTrip() throws {
        let w = try Self.windows()
        let trainer = ModelTrainer(model: GPT(config: Self.config, seed: 2), options: Self.options(steps: 3),
                              train: w, validation: nil)
        for _ in 0..<3 { _ = trainer.trainStep() }
        let saved = trainer.checkpoint(metadata: ["vocab.encoding": "gpt2"], attachments: ["blob": [0, 1, 2, 255]])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tinygpt-\(UUID()).ckpt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try saved.write(to: path)
        let loaded = try Checkpoint.read(path: path)
        #expect(loaded.config == Self.config)
        #expect(loaded.parameters == saved.parameters)
        #expect(loaded.optimizer == saved.optimizer)
        #expect(loaded.training == saved.training)
        #expect(loaded.metadata == ["vocab.encoding": "gpt2"])
        #expect(loaded.attachments == ["blob": [0, 1, 2, 255]])

        let x = Array(Self.sequence[0..<8])
        trainer.model.forward(inputs: x, batch: 1, time: 8)
        let a = Array(trainer.model.logits(row: 7))
        let model = try GPT(config: loaded.config, parameters: loaded.parameters)
        model.forward(inputs: x, batch: 1, time: 8)
        #expect(Array(model.logits(row: 7)) == a)
    }

    @Test("--resume continues bit for bit: 3 + 3 steps through a checkpoint equal 6 steps")
    func resumeIsExact() throws {
        let w = try Self.windows()
        let straight = ModelTrainer(model: GPT(config: Self.config, seed: 3), options: Self.options(steps: 6),
                               train: w, validation: nil)
        var straightLosses: [Float] = []
        while straight.step < 6 { straightLosses.append(straight.trainStep().loss) }

        let first = ModelTrainer(model: GPT(config: Self.config, seed: 3), options: Self.options(steps: 6),
                            train: w, validation: nil)
        var resumedLosses: [Float] = []
        while first.step < 3 { resumedLosses.append(first.trainStep().loss) }
        let bytes = try first.checkpoint().encoded()
        let ckpt = try Checkpoint(decoding: bytes, source: "memory")
        let second = try ModelTrainer(resuming: ckpt, options: Self.options(steps: 6), train: w, validation: nil)
        #expect(second.step == 3)
        while second.step < 6 { resumedLosses.append(second.trainStep().loss) }
        #expect(resumedLosses == straightLosses)
        #expect(second.model.parameterArray == straight.model.parameterArray)
        #expect(second.optimizer.m == straight.optimizer.m && second.optimizer.v == straight.optimizer.v)
    }

    @Test("a damaged checkpoint is refused with a message naming the file")
    func damagedCheckpoint() throws {
        let model = GPT(config: Self.config, seed: 4)
        let good = try Checkpoint(config: Self.config, parameters: model.parameterArray).encoded()
        func message(_ bytes: [UInt8]) -> String {
            do {
                _ = try Checkpoint(decoding: bytes, source: "x.ckpt")
                return "accepted"
            } catch {
                return error.description
            }
        }
        #expect(message(Array(good.dropLast(5))).contains("x.ckpt: truncated"))
        #expect(message(good + [0]).contains("trailing data"))
        var bad = good
        bad[0] = UInt8(ascii: "X")
        #expect(message(bad).contains("bad magic"))
        var newer = good
        newer[8] = 9
        #expect(message(newer).contains("version 9"))
        #expect(message([]).contains("bad magic"))
        let missing = "/nonexistent/\(UUID()).ckpt"
        #expect(throws: CheckpointError.self) { try Checkpoint.read(path: missing) }
    }

    @Test("the learning rate warms up linearly, then decays by a half cosine to a tenth")
    func schedule() {
        var o = TrainingOptions()
        o.learningRate = 1
        o.steps = 101
        o.warmupSteps = 10
        #expect(o.learningRate(at: 0) == 0.1)
        #expect(abs(o.learningRate(at: 9) - 1) < 1e-6)
        #expect(abs(o.learningRate(at: 10) - 1) < 1e-6)
        #expect(abs(o.learningRate(at: 55) - 0.55) < 1e-5)   // halfway down the cosine
        #expect(abs(o.learningRate(at: 100) - 0.1) < 1e-6)
        for s in 10..<100 { #expect(o.learningRate(at: s + 1) <= o.learningRate(at: s)) }
    }

    @Test("windows never cross a shard boundary and are numbered across shards")
    func windowsStayInShards() throws {
        let a: [UInt32] = [0, 1, 2, 3, 4]        // context 3: windows at 0, 1
        let b: [UInt32] = [10, 11]               // too short: none
        let c: [UInt32] = [20, 21, 22, 23]       // window at 0
        let w = try TokenWindows(shards: [a, b, c], context: 3)
        #expect(w.count == 3)
        #expect(Array(w.window(0).inputs) == [0, 1, 2] && Array(w.window(0).targets) == [1, 2, 3])
        #expect(Array(w.window(1).inputs) == [1, 2, 3] && Array(w.window(1).targets) == [2, 3, 4])
        #expect(Array(w.window(2).inputs) == [20, 21, 22] && Array(w.window(2).targets) == [21, 22, 23])
        var rng = SplitMix64(seed: 1)
        let (x, y) = w.randomBatch(50, rng: &rng)
        for i in 0..<50 {
            let win = Array(x[(3 * i)..<(3 * i + 3)]), tgt = Array(y[(3 * i)..<(3 * i + 3)])
            #expect([[0, 1, 2], [1, 2, 3], [20, 21, 22]].contains(win))
            #expect(zip(win.dropFirst(), tgt).allSatisfy { $0 == $1 })
        }
    }

    @Test("a context longer than every shard is an error that names contextLength (tinygpt says --context)")
    func contextTooLong() {
        let e = #expect(throws: ConfigError.shardsShorterThanContext(context: 3, longest: 3)) {
            _ = try TokenWindows(shards: [[1, 2, 3]], context: 3)
        }
        #expect(e?.description == "contextLength 3 needs shards of at least 4 tokens, but the longest has 3; use a smaller contextLength or more data")
        #expect(e?.message(naming: { $0 == .contextLength ? "--context" : $0.rawValue }).hasPrefix("--context 3 needs") == true)
    }

    @Test("configs with zero sizes or heads not dividing channels are refused")
    func badConfigs() {
        #expect(throws: ConfigError.notPositive(.contextLength, 0)) { try GPTConfig(vocabSize: 10, contextLength: 0, layers: 1, heads: 1, channels: 8).validate() }
        #expect(throws: ConfigError.notPositive(.layers, -1)) { try GPTConfig(vocabSize: 10, contextLength: 4, layers: -1, heads: 1, channels: 8).validate() }
        #expect(throws: ConfigError.headsDoNotDivideChannels(heads: 3, channels: 8)) { try GPTConfig(vocabSize: 10, contextLength: 4, layers: 1, heads: 3, channels: 8).validate() }
        #expect(ConfigError.notPositive(.layers, 0).description == "layers must be positive, got 0")
        #expect(ConfigError.headsDoNotDivideChannels(heads: 3, channels: 8).description.hasPrefix("heads 3 does not divide channels 8"))
        #expect(throws: Never.self) { try GPTConfig(vocabSize: 10, contextLength: 4, layers: 1, heads: 2, channels: 8).validate() }
    }

    @Test("AtomicFile replaces a file and leaves no temporary behind")
    func atomicWrite() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tinygpt-atomic-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/f.bin"
        try AtomicFile.write([1, 2, 3], to: path)
        try AtomicFile.write([4, 5], to: path)
        #expect(FileManager.default.contents(atPath: path) == Data([4, 5]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["f.bin"])
        #expect(throws: AtomicFile.Error.self) { try AtomicFile.write([1], to: dir + "/missing/f.bin") }
    }
}
