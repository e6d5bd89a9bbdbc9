@testable import BPE
import BPERegex
import Testing

/// The Oniguruma → PCRE2 translation: each quirk (checked against tokenizers itself by
/// scripts/hf_parity.py's quirk-* cases) and each refusal.
@Suite struct HuggingFaceRegexTests {
    func split(_ onig: String, _ text: String) throws -> [String] {
        try Pattern(try OnigurumaPattern.pcre2(from: onig)).split(text)
    }

    @Test func intervalFollowedByPlusIsARepetition() throws {
        #expect(try split(#"\d{1,3}+"#, "1234567 89") == ["1234567", "89"])
        #expect(try split(#"\d{1,3}"#, "1234567") == ["123", "456", "7"])
        #expect(try split("a{2}+", "aaaaa") == ["aaaa"])
        #expect(try split("a{2}?b", "ab aab") == ["b", "aab"])   // optional {2}, not lazy
        #expect(try split("a{,2}b", "aaab b") == ["aab", "b"])
    }

    @Test func possessiveLazyAnchorsAndFlags() throws {
        #expect(try split("a?+a", "aa a") == ["aa"])
        #expect(try split("a++b", "aaab aaa") == ["aaab"])
        #expect(try split("x$", "ax\nbx\ncx") == ["x", "x", "x"])      // $ at every line end
        #expect(try split("^x", "xa\nxb") == ["x", "x"])
        #expect(try split(#"x\z"#, "ax\nbx") == ["x"])
        #expect(try split("(?m)a.b", "a\nb acb") == ["a\nb", "acb"])   // (?m) is dot-all
        #expect(try split(#"\h+"#, "deadBEEF xyz 09") == ["deadBEEF", "09"])
        #expect(try split(#"\s+"#, "a\u{85}b\u{180E}c") == ["\u{85}"])
        #expect(try split(#"\p{l}+"#, "ab12") == ["ab"])
        #expect(try split(#"\p{^L}+"#, "ab12") == ["12"])
        #expect(try split(#"(?i:'s)"#, "'S 'ſ") == ["'S", "'ſ"])
    }

    @Test func unicode16CodePointsAreInTheirCategories() throws {
        // U+1C89 (Cyrillic TJE, Unicode 16) is a letter to Oniguruma; PCRE2 10.42 has UCD 14.
        #expect(try split(#"\p{L}+"#, "a\u{1C89}b") == ["a\u{1C89}b"])
    }

