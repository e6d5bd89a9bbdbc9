// No command crashes or prints a stack trace on bad input. Our own errors are one `error:`
// line and exit status 1; argument-parser usage errors exit 64 (EX_USAGE) with `Error:`.
import Foundation
import Testing

@Suite("error handling")
struct ErrorHandlingTests {
    enum Kind: Sendable {
        /// The CLI's own error: exactly one `error:` line, exit 1.
        case cliError
        /// swift-argument-parser rejected the command line: `Error: …` plus usage, exit 64.
        case usage
    }

    struct BadRun: Sendable, CustomTestStringConvertible {
        let name: String
        /// `$TINY` is replaced by the tiny vocabulary's path, `$DIR` by a scratch folder.
        let args: [String]
        var stdin: [UInt8] = []
        let kind: Kind
        var testDescription: String { name }
    }

    static let tiny = ["--vocab", "$TINY", "--pattern", "gpt2"]

    static let cases: [BadRun] = [
        BadRun(name: "unknown encoding", args: ["encode", "-e", "no_such_encoding"], stdin: Array("hi".utf8), kind: .cliError),
        BadRun(name: "unknown flag", args: ["encode", "--no-such-flag"], kind: .usage),
        BadRun(name: "unknown subcommand", args: ["frobnicate"], kind: .usage),
        BadRun(name: "option without its value", args: ["decode", "--encoding"], kind: .usage),
        BadRun(name: "two input files for encode", args: ["encode", "a", "b"], kind: .usage),
        BadRun(name: "decode: not a number", args: ["decode"] + tiny, stdin: Array("12 abc".utf8), kind: .cliError),
        BadRun(name: "decode: negative", args: ["decode"] + tiny, stdin: Array("-12".utf8), kind: .cliError),
        BadRun(name: "decode: huge number", args: ["decode"] + tiny, stdin: Array(String(repeating: "9", count: 400).utf8), kind: .cliError),
        BadRun(name: "decode: unknown id", args: ["decode"] + tiny, stdin: Array("300".utf8), kind: .cliError),
        BadRun(name: "decode: unclosed JSON", args: ["decode"] + tiny, stdin: Array("[1, 2".utf8), kind: .cliError),
        BadRun(name: "decode: binary junk", args: ["decode"] + tiny, stdin: [0x00, 0xFF, 0xFE, 0x31], kind: .cliError),
        BadRun(name: "decode: a directory", args: ["decode"] + tiny + ["$DIR"], kind: .cliError),
        BadRun(name: "encode: missing file", args: ["encode"] + tiny + ["$DIR/missing.txt"], kind: .cliError),
        BadRun(name: "encode: invalid UTF-8", args: ["encode"] + tiny, stdin: [0x61, 0xC3], kind: .cliError),
        BadRun(name: "encode: --jsonl junk", args: ["encode", "--jsonl"] + tiny, stdin: Array("{\"text\": 1}\n".utf8), kind: .cliError),
        BadRun(name: "encode: --jsonl lone surrogate", args: ["encode", "--jsonl"] + tiny, stdin: Array("\"\\udc00\"\n".utf8), kind: .cliError),
        BadRun(name: "encode: --jsonl truncated \\u", args: ["encode", "--jsonl"] + tiny, stdin: Array("\"\\u12\"\n".utf8), kind: .cliError),
        BadRun(name: "encode: unknown --allowed-special", args: ["encode", "--allowed-special", "<|nope|>"] + tiny, stdin: Array("x".utf8), kind: .cliError),
        BadRun(name: "encode: missing vocab file", args: ["encode", "--vocab", "$DIR/none.tiktoken", "--pattern", "gpt2"], kind: .cliError),
        BadRun(name: "encode: vocab is a directory", args: ["encode", "--vocab", "$DIR", "--pattern", "gpt2"], kind: .cliError),
        BadRun(name: "encode: bad regex", args: ["encode", "--vocab", "$TINY", "--pattern", "[z-a]"], stdin: Array("x".utf8), kind: .cliError),
        BadRun(name: "encode: malformed --special", args: ["encode"] + tiny + ["--special", "nope"], kind: .usage),
        BadRun(name: "encode: special id collides", args: ["encode"] + tiny + ["--special", "<|x|>=65"], kind: .cliError),
        BadRun(name: "encode: --vocab-dir missing", args: ["encode", "--vocab-dir", "$DIR/nowhere"], kind: .cliError),
        BadRun(name: "count: a directory", args: ["count"] + tiny + ["$DIR"], kind: .cliError),
        BadRun(name: "count: missing file", args: ["count"] + tiny + ["$DIR/missing.txt"], kind: .cliError),
        BadRun(name: "show: invalid UTF-8", args: ["show"] + tiny, stdin: [0xFF, 0xFF], kind: .cliError),
        BadRun(name: "show: unknown encoding", args: ["show", "-e", "p99k"], kind: .cliError),
        BadRun(name: "encodings: bad --vocab-dir", args: ["encodings", "--vocab-dir", "$DIR/nowhere"], kind: .cliError),
        BadRun(name: "encodings: stray argument", args: ["encodings", "extra"], kind: .usage),
    ]

    @Test("bad input: normal exit with an error status, one clear message, no crash", arguments: cases)
    func badInput(_ c: BadRun) async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let args = c.args.map { $0.replacingOccurrences(of: "$TINY", with: vocab).replacingOccurrences(of: "$DIR", with: dir.path) }
            let r = try await CLI.run(args, stdin: c.stdin)
            #expect(!r.signalled, "crashed (signal): \(r)")
            #expect(!r.hasCrashOutput, "crash report on stderr: \(r)")
            #expect(r.stdoutBytes.isEmpty, "\(r)")
            switch c.kind {
            case .cliError:
                #expect(r.exited(1), "\(r)")
                #expect(r.isOneErrorLine, "\(r)")
            case .usage:
                // swift-argument-parser: ExitCode.validationFailure, i.e. EX_USAGE.
                #expect(r.exited(64), "\(r)")
                #expect(r.stderr.hasPrefix("Error:") || r.stderr.hasPrefix("error:"), "\(r)")
            }
        }
    }

    @Test("error messages never spill onto stdout, and successful runs print nothing on stderr")
    func streamsAreSeparate() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let ok = try await CLI.run(["encode"] + TinyVocab.arguments(vocab), stdin: "hello")
            #expect(ok.succeeded && ok.stderr.isEmpty && ok.stdout == "259\n", "\(ok)")
        }
    }
}
