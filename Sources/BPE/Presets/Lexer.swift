import BPERegex
import CByteMasks

/// A hand-written scanner that splits UTF-8 text exactly as one of the GPT split patterns
/// does, with no regex engine: each alternative of the pattern is an ordered, greedy scan over
/// the bytes, with ASCII classified by one table load and other scalars by ``CharClass``.
///
/// A `Lexer` is a view of one subject (the text between two special tokens). It reports every
/// piece as a byte range; together the ranges tile the text. Invalid UTF-8 is handled in the
/// same pass, exactly as ``BPERegex/Matcher/forEachPiece(in:_:)`` handles it: an ill-formed
/// sequence (a maximal subpart) is a piece of its own, and it ends the text the pattern sees,
/// as a PCRE2 subject would end there (so `\s++$` and `(?!\S)` see an end).
///
/// The rules, one per pattern, are in `Lexer+GPT2.swift`, `Lexer+CL100K.swift` and
/// `Lexer+O200K.swift`; each spells out the regex semantics it reproduces. `LexerTests` and
/// the `FuzzSplit` target compare them with PCRE2 on text made of the risky characters.
///
/// ```swift
/// let text = Array("Hello world".utf8)
/// text.withUnsafeBufferPointer { buf in
///     Lexer(buf).forEachPiece(Preset.cl100k) { start, end, _ in print(start..<end) }  // 0..<5, 5..<11
/// }
/// ```
/// - Complexity: O(n) for n bytes: every alternative either consumes what it scans or
///   scans at most a bounded lookahead.
struct Lexer {
    let s: UnsafePointer<UInt8>
    let n: Int
    /// Whether rules that have a block scan use it (``LexerRule/blockStarts(_:_:ascii:)``);
    /// the checks that compare it with the byte scan turn it off.
    var blockScan = true
    /// ``CharClass/Tables/bytes``: ASCII flags, or ``CharClass/multiByte``.
    private let bytes: UnsafeMutablePointer<UInt8>
    private let stage1: UnsafeMutablePointer<UInt8>
    private let stage2: UnsafeMutablePointer<UInt8>
    /// ``CharClass/Tables/bmp``: the flags of U+0000...U+FFFF by scalar.
    private let bmp: UnsafeMutablePointer<UInt8>

    init(_ buf: UnsafeBufferPointer<UInt8>, blockScan: Bool = true) {
        self.blockScan = blockScan
        // An empty buffer may have no base address; any non-null pointer does for n == 0.
        let t = CharClass.table
        s = buf.baseAddress ?? UnsafePointer(t.bytes)
        n = buf.count
        bytes = t.bytes
        stage1 = t.stage1
        stage2 = t.stage2
        bmp = t.bmp
    }

    /// Calls `body(start, end, valid)` for every piece, left to right. `valid` is false for an
    /// ill-formed UTF-8 sequence.
    @inline(__always)
    func forEachPiece<E: Error>(_ preset: Preset, _ body: (Int, Int, Bool) throws(E) -> Void) throws(E) {
        switch preset {
        case .gpt2: try forEachPiece(GPT2Rule.self, body)
        case .cl100k: try forEachPiece(CL100KRule.self, body)
        case .o200k: try forEachPiece(O200KRule.self, body)
        }
    }

