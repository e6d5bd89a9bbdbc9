@testable import BPE
import Foundation
import Testing

/// A small `tokenizer.json`: the 256 byte symbols with ids 0–255 in byte order, then
/// `tokens` (byte-level text, ids 256…), `merges`, and the given components.
func hfJSON(tokens: [String] = [], merges: [String] = [], preTokenizer: String = #"{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}"#,
            normalizer: String = "null", addedTokens: String = "[]", postProcessor: String = "null",
            model: String = "", decoder: String = #"{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true}"#,
            top: String = "") -> String {
    var vocab: [String] = []
    for b in 0..<256 {
        vocab.append("\(jsonString(ByteLevelAlphabet.encode([UInt8(b)]))): \(b)")
    }
    for (i, t) in tokens.enumerated() { vocab.append("\(jsonString(t)): \(256 + i)") }
    let mergesJSON = merges.map(jsonString).joined(separator: ", ")
    return """
        {"version": "1.0", "truncation": null, "padding": null, \(top)
         "added_tokens": \(addedTokens), "normalizer": \(normalizer), "pre_tokenizer": \(preTokenizer),
         "post_processor": \(postProcessor), "decoder": \(decoder),
         "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
                   "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false, \(model)
                   "vocab": {\(vocab.joined(separator: ", "))}, "merges": [\(mergesJSON)]}}
        """
}

func jsonString(_ s: String) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed]), as: UTF8.self)
        .dropFirst().dropLast().description
}

/// Writes `json` to a temporary file and loads it.
func loadHF(_ json: String, name: String = "tokenizer.json") throws -> Encoding {
    let dir = NSTemporaryDirectory() + "swift-bpe-hf-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/" + name
    try Data(json.utf8).write(to: URL(fileURLWithPath: path))
    return try Encoding.load(contentsOf: path)
}

/// The error message loading `json` gives.
func hfError(_ json: String) -> String {
    do {
        _ = try loadHF(json)
        return "(loaded)"
    } catch {
        return "\(error)"
    }
}

let a = Rank(97), b = Rank(98), c = Rank(99)

