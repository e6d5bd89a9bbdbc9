@testable import BPE
import Foundation
import Testing

/// A Tekken file: `tokens` are the entries after the 256 single bytes.
func tekkenJSON(version: String = "v13", special: [String]? = ["<unk>", "<s>", "</s>"], numSpecial: Int = 10,
                tokens: [String] = ["ab", "abc"], vocabSize: Int? = nil, rankShift: Int = 0) -> String {
    var vocab: [String] = []
    let all = (0..<256).map { [UInt8($0)] } + tokens.map { Array($0.utf8) }
    for (i, t) in all.enumerated() {
        vocab.append(#"{"rank": \#(i + (i == 300 ? rankShift : 0) + (i == 257 ? rankShift : 0)), "token_bytes": "\#(Data(t).base64EncodedString())", "token_str": null}"#)
    }
    let specials = special.map { list in
        #""special_tokens": [\#(list.enumerated().map { #"{"rank": \#($0.offset), "token_str": "\#($0.element)", "is_control": true}"# }.joined(separator: ", "))],"#
    } ?? ""
    return #"""
        {"config": {"pattern": "\\p{L}+|\\p{N}|\\s+|[^\\s\\p{L}\\p{N}]+", "num_vocab_tokens": \#(all.count),
                    "default_vocab_size": \#(vocabSize ?? all.count + numSpecial), "default_num_special_tokens": \#(numSpecial), "version": "\#(version)"},
         \#(specials) "vocab": [\#(vocab.joined(separator: ", "))]}
        """#
}

@Suite struct TekkenTests {
    @Test func idsAreRanksAfterTheSpecialBlock() throws {
        let enc = try loadHF(tekkenJSON(), name: "tekken.json")
        #expect(enc.format == .tekken)
        let expected: [Rank] = [267, 42, 266]   // rank + 10 special tokens
        #expect(enc.encodeOrdinary("abc ab") == expected)
        #expect(enc.specialTokens["<s>"] == 1 && enc.specialTokens["<SPECIAL_9>"] == 9)
        // mistral_common encodes special-token text as text.
        #expect(enc.encodeOrdinary("<s>").count == 3)
        #expect(try enc.encode("<s>", allowedSpecial: .all) == [1])
        #expect(try enc.addingSpecialTokens().encodeOrdinary("ab") == [1, 266])
        #expect(try enc.decode([1, 266]) == "<s>ab")
    }

    @Test func defaultVocabSizeTruncatesTheRanks() throws {
        // 258 entries, 10 special: a vocabulary of 267 keeps ranks 0…256 ("abc" is cut).
        let enc = try loadHF(tekkenJSON(vocabSize: 267), name: "tekken.json")
        let expected: [Rank] = [266, 109]
        #expect(enc.encodeOrdinary("abc") == expected)
        #expect(enc.nVocab == 267)
    }

    @Test func oldFilesWithoutAListGetMistralsTwentyTokens() throws {
        let enc = try loadHF(tekkenJSON(version: "v3", special: nil, numSpecial: 30), name: "tekken.json")
        #expect(enc.specialTokens["[INST]"] == 3 && enc.specialTokens["[TOOL_CONTENT]"] == 19 && enc.specialTokens["<SPECIAL_29>"] == 29)
    }

    @Test(arguments: [
        (tekkenJSON(version: "v99"), "unknown Tekken version 'v99'"),
        (tekkenJSON(version: "v11", special: nil), "no special_tokens"),
        (tekkenJSON(rankShift: 5), "config.vocab[257].rank: entry 257 has rank 262; ranks must be 0, 1, 2"),
        (tekkenJSON(special: ["<s>", "<s>"]), "special tokens must be unique"),
        (tekkenJSON(numSpecial: 2), "3 special tokens listed, more than default_num_special_tokens (2)"),
        (tekkenJSON(vocabSize: 5), "default_vocab_size 5 must be between"),
        (tekkenJSON(tokens: ["ab", "ab"]), "two entries have the same bytes"),
    ])
    func badFilesAreRefused(json: String, expected: String) {
        let message = hfError(json)
        #expect(message.contains(expected.replacingOccurrences(of: "config.vocab", with: "vocab")), "\(message)")
    }

    /// tekken_240911.json cut down (Fixtures/formats/tekken-mini.json) against the ids
    /// mistral_common 1.13.1 gave.
    @Test func tekkenMiniMatchesMistralCommon() throws {
        let enc = try Encoding.load(contentsOf: "\(fixturesDirectory)/formats/tekken-mini.json")
        let bos = try enc.addingSpecialTokens()
        var checked = 0
        for row in try jsonLines("formats/tekken-mini.golden.jsonl") {
            let ids = (row["ids"] as! [Int]).map(Rank.init)
            let text = row["text"] as! String
            if row["mode"] as! String == "add" {
                #expect(bos.encodeOrdinary(text) == ids, "\(text.debugDescription)")
            } else {
                #expect(enc.encodeOrdinary(text) == ids, "\(text.debugDescription)")
                #expect(try enc.decodeBytes(ids) == Array(text.utf8))
            }
            checked += 1
        }
        #expect(checked > 50)
    }
}
