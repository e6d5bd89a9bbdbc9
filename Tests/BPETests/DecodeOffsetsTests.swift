import BPE
import Testing

/// `decodeWithOffsets` where tokens end inside a character: tiktoken 0.14.0 gives each token
/// the count of characters started before it, minus one when the token itself starts on a
/// UTF-8 continuation byte (it belongs to the character before), never below 0. The ids and
/// offsets below are tiktoken's own, from
/// `enc.encode(text)` and `enc.decode_with_offsets(ids)` (scripts/oracle.py's encodings).
@Suite struct DecodeOffsetsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let encoding: String
        let text: String
        let ids: [Rank]
        let offsets: [Int]
        var testDescription: String { "\(encoding): \(text)" }
    }

    static let cases: [Case] = [
        // 爱 is two tokens, E7 88 | B1: the second starts on a continuation byte.
        Case(encoding: "cl100k_base", text: "我爱你 😀 café",
             ids: [37046, 76207, 109, 57668, 91416, 53050], offsets: [0, 1, 1, 2, 3, 5]),
        // 東 is E6 9D | B1; 👍 is three tokens and 🏽 three more.
        Case(encoding: "cl100k_base", text: "東京😀👍🏽 naïve",
             ids: [14276, 109, 47653, 76460, 222, 9468, 239, 235, 9468, 237, 121, 95980, 588],
             offsets: [0, 0, 1, 2, 2, 3, 3, 3, 4, 4, 4, 5, 9]),
        Case(encoding: "o200k_base", text: "東京😀👍🏽 naïve",
             ids: [108713, 84083, 82514, 52622, 121, 153475, 737], offsets: [0, 2, 3, 4, 4, 5, 9]),
        // Flags, a variation selector and a 4-byte letter cut as F0 9D | 94 | 98.
        Case(encoding: "o200k_base", text: "🇯🇵 ✈️ 𝔘",
             ids: [55506, 107, 55506, 113, 32367, 230, 15148, 220, 43120, 242, 246],
             offsets: [0, 0, 1, 1, 2, 3, 4, 5, 6, 6, 6]),
    ]

    @Test("offsets of tokens that end inside a character are tiktoken's", arguments: cases)
    func offsetsMatchTiktoken(_ c: Case) throws {
        let enc = try Encoding.builtin(c.encoding)
        #expect(enc.encodeOrdinary(c.text) == c.ids)
        let (text, offsets) = try enc.decodeWithOffsets(c.ids)
        #expect(text == c.text)
        #expect(offsets == c.offsets)
    }
}