    /// The driver, specialized per rule so the scan inlines into the loop.
    @inline(__always)
    func forEachPiece<R: LexerRule, E: Error>(_ rule: R.Type, _ body: (Int, Int, Bool) throws(E) -> Void) throws(E) {
        var p = 0
        // The block scan is not tried again before this: the byte scan takes the pieces up to
        // a non-ASCII byte that came too soon after a piece's start (``minimumASCIIRun``).
        var blocksFrom = R.hasBlockScan && Self.blocksAvailable && blockScan ? 0 : Int.max
        while p < n {
            if p >= blocksFrom && p &+ Self.blockBytes <= n {
                let ascii = cbm_high64(s + p).trailingZeroBitCount
                if ascii >= Self.minimumASCIIRun {
                    let (starts, cut) = R.blockStarts(self, p, ascii: ascii)
                    if cut > 0 {
                        var rest = starts & (starts &- 1)     // the starts after p's
                        var start = p
                        while rest != 0 {
                            let end = p &+ rest.trailingZeroBitCount
                            try body(start, end, true)
                            start = end
                            rest &= rest &- 1
                        }
                        p = start
                        continue
                    }
                } else {
                    blocksFrom = p &+ ascii &+ 1
                }
            }
            // The commonest piece, an ASCII word, in a few instructions a byte; the full rule
            // for everything else (and for any word that meets a non-ASCII byte).
            if let e = R.asciiWordEnd(self, p) {
                try body(p, e, true)
                p = e
                continue
            }
            let (f, l) = at(p)
            if f == 0 {
                let bad = invalidLength(at: p)
                try body(p, p + bad, false)
                p += bad
                continue
            }
            let e = R.end(self, p, f, l)
            try body(p, e, true)
            p = e
        }
    }

    // MARK: Scanning primitives

    /// The flags (``CharClass``) and byte length of the character at `i`; `(0, 0)` at the end
    /// of the text or at an ill-formed sequence.
    @inline(__always)
    func at(_ i: Int) -> (UInt8, Int) {
        guard i < n else { return (0, 0) }
        let b = s[i]
        let f = bytes[Int(b)]
        if f & CharClass.multiByte == 0 { return (f, 1) }
        return multiByte(i, b)
    }

    /// Decodes and validates a multi-byte sequence (Unicode Table 3-7), then looks it up: in
    /// ``CharClass/Tables/bmp`` for two and three bytes, in the stages for four. Offsets add
    /// with `&+` here and in ``run(_:_:)``: `i < n`, so they cannot overflow, and the checked
    /// adds cost a test and a branch a character.
    @inline(__always)
    private func multiByte(_ i: Int, _ b: UInt8) -> (UInt8, Int) {
        if b < 0xE0 {
            guard b >= 0xC2, i &+ 1 < n else { return (0, 0) }
            let c1 = s[i &+ 1]
            guard c1 & 0xC0 == 0x80 else { return (0, 0) }
            return (bmp[Int(b & 0x1F) << 6 | Int(c1 & 0x3F)], 2)
        } else if b < 0xF0 {
            guard i &+ 2 < n else { return (0, 0) }
            // Both continuation bytes from one load, checked at once, then E0's narrower range
            // (below A0 is overlong), a branch text hardly takes. ED's (above 9F is a
            // surrogate) needs no test: the tables give U+D800...U+DFFF no flags, and no
            // flags read as ill-formed, as PCRE2 reads them (`LexerTests` checks both).
            let c = UInt32(UInt16(littleEndian: UnsafeRawPointer(s + (i &+ 1)).loadUnaligned(as: UInt16.self)))
            guard c & 0xC0C0 == 0x8080 else { return (0, 0) }
            if b == 0xE0 && c & 0xFF < 0xA0 { return (0, 0) }
            return (bmp[Int(b & 0x0F) << 12 | Int(c & 0x3F) << 6 | Int(c >> 8 & 0x3F)], 3)
        } else {
            guard b <= 0xF4, i &+ 3 < n else { return (0, 0) }
            let c1 = s[i &+ 1], c2 = s[i &+ 2], c3 = s[i &+ 3]
            let lo: UInt8 = b == 0xF0 ? 0x90 : 0x80
            let hi: UInt8 = b == 0xF4 ? 0x8F : 0xBF
            guard c1 >= lo, c1 <= hi, c2 & 0xC0 == 0x80, c3 & 0xC0 == 0x80 else { return (0, 0) }
            let cp = Int(b & 0x07) << 18 | Int(c1 & 0x3F) << 12 | Int(c2 & 0x3F) << 6 | Int(c3 & 0x3F)
            let block = Int(stage1[cp >> CharClass.blockShift])
            return (stage2[block << CharClass.blockShift | cp & (1 << CharClass.blockShift - 1)], 4)
        }
    }

