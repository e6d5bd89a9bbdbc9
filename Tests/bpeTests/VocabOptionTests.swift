// Choosing a vocabulary: --vocab FILE with --pattern and --special, --vocab-dir,
// $BPE_VOCAB_DIR, and a binary copied elsewhere together with its resource bundle.
import Foundation
import Testing

@Suite("custom vocabulary: --vocab, --pattern, --special")
struct CustomVocabTests {
    @Test("a tiny .tiktoken file encodes and decodes, with its merges and a special token",
          arguments: ["gpt2", "cl100k", "o200k"])
    func tinyVocab(_ pattern: String) async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let args = TinyVocab.arguments(vocab, pattern: pattern)
            let enc = try await CLI.run(["encode", "--allowed-special", "all"] + args, stdin: "hello world<|end|>")
            #expect(enc.succeeded && enc.stdout == "259 260 261 108 100 263\n", "\(enc)")
            let dec = try await CLI.run(["decode"] + args, stdin: enc.stdoutBytes)
            #expect(dec.succeeded && dec.stdout == "hello world<|end|>", "\(dec)")
            // Default: the custom special token is disallowed too.
            let refused = try await CLI.run(["encode"] + args, stdin: "x<|end|>")
            #expect(refused.exited(1) && refused.isOneErrorLine && refused.stdoutBytes.isEmpty, "\(refused)")
        }
    }

    @Test("--pattern takes a regex in tiktoken's syntax")
    func regexPattern() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            // Each character its own piece, so "hello" can no longer merge.
            let r = try await CLI.run(["encode", "--vocab", vocab, "--pattern", "."], stdin: "hello")
            #expect(r.succeeded && r.stdout == "104 101 108 108 111\n", "\(r)")
        }
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        let name: String
        let line: Int
        /// Replaces the given (1-based) line of the tiny vocabulary.
        let replacement: String
        var testDescription: String { name }
    }

    @Test("a malformed .tiktoken file is one error: line naming the file and the line number", arguments: [
        Malformed(name: "no rank", line: 10, replacement: "CQ=="),
        Malformed(name: "bad base64", line: 258, replacement: "!!!! 257"),
        Malformed(name: "rank not a number", line: 100, replacement: "Yw== ninety-nine"),
        Malformed(name: "duplicate rank", line: 259, replacement: "YWI= 257"),
        Malformed(name: "duplicate token", line: 260, replacement: "aGVsbA== 259"),
    ])
    func malformedFile(_ m: Malformed) async throws {
        try await withTemporaryDirectory { dir in
            var lines = TinyVocab.fileText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            lines[m.line - 1] = m.replacement
            let file = try dir.write("broken.tiktoken", lines.joined(separator: "\n"))
            let r = try await CLI.run(["encode", "--vocab", file, "--pattern", "cl100k"], stdin: "hello")
            #expect(r.exited(1), "\(r)")
            #expect(r.isOneErrorLine, "\(r)")
            #expect(r.stderr.contains("broken.tiktoken"), "\(r)")
            #expect(r.stderr.contains("line \(m.line)"), "\(r)")
            #expect(r.stdoutBytes.isEmpty && !r.hasCrashOutput, "\(r)")
        }
    }

    @Test("an empty or incomplete .tiktoken file is an error naming the file")
    func emptyOrIncomplete() async throws {
        try await withTemporaryDirectory { dir in
            let empty = try dir.write("empty.tiktoken", "")
            let r1 = try await CLI.run(["encode", "--vocab", empty, "--pattern", "gpt2"], stdin: "x")
            #expect(r1.exited(1) && r1.isOneErrorLine && r1.stderr.contains("empty.tiktoken"), "\(r1)")
            // Only bytes 0...254: no token for 0xFF.
            let short = TinyVocab.fileText.split(separator: "\n").prefix(255).joined(separator: "\n") + "\n"
            let partial = try dir.write("partial.tiktoken", short)
            let r2 = try await CLI.run(["encode", "--vocab", partial, "--pattern", "gpt2"], stdin: "x")
            #expect(r2.exited(1) && r2.isOneErrorLine && r2.stderr.contains("partial.tiktoken"), "\(r2)")
        }
    }

    @Test("a missing --vocab file is an error naming the file")
    func missingFile() async throws {
        try await withTemporaryDirectory { dir in
            let missing = dir.url.appendingPathComponent("nope.tiktoken").path
            let r = try await CLI.run(["encode", "--vocab", missing, "--pattern", "cl100k"], stdin: "hello")
            #expect(r.exited(1) && r.isOneErrorLine && r.stdoutBytes.isEmpty, "\(r)")
            #expect(r.stderr.contains(missing), "\(r)")
        }
    }

    @Test("--vocab without --pattern is an error")
    func vocabWithoutPattern() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let r = try await CLI.run(["encode", "--vocab", vocab], stdin: "hello")
            #expect(r.exited(1) && r.isOneErrorLine && r.stdoutBytes.isEmpty, "\(r)")
            #expect(r.stderr.contains("--pattern"), "\(r)")
        }
    }

    @Test("--pattern or --special without --vocab is a usage error",
          arguments: [["--pattern", "cl100k"], ["--special", "<|x|>=5"]])
    func patternWithoutVocab(_ extra: [String]) async throws {
        let r = try await CLI.run(["encode"] + extra, stdin: "hello")
        #expect(!r.signalled && r.status != 0, "\(r)")
        #expect(r.stderr.contains("--vocab") && r.stdoutBytes.isEmpty && !r.hasCrashOutput, "\(r)")
    }

    @Test("a malformed --special is an error",
          arguments: ["<|end|>", "=263", "<|end|>=", "<|end|>=abc", "<|end|>=-1", "<|end|>=4294967296", "<|end|>=2.5"])
    func malformedSpecial(_ special: String) async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let r = try await CLI.run(["encode", "--vocab", vocab, "--pattern", "cl100k", "--special", special], stdin: "hello")
            #expect(!r.signalled && r.status != 0, "\(r)")
            #expect(r.stderr.contains("--special") && r.stdoutBytes.isEmpty && !r.hasCrashOutput, "\(r)")
        }
    }

    @Test("a --special id that is already a mergeable token's rank is an error",
          arguments: ["<|end|>=100", "<|end|>=259"])
    func specialCollision(_ special: String) async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let r = try await CLI.run(["encode", "--vocab", vocab, "--pattern", "cl100k", "--special", special], stdin: "hello")
            #expect(r.exited(1) && r.isOneErrorLine && r.stdoutBytes.isEmpty, "\(r)")
        }
    }

    @Test("an invalid --pattern regex is an error")
    func badRegex() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let r = try await CLI.run(["encode", "--vocab", vocab, "--pattern", "(unclosed"], stdin: "hello")
            #expect(r.exited(1) && r.isOneErrorLine && r.stdoutBytes.isEmpty && !r.hasCrashOutput, "\(r)")
        }
    }
}

