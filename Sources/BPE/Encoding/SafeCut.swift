/// Where a long text may be cut into independently split parts without changing any piece.
///
/// The rule: just after a `\n` that follows an ASCII letter or digit and precedes an ASCII
/// letter (`…a\nB…` → `…a\n` | `B…`). For the GPT-2, cl100k and o200k patterns:
/// - no piece contains `\n` followed by a letter (letter pieces never start with `\n`, and
///   whitespace pieces stop before a non-space);
/// - the `\n` is a piece of its own in the whole text (`\s` / `\s*[\r\n]` / `\s*[\r\n]+`), and
///   at the end of the first part it is again a piece of its own (`\s++$` or the same);
/// - a letter or digit piece before it never takes the `\n`;
/// - the cut is between ASCII bytes, so no UTF-8 sequence and no special token (none of ours
///   holds a `\n`) is split.
/// The tests check this on adversarial text for all three patterns. Other patterns get no
/// guarantee, so callers only cut for the presets.
enum SafeCut {
    /// The last safe cut in `bytes` (an index in `2..<count`), or `nil`. Only cuts after
    /// `start` are looked for: a caller that appends to a buffer with no cut passes the old
    /// length, so a long line without one is scanned once, not once per block.
    /// - Complexity: O(count − start) from the end.
    static func last(in bytes: UnsafeBufferPointer<UInt8>, after start: Int = 0) -> Int? {
        var i = bytes.count - 2
        // A cut at i + 1 reads bytes i − 1 ... i + 1.
        let lowest = max(1, start - 2)
        while i >= lowest {
            if bytes[i] == 0x0A && isLetter(bytes[i + 1]) && (isLetter(bytes[i - 1]) || isDigit(bytes[i - 1])) {
                return i + 1
            }
            i -= 1
        }
        return nil
    }

    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
}
