/// cl100k_base's pattern, alternative by alternative:
///
///     '(?i:[sdmt]|ll|ve|re) | [^\r\n\p{L}\p{N}]?+\p{L}++ | \p{N}{1,3}+
///     | ?[^\s\p{L}\p{N}]++[\r\n]*+ | \s++$ | \s*[\r\n] | \s+(?!\S) | \s
///
/// - contractions are caseless (`'S`, `'Ll`, and `'ſ` through Unicode case folding);
/// - a letter run takes one optional leading character that is not CR, LF, a letter or a
///   number: a space, a tab, a mark, punctuation (`(word`, `\tword`). The `?+` is possessive,
///   but giving the character back could not help (it is not a letter), so this is simply
///   "that character, if a letter follows";
/// - numbers come in runs of one to three;
/// - other characters: one optional space, a maximal run, then any CR/LF run;
/// - white space: to the end of the text if it reaches it; else up to and including its last
///   CR or LF; else all but its last character; else the single character.
enum CL100KRule: LexerRule {
    @inline(__always)
    static func end(_ x: Lexer, _ p: Int, _ f0: UInt8, _ l0: Int) -> Int {
        let c0 = x.s[p]
        if c0 == UInt8(ascii: "'"), let e = x.contractionCaseless(p) { return e }
        if f0 & CharClass.letter != 0 { return x.run(p, CharClass.letter) }
        if f0 & CharClass.number == 0 && c0 != 0x0A && c0 != 0x0D {
            let (f1, _) = x.at(p + l0)
            if f1 & CharClass.letter != 0 { return x.run(p + l0, CharClass.letter) }
        }
        if f0 & CharClass.number != 0 { return x.digits(p, l0) }
        let q = x.punctuationStart(p, c0, f0)
        if q >= 0 {
            var e = x.run(q, CharClass.other)
            while x.byte(e) == 0x0A || x.byte(e) == 0x0D { e += 1 }
            return e
        }
        let r = x.spaceRun(p)
        if r.stop == 0 { return r.end }              // \s++$
        if r.newlineEnd >= 0 { return r.newlineEnd } // \s*[\r\n]
        if r.lastStart > p { return r.lastStart }    // \s+(?!\S)
        return r.end                                 // \s
    }

    /// `[^\r\n\p{L}\p{N}]?+\p{L}++` over ASCII: one ASCII byte that is not CR, LF, a letter
    /// or a digit (not `'`, which may start a contraction), then ASCII letters, when the
    /// byte after them is ASCII.
    @inline(__always)
    static func asciiWordEnd(_ x: Lexer, _ p: Int) -> Int? {
        let c0 = x.s[p]
        guard c0 < 0x80, c0 != UInt8(ascii: "'") else { return nil }
        let f0 = x.bytes(c0)
        let q = f0 & (CharClass.letter | CharClass.number) == 0 && c0 != 0x0A && c0 != 0x0D ? p &+ 1 : p
        guard q < x.n, x.isASCIILetter(x.s[q]) else { return nil }
        let e = x.asciiRun(q &+ 1, CharClass.letter)
        guard e == x.n || x.s[e] < 0x80 else { return nil }
        return e
    }
}
