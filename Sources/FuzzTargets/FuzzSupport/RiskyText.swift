/// Text made of the characters where a split pattern's alternatives meet: the class
/// boundaries of `\p{L}`, `\p{N}`, `\s` and o200k's upper/lower classes, apostrophes and
/// contraction letters in both cases (and `ſ`, which case-folds to `s`), CR/LF and every kind
/// of Unicode space, marks, digits of many scripts, letters Unicode 15–16 added, and invalid
/// UTF-8. The fuzzer maps its raw bytes onto this alphabet (besides checking the bytes
/// themselves), so it explores these meetings far more often than random bytes would, and
/// `LexerTests` draws random texts from it.
public enum RiskyText {
    public static let alphabet: [[UInt8]] = ([
        // Letters: Lu, Ll, Lt, Lm, Lo in several scripts, and the apostrophe cases.
        "a", "z", "A", "Z", "s", "S", "t", "T", "d", "D", "m", "M", "l", "L", "v", "V", "r", "R", "e", "E",
        "ll", "LL", "lL", "ve", "VE", "re", "RE", "word", "Word", "WORD", "hELLO",
        "é", "É", "ß", "ǅ", "ǈ", "ʰ", "ˆ", "ー", "々", "中", "亚洲", "А", "ж", "Ж", "α", "Ω", "א", "ع", "ก", "한",
        "ſ", "\u{212A}", "ﬀ", "İ", "ı", "ŉ",
        // Marks: combining, spacing, enclosing; alone and after letters.
        "\u{301}", "e\u{301}", "\u{308}", "\u{94D}", "\u{903}", "\u{20DD}", "\u{FE0F}", "\u{200D}",
        // Numbers: Nd of several scripts, Nl, No, and Unicode 15–16 additions.
        "0", "1", "7", "9", "12", "123", "1234", "٣", "۷", "७", "๓", "Ⅻ", "ⅳ", "²", "½", "①", "\u{1D2C0}", "\u{11F50}",
        // Letters added in Unicode 15–16 (PCRE2 10.42 does not know them without help).
        "\u{1E4D0}", "\u{10D50}", "\u{10D70}", "\u{A7CB}", "\u{1C89}",
        // Apostrophes and punctuation, slashes, symbols.
        "'", "'", "'s", "'S", "'t", "'ll", "'LL", "'ve", "'Re", "'m", "'d", "'ſ", "’", "\"", ".", ",", "!", "?",
        "/", "//", "(", ")", "-", "_", "#", "~", "<", ">", "|", "<|endoftext|>", "€", "😀", "👍🏽", "🇩🇪",
        // White space: spaces, tabs, CR/LF, NEL, NBSP, Unicode spaces, line/paragraph separators.
        " ", " ", "  ", "   ", "\t", "\n", "\n", "\r", "\r\n", "\n\n", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}",
        "\u{1680}", "\u{2000}", "\u{2009}", "\u{200A}", "\u{2028}", "\u{2029}", "\u{202F}", "\u{205F}", "\u{3000}",
        // Controls and format characters that are not white space.
        "\u{0}", "\u{1}", "\u{1C}", "\u{7F}", "\u{200B}", "\u{FEFF}", "\u{AD}",
    ] as [String]).map { Array($0.utf8) } + [
        // Ill-formed UTF-8: lone continuation, truncated sequences, overlong, surrogate, > U+10FFFF.
        [0x80], [0xBF], [0xC0, 0xAF], [0xC3], [0xE2, 0x82], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80],
        [0xF0, 0x9F, 0x98], [0xF4, 0x90, 0x80, 0x80], [0xFF],
    ]

    /// Mostly ASCII, for the lexers' block scan (64 bytes of ASCII at once): letters in both
    /// cases, words, contractions and their near misses, digit runs about the `{1,3}` groups,
    /// every kind of ASCII white space in runs, punctuation and its tails (CR, LF, `/`),
    /// control characters; and a few non-ASCII letters, spaces and marks that end a block
    /// early, and one ill-formed byte.
    public static let asciiAlphabet: [[UInt8]] = ([
        "a", "z", "A", "Z", "s", "S", "t", "T", "d", "l", "L", "e", "E", "v", "r", "m", "x", "X",
        "ll", "LL", "ve", "re", "RE", "the", "The", "THE", "word", "Word", "hELLO", "abcDEF", "HTTPServer", "camelCase",
        "'", "'", "''", "'s", "'S", "'t", "'d", "'m", "'ll", "'LL", "'lx", "'ve", "'re", "'r", "'v",
        "0", "1", "9", "12", "123", "1234", "12345", "1234567",
        " ", " ", " ", " ", "  ", "   ", "        ", "\t", "\t\t", "\n", "\n", "\r", "\r\n", "\n\n", "\n  ", "  \n",
        " \n \n ", "\u{0B}", "\u{0C}",
        ".", ",", ";", "!", "?", "(", ")", "-", "_", "#", "=", "\"", "<", ">", "{", "}", "/", "//", "./", ".\n",
        "\u{0}", "\u{1}", "\u{1F}", "\u{7F}",
        "é", "中", "\u{A0}", "\u{301}", "\u{2028}", "ſ",
    ] as [String]).map { Array($0.utf8) } + [[0xFF]]

    /// The text whose i-th element is `alphabet[bytes[i] % count]`.
    public static func text(from bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        text(from: bytes, alphabet: alphabet)
    }

    /// The text whose i-th element is `asciiAlphabet[bytes[i] % count]`.
    public static func asciiText(from bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        text(from: bytes, alphabet: asciiAlphabet)
    }

    static func text(from bytes: UnsafeBufferPointer<UInt8>, alphabet: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 3)
        for b in bytes { out += alphabet[Int(b) % alphabet.count] }
        return out
    }
}
