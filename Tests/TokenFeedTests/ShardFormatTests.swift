import Foundation
import Testing
import TestSupport
@testable import TokenFeed

/// The llm.c shard format, byte for byte, and the reader's checks.
@Suite struct ShardFormatTests {
    func writeShard(_ dir: TempDir, _ name: String, _ tokens: [UInt32], _ dtype: TokenDType) throws -> String {
        let path = dir.file(name)
        let w = try ShardWriter(path: path, layout: .llmc, dtype: dtype)
        // Several appends, one bigger than the writer's 1 MiB buffer.
        try w.append(tokens.prefix(3))
        try w.append(tokens.dropFirst(3))
        try w.finish()
        return path
    }

    @Test("write then read gives the tokens back", arguments: TokenDType.allCases)
    func roundTrip(_ dtype: TokenDType) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let top: UInt32 = dtype == .uint16 ? 65535 : 200_018
        var rng = SplitMix(seed: 7)
        let tokens: [UInt32] = [0, 1, top, 50256] + (0..<700_000).map { _ in UInt32(rng.next() % UInt64(top + 1)) }
        let path = try writeShard(dir, "t_train_000001.bin", tokens, dtype)
        let shard = try LLMCShard.read(path: path)
        #expect(shard.tokens == tokens)
        #expect(shard.dtype == dtype)
        #expect(readBytes(path).count == 1024 + tokens.count * dtype.width)
    }

    @Test("header fields are exactly llm.c's")
    func headerFields() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let p16 = try writeShard(dir, "a.bin", [50256, 31373, 995, 0, 65535], .uint16)
        let b16 = readBytes(p16)
        #expect(b16.count == 1024 + 5 * 2)
        #expect(int32(b16, at: 0) == 20240520 && int32(b16, at: 4) == 1 && int32(b16, at: 8) == 5)
        #expect(b16[12..<1024].allSatisfy { $0 == 0 })
        #expect(Array(b16[1024..<1030]) == [0x50, 0xC4, 0x8D, 0x7A, 0xE3, 0x03])  // 50256, 31373, 995 LE

        let p32 = try writeShard(dir, "b.bin", [199_999, 7], .uint32)
        let b32 = readBytes(p32)
        #expect(b32.count == 1024 + 2 * 4)
        #expect(int32(b32, at: 0) == 20240801 && int32(b32, at: 4) == 7 && int32(b32, at: 8) == 2)
        #expect(b32[12..<1024].allSatisfy { $0 == 0 })
        #expect(Array(b32[1024..<1032]) == [0x3F, 0x0D, 0x03, 0x00, 7, 0, 0, 0])
        let s = try LLMCShard.read(path: p32)
        #expect(s.magic == 20240801 && s.version == 7 && s.tokens == [199_999, 7])
    }

    @Test("an empty shard is a header with count 0")
    func emptyShard() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let p = try writeShard(dir, "e.bin", [], .uint16)
        #expect(readBytes(p).count == 1024)
        #expect(try LLMCShard.read(path: p).tokens == [])
    }

    @Test("the reader rejects a wrong magic, naming the file and the expected magics")
    func wrongMagic() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let p = try writeShard(dir, "m.bin", [1, 2, 3], .uint16)
        var b = readBytes(p)
        b[0] = 0x11
        dir.write("m.bin", b)
        let e = #expect(throws: ShardError.self) { try LLMCShard.read(path: p) }
        #expect(e == .badMagic(path: p, found: int32(b, at: 0)))
        #expect(e?.description.contains("m.bin") == true && e?.description.contains("20240520") == true)
    }

    @Test("the reader rejects a wrong version for the magic")
    func wrongVersion() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let p = try writeShard(dir, "v.bin", [1, 2, 3], .uint16)
        var b = readBytes(p)
        b[4] = 7  // version 7 belongs to uint32 shards
        dir.write("v.bin", b)
        let e = #expect(throws: ShardError.self) { try LLMCShard.read(path: p) }
        #expect(e == .badVersion(path: p, magic: 20240520, found: 7, expected: 1))
        #expect(e?.description.contains("v.bin") == true && e?.description.contains("version 7") == true)
    }

    @Test("the reader rejects truncated files and trailing bytes")
    func truncated() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let p = try writeShard(dir, "t.bin", [1, 2, 3, 4], .uint32)
        let b = readBytes(p)

        dir.write("t.bin", Array(b.dropLast(1)))
        let e1 = #expect(throws: ShardError.self) { try LLMCShard.read(path: p) }
        #expect(e1 == .truncated(path: p, declared: 4, present: 3))
        #expect(e1?.description.contains("truncated") == true && e1?.description.contains("t.bin") == true)

        dir.write("t.bin", Array(b.prefix(100)))
        let e2 = #expect(throws: ShardError.self) { try LLMCShard.read(path: p) }
        #expect(e2 == .truncatedHeader(path: p, size: 100))

        dir.write("t.bin", b + [0, 0])
        let e3 = #expect(throws: ShardError.self) { try LLMCShard.read(path: p) }
        #expect(e3 == .trailingBytes(path: p, declared: 4, extra: 2))

        var negative = b
        negative[11] = 0x80
        dir.write("t.bin", negative)
        #expect(throws: ShardError.badTokenCount(path: p, count: int32(negative, at: 8))) { try LLMCShard.read(path: p) }

        let missing = dir.file("nope.bin")
        let e4 = #expect(throws: ShardError.self) { try LLMCShard.read(path: missing) }
        #expect(e4?.description.hasPrefix(missing) == true)
    }

    @Test("a uint16 shard refuses ids over 65535; an unfinished writer leaves nothing")
    func writerChecks() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let p = dir.file("w.bin")
        do {
            let w = try ShardWriter(path: p, layout: .llmc, dtype: .uint16)
            #expect(throws: ShardError.tokenTooLarge(path: p, token: 70000, dtype: .uint16)) { try w.append([1, 70000]) }
            #expect(w.tokenCount == 0)
            try w.append([5])
            // Dropped without finish().
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        let w = try ShardWriter(path: p, layout: .llmc, dtype: .uint16)
        try w.append([5])
        w.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test("raw nanoGPT files: tokens only")
    func rawFiles() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        for dtype in TokenDType.allCases {
            let p = dir.file("train-\(dtype).bin")
            let w = try ShardWriter(path: p, layout: .raw, dtype: dtype)
            try w.append([3, 1, 4, 1, 5])
            try w.finish()
            #expect(readBytes(p).count == 5 * dtype.width)
            #expect(try NanoGPTBin.read(path: p, dtype: dtype) == [3, 1, 4, 1, 5])
        }
        let odd = dir.write("odd.bin", [1, 2, 3])
        #expect(throws: ShardError.rawSizeNotMultiple(path: odd, size: 3, dtype: .uint16)) { try NanoGPTBin.read(path: odd, dtype: .uint16) }
    }

    @Test("files(in:split:) lists one split's shards in order")
    func listing() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        for f in ["a_train_000002.bin", "a_train_000001.bin", "a_val_000000.bin", "b_train_000001.bin",
                  ".a_train_000003.bin.tmp-1-2", "a_train_1.bin", "notes.txt", "a_train_000010.bin"] {
            dir.write(f, [])
        }
        #expect(LLMCShard.files(in: dir.path, split: "train", name: "a").map { ($0 as NSString).lastPathComponent }
                == ["a_train_000001.bin", "a_train_000002.bin", "a_train_000010.bin"])
        #expect(LLMCShard.files(in: dir.path, split: "train").count == 4)
        #expect(LLMCShard.files(in: dir.path, split: "val") == [dir.file("a_val_000000.bin")])
        #expect(LLMCShard.files(in: dir.file("missing"), split: "val") == [])
        #expect(LLMCShard.fileName(name: "gpt2", split: "train", index: 12) == "gpt2_train_000012.bin")
    }

    @Test("meta.json round-trips and a bad one is named")
    func metaFile() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        var meta = ShardMeta(tool: TokenFeed.tool, format: "llmc", dtype: .uint16, name: "x", nVocab: 300, eotToken: 256,
                             sources: ["/a"], splits: ["train": .init(documents: 2, tokens: 9, files: ["x_train_000001.bin"])])
        meta.specialTokens = ["<|endoftext|>": 256, "<|Upper|>": 257]
        meta.valFraction = 0.1
        dir.write("meta.json", try meta.encoded())
        let text = String(decoding: readBytes(dir.file("meta.json")), as: UTF8.self)
        #expect(text.contains("\"n_vocab\"") && text.contains("\"eot_token\"") && text.contains("<|Upper|>"))
        #expect(try ShardMeta.load(directory: dir.path) == meta)

        dir.write("meta.json", "{\"version\": 1}")
        let e = #expect(throws: ShardError.self) { try ShardMeta.load(directory: dir.path) }
        #expect(e?.description.contains("meta.json") == true)
        let e2 = #expect(throws: ShardError.self) { try ShardMeta.load(directory: dir.file("none")) }
        #expect(e2?.description.contains("no such file") == true)
    }
}
