@testable import BPE
import Testing
import TestSupport

@Suite struct RoundTripTests {
    /// Every token of every encoding decodes to its bytes and those bytes encode back to it.
    @Test(arguments: builtinNames)
    func everyTokenRoundTrips(_ name: String) throws {
        let enc = try Encoding.builtin(name)
        var tokens = 0
        for r in 0..<Rank(enc.vocabulary.count) {
            guard let bytes = enc.vocabulary.tokenBytes(r) else {
                #expect(enc.isSpecialToken(r), "hole \(r) must be a special token")
                continue
            }
            #expect(try enc.decodeSingleTokenBytes(r) == bytes)
            #expect(try enc.encodeSingleToken(bytes: bytes) == r)
            // Encoding a token's bytes gives tokens that decode back to the same bytes.
            #expect(try enc.decodeBytes(enc.encodeOrdinary(bytes: bytes)) == bytes)
            tokens += 1
        }
        #expect(tokens == enc.vocabulary.tokenCount)
        for (text, id) in enc.specialTokens {
            #expect(try enc.encodeSingleToken(text) == id)
            #expect(try enc.encode(text, allowedSpecial: .all) == [id])
        }
    }

    @Test func randomBytesRoundTripEvenWhenNotUTF8() throws {
        let enc = try Encoding.builtin("cl100k_base")
        var rng = SplitMix(seed: 42)
        for _ in 0..<500 {
            let bytes = (0..<Int.random(in: 0..<200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let ids = enc.encodeOrdinary(bytes: bytes)
            #expect(try enc.decodeBytes(ids) == bytes)
            #expect(try enc.countTokens(bytes: bytes, disallowedSpecial: .none) == ids.count)
        }
    }
}
