// `bpe decode`: exact bytes out, whitespace or JSON-array input, and every kind of bad input.
import Foundation
import Testing

@Suite("bpe decode")
struct DecodeCommandTests {
    @Test("whitespace-separated ids decode to the exact bytes, with nothing added")
    func whitespaceIDs() async throws {
        let r = try await CLI.run(["decode", "--encoding", "cl100k_base"], stdin: "15339 1917\n")
        #expect(r.succeeded, "\(r)")
        #expect(r.stdoutBytes == Array("hello world".utf8), "\(r)")
        #expect(r.stderr.isEmpty, "\(r)")
    }

    @Test("a JSON array of ids decodes the same")
    func jsonArray() async throws {
        let r = try await CLI.run(["decode", "-e", "cl100k_base"], stdin: " [15339, 1917]\n")
        #expect(r.succeeded && r.stdoutBytes == Array("hello world".utf8), "\(r)")
    }

    @Test("decodes ids from a FILE argument, and special token ids")
    func fileArgumentAndSpecial() async throws {
        try await withTemporaryDirectory { dir in
            let file = try dir.write("ids.txt", "31373 995 50256")
            let r = try await CLI.run(["decode", "-e", "gpt2", file])
            #expect(r.succeeded && r.stdoutBytes == Array("hello world<|endoftext|>".utf8), "\(r)")
        }
    }

    @Test("any ASCII whitespace separates ids (tabs, CRLF, several spaces, leading and trailing)")
    func anyWhitespace() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let r = try await CLI.run(["decode"] + TinyVocab.arguments(vocab),
                                      stdin: "\r\n  259\t\t260 \r\n261\u{0B}108\u{0C}100   \n\n")
            #expect(r.succeeded && r.stdoutBytes == Array("hello world".utf8), "\(r)")
        }
    }

    @Test("empty input (or only whitespace, or []) gives empty output and exit 0",
          arguments: ["", "\n", "   \t\r\n", "[]", " [ ] \n"])
    func emptyInput(_ input: String) async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let r = try await CLI.run(["decode"] + TinyVocab.arguments(vocab), stdin: input)
            #expect(r.succeeded && r.stdoutBytes.isEmpty && r.stderr.isEmpty, "\(r)")
        }
    }

    @Test("decoding byte tokens can produce bytes that are not UTF-8, unchanged")
    func rawBytes() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let r = try await CLI.run(["decode"] + TinyVocab.arguments(vocab), stdin: "255 0 195 10 13 263")
            #expect(r.succeeded, "\(r)")
            #expect(r.stdoutBytes == [0xFF, 0x00, 0xC3, 0x0A, 0x0D] + Array("<|end|>".utf8), "\(r)")
        }
    }

    struct Unknown: Sendable, CustomTestStringConvertible {
        let encoding: String
        let id: String
        var testDescription: String { "\(encoding) \(id)" }
    }

    @Test("an unknown id is an error naming the id", arguments: [
        Unknown(encoding: "gpt2", id: "50257"),         // n_vocab is 50257: ids 0...50256
        Unknown(encoding: "cl100k_base", id: "100261"), // a hole between cl100k's special ids
        Unknown(encoding: "cl100k_base", id: "4294967295"),
    ])
    func unknownID(_ u: Unknown) async throws {
        let r = try await CLI.run(["decode", "-e", u.encoding], stdin: "15 \(u.id) 16\n")
        #expect(r.exited(1), "\(r)")
        #expect(r.isOneErrorLine, "\(r)")
        #expect(r.stderr.contains(u.id), "\(r)")
        #expect(r.stdoutBytes.isEmpty, "\(r)")
        #expect(!r.hasCrashOutput, "\(r)")
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        let input: String
        /// Text the one error line must contain.
        let mentions: String
        var testDescription: String { input.debugDescription }
    }

    @Test("bad input is one error: line, exit 1, nothing on stdout", arguments: [
        Bad(input: "259 hello 260", mentions: "hello"),
        Bad(input: "259 -1", mentions: "-1"),
        Bad(input: "-0", mentions: "-0"),
        Bad(input: "4294967296", mentions: "4294967296"),              // 2^32
        Bad(input: "18446744073709551617", mentions: "18446744073709551617"),
        Bad(input: "259.0", mentions: "259.0"),
        Bad(input: "1e3", mentions: "1e3"),
        Bad(input: "0x10", mentions: "0x10"),
        Bad(input: "+5", mentions: "+5"),
        Bad(input: "259,260", mentions: "259,260"),                     // commas only inside [ ]
        Bad(input: "１２", mentions: "１２"),                             // full-width digits
        Bad(input: "[259, \"a\"]", mentions: "\"a\""),
        Bad(input: "[259, null]", mentions: "null"),
        Bad(input: "[259, 260", mentions: "]"),
        Bad(input: "[259, 260] 261", mentions: "]"),
        Bad(input: "[[259]]", mentions: "[259"),
        Bad(input: "{\"ids\": [259]}", mentions: "{"),
        Bad(input: "]", mentions: "]"),
        Bad(input: "[-1]", mentions: "-1"),
    ])
    func badInput(_ bad: Bad) async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let r = try await CLI.run(["decode"] + TinyVocab.arguments(vocab), stdin: bad.input)
            #expect(r.exited(1), "\(r)")
            #expect(r.isOneErrorLine, "\(r)")
            #expect(r.stderr.contains(bad.mentions), "\(r)")
            #expect(r.stdoutBytes.isEmpty, "\(r)")
            #expect(!r.hasCrashOutput, "\(r)")
        }
    }

    @Test("malformed JSON arrays (empty elements, missing commas) are rejected",
          arguments: ["[259,,260]", "[,259]", "[259,]", "[259 260]"])
    func lenientJSON(_ input: String) async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let r = try await CLI.run(["decode"] + TinyVocab.arguments(vocab), stdin: input)
            #expect(r.exited(1) && r.isOneErrorLine && r.stdoutBytes.isEmpty, "\(r)")
        }
    }

    @Test("the largest 32-bit id is parsed (then unknown), not rejected as too large")
    func maxUInt32() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let r = try await CLI.run(["decode"] + TinyVocab.arguments(vocab), stdin: "4294967295")
            #expect(r.exited(1) && r.isOneErrorLine, "\(r)")
            #expect(r.stderr.contains("unknown") && r.stderr.contains("4294967295"), "\(r)")
        }
    }
}
