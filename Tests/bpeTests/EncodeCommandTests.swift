// `bpe encode`: output format, tiktoken's known ids, special-token options, --json, --jsonl,
// invalid UTF-8.
import Foundation
import Testing

@Suite("bpe encode")
struct EncodeCommandTests {
    struct Known: Sendable, CustomTestStringConvertible {
        let encoding: String?
        let text: String
        let ids: String
        var testDescription: String { "\(encoding ?? "(default)") \(text.debugDescription)" }
    }

    @Test("known ids from tiktoken", arguments: [
        Known(encoding: "cl100k_base", text: "hello world", ids: "15339 1917"),
        Known(encoding: nil, text: "hello world", ids: "24912 2375"),  // default is o200k_base
        Known(encoding: "r50k_base", text: "hello world", ids: "31373 995"),
        Known(encoding: "gpt2", text: "hello world", ids: "31373 995"),
    ])
    func knownIDs(_ k: Known) async throws {
        let args = ["encode"] + (k.encoding.map { ["--encoding", $0] } ?? [])
        let r = try await CLI.run(args, stdin: k.text)
        #expect(r.succeeded, "\(r)")
        #expect(r.stdout == k.ids + "\n", "\(r)")
        #expect(r.stderr.isEmpty, "\(r)")
    }

