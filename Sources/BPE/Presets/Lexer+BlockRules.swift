import CByteMasks

/// o200k's and cl100k's patterns over a block of ASCII (``Lexer``'s block scan), as masks
/// (GPT-2's, whose rules differ more, are at the end of this file).
/// Within ASCII, P (the optional character before a word) is any byte but CR, LF, letters
/// and digits, and the rules of `Lexer+O200K.swift` and `Lexer+CL100K.swift` become rules
/// about each byte and the two before it:
/// - a word starts at a letter that follows no letter, or at the P before it when that P
///   starts a piece: white space other than CR and LF always does (a run of white space
///   leaves its last character to what follows), and "other" does unless the byte before it
///   is "other" too or a space (then it belongs to their run, ` ?[^\s\p{L}\p{N}]+`). With
///   o200k (`P?[A-Z]*[a-z]*` within ASCII), a word also starts at an upper-case letter after
///   a lower-case one;
/// - `\p{N}{1,3}`: at the first digit of a run, and every third after;
/// - ` ?[^\s\p{L}\p{N}]+[\r\n]*` (o200k: `[\r\n/]*`): at the first "other" of a run, or at
///   the space before it; CR and LF (and o200k's `/`) right after the run belong to it
///   (its "tail");
/// - white space: at the start of a run; after its last CR or LF, if the run goes on; and at
///   its last character, unless that is CR or LF or the run's only one (`\s*[\r\n]+`,
///   `\s+(?!\S)`, `\s+`; cl100k's `\s++$` needs the text's end, which a block never trusts);
/// - contractions (`'s`, `'t`, `'re`, `'ve`, `'m`, `'ll`, `'d`, any case): o200k's end a
///   word, right after its last letter; cl100k's are pieces of their own, wherever an
///   apostrophe starts a piece. Either way the next piece starts after one.
///
/// What a block cannot see: a run of white space that reaches the block's last ASCII byte
/// (its end, and where its last CR or LF is, are past the block), and the two bytes a
/// contraction needs after its apostrophe; so no start after the first such run, nor in the
/// last three bytes, is trusted.
extension Lexer {
    /// The starts of the pieces in the 64 bytes from `p` (a piece's start), whose first
    /// `ascii` bytes are ASCII, and the last trusted one (``LexerRule/blockStarts(_:_:ascii:)``).
    /// `caseSplit`: o200k's words end before an upper-case letter that follows a lower-case
    /// one; `slashInTail`: o200k's punctuation tail takes `/`; `contractionsAfterWords`:
    /// o200k's contractions end words, cl100k's are pieces of their own.
    ///
    /// ```swift
    /// // o200k, "Hello world's end.\n\nNext ..." from p: starts 0, 5, 13, 17, 20, 24
    /// ```
    /// - Complexity: O(1): eight class masks and a few dozen word operations, plus a loop
    ///   over the apostrophes that may start contractions and the digit runs of four or more.
    @inline(__always)
    static func gptBlockStarts(_ x: Lexer, _ p: Int, ascii: Int, caseSplit: Bool, slashInTail: Bool,
                               contractionsAfterWords: Bool) -> (starts: UInt64, cut: Int) {
        let m = cbm_classes64(x.s + p)
        let valid = through(ascii &- 1)
        let letter = m.letter & valid, digit = m.digit & valid
        let space = m.space & valid, white = m.white & valid, newline = m.newline & valid
        let other = valid & ~(letter | digit | white)

        // The tails of punctuation runs: from a CR or LF right after "other".
        let tailSeed = newline & (other << 1)
        let tailClass = slashInTail ? newline | (m.slash & valid) : newline
        let tail = tailSeed == 0 ? 0 : smearUp(tailSeed, through: tailClass)
        let punct = other & ~tail
        let ws = white & ~tail

        // Words.
        let letterStart = letter & ~(letter << 1)
        let takesP = ((ws & ~newline) << 1) | ((punct << 1) & ~((punct | space) << 2))
        let withP = letterStart & takesP
        var starts = (letterStart & ~withP) | (withP >> 1)
        if caseSplit {
            let upper = m.upper & valid
            starts |= upper & ((letter & ~upper) << 1)
        }

        starts |= digitGroupStarts(digit)
        let punctStart = punct & ~(punct << 1) & ~(space << 1)
        starts |= punctStart

        // White space.
        let wsStart = ws & ~(ws << 1)
        starts |= wsStart | (ws & ~(ws >> 1) & (ws << 1) & ~newline)
        let afterNewline = ws & ~newline & ((ws & newline) << 1)
        if afterNewline != 0 {
            // After a run's last CR or LF only: no CR or LF further on in the same run.
            starts |= afterNewline & ~smearDown(ws & newline, through: ws)
        }

        let trusted = trustedStarts(ascii: ascii, white: ws, whiteStarts: wsStart)

        // Contractions. o200k: an apostrophe after a letter, which joins the word before.
        // cl100k: an apostrophe that starts a piece. The suffix is the byte scan's
        // (``Lexer/contractionCaseless(_:)``).
        starts = contractionStarts(starts, apostrophes: m.apostrophe & (contractionsAfterWords ? letter << 1 : punctStart),
                                   trusted: trusted, from: p, endWords: contractionsAfterWords) { x.contractionCaseless($0) }

        starts &= trusted
        return (starts, 63 &- starts.leadingZeroBitCount)
    }