    @Test(arguments: [
        (#"\w+"#, #"\w"#), (#"\bx"#, #"\b"#), (#"\p{Han}"#, "only general categories"),
        ("a*", "can match the empty string"), ("(?:a|)", "can match the empty string"), ("(?=a)", "can match the empty string"),
        ("[a-z&&[^aeiou]]", "intersection"), ("[[:alpha:]]", "nested classes"), (#"(a)\1"#, #"\1 is not supported"#),
        ("(?x) a", "extended mode"), ("(?s)a", "unknown group option 's'"), ("(?~ab)", "absent groups"),
        (#"\Ga"#, #"\G is not supported"#), (#"\Ka"#, #"\K is not supported"#),
        ("(?i)ss", "'ss' under (?i)"), ("(?i)é", "non-ASCII character under (?i)"), (#"(?i)\p{Lu}"#, "under (?i)"),
        (#"\p{Mn}"#, "changed between"), ("(ab", "missing ')'"), ("ab)", "unbalanced"), ("*a", "nothing to repeat"),
    ])
    func unsupportedConstructsAreNamed(pattern: String, expected: String) {
        do {
            let out = try OnigurumaPattern.pcre2(from: pattern)
            Issue.record("\(pattern) translated to \(out)")
        } catch {
            #expect(error.description.contains(expected), "\(error)")
        }
    }

    @Test func stringPatternsAreLiterals() throws {
        #expect(OnigurumaPattern.literal("a.b") == #"a\.b"#)
        #expect(try Pattern(OnigurumaPattern.literal("(x)")).split("a(x)b") == ["(x)"])
    }
}

/// Normalization as tokenizers does it (data generated from tokenizers itself; the full sweep
/// is scripts/hf_parity.py --sweep).
@Suite struct HuggingFaceNormalizerTests {
    func nfkc(_ s: String) -> String { String(decoding: UnicodeNormalizer.nfkc.normalize(Array(s.utf8)), as: UTF8.self) }
    func nfc(_ s: String) -> String { String(decoding: UnicodeNormalizer.nfc.normalize(Array(s.utf8)), as: UTF8.self) }
    func nfd(_ s: String) -> String { String(decoding: UnicodeNormalizer(form: .nfd).normalize(Array(s.utf8)), as: UTF8.self) }

    @Test func compositionDecompositionAndOrdering() {
        #expect(nfc("e\u{301}") == "é")
        #expect(nfd("é") == "e\u{301}")
        #expect(nfc("\u{212B}") == "Å")                        // singleton
        #expect(nfd("a\u{301}\u{316}") == "a\u{316}\u{301}")   // reordered by class
        #expect(nfc("\u{1100}\u{1161}\u{11A8}") == "각")        // Hangul LVT
        #expect(nfd("각") == "\u{1100}\u{1161}\u{11A8}")
        #expect(nfkc("ﬁne ①²") == "fine 12")
        #expect(nfc("ascii stays") == "ascii stays")
    }

    /// tokenizers' tables predate Unicode 12.1: the Reiwa square and Unicode 13–15 letters
    /// are left alone (Foundation on Linux would change them).
    @Test func newerCharactersAreUnchangedAsInTokenizers() {
        for cp: UInt32 in [0x32FF, 0xA7F2, 0xAB69, 0x1E030] {
            let s = String(Unicode.Scalar(cp)!)
            #expect(nfkc(s) == s, "U+\(String(cp, radix: 16))")
        }
    }
}

@Suite struct ModelTableTests {
    @Test(arguments: [
        ("gpt-4o", "o200k_base"), ("gpt-4o-2024-05-13", "o200k_base"), ("gpt-4", "cl100k_base"),
        ("gpt-4-0314", "cl100k_base"), ("gpt-4-32k", "cl100k_base"), ("gpt-3.5-turbo-0301", "cl100k_base"),
        ("ft:gpt-4o-mini:org::id", "o200k_base"), ("ft:gpt-4:org", "cl100k_base"), ("text-davinci-003", "p50k_base"),
        ("text-davinci-edit-001", "p50k_edit"), ("davinci", "r50k_base"), ("gpt-oss-120b", "o200k_harmony"),
        ("o1", "o200k_base"), ("o4-mini-2025", "o200k_base"), ("gpt-5-nano", "o200k_base"), ("gpt2", "gpt2"),
        ("text-embedding-3-small", "cl100k_base"),
    ])
    func namesAndPrefixesAsTiktoken(model: String, encoding: String) throws {
        #expect(try Encoding.encodingName(forModel: model) == encoding)
    }

    @Test func unknownModelsAreAnErrorWithAdvice() throws {
        #expect(throws: UnknownModelError(model: "llama-3")) { try Encoding.encodingName(forModel: "llama-3") }
        #expect("\(UnknownModelError(model: "x"))".contains("--encoding"))
        #expect(try Encoding.forModel("gpt-4o").name == "o200k_base")
        #expect(Encoding.modelTable.count == 62)
    }
}

/// The JSON reader: strict, with positions and paths.
@Suite struct JSONDocumentTests {
    @Test func valuesEscapesAndPaths() throws {
        let doc = try JSONDocument(Array(#"{"a": [1, "x\u00e9\ud83d\ude00\n", true, null], "b": {"c": -2.5e3}}"#.utf8))
        let arr = try doc.root.field("a").elements()
        #expect(try arr[0].asUInt32() == 1)
        #expect(arr[1].string == "xé😀\n")
        #expect(try arr[2].asBool())
        #expect(arr[3].isNull)
        #expect(try doc.root.field("b").field("c").asDouble() == -2500)
        #expect(try doc.root.field("b").field("c").path.description == "b.c")
        #expect(throws: FormatError.self) { try doc.root.field("b").field("zz") }
    }

    @Test(arguments: [
        ("", "the file is empty"), ("{", "expected a string key or '}'"), (#"{"a" 1}"#, "expected ':'"),
        (#"[1,]"#, "expected a value"), (#"{"a": tru}"#, "expected 'true'"), (#""\x""#, #"bad escape"#),
        (#""\ud800""#, "low surrogate"), ("\"a\u{01}\"", "control character"), ("01", "leading zero"),
        (#"{"a": [1] } x"#, "unexpected text after"), (String(repeating: "[", count: 600), "nested deeper"),
    ])
    func syntaxErrorsNameThePosition(text: String, expected: String) {
        do {
            _ = try JSONDocument(Array(text.utf8), source: "f.json")
            Issue.record("parsed \(text)")
        } catch {
            #expect(error.description.contains(expected), "\(error)")
            #expect(error.description.hasPrefix("f.json: malformed JSON at line 1"))
        }
    }

    @Test func invalidUTF8InAStringIsAnError() {
        #expect(throws: FormatError.self) { try JSONDocument([0x22, 0xC3, 0x28, 0x22]) }
    }
}
