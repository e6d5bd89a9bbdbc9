import Foundation
import Testing

/// `bpe count-words --part`, `bpe export --part` and `bpe export --combine` through the real
/// binary: the parts give the single-machine answer, byte for byte; a killed part leaves
/// nothing; wrong flags and parts are refused in flag words.
@Suite struct PartCommandTests {
    /// A corpus of a few files of different sizes in dir/corpus.
    static func corpus(in dir: TemporaryDirectory) throws -> String {
        let root = dir.url.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("sub"), withIntermediateDirectories: true)
        var words: [String] = []
        for i in 0..<6000 { words.append(["the", "quick", "brown", "fox", "jumps", "héllo", "日本", "over", "\n\n", "lazy", "dog.", "\n"][i * 7 % 12] + "\(i % 13)") }
        try Data(words.joined(separator: " ").utf8).write(to: root.appendingPathComponent("big.txt"))
        try Data("a short file\n\nwith two documents\n".utf8).write(to: root.appendingPathComponent("sub/small.txt"))
        try Data().write(to: root.appendingPathComponent("sub/empty.txt"))
        return root.path
    }

    /// Every file of a folder (hidden ones too), by name.
    static func files(_ path: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: path) {
            // A folder (a staging folder) is listed with no bytes.
            out[name] = FileManager.default.contents(atPath: (path as NSString).appendingPathComponent(name)) ?? Data()
        }
        return out
    }

    @Test("count-words --part K/N for N = 1, 3, and more than the documents: merge-counts of the parts = count-words of the whole",
          arguments: [1, 3, 40])
    func countWordsParts(_ n: Int) async throws {
        try await withTemporaryDirectory { dir in
            // For 40 parts, only the small files: 2 documents, so most parts are empty.
            let corpus = try Self.corpus(in: dir) + (n == 40 ? "/sub" : "")
            let common = [corpus, "--doc-separator", "\\n\\n", "-q"]
            let whole = dir.url.appendingPathComponent("whole.counts").path
            #expect(try await CLI.run(["count-words"] + common + ["-o", whole]).succeeded)
            var parts: [String] = []
            for k in 0..<n {
                let out = dir.url.appendingPathComponent("p\(k).counts").path
                let r = try await CLI.run(["count-words"] + common + ["--part", "\(k)/\(n)", "-o", out])
                #expect(r.succeeded, "\(r)")
                parts.append(out)
            }
            let merged = dir.url.appendingPathComponent("merged.counts").path
            #expect(try await CLI.run(["merge-counts"] + parts + ["-o", merged, "-q"]).succeeded)
            #expect(FileManager.default.contents(atPath: merged) == FileManager.default.contents(atPath: whole))
            // With more parts than documents, some parts are empty (a header and a pattern line).
            let sizes = parts.map { (try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) ?? 0 }
            if n == 40 { #expect(sizes.filter { $0 == sizes.min()! }.count == 38 && sizes.max()! > sizes.min()!, "\(sizes)") }
        }
    }

    @Test("--part slurm takes K and N from the Slurm array variables")
    func countWordsSlurm() async throws {
        try await withTemporaryDirectory { dir in
            let corpus = try Self.corpus(in: dir)
            let a = dir.url.appendingPathComponent("a.counts").path, b = dir.url.appendingPathComponent("b.counts").path
            #expect(try await CLI.run(["count-words", corpus, "--part", "1/3", "-q", "-o", a]).succeeded)
            let env = ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "2"]
            #expect(try await CLI.run(["count-words", corpus, "--part", "slurm", "-q", "-o", b], environment: env).succeeded)
            #expect(FileManager.default.contents(atPath: a) == FileManager.default.contents(atPath: b))
            let r = try await CLI.run(["count-words", corpus, "--part", "slurm", "-q", "-o", b])
            #expect(r.exited(1) && r.stderr.contains("SLURM_ARRAY_TASK_ID is not set"), "\(r)")
        }
    }

    @Test("export --part into N folders, then --combine = export of the whole corpus, file for file", arguments: [1, 4, 30])
    func exportCombine(_ n: Int) async throws {
        try await withTemporaryDirectory { dir in
            let corpus = try Self.corpus(in: dir)
            let options = ["--encoding", "gpt2", "--doc-separator", "\\n\\n", "--shard-tokens", "2000", "-q"]
            let whole = dir.url.appendingPathComponent("whole").path
            #expect(try await CLI.run(["export", corpus] + options + ["--out", whole]).succeeded)
            var parts: [String] = []
            for k in 0..<n {
                let out = dir.url.appendingPathComponent("parts/\(k)").path
                let r = try await CLI.run(["export", corpus] + options + ["--part", "\(k)/\(n)", "--out", out])
                #expect(r.succeeded, "\(r)")
                parts.append(out)
            }
            let combined = dir.url.appendingPathComponent("combined").path
            let r = try await CLI.run(["export", "--combine"] + parts + ["--out", combined])
            #expect(r.succeeded && r.stderr.contains("\(n) part\(n == 1 ? "" : "s") combined"), "\(r)")
            let a = try Self.files(whole), b = try Self.files(combined)
            #expect(a.keys.sorted() == b.keys.sorted())
            #expect(a == b, "the combined export differs from the single-machine one")
            #expect(a.keys.filter { $0.contains("_train_") }.count > 2)
        }
    }

    @Test("a part SIGKILLed while writing leaves no part files; combine names it; a rerun completes it")
    func killedPart() async throws {
        try await withTemporaryDirectory { dir in
            let corpus = try Self.corpus(in: dir)
            let options = ["--encoding", "gpt2", "--doc-separator", "\\n\\n", "--shard-tokens", "2000", "-q"]
            let whole = dir.url.appendingPathComponent("whole").path
            #expect(try await CLI.run(["export", corpus] + options + ["--out", whole]).succeeded)
            let parts = (0..<3).map { dir.url.appendingPathComponent("parts/\($0)").path }
            for k in [0, 2] { #expect(try await CLI.run(["export", corpus] + options + ["--part", "\(k)/3", "--out", parts[k]]).succeeded) }
            // Killed in its first, second and third write: the tokens, the document index (both
            // in the staging folder), part.json (after the two were moved into place).
            for point in ["write:1", "write:2", "write:3"] {
                let r = try await CLI.run(["export", corpus] + options + ["--part", "1/3", "--out", parts[1]],
                                          environment: ["SWIFT_BPE_CRASH_AT": point], timeout: 900)
                #expect(r.signalled && r.status == SIGKILL, "not killed at \(point): \(r)")
                let left = try Self.files(parts[1])
                let visible = Set(left.keys.filter { !$0.hasPrefix(".") })
                #expect(visible.isEmpty || (point == "write:3" && visible == ["documents.bin", "tokens.bin"]),
                        "output after a kill at \(point): \(left.keys.sorted())")
                #expect(left.keys.contains { $0.hasPrefix(".") }, "a SIGKILLed run leaves its temporary files")
            }
            let combined = dir.url.appendingPathComponent("combined").path
            let refused = try await CLI.run(["export", "--combine"] + parts + ["--out", combined])
            #expect(refused.exited(1) && refused.stderr.contains("\(parts[1]): no part.json") && refused.stderr.contains("--part K/N"), "\(refused)")
            let missing = try await CLI.run(["export", "--combine", parts[0], parts[2], "--out", combined])
            #expect(missing.exited(1) && missing.stderr.contains("part 1/3 is missing") && missing.stderr.contains("--part 1/3"), "\(missing)")
            #expect(!FileManager.default.fileExists(atPath: combined + "/meta.json"))
            // The rerun: the staging folders the kills left are removed, the part completes.
            #expect(try await CLI.run(["export", corpus] + options + ["--part", "1/3", "--out", parts[1]]).succeeded)
            #expect(try Self.files(parts[1]).keys.sorted() == ["documents.bin", "part.json", "tokens.bin"])
            #expect(try await CLI.run(["export", "--combine"] + parts + ["--out", combined, "-q"]).succeeded)
            #expect(try Self.files(combined) == Self.files(whole))
        }
    }

    @Test("flag refusals: --combine with export options, without folders; a bad --part; standard input")
    func refusals() async throws {
        try await withTemporaryDirectory { dir in
            let out = dir.url.appendingPathComponent("out").path
            let a = try await CLI.run(["export", "--combine", "p0", "--val-docs", "3", "--out", out])
            #expect(a.exited(64) && a.stderr.contains("drop --val-docs"), "\(a)")
            let b = try await CLI.run(["export", "--combine", "--out", out])
            #expect(b.exited(64) && b.stderr.contains("--combine needs the part folders"), "\(b)")
            let file = try dir.write("c.txt", "some text\n")
            let c = try await CLI.run(["export", "--encoding", "gpt2", file, "--part", "4/4", "--out", out])
            #expect(c.exited(1) && c.stderr.contains("--part 4/4: the task index must be between 0 and 3"), "\(c)")
            let d = try await CLI.run(["export", "--encoding", "gpt2", "--part", "0/2", "--out", out], stdin: "text")
            #expect(d.exited(1) && d.stderr.contains("standard input cannot be cut into parts"), "\(d)")
            let e = try await CLI.run(["export", "--combine", dir.url.appendingPathComponent("nope").path, "--out", out])
            #expect(e.exited(1) && e.stderr.contains("no such folder"), "\(e)")
        }
    }
}
