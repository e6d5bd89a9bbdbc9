import BPE
import Foundation
import Testing
@testable import TokenFeed

/// `Exporter.exportPart` and `Exporter.combine`: the parts hold every document once, and
/// their combination is byte for byte the export of the whole corpus on one machine.
@Suite struct ExporterPartTests {
    static let gpt2 = try! Encoding.builtin("gpt2")

    /// Files of very different sizes (one empty, one bigger than the others together), so
    /// cuts fall inside files and some parts hold one file's middle.
    func makeCorpus(_ dir: TempDir) -> String {
        dir.write("corpus/a.txt", randomText(seed: 7, words: 4000))
        dir.write("corpus/b/empty.txt", "")
        dir.write("corpus/b/one.txt", "a single line, <|endoftext|> inside it\n")
        dir.write("corpus/c.txt", randomText(seed: 8, words: 600) + "\n\n\n\nthe end\n\n")
        return dir.file("corpus")
    }

    func options(separator: String? = "\n\n", _ configure: (inout Exporter.Options) -> Void = { _ in }) -> Exporter.Options {
        var o = Exporter.Options()
        o.docSeparator = separator.map { Array($0.utf8) }
        o.shardTokens = 3000
        o.threads = 2
        configure(&o)
        return o
    }

    /// Exports parts 0..<n into dir/parts/K and returns their folders.
    @discardableResult
    func exportParts(_ exporter: Exporter, _ n: Int, corpus: String, in dir: TempDir, label: String = "parts") throws -> [String] {
        try (0..<n).map { k in
            let out = dir.file("\(label)/\(k)")
            _ = try exporter.exportPart(CorpusPart(index: k, count: n), inputs: [corpus], to: out)
            return out
        }
    }

    /// A part's documents: tokens.bin cut by documents.bin's lengths.
    func partDocuments(_ folder: String, dtype: TokenDType = .uint16) throws -> [[UInt32]] {
        let tokens = try NanoGPTBin.read(path: (folder as NSString).appendingPathComponent(PartMeta.tokensFile), dtype: dtype)
        let index = readBytes((folder as NSString).appendingPathComponent(PartMeta.documentsFile))
        var docs: [[UInt32]] = [], at = 0
        for i in stride(from: 0, to: index.count, by: 8) {
            let n = (0..<8).reduce(0) { $0 | Int(index[i + $1]) << (8 * $1) }
            docs.append(Array(tokens[at ..< at + n]))
            at += n
        }
        #expect(at == tokens.count, "documents.bin does not cover tokens.bin in \(folder)")
        return docs
    }

    @Test("the parts hold every document once, in corpus order, as one machine encodes it (N = 1 ... more than the documents)",
          arguments: [1, 2, 3, 7, 400])
    func partsCoverEveryDocument(_ n: Int) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let corpus = makeCorpus(dir)
        let exporter = try Exporter(encoding: Self.gpt2, options: options())
        let whole = try exporter.export(inputs: [corpus], to: dir.file("whole"))
        let expected = try whole.tokens(split: "train", in: dir.file("whole")).count + (whole.splits["val"]?.tokens ?? 0)
        let folders = try exportParts(exporter, n, corpus: corpus, in: dir)
        let parts = try folders.map { try partDocuments($0) }
        let all = Array(parts.joined())
        // Every document starts with <|endoftext|> and decodes to the next document of the corpus.
        let files = ["a.txt", "b/empty.txt", "b/one.txt", "c.txt"].map { dir.file("corpus/\($0)") }
        let reference = files.flatMap { documents(readBytes($0), separator: Array("\n\n".utf8)) }
        #expect(all.count == reference.count)
        #expect(all.allSatisfy { $0.first == 50256 })
        #expect(try all.map { text(try Self.gpt2.decodeBytes(Array($0.dropFirst()))) } == reference.map(text))
        #expect(all.map(\.count).reduce(0, +) == expected)
        let metas = try folders.map { try PartMeta.load(directory: $0) }
        #expect(metas.map(\.documents) == parts.map(\.count))
        #expect(metas.map(\.part) == Array(0..<n) && metas.allSatisfy { $0.parts == n })
        #expect(Set(metas.map(\.layoutDigest)).count == 1)
        if n > reference.count { #expect(metas.contains { $0.documents == 0 }, "expected empty parts for n=\(n)") }
        // Empty parts combine too.
        _ = try Exporter.combine(parts: folders, to: dir.file("combined"))
        #expect(dir.snapshot("combined") == dir.snapshot("whole"))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var format: Exporter.Format
        var separator: String?
        var validation: Exporter.ValidationSplit
        var parts: Int
        var testDescription: String { "\(format) sep \(separator.debugDescription) \(validation) in \(parts) parts" }
    }

