@testable import BPE
import CByteMasks
import BPERegex
import FuzzSupport
import Testing
import TestSupport

/// The hand-written lexers must cut exactly where PCRE2 cuts with the presets' patterns.
@Suite struct LexerTests {
    static func pcre2(_ preset: Preset) throws -> Pattern { try Pattern(preset.pcre2Pattern) }

    /// Random texts drawn from the risky alphabet (class boundaries, apostrophes, CR/LF, marks,
    /// digits of many scripts, invalid UTF-8), compared piece for piece.
    @Test(arguments: Preset.allCases)
    func agreesWithPCRE2OnRiskyText(_ preset: Preset) throws {
        let pattern = try Self.pcre2(preset)
        var rng = SplitMix(seed: 0xC0FFEE &+ UInt64(preset.name.utf8.count))
        var compared = 0
        for _ in 0..<6000 {
            var text: [UInt8] = []
            for _ in 0..<Int.random(in: 1...14, using: &rng) { text += RiskyText.alphabet.randomElement(using: &rng)! }
            let expected = pattern.split(text), got = preset.split(text)
            #expect(got == expected, "\(preset): \(text) → lexer \(got), PCRE2 \(expected)")
            compared += expected.count
        }
        #expect(compared > 20_000)
    }

    /// `pieceCount` (what `bpe-bench --split` times) counts the pieces `split` returns.
    @Test(arguments: Preset.allCases)
    func pieceCountCountsThePieces(_ preset: Preset) {
        var rng = SplitMix(seed: 0xC0C0 &+ UInt64(preset.name.utf8.count))
        var total = 0
        for _ in 0..<500 {
            var text: [UInt8] = []
            for _ in 0..<Int.random(in: 0...40, using: &rng) { text += RiskyText.alphabet.randomElement(using: &rng)! }
            let count = text.withUnsafeBufferPointer { preset.pieceCount($0) }
            #expect(count == preset.split(text).count, "\(preset): \(text)")
            total += count
        }
        #expect(total > 2_000)
    }

