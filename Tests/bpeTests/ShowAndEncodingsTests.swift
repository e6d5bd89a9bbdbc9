// `bpe show` (plain form, as used when stdout is not a terminal) and `bpe encodings`.
import Foundation
import Testing

@Suite("bpe show")
struct ShowTests {
    @Test("non-terminal output is plain: tokens separated by '|'")
    func helloWorld() async throws {
        let r = try await CLI.run(["show", "-e", "gpt2"], stdin: "hello world")
        #expect(r.succeeded, "\(r)")
        #expect(r.stdout == "hello| world\n", "\(r)")
        #expect(!r.stdout.contains("\u{1B}["), "no colour escapes when stdout is not a terminal")
    }

    @Test("--plain gives the same plain form")
    func plainFlag() async throws {
        let r = try await CLI.run(["show", "--plain", "-e", "gpt2"], stdin: "hello world")
        #expect(r.succeeded && r.stdout == "hello| world\n", "\(r)")
    }

    @Test("escapes: \\| \\\\ \\t \\r \\n (plus a real newline), \\xNN for partial characters, special tokens as text")
    func escapes() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            // Tiny vocabulary: every byte its own token except "é" (262) and <|end|> (263).
            let input = "a|b\\c\td\r\ne\u{01}\u{7F} é 😀 <|end|>"
            let r = try await CLI.run(["show"] + TinyVocab.arguments(vocab), stdin: input)
            #expect(r.succeeded, "\(r)")
            let expected = #"a|\||b|\\|c|\t|d|\r|\n"# + "\n"
                + #"|e|\x01|\x7F| |é| |\xF0|\x9F|\x98|\x80| |<\|end\|>"# + "\n"
            #expect(r.stdout == expected, "\(r)")
        }
    }

    @Test("--ids prints each token's id after it")
    func ids() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let r = try await CLI.run(["show", "--ids"] + TinyVocab.arguments(vocab), stdin: "hello world")
            #expect(r.succeeded, "\(r)")
            #expect(r.stdout == "hello⟨259⟩| w⟨260⟩|or⟨261⟩|l⟨108⟩|d⟨100⟩\n", "\(r)")
        }
    }

    @Test("input ending in a newline: the line structure is kept, with no blank line at the end")
    func trailingNewline() async throws {
        let r = try await CLI.run(["show", "-e", "gpt2"], stdin: "hello world\n")
        #expect(r.succeeded && r.stdout == "hello| world|\\n\n", "\(r)")
        let two = try await CLI.run(["show", "-e", "gpt2"], stdin: "hello\nworld")
        #expect(two.succeeded && two.stdout == "hello|\\n\n|world\n", "\(two)")
    }

    @Test("invalid UTF-8 is an error naming the byte offset")
    func invalidUTF8() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let r = try await CLI.run(["show"] + TinyVocab.arguments(vocab), stdin: Array("abc".utf8) + [0xFF])
            #expect(r.exited(1) && r.isOneErrorLine && r.stderr.contains("byte 3") && r.stdoutBytes.isEmpty, "\(r)")
        }
    }
}

@Suite("bpe encodings")
struct EncodingsTests {
    static let expected: [(String, Int)] = [
        ("r50k_base", 50257), ("p50k_base", 50281), ("p50k_edit", 50284),
        ("cl100k_base", 100277), ("o200k_base", 200019), ("o200k_harmony", 201088),
    ]

    @Test("lists every built-in encoding with its n_vocab, and the gpt2 alias")
    func listing() async throws {
        let r = try await CLI.run(["encodings"])
        #expect(r.succeeded, "\(r)")
        #expect(r.stderr.isEmpty, "\(r)")
        let rows = r.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        for (name, nVocab) in Self.expected {
            let row = rows.first { $0.first.map(String.init) == name }
            #expect(row != nil, "no line for \(name) in:\n\(r.stdout)")
            if let row {
                #expect(row.count >= 2 && Int(row[1]) == nVocab, "\(name): expected n_vocab \(nVocab) in \(row.joined(separator: " "))")
            }
        }
        let alias = r.stdout.split(separator: "\n").first { $0.hasPrefix("gpt2") }
        #expect(alias.map { $0.contains("r50k_base") } == true, "no gpt2 → r50k_base alias line in:\n\(r.stdout)")
    }

    @Test("--vocab-dir without the files is an error listing where it looked")
    func missingVocabDir() async throws {
        let r = try await CLI.run(["encodings", "--vocab-dir", "/nonexistent/bpe-vocab"])
        #expect(r.exited(1) && r.isOneErrorLine && r.stdoutBytes.isEmpty, "\(r)")
        #expect(r.stderr.contains("/nonexistent/bpe-vocab"), "\(r)")
    }
}
