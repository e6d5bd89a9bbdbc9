// A failed write to standard output is an error, never silent: a full disk is one `error:`
// line and exit status 1; a reader that went away (`bpe encode big.txt | head`) ends the run
// quietly with status 141, as a Unix tool killed by SIGPIPE does.
import Foundation
import Testing

@Suite("writing output")
struct OutputFailureTests {
    struct Run: Sendable, CustomTestStringConvertible {
        let args: [String]
        let stdin: String
        var testDescription: String { args.joined(separator: " ") }
    }

    static let runs: [Run] = [
        Run(args: ["encode", "-e", "gpt2"], stdin: "hello world\n"),
        Run(args: ["encode", "-e", "gpt2", "--json"], stdin: "hello world\n"),
        Run(args: ["encode", "-e", "gpt2", "--jsonl"], stdin: "\"hello\"\n\"world\"\n"),
        Run(args: ["decode", "-e", "gpt2"], stdin: "31373 995"),
        Run(args: ["count", "-e", "gpt2"], stdin: "hello world\n"),
        Run(args: ["show", "-e", "gpt2"], stdin: "hello world\n"),
        Run(args: ["encodings"], stdin: ""),
    ]

    @Test("stdout on a full disk (/dev/full): one error: line, exit 1", arguments: runs)
    func fullDisk(_ run: Run) async throws {
        let r = try await CLI.run(run.args, stdin: Array(run.stdin.utf8), io: .fullDisk)
        #expect(r.exited(1), "\(r)")
        #expect(r.isOneErrorLine && r.stderr.contains("standard output") && r.stderr.contains("No space left on device"), "\(r)")
        #expect(!r.hasCrashOutput, "\(r)")
    }

    @Test("stdout a pipe with no reader: exit 141 and nothing on stderr", arguments: runs)
    func closedPipe(_ run: Run) async throws {
        let r = try await CLI.run(run.args, stdin: Array(run.stdin.utf8), io: .closedPipe)
        #expect(r.exited(141), "\(r)")
        #expect(r.stderr.isEmpty, "\(r)")
    }

    /// The input never ends, so only noticing the closed pipe can end the run (the test's
    /// timeout would fail it otherwise).
    @Test("endless input | bpe encode | head -c 10 stops, without an error storm", arguments: [
        ["encode", "-e", "gpt2"], ["encode", "-e", "gpt2", "--json"],
    ])
    func endlessInputIntoHead(_ args: [String]) async throws {
        let script = "yes 'hello world, and so on' 2>/dev/null | \"$0\" \"$@\" | head -c 10; exit ${PIPESTATUS[1]}"
        let r = try await CLI.run(["-c", script, try CLI.binary().path] + args,
                                  executable: URL(fileURLWithPath: "/bin/bash"), timeout: 300)
        #expect(!r.timedOut, "did not stop: \(r)")
        #expect(r.exited(141), "\(r)")
        #expect(r.stdoutBytes.count == 10 && r.stderr.isEmpty, "\(r)")
    }

    @Test("endless JSON Lines | bpe encode --jsonl | head -c 10 stops too")
    func endlessJSONLinesIntoHead() async throws {
        let script = "yes '\"hello world\"' 2>/dev/null | \"$0\" encode -e gpt2 --jsonl | head -c 10; exit ${PIPESTATUS[1]}"
        let r = try await CLI.run(["-c", script, try CLI.binary().path],
                                  executable: URL(fileURLWithPath: "/bin/bash"), timeout: 300)
        #expect(!r.timedOut && r.exited(141) && r.stderr.isEmpty, "\(r)")
    }

    @Test("tinygpt train and sample: a full disk is an error, a closed pipe ends quietly")
    func tinygpt() async throws {
        try await withTemporaryDirectory { dir in
            let tinygpt = try CLI.binary().deletingLastPathComponent().appendingPathComponent("tinygpt")
            let corpus = try dir.write("c.txt", String(repeating: "to be or not to be, that is the question\n", count: 200))
            let vocab = dir.url.appendingPathComponent("v.tiktoken").path
            let data = dir.url.appendingPathComponent("data").path
            let ckpt = dir.url.appendingPathComponent("m.ckpt").path
            #expect(try await CLI.run(["train", corpus, "--vocab-size", "280", "--special", "<|endoftext|>", "-o", vocab, "-q"]).succeeded)
            #expect(try await CLI.run(["export", "--vocab", vocab, corpus, "--doc-separator", "\\n", "--out", data, "-q"]).succeeded)
            let train = ["train", "--data", data, "--out", ckpt, "--layers", "1", "--heads", "2", "--channels", "16",
                         "--context", "8", "--batch", "2", "--steps", "1", "--eval-batches", "1"]
            let trained = try await CLI.run(train, executable: tinygpt)
            #expect(trained.succeeded, "\(trained)")
            let sample = ["sample", "--checkpoint", ckpt, "--prompt", "to be", "--tokens", "20"]

            for args in [train, sample] {
                let full = try await CLI.run(args, executable: tinygpt, io: .fullDisk)
                #expect(full.exited(1) && full.stderr.contains("No space left on device"), "\(full)")
                #expect(full.stderr.hasSuffix("\n") && full.stderr.split(separator: "\n").last?.hasPrefix("error:") == true, "\(full)")
                let closed = try await CLI.run(args, executable: tinygpt, io: .closedPipe)
                #expect(closed.exited(141) && !closed.stderr.contains("error"), "\(closed)")
            }
        }
    }
}
