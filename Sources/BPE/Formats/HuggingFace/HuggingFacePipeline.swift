import BPERegex
import Foundation

/// A Hugging Face `tokenizer.json` byte-level BPE, as the steps `tokenizers` 0.23 runs in
/// `encode(text, add_special_tokens=False)`:
///
/// 1. added tokens whose `normalized` is false are found in the raw text (leftmost-longest,
///    with `single_word`, `lstrip`, `rstrip`);
/// 2. each stretch between them is normalized (``UnicodeNormalizer``), then searched for the
///    `normalized` added tokens;
/// 3. each remaining stretch is pre-tokenized: `Split`, `Digits` (``SplitStep``), then
///    `ByteLevel` (prefix space, GPT-2 regex), which must come last;
/// 4. each piece is merged by the ``Vocabulary`` (byte-level BPE on bytes is BPE on the
///    byte-to-unicode characters, since the alphabet is a bijection).
///
/// Every stretch and piece is a range of a buffer; the hot path allocates only where the text
/// changes (normalization, a prefix space).
final class HuggingFacePipeline: TextPipeline, @unchecked Sendable {
    let vocabulary: Vocabulary
    let normalizers: [UnicodeNormalizer]
    let steps: [SplitStep]
    let byteLevel: ByteLevelStep?
    let rawAddedTokens: AddedTokenSet
    let normalizedAddedTokens: AddedTokenSet
    let extraTokenBytes: [Rank: [UInt8]]
    /// Patterns in `steps` (and the byte-level regex), in order: one matcher each per thread.
    private let patterns: [Pattern]
    private var idle: [Scratch] = []
    private let lock = NSLock()

    /// What `ByteLevel` does as a pre-tokenizer.
    struct ByteLevelStep {
        var addPrefixSpace: Bool
        /// The GPT-2 regex, compiled, when `use_regex`.
        var regex: Pattern?
    }

    init(vocabulary: Vocabulary, normalizers: [UnicodeNormalizer], steps: [SplitStep], byteLevel: ByteLevelStep?,
         rawAddedTokens: AddedTokenSet, normalizedAddedTokens: AddedTokenSet, extraTokenBytes: [Rank: [UInt8]]) {
        self.vocabulary = vocabulary
        self.normalizers = normalizers
        self.steps = steps
        self.byteLevel = byteLevel
        self.rawAddedTokens = rawAddedTokens
        self.normalizedAddedTokens = normalizedAddedTokens
        self.extraTokenBytes = extraTokenBytes
        var patterns = steps.compactMap(\.pattern)
        if let r = byteLevel?.regex { patterns.append(r) }
        self.patterns = patterns
    }

    /// Per-call working memory: a matcher per pattern and reusable buffers, kept between
    /// calls so encoding many short texts allocates nothing per text.
    final class Scratch {
        var matchers: [Matcher]
        /// Pieces per pre-tokenizer depth.
        var pieces: [[(Int, Int, Bool)]]
        var spans: [(Int, Int, Bool)] = []
        var prefixed: [UInt8] = []
        var tokens = ArraySink()
        /// The merge's state across pieces (its piece cache, once enough text went by).
        var state = EncodeState()
        init(_ patterns: [Pattern], depth: Int) {
            matchers = patterns.map { $0.makeMatcher() }
            pieces = Array(repeating: [], count: depth + 2)
        }
    }

    private func takeScratch() -> Scratch {
        lock.lock()
        let s = idle.popLast()
        lock.unlock()
        return s ?? Scratch(patterns, depth: steps.count)
    }

    private func giveBack(_ s: Scratch) {
        lock.lock()
        if idle.count < 64 { idle.append(s) }
        lock.unlock()
    }

    func encode(_ buf: UnsafeBufferPointer<UInt8>, allowedSpecial: SpecialTokenSet, disallowedSpecial: SpecialTokenSet,
                rejectInvalidUTF8: Bool, into tokens: inout [Rank]) throws(EncodeError) {
        guard buf.count > 0 else { return }
        let scratch = takeScratch()
        defer { giveBack(scratch) }
        scratch.tokens = ArraySink()
        defer { tokens += scratch.tokens.tokens }
        let choice = SpecialChoice(allowed: allowedSpecial, disallowed: disallowedSpecial)
        // `tokenizers` takes only valid text. Ill-formed sequences are split out and kept as
        // bytes (decoding gives them back), or refused.
        var start = 0
        while start < buf.count {
            let bad = UTF8Validation.firstInvalid(in: buf, from: start)
            let end = bad?.lowerBound ?? buf.count
            if end > start {
                try encodeText(UnsafeBufferPointer(rebasing: buf[start..<end]), offset: start, choice, scratch)
            }
            guard let bad else { break }
            if rejectInvalidUTF8 { throw .invalidUTF8(byteOffset: bad.lowerBound) }
            for b in buf[bad] { scratch.tokens.append(vocabulary.byteRanks[Int(b)]) }
            start = bad.upperBound
        }
    }

