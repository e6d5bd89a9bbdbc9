@testable import BPE
import Testing
import TestSupport

/// The piece cache's compact tier (pieces of 5 to 16 bytes, up to six 20-bit tokens, two
/// slots a line) must give back exactly what was put in, for exactly the same bytes.
@Suite struct CompactPieceTierTests {
    final class Tier {
        let tier: CompactPieceTier
        init(sets: Int = CompactPieceTier.initialSets) { tier = CompactPieceTier(sets: sets) }
        deinit { tier.deallocate() }

        func insert(_ key: [UInt8], _ tokens: [Rank]) {
            key.withUnsafeBufferPointer { k in
                tokens.withUnsafeBufferPointer { tier.insert(k.baseAddress!, key.count, tokens: $0.baseAddress!, count: tokens.count) }
            }
        }

        func lookup(_ key: [UInt8]) -> [Rank]? {
            var sink = ArraySink()
            let hit = key.withUnsafeBufferPointer { tier.lookup($0.baseAddress!, key.count, into: &sink) } == .hit
            return hit ? sink.tokens : nil
        }

        func setIndex(_ key: [UInt8]) -> Int { sets(key).own }
        func sets(_ key: [UInt8]) -> (own: Int, other: Int) {
            key.withUnsafeBufferPointer { tier.setIndices($0.baseAddress!, key.count) }
        }
    }

    @Test func everyLengthAndCountComesBackExactly() {
        let t = Tier()
        var rng = SplitMix(seed: 3)
        for n in PieceCache.minKey...CompactPieceTier.maxKey {
            for count in 1...CompactPieceTier.maxTokens {
                // Bytes with zeros among them; ranks from 0 to the largest that packs.
                let key = (0..<n).map { _ in [0, 0x20, 0xE4, 0xFF, UInt8.random(in: 0...255, using: &rng)].randomElement(using: &rng)! }
                let tokens = (0..<count).map { i in i == 0 ? Rank((1 << 20) - 1) : i == 1 ? 0 : Rank.random(in: 0..<(1 << 20), using: &rng) }
                t.insert(key, tokens)
                #expect(t.lookup(key) == tokens, "\(n) bytes, \(count) tokens")
            }
        }
        #expect(Tier().lookup(Array(repeating: 0, count: 8)) == nil)   // an empty slot is all zeros
    }

