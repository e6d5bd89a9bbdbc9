@testable import BPE
import Testing
import TestSupport

/// The batched encoder's table of short pieces: keys, growth, a full table, and that
/// encoding through it (and around it, once a full table misses) changes no id.
@Suite struct PieceTableTests {
    /// The two ways of making a key agree for every length, whatever bytes follow the piece.
    @Test func wideAndNarrowKeysAgree() {
        var rng = SplitMix(seed: 3)
        for _ in 0..<2_000 {
            let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
            bytes.withUnsafeBufferPointer { b in
                for n in 1...PieceTable.maxKey {
                    let wide = PieceTable.key(b.baseAddress!, n, masks: PieceTable.keyMasks)
                    #expect(wide == PieceTable.key(b.baseAddress!, n))
                    #expect(wide.high >> 56 == UInt64(n))
                }
            }
        }
    }

    /// Keys differ by length even where the bytes are zeros, and no key is the empty entry.
    @Test func keysTellLengthsApart() {
        let zeros = [UInt8](repeating: 0, count: 32)
        zeros.withUnsafeBufferPointer { b in
            let keys = (1...PieceTable.maxKey).map { PieceTable.key(b.baseAddress!, $0, masks: PieceTable.keyMasks) }
            #expect(Set(keys.map { $0.high }).count == PieceTable.maxKey)
            #expect(keys.allSatisfy { $0.high != 0 })
        }
    }

    func key(_ i: Int) -> PieceTable.Key {
        let bytes = Array("piece \(i)".utf8)
        return bytes.withUnsafeBufferPointer { PieceTable.key($0.baseAddress!, bytes.count) }
    }

