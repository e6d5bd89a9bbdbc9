// The library names its parameters (`vocabSize`, `lossy`, `vocabDirectory:`); `bpe` prints
// the same errors with its flags (`--vocab-size`, `--lossy`, `--vocab-dir`). The library's
// wording is pinned in TrainerTests and ExporterTests; this is the command line's.
import Foundation
import Testing

@Suite("errors in flag words")
struct ErrorWordingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        /// `$C` is a one-document corpus file, `$BAD` a file with invalid UTF-8, `$DIR` a scratch folder.
        let args: [String]
        /// The whole first line of stderr.
        let message: String
        /// 64: a usage error found by validate() (argument parser's `Error:` and the usage);
        /// 1: an error of the run (one `error:` line).
        let status: Int32
        var testDescription: String { args.joined(separator: " ") }
    }

    static let cases: [Case] = [
        Case(args: ["train", "$C", "--vocab-size", "255", "-o", "$DIR/v.tiktoken"],
             message: "Error: --vocab-size must be between 256 (the single bytes) and 2147483647, got 255", status: 64),
        Case(args: ["train", "$C", "--vocab-size", "300", "--threads", "0", "-o", "$DIR/v.tiktoken"],
             message: "Error: --threads must be at least 1, got 0", status: 64),
        Case(args: ["train", "$C", "--vocab-size", "300", "--min-frequency", "0", "-o", "$DIR/v.tiktoken"],
             message: "Error: --min-frequency must be at least 1", status: 64),
        Case(args: ["train", "$C", "--vocab-size", "300", "--special", "<|a|>", "--special", "<|a|>", "-o", "$DIR/v.tiktoken"],
             message: "Error: '<|a|>' is given twice in --special", status: 64),
        Case(args: ["train", "$C", "--vocab-size", "300", "--doc-separator", "", "-o", "$DIR/v.tiktoken"],
             message: "Error: --doc-separator must not be empty", status: 64),
        Case(args: ["count-words", "$C", "--threads", "0", "-o", "$DIR/c.counts"],
             message: "Error: --threads must be at least 1, got 0", status: 64),
        Case(args: ["train", "$BAD", "--vocab-size", "260", "-o", "$DIR/v.tiktoken", "-q"],
             message: "error: $BAD: invalid UTF-8 at byte 3; fix the file, or use --lossy to replace bad bytes with U+FFFD", status: 1),
        Case(args: ["export", "-e", "gpt2", "$C", "--out", "$DIR/x", "--val-fraction", "1.5"],
             message: "Error: --val-fraction must be at least 0 and below 1, got 1.5", status: 64),
        Case(args: ["export", "-e", "gpt2", "$C", "--out", "$DIR/x", "--val-docs=-1"],
             message: "Error: --val-docs must be at least 0, got -1", status: 64),
        Case(args: ["export", "-e", "gpt2", "$C", "--out", "$DIR/x", "--shard-tokens", "0"],
             message: "Error: --shard-tokens must be between 1 and 2147483647 (an llm.c header holds a signed 32-bit count), got 0", status: 64),
        Case(args: ["export", "-e", "gpt2", "$C", "--out", "$DIR/x", "--name", "a/b"],
             message: "Error: --name must be a plain file name prefix (no '/', not starting with '.'), got 'a/b'", status: 64),
        Case(args: ["export", "-e", "gpt2", "$C", "--out", "$DIR/x", "--doc-separator", ""],
             message: "Error: --doc-separator must not be empty", status: 64),
        Case(args: ["export", "-e", "gpt2", "$C", "--out", "$DIR/x", "-q"],
             message: "error: no training documents: all 1 document went to validation (--val-fraction 0.1 takes document 0 and then one in every 10); split files into documents with --doc-separator (e.g. '\\n\\n'), or lower --val-docs / --val-fraction", status: 1),
        Case(args: ["export", "--vocab", "$DIR/plain.tiktoken", "--pattern", "gpt2", "$C", "--out", "$DIR/x", "-q"],
             message: "error: encoding plain has no <|endoftext|> special token, which the export puts before every document; train with --special '<|endoftext|>', or for a plain .tiktoken file pass --special '<|endoftext|>=ID'", status: 1),
        Case(args: ["encode", "--vocab-dir", "$DIR/nowhere"],
             message: "error: cannot find o200k_base.tiktoken; looked in: $DIR/nowhere (from --vocab-dir). Pass --vocab-dir DIR or set BPE_VOCAB_DIR to a folder holding the .tiktoken files (the repository's vocab/ folder)", status: 1),
        Case(args: ["encode", "-e", "o300k_base"],
             message: "error: unknown encoding 'o300k_base'; known encodings: r50k_base, p50k_base, p50k_edit, cl100k_base, o200k_base, o200k_harmony, gpt2 (or load a file: --vocab FILE)", status: 1),
        Case(args: ["encode", "--vocab", "$DIR/plain.tiktoken"],
             message: "error: $DIR/plain.tiktoken: a .tiktoken file needs a split pattern, and it has no sidecar plain.tiktoken.json (written by bpe train); pass --pattern gpt2, cl100k, o200k or a regex", status: 1),
    ]

    @Test("library errors come out in flag words", arguments: cases)
    func wording(_ c: Case) async throws {
        try await withTemporaryDirectory { dir in
            let corpus = try dir.write("c.txt", "one document\n")
            let bad = try dir.write("bad.txt", [0x61, 0x62, 0x20, 0xC3, 0x28, 0x61])
            try dir.write("plain.tiktoken", (0..<256).map { "\(Data([UInt8($0)]).base64EncodedString()) \($0)\n" }.joined())
            func fill(_ s: String) -> String {
                s.replacingOccurrences(of: "$C", with: corpus).replacingOccurrences(of: "$BAD", with: bad)
                    .replacingOccurrences(of: "$DIR", with: dir.path)
            }
            let r = try await CLI.run(c.args.map(fill), stdin: "hello")
            #expect(r.exited(c.status), "\(r)")
            #expect(r.stderr.split(separator: "\n").first.map(String.init) == fill(c.message), "\(r)")
            #expect(!r.stderr.contains("vocabSize") && !r.stderr.contains("lossy:") && !r.stderr.contains("vocabDirectory")
                    && !r.stderr.contains("pattern:") && !r.stderr.contains("Encoding.load"), "\(r)")
        }
    }

    @Test("tinygpt: the model shape's rules are TinyGPT's, printed with tinygpt's flags", arguments: [
        (["--layers", "0"], "error: --layers must be positive, got 0"),
        (["--heads", "3", "--channels", "8"],
         "error: --heads 3 does not divide --channels 8; pick channels that are a multiple of heads (for example --channels 6)"),
        (["--context", "100000000"], "error: --context is too large (100000000); the limit is 16777216"),
    ])
    func tinygptShape(_ flags: [String], _ message: String) async throws {
        try await withTemporaryDirectory { dir in
            let tinygpt = try CLI.binary().deletingLastPathComponent().appendingPathComponent("tinygpt")
            // Checked before the data is read: the folder does not exist.
            let r = try await CLI.run(["train", "--data", "\(dir.path)/none", "--out", "\(dir.path)/m.ckpt"] + flags,
                                      executable: tinygpt)
            #expect(r.exited(1) && r.stderr == message + "\n", "\(r)")
        }
    }
}