    /// The padding of a short key is zeros, so a piece and the same piece with zero bytes
    /// added pack alike: the length tells them apart. A prefix is another piece.
    @Test func lengthAndBytesDecideNotThePacking() {
        let t = Tier()
        for n in [5, 7, 8, 9, 15] {
            let key = Array("abcdefghijklmnop".utf8.prefix(n - 2)) + [0, 0]
            t.insert(key, [1, 2])
            #expect(t.lookup(key + [0]) == nil, "\(n) + a zero byte")
            #expect(t.lookup(Array(key.dropLast())) == nil, "\(n) - a zero byte")
            #expect(t.lookup(key) == [1, 2])
        }
        // The length is hashed too, so the lookups above went to other sets: pieces that differ
        // only by a trailing zero byte and share a set test the comparison itself.
        var rng = SplitMix(seed: 5)
        var found = 0
        while found < 3 {
            let key = (0..<Int.random(in: 5...15, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            guard t.setIndex(key) == t.setIndex(key + [0]) else { continue }
            found += 1
            t.insert(key, [3])
            #expect(t.lookup(key + [0]) == nil)
            t.insert(key + [0], [4])
            #expect(t.lookup(key) == [3] && t.lookup(key + [0]) == [4])
        }
        let word = Array(" hello world!".utf8)
        t.insert(word, [7, 8, 9])
        #expect(t.lookup(Array(word.dropLast())) == nil)
        var other = word
        other[11] ^= 1
        #expect(t.lookup(other) == nil)
    }

    @Test func piecesThatDoNotPackAreNotKept() {
        let t = Tier()
        let a = Array("seventokens".utf8), b = Array("toolargerank".utf8), c = Array("sixtokens!".utf8)
        t.insert(a, [1, 2, 3, 4, 5, 6, 7])
        t.insert(b, [1, 1 << 20])
        t.insert(c, [1, 2, 3, 4, 5, (1 << 20) - 1])
        #expect(t.lookup(a) == nil)
        #expect(t.lookup(b) == nil)
        #expect(t.lookup(c) == [1, 2, 3, 4, 5, (1 << 20) - 1])
    }

    /// Three pieces of one set: the third goes to its other set, and all three are found.
    @Test func aFullSetSendsANewPieceToItsOtherSet() {
        let t = Tier()
        var rng = SplitMix(seed: 11)
        var bySet: [Int: [[UInt8]]] = [:]
        var three: [[UInt8]] = []
        while three.isEmpty {
            let key = (0..<12).map { _ in UInt8.random(in: 97...122, using: &rng) }
            let (own, other) = t.sets(key)
            guard own != other else { continue }
            bySet[own, default: []].append(key)
            if bySet[own]!.count == 3 { three = bySet[own]! }
        }
        t.insert(three[0], [10])
        t.insert(three[1], [11])
        t.insert(three[2], [12, 13])
        #expect(t.lookup(three[0]) == [10] && t.lookup(three[1]) == [11] && t.lookup(three[2]) == [12, 13])
        #expect(t.tier.evictionCount == 0)
    }

    /// A piece whose set and other set are both full takes the first slot of its own set; the
    /// piece there moves second, and the one put in before both goes. The other set keeps its
    /// pieces. (A tier of 8 sets, so that keys of given sets are quick to find.)
    @Test func bothSetsFullDropsTheOlderPieceOfItsOwn() {
        let t = Tier(sets: 8)
        var rng = SplitMix(seed: 13)
        func key(own wanted: Int? = nil, otherThan: Int? = nil) -> [UInt8] {
            while true {
                let key = (0..<Int.random(in: 5...16, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                let (own, other) = t.sets(key)
                if let wanted, own != wanted { continue }
                if let otherThan, other == otherThan || own == other { continue }
                return key
            }
        }
        let p = key(otherThan: -1)
        let (own, other) = t.sets(p)
        let a1 = key(own: own), a2 = key(own: own), b1 = key(own: other), b2 = key(own: other)
        for (k, r) in [(a1, 1), (a2, 2), (b1, 3), (b2, 4)] { t.insert(k, [Rank(r)]) }
        #expect(t.tier.evictionCount == 0)
        t.insert(p, [5, 6])
        #expect(t.tier.evictionCount == 1)
        #expect(t.lookup(p) == [5, 6])
        #expect(t.lookup(a1) == nil)
        #expect(t.lookup(a2) == [2] && t.lookup(b1) == [3] && t.lookup(b2) == [4])
    }

    /// At its ``CompactPieceTier/growAfter``-th eviction the tier doubles, once, and the
    /// pieces it held are still found: all but those whose two new sets both filled (at the
    /// half load of a doubled tier, a few in a thousand) and one the growing piece may evict.
    @Test func growsOnceAndKeepsItsPieces() {
        let t = Tier()
        var rng = SplitMix(seed: 12)
        var keys: [[UInt8]] = []
        func next() -> [UInt8] {
            let key = (0..<Int.random(in: 5...16, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            keys.append(key)
            t.insert(key, [Rank(keys.count - 1)])
            return key
        }
        while t.tier.evictionCount < CompactPieceTier.growAfter - 1 { _ = next() }
        #expect(t.tier.slotCount == 2 * CompactPieceTier.initialSets)
        let held = keys.indices.filter { t.lookup(keys[$0]) != nil }
        while t.tier.slotCount == 2 * CompactPieceTier.initialSets { _ = next() }
        #expect(t.tier.slotCount == 4 * CompactPieceTier.initialSets)
        #expect(t.lookup(keys.last!) == [Rank(keys.count - 1)])
        let still = held.filter { t.lookup(keys[$0]) == [Rank($0)] }
        #expect(still.count >= held.count - held.count / 200, "\(held.count - still.count) of \(held.count) lost")
        for _ in 0..<(4 * CompactPieceTier.growAfter) { _ = next() }
        #expect(t.tier.slotCount == 4 * CompactPieceTier.initialSets)
    }
}