    /// White-space runs of every length and mix (plain spaces go eight at a time), before
    /// letters, punctuation, invalid UTF-8 and the end of the text, near the buffer's end too.
    @Test(arguments: Preset.allCases)
    func whiteSpaceRunsAgreeWithPCRE2(_ preset: Preset) throws {
        let pattern = try Self.pcre2(preset)
        var rng = SplitMix(seed: 0x5EA5 &+ UInt64(preset.name.utf8.count))
        let spaces: [[UInt8]] = [[0x20], [0x20], [0x20], [0x20], [0x09], [0x0A], [0x0D], [0x0B], [0x0C],
                                 Array("\u{3000}".utf8), Array("\u{A0}".utf8), Array("\u{85}".utf8)]
        let others: [[UInt8]] = [Array("a".utf8), Array("Zx".utf8), Array("1".utf8), Array("'s".utf8), Array("(".utf8),
                                 Array("é".utf8), Array("中".utf8), [0xFF], [0xE4, 0xB8]]
        for _ in 0..<4000 {
            var text: [UInt8] = []
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let run = Int.random(in: 0..<4, using: &rng) == 0 ? Int.random(in: 1...40, using: &rng) : Int.random(in: 1...10, using: &rng)
                for _ in 0..<run { text += spaces.randomElement(using: &rng)! }
                if Bool.random(using: &rng) { text += others.randomElement(using: &rng)! }
            }
            let expected = pattern.split(text), got = preset.split(text)
            #expect(got == expected, "\(preset): \(text) → lexer \(got), PCRE2 \(expected)")
        }
    }

    /// The eight-bytes-at-once white space of ``Lexer/spaceRun(_:)``: every byte value in every
    /// lane, beside every filler, classifies as the flag table does (and as a byte compare
    /// does for `swarEqual`); and runs of tabs, newlines and spaces from 8 to 200 bytes, near
    /// the end of the text too, split as PCRE2 splits them.
    @Test func swarWhiteAgreesWithTheFlagTable() throws {
        let flags = CharClass.table.bytes
        for filler: UInt64 in [0x0A, 0x20, 0x41, 0x80, 0xFF, 0x00, 0x09] {
            for b in 0...255 {
                for lane in 0..<8 {
                    let w = UInt64(b) << (8 * lane) | (filler &* 0x0101_0101_0101_0101) & ~(0xFF << (8 * lane))
                    let white = Lexer.swarWhite(w) >> (8 * lane + 7) & 1 == 1
                    #expect(white == (b < 0x80 && flags[b] & CharClass.space != 0), "byte \(b), lane \(lane), filler \(filler)")
                    for c: UInt8 in [0x0A, 0x0D, 0x20] {
                        #expect((Lexer.swarEqual(w, c) >> (8 * lane + 7) & 1 == 1) == (b == c), "byte \(b) = \(c), lane \(lane)")
                    }
                }
            }
        }
        var rng = SplitMix(seed: 0x5A4B)
        let white: [UInt8] = [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x0A, 0x0A]
        let after: [[UInt8]] = [[], Array("x".utf8), Array("7".utf8), Array(".".utf8), Array("\u{3000}".utf8),
                                Array("\u{85}x".utf8), Array("é".utf8), [0xFF]]
        for preset in Preset.allCases {
            let pattern = try Self.pcre2(preset)
            for _ in 0..<1500 {
                var text: [UInt8] = Bool.random(using: &rng) ? Array("a".utf8) : []
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    for _ in 0..<Int.random(in: 8...200, using: &rng) { text.append(white.randomElement(using: &rng)!) }
                    text += after.randomElement(using: &rng)!
                }
                let expected = pattern.split(text)
                #expect(preset.split(text) == expected, "\(preset): \(text)")
                #expect(text.withUnsafeBufferPointer { preset.split($0, blockScan: false) } == expected, "\(preset) byte scan: \(text)")
            }
        }
    }

    /// The eight-bytes-at-once word runs: for each class they cover, every byte value in every
    /// lane classifies as the flag table does, and `asciiRun` ends where the byte loop ends
    /// on random mixes of letters, other ASCII and non-ASCII bytes, near the buffer's end too.
    @Test func swarRunsAgreeWithTheFlagTable() {
        let masks = [CharClass.letter, CharClass.letter | CharClass.upper, CharClass.letter | CharClass.lower]
        let flags = CharClass.table.bytes
        for mask in masks {
            let range = Lexer.swarRange(mask)!
            for b in 0...255 {
                for lane in 0..<8 {
                    let w = UInt64(b) << (8 * lane) | (lane == 0 ? 0 : 0x4141_4141_4141_4141 >> (64 - 8 * lane))
                    let inClass = Lexer.swarInRange(w, range) >> (8 * lane + 7) & 1 == 1
                    #expect(inClass == (flags[b] & mask == mask), "mask \(mask), byte \(b), lane \(lane)")
                }
            }
        }
        var rng = SplitMix(seed: 77)
        let alphabet: [UInt8] = Array("aZqK' 0._\n".utf8) + [0xC3, 0xA9, 0x80, 0xFF]
        for _ in 0..<3000 {
            let text = (0..<Int.random(in: 1...40, using: &rng)).map { _ in
                Bool.random(using: &rng) ? UInt8.random(in: 0x61...0x7A, using: &rng) : alphabet.randomElement(using: &rng)!
            }
            text.withUnsafeBufferPointer { buf in
                let x = Lexer(buf)
                for mask in masks {
                    for i in 0..<text.count {
                        var e = i
                        while e < text.count && flags[Int(text[e])] & mask == mask { e += 1 }
                        #expect(x.asciiRun(i, mask) == e, "\(text) from \(i), mask \(mask)")
                    }
                }
            }
        }
    }

    /// Words of ASCII letters in mixed case, with and without a leading character, of every
    /// length around the eight bytes o200k's word scan reads at once, followed by what can
    /// end one (an apostrophe that starts a contraction, non-ASCII letters and marks, digits,
    /// punctuation, the end of the text) and placed anywhere near the buffer's end.
    @Test(arguments: Preset.allCases)
    func asciiWordsAgreeWithPCRE2(_ preset: Preset) throws {
        let pattern = try Self.pcre2(preset)
        var rng = SplitMix(seed: 0xA5C11 &+ UInt64(preset.name.utf8.count))
        let leads: [[UInt8]] = [[], [], [0x20], [0x20], Array("(".utf8), Array("\t".utf8), Array("\n".utf8), Array("'".utf8)]
        let tails: [[UInt8]] = [[], Array("'s".utf8), Array("'LL".utf8), Array("'".utf8), Array("é".utf8), Array("É".utf8),
                                Array("\u{301}".utf8), Array("中".utf8), Array("7".utf8), Array(".".utf8), Array(" ".utf8),
                                Array("ſ".utf8), [0xFF]]
        var wordsTried = 0
        for _ in 0..<8000 {
            var text: [UInt8] = []
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                text += leads.randomElement(using: &rng)!
                let upper = Int.random(in: 0...10, using: &rng), lower = Int.random(in: 0...12, using: &rng)
                for i in 0..<(upper + lower) {
                    let mixed = Int.random(in: 0..<10, using: &rng) == 0
                    let isUpper = (i < upper) != mixed
                    text.append(UInt8.random(in: isUpper ? 0x41...0x5A : 0x61...0x7A, using: &rng))
                }
                text += tails.randomElement(using: &rng)!
                wordsTried += 1
            }
            let expected = pattern.split(text), got = preset.split(text)
            #expect(got == expected, "\(preset): \(text) → lexer \(got), PCRE2 \(expected)")
        }
        #expect(wordsTried > 12_000)
    }

    /// The block scan (64 bytes of ASCII at once) against the byte scan and PCRE2, on long
    /// texts of the mostly ASCII risky alphabet: the block's rules for words, contractions,
    /// digit groups, punctuation tails and white space runs, at every offset from the block's
    /// edges, and blocks cut short by non-ASCII bytes.
    @Test(arguments: Preset.allCases)
    func blockScanAgreesWithByteScanAndPCRE2(_ preset: Preset) throws {
        let pattern = try Self.pcre2(preset)
        var rng = SplitMix(seed: 0xB10C &+ UInt64(preset.name.utf8.count))
        var pieces = 0
        for _ in 0..<3000 {
            var text: [UInt8] = []
            let target = Int.random(in: 40...400, using: &rng)
            while text.count < target { text += RiskyText.asciiAlphabet.randomElement(using: &rng)! }
            let expected = pattern.split(text)
            let blocks = text.withUnsafeBufferPointer { preset.split($0, blockScan: true) }
            let bytes = text.withUnsafeBufferPointer { preset.split($0, blockScan: false) }
            #expect(blocks == expected, "\(preset) block scan: \(String(decoding: text, as: UTF8.self).debugDescription)")
            #expect(bytes == expected, "\(preset) byte scan: \(String(decoding: text, as: UTF8.self).debugDescription)")
            pieces += expected.count
        }
        #expect(pieces > 100_000)
    }

    /// The block scan's case studies, each padded past a block's 64 bytes so that the block
    /// scan takes it, with the pieces PCRE2 gives.
    @Test(arguments: Preset.allCases)
    func blockScanCases(_ preset: Preset) throws {
        let pattern = try Self.pcre2(preset)
        let pad = String(repeating: "ab ", count: 30)
        let cases = [
            "x's's don't I'LL it'sa x'lla rock'n '''s x'll's", "((the (the  (the \t(the .(the 1.x 1.5x",
            ".\n/x .\n/(y a\n/\n .\n x \u{1}\n", " \n \n  x\n\n  x\n x \n\r\n\t x  5 x\u{0B}y",
            "HTTPServer camelCaseWord ABCdEF aB'S", "1234567 12345x 123 4",
            "a                                                                    b",
            "it's 's x 'S ''s .'s ('ll 'tis 'vex 're' x'd5 x'm'", " x  x\t x\n x \n\n  5 \t. \u{0C}x",
        ]
        for body in cases {
            for shift in 0..<4 {
                let text = Array((String(repeating: " ", count: shift) + body + pad).utf8)
                let blocks = text.withUnsafeBufferPointer { preset.split($0, blockScan: true) }
                #expect(blocks == pattern.split(text), "\(preset): \(body.debugDescription) shifted by \(shift)")
            }
        }
    }

    /// The block scan's byte classes (SSE2 compares, or the portable loop) against the flag
    /// table, for every byte value at every position of a block.
    @Test func blockMasksAgreeWithTheFlagTable() {
        let flags = CharClass.table.bytes
        for b in 0...255 {
            for at in [0, 1, 15, 16, 31, 47, 62, 63] {
                var block = [UInt8](repeating: UInt8(ascii: "a"), count: 64)
                block[at] = UInt8(b)
                let m = block.withUnsafeBufferPointer { cbm_classes64($0.baseAddress!) }
                let high = block.withUnsafeBufferPointer { cbm_high64($0.baseAddress!) }
                let bit = { (mask: UInt64) in mask >> UInt64(at) & 1 == 1 }
                let f = flags[b], ascii = b < 0x80
                #expect(bit(high) == !ascii, "byte \(b) at \(at)")
                #expect(bit(m.letter) == (ascii && f & CharClass.letter != 0), "letter: byte \(b) at \(at)")
                #expect(bit(m.upper) == (ascii && f & CharClass.letter != 0 && f & CharClass.upper != 0), "upper: byte \(b) at \(at)")
                #expect(bit(m.digit) == (ascii && f & CharClass.number != 0), "digit: byte \(b) at \(at)")
                #expect(bit(m.white) == (ascii && f & CharClass.space != 0), "white: byte \(b) at \(at)")
                #expect(bit(m.space) == (b == 0x20), "space: byte \(b) at \(at)")
                #expect(bit(m.newline) == (b == 0x0A || b == 0x0D), "newline: byte \(b) at \(at)")
                #expect(bit(m.apostrophe) == (b == 0x27), "apostrophe: byte \(b) at \(at)")
                #expect(bit(m.slash) == (b == 0x2F), "slash: byte \(b) at \(at)")
                // "Other" is what the block scan leaves: ASCII in none of the three classes.
                let other = ascii && !bit(m.letter) && !bit(m.digit) && !bit(m.white)
                #expect(other == (ascii && f & CharClass.other != 0), "other: byte \(b) at \(at)")
            }
        }
    }

    /// Cases written down where the lexers handle them, with the pieces tiktoken gives.
    @Test func subtleCases() {
        // o200k: the first alternative backs off to the last letter that is Lo/Lm/M.
        #expect(Preset.o200k.split("亚洲AV") == ["亚洲", "AV"])
        #expect(Preset.o200k.split("ABCdEF") == ["ABCd", "EF"])
        #expect(Preset.o200k.split("HELLOworld's") == ["HELLOworld's"])
        #expect(Preset.o200k.split(" ABC's") == [" ABC's"])
        // o200k: a mark starts a word, alone when only upper case follows.
        #expect(Preset.o200k.split("\u{301}ABC") == ["\u{301}", "ABC"])
        #expect(Preset.o200k.split("\u{301}abc") == ["\u{301}abc"])
        // o200k: punctuation takes newlines and slashes after it; white space ends at a newline.
        #expect(Preset.o200k.split("x.\n/y") == ["x", ".\n/", "y"])
        #expect(Preset.o200k.split("a  \n  ") == ["a", "  \n", "  "])
        // cl100k: the white space at the end of the text is one piece; contractions are caseless.
        #expect(Preset.cl100k.split("a  \n  ") == ["a", "  \n  "])
        #expect(Preset.cl100k.split("I'LL") == ["I", "'LL"])
        #expect(Preset.cl100k.split("x'ſ") == ["x", "'ſ"])
        #expect(Preset.cl100k.split("\tword 123456") == ["\tword", " ", "123", "456"])
        // gpt2: contractions are case-sensitive; only U+0020 joins the next word.
        #expect(Preset.gpt2.split("I'LL") == ["I", "'", "LL"])
        #expect(Preset.gpt2.split("a\u{A0}b") == ["a", "\u{A0}", "b"])
        #expect(Preset.gpt2.split("a   b") == ["a", "  ", " b"])
    }

    /// Every lead byte of a three-byte sequence with second bytes across and around the
    /// continuation range (the overlong E0 80–9F, the surrogates ED A0–BF) and third bytes at
    /// the range's edges, between letters: cut as PCRE2 cuts, valid or not. Also inside a run
    /// of CJK letters (`中`, `Lo`), and at the end of the text, where a scan that loads a
    /// word at a time would have fewer bytes left than it loads.
    @Test(arguments: Preset.allCases)
    func threeByteSequencesAtEveryBoundary(_ preset: Preset) throws {
        // The lexer reads a surrogate's encoding (ED A0...ED BF) as ill-formed because the
        // tables give these code points no flags.
        for cp in UInt32(0xD800)...0xDFFF { #expect(CharClass.flags(of: cp) == 0) }
        let pattern = try Self.pcre2(preset)
        let contexts: [(before: [UInt8], after: [UInt8])] = [
            (Array("x ".utf8), Array("y".utf8)), (Array("x 中".utf8), Array("y".utf8)),
            (Array("x 中中".utf8), []), (Array("中".utf8), Array("中a".utf8)),
        ]
        for (before, after) in contexts {
            for lead in UInt8(0xE0)...0xEF {
                for c1 in UInt8(0x7F)...0xC0 {
                    for c2: UInt8 in [0x41, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0] {
                        let text = before + [lead, c1, c2] + after
                        let expected = pattern.split(text), got = preset.split(text)
                        #expect(got == expected, "\(preset): \(text) → lexer \(got), PCRE2 \(expected)")
                    }
                }
            }
        }
    }

    /// Runs of three-byte characters of many classes, letters of both cases, marks and
    /// symbols among them, whole and cut short by one and two bytes (ill-formed at the end):
    /// the lexers end every run where PCRE2 does.
    @Test(arguments: Preset.allCases)
    func threeByteRunsAgreeWithPCRE2(_ preset: Preset) throws {
        let pattern = try Self.pcre2(preset)
        // Han, kana and the prolonged sound mark (Lm), a combining mark, fullwidth letters
        // (Lu, Ll) and digits, CJK punctuation, a symbol, the Hangul syllables' first.
        let alphabet = Array("中文字かなカナーー\u{20DD}ＡＢａｂ１２、。・★가".unicodeScalars)
        var rng = SplitMix(seed: 0x3B7E)
        for _ in 0..<3000 {
            var text = ""
            for _ in 0..<Int.random(in: 1...12, using: &rng) { text.unicodeScalars.append(alphabet.randomElement(using: &rng)!) }
            let bytes = Array(text.utf8)
            for cut in [bytes.count, max(0, bytes.count - 1), max(0, bytes.count - 2)] {
                let prefix = Array(bytes.prefix(cut))
                let expected = pattern.split(prefix), got = preset.split(prefix)
                #expect(got == expected, "\(preset): \(prefix) → lexer \(got), PCRE2 \(expected)")
            }
        }
    }

    /// Invalid UTF-8 is a piece of its own and ends the text the pattern sees: `\s++$` then
    /// matches before it, as in a PCRE2 subject that ends there.
    @Test(arguments: Preset.allCases)
    func invalidUTF8EndsTheSubject(_ preset: Preset) throws {
        let text: [UInt8] = Array("ab  ".utf8) + [0xFF] + Array("  cd\u{E9}".utf8) + [0xC3]
        #expect(preset.split(text) == (try Self.pcre2(preset)).split(text))
        #expect(preset.split(text).contains(4..<5))
    }

    /// Every scalar value, classified by the lexers' tables, against PCRE2's classes (with the
    /// code points Unicode 15–16 added, as the pattern translation spells them): the tables
    /// and the regexes agree everywhere.
    @Test func classTablesAgreeWithPCRE2ForEveryScalar() throws {
        var text: [UInt8] = []
        var scalars: [UInt32] = []
        for cp in UInt32(0)..<0x110000 where !(0xD800..<0xE000).contains(cp) {
            let start = text.count
            text += Array(String(Unicode.Scalar(cp)!).utf8)
            _ = start
            scalars.append(cp)
        }
        let classes: [(String, UInt8)] = [
            (#"\p{L}"#, CharClass.letter), (#"\p{N}"#, CharClass.number), (#"\s"#, CharClass.space),
            (#"[^\s\p{L}\p{N}]"#, CharClass.other), (#"[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]"#, CharClass.upper),
            (#"[\p{Ll}\p{Lm}\p{Lo}\p{M}]"#, CharClass.lower), (#"\p{M}"#, CharClass.mark),
        ]
        for (regex, flag) in classes {
            let pattern = try Pattern(SplitPattern.pcre2(fromTiktoken: "(?:\(regex))+"))
            var inClass = Set<UInt32>()
            for r in pattern.split(text) {
                for s in String(decoding: text[r], as: UTF8.self).unicodeScalars { inClass.insert(s.value) }
            }
            var mismatches: [UInt32] = []
            for cp in scalars where (CharClass.flags(of: cp) & flag != 0) != inClass.contains(cp) {
                mismatches.append(cp)
            }
            #expect(mismatches.isEmpty, "\(regex): \(mismatches.count) scalars differ, first U+\(String(mismatches.first ?? 0, radix: 16))")
        }
        #expect(CharClass.unicodeVersion == "16.0.0")
    }

    /// The lexers look two- and three-byte characters up in the BMP table: it must give every
    /// scalar's flags exactly as the stages (which the test above holds against PCRE2) do.
    @Test func bmpTableAgreesWithTheStages() {
        let bmp = CharClass.table.bmp
        let differing = (0..<0x10000).filter { bmp[$0] != CharClass.flags(of: UInt32($0)) }
        #expect(differing.isEmpty, "\(differing.count) scalars differ, first U+\(String(differing.first ?? 0, radix: 16))")
    }

    /// Each scalar in the contexts the patterns care about (after a space, an apostrophe, a
    /// letter, between letters), for the three presets: a sweep of all of Unicode against
    /// PCRE2, cheap enough for every test run.
    @Test(arguments: Preset.allCases)
    func everyScalarInContext(_ preset: Preset) throws {
        let pattern = try Self.pcre2(preset)
        var text: [UInt8] = []
        var step = 0
        for cp in UInt32(0)..<0x110000 where !(0xD800..<0xE000).contains(cp) {
            // Every scalar below U+3400, then a sample of the rest.
            guard cp < 0x3400 || cp % 7 == 0 else { continue }
            let c = Array(String(Unicode.Scalar(cp)!).utf8)
            let context: [[UInt8]] = [Array(" ".utf8), Array("'".utf8), Array("a".utf8), Array("A".utf8), Array("\n".utf8), Array("1".utf8)]
            text += context[step % context.count] + c + c + Array("x ".utf8)
            step += 1
        }
        let expected = pattern.split(text), got = preset.split(text)
        if got != expected {
            let i = zip(got, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(got.count, expected.count)
            let show = { (pieces: [Range<Int>]) in i < pieces.count ? "\(Array(text[pieces[i]]))" : "none" }
            Issue.record("\(preset): piece \(i): lexer \(show(got)), PCRE2 \(show(expected))")
        }
    }
}
