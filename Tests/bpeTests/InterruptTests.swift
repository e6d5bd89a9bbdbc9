import Foundation
import Testing

/// Nothing lost: an interrupted or killed run never leaves a torn output.
@Suite("interrupts and kills") struct InterruptTests {
    /// A corpus big enough that training takes a while in a debug build.
    static func bigCorpus(in dir: TemporaryDirectory) throws -> String {
        var rng = SystemRandomNumberGenerator()
        let words = (0..<4000).map { _ in String((0..<Int.random(in: 3...9, using: &rng)).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement(using: &rng)! }) }
        var text = ""
        while text.utf8.count < 3_000_000 { text += words.randomElement(using: &rng)! + (Bool.random(using: &rng) ? " " : "\n") }
        return try dir.write("big.txt", text)
    }

    /// Runs `bpe` with `args` and sends `signal` after `delay` seconds.
    static func runAndSignal(_ args: [String], signal: Int32, after delay: Double) throws -> (status: Int32, reason: Process.TerminationReason, stderr: String) {
        let p = Process()
        p.executableURL = try CLI.binary()
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
        }
    }
}
