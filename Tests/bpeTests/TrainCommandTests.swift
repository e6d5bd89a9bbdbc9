import Foundation
import Testing

/// `bpe train` and `bpe count-words`, run as a user would.
@Suite("bpe train / count-words") struct TrainCommandTests {
    static let corpus = String(repeating: "the cat sat on the mat. The dog ate the hat!\nA theme: these, then, there.\n", count: 30)

    @Test("train writes .tiktoken + sidecar; encode --vocab picks the sidecar up; decode round-trips")
    func trainEncodeDecode() async throws {
        try await withTemporaryDirectory { dir in
            let corpus = try dir.write("c.txt", Self.corpus)
            let out = dir.url.appendingPathComponent("my.tiktoken").path
            let t = try await CLI.run(["train", corpus, "--vocab-size", "280", "--special", "<|endoftext|>", "-o", out, "-q"])
            #expect(t.succeeded, "\(t)")
            #expect(FileManager.default.fileExists(atPath: out) && FileManager.default.fileExists(atPath: out + ".json"))
            let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 280)
            #expect(lines[256].hasSuffix(" 256"))
            let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + ".json"))) as! [String: Any]
            #expect((sidecar["special_tokens"] as? [String: Int]) == ["<|endoftext|>": 280])
            #expect(sidecar["pattern_name"] as? String == "cl100k")

            let text = "the cat ate the theme<|endoftext|>"
            let e = try await CLI.run(["encode", "--vocab", out, "--allowed-special", "all"], stdin: text)
            #expect(e.succeeded, "\(e)")
            #expect(e.ids.last == 280)
            #expect(e.ids.count < text.utf8.count - 13)   // merges happened
            let d = try await CLI.run(["decode", "--vocab", out], stdin: e.stdout)
            #expect(d.succeeded && d.stdout == text, "\(d)")
        }
    }

    @Test("same output from count-words shards + --from-counts as from the corpus")
    func shardedCounts() async throws {
        try await withTemporaryDirectory { dir in
            let a = try dir.write("a.txt", Self.corpus)
            let b = try dir.write("b.txt", String(Self.corpus.reversed()))
            let whole = dir.url.appendingPathComponent("whole.tiktoken").path
            let sharded = dir.url.appendingPathComponent("sharded.tiktoken").path
            #expect(try await CLI.run(["train", a, b, "--vocab-size", "300", "-o", whole, "-q"]).succeeded)
            let ca = dir.url.appendingPathComponent("a.counts").path, cb = dir.url.appendingPathComponent("b.counts").path
            #expect(try await CLI.run(["count-words", a, "-o", ca, "-q"]).succeeded)
            #expect(try await CLI.run(["count-words", b, "-o", cb, "-q"]).succeeded)
            let r = try await CLI.run(["train", "--from-counts", ca, cb, "--vocab-size", "300", "-o", sharded, "-q"])
            #expect(r.succeeded, "\(r)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: whole)) == Data(contentsOf: URL(fileURLWithPath: sharded)))
            // Counts made with another pattern are refused.
            let m = try await CLI.run(["train", "--from-counts", ca, "--pattern", "gpt2", "--vocab-size", "300", "-o", sharded, "-q"])
            #expect(m.exited(1) && m.isOneErrorLine && m.stderr.contains("pattern"), "\(m)")
        }
    }

    @Test("running out of pairs says so and still writes the vocabulary")
    func runsOut() async throws {
        try await withTemporaryDirectory { dir in
            let c = try dir.write("c.txt", "ab ab ab")
            let out = dir.url.appendingPathComponent("v.tiktoken").path
            let r = try await CLI.run(["train", c, "--vocab-size", "1000", "-o", out])
            #expect(r.succeeded, "\(r)")
            #expect(r.stderr.contains("stopped after"))
            #expect(try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").count < 1000)
        }
    }

    @Test("--verbose prints each merge readably")
    func verbose() async throws {
        try await withTemporaryDirectory { dir in
            let c = try dir.write("c.txt", "aaabdaaabac")
            let out = dir.url.appendingPathComponent("v.tiktoken").path
            let r = try await CLI.run(["train", c, "--vocab-size", "259", "-o", out, "-v"])
            #expect(r.succeeded, "\(r)")
            #expect(r.stderr.contains("merge 1/3: 'a' + 'a' -> 'aa'"), "\(r)")
            #expect(r.stderr.contains("merge 2/3: 'a' + 'b' -> 'ab'"), "\(r)")
            #expect(r.stderr.contains("merge 3/3: 'aa' + 'ab' -> 'aaab'"), "\(r)")
        }
    }

    @Test("documents split by --doc-separator; stdin works")
    func separatorAndStdin() async throws {
        try await withTemporaryDirectory { dir in
            let out = dir.url.appendingPathComponent("v.tiktoken").path
            let r = try await CLI.run(["train", "--vocab-size", "260", "--doc-separator", "\\n\\n", "-o", out, "-q"],
                                      stdin: "hello there\n\nhello again\n\nhello")
            #expect(r.succeeded, "\(r)")
            #expect(FileManager.default.fileExists(atPath: out))
        }
    }

    @Test("bad input: one error: line, exit non-zero, no vocabulary written", arguments: [
        (["--vocab-size", "255"], "256"),
        (["--vocab-size", "3000000000"], "vocab-size"),
        (["--vocab-size", "300", "--threads", "0"], "threads"),
        (["--vocab-size", "300", "/nonexistent/corpus"], "/nonexistent/corpus"),
        (["--vocab-size", "300", "--pattern", "(unclosed"], "pattern"),
    ])
    func badInput(_ args: [String], _ mentions: String) async throws {
        try await withTemporaryDirectory { dir in
            let out = dir.url.appendingPathComponent("v.tiktoken").path
            let c = try dir.write("c.txt", "some text")
            let extra = args.contains { $0.hasPrefix("/nonexistent") } ? [] : [c]
            let r = try await CLI.run(["train"] + extra + args + ["-o", out, "-q"])
            #expect(!r.succeeded && !r.signalled && !r.hasCrashOutput, "\(r)")
            #expect(r.stderr.contains(mentions), "\(r)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    @Test("invalid UTF-8 names the file and byte offset, unless --lossy")
    func invalidUTF8() async throws {
        try await withTemporaryDirectory { dir in
            let c = try dir.write("bad.txt", [0x61, 0x62, 0x20, 0xC3, 0x28, 0x61])
            let out = dir.url.appendingPathComponent("v.tiktoken").path
            let r = try await CLI.run(["train", c, "--vocab-size", "260", "-o", out, "-q"])
            #expect(r.exited(1) && r.isOneErrorLine, "\(r)")
            #expect(r.stderr.contains("bad.txt") && r.stderr.contains("byte 3") && r.stderr.contains("--lossy"), "\(r)")
            #expect(!FileManager.default.fileExists(atPath: out))
            #expect(try await CLI.run(["train", c, "--vocab-size", "260", "-o", out, "-q", "--lossy"]).succeeded)
        }
    }

    @Test("an empty corpus is a clear error")
    func emptyCorpus() async throws {
        try await withTemporaryDirectory { dir in
            let c = try dir.write("empty.txt", "")
            let out = dir.url.appendingPathComponent("v.tiktoken").path
            let r = try await CLI.run(["train", c, "--vocab-size", "260", "-o", out, "-q"])
            #expect(r.exited(1) && r.isOneErrorLine && r.stderr.contains("empty"), "\(r)")
        }
    }

    @Test("help shows examples", arguments: ["train", "count-words"])
    func help(_ command: String) async throws {
        let r = try await CLI.run([command, "--help"])
        #expect(r.succeeded && r.stdout.contains("Example"), "\(r)")
    }
}
