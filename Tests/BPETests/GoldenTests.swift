@testable import BPE
import Foundation
import Testing

/// Ids that tiktoken 0.14.0 produced (scripts/gen_fixtures.py) must come out of our encoder
/// unchanged: contractions, Unicode spaces, marks, ZWJ emoji, digits, titlecase, CRLF,
/// trailing whitespace, long runs and special tokens, for every built-in encoding.
@Suite struct GoldenTests {
    @Test(arguments: builtinNames)
    func encodeMatchesTiktoken(_ name: String) throws {
        let enc = try Encoding.builtin(name)
        let cases = try jsonLines("golden/\(name).jsonl")
        #expect(cases.count > 500)
        var failures = 0
        for c in cases {
            let text = c["text"] as! String
            let expected = (c["ids"] as! [NSNumber]).map { Rank($0.uint32Value) }
            let allowed: SpecialTokenSet
            switch c["allowed"] {
            case let s as String where s == "all": allowed = .all
            case let s as String where s == "none": allowed = .none
            case let list as [String]: allowed = .only(Set(list))
            default: Issue.record("bad fixture \(c)"); continue
            }
            let got = try enc.encode(text, allowedSpecial: allowed, disallowedSpecial: .none)
            if got != expected {
                failures += 1
                if failures <= 5 {
                    Issue.record("\(name) \(c["case"] ?? ""): \(text.debugDescription.prefix(80)) expected \(expected.prefix(20)) got \(got.prefix(20))")
                }
            }
            if case .only(let s) = allowed, s.isEmpty {
                #expect(enc.encodeOrdinary(text) == expected)
            }
            #expect(try enc.countTokens(text, allowedSpecial: allowed, disallowedSpecial: .none) == expected.count)
            #expect(try enc.decodeBytes(got) == Array(text.utf8))
        }
        #expect(failures == 0)
    }

    @Test(arguments: builtinNames)
    func metadataMatchesTiktoken(_ name: String) throws {
        let enc = try Encoding.builtin(name)
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(fixturesDirectory)/golden/meta.json"))
        let meta = (try JSONSerialization.jsonObject(with: data) as! [String: Any])["encodings"] as! [String: Any]
        let m = meta[name] as! [String: Any]
        #expect(enc.nVocab == (m["n_vocab"] as! Int))
        #expect(Int(enc.maxTokenValue) == (m["max_token_value"] as! Int))
        #expect(enc.eotToken.map(Int.init) == (m["eot_token"] as? Int))
        let specials = (m["special_tokens"] as! [String: Int]).mapValues { Rank($0) }
        #expect(enc.specialTokens == specials)
        // Our PCRE2 pattern is derived from exactly tiktoken's source text.
        let spec = BuiltinEncoding.named(name)!
        #expect(spec.tiktokenPattern == (m["pat_str"] as! String))
    }

    @Test func lossyDecodeMatchesTiktoken() throws {
        var checked = 0
        for c in try jsonLines("golden/decode_lossy.jsonl") {
            let enc = try Encoding.builtin(c["encoding"] as! String)
            let ids = (c["ids"] as! [NSNumber]).map { Rank($0.uint32Value) }
            let bytes = try enc.decodeBytes(ids)
            let hex = bytes.map { String(format: "%02x", $0) }.joined()
            #expect(hex == (c["bytes_hex"] as! String))
            #expect(try enc.decode(ids) == (c["lossy"] as! String), "\(c["case"] ?? "")")
            checked += 1
        }
        #expect(checked > 50)
    }
}
