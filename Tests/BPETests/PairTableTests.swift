@testable import BPE
import Foundation
import Testing
import TestSupport

/// `PairTable`'s two layouts: the compact one (one word a slot, tiktoken's rule) answers
/// every lookup exactly as the wide one does, and each vocabulary gets the layout it should.
@Suite struct PairTableTests {
    /// Random merges, ranks up to the compact layout's limit, some pairs recorded twice:
    /// both layouts give the same merge for every recorded pair and for pairs never recorded
    /// (including ones that share a half, or differ only above bit 21).
    @Test func compactAndWideAgree() {
        var rng = SplitMix(seed: 21)
        let top = Rank((1 << 21) - 2)
        let n = 5_000
        let compact = PairTable(capacity: n, compact: true), wide = PairTable(capacity: n, compact: false)
        var recorded: [(Rank, Rank)] = []
        for k in 0..<n {
            let redo = k % 10 == 9 && !recorded.isEmpty
            let (l, r) = redo ? recorded[Int.random(in: 0..<recorded.count, using: &rng)]
                : (k < 20 ? top - Rank(k) : Rank.random(in: 0...top, using: &rng), Rank.random(in: 0...top, using: &rng))
            let merged = Rank.random(in: 0...top, using: &rng)
            compact.insert(left: l, right: r, merged: merged, priority: merged)
            wide.insert(left: l, right: r, merged: merged, priority: merged)
            if !redo { recorded.append((l, r)) }
        }
        #expect(compact.count == wide.count)
        #expect(compact.storage.count * 2 == wide.storage.count)
        for (l, r) in recorded {
            let m = compact.find(left: l, right: r)
            #expect(m != .max && m == wide.find(left: l, right: r))
        }
        for (l, r) in recorded.prefix(500) {
            for (a, b) in [(r, l), (l, r &+ 1), (l ^ 1, r), (top, top), (l, top), (0, 0)] {
                #expect(compact.find(left: a, right: b) == wide.find(left: a, right: b), "(\(a), \(b))")
            }
        }
    }

    /// The built-in encodings and a trained vocabulary merge by tiktoken's rule: compact. A
    /// merge list keeps the wide layout, since its priorities are not the merged ranks. The
    /// layout survives the cache image.
    @Test func eachVocabularyGetsItsLayout() throws {
        for name in ["r50k_base", "cl100k_base", "o200k_base"] {
            #expect(try Encoding.builtin(name).vocabulary.pairs.compact, "\(name)")
        }
        let bytes: [[UInt8]?] = (0..<256).map { [UInt8($0)] } + [[98, 99], [97, 98, 99]]
        let list = try Vocabulary(tokensByID: bytes, mergeRule: .mergeList([(98, 99), (97, 256)], ignoreMerges: false))
        #expect(!list.pairs.compact)
        let mapped = try #require(Vocabulary(image: try Self.mapped(list.image(sourceSHA256: Array(repeating: 7, count: 32))),
                                             sourceSHA256: Array(repeating: 7, count: 32)))
        #expect(!mapped.pairs.compact && mapped.mergedRank(98, 99) == 256 && mapped.mergedRank(97, 256) == 257)
        let tiktoken = try Vocabulary(tokensByID: bytes, mergeRule: .tiktoken)
        #expect(tiktoken.pairs.compact && tiktoken.mergedRank(98, 99) == 256 && tiktoken.mergedRank(97, 256) == 257)
        let back = try #require(Vocabulary(image: try Self.mapped(tiktoken.image(sourceSHA256: Array(repeating: 8, count: 32))),
                                           sourceSHA256: Array(repeating: 8, count: 32)))
        #expect(back.pairs.compact && back.mergedRank(98, 99) == 256 && back.mergedRank(97, 256) == 257)
    }

    static func mapped(_ image: [UInt8]) throws -> MappedFile {
        let path = NSTemporaryDirectory() + "pairs-\(UInt64.random(in: 0...UInt64.max)).img"
        try Data(image).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        return try #require(MappedFile(path: path))
    }
}
