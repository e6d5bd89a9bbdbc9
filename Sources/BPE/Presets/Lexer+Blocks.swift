import CByteMasks

/// The block scan: where a rule can, it cuts 64 bytes of ASCII at once. The bytes' classes
/// come as bit masks (``CByteMasks``: SSE2 compares, one `pmovmskb` per class and 16 bytes),
/// and the rule turns them into the mask of the pieces' starts with a few dozen word
/// operations (``LexerRule/blockStarts(_:_:ascii:)``), so that a piece costs a trailing-zero
/// count instead of a walk over its bytes with a branch per class test.
///
/// A block starts where a piece starts (`p`), and the patterns have no lookbehind, so the
/// pieces from `p` on depend only on the bytes from `p` on: the block is cut as if the text
/// began there. Its end is not the text's: a start whose piece might depend on bytes past the
/// block (or past its first non-ASCII byte) is not trusted, and the scan resumes at the last
/// trusted start, by the block scan again or by the byte scan. `LexerTests` and the
/// `FuzzSplit` target compare the two scans with each other and with PCRE2.
///
/// ```swift
/// // " the cat sat on the mat, and the dog sat on the log. " … (64 bytes or more)
/// // starts: 0, 4, 8, 12, 15, 19, 23, 24, … up to the last one trusted
/// ```
extension Lexer {
    /// Whether this CPU has the fast masks (every x86-64 does); elsewhere the byte scan does
    /// everything.
    static let blocksAvailable = cbm_fast != 0

    /// Bytes a block covers.
    static let blockBytes = 64

    /// Below this many ASCII bytes from a piece's start, the block scan does not pay: the
    /// byte scan takes the pieces until it has passed the non-ASCII byte.
    static let minimumASCIIRun = 16

    /// Bits 0...i.
    @inline(__always)
    static func through(_ i: Int) -> UInt64 { i >= 63 ? ~0 : (2 << UInt64(truncatingIfNeeded: i)) &- 1 }

    /// The positions of a block whose starts every rule can trust, given its first `ascii`
    /// bytes are ASCII, `white` its white space and `whiteStarts` the starts of white-space
    /// runs: none in the last three ASCII bytes (a contraction reads two bytes past its
    /// apostrophe), and none after the start of a white-space run that reaches the last
    /// ASCII byte (where that run ends, and where its last CR or LF is, lie past the block).
    @inline(__always)
    static func trustedStarts(ascii: Int, white: UInt64, whiteStarts: UInt64) -> UInt64 {
        var limit = ascii &- 3
        if white >> UInt64(ascii &- 1) & 1 != 0 {
            limit = min(limit, 63 &- whiteStarts.leadingZeroBitCount)
        }
        return through(limit)
    }

    /// The positions of `cls` reachable from `seed` (a subset of `cls`) going up through
    /// consecutive positions of `cls`: each run of `cls` from its first seed on.
    /// - Complexity: O(1): six doubling steps (a Kogge–Stone prefix).
    @inline(__always)
    static func smearUp(_ seed: UInt64, through cls: UInt64) -> UInt64 {
        var g = seed, p = cls
        g |= p & (g << 1); p &= p << 1
        g |= p & (g << 2); p &= p << 2
        g |= p & (g << 4); p &= p << 4
        g |= p & (g << 8); p &= p << 8
        g |= p & (g << 16); p &= p << 16
        g |= p & (g << 32)
        return g
    }

    /// ``smearUp(_:through:)`` going down: each run of `cls` up to its last seed.
    @inline(__always)
    static func smearDown(_ seed: UInt64, through cls: UInt64) -> UInt64 {
        var g = seed, p = cls
        g |= p & (g >> 1); p &= p >> 1
        g |= p & (g >> 2); p &= p >> 2
        g |= p & (g >> 4); p &= p >> 4
        g |= p & (g >> 8); p &= p >> 8
        g |= p & (g >> 16); p &= p >> 16
        g |= p & (g >> 32)
        return g
    }

    /// The starts of `\p{N}{1,3}` pieces in the digit runs of `digits`: each run's first
    /// digit, and every third one after it.
    @inline(__always)
    static func digitGroupStarts(_ digits: UInt64) -> UInt64 {
        var starts = digits & ~(digits << 1)
        // Runs of four or more need more starts than their first (numbers, not words: rare).
        guard digits & (digits << 1) & (digits << 2) & (digits << 3) != 0 else { return starts }
        var runs = starts
        while runs != 0 {
            let s = runs.trailingZeroBitCount
            runs &= runs &- 1
            let end = s &+ (~(digits >> UInt64(s))).trailingZeroBitCount
            var i = s &+ 3
            while i < end {
                starts |= 1 << UInt64(i)
                i &+= 3
            }
        }
        return starts
    }
}

extension LexerRule {
    /// No block scan unless the rule has one.
    static var hasBlockScan: Bool { false }
    static func blockStarts(_ x: Lexer, _ p: Int, ascii: Int) -> (starts: UInt64, cut: Int) { (1, 0) }
}