    /// A table of 8 entries grows as pieces come and keeps every one: one to three tokens
    /// plain, four to six packed, a piece of more than six, or of four to six with a token of
    /// 2^20 or more, in the arena, and a piece of none as a mark that sends the encoder.
    @Test func growsAndKeepsEverything() {
        let table = PieceTable(initialEntries: 8, maxEntries: 1 << 12)
        defer { table.deallocate() }
        func tokens(_ i: Int) -> [Rank] {
            // Piece 9 (mod 10) has a token of 2^20 - 1, the largest that packs; piece 8 one of 2^20.
            let big: Rank = i % 10 == 8 ? 1 << 20 : i % 10 == 9 ? (1 << 20) - 1 : 0
            return (0..<(i % 8)).map { Rank(i * 10 + $0) | ($0 == 1 ? big : 0) }
        }
        for i in 0..<1_000 {
            let tokens = tokens(i)
            tokens.withUnsafeBufferPointer { t in
                table.insert(key(i), hash: PieceTable.hash(key(i)), tokens: t.baseAddress ?? UnsafePointer(bitPattern: 8)!,
                             count: tokens.count)
            }
        }
        #expect(table.count == 1_000)
        #expect(table.capacity == 2_048)
        for i in 0..<1_000 {
            let e = table.find(key(i), hash: PieceTable.hash(key(i)))
            let want = tokens(i), count = want.count
            let first = e?.pointee.first ?? 0, last = e?.pointee.last ?? 0
            #expect(e != nil)
            if count >= 1 && count <= PieceTable.maxTokens {
                #expect(PieceTable.isPlain(last) && !PieceTable.isPacked(last))
                #expect(Int(last >> 32) == count)
                #expect(Rank(truncatingIfNeeded: first) == want[0])
                if count >= 2 { #expect(Rank(truncatingIfNeeded: first >> 32) == want[1]) }
                if count == 3 { #expect(Rank(truncatingIfNeeded: last) == want[2]) }
            } else if count > PieceTable.maxTokens && count <= PieceTable.maxPackedTokens && want.allSatisfy({ $0 < 1 << 20 }) {
                #expect(PieceTable.isPacked(last) && !PieceTable.isPlain(last))
                let (six, n) = PieceTable.unpack(first, last)
                #expect(n == count)
                #expect(Array([six.0, six.1, six.2, six.3, six.4, six.5].prefix(n)) == want, "\(i)")
            } else if count > 0 {
                #expect(last != 0 && !PieceTable.isPlain(last) && !PieceTable.isPacked(last), "\(i)")
                let (held, n) = table.held(first, last)
                #expect(n == count && Array(UnsafeBufferPointer(start: held, count: n)) == want, "\(i)")
            } else {
                // Kept, with the count 0 that sends the encoder.
                #expect(last == 0 && !PieceTable.isPlain(last) && !PieceTable.isPacked(last), "\(i)")
            }
        }
        #expect(table.find(key(5_000), hash: PieceTable.hash(key(5_000))) == nil)
    }

    /// Pieces of more than six tokens are held in the arena until it is full; after that
    /// they are kept as marks (and `fill` says so), and the held ones stay as they were.
    @Test func arenaHoldsPiecesUntilFull() throws {
        let table = PieceTable(initialEntries: 8, maxEntries: 1 << 16)
        defer { table.deallocate() }
        let per = PieceTable.maxKey, fit = PieceTable.arenaTokens / per
        func tokens(_ i: Int) -> [Rank] { (0..<per).map { Rank(i &* 31 &+ $0) } }
        for i in 0..<(fit + 10) {
            let (e, found) = try #require(table.entry(for: key(i), hash: PieceTable.hash(key(i))))
            #expect(!found)
            let kept = tokens(i).withUnsafeBufferPointer { table.fill(e, key: key(i), tokens: $0.baseAddress!, count: per) }
            #expect(kept == (i < fit), "\(i)")
        }
        for i in 0..<(fit + 10) {
            let e = try #require(table.find(key(i), hash: PieceTable.hash(key(i))))
            if i < fit {
                let (held, n) = table.held(e.pointee.first, e.pointee.last)
                #expect(n == per && Array(UnsafeBufferPointer(start: held, count: n)) == tokens(i), "\(i)")
            } else {
                #expect(e.pointee.last == 0, "\(i)")
            }
        }
    }

    /// A table at its largest stops keeping pieces at half full, and still finds
    /// the ones it has.
    @Test func aFullTableKeepsWhatItHas() {
        let table = PieceTable(initialEntries: 8, maxEntries: 64)
        defer { table.deallocate() }
        let one: [Rank] = [7]
        for i in 0..<100 {
            one.withUnsafeBufferPointer { table.insert(key(i), hash: PieceTable.hash(key(i)), tokens: $0.baseAddress!, count: 1) }
        }
        #expect(table.isFull)
        #expect(table.count == 32)
        #expect((0..<32).allSatisfy { table.find(key($0), hash: PieceTable.hash(key($0))) != nil })
        #expect(table.find(key(99), hash: PieceTable.hash(key(99))) == nil)
    }

    /// An empty table takes its size from the text it is about to see (one entry for 16
    /// bytes, within its most); one that holds pieces already is left to grow.
    @Test func reserveSizesAnEmptyTableOnly() {
        let table = PieceTable(initialEntries: 8, maxEntries: 1 << 12)
        defer { table.deallocate() }
        table.reserve(forBytes: 100)
        #expect(table.capacity == 8)
        table.reserve(forBytes: 1_000)
        #expect(table.capacity == 64)
        table.reserve(forBytes: 1 << 20)
        #expect(table.capacity == 1 << 12)
        let other = PieceTable(initialEntries: 8, maxEntries: 1 << 12)
        defer { other.deallocate() }
        let one: [Rank] = [7]
        one.withUnsafeBufferPointer { other.insert(key(1), hash: PieceTable.hash(key(1)), tokens: $0.baseAddress!, count: 1) }
        other.reserve(forBytes: 1 << 20)
        #expect(other.capacity == 8)
        #expect(other.find(key(1), hash: PieceTable.hash(key(1)))?.pointee.first == 7)
    }

    /// One walk answers a lookup and places the insert that follows a miss: an empty entry
    /// for a new key, the kept entry for a known one, nothing for a new key once full.
    @Test func entryForKeyFindsOrPlaces() throws {
        let table = PieceTable(initialEntries: 8, maxEntries: 64)
        defer { table.deallocate() }
        let two: [Rank] = [11, 12]
        for i in 0..<32 {
            let (e, found) = try #require(table.entry(for: key(i), hash: PieceTable.hash(key(i))))
            #expect(!found)
            #expect(e.pointee.key.high == 0)
            two.withUnsafeBufferPointer { table.fill(e, key: key(i), tokens: $0.baseAddress!, count: 2) }
        }
        #expect(table.count == 32)
        #expect(table.isFull)
        for i in 0..<32 {
            let (e, found) = try #require(table.entry(for: key(i), hash: PieceTable.hash(key(i))))
            #expect(found)
            #expect(e.pointee.key == key(i))
            #expect(e.pointee.first == 11 | 12 << 32 && e.pointee.last >> 32 == 2)
        }
        #expect(table.entry(for: key(40), hash: PieceTable.hash(key(40))) == nil)
        #expect(table.count == 32)
    }

    /// Random short pieces (base64) fill a small table, and the batches that then miss go
    /// around it; the ids are those of the encoder without any cache.
    @Test(arguments: ["cl100k_base", "o200k_base"])
    func encodingAroundAFullTableChangesNothing(_ name: String) throws {
        let enc = try Encoding.builtin(name)
        var rng = SplitMix(seed: 9)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var text: [UInt8] = []
        for _ in 0..<3_000 {
            text += (0..<76).map { _ in alphabet.randomElement(using: &rng)! }
            text.append(0x0A)
        }
        // Words again after the random lines: the bypass ends, and the table answers.
        let words = Array(" the cat sat on the mat, and the dog".utf8)
        for _ in 0..<3_000 { text += words }
        let plain = enc.encodeOrdinary(bytes: text, pieceCache: false, backtracking: false)
        var state = EncodeState()
        state.usesThreadCaches = false
        state.pieceCacheThreshold = 0
        state.compactCacheSets = 64
        var sink = ArraySink()
        text.withUnsafeBufferPointer { enc.encodeOrdinary($0, state: &state, into: &sink) }
        #expect(sink.tokens == plain)
        #expect(try #require(state.pieceCache).pieces.isFull)
    }
}