    static let cases: [Case] = [
        Case(format: .llmc, separator: "\n\n", validation: .fraction(0.1), parts: 4),
        Case(format: .llmc, separator: "\n", validation: .fraction(0.3), parts: 9),
        Case(format: .llmc, separator: "\n\n", validation: .firstDocuments(5), parts: 3),
        Case(format: .llmc, separator: nil, validation: .fraction(0.25), parts: 2),
        Case(format: .nanogpt, separator: "\n\n", validation: .fraction(0.1), parts: 5),
        Case(format: .nanogpt, separator: "\n", validation: .firstDocuments(0), parts: 50),
    ]

    @Test("combine = one machine, byte for byte: every shard, the validation split, meta.json", arguments: cases)
    func combineEqualsOneMachine(_ c: Case) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let corpus = makeCorpus(dir)
        let exporter = try Exporter(encoding: Self.gpt2, options: options(separator: c.separator) {
            $0.format = c.format
            $0.validation = c.validation
            $0.batchBytes = 4096   // many batches, documents cut across blocks
            $0.blockSize = 1000
        })
        let whole = try exporter.export(inputs: [corpus], to: dir.file("whole"))
        let folders = try exportParts(exporter, c.parts, corpus: corpus, in: dir)
        // Given in any order: the combine puts them in part order.
        let combined = try Exporter.combine(parts: folders.reversed(), to: dir.file("combined"))
        #expect(combined == whole)
        let a = dir.snapshot("whole"), b = dir.snapshot("combined")
        #expect(a.keys.sorted() == b.keys.sorted())
        for (name, bytes) in a { #expect(b[name] == bytes, "\(name) differs") }
        if c.format == .llmc && c.separator != nil { #expect((whole.splits["train"]?.files.count ?? 0) > 2, "shards were not re-cut") }
    }

    @Test("a .tiktoken vocabulary: the combine copies it and its sidecar, and meta.json is the same")
    func vocabularyFile() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let corpus = makeCorpus(dir)
        let trainer = try Trainer(options: .init(vocabSize: 300, pattern: "cl100k", specialTokens: ["<|endoftext|>"]))
        let trained = trainer.train(counts: try trainer.countChunks(in: Corpus(inputs: [corpus])))
        let vocab = dir.file("my.tiktoken")
        try trained.write(to: vocab)
        let encoding = try Encoding.load(trained: vocab)
        let exporter = try Exporter(encoding: encoding, source: .file(path: vocab, pattern: nil), options: options())
        _ = try exporter.export(inputs: [corpus], to: dir.file("whole"))
        let folders = try exportParts(exporter, 3, corpus: corpus, in: dir)
        _ = try Exporter.combine(parts: folders, to: dir.file("combined"))
        #expect(dir.snapshot("whole")["my.tiktoken"] != nil)
        #expect(dir.snapshot("combined") == dir.snapshot("whole"))
    }

