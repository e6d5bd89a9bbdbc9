import CByteMasks

/// o200k's pattern over a block of ASCII (``Lexer``'s block scan), as masks. Within ASCII,
/// U is `[A-Z]`, W is `[a-z]`, P is any byte but CR, LF, letters and digits, and the rules
/// of `Lexer+O200K.swift` become rules about each byte and the two before it:
/// - a word (`P?[A-Z]*[a-z]*`, at least one letter) starts at a letter that follows no
///   letter, or at the P before it when that P starts a piece: white space other than CR and
///   LF always does (a run of white space leaves its last character to what follows), and
///   "other" does unless the byte before it is "other" too or a space (then it belongs to
///   their run, ` ?[^\s\p{L}\p{N}]+`); inside a run of letters, a word starts at an upper-case
///   letter after a lower-case one;
/// - `\p{N}{1,3}`: at the first digit of a run, and every third after;
/// - ` ?[^\s\p{L}\p{N}]+[\r\n/]*`: at the first "other" of a run, or at the space before
///   it; CR, LF and `/` right after the run belong to it (its "tail");
/// - white space: at the start of a run; after its last CR or LF, if the run goes on; and at
///   its last character, unless that is CR or LF or the run's only one (`\s*[\r\n]+`,
///   `\s+(?!\S)`, `\s+`);
/// - a contraction (`'s`, `'t`, `'re`, `'ve`, `'m`, `'ll`, `'d`, any case) right after a
///   word's last letter belongs to the word, and the next piece starts after it.
///
/// What the block cannot see: a run of white space that reaches the block's last ASCII
/// byte (its end, and where its last CR or LF is, are past the block), and the two bytes a
/// contraction needs after its apostrophe; so no start after the first such run, nor in the
/// last three bytes, is trusted.
extension O200KRule {
    static var hasBlockScan: Bool { true }

    @inline(__always)
    static func blockStarts(_ x: Lexer, _ p: Int, ascii: Int) -> (starts: UInt64, cut: Int) {
        let m = cbm_classes64(x.s + p)
        let valid = Lexer.through(ascii &- 1)
        let letter = m.letter & valid, upper = m.upper & valid, digit = m.digit & valid
        let space = m.space & valid, white = m.white & valid, newline = m.newline & valid
        let other = valid & ~(letter | digit | white)

        // The tails `[\r\n/]*` of punctuation runs: from a CR or LF right after "other".
        let tailSeed = newline & (other << 1)
        let tail = tailSeed == 0 ? 0 : Lexer.smearUp(tailSeed, through: newline | (m.slash & valid))
        let punct = other & ~tail
        let ws = white & ~tail

        // Words.
        let letterStart = letter & ~(letter << 1)
        let caseStart = upper & ((letter & ~upper) << 1)
        let takesP = ((ws & ~newline) << 1) | ((punct << 1) & ~((punct | space) << 2))
        let withP = letterStart & takesP
        var starts = (letterStart & ~withP) | (withP >> 1) | caseStart

        starts |= Lexer.digitGroupStarts(digit)
        starts |= punct & ~(punct << 1) & ~(space << 1)

        // White space.
        let wsStart = ws & ~(ws << 1)
        starts |= wsStart | (ws & ~(ws >> 1) & (ws << 1) & ~newline)
        let afterNewline = ws & ~newline & ((ws & newline) << 1)
        if afterNewline != 0 {
            // After a run's last CR or LF only: no CR or LF further on in the same run.
            starts |= afterNewline & ~Lexer.smearDown(ws & newline, through: ws)
        }

        var limit = ascii &- 3
        if ws >> UInt64(ascii &- 1) & 1 != 0 {
            limit = min(limit, 63 &- wsStart.leadingZeroBitCount)
        }

        // Contractions: an apostrophe after a letter (the last of a word, unless it ends the
        // contraction before: `x's's` is `x's` and `'s`).
        var apostrophes = m.apostrophe & (letter << 1) & Lexer.through(limit)
        var contractionEnd = -1
        while apostrophes != 0 {
            let i = apostrophes.trailingZeroBitCount
            apostrophes &= apostrophes &- 1
            if i == contractionEnd { continue }
            let q = x.s + (p &+ i)
            let c1 = q[1] | 0x20, c2 = q[2] | 0x20
            let k: Int
            switch c1 {
            case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"): k = 2
            case UInt8(ascii: "r"), UInt8(ascii: "v"): k = c2 == UInt8(ascii: "e") ? 3 : 0
            case UInt8(ascii: "l"): k = c2 == UInt8(ascii: "l") ? 3 : 0
            default: k = 0
            }
            guard k > 0 else { continue }
            starts &= ~(((1 << UInt64(k)) &- 1) << UInt64(i))
            starts |= 1 << UInt64(i &+ k)
            contractionEnd = i &+ k
        }

        starts &= Lexer.through(limit)
        return (starts, 63 &- starts.leadingZeroBitCount)
    }
}