@Suite("finding the official vocabularies")
struct VocabLocationTests {
    @Test("--vocab-dir without the files is an error listing where it looked")
    func vocabDirMissing() async throws {
        let r = try await CLI.run(["encode", "--vocab-dir", "/nonexistent/bpe-vocab"], stdin: "hello")
        #expect(r.exited(1) && r.isOneErrorLine && r.stdoutBytes.isEmpty, "\(r)")
        #expect(r.stderr.contains("/nonexistent/bpe-vocab"), "\(r)")
        #expect(r.stderr.contains("o200k_base.tiktoken"), "names the file it needs: \(r)")
    }

    @Test("BPE_VOCAB_DIR pointing to a folder without the files is an error listing it")
    func envDirEmpty() async throws {
        try await withTemporaryDirectory { dir in
            let r = try await CLI.run(["encode", "-e", "cl100k_base"], stdin: "hello",
                                      environment: ["BPE_VOCAB_DIR": dir.path])
            #expect(r.exited(1) && r.isOneErrorLine && r.stdoutBytes.isEmpty, "\(r)")
            #expect(r.stderr.contains(dir.path) && r.stderr.contains("BPE_VOCAB_DIR"), "\(r)")
            #expect(r.stderr.contains("cl100k_base.tiktoken"), "\(r)")
        }
    }