@Suite struct HuggingFaceTests {
    /// A normalizer can make more bytes than it was given, so more tokens than input bytes:
    /// the token storage, reserved for one token per input byte, must grow and keep them all.
    @Test func normalizerThatExpandsTheTextGivesMoreTokensThanInputBytes() throws {
        let enc = try loadHF(hfJSON(normalizer: #"{"type": "NFKC"}"#))
        let text = String(repeating: "\u{FDFA}", count: 100)   // 300 bytes; NFKC: 3,300
        let normalized = text.precomposedStringWithCompatibilityMapping
        #expect(normalized.utf8.count == 3300)
        let ids = enc.encodeOrdinary(text)
        #expect(ids == normalized.utf8.map { Rank($0) })
        #expect(try enc.encode(text) == ids)
        #expect(enc.encodeOrdinary(bytes: Array(text.utf8)) == ids)
    }

    @Test func mergePriorityIsThePositionInTheListNotTheId() throws {
        // ab has the lower id, but "b c" is listed first: abc → a, bc (tiktoken's rule would give ab, c).
        let enc = try loadHF(hfJSON(tokens: ["ab", "bc"], merges: ["b c", "a b"]))
        #expect(enc.encodeOrdinary("abc") == [a, 257])
        #expect(enc.encodeOrdinary("ab") == [256])
    }

    /// tokenizers builds its merge map by inserting in order, so a repeated pair keeps its
    /// last position (checked against tokenizers by scripts/hf_parity.py's repeated-merge case).
    @Test func aRepeatedMergeTakesItsLastPosition() throws {
        let enc = try loadHF(hfJSON(tokens: ["ab", "bc"], merges: ["a b", "b c", "a b"]))
        #expect(enc.encodeOrdinary("abc") == [a, 257])
        let once = try loadHF(hfJSON(tokens: ["ab", "bc"], merges: ["a b", "b c"]))
        #expect(once.encodeOrdinary("abc") == [256, c])
    }

    @Test func ignoreMergesLooksTheWholePieceUp() throws {
        let off = try loadHF(hfJSON(tokens: ["abc"], merges: []))
        #expect(off.encodeOrdinary("abc") == [a, b, c])
        let on = try loadHF(hfJSON(tokens: ["abc"], merges: [], model: #""ignore_merges": true,"#))
        #expect(on.encodeOrdinary("abc") == [256])
    }

    @Test func mergesAsPairsEqualMergesAsStrings() throws {
        let pairs = hfJSON(tokens: ["ab", "bc"], merges: []).replacingOccurrences(of: #""merges": []"#, with: #""merges": [["b", "c"], ["a", "b"]]"#)
        #expect(try loadHF(pairs).encodeOrdinary("abc") == [a, 257])
    }

    @Test func prefixSpaceAndTheGPT2Regex() throws {
        let enc = try loadHF(hfJSON(tokens: ["Ġh"], merges: ["Ġ h"],
                                    preTokenizer: #"{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true}"#))
        // " hi" after the prefix space; the regex keeps " hi" as one piece.
        #expect(enc.encodeOrdinary("hi") == [256, Rank(UInt8(ascii: "i"))])
        #expect(enc.encodeOrdinary(" hi") == [256, Rank(UInt8(ascii: "i"))])
        #expect(try enc.decode(enc.encodeOrdinary("hi")) == " hi")
    }

    static let added = #"""
        [{"id": 300, "content": "<|x|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
         {"id": 301, "content": "<y>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": false},
         {"id": 302, "content": "<s>", "single_word": false, "lstrip": true, "rstrip": true, "normalized": false, "special": true},
         {"id": 303, "content": "word", "single_word": true, "lstrip": false, "rstrip": false, "normalized": true, "special": false}]
        """#

    /// Added tokens are told apart by their bytes, as `tokenizers` (Rust) compares them: "é"
    /// (U+00E9) and "e" + U+0301 are canonically equivalent, so equal as Swift Strings, yet
    /// two tokens. `tokenizers` 0.23.3 on this file: token_to_id gives 233 (the model's own
    /// byte-level "é", byte 0xE9) and 256, and "xéyé" (the second decomposed) encodes to
    /// [120, 233, 121, 256]. Keyed by String, both were one token, 233.
    @Test func canonicallyEquivalentAddedTokensStayApart() throws {
        let added = #"""
            [{"id": 256, "content": "\u00e9", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
             {"id": 257, "content": "e\u0301", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}]
            """#
        let enc = try loadHF(hfJSON(addedTokens: added))
        #expect(try enc.encode("x\u{E9}ye\u{301}", allowedSpecial: .all) == [120, 233, 121, 256])
        #expect(try enc.decodeBytes([256]) == Array("e\u{301}".utf8))
    }

    @Test func specialTokensFollowTiktokensRuleNonSpecialAreAlwaysMatched() throws {
        let enc = try loadHF(hfJSON(addedTokens: Self.added))
        // tokenizers numbers added tokens from the vocabulary's size, in file order.
        #expect(enc.specialTokens == ["<|x|>": 256, "<s>": 258])
        #expect(throws: EncodeError.disallowedSpecialToken("<|x|>", byteOffset: 1)) { try enc.encode("a<|x|>") }
        #expect(try enc.encode("a<|x|>", allowedSpecial: .all) == [a, 256])
        let asText = try enc.encode("a<|x|>", disallowedSpecial: .none)
        #expect(asText.count == 6 && asText.first == a)
        // <y> is not special: matched in every mode.
        #expect(try enc.encode("a<y>b") == [a, 257, b])
        #expect(enc.encodeOrdinary("a<y>b") == [a, 257, b])
        #expect(try enc.decode([a, 257, b]) == "a<y>b")
        #expect(enc.isSpecialToken(256) && !enc.isSpecialToken(257))
    }

    @Test func lstripRstripAndSingleWord() throws {
        let enc = try loadHF(hfJSON(addedTokens: Self.added))
        // <s> swallows the spaces around it.
        #expect(try enc.encode("a  <s>  b", allowedSpecial: .all) == [a, 258, b])
        // "word" only as a word of its own.
        #expect(enc.encodeOrdinary("a word b").contains(259))
        #expect(!enc.encodeOrdinary("awordb").contains(259))
        #expect(!enc.encodeOrdinary("words").contains(259))
    }

    @Test func templateProcessingAddsItsTokens() throws {
        let post = #"""
            {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<|x|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
             "pair": [], "special_tokens": {"<|x|>": {"id": "<|x|>", "ids": [256], "tokens": ["<|x|>"]}}}
            """#
        let enc = try loadHF(hfJSON(addedTokens: Self.added, postProcessor: post))
        #expect(enc.encodeOrdinary("ab") == [a, b])
        let with = try enc.addingSpecialTokens()
        #expect(with.encodeOrdinary("ab") == [256, a, b])
        #expect(try with.encode("ab") == [256, a, b])
        #expect(try with.countTokens("ab") == 3)
        #expect(with.encodeOrdinaryBatch(["ab", "b"]) == [[256, a, b], [256, b]])
        // Without a post-processor there is nothing to add, as in tokenizers; a .tiktoken
        // encoding has no such notion at all.
        #expect(try loadHF(hfJSON()).addingSpecialTokens().encodeOrdinary("ab") == [a, b])
        #expect(throws: VocabularyError.self) { try Encoding.builtin("cl100k_base").addingSpecialTokens() }
    }

    @Test func splitBehaviorsInvertAndDigits() throws {
        func pieces(_ behavior: String, invert: Bool = false, _ text: String) throws -> [Rank] {
            let pre = #"{"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "\\d"}, "behavior": "\#(behavior)", "invert": \#(invert)}, {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]}"#
            // "a1" and "1b" are tokens, so the ids show where the pieces were cut.
            return try loadHF(hfJSON(tokens: ["a1", "1b"], merges: ["a 1", "1 b"], preTokenizer: pre)).encodeOrdinary(text)
        }
        let one = Rank(UInt8(ascii: "1"))
        #expect(try pieces("Isolated", "a1b") == [a, one, b])
        #expect(try pieces("Removed", "a1b") == [a, b])
        #expect(try pieces("MergedWithPrevious", "a1b") == [256, b])
        #expect(try pieces("MergedWithNext", "a1b") == [a, 257])
        #expect(try pieces("Contiguous", "a11b") == [a, one, one, b])
        // Inverted, the digits are the text between "matches".
        #expect(try pieces("Removed", invert: true, "a1b") == [one])
        let digits = #"{"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": false}, {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]}"#
        let enc = try loadHF(hfJSON(tokens: ["a1", "11"], merges: ["a 1", "1 1"], preTokenizer: digits))
        #expect(enc.encodeOrdinary("a11") == [a, 257])
    }

    @Test func normalizersRunBeforePreTokenizing() throws {
        let enc = try loadHF(hfJSON(tokens: ["fi"], merges: ["f i"], normalizer: #"{"type": "Sequence", "normalizers": [{"type": "NFKC"}]}"#))
        #expect(enc.encodeOrdinary("ﬁ") == [256])
    }

    /// Each bad file gets one line naming the JSON path and the part.
    @Test(arguments: [
        (#"{"model": {"vocab": {"a": 1,}}}"#, "malformed JSON at line 1, column 29 (byte 28) in model.vocab"),
        (hfJSON(merges: ["a zz"]), #"model.merges[0]: "zz" is not in model.vocab"#),
        (hfJSON(merges: ["a b"]), "model.merges[0]: the merged token is not in model.vocab"),
        (hfJSON(merges: ["ab"]), "model.merges[0]: expected two tokens separated by one space"),
        (hfJSON(tokens: ["ab", "bc"], merges: ["a b"]).replacingOccurrences(of: #""merges": ["a b"]"#, with: #""merges": ["a b", ["b", "c"]]"#), "model.merges[1]: merges mix"),
        (hfJSON().replacingOccurrences(of: #""Ā": 0, "#, with: ""), "no entry for the byte-level symbol \"Ā\" (byte 0x0)"),
        (hfJSON(preTokenizer: #"{"type": "Metaspace", "replacement": "▁"}"#), "pre_tokenizer.Metaspace is not byte-level BPE"),
        (hfJSON(preTokenizer: #"{"type": "Whitespace"}"#), "pre_tokenizer.Whitespace is not supported"),
        (hfJSON(preTokenizer: #"{"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "\\w+"}, "behavior": "Isolated", "invert": false}, {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true}]}"#), #"pre_tokenizer.pretokenizers[0].pattern.Regex: regex "\\w+": \w"#),
        (hfJSON(preTokenizer: #"{"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "a*"}, "behavior": "Isolated", "invert": false}, {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true}]}"#), "can match the empty string"),
        (hfJSON(preTokenizer: #"{"type": "Sequence", "pretokenizers": [{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true}, {"type": "Digits", "individual_digits": true}]}"#), "Digits after ByteLevel is not supported"),
        (hfJSON(preTokenizer: "null"), "pre_tokenizer is null"),
        (hfJSON(normalizer: #"{"type": "Lowercase"}"#), "normalizer Lowercase is not supported"),
        (hfJSON(model: #""dropout": 0.1,"#).replacingOccurrences(of: #""dropout": null, "#, with: ""), "model.dropout: dropout 0.1 makes encoding random"),
        (hfJSON(model: "").replacingOccurrences(of: #""type": "BPE""#, with: #""type": "WordPiece""#), "model.type WordPiece is not byte-level BPE"),
        (hfJSON().replacingOccurrences(of: #""version": "1.0""#, with: #""version": "2.0""#), "unknown tokenizer.json version '2.0'"),
        (hfJSON().replacingOccurrences(of: #""truncation": null"#, with: #""truncation": {"max_length": 5}"#), "truncation: truncation is set"),
        (hfJSON(decoder: "null"), "decoder is null"),
        (hfJSON(decoder: #"{"type": "WordPiece"}"#), "decoder WordPiece is not supported"),
        (hfJSON(postProcessor: #"{"type": "Foo"}"#), "post_processor Foo is not supported"),
        (hfJSON(addedTokens: #"[{"id": 1, "content": "x"}]"#), #"added_tokens[0]: missing "special""#),
        (#"{"hello": 1}"#, "neither a Hugging Face tokenizer.json"),
        (#"{"format": "swift-bpe-sidecar", "version": 1}"#, "sidecar of a .tiktoken file"),
    ])
    func badFilesGetOneLineNamingThePart(json: String, expected: String) {
        let message = hfError(json)
        #expect(message.contains(expected), "\(message)")
        #expect(!message.contains("\n"))
    }

    /// The DeepSeek V3 tokenizer cut down (Fixtures/formats/deepseek-mini.json, from
    /// scripts/gen_format_fixtures.py), against ids tokenizers 0.23.3 gave.
    @Test func deepseekMiniMatchesTokenizers() throws {
        let enc = try Encoding.load(contentsOf: "\(fixturesDirectory)/formats/deepseek-mini.json")
        #expect(enc.format == .huggingFace)
        let added = try enc.addingSpecialTokens()
        var checked = 0
        for row in try jsonLines("formats/deepseek-mini.golden.jsonl") {
            let ids = (row["ids"] as! [Int]).map(Rank.init)
            let mode = row["mode"] as! String
            let text = row["text"] as! String
            switch mode {
            case "all": #expect(try enc.encode(text, allowedSpecial: .all) == ids, "\(text.debugDescription)")
            case "ordinary": #expect(enc.encodeOrdinary(text) == ids, "\(text.debugDescription)")
            case "add": #expect(try added.encode(text, allowedSpecial: .all) == ids, "\(text.debugDescription)")
            case "decode": #expect(try enc.decode(ids) == text)
            default: Issue.record("unknown mode \(mode)")
            }
            checked += 1
        }
        #expect(checked > 100)
    }
}