    /// The length of the ill-formed sequence at `i`: its maximal subpart, the unit PCRE2's
    /// caller (``BPERegex/UTF8Validation``) reports.
    private func invalidLength(at i: Int) -> Int {
        UTF8Validation.firstInvalid(in: UnsafeBufferPointer(start: s, count: n), from: i)?.count ?? 1
    }

    /// The end of the run of characters with any of `mask`'s flags starting at `i`.
    @inline(__always)
    func run(_ i: Int, _ mask: UInt8) -> Int {
        var e = i
        while e < n {
            let b = s[e]
            let f = bytes[Int(b)]
            if f & mask != 0 { e &+= 1; continue }           // ASCII in the class: the common case
            if f & CharClass.multiByte == 0 { return e }     // ASCII, not in it
            let (g, l) = multiByte(e, b)
            if g & mask == 0 { return e }
            e &+= l
        }
        return e
    }

    /// One to three characters of `\p{N}` from `i` (`\p{N}{1,3}`), the first known to be one.
    @inline(__always)
    func digits(_ i: Int, _ firstLength: Int) -> Int {
        var e = i + firstLength
        for _ in 0..<2 {
            let (f, l) = at(e)
            if f & CharClass.number == 0 { break }
            e += l
        }
        return e
    }

    /// Where ` ?[^\s\p{L}\p{N}]+` (cl100k's and o200k's punctuation run) starts its run at `p`,
    /// whose first byte is `c0` with flags `f0`: `p + 1` after an optional space, `p`, or -1
    /// when it does not match here.
    @inline(__always)
    func punctuationStart(_ p: Int, _ c0: UInt8, _ f0: UInt8) -> Int {
        if c0 == 0x20 { return at(p + 1).0 & CharClass.other != 0 ? p + 1 : -1 }
        return f0 & CharClass.other != 0 ? p : -1
    }

    /// A maximal run of white space from `i` (which is white space).
    /// - `end`: where the run stops; `stop`: the flags there (0: the end of the text);
    /// - `lastStart`: where the run's last character starts (`i` for a run of one);
    /// - `newlineEnd`: just after the run's last CR or LF, or -1 if it has none.
    ///
    /// Plain spaces (U+0020), the bulk of indentation, go eight at a time: the run of them
    /// in a word is the trailing-zero count of the word XOR eight spaces. After a tab, CR, LF,
    /// VT or FF, the run's ASCII white space goes eight at a time too (``swarWhite(_:)``),
    /// its last CR or LF found from the word's newline mask: a run of newlines took about 30
    /// instructions a byte one character at a time (callgrind, `bpe count`, 10 MB of `\n`,
    /// o200k: 300 M instructions in this function; see `README.md`).
    @inline(__always)
    func spaceRun(_ i: Int) -> (end: Int, stop: UInt8, lastStart: Int, newlineEnd: Int) {
        var e = i, last = i, newline = -1
        while true {
            while e &+ 8 <= n {
                let w = Self.word(s + e) ^ 0x2020_2020_2020_2020
                let k = w.trailingZeroBitCount &>> 3   // 8 when all eight are spaces
                if k == 0 { break }
                last = e &+ k &- 1
                e &+= k
                if k < 8 { break }
            }
            let (f, l) = at(e)
            if f & CharClass.space == 0 { return (e, f, last, newline) }
            let b = s[e]
            if b == 0x0A || b == 0x0D { newline = e + 1 }
            last = e
            e += l
            // Only when a tab, CR, LF, VT or FF follows: a lone newline before a word, or one
            // before indentation (which the spaces' words take), costs one test.
            if b < 0x20 && e < n && s[e] < 0x20 && bytes[Int(s[e])] & CharClass.space != 0 {
                (e, last, newline) = asciiWhiteRun(e, last: last, newline: newline)
            }
        }
    }

