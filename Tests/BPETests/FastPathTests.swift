@testable import BPE
import BPERegex
import Testing
import TestSupport

/// The ASCII-word shortcut must never change a piece: compare with PCRE2 alone on text built
/// from exactly the characters where it must defer.
@Suite struct FastPathTests {
    static let parts = ["word", "Word", "WORD", "wORD", "HELLOworld", "helloWorld", "a", "I", " ", "  ", "\t", "\n", "\r\n",
                        "'", "'s", "'S", "'ll", "'re", "don't", "X'Y", "é", "É", "e\u{301}", "ǅ", "中", "😀", "ß", "\u{A0}",
                        "\u{85}", "1", "12345", "١٢", "!", "(", "/", ",", "-", "_", "\u{7F}", "\u{0B}", "\u{0C}", "\u{1}"]

    @Test(arguments: ["gpt2", "cl100k", "o200k"])
    func shortcutAgreesWithPCRE2(_ preset: String) throws {
        let source = SplitPattern.preset(preset)!
        let plain = try Pattern(source)
        let fast = try Pattern(source, fastPath: Encoding.fastPath(for: source))
        #expect(fast.fastPath != nil)
        var rng = SplitMix(seed: UInt64(preset.utf8.count))
        for _ in 0..<3000 {
            let text = (0..<Int.random(in: 1..<12, using: &rng)).map { _ in Self.parts.randomElement(using: &rng)! }.joined()
            let bytes = Array(text.utf8)
            #expect(fast.split(bytes) == plain.split(bytes), "\(preset): \(text.debugDescription)")
        }
    }

    @Test func onlyTheGPTPatternsGetIt() {
        #expect(Encoding.fastPath(for: SplitPattern.preset("cl100k")!) == .cl100k)
        #expect(Encoding.fastPath(for: #"\p{L}+|\s+|."#) == nil)
    }
}
