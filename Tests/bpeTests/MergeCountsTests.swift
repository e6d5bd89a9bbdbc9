import Foundation
import Testing

/// `bpe merge-counts`, run as a user would: the reduce step after `count-words` on parts.
@Suite("bpe merge-counts") struct MergeCountsTests {
    /// Three parts of a small corpus that share many chunks (so counts really add up) and
    /// have some of their own.
    static let parts: [(String, String)] = [
        ("a.txt", String(repeating: "the cat sat on the mat. The dog ate the hat!\n\n", count: 20) + Samples.multilingual[0]),
        ("b.txt", String(repeating: "A theme: these, then, there. the cat sat.\n\n", count: 15) + Samples.multilingual[2] + "\n\n" + Samples.multilingual[4]),
        ("c.txt", Samples.multilingual.joined(separator: "\n\n") + String(repeating: " the mat\n\n", count: 9)),
    ]

    func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// Writes the parts into `dir` and counts each into NAME.counts; returns (texts, counts).
    func countParts(in dir: TemporaryDirectory, pattern: String = "cl100k") async throws -> ([String], [String]) {
        var texts: [String] = [], counts: [String] = []
        for (name, text) in Self.parts {
            let t = try dir.write(name, text)
            let c = dir.url.appendingPathComponent(name + ".counts").path
            let r = try await CLI.run(["count-words", t, "--doc-separator", "\\n\\n", "--pattern", pattern, "-o", c, "-q"])
            #expect(r.succeeded, "\(r)")
            texts.append(t)
            counts.append(c)
        }
        return (texts, counts)
    }

    @Test("merged counts are byte for byte count-words on all inputs at once, in any order and any tree of merges")
    func sameAsOneRun() async throws {
        try await withTemporaryDirectory { dir in
            let (texts, counts) = try await countParts(in: dir)
            let whole = dir.url.appendingPathComponent("whole.counts").path
            let r = try await CLI.run(["count-words"] + texts + ["--doc-separator", "\\n\\n", "-o", whole, "-q"])
            #expect(r.succeeded, "\(r)")
            let expected = try bytes(whole)
            let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
            for (i, order) in orders.enumerated() {
                let out = dir.url.appendingPathComponent("merged-\(i).counts").path
                let m = try await CLI.run(["merge-counts"] + order.map { counts[$0] } + ["-o", out])
                #expect(m.succeeded, "\(m)")
                #expect(m.stderr.contains("3 files:") && m.stderr.contains("distinct chunks"), "\(m)")
                #expect(try bytes(out) == expected, "order \(order) differs from count-words on all inputs")
            }
            // A tree: (c + a) + b.
            let ca = dir.url.appendingPathComponent("ca.counts").path
            let all = dir.url.appendingPathComponent("all.counts").path
            #expect(try await CLI.run(["merge-counts", counts[2], counts[0], "-o", ca, "-q"]).succeeded)
            let t = try await CLI.run(["merge-counts", ca, counts[1], "-o", all, "-q"])
            #expect(t.succeeded && t.stderr.isEmpty, "\(t)")
            #expect(try bytes(all) == expected)
            // One file merges to itself.
            let one = dir.url.appendingPathComponent("one.counts").path
            #expect(try await CLI.run(["merge-counts", counts[1], "-o", one, "-q"]).succeeded)
            #expect(try bytes(one) == bytes(counts[1]))
        }
    }

    @Test("train --from-counts on merged counts gives the vocabulary of train on the whole corpus, rank for rank")
    func trainFromMerged() async throws {
        try await withTemporaryDirectory { dir in
            let (texts, counts) = try await countParts(in: dir, pattern: "o200k")
            let all = dir.url.appendingPathComponent("all.counts").path
            #expect(try await CLI.run(["merge-counts"] + counts.reversed() + ["-o", all, "-q"]).succeeded)
            let fromCounts = dir.url.appendingPathComponent("from-counts.tiktoken").path
            let whole = dir.url.appendingPathComponent("whole.tiktoken").path
            let a = try await CLI.run(["train", "--from-counts", all, "--pattern", "o200k", "--vocab-size", "400", "-o", fromCounts, "-q"])
            #expect(a.succeeded, "\(a)")
            let b = try await CLI.run(["train"] + texts + ["--doc-separator", "\\n\\n", "--pattern", "o200k", "--vocab-size", "400", "-o", whole, "-q"])
            #expect(b.succeeded, "\(b)")
            let lines = try String(contentsOfFile: whole, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 400, "the corpus must be rich enough for every merge to happen")
            #expect(try String(contentsOfFile: fromCounts, encoding: .utf8).split(separator: "\n") == lines)
        }
    }