    /// ``spaceRun(_:)``'s words of ASCII white space from `e`, eight bytes at a time while
    /// they last: the new end, the start of the run's last character so far, and just after
    /// its last CR or LF so far (`last` and `newline` as they were when none is taken). Out
    /// of line: inlined, its constants were set up at every call of ``spaceRun(_:)``, which
    /// cost CJK text 1.5 % more instructions (callgrind, o200k, a second encode of 1 MB).
    @inline(never)
    func asciiWhiteRun(_ e: Int, last: Int, newline: Int) -> (Int, Int, Int) {
        var e = e, last = last, newline = newline
        while e &+ 8 <= n {
            let w = Self.word(s + e)
            let k = (~Self.swarWhite(w) & 0x8080_8080_8080_8080).trailingZeroBitCount &>> 3   // 8: all white
            if k == 0 { break }
            let taken: UInt64 = k == 8 ? ~0 : (1 &<< UInt64(truncatingIfNeeded: 8 &* k)) &- 1
            let newlines = (Self.swarEqual(w, 0x0A) | Self.swarEqual(w, 0x0D)) & taken
            if newlines != 0 { newline = e &+ (63 &- newlines.leadingZeroBitCount) &>> 3 &+ 1 }
            last = e &+ k &- 1
            e &+= k
            if k < 8 { break }
        }
        return (e, last, newline)
    }

    /// 0x80 in each byte of `w` that is ASCII white space as PCRE2's `\s` reads it (and
    /// ``CharClass/space``): U+0009...U+000D and U+0020; 0 in every other bit.
    @inline(__always)
    static func swarWhite(_ w: UInt64) -> UInt64 {
        swarInRange(w, (fold: 0, lo: 0x09, hi: 0x0D)) | swarEqual(w, 0x20)
    }