    /// Steps 1–4 on valid UTF-8 text starting at `offset` of the caller's input.
    private func encodeText(_ text: UnsafeBufferPointer<UInt8>, offset: Int, _ choice: SpecialChoice, _ scratch: Scratch) throws(EncodeError) {
        try rawAddedTokens.split(text, choice: choice, offset: offset, emit: { scratch.tokens.append($0) }) { (stretch) throws(EncodeError) in
            if normalizers.isEmpty {
                try normalizedAddedTokens.split(stretch, choice: choice, offset: offset, emit: { scratch.tokens.append($0) }) { piece in
                    preTokenize(piece, scratch)
                }
                return
            }
            var normalized = Array(stretch)
            for n in normalizers { normalized = n.normalize(normalized) }
            try normalized.withUnsafeBufferPointer { (norm) throws(EncodeError) in
                try normalizedAddedTokens.split(norm, choice: choice, offset: offset, emit: { scratch.tokens.append($0) }) { piece in
                    preTokenize(piece, scratch)
                }
            }
        }
    }

    /// Step 3 and 4 for one stretch of text.
    private func preTokenize(_ text: UnsafeBufferPointer<UInt8>, _ scratch: Scratch) {
        split(text, step: 0, matcherIndex: 0, scratch)
    }

    private func split(_ text: UnsafeBufferPointer<UInt8>, step: Int, matcherIndex: Int, _ scratch: Scratch) {
        guard step < steps.count else {
            byteLevelAndMerge(text, matcherIndex: matcherIndex, scratch)
            return
        }
        let s = steps[step]
        // Taken out while in use, so filling it does not copy it.
        var pieces = scratch.pieces[step]
        scratch.pieces[step] = []
        pieces.removeAll(keepingCapacity: true)
        s.pieces(of: text, matcher: s.pattern == nil ? nil : scratch.matchers[matcherIndex], spans: &scratch.spans, into: &pieces)
        let next = matcherIndex + (s.pattern == nil ? 0 : 1)
        for (lo, hi, _) in pieces where hi > lo {
            split(UnsafeBufferPointer(rebasing: text[lo..<hi]), step: step + 1, matcherIndex: next, scratch)
        }
        scratch.pieces[step] = pieces
    }

    private func byteLevelAndMerge(_ text: UnsafeBufferPointer<UInt8>, matcherIndex: Int, _ scratch: Scratch) {
        guard let bl = byteLevel else {
            merge(text, scratch)
            return
        }
        if bl.addPrefixSpace && text.first != 0x20 {
            var prefixed = scratch.prefixed
            scratch.prefixed = []
            prefixed.removeAll(keepingCapacity: true)
            prefixed.append(0x20)
            prefixed.append(contentsOf: text)
            prefixed.withUnsafeBufferPointer { byteLevelSplit($0, bl, matcherIndex, scratch) }
            scratch.prefixed = prefixed
        } else {
            byteLevelSplit(text, bl, matcherIndex, scratch)
        }
    }

    private func byteLevelSplit(_ text: UnsafeBufferPointer<UInt8>, _ bl: ByteLevelStep, _ matcherIndex: Int, _ scratch: Scratch) {
        guard bl.regex != nil else {
            merge(text, scratch)
            return
        }
        scratch.matchers[matcherIndex].forEachPiece(in: text) { (r: Range<Int>) in
            merge(UnsafeBufferPointer(rebasing: text[r]), scratch)
        }
    }

    @inline(__always)
    private func merge(_ piece: UnsafeBufferPointer<UInt8>, _ scratch: Scratch) {
        guard let base = piece.baseAddress, piece.count > 0 else { return }
        scratch.state.willEncode(piece.count, vocabulary: vocabulary)
        vocabulary.encodePiece(base, piece.count, state: &scratch.state, into: &scratch.tokens)
    }
}

/// The allowed / disallowed choice for special added tokens, resolved per token.
struct SpecialChoice {
    let allowed: SpecialTokenSet
    let disallowed: SpecialTokenSet

    /// What to do with special token `text`: encode it (true), leave it as text (false), or
    /// throw (nil).
    func isAllowed(_ text: String) -> Bool? {
        if allowed.contains(text) { return true }
        return disallowed.contains(text) ? nil : false
    }
}
