@testable import BPE
import Foundation
import Testing
import TestSupport

/// A built vocabulary finds tokens by their bytes in two tables, `ShortTokenTable` (up to 8
/// bytes) and `LongTokenTable` (more); together they must answer exactly as a dictionary of
/// every token does, for tokens and for byte strings that are not tokens, whether the
/// vocabulary was built here or mapped from its cached image.
@Suite struct LongTokenTableTests {
    /// Every token finds its own id; near misses (a byte changed, dropped or added, two
    /// tokens joined) and random bytes find what the dictionary says, usually nothing.
    @Test(arguments: ["r50k_base", "cl100k_base", "o200k_base"])
    func lookupsAgreeWithADictionary(_ name: String) throws {
        let v = try Encoding.builtin(name).vocabulary
        var byBytes: [[UInt8]: Rank] = [:]
        for r in 0..<v.count {
            if let t = v.tokenBytes(Rank(r)), !t.isEmpty { byBytes[t] = Rank(r) }
        }
        var long = 0
        for (bytes, id) in byBytes {
            #expect(v.rank(of: bytes) == id, "\(name): token \(id) (\(bytes.count) bytes) not found")
            if bytes.count >= LongTokenTable.minimumLength { long += 1 }
        }
        #expect(long > 1_000, "\(name): the long table is exercised")
        var rng = SplitMix(seed: 9)
        let tokens = Array(byBytes.keys)
        var probes: [[UInt8]] = []
        for _ in 0..<40_000 {
            var t = tokens.randomElement(using: &rng)!
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: t[Int.random(in: 0..<t.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            case 1: t.removeLast()
            case 2: t.append(UInt8.random(in: 0...255, using: &rng))
            case 3: t += tokens.randomElement(using: &rng)!
            default: t = (0..<Int.random(in: 1...30, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            }
            probes.append(t)
        }
        var misses = 0
        for p in probes {
            #expect(v.rank(of: p) == byBytes[p], "\(name): \(p.count) bytes")
            if byBytes[p] == nil { misses += 1 }
        }
        #expect(misses > 10_000, "\(name): misses are exercised")
        #expect(v.rank(of: []) == nil)
    }

    /// The table in a cache image is the table that was built: slot for slot.
    @Test func imageKeepsTheTableSlotForSlot() throws {
        let path = try VocabLocator().locate("cl100k_base.tiktoken")
        let bytes = try readFile(path)
        let digest = FileDigest(of: bytes)
        let built = try Vocabulary(tiktoken: bytes, source: path)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpe-long-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/image"
        try Data(built.image(sourceSHA256: digest.bytes)).write(to: URL(fileURLWithPath: file))
        let file2 = try #require(MappedFile(path: file))
        let mapped = try #require(Vocabulary(image: file2, sourceSHA256: digest.bytes))
        let a = built.longTable.storage, b = mapped.longTable.storage
        #expect(a.count == b.count)
        #expect(UnsafeRawBufferPointer(start: a.base, count: a.count * MemoryLayout<LongTokenTable.Slot>.stride)
            .elementsEqual(UnsafeRawBufferPointer(start: b.base, count: b.count * MemoryLayout<LongTokenTable.Slot>.stride)))
    }
}