    @Test("parts that do not belong together are refused, naming the part, and nothing is written")
    func refusals() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let corpus = makeCorpus(dir)
        let gpt2 = try Exporter(encoding: Self.gpt2, options: options())
        let p4 = try exportParts(gpt2, 4, corpus: corpus, in: dir, label: "four")
        let p3 = try exportParts(gpt2, 3, corpus: corpus, in: dir, label: "three")
        let out = dir.file("out")
        func refused(_ parts: [String], _ check: (ShardError) -> Bool) {
            do {
                _ = try Exporter.combine(parts: parts, to: out)
                Issue.record("combined \(parts)")
            } catch {
                #expect(check(error), "\(error)")
            }
            #expect(!FileManager.default.fileExists(atPath: (out as NSString).appendingPathComponent("meta.json")))
        }
        // A missing part, named; several missing.
        refused([p4[0], p4[1], p4[3]]) { $0 == .partsMissing([2], parts: 4) && $0.description.contains("part 2/4 is missing") }
        refused([p4[3]]) { $0 == .partsMissing([0, 1, 2], parts: 4) }
        // Given twice.
        refused([p4[0], p4[1], p4[1], p4[2], p4[3]]) { $0 == .duplicatePart(part: 1, parts: 4, directory: p4[1], other: p4[1]) }
        // Another part count.
        refused([p4[0], p3[1], p4[1], p4[2], p4[3]]) {
            if case .partCountMismatch(p3[1], 3, p4[0], 4) = $0 { return true } else { return false }
        }
        // Another encoding.
        let cl100k = try Exporter(encoding: .builtin("cl100k_base"), options: options())
        _ = try cl100k.exportPart(CorpusPart(index: 2, count: 4), inputs: [corpus], to: dir.file("cl100k-2"))
        refused([p4[0], p4[1], dir.file("cl100k-2"), p4[3]]) {
            if case .partsDisagree(_, _, "encoding", let found, let expected) = $0 {
                return found.contains("cl100k_base") && expected.contains("r50k_base")
            }
            return false
        }
        // Other options (shard size), another corpus (a file added).
        let other = try Exporter(encoding: Self.gpt2, options: options { $0.shardTokens = 77 })
        _ = try other.exportPart(CorpusPart(index: 2, count: 4), inputs: [corpus], to: dir.file("shard77-2"))
        refused([p4[0], p4[1], dir.file("shard77-2"), p4[3]]) {
            if case .partsDisagree(_, _, "shard tokens", _, _) = $0 { return true } else { return false }
        }
        dir.write("corpus/d.txt", "one more file\n")
        _ = try gpt2.exportPart(CorpusPart(index: 2, count: 4), inputs: [corpus], to: dir.file("more-2"))
        refused([p4[0], p4[1], dir.file("more-2"), p4[3]]) {
            if case .partsDisagree(_, _, "sources", _, _) = $0 { return true } else { return false }
        }
        // A part that did not finish: no part.json.
        unlink((p4[2] as NSString).appendingPathComponent(PartMeta.fileName))
        refused(p4) { $0 == .partIncomplete(directory: p4[2]) && $0.description.contains("did not finish") }
        // A truncated tokens file.
        let q = try exportParts(gpt2, 2, corpus: corpus, in: dir, label: "two")
        let tokens = (q[1] as NSString).appendingPathComponent(PartMeta.tokensFile)
        let bytes = readBytes(tokens)
        FileManager.default.createFile(atPath: tokens, contents: Data(bytes.prefix(bytes.count - 2)))
        refused(q) { if case .badMeta = $0 { return true } else { return false } }
        refused([]) { $0 == .noParts }
    }

    @Test("an export part reruns into its folder over a killed run's leftovers and replaces an older part")
    func rerunReplaces() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let corpus = makeCorpus(dir)
        let exporter = try Exporter(encoding: Self.gpt2, options: options())
        let folders = try exportParts(exporter, 2, corpus: corpus, in: dir)
        // What a killed run on this host leaves: a staging folder of a process that is gone.
        let stale = (folders[1] as NSString).appendingPathComponent("\(Exporter.stagingPrefix)\(Exporter.hostName)-999999999-1")
        try FileManager.default.createDirectory(atPath: stale, withIntermediateDirectories: false)
        dir.write("parts/1/\((stale as NSString).lastPathComponent)/tokens.bin", "half")
        _ = try exporter.exportPart(CorpusPart(index: 1, count: 2), inputs: [corpus], to: folders[1])
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folders[1]).sorted() == [PartMeta.documentsFile, PartMeta.fileName, PartMeta.tokensFile])
        _ = try exporter.export(inputs: [corpus], to: dir.file("whole"))
        _ = try Exporter.combine(parts: folders, to: dir.file("combined"))
        #expect(dir.snapshot("combined") == dir.snapshot("whole"))
    }
}
