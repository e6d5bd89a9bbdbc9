// MARK: Decoding

extension Encoding {
    /// The exact bytes of `tokens`, concatenated. tiktoken's `decode_bytes`.
    ///
    /// The bytes need not be valid UTF-8: a token can hold part of a character.
    /// ```swift
    /// try cl100k.decodeBytes([15339, 1917])   // Array("hello world".utf8)
    /// ```
    /// - Throws: ``DecodeError/unknownToken(_:index:)`` naming the first unknown id.
    /// - Complexity: O(output bytes).
    public func decodeBytes(_ tokens: some Sequence<Rank>) throws(DecodeError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(tokens.underestimatedCount * 4)
        try appendBytes(of: tokens, to: &out)
        return out
    }

    /// Appends the bytes of `tokens` to `out`; on an unknown id, `out` holds the bytes of the
    /// tokens before it.
    public func appendBytes(of tokens: some Sequence<Rank>, to out: inout [UInt8]) throws(DecodeError) {
        let v = vocabulary
        for (i, t) in tokens.enumerated() {
            if Int(t) < v.count, case let (p, n) = v.bytes(of: t), n > 0 {
                out.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
            } else if let s = specialBytes[t] {
                out.append(contentsOf: s)
            } else {
                throw .unknownToken(t, index: i)
            }
        }
    }

    /// Decodes `tokens` to text, **lossily**: bytes that are not valid UTF-8 (for example a
    /// character cut between two tokens at the end of `tokens`) become U+FFFD, as with
    /// tiktoken's `decode(errors="replace")`. Use ``decodeBytes(_:)`` for the exact bytes.
    /// ```swift
    /// try cl100k.decode([15339, 1917])   // "hello world"
    /// ```
    /// - Complexity: O(output bytes).
    public func decode(_ tokens: some Sequence<Rank>) throws(DecodeError) -> String {
        String(decoding: try decodeBytes(tokens), as: UTF8.self)
    }

    /// The bytes of one token, mergeable or special. tiktoken's `decode_single_token_bytes`.
    /// ```swift
    /// try cl100k.decodeSingleTokenBytes(15339)   // Array("hello".utf8)
    /// ```
    /// - Complexity: O(token length).
    public func decodeSingleTokenBytes(_ token: Rank) throws(DecodeError) -> [UInt8] {
        if let b = vocabulary.tokenBytes(token) { return b }
        if let s = specialBytes[token] { return s }
        throw .unknownToken(token, index: 0)
    }

    /// The bytes of each token separately. tiktoken's `decode_tokens_bytes`.
    public func decodeTokensBytes(_ tokens: some Sequence<Rank>) throws(DecodeError) -> [[UInt8]] {
        var out: [[UInt8]] = []
        for (i, t) in tokens.enumerated() {
            do { out.append(try decodeSingleTokenBytes(t)) } catch { throw .unknownToken(t, index: i) }
        }
        return out
    }

    /// Lossy text plus, for each token, the offset (in characters, i.e. Unicode scalars, as
    /// Python counts them) where it starts; a token that starts inside a character gets that
    /// character's offset. tiktoken's `decode_with_offsets`.
    /// - Complexity: O(output bytes).
    public func decodeWithOffsets(_ tokens: [Rank]) throws(DecodeError) -> (text: String, offsets: [Int]) {
        let pieces = try decodeTokensBytes(tokens)
        var offsets: [Int] = []
        var scalars = 0
        for piece in pieces {
            // A token starting on a continuation byte belongs to the previous character.
            let startsMidChar = piece.first.map { $0 & 0xC0 == 0x80 } ?? false
            offsets.append(max(0, scalars - (startsMidChar ? 1 : 0)))
            scalars += piece.lazy.filter { $0 & 0xC0 != 0x80 }.count
        }
        return (String(decoding: pieces.joined(), as: UTF8.self), offsets)
    }
}
