/// Where a long text may be cut into independently split parts without changing any piece.
///
/// The rule: just after a `\n` whose neighbours are both visible ASCII (`!` … `~`), the next
/// one not `/`: `…a\nB…`, `….\n(…`, `…7\n'…` → `…\n` | `…`. For the GPT-2, cl100k and
/// o200k patterns:
/// - the `\n` ends a piece in the whole text: it is a piece of its own (`\s` / `\s*[\r\n]` /
///   `\s*[\r\n]+`), or the end of a punctuation piece (cl100k's `[\r\n]*+`, o200k's
///   `[\r\n/]*`, hence no `/` after), because what follows is not whitespace; no pattern lets a piece run on from
///   `\n` into a non-space (letter and punctuation pieces take an optional leading character
///   that excludes `\r\n`, or only a space);
/// - at the end of the first part it ends the same piece (`\s++$`, `\s+(?!\S)` at the end, or
///   the same punctuation piece): what precedes it is not whitespace, so no whitespace run
///   reaches back past it (with a space before it, GPT-2 splits `" \nA"` as `" "`, `"\n"`, but
///   a text ending `" \n"` as one piece: so the neighbour must not be whitespace);
/// - the next piece starts at the byte after the `\n` in both, and no pattern looks behind;
/// - the cut is between ASCII bytes, so no UTF-8 sequence and no special token (none of ours
///   holds a `\n`) is split.
/// `StreamTests` checks every cut the rule allows on random text for all three patterns, and
/// streamed against whole-input ids. Other patterns get no guarantee, so callers only cut for
/// the presets.
package enum SafeCut {
    /// The last safe cut in `bytes` (an index in `2..<count`), or `nil`. Only cuts after
    /// `start` are looked for: a caller that appends to a buffer with no cut passes the old
    /// length, so a long line without one is scanned once, not once per block.
    /// Eight positions are tried at once (``Lexer``'s byte-lane tests on three overlapping
    /// words), so text with no cut costs a few instructions a byte, not a loop turn: `bpe
    /// count` on 10 MB of newlines, which has none, spent 170 M instructions here.
    /// - Complexity: O(count − start) from the end.
    package static func last(in bytes: UnsafeBufferPointer<UInt8>, after start: Int = 0) -> Int? {
        var i = bytes.count - 2
        // A cut at i + 1 reads bytes i − 1 ... i + 1.
        let lowest = max(1, start - 2)
        if let base = bytes.baseAddress {
            // Positions i − 7 ... i: the bytes at them, before them and after them.
            while i &- 7 >= lowest {
                let j = i &- 7
                let at = Lexer.word(base + j), before = Lexer.word(base + (j &- 1)), after = Lexer.word(base + (j &+ 1))
                let cuts = Lexer.swarEqual(at, 0x0A) & visible(before) & visible(after) & ~Lexer.swarEqual(after, 0x2F)
                if cuts != 0 { return j &+ (63 &- cuts.leadingZeroBitCount) &>> 3 &+ 1 }
                i &-= 8
            }
        }
        while i >= lowest {
            if isCut(bytes, at: i) {
                return i + 1
            }
            i -= 1
        }
        return nil
    }

    /// The first safe cut in `from..<to` (a cut is the index just after the `\n`), or `nil`.
    /// - Complexity: O(to − from).
    package static func first(in bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        var i = max(from - 1, 1)
        while i + 1 < to {
            if isCut(bytes, at: i) { return i + 1 }
            i += 1
        }
        return nil
    }

    /// Cuts `range` of `bytes` into parts of roughly `target` bytes at safe cuts, for encoding
    /// one long document on several threads; a part with no safe cut inside stays whole.
    ///
    /// ```swift
    /// SafeCut.split(buf, 0..<10_000_000, target: 1 << 20)   // about ten ranges, tiling 0..<10_000_000
    /// ```
    /// - Complexity: O(range.count).
    package static func split(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, target: Int) -> [Range<Int>] {
        guard range.count > target * 3 / 2 else { return [range] }
        var parts: [Range<Int>] = []
        var start = range.lowerBound
        while range.upperBound - start > target * 3 / 2 {
            guard let cut = first(in: bytes, from: start + target, to: range.upperBound - target / 2) else { break }
            parts.append(start..<cut)
            start = cut
        }
        parts.append(start..<range.upperBound)
        return parts
    }

    /// Whether a cut just after `bytes[i]` is safe (needs `1 <= i < count - 1`).
    @inline(__always) static func isCut(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        // Not before `/`: o200k's punctuation pieces take `[\r\n/]*` after them.
        bytes[i] == 0x0A && isVisibleASCII(bytes[i + 1]) && bytes[i + 1] != 0x2F && isVisibleASCII(bytes[i - 1])
    }

    /// `!` … `~`: ASCII that is neither whitespace nor a control character.
    @inline(__always) static func isVisibleASCII(_ b: UInt8) -> Bool { b >= 0x21 && b <= 0x7E }

    /// ``isVisibleASCII(_:)`` for each byte of `w`: 0x80 where it holds, 0 elsewhere.
    @inline(__always) static func visible(_ w: UInt64) -> UInt64 { Lexer.swarInRange(w, (fold: 0, lo: 0x21, hi: 0x7E)) }
}