    /// `starts` with the contractions that begin at `apostrophes` (within `trusted`) made
    /// pieces: `end` gives the byte after a contraction's suffix at an apostrophe's address,
    /// or nil. With `endWords` (o200k) the apostrophe and suffix join the word before, and an
    /// apostrophe right at the end of the contraction before is skipped (`x's's` is `x's`
    /// and `'s`); without it (cl100k, GPT-2) they are a piece of their own. Either way the
    /// next piece starts after the suffix. The suffix's two bytes after the apostrophe are
    /// within the block's ASCII, since a trusted start is at most `ascii - 3`.
    ///
    /// ```swift
    /// // "it's." from p, apostrophe at 2, endWords false: starts {0, 2, 3, 4} -> {0, 2, 4}
    /// ```
    /// - Complexity: O(a), a the number of apostrophes.
    @inline(__always)
    static func contractionStarts(_ starts: UInt64, apostrophes: UInt64, trusted: UInt64, from p: Int,
                                  endWords: Bool, end: (Int) -> Int?) -> UInt64 {
        var starts = starts
        var apostrophes = apostrophes & trusted
        var contractionEnd = -1
        while apostrophes != 0 {
            let i = apostrophes.trailingZeroBitCount
            apostrophes &= apostrophes &- 1
            if endWords && i == contractionEnd { continue }
            guard let e = end(p &+ i) else { continue }
            let k = e &- (p &+ i)
            let inside: UInt64 = ((1 << UInt64(k)) &- 1) << UInt64(i)
            starts &= endWords ? ~inside : ~(inside & ~(1 << UInt64(i)))
            starts |= 1 << UInt64(i &+ k)
            contractionEnd = i &+ k
        }
        return starts
    }
}

extension O200KRule {
    static var hasBlockScan: Bool { true }

    @inline(__always)
    static func blockStarts(_ x: Lexer, _ p: Int, ascii: Int) -> (starts: UInt64, cut: Int) {
        Lexer.gptBlockStarts(x, p, ascii: ascii, caseSplit: true, slashInTail: true, contractionsAfterWords: true)
    }
}

extension CL100KRule {
    static var hasBlockScan: Bool { true }

    @inline(__always)
    static func blockStarts(_ x: Lexer, _ p: Int, ascii: Int) -> (starts: UInt64, cut: Int) {
        Lexer.gptBlockStarts(x, p, ascii: ascii, caseSplit: false, slashInTail: false, contractionsAfterWords: false)
    }
}

/// GPT-2's pattern over a block of ASCII (``Lexer``'s block scan), as masks. Within ASCII
/// the rules of `Lexer+GPT2.swift` become rules about each byte and the one or two after it:
/// - a run of letters, of digits or of "other" bytes (neither white space, letter nor digit)
///   is one piece (the runs are possessive: `\p{N}++` is not cut in threes), started by the
///   U+0020 right before it when there is one (` ?`: only a space, not a tab or a newline);
/// - white space: at the start of a run; and at its last character when the run has more
///   than one (`\s+(?!\S)` gives that character to what follows, `\s` takes it alone when it
///   is no space or nothing joins it; `\s++$` needs the text's end, which a block never
///   trusts);
/// - contractions (`'s`, `'t`, `'re`, `'ve`, `'m`, `'ll`, `'d`, lower case only): at an
///   apostrophe that starts a piece, they are a piece of their own, and the next piece
///   starts after one.
///
/// What a block cannot see is what o200k's and cl100k's cannot: the end of a run of white
/// space that reaches the block's last ASCII byte, and the two bytes after an apostrophe.
extension Lexer {
    /// The starts of GPT-2's pieces in the 64 bytes from `p` (a piece's start), whose first
    /// `ascii` bytes are ASCII, and the last trusted one (``LexerRule/blockStarts(_:_:ascii:)``).
    ///
    /// ```swift
    /// // "it's  a 1234 x.\n\n..." from p: starts 0, 2, 4, 5, 7, 12, 14, 15, 16, 17
    /// ```
    /// - Complexity: O(1): the class masks and a dozen word operations, plus a loop over
    ///   the apostrophes that start pieces.
    @inline(__always)
    static func gpt2BlockStarts(_ x: Lexer, _ p: Int, ascii: Int) -> (starts: UInt64, cut: Int) {
        let m = cbm_classes64(x.s + p)
        let valid = through(ascii &- 1)
        let letter = m.letter & valid, digit = m.digit & valid
        let ws = m.white & valid, space = m.space & valid
        let other = valid & ~(letter | digit | ws)

        // A space right before a run takes it: the run starts one byte early.
        let joins = space & ((letter | digit | other) >> 1)
        let runStarts = (letter & ~(letter << 1)) | (digit & ~(digit << 1)) | (other & ~(other << 1))
        var starts = joins | (runStarts & ~(joins << 1))

        // White space: each run's first character, and its last when the run has more.
        let wsStart = ws & ~(ws << 1)
        starts |= wsStart | (ws & ~(ws >> 1) & (ws << 1))

        let trusted = trustedStarts(ascii: ascii, white: ws, whiteStarts: wsStart)

        // Contractions: an apostrophe that starts a piece (the first of a run of "other" that
        // no space takes). The suffix is the byte scan's (``GPT2Rule/contraction(_:_:)``).
        starts = contractionStarts(starts, apostrophes: m.apostrophe & starts, trusted: trusted, from: p,
                                   endWords: false) { GPT2Rule.contraction(x, $0) }

        starts &= trusted
        return (starts, 63 &- starts.leadingZeroBitCount)
    }
}

extension GPT2Rule {
    static var hasBlockScan: Bool { true }

    @inline(__always)
    static func blockStarts(_ x: Lexer, _ p: Int, ascii: Int) -> (starts: UInt64, cut: Int) {
        Lexer.gpt2BlockStarts(x, p, ascii: ascii)
    }
}
