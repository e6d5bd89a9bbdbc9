@testable import BPE
import Foundation
import Testing
import TestSupport
import SafeFiles

/// The trainer against a naive reference that recounts every pair after every merge: its
/// simplicity is the point.
@Suite struct TrainerTests {
    @Test("sorted() is bytewise order, shared prefixes, zero bytes and chunks over 8 bytes included")
    func chunkOrder() {
        var rng = SystemRandomNumberGenerator()
        var counter = ChunkCounter(capacity: 16)
        var chunks = Set<[UInt8]>()
        // A small alphabet with 0x00 and 0xFF, so prefixes tie often, within and past 8 bytes.
        let alphabet: [UInt8] = [0x00, 0x01, 0x61, 0x62, 0xFF]
        for _ in 0..<3000 {
            let n = Int.random(in: 1...12, using: &rng)
            let c = (0..<n).map { _ in alphabet.randomElement(using: &rng)! }
            chunks.insert(c)
            counter.add(c)
        }
        let want = chunks.sorted { $0.lexicographicallyPrecedes($1) }
        #expect(counter.sorted().map(\.chunk) == want)
    }

    /// Textbook BPE training over (word, count): most frequent pair, ties to the smaller
    /// (left, right) pair; merges applied left to right without overlap.
    func referenceMerges(_ words: [([UInt8], UInt64)], merges: Int, minFrequency: UInt64 = 1) -> [((Rank, Rank), UInt64)] {
        var ws = words.map { ($0.0.map(Rank.init), $0.1) }
        var out: [((Rank, Rank), UInt64)] = []
        var next: Rank = 256
        while out.count < merges {
            var counts: [UInt64: UInt64] = [:]
            for (w, n) in ws where w.count > 1 {
                for i in 0..<(w.count - 1) { counts[UInt64(w[i]) << 32 | UInt64(w[i + 1]), default: 0] += n }
            }
            guard let best = counts.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }),
                  best.value >= minFrequency else { break }
            let a = Rank(best.key >> 32), b = Rank(truncatingIfNeeded: best.key)
            for k in ws.indices {
                var w = ws[k].0, r: [Rank] = [], i = 0
                while i < w.count {
                    if i + 1 < w.count && w[i] == a && w[i + 1] == b { r.append(next); i += 2 } else { r.append(w[i]); i += 1 }
                }
                w = r
                ws[k].0 = w
            }
            out.append(((a, b), best.value))
            next += 1
        }
        return out
    }

    func fast(_ words: [([UInt8], UInt64)], merges: Int, minFrequency: UInt64 = 1, tableSize: Int = 1 << 16) -> [((Rank, Rank), UInt64)] {
        let t = MergeTrainer(words: words.map { (chunk: $0.0, count: $0.1) }, pairTableSize: tableSize)
        return t.train(merges: merges, minFrequency: minFrequency).map { ($0.pair, $0.count) }
    }

    @Test func tieBreakExampleFromRustbpe() {
        // rustbpe: "aaabdaaabac" at vocabulary size 259 gives aa, ab, aaab.
        let m = fast([(Array("aaabdaaabac".utf8), 1)], merges: 3)
        #expect(m.map(\.0.0) == [97, 97, 256])
        #expect(m.map(\.0.1) == [97, 98, 257])
    }

    @Test func matchesNaiveReferenceOnRandomCorpora() {
        var rng = SplitMix(seed: 11)
        for round in 0..<60 {
            let alphabet = Array("abcab a".utf8).prefix(2 + round % 5)
            let words: [([UInt8], UInt64)] = (0..<Int.random(in: 1..<40, using: &rng)).map { _ in
                ((0..<Int.random(in: 1..<14, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! },
                 UInt64.random(in: 1...5, using: &rng))
            }
            let expected = referenceMerges(words, merges: 60)
            let got = fast(words, merges: 60)
            #expect(got.map(\.0.0) == expected.map(\.0.0) && got.map(\.0.1) == expected.map(\.0.1) && got.map(\.1) == expected.map(\.1),
                    "round \(round)")
        }
    }

    /// Regression: slots remembered across a growth of the pair table pointed at the wrong
    /// pairs, so a pair's raised count never reached the heap and a tie went the wrong way
    /// (found comparing with rustbpe on Russian man pages at 8000 tokens).
    @Test func pairTableGrowthDuringAMergeKeepsCountsExact() {
        var rng = SplitMix(seed: 99)
        for round in 0..<40 {
            let alphabet = Array("abcdefgh".utf8).prefix(3 + round % 6)
            let words: [([UInt8], UInt64)] = (0..<Int.random(in: 20..<80, using: &rng)).map { _ in
                ((0..<Int.random(in: 2..<20, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! },
                 UInt64.random(in: 1...9, using: &rng))
            }
            let expected = referenceMerges(words, merges: 80)
            let got = fast(words, merges: 80, tableSize: 16)
            #expect(got.map(\.0.0) == expected.map(\.0.0) && got.map(\.0.1) == expected.map(\.0.1) && got.map(\.1) == expected.map(\.1),
                    "round \(round)")
        }
    }

    @Test func minFrequencyStopsEarly() {
        let words: [([UInt8], UInt64)] = [(Array("abab".utf8), 3), (Array("cd".utf8), 1)]
        let m = fast(words, merges: 10, minFrequency: 2)
        #expect(m.count == referenceMerges(words, merges: 10, minFrequency: 2).count)
        #expect(m.allSatisfy { $0.1 >= 2 })
    }

    @Test func runsOutOfPairsGracefully() {
        #expect(fast([(Array("ab".utf8), 1)], merges: 100).count == 1)
        #expect(fast([], merges: 100).isEmpty)
    }

    @Test func countsAreSixtyFourBit() {
        // Counts beyond Int32 must not overflow (rustbpe counts chunks in i32).
        let m = fast([(Array("ab".utf8), UInt64(Int32.max) * 3)], merges: 1)
        #expect(m.first?.1 == UInt64(Int32.max) * 3)
    }

    func tempDir() throws -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("bpe-train-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    static let sampleText = """
        The quick brown fox jumps over the lazy dog. Grüße aus Köln! 東京は雨です。
        Don't stop; we'll see. 12345 + 67890 = 80235.\r\n  indented line\n\n
        """

    @Test func trainsEncodesAndRoundTrips() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let corpusPath = "\(dir)/corpus.txt"
        let text = String(repeating: Self.sampleText, count: 40)
        try text.write(toFile: corpusPath, atomically: true, encoding: .utf8)
        let trainer = try Trainer(options: .init(vocabSize: 300, specialTokens: ["<|endoftext|>"]))
        let vocab = trainer.train(counts: try trainer.countChunks(in: Corpus(inputs: [corpusPath])))
        #expect(vocab.count == 300)
        #expect(vocab.specialTokens == ["<|endoftext|>": 300])
        let out = "\(dir)/my.tiktoken"
        try vocab.write(to: out)
        let enc = try Encoding.load(trained: out)
        #expect(enc.specialTokens == ["<|endoftext|>": 300])
        let ids = enc.encodeOrdinary(text)
        #expect(ids.count < text.utf8.count * 3 / 4)   // the merges compress
        #expect(try enc.decodeBytes(ids) == Array(text.utf8))
        var rng = SplitMix(seed: 2)
        for _ in 0..<50 {
            let bytes = (0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(try enc.decodeBytes(enc.encodeOrdinary(bytes: bytes)) == bytes)
        }
        #expect(try enc.encode("x<|endoftext|>", allowedSpecial: .all).last == 300)
    }

    @Test func sameResultOnAnyThreadCountAndFromShardedCounts() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for i in 0..<6 {
            try String(repeating: "doc \(i) " + Self.sampleText, count: 5 + i).write(toFile: "\(dir)/f\(i).txt", atomically: true, encoding: .utf8)
        }
        func run(threads: Int) throws -> [[UInt8]] {
            var o = Trainer.Options(vocabSize: 350)
            o.threads = threads
            let t = try Trainer(options: o)
            var corpus = try Corpus(inputs: [dir])
            corpus.blockSize = 300   // many blocks: exercises the parallel rounds
            return t.train(counts: try t.countChunks(in: corpus)).tokens
        }
        let one = try run(threads: 1)
        #expect(try run(threads: 2) == one)
        #expect(try run(threads: 5) == one)
        // Count two shards separately, write counts files, train from both.
        let t = try Trainer(options: .init(vocabSize: 350))
        let a = try t.countChunks(in: Corpus(inputs: ["\(dir)/f0.txt", "\(dir)/f1.txt", "\(dir)/f2.txt"]))
        let b = try t.countChunks(in: Corpus(inputs: ["\(dir)/f3.txt", "\(dir)/f4.txt", "\(dir)/f5.txt"]))
        try AtomicFile.write(a.countsFileData(pattern: t.options.tiktokenPattern), to: "\(dir)/a.counts")
        try AtomicFile.write(b.countsFileData(pattern: t.options.tiktokenPattern), to: "\(dir)/b.counts")
        var merged = ChunkCounter()
        try merged.addCountsFile("\(dir)/a.counts", pattern: t.options.tiktokenPattern)
        try merged.addCountsFile("\(dir)/b.counts", pattern: t.options.tiktokenPattern)
        #expect(t.train(counts: merged).tokens == one)
        #expect(throws: TrainingError.self) {
            var c = ChunkCounter()
            try c.addCountsFile("\(dir)/a.counts", pattern: "gpt2-something-else")
        }
    }

    @Test func safeCutsGiveTheSameCountsAsWholeDocuments() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = String(repeating: "alpha beta\nGamma  \n\ndelta!\nEpsilon 42\nzeta\r\nEta\n", count: 200)
        try text.write(toFile: "\(dir)/c.txt", atomically: true, encoding: .utf8)
        for pattern in ["gpt2", "cl100k", "o200k"] {
            let t = try Trainer(options: .init(vocabSize: 300, pattern: pattern))
            var small = try Corpus(inputs: ["\(dir)/c.txt"])
            small.blockSize = 64
            let whole = try t.countChunks(in: Corpus(inputs: ["\(dir)/c.txt"]))
            let cut = try t.countChunks(in: small)
            #expect(whole.sorted().map(\.chunk) == cut.sorted().map(\.chunk), "\(pattern)")
            #expect(whole.sorted().map(\.count) == cut.sorted().map(\.count), "\(pattern)")
        }
    }

    /// Blocks far smaller than a document, and separators straddling block edges: the reader
    /// resumes its scan where it stopped, and must still find every separator and safe cut.
    @Test func tinyBlocksGiveTheSameCountsAsWholeDocuments() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = String(repeating: "alpha beta<|endoftext|>Gamma  \n\ndelta!\nEpsilon 42<|endoftext|>zeta\r\nEta\n\n\nTheta\n\n\n\n", count: 50)
        try text.write(toFile: "\(dir)/c.txt", atomically: true, encoding: .utf8)
        let t = try Trainer(options: .init(vocabSize: 300, pattern: "cl100k"))
        // "\n\n" overlaps itself: "a\n\n\nb" is "a" and "\nb", as Python's str.split has it.
        for separator in [nil, Array("<|endoftext|>".utf8), Array("\n\n".utf8)] {
            let whole = try t.countChunks(in: Corpus(inputs: ["\(dir)/c.txt"], separator: separator))
            for blockSize in [1, 5, 7, 13, 64] {
                var small = try Corpus(inputs: ["\(dir)/c.txt"], separator: separator)
                small.blockSize = blockSize
                let cut = try t.countChunks(in: small)
                #expect(whole.sorted().map(\.chunk) == cut.sorted().map(\.chunk), "block \(blockSize)")
                #expect(whole.sorted().map(\.count) == cut.sorted().map(\.count), "block \(blockSize)")
            }
        }
    }

    @Test func documentSeparatorSplitsDocuments() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "one<|endoftext|>two<|endoftext|>one".write(toFile: "\(dir)/d.txt", atomically: true, encoding: .utf8)
        let t = try Trainer(options: .init(vocabSize: 260))
        let c = try t.countChunks(in: Corpus(inputs: ["\(dir)/d.txt"], separator: Array("<|endoftext|>".utf8)))
        #expect(c.sorted().map { String(decoding: $0.chunk, as: UTF8.self) } == ["one", "two"])
        #expect(c.sorted().map(\.count) == [2, 1])
    }

    /// The library's messages name its own parameters; `bpe` swaps in its flags through
    /// `message(naming:)` (the CLI wording is checked in bpeTests' ErrorWordingTests).
    @Test func errorsNameTheAPIParameters() {
        #expect(TrainingError.vocabSizeOutOfRange(255).description
            == "vocabSize must be between 256 (the single bytes) and 2147483647, got 255")
        #expect(TrainingError.noThreads(0).description == "threads must be at least 1, got 0")
        #expect(TrainingError.zeroMinFrequency.description == "minFrequency must be at least 1")
        #expect(TrainingError.duplicateSpecialToken("<|a|>").description == "'<|a|>' is given twice in specialTokens")
        #expect(Corpus.Error.invalidUTF8(file: "f.txt", offset: 3).description
            == "f.txt: invalid UTF-8 at byte 3; fix the file, or use lossy to replace bad bytes with U+FFFD")
        #expect(Corpus.Error.emptySeparator.description == "separator must not be empty")
        #expect(TrainingError.patternMismatch(path: "a.counts", expected: "x", found: "y").description.hasSuffix("use the same pattern"))
        // A front end's spelling replaces every parameter.
        let shouted = TrainingError.vocabSizeOutOfRange(1).message(naming: { $0.rawValue.uppercased() })
        #expect(shouted.hasPrefix("VOCABSIZE must be"))
        for p in Trainer.Parameter.allCases {
            #expect(!p.rawValue.hasPrefix("-"), "a parameter named like a flag: \(p)")
        }
    }

    @Test func invalidUTF8NamesFileAndOffsetUnlessLossy() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data([0x61, 0x62, 0x20, 0xFF, 0x63]).write(to: URL(fileURLWithPath: "\(dir)/bad.txt"))
        let t = try Trainer(options: .init(vocabSize: 260))
        #expect(throws: Corpus.Error.invalidUTF8(file: "\(dir)/bad.txt", offset: 3)) {
            try t.countChunks(in: Corpus(inputs: ["\(dir)/bad.txt"]))
        }
        let lossy = try Trainer(options: .init(vocabSize: 260, lossy: true))
        let c = try lossy.countChunks(in: Corpus(inputs: ["\(dir)/bad.txt"]))
        #expect(c.sorted().map(\.chunk) == [Array(" \u{FFFD}".utf8), Array("ab".utf8), Array("c".utf8)])
    }

    @Test func badInputsAreClearErrors() throws {
        #expect(throws: TrainingError.vocabSizeOutOfRange(255)) { try Trainer(options: .init(vocabSize: 255)) }
        #expect(throws: TrainingError.vocabSizeOutOfRange(1 << 31)) { try Trainer(options: .init(vocabSize: 1 << 31)) }
        #expect(throws: TrainingError.noThreads(0)) { try Trainer(options: .init(vocabSize: 300, threads: 0)) }
        #expect(throws: TrainingError.zeroMinFrequency) { try Trainer(options: .init(vocabSize: 300, minFrequency: 0)) }
        #expect(throws: TrainingError.duplicateSpecialToken("<|a|>")) {
            try Trainer(options: .init(vocabSize: 300, specialTokens: ["<|a|>", "<|b|>", "<|a|>"]))
        }
        #expect(throws: TrainingError.emptySpecialToken) { try Trainer(options: .init(vocabSize: 300, specialTokens: [""])) }
        #expect(throws: Corpus.Error.emptySeparator) { try Corpus(inputs: [], separator: []) }
        #expect(throws: Corpus.Error.notFound("/nonexistent/x.txt")) { try Corpus(inputs: ["/nonexistent/x.txt"]) }
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "".write(toFile: "\(dir)/empty.txt", atomically: true, encoding: .utf8)
        #expect(throws: Corpus.Error.noInput) {
            try Trainer(options: .init(vocabSize: 300)).countChunks(in: Corpus(inputs: ["\(dir)/empty.txt"]))
        }
        // An empty counts file says so (the check used to sit after the loop, unreachable:
        // the empty first line failed the header check first).
        #expect(throws: TrainingError.badCountsFile(path: "\(dir)/empty.txt", line: 1, reason: "empty file; make one with bpe count-words")) {
            var c = ChunkCounter()
            try c.addCountsFile("\(dir)/empty.txt", pattern: "cl100k")
        }
    }
}