    @Test("counts made with different patterns are refused, naming both files; nothing is written")
    func patternMismatch() async throws {
        try await withTemporaryDirectory { dir in
            let (_, counts) = try await countParts(in: dir)
            let t = try dir.write("g.txt", "hello world\n")
            let g = dir.url.appendingPathComponent("g.counts").path
            #expect(try await CLI.run(["count-words", t, "--pattern", "gpt2", "-o", g, "-q"]).succeeded)
            let out = dir.url.appendingPathComponent("out.counts").path
            let r = try await CLI.run(["merge-counts", counts[0], counts[1], g, "-o", out])
            #expect(r.exited(1) && r.isOneErrorLine, "\(r)")
            #expect(r.stderr.contains("error: \(g) was counted with pattern"), "\(r)")
            #expect(r.stderr.contains("but \(counts[0]) with"), "\(r)")
            #expect(r.stderr.contains("recount"), "\(r)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    @Test("a bad file is refused with its name and line; an existing output is left as it was")
    func badFiles() async throws {
        try await withTemporaryDirectory { dir in
            let (_, counts) = try await countParts(in: dir)
            let out = try dir.write("out.counts", "keep me\n")
            var lines = try String(contentsOfFile: counts[1], encoding: .utf8).components(separatedBy: "\n")
            lines[3] = "12\tnot-base64!"
            let broken = try dir.write("broken.counts", lines.joined(separator: "\n"))
            let notCounts = try dir.write("not.counts", "hello\n")
            let empty = try dir.write("empty.counts", "")
            let noPattern = try dir.write("nopattern.counts", "#swift-bpe-word-counts 1\n3\tYWI=\n")
            let badPattern = try dir.write("badpattern.counts", "#swift-bpe-word-counts 1\n#pattern nope\n3\tYWI=\n")
            let badCount = try dir.write("badcount.counts", "#swift-bpe-word-counts 1\n#pattern \"x\"\n3\tYWI=\nx\tYWI=\n")
            let magicOnly = try dir.write("magic.counts", "#swift-bpe-word-counts 1")
            let missing = dir.url.appendingPathComponent("missing.counts").path
            let cases: [([String], String)] = [
                ([counts[0], broken], "\(broken), line 4: chunk is not valid base64"),
                ([notCounts], "\(notCounts), line 1: not a word-counts file"),
                ([counts[0], empty], "\(empty), line 1: empty file"),
                ([noPattern], "\(noPattern), line 2: no #pattern line"),
                ([magicOnly], "\(magicOnly), line 2: no #pattern line"),
                ([badPattern], "\(badPattern), line 2: malformed #pattern line"),
                ([badCount], "\(badCount), line 4: expected COUNT<TAB>BASE64"),
                ([counts[0], missing], "\(missing): cannot read: no such file"),
                ([counts[0], counts[1], counts[0]], "\(counts[0]) is given twice"),
                ([counts[0], dir.path + "/./" + (counts[0] as NSString).lastPathComponent], "is the same file as \(counts[0])"),
                ([dir.path], "\(dir.path): cannot read: is a directory"),
            ]
            for (inputs, message) in cases {
                let r = try await CLI.run(["merge-counts"] + inputs + ["-o", out])
                #expect(r.exited(1) && r.isOneErrorLine && !r.hasCrashOutput, "\(r)")
                #expect(r.stderr.contains(message), "expected '\(message)': \(r)")
                #expect(try String(contentsOfFile: out, encoding: .utf8) == "keep me\n")
            }
            let none = try await CLI.run(["merge-counts", "-o", out])
            #expect(none.exited(64) && none.stderr.contains("give the counts files to merge"), "\(none)")
        }
    }

    @Test("a counts file with no chunks (an empty part) merges as nothing; a last line without its newline is read")
    func emptyPart() async throws {
        try await withTemporaryDirectory { dir in
            let (_, counts) = try await countParts(in: dir)
            let header = try String(contentsOfFile: counts[0], encoding: .utf8).split(separator: "\n").prefix(2).joined(separator: "\n")
            #expect(header.hasPrefix("#swift-bpe-word-counts 1\n#pattern \""))
            let empty = try dir.write("empty-part.counts", header + "\n")
            let noNewline = try dir.write("no-newline.counts", header)
            let out = dir.url.appendingPathComponent("out.counts").path
            let r = try await CLI.run(["merge-counts", empty, counts[0], noNewline, "-o", out])
            #expect(r.succeeded, "\(r)")
            #expect(try bytes(out) == bytes(counts[0]))
            let alone = try await CLI.run(["merge-counts", empty, "-o", out, "-q"])
            #expect(alone.succeeded, "\(alone)")
            #expect(try String(contentsOfFile: out, encoding: .utf8) == header + "\n")
        }
    }

    @Test("merge-counts --help shows examples")
    func help() async throws {
        let r = try await CLI.run(["merge-counts", "--help"])
        #expect(r.succeeded && r.stdout.contains("Examples:") && r.stdout.contains("bpe merge-counts part-*.counts -o all.counts"), "\(r)")
        let top = try await CLI.run(["--help"])
        #expect(top.stdout.contains("merge-counts"), "\(top)")
    }
}