    @Test("BPE_VOCAB_DIR pointing at the repository's vocab/ folder works")
    func envDirRepo() async throws {
        let r = try await CLI.run(["encode", "-e", "gpt2"], stdin: "hello world",
                                  environment: ["BPE_VOCAB_DIR": CLI.repoVocabDir.path])
        #expect(r.succeeded && r.stdout == "31373 995\n", "\(r)")
    }

    @Test("--vocab-dir pointing at vocab/ works, and wins over BPE_VOCAB_DIR")
    func vocabDirWins() async throws {
        try await withTemporaryDirectory { dir in
            let r = try await CLI.run(["encode", "-e", "gpt2", "--vocab-dir", CLI.repoVocabDir.path], stdin: "hello world",
                                      environment: ["BPE_VOCAB_DIR": dir.path])
            #expect(r.succeeded && r.stdout == "31373 995\n", "\(r)")
        }
    }

    /// Copies `bpe` and its resource bundle into a fresh folder.
    private func copyBinary(to dir: TemporaryDirectory) throws -> (binary: URL, bundle: URL) {
        let fm = FileManager.default
        let bin = try CLI.binary()
        let bundle = try CLI.vocabBundle()
        let home = dir.url.appendingPathComponent("install/bin")
        try fm.createDirectory(at: home, withIntermediateDirectories: true)
        let newBin = home.appendingPathComponent("bpe")
        let newBundle = home.appendingPathComponent(bundle.lastPathComponent)
        try fm.copyItem(at: bin, to: newBin)
        try fm.copyItem(at: bundle, to: newBundle)
        return (newBin, newBundle)
    }

    @Test("a copy of bpe with its resource bundle, run from another directory, encodes")
    func copiedWithBundle() async throws {
        try await withTemporaryDirectory { dir in
            let (bin, _) = try copyBinary(to: dir)
            let elsewhere = dir.url.appendingPathComponent("work")
            try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
            let r = try await CLI.run(["encode", "-e", "gpt2"], stdin: Array("hello world".utf8),
                                      currentDirectory: elsewhere, executable: bin)
            #expect(r.succeeded && r.stdout == "31373 995\n", "\(r)")
            let d = try await CLI.run(["decode", "-e", "gpt2"], stdin: Array("31373 995".utf8),
                                      currentDirectory: elsewhere, executable: bin)
            #expect(d.succeeded && d.stdout == "hello world", "\(d)")
        }
    }

    @Test("the copy reads the vocabulary from its own bundle (a corrupted copy is reported by path)")
    func copiedBundleIsUsed() async throws {
        try await withTemporaryDirectory { dir in
            let (bin, bundle) = try copyBinary(to: dir)
            let file = bundle.appendingPathComponent("r50k_base.tiktoken")
            var data = try Data(contentsOf: file)
            data[data.count / 2] ^= 0x01
            try data.write(to: file)
            let r = try await CLI.run(["encode", "-e", "gpt2"], stdin: Array("hello world".utf8),
                                      currentDirectory: dir.url, executable: bin)
            #expect(r.exited(1) && r.isOneErrorLine && r.stdoutBytes.isEmpty, "\(r)")
            #expect(r.stderr.contains(bundle.lastPathComponent) && r.stderr.contains(dir.url.lastPathComponent),
                    "the error should name the copied bundle's file: \(r)")
        }
    }
}