    @Test("ids are decimal, separated by single spaces, with exactly one trailing newline")
    func outputFormat() async throws {
        let r = try await CLI.run(["encode", "-e", "gpt2"], stdin: "Hello,   world!\n\n  tabs\tand\r\nCRLF 🎉\n")
        #expect(r.succeeded, "\(r)")
        let out = r.stdout
        #expect(out.hasSuffix("\n") && !out.hasSuffix("\n\n"), "\(r)")
        let body = out.dropLast()
        #expect(!body.isEmpty && !body.contains("\n") && !body.contains("  ")
                && !body.hasPrefix(" ") && !body.hasSuffix(" "), "\(r)")
        #expect(body.split(separator: " ").allSatisfy { $0.allSatisfy(\.isASCII) && UInt32($0) != nil }, "\(r)")
    }

    @Test("empty input prints just a newline, or [] with --json")
    func emptyInput() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let plain = try await CLI.run(["encode"] + TinyVocab.arguments(vocab), stdin: "")
            #expect(plain.succeeded && plain.stdout == "\n", "\(plain)")
            let json = try await CLI.run(["encode", "--json"] + TinyVocab.arguments(vocab), stdin: "")
            #expect(json.succeeded && json.stdout == "[]\n", "\(json)")
        }
    }

    @Test("a FILE argument gives the same ids as standard input")
    func fileArgument() async throws {
        try await withTemporaryDirectory { dir in
            let text = "hello world\r\nこんにちは 🌍\n"
            let file = try dir.write("in.txt", text)
            let fromFile = try await CLI.run(["encode", "-e", "gpt2", file])
            let fromStdin = try await CLI.run(["encode", "-e", "gpt2"], stdin: text)
            let fromDash = try await CLI.run(["encode", "-e", "gpt2", "-"], stdin: text)
            #expect(fromFile.succeeded && fromStdin.succeeded && fromDash.succeeded, "\(fromFile)\n\(fromStdin)\n\(fromDash)")
            #expect(fromFile.stdout == fromStdin.stdout)
            #expect(fromDash.stdout == fromStdin.stdout)
            #expect(fromFile.ids.count > 5)
        }
    }

    @Test("--json prints a JSON array of the same ids")
    func jsonOutput() async throws {
        let text = "hello world, 世界! 🎉"
        let plain = try await CLI.run(["encode", "-e", "gpt2"], stdin: text)
        let json = try await CLI.run(["encode", "-e", "gpt2", "--json"], stdin: text)
        #expect(plain.succeeded && json.succeeded, "\(plain)\n\(json)")
        #expect(json.stdout.hasSuffix("]\n"), "\(json)")
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdoutBytes)) as? [Int]
        #expect(parsed == plain.ids, "\(json)")

        let hello = try await CLI.run(["encode", "-e", "gpt2", "--json"], stdin: "hello world")
        #expect(hello.stdout == "[31373,995]\n", "\(hello)")
    }

    // MARK: special tokens (cl100k_base: <|endoftext|> = 100257)

    @Test("--allowed-special all encodes <|endoftext|> as the special id")
    func allowedSpecialAll() async throws {
        let r = try await CLI.run(["encode", "-e", "cl100k_base", "--allowed-special", "all"], stdin: "<|endoftext|>")
        #expect(r.succeeded && r.stdout == "100257\n", "\(r)")
    }

    @Test("--allowed-special with a list of tokens")
    func allowedSpecialList() async throws {
        let r = try await CLI.run(["encode", "-e", "cl100k_base", "--allowed-special", "<|fim_prefix|>,<|endoftext|>"],
                                  stdin: "a<|endoftext|>b<|fim_prefix|>")
        #expect(r.succeeded, "\(r)")
        #expect(r.ids.contains(100257) && r.ids.contains(100258), "\(r)")
    }

    @Test("--disallowed-special none encodes special-token text as ordinary text")
    func disallowedNone() async throws {
        let r = try await CLI.run(["encode", "-e", "cl100k_base", "--disallowed-special", "none"], stdin: "<|endoftext|>")
        #expect(r.succeeded && r.stdout == "27 91 8862 728 428 91 29\n", "\(r)")
    }

    @Test("by default (allowed none, disallowed all) special-token text is an error: one error: line, no stdout")
    func defaultDisallowsSpecial() async throws {
        let r = try await CLI.run(["encode", "-e", "cl100k_base"], stdin: "some text <|endoftext|> more")
        #expect(r.exited(1), "\(r)")
        #expect(r.isOneErrorLine, "\(r)")
        #expect(r.stderr.contains("<|endoftext|>"), "\(r)")
        #expect(r.stdoutBytes.isEmpty, "\(r)")
        #expect(!r.hasCrashOutput, "\(r)")
    }

    @Test("allowing one special token still rejects the other (disallowed = all not allowed)")
    func allowedOneDisallowsOthers() async throws {
        let r = try await CLI.run(["encode", "-e", "cl100k_base", "--allowed-special", "<|fim_prefix|>"],
                                  stdin: "<|fim_prefix|> and <|endoftext|>")
        #expect(r.exited(1) && r.isOneErrorLine && r.stdoutBytes.isEmpty, "\(r)")
        #expect(r.stderr.contains("<|endoftext|>"), "\(r)")
    }

    @Test("a special token that is neither allowed nor disallowed is encoded as text")
    func narrowDisallowed() async throws {
        let r = try await CLI.run(["encode", "-e", "cl100k_base", "--disallowed-special", "<|fim_prefix|>"],
                                  stdin: "<|endoftext|>")
        #expect(r.succeeded && r.stdout == "27 91 8862 728 428 91 29\n", "\(r)")
    }

    @Test("an unknown special token name in --allowed-special / --disallowed-special is an error",
          arguments: ["--allowed-special", "--disallowed-special"])
    func unknownSpecialName(_ flag: String) async throws {
        let r = try await CLI.run(["encode", "-e", "gpt2", flag, "<|endoftext|>,<|no_such_token|>"], stdin: "hi")
        #expect(r.exited(1) && r.isOneErrorLine && r.stdoutBytes.isEmpty, "\(r)")
        #expect(r.stderr.contains("<|no_such_token|>"), "\(r)")
        #expect(!r.hasCrashOutput, "\(r)")
    }

    // MARK: --jsonl

    @Test("--jsonl: one output line per input line, JSON escapes decoded")
    func jsonl() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let input = #"""
                "hello world"
                ""
                "caf\u00e9 \"q\"\t\\ \/"
                  "\ud83d\ude00"  \#r
                "<|end|>"
                """# + "\n"
            let r = try await CLI.run(["encode", "--jsonl", "--allowed-special", "all"] + TinyVocab.arguments(vocab),
                                      stdin: input)
            #expect(r.succeeded, "\(r)")
            let expected = [
                "259 260 261 108 100",            // hello world
                "",                               // empty string → empty line
                "99 97 102 262 32 34 113 34 9 92 32 47",  // café "q"<TAB>\ /
                "240 159 152 128",                // 😀 as four byte tokens
                "263",                            // <|end|> allowed
            ].map { $0 + "\n" }.joined()
            #expect(r.stdout == expected, "\(r)")

            let json = try await CLI.run(["encode", "--jsonl", "--json"] + TinyVocab.arguments(vocab),
                                         stdin: "\"hello\"\n\"\"\n\"he\"")
            #expect(json.succeeded && json.stdout == "[259]\n[]\n[256]\n", "\(json)")
        }
    }

    @Test("--jsonl streams: lines across 4 MiB blocks keep their ids and their line numbers")
    func jsonlAcrossBlocks() async throws {
        // ~6 MB of lines of growing length, so block edges fall inside lines.
        var lines: [String] = []
        var bytes = 0
        while bytes < 6_000_000 {
            let line = "\"line \(lines.count) " + String(repeating: "x", count: lines.count % 97) + "\""
            lines.append(line)
            bytes += line.utf8.count + 1
        }
        let r = try await CLI.run(["encode", "-e", "cl100k_base", "--jsonl"], stdin: lines.joined(separator: "\n") + "\n")
        #expect(r.succeeded, "\(r.stderr)")
        let out = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(out.count == lines.count)
        // Spot-check lines, including the last, against plain encode.
        for i in [0, lines.count / 2, lines.count - 1] {
            let text = String(lines[i].dropFirst().dropLast())
            let one = try await CLI.run(["encode", "-e", "cl100k_base"], stdin: text)
            #expect(one.stdout.trimmingCharacters(in: .newlines) == String(out[i]), "line \(i + 1)")
        }
        // A bad line after the first block is reported with its number in the whole input.
        var bad = lines
        bad[bad.count - 3] = "not json"
        let e = try await CLI.run(["encode", "-e", "cl100k_base", "--jsonl"], stdin: bad.joined(separator: "\n") + "\n")
        #expect(e.exited(1) && e.stderr.contains("line \(bad.count - 2):"), "\(e.stderr)")
    }

    /// Lines encoded on 1 and on 3 threads: the same bytes out; with a bad line, the same
    /// error (the first by line number, whichever kind it is) and the same output before it.
    @Test("--jsonl --threads N prints what one thread prints, errors included")
    func jsonlThreads() async throws {
        let lines = (0..<3000).map { "\"Zeile \($0): Grüße aus 東京 😀\\n don't\"" }
        let env = ["SWIFT_BPE_BLOCK_SIZE": "10000"]
        func run(_ input: [String], _ threads: Int, json: Bool = false) async throws -> CLIResult {
            try await CLI.run(["encode", "-e", "cl100k_base", "--jsonl", "--threads", "\(threads)"] + (json ? ["--json"] : []),
                              stdin: input.joined(separator: "\n") + "\n", environment: env)
        }
        for json in [false, true] {
            let one = try await run(lines, 1, json: json), three = try await run(lines, 3, json: json)
            #expect(one.succeeded && one.stdout.split(separator: "\n").count == lines.count, "\(one.stderr)")
            #expect(three.stdoutBytes == one.stdoutBytes, "\(three.stderr)")
        }
        // A disallowed special token on line 2001 and a line that is not JSON on line 2003,
        // in both orders: the earlier line is the error.
        var special = lines, notJSON = lines
        special[2000] = #""x <|endoftext|>""#
        special[2002] = "not json"
        notJSON[2000] = "not json"
        notJSON[2002] = #""x <|endoftext|>""#
        for (bad, message) in [(special, "line 2001: "), (notJSON, "line 2001: expected a JSON string")] {
            let one = try await run(bad, 1), three = try await run(bad, 3)
            #expect(one.exited(1) && one.isOneErrorLine && one.stderr.contains(message), "\(one.stderr)")
            #expect(three.status == one.status && three.stderr == one.stderr && three.stdoutBytes == one.stdoutBytes,
                    "\(three.stderr)")
        }
    }

    @Test("--jsonl with a real encoding")
    func jsonlCl100k() async throws {
        let r = try await CLI.run(["encode", "-e", "cl100k_base", "--jsonl"], stdin: "\"hello world\"\n\"hello world\"\n")
        #expect(r.succeeded && r.stdout == "15339 1917\n15339 1917\n", "\(r)")
    }

    @Test("--jsonl: a line that is not a JSON string is an error naming the line",
          arguments: ["hello", "\"unterminated", "\"bad escape \\q\"", "\"lone surrogate \\ud800\"", "42", "[\"a\"]", ""])
    func jsonlBadLine(_ bad: String) async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let r = try await CLI.run(["encode", "--jsonl"] + TinyVocab.arguments(vocab),
                                      stdin: "\"ok\"\n\"fine\"\n\(bad)\n\"after\"\n")
            #expect(r.exited(1) && r.isOneErrorLine, "\(r)")
            #expect(r.stderr.contains("line 3"), "\(r)")
            #expect(!r.hasCrashOutput, "\(r)")
        }
    }

    @Test("--jsonl: empty input has no lines, so no output")
    func jsonlEmptyInput() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let r = try await CLI.run(["encode", "--jsonl"] + TinyVocab.arguments(vocab), stdin: "")
            #expect(r.succeeded && r.stdoutBytes.isEmpty, "\(r)")
        }
    }

    @Test("--jsonl: invalid UTF-8 inside a JSON string is an error without --allow-invalid-utf8")
    func jsonlInvalidUTF8() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let r = try await CLI.run(["encode", "--jsonl"] + TinyVocab.arguments(vocab),
                                      stdin: Array("\"ok\"\n\"a".utf8) + [0xFF] + Array("b\"\n".utf8))
            #expect(r.exited(1) && r.isOneErrorLine, "\(r)")
            #expect(r.stderr.contains("UTF-8"), "\(r)")
        }
    }

    @Test("--jsonl: a disallowed special token on a later line: error, nothing on stdout")
    func jsonlDisallowedSpecialNoPartialOutput() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let r = try await CLI.run(["encode", "--jsonl"] + TinyVocab.arguments(vocab),
                                      stdin: "\"hello\"\n\"x <|end|>\"\n")
            #expect(r.exited(1) && r.isOneErrorLine, "\(r)")
            #expect(r.stdoutBytes.isEmpty, "\(r)")
            #expect(r.stderr.contains("line 2"), "\(r)")
        }
    }

    // MARK: invalid UTF-8

    @Test("invalid UTF-8 is an error naming the byte offset",
          arguments: Samples.invalidUTF8.map { $0.name })
    func invalidUTF8(_ name: String) async throws {
        let sample = try #require(Samples.invalidUTF8.first { $0.name == name })
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let r = try await CLI.run(["encode"] + TinyVocab.arguments(vocab), stdin: sample.bytes)
            #expect(r.exited(1) && r.isOneErrorLine && r.stdoutBytes.isEmpty, "\(r)")
            #expect(r.stderr.contains("byte \(sample.firstBad)"), "\(r)")
            #expect(r.stderr.contains("UTF-8"), "\(r)")
        }
    }

    @Test("invalid UTF-8 in a FILE names the file and the offset")
    func invalidUTF8File() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let file = try dir.write("bad.txt", Array("hello ".utf8) + [0xC3, 0x28])
            let r = try await CLI.run(["encode"] + TinyVocab.arguments(vocab) + [file])
            #expect(r.exited(1) && r.isOneErrorLine && r.stdoutBytes.isEmpty, "\(r)")
            #expect(r.stderr.contains(file) && r.stderr.contains("byte 6"), "\(r)")
        }
    }

    @Test("--allow-invalid-utf8 encodes the raw bytes (byte tokens in the tiny vocabulary)")
    func allowInvalidUTF8() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let r = try await CLI.run(["encode", "--allow-invalid-utf8"] + TinyVocab.arguments(vocab),
                                      stdin: Array("ab".utf8) + [0xFF] + Array("cd".utf8))
            #expect(r.succeeded && r.stdout == "97 98 255 99 100\n", "\(r)")
        }
    }

    @Test("encoding a missing FILE is an error naming it")
    func missingFile() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let missing = dir.url.appendingPathComponent("no-such-input.txt").path
            let r = try await CLI.run(["encode"] + TinyVocab.arguments(vocab) + [missing])
            #expect(r.exited(1) && r.isOneErrorLine && r.stdoutBytes.isEmpty, "\(r)")
            #expect(r.stderr.contains(missing), "\(r)")
        }
    }
}
