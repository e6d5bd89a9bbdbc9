import BPE
import Foundation
import Testing
@testable import TokenFeed

/// `Exporter`: documents come back exactly, in order, split by the documented rule, and the
/// output does not depend on threads, block or batch sizes.
@Suite struct ExporterTests {
    static let gpt2 = try! Encoding.builtin("gpt2")

    /// A small corpus in `dir/corpus`: three files, runs of newlines, non-ASCII, and text
    /// that looks like a special token.
    func makeCorpus(_ dir: TempDir, words: Int = 3000) -> [String] {
        [dir.write("corpus/a.txt", randomText(seed: 1, words: words)),
         dir.write("corpus/b.txt", "one line only, <|endoftext|> inside\n"),
         dir.write("corpus/sub/c.txt", randomText(seed: 2, words: words / 2) + "\n\n\n\nend\n\n")]
    }

    func expectedDocuments(_ files: [String], separator: String?) -> [[UInt8]] {
        files.flatMap { documents(readBytes($0), separator: separator.map { Array($0.utf8) }) }
    }

    func options(_ configure: (inout Exporter.Options) -> Void) -> Exporter.Options {
        var o = Exporter.Options()
        configure(&o)
        return o
    }

    @Test("documents come back when the shards are split at <|endoftext|> and decoded",
          arguments: [Exporter.Format.llmc, .nanogpt], ["\n\n", nil] as [String?])
    func roundTrip(_ format: Exporter.Format, _ separator: String?) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let files = makeCorpus(dir)
        let opts = options {
            $0.format = format
            $0.docSeparator = separator.map { Array($0.utf8) }
            $0.shardTokens = 1000
        }
        let meta = try Exporter(encoding: Self.gpt2, options: opts).export(inputs: [dir.file("corpus")], to: dir.file("out"))
        let expected = expectedDocuments(files, separator: separator)
        let rule = opts.validation
        let val = expected.indices.filter { rule.isValidation(document: $0) }.map { expected[$0] }
        let train = expected.indices.filter { !rule.isValidation(document: $0) }.map { expected[$0] }
        #expect(try decodedDocuments(meta, split: "val", in: dir.file("out"), encoding: Self.gpt2).map(text) == val.map(text))
        #expect(try decodedDocuments(meta, split: "train", in: dir.file("out"), encoding: Self.gpt2).map(text) == train.map(text))
        #expect(meta.splits["val"]?.documents == val.count && meta.splits["train"]?.documents == train.count)
        #expect(meta.sources == files.sorted())
        #expect(meta.eotToken == 50256 && meta.nVocab == 50257 && meta.dtype == .uint16 && meta.encoding == "r50k_base")
        #expect(try ShardMeta.load(directory: dir.file("out")) == meta)
        if format == .llmc {
            let shards = LLMCShard.files(in: dir.file("out"), split: "train")
            #expect(shards.map { ($0 as NSString).lastPathComponent } == meta.splits["train"]?.files)
            #expect(shards.count > 2)
            let sizes = try shards.map { try LLMCShard.read(path: $0).tokens.count }
            #expect(sizes.dropLast().allSatisfy { $0 == 1000 } && sizes.last! <= 1000)
            #expect(sizes.reduce(0, +) == meta.splits["train"]?.tokens)
            #expect(meta.splits["val"]?.files == ["r50k_base_val_000000.bin"])
        } else {
            #expect(meta.splits["train"]?.files == ["train.bin"] && meta.splits["val"]?.files == ["val.bin"])
        }
    }

    @Test("the output is byte-identical for any threads, block, batch and part sizes")
    func determinism() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        _ = makeCorpus(dir, words: 6000)
        // A long document without separators, cut into parts and blocks.
        dir.write("corpus/long.txt", String(repeating: "Word\nAnd more words here.\nx", count: 3000))
        var snapshots: [[String: [UInt8]]] = []
        let configs: [(threads: Int, block: Int, batch: Int, part: Int)] = [
            (1, 8 << 20, 32 << 20, 1 << 20), (2, 8 << 20, 32 << 20, 1 << 20), (4, 97, 300, 64), (3, 1000, 1, 200), (1, 5, 10_000, 1 << 20),
        ]
        for (k, c) in configs.enumerated() {
            let opts = options {
                $0.threads = c.threads; $0.blockSize = c.block; $0.batchBytes = c.batch; $0.partBytes = c.part
                $0.docSeparator = Array("\n\n".utf8); $0.shardTokens = 777
            }
            _ = try Exporter(encoding: Self.gpt2, options: opts).export(inputs: [dir.file("corpus")], to: dir.file("out\(k)"))
            snapshots.append(dir.snapshot("out\(k)"))
        }
        #expect(snapshots[0].count > 3)
        for (k, s) in snapshots.enumerated().dropFirst() {
            #expect(s.keys.sorted() == snapshots[0].keys.sorted(), "config \(configs[k])")
            for (file, bytes) in s {
                let same = bytes == snapshots[0][file]
                #expect(same, "config \(configs[k]): \(file) differs from the 1-thread export")
            }
        }
    }

    @Test("small blocks split documents exactly as Python's str.split, even for overlapping separators")
    func splitting() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let corpusText = "a\n\n\nb\n\n\n\nc\n\n\n\n\nd\n\nee\n\n\n" + randomText(seed: 9, words: 500) + "\n\n\nlast"
        let file = dir.write("t.txt", corpusText)
        for block in [3, 4, 5, 7, 64, 1 << 20] {
            let opts = options { $0.blockSize = block; $0.docSeparator = Array("\n\n".utf8); $0.validation = .firstDocuments(0) }
            let out = dir.file("out\(block)")
            let meta = try Exporter(encoding: Self.gpt2, options: opts).export(inputs: [file], to: out)
            let docs = try decodedDocuments(meta, split: "train", in: out, encoding: Self.gpt2)
            #expect(docs.map(text) == documents(Array(corpusText.utf8), separator: Array("\n\n".utf8)).map(text), "block size \(block)")
        }
    }

    @Test("--val-fraction: document 0, then one in every 1/F; exactly ceil(n·F) of n")
    func validationRule() throws {
        let tenth = Exporter.ValidationSplit.fraction(0.1)
        #expect((0..<35).filter { tenth.isValidation(document: $0) } == [0, 10, 20, 30])
        for f in [0.0, 0.01, 0.1, 0.25, 1.0 / 3, 0.5, 0.9] {
            let rule = Exporter.ValidationSplit.fraction(f)
            var count = 0
            for n in 0...1000 {
                #expect(count == Int((Double(n) * f - 1e-9).rounded(.up)).clamped(0, n), "f=\(f) n=\(n)")
                #expect(rule.validationCount(documents: n) == count)
                if rule.isValidation(document: n) { count += 1 }
            }
        }
        #expect((0..<10).filter { Exporter.ValidationSplit.firstDocuments(3).isValidation(document: $0) } == [0, 1, 2])
        // Huge document counts do not overflow.
        #expect(tenth.validationCount(documents: 50_000_000_000) == 5_000_000_000)

        let dir = TempDir(); defer { dir.cleanup() }
        let file = dir.write("lines.txt", (0..<25).map { "doc \($0)" }.joined(separator: "\n"))
        for (rule, want) in [(Exporter.ValidationSplit.fraction(0.1), [0, 10, 20]), (.firstDocuments(4), [0, 1, 2, 3])] {
            let out = dir.file("out-\(want.count)")
            let meta = try Exporter(encoding: Self.gpt2, options: options { $0.docSeparator = [0x0A]; $0.validation = rule })
                .export(inputs: [file], to: out)
            let val = try decodedDocuments(meta, split: "val", in: out, encoding: Self.gpt2)
            #expect(val == want.map { Array("doc \($0)".utf8) })
            #expect(meta.splits["val"]?.documents == want.count && meta.splits["train"]?.documents == 25 - want.count)
        }
    }

    @Test("o200k needs uint32: llm.c magic 20240801 version 7, nanoGPT uint32")
    func wideTokens() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let enc = try Encoding.builtin("o200k_base")
        let file = dir.write("x.txt", "Hello world\n\nこんにちは世界\n\nthird one")
        for format in Exporter.Format.allCases {
            let out = dir.file("out-\(format)")
            let meta = try Exporter(encoding: enc, options: options { $0.format = format; $0.docSeparator = Array("\n\n".utf8) })
                .export(inputs: [file], to: out)
            #expect(meta.dtype == .uint32)
            #expect(try decodedDocuments(meta, split: "train", in: out, encoding: enc) == [Array("こんにちは世界".utf8), Array("third one".utf8)])
            if format == .llmc {
                let shard = try LLMCShard.read(path: dir.file("out-llmc/o200k_base_train_000001.bin"))
                #expect(shard.magic == 20240801 && shard.version == 7 && shard.tokens.first == 199_999)
            } else {
                #expect(readBytes(dir.file("out-nanogpt/val.bin")).count == 4 * (1 + enc.encodeOrdinary("Hello world").count))
            }
        }
    }

    @Test("a trained vocabulary is copied with its sidecar and hashed")
    func trainedVocabulary() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let files = makeCorpus(dir, words: 800)
        let trainer = try Trainer(options: .init(vocabSize: 300, pattern: "cl100k", specialTokens: ["<|endoftext|>"]))
        let vocab = trainer.train(counts: try trainer.countChunks(in: Corpus(inputs: files)))
        let path = dir.file("vocab/tiny.tiktoken")
        try FileManager.default.createDirectory(atPath: dir.file("vocab"), withIntermediateDirectories: true)
        try vocab.write(to: path)
        let enc = try Encoding.load(trained: path)
        let sidecar = try #require(try Sidecar.load(for: path))
        let out = dir.file("out")
        let meta = try Exporter(encoding: enc, source: .file(path: path, pattern: sidecar.pattern),
                                options: options { $0.docSeparator = Array("\n\n".utf8) })
            .export(inputs: files, to: out)
        #expect(meta.name == "tiny" && meta.encoding == nil && meta.vocabFile == "tiny.tiktoken")
        #expect(meta.sidecarFile == "tiny.tiktoken.json" && meta.eotToken == 300 && meta.nVocab == 301)
        #expect(meta.vocabSHA256?.count == 64 && meta.vocabSHA256?.allSatisfy(\.isHexDigit) == true)
        #expect(meta.pattern == sidecar.pattern && meta.specialTokens == ["<|endoftext|>": 300])
        #expect(readBytes(dir.file("out/tiny.tiktoken")) == readBytes(path))
        #expect(readBytes(dir.file("out/tiny.tiktoken.json")) == readBytes(path + ".json"))
        #expect(FileManager.default.fileExists(atPath: dir.file("out/tiny_train_000001.bin")))
        // The copies alone decode the shards.
        let copy = try Encoding.load(trained: dir.file("out/tiny.tiktoken"))
        let docs = try decodedDocuments(meta, split: "train", in: out, encoding: copy)
            + decodedDocuments(meta, split: "val", in: out, encoding: copy)
        #expect(docs.count == expectedDocuments(files, separator: "\n\n").count)
    }

    @Test("a vocabulary file without a sidecar gets one written from the encoding used")
    func plainVocabulary() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let tokens = (0...255).map { [UInt8($0)] } + ["th", "he"].map { Array($0.utf8) }
        let path = dir.write("plain.tiktoken", try Vocabulary(tokens: tokens).tiktokenData())
        let enc = try Encoding.load(tiktokenFile: path, pattern: "gpt2", specialTokens: ["<|endoftext|>": 258])
        let file = dir.write("c.txt", "the theme\n\nthere")
        let meta = try Exporter(encoding: enc, source: .file(path: path, pattern: "gpt2"),
                                options: options { $0.docSeparator = Array("\n\n".utf8); $0.validation = .firstDocuments(1) })
            .export(inputs: [file], to: dir.file("out"))
        #expect(meta.pattern == SplitPattern.gpt2Tiktoken)
        let reloaded = try Encoding.load(trained: dir.file("out/plain.tiktoken"))
        #expect(reloaded.specialTokens == ["<|endoftext|>": 258])
        #expect(try decodedDocuments(meta, split: "train", in: dir.file("out"), encoding: reloaded) == [Array("there".utf8)])
    }

    @Test("clear errors: no <|endoftext|>, invalid UTF-8, empty corpus, no training documents, bad options")
    func errors() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let noEOT = try Encoding(name: "bytes", vocabulary: Vocabulary(tokens: (0...255).map { [UInt8($0)] }),
                                 pattern: SplitPattern.preset("gpt2")!, specialTokens: [:])
        let e1 = #expect(throws: ShardError.self) { try Exporter(encoding: noEOT) }
        #expect(e1 == .noEndOfText(encoding: "bytes"))
        #expect(e1?.description.contains("<|endoftext|>") == true)

        let good = dir.write("in/a.txt", "fine text\n\nmore")
        let bad = dir.write("in/b.txt", Array("ok\n\nstill ok ".utf8) + [0xE2, 0x82] + Array(" tail".utf8))
        for block in [4, 1 << 20] {
            let opts = options { $0.docSeparator = Array("\n\n".utf8); $0.blockSize = block }
            let e = #expect(throws: ShardError.self) {
                try Exporter(encoding: Self.gpt2, options: opts).export(inputs: [good, bad], to: dir.file("out"))
            }
            #expect(e == .invalidUTF8(file: bad, offset: 13), "block size \(block)")
            #expect(e?.description.contains("b.txt: invalid UTF-8 at byte 13") == true)
        }
        // The failed export left nothing behind.
        #expect((try? FileManager.default.contentsOfDirectory(atPath: dir.file("out"))) ?? [] == [])

        let empty = dir.write("empty.txt", "")
        #expect(throws: ShardError.emptyCorpus(files: 1)) { try Exporter(encoding: Self.gpt2).export(inputs: [empty], to: dir.file("o2")) }
        let seps = dir.write("seps.txt", "\n\n\n\n")
        #expect(throws: ShardError.emptyCorpus(files: 1)) {
            try Exporter(encoding: Self.gpt2, options: options { $0.docSeparator = Array("\n\n".utf8) }).export(inputs: [seps], to: dir.file("o2"))
        }
        let one = dir.write("one.txt", "a single document")
        let e2 = #expect(throws: ShardError.self) { try Exporter(encoding: Self.gpt2).export(inputs: [one], to: dir.file("o3")) }
        // The library names its own options, not bpe's flags (bpe's wording: ErrorWordingTests).
        #expect(e2?.description.contains("docSeparator") == true && e2?.description.contains("--") == false, "\(String(describing: e2))")
        #expect(e2 == .noTrainingDocuments(documents: 1, rule: .fraction(0.1)))
        let e3 = #expect(throws: ShardError.self) { try Exporter(encoding: Self.gpt2).export(inputs: [dir.file("missing.txt")], to: dir.file("o4")) }
        #expect(e3?.description.contains("missing.txt") == true)

        #expect(throws: ShardError.shardTokensOutOfRange(1 << 31)) { try Exporter(encoding: Self.gpt2, options: options { $0.shardTokens = 1 << 31 }) }
        #expect(throws: ShardError.shardTokensOutOfRange(0)) { try Exporter(encoding: Self.gpt2, options: options { $0.shardTokens = 0 }) }
        #expect(throws: ShardError.validationFractionOutOfRange(1)) { try Exporter(encoding: Self.gpt2, options: options { $0.validation = .fraction(1) }) }
        #expect(throws: ShardError.negativeValidationDocuments(-1)) { try Exporter(encoding: Self.gpt2, options: options { $0.validation = .firstDocuments(-1) }) }
        #expect(throws: ShardError.badName("a/b")) { try Exporter(encoding: Self.gpt2, options: options { $0.name = "a/b" }) }
        #expect(throws: ShardError.noThreads(0)) { try Exporter(encoding: Self.gpt2, options: options { $0.threads = 0 }) }
        #expect(throws: ShardError.emptyDocumentSeparator) { try Exporter(encoding: Self.gpt2, options: options { $0.docSeparator = [] }) }
        // In the library's words: the Swift names of the options.
        #expect(ShardError.shardTokensOutOfRange(0).description.hasPrefix("shardTokens must be between 1 and 2147483647"))
        #expect(ShardError.validationFractionOutOfRange(1).description == "validation .fraction must be at least 0 and below 1, got 1.0")
        #expect(ShardError.noEndOfText(encoding: "x").description.contains("specialTokens: [\"<|endoftext|>\"]"))
    }

    @Test("a new export replaces the old shards of the same name; a failed one changes nothing")
    func reexport() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let files = makeCorpus(dir)
        let out = dir.file("out")
        let sep = Array("\n\n".utf8)
        _ = try Exporter(encoding: Self.gpt2, options: options { $0.docSeparator = sep; $0.shardTokens = 500 }).export(inputs: files, to: out)
        #expect(LLMCShard.files(in: out, split: "train").count > 3)
        dir.write("out/other_train_000001.bin", [1])
        let meta = try Exporter(encoding: Self.gpt2, options: options { $0.docSeparator = sep }).export(inputs: files, to: out)
        #expect(LLMCShard.files(in: out, split: "train", name: "r50k_base").map { ($0 as NSString).lastPathComponent } == meta.splits["train"]?.files)
        #expect(meta.splits["train"]?.files.count == 1)
        #expect(FileManager.default.fileExists(atPath: dir.file("out/other_train_000001.bin")))

        let before = dir.snapshot("out")
        let bad = dir.write("bad.txt", [0x61, 0xFF])
        #expect(throws: ShardError.self) { try Exporter(encoding: Self.gpt2, options: options { $0.docSeparator = sep }).export(inputs: files + [bad], to: out) }
        #expect(dir.snapshot("out") == before)
    }
}

extension Int {
    func clamped(_ lo: Int, _ hi: Int) -> Int { Swift.min(Swift.max(self, lo), hi) }
}