    /// 0x80 in each byte of `w` equal to `b`; 0 in every other bit. Per byte x = w XOR b:
    /// (x & 0x7F) + 0x7F has its top bit set iff the low seven bits are not all zero, so with
    /// x's own top bit OR-ed in, only a zero byte leaves it clear (no sum carries across bytes).
    @inline(__always)
    static func swarEqual(_ w: UInt64, _ b: UInt8) -> UInt64 {
        let x = w ^ (UInt64(b) &* 0x0101_0101_0101_0101)
        return ~(((x & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | x) & 0x8080_8080_8080_8080
    }

    /// The flags of ASCII byte `b` (``CharClass/multiByte`` for bytes ≥ 0x80).
    @inline(__always)
    func bytes(_ b: UInt8) -> UInt8 { bytes[Int(b)] }

    /// Whether byte `b` is an ASCII letter.
    @inline(__always)
    func isASCIILetter(_ b: UInt8) -> Bool { bytes[Int(b)] & CharClass.letter != 0 }

    /// The end of the run of ASCII bytes from `i` whose flags have all of `mask`'s bits.
    ///
    /// For the word classes (``Lexer/swarRange(_:)``) eight bytes are classified at once and
    /// the run's end is a trailing-zero count: a word shorter than eight letters, most of them,
    /// then costs no loop exit, which the byte loop mispredicted once per word (a quarter of
    /// all mispredicted branches in English).
    @inline(__always)
    func asciiRun(_ i: Int, _ mask: UInt8) -> Int {
        var e = i
        if let range = Self.swarRange(mask) {
            while e &+ 8 <= n {
                let w = Self.word(s + e)
                let outside = ~Self.swarInRange(w, range) & 0x8080_8080_8080_8080
                if outside != 0 { return e &+ outside.trailingZeroBitCount &>> 3 }
                e &+= 8
            }
        }
        while e < n && bytes[Int(s[e])] & mask == mask { e &+= 1 }
        return e
    }

    /// The ASCII bytes of a word class as a range `lo...hi` after OR-ing `fold` into each byte
    /// (0x20 folds upper case onto lower), or `nil` for a class this does not cover.
    /// `LexerTests` checks that each agrees with the flag table on all 256 bytes.
    @inline(__always)
    static func swarRange(_ mask: UInt8) -> (fold: UInt8, lo: UInt8, hi: UInt8)? {
        switch mask {
        case CharClass.letter: return (0x20, UInt8(ascii: "a"), UInt8(ascii: "z"))
        case CharClass.letter | CharClass.upper: return (0, UInt8(ascii: "A"), UInt8(ascii: "Z"))
        case CharClass.letter | CharClass.lower: return (0, UInt8(ascii: "a"), UInt8(ascii: "z"))
        default: return nil
        }
    }

    /// The eight bytes from `p` as one word, the first in the low byte: what the byte-lane
    /// tests below read.
    @inline(__always)
    static func word(_ p: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
    }

    /// 0x80 in each byte of `w` that is ASCII and, with `fold` OR-ed in, within `lo...hi`;
    /// 0 in every other bit. Per byte x (below 0x80 once the top bit is cleared, so no sum
    /// carries into the next byte): x + (0x80 - lo) has its top bit set iff x ≥ lo, and
    /// x + (0x7F - hi) iff x > hi.
    @inline(__always)
    static func swarInRange(_ w: UInt64, _ range: (fold: UInt8, lo: UInt8, hi: UInt8)) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let x = (w | UInt64(range.fold) &* ones) & 0x7F7F_7F7F_7F7F_7F7F
        let atLeastLo = x &+ UInt64(0x80 - range.lo) &* ones
        let aboveHi = x &+ UInt64(0x7F - range.hi) &* ones
        return atLeastLo & ~aboveHi & ~w & 0x8080_8080_8080_8080
    }

    /// The byte at `i`, or 0 past the end (0 is never a byte the rules look for after a
    /// letter: they compare with ASCII punctuation and letters only).
    @inline(__always)
    func byte(_ i: Int) -> UInt8 { i < n ? s[i] : 0 }

    /// The end of `(?i:'s|'t|'re|'ve|'m|'ll|'d)` at `i` (or of cl100k's `'(?i:[sdmt]|ll|ve|re)`),
    /// or `nil`. Case-insensitive as Unicode simple case folding is: `s` also matches `ſ`
    /// (U+017F); no other letter of these has a non-ASCII fold.
    @inline(__always)
    func contractionCaseless(_ i: Int) -> Int? {
        guard byte(i) == UInt8(ascii: "'") else { return nil }
        // `b | 0x20` lower-cases an ASCII letter; its only other preimage is the upper-case one.
        let c1 = byte(i + 1), c2 = byte(i + 2) | 0x20
        switch c1 | 0x20 {
        case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"): return i + 2
        case UInt8(ascii: "r"), UInt8(ascii: "v"): return c2 == UInt8(ascii: "e") ? i + 3 : nil
        case UInt8(ascii: "l"): return c2 == UInt8(ascii: "l") ? i + 3 : nil
        case 0xE5 where c1 == 0xC5: return byte(i + 2) == 0xBF ? i + 3 : nil   // ſ is C5 BF
        default: return nil
        }
    }
}

/// One GPT pattern's alternatives, as a scan: the end of the piece that starts at `p`.
protocol LexerRule {
    /// `f` and `l` are the flags and byte length of the (valid) character at `p`.
    static func end(_ x: Lexer, _ p: Int, _ f: UInt8, _ l: Int) -> Int
    /// The end of the piece at `p` when it is a word of ASCII letters (with the leading
    /// character the pattern allows) that ASCII alone decides; `nil` sends the piece to
    /// ``end(_:_:_:_:)``, so this must answer only where that would give the same end.
    static func asciiWordEnd(_ x: Lexer, _ p: Int) -> Int?
    /// Whether the rule has ``blockStarts(_:_:ascii:)``.
    static var hasBlockScan: Bool { get }
    /// The starts of the pieces in the block of 64 bytes from `p` (a piece's start), whose
    /// first `ascii` (≥ ``Lexer/minimumASCIIRun``) are ASCII: bit i for `p + i`, bit 0 set,
    /// and none past `cut`, the last start whose piece before it is certain whatever
    /// follows the block (0: none is).
    static func blockStarts(_ x: Lexer, _ p: Int, ascii: Int) -> (starts: UInt64, cut: Int)
}
