/// Exact shortcuts for the commonest pieces of the GPT split patterns: a word of ASCII
/// letters, with its optional leading space or punctuation.
///
/// A shortcut either returns the end of the piece the full pattern would match at the same
/// position, or `nil` ("ask PCRE2"). It answers only when ASCII bytes alone decide the match;
/// at anything else — an apostrophe that may start or end a contraction, a non-ASCII byte that
/// may be a letter or a combining mark continuing the word, digits, whitespace runs — it
/// defers. Because matching at a position depends only on the text from there on, mixing
/// shortcut pieces and PCRE2 pieces gives exactly PCRE2's pieces. The tests compare both on
/// random text built from the risky characters.
public enum FastPath: Sendable {
    /// `'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++|…` (r50k_base, p50k_base).
    case gpt2
    /// `'(?i:…)|[^\r\n\p{L}\p{N}]?+\p{L}++|…` (cl100k_base).
    case cl100k
    /// `[^\r\n\p{L}\p{N}]?[\p{Lu}…]*[\p{Ll}…]+(?i:'s|…)?|[^\r\n\p{L}\p{N}]?[\p{Lu}…]+[\p{Ll}…]*(?i:…)?|…`
    /// (o200k_base).
    case o200k

    @inline(__always) static func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
    @inline(__always) static func isLower(_ b: UInt8) -> Bool { b >= 0x61 && b <= 0x7A }
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { isUpper(b) || isLower(b) }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// The end of the piece starting at `p` in `s[0..<n]`, or `nil` to ask PCRE2.
    @inline(__always)
    func pieceEnd(_ s: UnsafePointer<UInt8>, _ n: Int, _ p: Int) -> Int? {
        let c = s[p]
        guard c < 0x80, c != UInt8(ascii: "'") || self == .o200k else { return nil }
        var q = p
        switch self {
        case .gpt2:
            if c == 0x20 { q += 1 }
        case .cl100k, .o200k:
            // `[^\r\n\p{L}\p{N}]?`: one ASCII byte that is not CR, LF, a letter or a digit.
            if !Self.isLetter(c) && !Self.isDigit(c) && c != 0x0A && c != 0x0D { q += 1 }
        }
        guard q < n, Self.isLetter(s[q]) else { return nil }
        var e = q
        if self == .o200k {
            // Uppercase run, then lowercase run; either alternative ends the piece there.
            while e < n && Self.isUpper(s[e]) { e += 1 }
            while e < n && Self.isLower(s[e]) { e += 1 }
        } else {
            while e < n && Self.isLetter(s[e]) { e += 1 }
        }
        guard e < n else { return e }
        let next = s[e]
        // A non-ASCII byte may continue the word; an apostrophe may start a contraction
        // suffix (o200k) — PCRE2 decides those.
        if next >= 0x80 || (self == .o200k && next == UInt8(ascii: "'")) { return nil }
        return e
    }
}
