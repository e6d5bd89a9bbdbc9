@testable import BPE
import Testing
import TestSupport

/// `BytePairTable` answers every one of the 65,536 byte pairs exactly as the pair table does
/// for the two bytes' tokens, under both merge rules, built or read back from a cache image.
@Suite struct BytePairTableTests {
    /// The byte pairs where the two tables disagree, as "x y: table, pair table".
    static func disagreements(_ v: Vocabulary) -> [String] {
        var out: [String] = []
        for x in 0..<256 {
            for y in 0..<256 {
                let fast = v.bytePairs.find(UInt8(x), UInt8(y))
                let slow = v.pairs.find(left: v.byteRanks[x], right: v.byteRanks[y])
                if fast != slow { out.append("\(x) \(y): \(fast), \(slow)") }
            }
        }
        return out
    }

    @Test(arguments: ["r50k_base", "cl100k_base", "o200k_base"])
    func builtinEncodingsAgree(_ name: String) throws {
        let v = try Encoding.builtin(name).vocabulary
        #expect(Self.disagreements(v).prefix(5) == [])
        // Not vacuous: the table holds merges (o200k has thousands of two-byte tokens).
        var held = 0
        for i in 0..<(1 << 16) where v.bytePairs.find(UInt8(i >> 8), UInt8(i & 0xFF)) != .max { held += 1 }
        #expect(held > 1_000)
    }

    /// A two-byte piece is encoded from the byte-pair table alone (on the hot path and the
    /// vocabulary's): for all 65,536 pieces, the same tokens as the piece's own lookup, else
    /// the heap merge.
    @Test(arguments: ["r50k_base", "cl100k_base", "o200k_base"])
    func twoBytePiecesEncodeAsTheirLookupOrMerge(_ name: String) throws {
        let v = try Encoding.builtin(name).vocabulary
        #expect(v.twoBytePiecesByPairs)
        var wrong: [String] = []
        for i in 0..<(1 << 16) {
            let piece: [UInt8] = [UInt8(i >> 8), UInt8(i & 0xFF)]
            piece.withUnsafeBufferPointer { b in
                let p = b.baseAddress!
                var expected = ArraySink()
                if let r = v.shortTable.find(p, 2) { expected.append(r) } else { v.mergeByHeap(p, 2, into: &expected) }
                var viaVocabulary = ArraySink(), viaHot = ArraySink()
                v.encodePiece(p, 2, into: &viaVocabulary)
                var state = EncodeState()
                v.hot.encodePiece(p, 2, state: &state, into: &viaHot)
                if viaVocabulary.tokens != expected.tokens || viaHot.tokens != expected.tokens { wrong.append("\(piece)") }
            }
        }
        #expect(wrong.prefix(5) == [])
    }

    /// A merge list that looks whole pieces up (`ignore_merges`) may hold a two-byte token no
    /// merge makes: its piece is that token, which the byte-pair table cannot tell, so such a
    /// vocabulary does not take the shortcut; without the lookup the piece stays two bytes.
    @Test func aWholePieceLookupKeepsTwoByteTokensNoMergeMakes() throws {
        let tokens: [[UInt8]?] = [[0x78, 0x79]] + (0..<256).map { [UInt8($0)] }   // xy: id 0, byte b: 1 + b
        let xy: [UInt8] = [0x78, 0x79]
        for ignoreMerges in [true, false] {
            let v = try Vocabulary(tokensByID: tokens, mergeRule: .mergeList([], ignoreMerges: ignoreMerges))
            #expect(v.twoBytePiecesByPairs == !ignoreMerges)
            var sink = ArraySink()
            xy.withUnsafeBufferPointer { v.encodePiece($0.baseAddress!, 2, into: &sink) }
            #expect(sink.tokens == (ignoreMerges ? [0] : [1 + 0x78, 1 + 0x79]))
        }
    }

    /// A merge list whose single bytes are not at ranks 0 to 255, whose byte-pair merges have
    /// priorities other than their ranks, with one pair listed twice (the later wins) and a
    /// two-byte token that no merge makes (it must read "no merge").
    @Test func aMergeListAgreesBuiltAndMapped() throws {
        var tokens: [[UInt8]?] = [[0x61, 0x62], [0x63, 0x64], [0x78, 0x79]]   // ab, cd, xy: ids 0, 1, 2
        tokens += (0..<256).reversed().map { [UInt8($0)] }                    // byte b at id 3 + 255 - b
        tokens.append([0x61, 0x62, 0x63, 0x64])                               // abcd: id 259
        func id(_ b: UInt8) -> Rank { Rank(3 + 255 - Int(b)) }
        let merges: [(Rank, Rank)] = [(id(0x63), id(0x64)), (id(0x61), id(0x62)), (0, 1), (id(0x63), id(0x64))]
        let v = try Vocabulary(tokensByID: tokens, mergeRule: .mergeList(merges, ignoreMerges: false))
        #expect(!v.pairs.compact)
        #expect(Self.disagreements(v) == [])
        #expect(v.bytePairs.find(0x61, 0x62) == PairTable.merge(priority: 1, merged: 0))
        #expect(v.bytePairs.find(0x63, 0x64) == PairTable.merge(priority: 3, merged: 1))   // listed again: 3
        #expect(v.bytePairs.find(0x78, 0x79) == .max)   // a token, but no merge makes it
        #expect(v.bytePairs.find(0x62, 0x61) == .max)
        let sha = [UInt8](repeating: 9, count: 32)
        let mapped = try #require(Vocabulary(image: try PairTableTests.mapped(v.image(sourceSHA256: sha)), sourceSHA256: sha))
        #expect(Self.disagreements(mapped) == [])
        #expect(mapped.bytePairs.find(0x63, 0x64) == PairTable.merge(priority: 3, merged: 1))
    }

    /// tiktoken's rule with single bytes out of order: the table writes each two-byte token's
    /// merge without asking the pair table, and still agrees with it.
    @Test func tiktokenRuleOutOfOrderAgrees() throws {
        let tokens: [[UInt8]?] = [[0x20, 0x74]] + (0..<256).map { [UInt8(255 - $0)] } + [[0x74, 0x68], [0x20, 0x74, 0x68]]
        let v = try Vocabulary(tokensByID: tokens, mergeRule: .tiktoken)
        #expect(v.pairs.compact)
        #expect(Self.disagreements(v) == [])
        #expect(v.bytePairs.find(0x20, 0x74) == PairTable.merge(priority: 0, merged: 0))
        #expect(v.bytePairs.find(0x74, 0x68) == PairTable.merge(priority: 257, merged: 257))
    }

    /// A tokenizer.json vocabulary (the DeepSeek fixture): byte-level, a merge list.
    @Test func tokenizerJSONAgrees() throws {
        let enc = try Encoding.load(contentsOf: "\(fixturesDirectory)/formats/deepseek-mini.json")
        #expect(Self.disagreements(enc.vocabulary).prefix(5) == [])
    }
}
