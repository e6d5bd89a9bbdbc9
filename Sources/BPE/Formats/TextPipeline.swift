/// What an ``Encoding`` loaded from a format with more steps than tiktoken's (a Hugging Face
/// `tokenizer.json`: added tokens, normalizers, a chain of pre-tokenizers) runs instead of its
/// split-and-merge: text in, token ids out. The encoding's vocabulary still does the merging
/// (through ``Vocabulary/encodePiece(_:_:into:)``); the pipeline decides what the pieces are.
///
/// An encoding with a pipeline keeps every public entry point (`encode`, `countTokens`,
/// batches, `encodeStream`, decoding); each one asks the pipeline first.
protocol TextPipeline: Sendable {
    /// Appends the ids of `buf` to `tokens`.
    ///
    /// - Parameters:
    ///   - allowedSpecial, disallowedSpecial: tiktoken's rule for the format's *special*
    ///     tokens (allowed: encoded as themselves; disallowed: an error; neither: text).
    ///   - rejectInvalidUTF8: throw ``EncodeError/invalidUTF8(byteOffset:)`` on ill-formed
    ///     UTF-8, instead of encoding each ill-formed sequence byte by byte.
    func encode(_ buf: UnsafeBufferPointer<UInt8>, allowedSpecial: SpecialTokenSet, disallowedSpecial: SpecialTokenSet,
                rejectInvalidUTF8: Bool, into tokens: inout [Rank]) throws(EncodeError)

    /// Bytes of ids the vocabulary does not hold (or holds differently), which decoding
    /// uses before the special tokens' text: e.g. a Hugging Face added token, decoded as its
    /// `ByteLevel` decoder does.
    var extraTokenBytes: [Rank: [UInt8]] { get }
}

/// The special tokens a format adds around a text when asked to (Hugging Face's
/// `add_special_tokens=True` through its post-processor; Mistral's `bos=True`).
struct SpecialTokenTemplate: Sendable, Equatable {
    var prefix: [Rank]
    var suffix: [Rank]
}

/// The pipeline of ``Encoding/addingSpecialTokens()``: the inner encoding's ids with the
/// template's tokens around them.
struct AddingSpecialTokensPipeline: TextPipeline {
    let inner: Encoding
    let template: SpecialTokenTemplate

    var extraTokenBytes: [Rank: [UInt8]] { inner.pipeline?.extraTokenBytes ?? [:] }

    func encode(_ buf: UnsafeBufferPointer<UInt8>, allowedSpecial: SpecialTokenSet, disallowedSpecial: SpecialTokenSet,
                rejectInvalidUTF8: Bool, into tokens: inout [Rank]) throws(EncodeError) {
        tokens += template.prefix
        var sink = ArraySink()
        var state = EncodeState()
        if rejectInvalidUTF8 {
            try inner.encode(buf, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial,
                             state: &state, into: &sink, invalid: RejectInvalidUTF8.self)
        } else {
            try inner.encode(buf, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial,
                             state: &state, into: &sink, invalid: KeepInvalidUTF8.self)
        }
        tokens += sink.tokens
        tokens += template.suffix
    }
}

extension Encoding {
    /// The hook every encode entry point takes when the encoding has a ``TextPipeline``.
    @inline(never)
    func encodeThroughPipeline<S: TokenSink>(_ buf: UnsafeBufferPointer<UInt8>, _ allowedSpecial: SpecialTokenSet,
                                             _ disallowedSpecial: SpecialTokenSet, rejectInvalidUTF8: Bool,
                                             into sink: inout S) throws(EncodeError) {
        var tokens: [Rank] = []
        try pipeline!.encode(buf, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial,
                             rejectInvalidUTF8: rejectInvalidUTF8, into: &tokens)
        for t in tokens { sink.append(t) }
    }

    /// This encoding with the format's special tokens added around every text: Hugging
    /// Face's `add_special_tokens=True` (its `post_processor`, e.g. Llama 3's
    /// `<|begin_of_text|>`), Mistral's `bos=True`.
    ///
    /// ```swift
    /// let llama = try Encoding.load(contentsOf: "tokenizer.json").addingSpecialTokens()
    /// try llama.encode("hi")   // [128000, 6151]
    /// ```
    /// A `tokenizer.json` without a post-processor that adds tokens gives the same ids, as
    /// `tokenizers` does.
    /// - Throws: ``VocabularyError/unreadable(path:reason:)`` for a format that has no such
    ///   tokens (a `.tiktoken` file).
    public func addingSpecialTokens() throws(VocabularyError) -> Encoding {
        guard let template = specialTokenTemplate else {
            throw .unreadable(path: name, reason: "a .tiktoken encoding has no special tokens to add around a text (a tokenizer.json post_processor or a Tekken file's <s> does); leave the option out")
        }
        let wrapper = AddingSpecialTokensPipeline(inner: self, template: template)
        return try Encoding(name: name, vocabulary: vocabulary, splitter: splitter, patternSource: patternSource,
                            specialTokens: specialTokens, explicitNVocab: nil, pipeline: wrapper, specialTokenTemplate: nil)
    }
}
