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

    /// The filter in front of the slots never hides a pair that is there, in either layout,
    /// so `findLikelyAbsent` answers as `find` does; and it keeps most absent pairs away from
    /// the slots (about one in 20 passes at this load; more than one in 10 means the hash or
    /// the sizing went wrong).
    @Test func filterNeverHidesAPair() {
        for compact in [true, false] {
            var rng = SplitMix(seed: 33)
            let n = 40_000
            let table = PairTable(capacity: n, compact: compact)
            var recorded = Set<UInt64>()
            while recorded.count < n {
                let l = Rank.random(in: 0..<200_000, using: &rng), r = Rank.random(in: 0..<200_000, using: &rng)
                guard recorded.insert(UInt64(l) << 32 | UInt64(r)).inserted else { continue }
                table.insert(left: l, right: r, merged: l ^ r, priority: l ^ r)
            }
            var hidden = 0, differ = 0
            for k in recorded {
                let (l, r) = (Rank(k >> 32), Rank(k & 0xFFFF_FFFF))
                if !table.filterPasses(left: l, right: r) || Rank(truncatingIfNeeded: table.findLikelyAbsent(left: l, right: r)) != l ^ r { hidden += 1 }
            }
            #expect(hidden == 0, "\(hidden) recorded pairs were hidden (compact: \(compact))")
            var passed = 0, absent = 0
            for _ in 0..<100_000 {
                let l = Rank.random(in: 0..<200_000, using: &rng), r = Rank.random(in: 0..<200_000, using: &rng)
                if table.findLikelyAbsent(left: l, right: r) != table.find(left: l, right: r) { differ += 1 }
                if !recorded.contains(UInt64(l) << 32 | UInt64(r)) {
                    absent += 1
                    if table.filterPasses(left: l, right: r) { passed += 1 }
                }
            }
            #expect(differ == 0)
            #expect(passed * 10 < absent, "\(passed) of \(absent) absent pairs passed the filter (compact: \(compact))")
        }
    }

    /// The filters of the built-in encodings as loaded (from the cache image, when there is
    /// one) let every pair in their tables through.
    @Test(arguments: ["r50k_base", "cl100k_base", "o200k_base"])
    func builtinFiltersHoldEveryPair(_ name: String) throws {
        let pairs = try Encoding.builtin(name).vocabulary.pairs
        #expect(pairs.compact)
        var held = 0, hidden = 0
        for i in 0..<pairs.storage.count where pairs.storage.base[i] != .max {
            let w = pairs.storage.base[i], field: UInt64 = (1 << 21) - 1
            held += 1
            if !pairs.filterPasses(left: Rank(w & field), right: Rank(w >> 21 & field)) { hidden += 1 }
        }
        #expect(held == pairs.count && hidden == 0, "\(name): \(hidden) of \(held) pairs hidden")
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
