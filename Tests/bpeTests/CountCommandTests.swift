// `bpe count`: wc-like output, and counts equal to the number of ids `encode` prints.
import Foundation
import Testing

@Suite("bpe count")
struct CountCommandTests {
    @Test("standard input gives just the number")
    func stdinNumberOnly() async throws {
        let r = try await CLI.run(["count", "-e", "gpt2"], stdin: "hello world")
        #expect(r.succeeded && r.stdout == "2\n", "\(r)")
        #expect(r.stderr.isEmpty, "\(r)")
    }

    @Test("empty input counts 0")
    func emptyInput() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let r = try await CLI.run(["count"] + TinyVocab.arguments(vocab), stdin: "")
            #expect(r.succeeded && r.stdout == "0\n", "\(r)")
        }
    }

    @Test("one file: one line with the count and the name, no total")
    func oneFile() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let file = try dir.write("a.txt", "hello world")
            let r = try await CLI.run(["count"] + TinyVocab.arguments(vocab) + [file])
            #expect(r.succeeded && r.stdout == "5 \(file)\n", "\(r)")
        }
    }

    @Test("several files: one line per file, right-aligned like wc, then a total")
    func severalFiles() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let a = try dir.write("a.txt", "hello")                                       // 1
            let b = try dir.write("b.txt", "hello world " + String(repeating: "x", count: 120))  // 5 + 1 + 120
            let c = try dir.write("empty.txt", "")                                        // 0
            let r = try await CLI.run(["count"] + TinyVocab.arguments(vocab) + [a, b, c])
            #expect(r.succeeded, "\(r)")
            #expect(r.stdout == "  1 \(a)\n126 \(b)\n  0 \(c)\n127 total\n", "\(r)")
        }
    }

    @Test("'-' counts standard input among files")
    func dashIsStdin() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let a = try dir.write("a.txt", "hello")
            let r = try await CLI.run(["count"] + TinyVocab.arguments(vocab) + [a, "-"], stdin: "he ll")
            #expect(r.succeeded && r.stdout == "1 \(a)\n3 -\n4 total\n", "\(r)")
        }
    }

    @Test("counts equal the number of ids encode prints", arguments: ["r50k_base", "cl100k_base"])
    func countMatchesEncode(_ encoding: String) async throws {
        try await withTemporaryDirectory { dir in
            var files: [String] = []
            for (i, s) in Samples.multilingual.enumerated() {
                files.append(try dir.write("sample\(i).txt", s))
            }
            let all = try dir.write("all.txt", Samples.multilingualText)
            files.append(all)
            let count = try await CLI.run(["count", "-e", encoding] + files)
            #expect(count.succeeded, "\(count)")
            let lines = count.stdout.split(separator: "\n")
            #expect(lines.count == files.count + 1, "\(count)")

            var sum = 0
            for (file, line) in zip(files, lines) {
                let fields = line.split(separator: " ", maxSplits: 1)
                #expect(fields.count == 2 && String(fields[1]) == file, "\(line)")
                let counted = Int(fields.first ?? "") ?? -1
                sum += counted
                if file == all {
                    // The whole text via encode (one process): its id count must match.
                    let enc = try await CLI.run(["encode", "-e", encoding, file])
                    #expect(enc.succeeded, "\(enc)")
                    #expect(counted == enc.ids.count, "\(file): count \(counted), encode \(enc.ids.count)")
                }
            }
            #expect(lines.last.map(String.init) == "\(sum) total", "\(count)")

            // Per-sample counts against encode, one encode per sample via --jsonl in one process.
            let jsonl = Samples.multilingual.map(jsonString).joined(separator: "\n") + "\n"
            let enc = try await CLI.run(["encode", "-e", encoding, "--jsonl"], stdin: jsonl)
            #expect(enc.succeeded, "\(enc)")
            let perLine = enc.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                .map { $0.split(separator: " ").count }
            let counted = lines.prefix(Samples.multilingual.count).map { Int($0.split(separator: " ")[0]) ?? -1 }
            #expect(perLine == counted, "encode --jsonl: \(perLine)\ncount: \(counted)")
        }
    }

    @Test("count follows encode's special-token options")
    func specialOptions() async throws {
        let text = "a<|endoftext|>b"
        let allowed = try await CLI.run(["count", "-e", "gpt2", "--allowed-special", "all"], stdin: text)
        let encAllowed = try await CLI.run(["encode", "-e", "gpt2", "--allowed-special", "all"], stdin: text)
        #expect(allowed.succeeded && Int(allowed.stdout.dropLast()) == encAllowed.ids.count, "\(allowed)\n\(encAllowed)")

        let ordinary = try await CLI.run(["count", "-e", "gpt2", "--disallowed-special", "none"], stdin: text)
        let encOrdinary = try await CLI.run(["encode", "-e", "gpt2", "--disallowed-special", "none"], stdin: text)
        #expect(ordinary.succeeded && Int(ordinary.stdout.dropLast()) == encOrdinary.ids.count, "\(ordinary)\n\(encOrdinary)")
        #expect(encAllowed.ids.count < encOrdinary.ids.count)

        let refused = try await CLI.run(["count", "-e", "gpt2"], stdin: text)
        #expect(refused.exited(1) && refused.isOneErrorLine && refused.stdoutBytes.isEmpty, "\(refused)")
    }

    @Test("invalid UTF-8: an error naming the offset, or counted byte-wise with --allow-invalid-utf8")
    func invalidUTF8() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let bytes = Array("hello ".utf8) + [0xFF, 0xFE] + Array(" world".utf8)
            let refused = try await CLI.run(["count"] + TinyVocab.arguments(vocab), stdin: bytes)
            #expect(refused.exited(1) && refused.isOneErrorLine && refused.stderr.contains("byte 6"), "\(refused)")
            let counted = try await CLI.run(["count", "--allow-invalid-utf8"] + TinyVocab.arguments(vocab), stdin: bytes)
            let encoded = try await CLI.run(["encode", "--allow-invalid-utf8"] + TinyVocab.arguments(vocab), stdin: bytes)
            #expect(counted.succeeded && encoded.succeeded, "\(counted)\n\(encoded)")
            #expect(counted.stdout == "\(encoded.ids.count)\n", "\(counted)\n\(encoded)")
        }
    }

    @Test("a missing file among several is an error naming it, with no partial output")
    func missingFile() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            let a = try dir.write("a.txt", "hello")
            let missing = dir.url.appendingPathComponent("missing.txt").path
            let r = try await CLI.run(["count"] + TinyVocab.arguments(vocab) + [a, missing])
            #expect(r.exited(1) && r.isOneErrorLine && r.stderr.contains(missing), "\(r)")
            #expect(r.stdoutBytes.isEmpty, "\(r)")
        }
    }
}

/// `s` as a JSON string literal (for --jsonl input).
func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where u.value < 0x20 || u.value == 0x7F:
            out += String(format: "\\u%04x", u.value)
        default: out.unicodeScalars.append(u)
        }
    }
    return out + "\""
}
