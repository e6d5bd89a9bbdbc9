import BPERegex

/// How an ``Encoding`` (or the ``Trainer``) cuts text into pieces before merging: with a
/// preset's hand-written ``Lexer``, or, for any other pattern, with PCRE2.
///
/// Both report the same pieces for a preset's pattern (`LexerTests` and the `FuzzSplit`
/// target prove it), and both treat invalid UTF-8 alike: each ill-formed sequence is a piece
/// of its own, flagged invalid.
enum Splitter: Sendable {
    case preset(Preset)
    case regex(Pattern)

    /// The splitter for a PCRE2 pattern: a preset's lexer when the pattern is one of theirs.
    init(pcre2Pattern source: String) throws(PatternError) {
        if let preset = Preset(pcre2Pattern: source) {
            self = .preset(preset)
        } else {
            self = .regex(try Pattern(source))
        }
    }

    var preset: Preset? {
        if case .preset(let p) = self { return p }
        return nil
    }

    /// Calls `body(start, end, isValid)` for each piece of `buf`. `matcher` is the calling
    /// thread's PCRE2 match data, made on first need (a preset never needs one).
    /// - Complexity: O(n) for n bytes.
    @inline(__always)
    func forEachPiece<E: Error>(in buf: UnsafeBufferPointer<UInt8>, matcher: inout Matcher?,
                                _ body: (Int, Int, Bool) throws(E) -> Void) throws(E) {
        switch self {
        case .preset(let p):
            try Lexer(buf).forEachPiece(p, body)
        case .regex(let pattern):
            let m = matcher ?? pattern.makeMatcher()
            matcher = m
            try m.forEachPiece(in: buf) { (r: Range<Int>, valid: Bool) throws(E) in
                try body(r.lowerBound, r.upperBound, valid)
            }
        }
    }
}
