/// GPT-2's pattern (r50k_base, p50k_base), alternative by alternative:
///
///     '(?:[sdmt]|ll|ve|re) | ?\p{L}++ | ?\p{N}++ | ?[^\s\p{L}\p{N}]++ | \s++$ | \s+(?!\S) | \s
///
/// - the contractions are case-sensitive ASCII: `'s`, `'d`, `'m`, `'t`, `'ll`, `'ve`, `'re`;
/// - one optional U+0020 (not any white space) before a run of letters, of numbers or of
///   other characters; the runs are possessive, so each is maximal;
/// - white space: to the end of the text if it reaches it; else all but its last character
///   (which then starts the next piece, ` word`), or the single character when that is all.
enum GPT2Rule: LexerRule {
    @inline(__always)
    static func end(_ x: Lexer, _ p: Int, _ f0: UInt8, _ l0: Int) -> Int {
        let c0 = x.s[p]
        if c0 == UInt8(ascii: "'"), let e = contraction(x, p) { return e }
        var q = p, f = f0
        if c0 == 0x20 {
            let (f1, _) = x.at(p + 1)
            if f1 & (CharClass.letter | CharClass.number | CharClass.other) != 0 { q = p + 1; f = f1 }
        }
        if f & CharClass.letter != 0 { return x.run(q, CharClass.letter) }
        if f & CharClass.number != 0 { return x.run(q, CharClass.number) }
        if f & CharClass.other != 0 { return x.run(q, CharClass.other) }
        let r = x.spaceRun(p)
        if r.stop == 0 { return r.end }            // \s++$
        if r.lastStart > p { return r.lastStart }  // \s+(?!\S)
        return r.end                               // \s
    }

    /// ` ?\p{L}++` over ASCII letters, when the byte after them is ASCII (a byte ≥ 0x80
    /// could be a letter that continues the run).
    @inline(__always)
    static func asciiWordEnd(_ x: Lexer, _ p: Int) -> Int? {
        let q = x.s[p] == 0x20 ? p &+ 1 : p
        guard q < x.n, x.isASCIILetter(x.s[q]) else { return nil }
        let e = x.asciiRun(q &+ 1, CharClass.letter)
        guard e == x.n || x.s[e] < 0x80 else { return nil }
        return e
    }

    /// `'(?:[sdmt]|ll|ve|re)` at `p` (which holds `'`).
    @inline(__always)
    static func contraction(_ x: Lexer, _ p: Int) -> Int? {
        let c1 = x.byte(p + 1), c2 = x.byte(p + 2)
        switch c1 {
        case UInt8(ascii: "s"), UInt8(ascii: "d"), UInt8(ascii: "m"), UInt8(ascii: "t"): return p + 2
        case UInt8(ascii: "l"): return c2 == UInt8(ascii: "l") ? p + 3 : nil
        case UInt8(ascii: "v"), UInt8(ascii: "r"): return c2 == UInt8(ascii: "e") ? p + 3 : nil
        default: return nil
        }
    }
}
