/// o200k_base's pattern, alternative by alternative (no possessive quantifiers here, so the
/// scans reproduce the backtracking):
///
///     P?[U]*[W]+C? | P?[U]+[W]*C? | \p{N}{1,3} | ?[^\s\p{L}\p{N}]+[\r\n/]*
///     | \s*[\r\n]+ | \s+(?!\S) | \s+
///
/// with P = `[^\r\n\p{L}\p{N}]`, U = `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`,
/// W = `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`, C = `(?i:'s|'t|'re|'ve|'m|'ll|'d)`.
///
/// The first two alternatives, a "word" from q (after the optional P):
/// - the U run is taken greedily; if a W follows it, the W run is the rest (`ABcd`);
/// - otherwise the first alternative backs off to the last character of the U run that is
///   also a W (Lm, Lo or M), and ends just after it: `亚洲AV` is `亚洲` then `AV`, since `洲`
///   (Lo) is the last W before the upper-case letters;
/// - if the U run holds no W either, the second alternative takes the whole U run (`ABC`).
/// P is tried first; when nothing matches after it, the first alternative retries without P,
/// which succeeds only when P's character is itself a mark: the mark alone is then a word
/// (`◌́ABC` is `◌́` then `ABC`). A word can only start with a letter or a mark.
///
/// Other characters take one optional space and a run, then any run of CR, LF and `/`. White
/// space: up to and including its last CR or LF; else to the end of the text if it reaches it;
/// else all but its last character; else the single character.
enum O200KRule: LexerRule {
    static let wordStart = CharClass.letter | CharClass.mark

    @inline(__always)
    static func end(_ x: Lexer, _ p: Int, _ f0: UInt8, _ l0: Int) -> Int {
        let c0 = x.s[p]
        if f0 & (CharClass.letter | CharClass.number) == 0 && c0 != 0x0A && c0 != 0x0D {
            // c0 can be P.
            let q = p + l0
            if x.at(q).0 & wordStart != 0 {
                let w = word(x, q)
                let e = w.firstAlternative ? w.end : (f0 & CharClass.mark != 0 ? q : w.end)
                return contraction(x, e)
            }
            if f0 & CharClass.mark != 0 { return contraction(x, q) }
        } else if f0 & CharClass.letter != 0 {
            return contraction(x, word(x, p).end)
        }
        if f0 & CharClass.number != 0 { return x.digits(p, l0) }
        let q = x.punctuationStart(p, c0, f0)
        if q >= 0 {
            var e = x.run(q, CharClass.other)
            while true {
                let b = x.byte(e)
                guard b == 0x0A || b == 0x0D || b == UInt8(ascii: "/") else { break }
                e += 1
            }
            return e
        }
        let r = x.spaceRun(p)
        if r.newlineEnd >= 0 { return r.newlineEnd } // \s*[\r\n]+
        if r.stop == 0 { return r.end }              // \s+(?!\S) at the end
        if r.lastStart > p { return r.lastStart }    // \s+(?!\S)
        return r.end                                 // \s+, one character
    }

    /// `[U]*[W]+` from `q` (a letter or mark), else `[U]+[W]*`; `firstAlternative` tells
    /// which matched. (When the first fails, the U run has no W and none follows it, so the
    /// second's W run is empty and its end is the U run's end.)
    @inline(__always)
    static func word(_ x: Lexer, _ q: Int) -> (end: Int, firstAlternative: Bool) {
        var e = q, lastW = -1
        while true {
            let (f, l) = x.at(e)
            if f & CharClass.upper == 0 {
                if f & CharClass.lower != 0 { return (x.run(e, CharClass.lower), true) }
                return lastW >= 0 ? (lastW, true) : (e, false)
            }
            e += l
            if f & CharClass.lower != 0 { lastW = e }
        }
    }

    /// The first two alternatives over ASCII, where U is `[A-Z]` and W is `[a-z]`: one
    /// optional ASCII byte that is not CR, LF, a letter or a digit, then `[A-Z]*[a-z]*` with
    /// at least one letter, when the byte after is ASCII and not `'` (which could start a
    /// contraction suffix).
    @inline(__always)
    static func asciiWordEnd(_ x: Lexer, _ p: Int) -> Int? {
        let c0 = x.s[p]
        guard c0 < 0x80 else { return nil }
        let f0 = x.bytes(c0)
        let q = f0 & (CharClass.letter | CharClass.number) == 0 && c0 != 0x0A && c0 != 0x0D ? p &+ 1 : p
        guard q < x.n, x.isASCIILetter(x.s[q]) else { return nil }
        let e = wordInWindow(x, q)
            ?? x.asciiRun(x.asciiRun(q, CharClass.letter | CharClass.upper), CharClass.letter | CharClass.lower)
        guard e == x.n || (x.s[e] < 0x80 && x.s[e] != UInt8(ascii: "'")) else { return nil }
        return e
    }

    /// The end of `[A-Z]*[a-z]*` from `q` when it ends inside the eight bytes from `q` (most
    /// words): both runs from one load, as two byte masks and two trailing-zero counts;
    /// `nil` when the word reaches the window's end or the window passes the text's end (the
    /// byte loops of ``Lexer/asciiRun(_:_:)`` then take it).
    @inline(__always)
    static func wordInWindow(_ x: Lexer, _ q: Int) -> Int? {
        guard q &+ 8 <= x.n else { return nil }
        let w = Lexer.word(x.s + q)
        let high: UInt64 = 0x8080_8080_8080_8080
        let upper = Lexer.swarInRange(w, Lexer.swarRange(CharClass.letter | CharClass.upper)!)
        let lower = Lexer.swarInRange(w, Lexer.swarRange(CharClass.letter | CharClass.lower)!)
        let a = (~upper & high).trailingZeroBitCount &>> 3            // [A-Z]*: 0...8 bytes
        // [a-z]* after them; e ≥ 8 when the word reaches the window's end (when a = 8 the
        // masking shift is by 0, and e is still ≥ 8).
        let e = a &+ ((~lower & high) &>> UInt64(truncatingIfNeeded: a &<< 3)).trailingZeroBitCount &>> 3
        return e < 8 ? q &+ e : nil
    }

    /// `e` extended by an optional caseless contraction.
    @inline(__always)
    static func contraction(_ x: Lexer, _ e: Int) -> Int {
        x.contractionCaseless(e) ?? e
    }
}
