import BPE
import BPERegex
import Foundation
import Testing

/// Replays the fuzz seeds (Fixtures/fuzz/<target>/) and every crash input scripts/fuzz.sh has
/// saved (Fixtures/fuzz/crashes/<target>-<hash>) through the fuzz targets' checks, so a crash
/// once found stays fixed. The checks repeat Sources/FuzzTargets/*/…Check.swift with
/// `#expect` in place of traps (a test target cannot import an executable target); keep the
/// two in step. FuzzParsers' llm.c shard check lives in TokenFeed, which this target does not
/// link: replay those inputs with `.build/debug/FuzzParsers FILE`.
@Suite struct FuzzRegressionTests {
    static let fuzzDirectory = fixturesDirectory + "/fuzz"

    /// "Target/file" for the seeds and crash inputs of `target`.
    static func inputs(_ target: String) -> [String] {
        let files = FileManager.default
        let seeds = ((try? files.contentsOfDirectory(atPath: "\(fuzzDirectory)/\(target)")) ?? [])
            .filter { !$0.hasPrefix(".") }.map { "\(target)/\($0)" }
        let crashes = ((try? files.contentsOfDirectory(atPath: "\(fuzzDirectory)/crashes")) ?? [])
            .filter { $0.hasPrefix(target + "-") }.map { "crashes/\($0)" }
        return (seeds + crashes).sorted()
    }

    static func bytes(_ input: String) throws -> [UInt8] {
        try Array(Data(contentsOf: URL(fileURLWithPath: "\(fuzzDirectory)/\(input)")))
    }

    @Test func seedsArePresent() {
        for target in ["FuzzEncode", "FuzzParsers", "FuzzSplit"] {
            #expect(!Self.inputs(target).isEmpty, "no seeds in Fixtures/fuzz/\(target)")
        }
    }

    // MARK: FuzzEncode

    @Test(arguments: inputs("FuzzEncode"))
    func encodeRoundTrips(_ input: String) throws {
        let bytes = try Self.bytes(input)
        for name in builtinNames {
            let enc = try Encoding.builtin(name)
            let tokens = enc.encodeOrdinary(bytes: bytes)
            #expect(try enc.decodeBytes(tokens) == bytes, "\(name): decodeBytes(encodeOrdinary(x)) != x")
            #expect(try enc.countTokens(bytes: bytes, disallowedSpecial: .none) == tokens.count, "\(name)")
            // Allowing special tokens keeps the bytes, unless two texts share an id
            // (o200k_harmony's <|endofprompt|> and <|reserved_200018|>): then the ids are kept.
            let special = try enc.encode(bytes: bytes, allowedSpecial: .all)
            let decoded = try enc.decodeBytes(special)
            if decoded != bytes {
                #expect(try enc.encode(bytes: decoded, allowedSpecial: .all) == special,
                        "\(name): allowing special tokens changed the bytes")
            }
            if bytes.withUnsafeBufferPointer(UTF8Validation.isValid) {
                #expect(enc.encodeOrdinaryBatch([String(decoding: bytes, as: UTF8.self)]) == [tokens],
                        "\(name): batch and byte paths disagree")
            }
        }
    }

    // MARK: FuzzParsers

    @Test(arguments: inputs("FuzzParsers"))
    func parsersThrowRatherThanTrap(_ input: String) throws {
        let bytes = try Self.bytes(input)
        if let vocabulary = try? Vocabulary(tiktoken: bytes, source: input) {
            _ = try Vocabulary(tiktoken: vocabulary.tiktokenData(), source: "rewritten \(input)")
        }

        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("fuzz-regression-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let vocabPath = directory + "/v.tiktoken"
        try Data(bytes).write(to: URL(fileURLWithPath: Sidecar.path(for: vocabPath)))
        _ = try? Sidecar.load(for: vocabPath)

        let countsPath = directory + "/words.counts"
        try Data(bytes).write(to: URL(fileURLWithPath: countsPath))
        var counter = ChunkCounter()
        _ = try? counter.addCountsFile(countsPath, pattern: SplitPattern.cl100kTiktoken)
    }

    // MARK: FuzzSplit

    @Test(arguments: inputs("FuzzSplit"))
    func splitTilesAndFastPathAgrees(_ input: String) throws {
        let bytes = try Self.bytes(input)
        for (name, fast) in [("gpt2", FastPath.gpt2), ("cl100k", .cl100k), ("o200k", .o200k)] {
            let source = try #require(SplitPattern.preset(name))
            let pieces = try Pattern(source).split(bytes)
            var next = 0
            for r in pieces {
                #expect(!r.isEmpty && r.lowerBound == next, "\(name): piece \(r) after \(next)")
                next = r.upperBound
            }
            #expect(next == bytes.count, "\(name): pieces end at \(next) of \(bytes.count)")
            #expect(try Pattern(source, fastPath: fast).split(bytes) == pieces, "\(name): fast path differs")
        }
    }
}
