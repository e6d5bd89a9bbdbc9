import Foundation
import Testing

/// Nothing lost: an interrupted or killed run never leaves a torn output.
@Suite("interrupts and kills") struct InterruptTests {
    /// A corpus big enough that training takes a while in a debug build.
    static func bigCorpus(in dir: TemporaryDirectory, bytes: Int = 3_000_000) throws -> String {
        var rng = SystemRandomNumberGenerator()
        let words = (0..<4000).map { _ in String((0..<Int.random(in: 3...9, using: &rng)).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement(using: &rng)! }) }
        var text = ""
        while text.utf8.count < bytes { text += words.randomElement(using: &rng)! + (Bool.random(using: &rng) ? " " : "\n") }
        return try dir.write("big.txt", text)
    }

    /// Runs `bpe` with `args` and sends `signal` after `delay` seconds.
    static func runAndSignal(_ args: [String], signal: Int32, after delay: Double, executable: URL? = nil) throws -> (status: Int32, reason: Process.TerminationReason, stderr: String) {
        let p = Process()
        p.executableURL = try executable ?? CLI.binary()
        p.arguments = args
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        Thread.sleep(forTimeInterval: delay)
        if p.isRunning { kill(p.processIdentifier, signal) }
        let data = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, p.terminationReason, String(decoding: data, as: UTF8.self))
    }

    @Test("Ctrl-C during train removes temporary files, says what was kept, exits 130")
    func ctrlCDuringTrain() async throws {
        try await withTemporaryDirectory { dir in
            let corpus = try Self.bigCorpus(in: dir)
            let out = dir.url.appendingPathComponent("v.tiktoken").path
            let r = try Self.runAndSignal(["train", corpus, "--vocab-size", "20000", "-o", out, "-q"], signal: SIGINT, after: 1.0)
            if r.status == 0 { return }   // finished before the signal: nothing to check
            #expect(r.reason == .exit && r.status == 130, "\(r)")
            #expect(r.stderr.contains("interrupted") && r.stderr.contains("was not written"), "\(r)")
            let left = try FileManager.default.contentsOfDirectory(atPath: dir.url.path)
            #expect(!left.contains { $0.contains(".tmp") }, "\(left)")
            #expect(!left.contains("v.tiktoken"))
        }
    }

    @Test("Ctrl-C during export removes the staging folder and publishes nothing")
    func ctrlCDuringExport() async throws {
        try await withTemporaryDirectory { dir in
            let corpus = try Self.bigCorpus(in: dir)
            let out = dir.url.appendingPathComponent("shards").path
            let r = try Self.runAndSignal(["export", "--encoding", "o200k_base", corpus, "--doc-separator", "\\n", "--out", out, "-q"],
                                          signal: SIGINT, after: 0.8)
            if r.status == 0 { return }   // finished before the signal
            #expect(r.reason == .exit && r.status == 130, "\(r)")
            #expect(r.stderr.contains("interrupted"), "\(r)")
            let left = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
            #expect(left.isEmpty, "\(left)")
        }
    }

    @Test("SIGKILL at random moments: the output is the old file or a complete new one, never torn")
    func killDuringWrite() async throws {
        try await withTemporaryDirectory { dir in
            let corpus = try dir.write("c.txt", String(repeating: "the quick brown fox jumps over the lazy dog\n", count: 20000))
            let out = dir.url.appendingPathComponent("v.tiktoken").path
            let old = Array(TinyVocab.fileText.utf8)
            // The complete new file, from a run that is not interrupted.
            let reference = dir.url.appendingPathComponent("ref.tiktoken").path
            #expect(try await CLI.run(["train", corpus, "--vocab-size", "300", "-o", reference, "-q"]).succeeded)
            let new = try Array(Data(contentsOf: URL(fileURLWithPath: reference)))
            for delay in [0.05, 0.2, 0.4, 0.6, 0.9, 1.5] {
                try Data(old).write(to: URL(fileURLWithPath: out))
                _ = try Self.runAndSignal(["train", corpus, "--vocab-size", "300", "-o", out, "-q"], signal: SIGKILL, after: delay)
                let now = try Array(Data(contentsOf: URL(fileURLWithPath: out)))
                #expect(now == old || now == new, "torn output after a kill at \(delay) s (\(now.count) bytes)")
            }
            // And at the exact points a timed kill rarely hits (SafeFiles' CrashPoint): halfway
            // through writing the sidecar (1) and the vocabulary (2), and just before each rename.
            for point in ["write:1", "write:2", "rename:1", "rename:2"] {
                try Data(old).write(to: URL(fileURLWithPath: out))
                let r = try await CLI.run(["train", corpus, "--vocab-size", "300", "-o", out, "-q"],
                                          environment: ["SWIFT_BPE_CRASH_AT": point], timeout: 900)
                #expect(r.signalled && r.status == SIGKILL, "not killed at \(point): \(r)")
                let now = try Array(Data(contentsOf: URL(fileURLWithPath: out)))
                #expect(now == old, "the old vocabulary changed after a kill at \(point)")
                if point == "rename:2" {
                    // The new sidecar now sits beside the old vocabulary: loading them says so.
                    let r = try await CLI.run(["encode", "--vocab", out], stdin: "hello")
                    #expect(r.exited(1) && r.stderr.contains("interrupted"), "\(r)")
                }
            }
        }
    }

    /// The visible files of `dir` (hidden staging folders and temporary files excluded).
    static func snapshot(_ dir: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where !name.hasPrefix(".") {
            files[name] = try Data(contentsOf: URL(fileURLWithPath: dir).appendingPathComponent(name))
        }
        return files
    }

    /// Whether `data` is a whole llm.c shard: its header's token count matches its size.
    static func isWholeShard(_ data: Data) -> Bool {
        guard data.count >= 1024 else { return false }
        let header = data.prefix(12).withUnsafeBytes { raw in (0..<3).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self) } }
        let width = header[0] == 20240520 ? 2 : header[0] == 20240801 ? 4 : 0
        return width > 0 && data.count == 1024 + width * Int(header[2])
    }

    @Test("SIGKILL during export over an older export: no torn shard, and meta.json only with a complete set")
    func killDuringExport() async throws {
        try await withTemporaryDirectory { dir in
            let oldCorpus = try dir.write("old.txt", String(repeating: "an older corpus, exported first\n", count: 3000))
            let corpus = try Self.bigCorpus(in: dir, bytes: 1_000_000)
            let out = dir.url.appendingPathComponent("shards").path
            let reference = dir.url.appendingPathComponent("reference").path
            // Small shards: many files to write and move, so kills land in the middle of both.
            let args = ["--encoding", "gpt2", "--doc-separator", "\\n", "--shard-tokens", "10000", "-q"]
            #expect(try await CLI.run(["export", oldCorpus, "--out", out] + args).succeeded)
            let old = try Self.snapshot(out)
            #expect(try await CLI.run(["export", corpus, "--out", reference] + args).succeeded)
            var new = try Self.snapshot(reference)
            new["meta.json"] = nil   // it names its sources and so differs; compared by presence
            #expect(new.count > 10)
            // Renames: each shard into the staging folder, each shard out of it, then meta.json.
            let shards = new.count
            let kills: [(String, String)] = [0.3, 1.0, 2.0].map { ("after \($0) s", "\($0)") }
                + [1, 10, shards].map { ("in the middle of shard write \($0)", "write:\($0)") }
                + [1, shards, shards + 1, shards + shards / 2, 2 * shards, 2 * shards + 1]
                    .map { ("before rename \($0)", "rename:\($0)") }
            for (moment, kill) in kills {
                try? FileManager.default.removeItem(atPath: out)
                #expect(try await CLI.run(["export", oldCorpus, "--out", out] + args).succeeded)
                if let delay = Double(kill) {
                    _ = try Self.runAndSignal(["export", corpus, "--out", out] + args, signal: SIGKILL, after: delay)
                } else {
                    // Generous timeout: sanitizer builds on a busy machine are slow.
                    let r = try await CLI.run(["export", corpus, "--out", out] + args, environment: ["SWIFT_BPE_CRASH_AT": kill], timeout: 900)
                    #expect(r.signalled && r.status == SIGKILL, "not killed \(moment): \(r)")
                }
                var now = try Self.snapshot(out)
                for (name, data) in now where name.hasSuffix(".bin") {
                    #expect(Self.isWholeShard(data), "torn shard \(name) after a kill \(moment)")
                }
                if now["meta.json"] == old["meta.json"] {
                    #expect(now == old, "old meta.json beside new shards after a kill \(moment)")
                } else if now["meta.json"] != nil {
                    now["meta.json"] = nil
                    #expect(now == new, "new meta.json beside an incomplete set after a kill \(moment)")
                }
            }
        }
    }

    @Test("SIGKILL during tinygpt training: the checkpoint is always a readable one")
    func killDuringCheckpoint() async throws {
        try await withTemporaryDirectory { dir in
            let tinygpt = try CLI.binary().deletingLastPathComponent().appendingPathComponent("tinygpt")
            let corpus = try dir.write("c.txt", String(repeating: "to be or not to be, that is the question\n", count: 400))
            let data = dir.url.appendingPathComponent("data").path
            // A 280-token vocabulary: with gpt2's 50k the debug build takes seconds per step.
            let vocab = dir.url.appendingPathComponent("v.tiktoken").path
            #expect(try await CLI.run(["train", corpus, "--vocab-size", "300", "--special", "<|endoftext|>", "-o", vocab, "-q"]).succeeded)
            #expect(try await CLI.run(["export", "--vocab", vocab, corpus, "--doc-separator", "\\n", "--out", data, "-q"]).succeeded)
            let ckpt = dir.url.appendingPathComponent("m.ckpt").path
            // A checkpoint every step, so kills often land during a write.
            let train = ["train", "--data", data, "--out", ckpt, "--layers", "1", "--heads", "2", "--channels", "32",
                         "--context", "16", "--batch", "2", "--steps", "400", "--eval-every", "1", "--eval-batches", "1"]
            let first = try await CLI.run(train.map { $0 == "400" ? "2" : $0 }, executable: tinygpt)
            #expect(first.succeeded, "\(first.stderr)")
            let old = try Data(contentsOf: URL(fileURLWithPath: ckpt))
            let kills = [0.3, 1.5].map { ("after \($0) s", "\($0)") }
                + [1, 3].flatMap { [("halfway through checkpoint \($0)", "write:\($0)"), ("before rename \($0)", "rename:\($0)")] }
            for (moment, kill) in kills {
                try old.write(to: URL(fileURLWithPath: ckpt))
                if let delay = Double(kill) {
                    _ = try Self.runAndSignal(train, signal: SIGKILL, after: delay, executable: tinygpt)
                } else {
                    let r = try await CLI.run(train, environment: ["SWIFT_BPE_CRASH_AT": kill], executable: tinygpt, timeout: 900)
                    #expect(r.signalled && r.status == SIGKILL, "not killed \(moment): \(r)")
                    if kill.hasSuffix(":1") {
                        #expect(try Data(contentsOf: URL(fileURLWithPath: ckpt)) == old, "first checkpoint write changed the old file")
                    }
                }
                let sample = try await CLI.run(["sample", "--checkpoint", ckpt, "--tokens", "1"], executable: tinygpt)
                #expect(sample.succeeded, "unreadable checkpoint after a kill \(moment): \(sample.stderr)")
            }
        }
    }
}
