import CPCRE2

/// The per-thread half of a ``Pattern``: PCRE2 match data and, when a match needs more than
/// PCRE2's default 32 KiB, a JIT stack.
///
/// A `Matcher` is not `Sendable`: use one per thread (or per call) and reuse it, so the hot
/// loop allocates nothing.
///
/// ```swift
/// let m = try Pattern(#"\S+"#).makeMatcher()
/// let text = Array("to be".utf8)
/// text.withUnsafeBufferPointer { buf in
///     m.forEachPiece(in: buf) { print($0) }    // 0..<2, 3..<5
/// }
/// ```
public final class Matcher {
    public let pattern: Pattern
    private let matchData: OpaquePointer
    /// Created on first need, with a JIT stack that can grow to `maxJITStack`.
    private var matchContext: OpaquePointer?
    private var jitStack: OpaquePointer?
    private static let maxJITStack = 512 << 20

    init(pattern: Pattern) {
        self.pattern = pattern
        // One pair of offsets is all we read; PCRE2 sizes it from the pattern otherwise.
        matchData = pcre2_match_data_create_8(1, nil)
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        if let matchContext { pcre2_match_context_free_8(matchContext) }
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
    }

    /// Calls `body` with the byte range of every match, left to right, in `bytes`.
    ///
    /// Invalid UTF-8 never reaches PCRE2: each ill-formed sequence (a maximal subpart, see
    /// ``UTF8Validation``) is reported as a piece of its own, and the valid runs around it are
    /// matched as separate subjects. So for a pattern whose matches tile valid text (all the
    /// GPT patterns do), the pieces tile any input exactly.
    ///
    /// Empty matches are never reported, and after an empty match the search moves on by one
    /// scalar, as Rust's `regex` and PCRE2's own demo do.
    ///
    /// If PCRE2 fails at run time (a resource limit, which the built-in patterns cannot hit),
    /// the rest of that run is reported as one piece, so no byte is ever dropped or
    /// duplicated.
    ///
    /// - Complexity: O(n) calls into PCRE2's JIT for n pieces; the matching itself is as fast
    ///   as the pattern allows.
    public func forEachPiece<E: Error>(
        in bytes: UnsafeBufferPointer<UInt8>,
        _ body: (Range<Int>) throws(E) -> Void
    ) throws(E) {
        try forEachPiece(in: bytes) { (r, _) throws(E) in try body(r) }
    }

    /// ``forEachPiece(in:_:)``, telling each piece's caller whether it is valid UTF-8 (a
    /// match) or an ill-formed sequence, so a caller that must reject invalid text needs no
    /// second pass over it.
    public func forEachPiece<E: Error>(
        in bytes: UnsafeBufferPointer<UInt8>,
        _ body: (Range<Int>, _ isValid: Bool) throws(E) -> Void
    ) throws(E) {
        guard bytes.count > 0 else { return }
        var runStart = 0
        while runStart < bytes.count {
            let bad = UTF8Validation.firstInvalid(in: bytes, from: runStart)
            let runEnd = bad?.lowerBound ?? bytes.count
            if runEnd > runStart {
                try forEachMatch(in: bytes, run: runStart..<runEnd) { (r) throws(E) in try body(r, true) }
            }
            guard let bad else { break }
            try body(bad, false)
            runStart = bad.upperBound
        }
    }

    /// The byte ranges of all pieces of `bytes`, see ``forEachPiece(in:_:)``.
    /// - Complexity: O(n) for n bytes, plus the array of results.
    public func split(_ bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var out: [Range<Int>] = []
        forEachPiece(in: bytes) { (r: Range<Int>) in out.append(r) }
        return out
    }

    /// Matches within one valid-UTF-8 run. The run is the whole PCRE2 subject, so `^`, `$`
    /// and lookbehinds see its edges, exactly as tiktoken runs its regex on each slice of
    /// text between special tokens.
    private func forEachMatch<E: Error>(
        in bytes: UnsafeBufferPointer<UInt8>,
        run: Range<Int>,
        _ body: (Range<Int>) throws(E) -> Void
    ) throws(E) {
        let subject = bytes.baseAddress! + run.lowerBound
        let length = run.count
        var offset = 0
        var extraOptions: UInt32 = 0
        let ovector = pcre2_get_ovector_pointer_8(matchData)!
        while offset < length {
            let rc = match(subject, length, offset, UInt32(PCRE2_NO_UTF_CHECK) | extraOptions)
            if rc == PCRE2_ERROR_NOMATCH {
                if extraOptions == 0 { return }
                // No non-empty match here after an empty one: step over one scalar.
                offset += UTF8Validation.scalarLength(lead: subject[offset])
                extraOptions = 0
                continue
            }
            if rc < 0 {
                try body((run.lowerBound + offset)..<run.upperBound)
                return
            }
            let start = ovector[0], end = ovector[1]
            if start == end {
                // Try for a non-empty match at the same place before moving on.
                extraOptions = UInt32(PCRE2_NOTEMPTY_ATSTART) | UInt32(PCRE2_ANCHORED)
                offset = end
                continue
            }
            try body((run.lowerBound + start)..<(run.lowerBound + end))
            offset = end
            extraOptions = 0
        }
    }

    /// One `pcre2_match`, growing the JIT stack once if the default 32 KiB is too small.
    private func match(_ subject: UnsafePointer<UInt8>, _ length: Int, _ offset: Int, _ options: UInt32) -> Int32 {
        let code = pattern.code
        var rc = pcre2_match_8(code, subject, length, offset, options, matchData, matchContext)
        if rc == PCRE2_ERROR_JIT_STACKLIMIT && jitStack == nil {
            guard let ctx = pcre2_match_context_create_8(nil),
                  let stack = pcre2_jit_stack_create_8(32 << 10, Self.maxJITStack, nil) else { return rc }
            pcre2_jit_stack_assign_8(ctx, nil, UnsafeMutableRawPointer(stack))
            matchContext = ctx
            jitStack = stack
            rc = pcre2_match_8(code, subject, length, offset, options, matchData, matchContext)
        }
        return rc
    }
}

extension Pattern {
    /// The byte ranges of all pieces of `bytes` (convenience).
    ///
    /// ```swift
    /// try Pattern(#" ?\p{L}+|\s+"#).split(Array("a bc".utf8))   // [0..<1, 1..<4]
    /// ```
    /// - Complexity: O(n) for n bytes.
    public func split(_ bytes: [UInt8]) -> [Range<Int>] {
        withMatcher { m in bytes.withUnsafeBufferPointer { m.split($0) } }
    }

    /// The pieces of `text` as substrings of its UTF-8 bytes (convenience for tests and tools).
    public func split(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        return split(bytes).map { String(decoding: bytes[$0], as: UTF8.self) }
    }
}
