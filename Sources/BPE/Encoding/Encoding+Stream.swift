import Foundation

extension Encoding {
    /// Whether long input may be encoded in parts cut at ``SafeCut``s with output identical
    /// to encoding it whole: true for the GPT-2, cl100k and o200k patterns when no special
    /// token contains a newline.
    public var canStream: Bool {
        preset != nil && !special.entries.contains { $0.bytes.contains(0x0A) }
    }

    /// Encodes everything `read` returns, in bounded memory, handing the ids to `body` block
    /// by block. The concatenated ids equal `encode(bytes: all input, …)`.
    ///
    /// Input is read `blockSize` bytes at a time and encoded up to the last safe cut (see
    /// ``SafeCut``); the rest waits for more input. So memory is O(blockSize) plus the longest
    /// stretch without a safe cut (one huge line), never O(input). An encoding that cannot
    /// stream (``canStream``) reads all input first.
    ///
    /// - Parameters:
    ///   - read: returns up to the requested number of bytes, or an empty array at the end.
    ///   - validateUTF8: when true, invalid UTF-8 throws ``EncodeError/invalidUTF8(byteOffset:)``
    ///     with the offset in the whole input.
    /// - Throws: ``EncodeError`` for a disallowed special token (its offset is in the whole
    ///   input) or invalid UTF-8; ids of earlier blocks have been handed out by then.
    /// - Complexity: O(n) time; O(blockSize) memory for text with line breaks.
    public func encodeStream(read: (Int) throws -> [UInt8], blockSize: Int = 4 << 20,
                             allowedSpecial: SpecialTokenSet = .none, disallowedSpecial: SpecialTokenSet = .all,
                             validateUTF8: Bool = false, _ body: ([Rank]) throws -> Void) throws {
        try stream(read: read, blockSize: blockSize, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial,
                   validateUTF8: validateUTF8, makeSink: { ArraySink() }) { try body($0.tokens) }
    }

    /// ``encodeStream(read:blockSize:allowedSpecial:disallowedSpecial:validateUTF8:_:)`` without
    /// building an id array: the ids reach `ids` in chunks of at most `chunkSize` from one
    /// buffer that is reused (so they stay in the CPU's cache until used), and `partEnded`
    /// runs after each part that was encoded whole. What `bpe encode` prints from.
    ///
    /// The ids handed to `ids` since the last `partEnded` are final only once `partEnded`
    /// runs: when an error is thrown, they belong to the part that failed, and a caller that
    /// must not show a failed part's ids drops them.
    ///
    /// ```swift
    /// var text: [UInt8] = []
    /// try enc.encodeStream(read: read, ids: { for id in $0 { text += Array("\(id) ".utf8) } },
    ///                      partEnded: { try write(text); text.removeAll() })
    /// ```
    /// - Complexity: as `encodeStream`, with O(chunkSize) memory for the ids.
    public func encodeStream(read: (Int) throws -> [UInt8], blockSize: Int = 4 << 20,
                             allowedSpecial: SpecialTokenSet = .none, disallowedSpecial: SpecialTokenSet = .all,
                             validateUTF8: Bool = false, chunkSize: Int = 8192,
                             ids: (UnsafeBufferPointer<Rank>) -> Void, partEnded: () throws -> Void) throws {
        let storage = UnsafeMutablePointer<Rank>.allocate(capacity: max(chunkSize, 1))
        defer { storage.deallocate() }
        try withoutActuallyEscaping(ids) { deliver in
            try stream(read: read, blockSize: blockSize, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial,
                       validateUTF8: validateUTF8, makeSink: { ChunkSink(storage: storage, capacity: max(chunkSize, 1), deliver: deliver) }) {
                $0.deliverRest()
                try partEnded()
            }
        }
    }

    /// The number of tokens ``encodeStream(read:blockSize:allowedSpecial:disallowedSpecial:validateUTF8:_:)``
    /// would hand out, without building any id list: what `bpe count` runs.
    /// - Complexity: as `encodeStream`, with O(1) memory for the ids.
    public func countStream(read: (Int) throws -> [UInt8], blockSize: Int = 4 << 20,
                            allowedSpecial: SpecialTokenSet = .none, disallowedSpecial: SpecialTokenSet = .all,
                            validateUTF8: Bool = false) throws -> Int {
        var total = 0
        try stream(read: read, blockSize: blockSize, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial,
                   validateUTF8: validateUTF8, makeSink: { CountSink() }) { total += $0.count }
        return total
    }

    /// The streaming core: reads blocks, cuts at the last safe cut, encodes each part into a
    /// fresh sink and hands it to `body`. The encode state (piece cache, match data) lives
    /// across parts.
    func stream<S: TokenSink>(read: (Int) throws -> [UInt8], blockSize: Int, allowedSpecial: SpecialTokenSet,
                              disallowedSpecial: SpecialTokenSet, validateUTF8: Bool, makeSink: () -> S,
                              _ body: (inout S) throws -> Void) throws {
        var state = EncodeState()
        try cutParts(read: read, blockSize: blockSize) { part, offset, _ in
            var sink = makeSink()
            try encodePart(part, at: offset, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial,
                           validateUTF8: validateUTF8, state: &state, into: &sink)
            try body(&sink)
        }
    }

    /// The one home of where a stream is cut: reads `blockSize` bytes at a time and hands
    /// `part` everything up to the last safe cut (see ``SafeCut``), with its offset in the
    /// whole input; the rest waits for more input. All of it at the end (`isLast`), or at
    /// once for an encoding that cannot stream. The buffer is valid only during the call.
    func cutParts(read: (Int) throws -> [UInt8], blockSize: Int,
                  _ part: (UnsafeBufferPointer<UInt8>, _ offset: Int, _ isLast: Bool) throws -> Void) throws {
        var pending: [UInt8] = []
        var offset = 0   // of pending[0] in the whole input
        func emit(_ count: Int, isLast: Bool = false) throws {
            try pending.withUnsafeBufferPointer { try part(UnsafeBufferPointer(rebasing: $0[0..<count]), offset, isLast) }
            pending.removeFirst(count)
            offset += count
        }
        var scanned = 0   // pending[..<scanned] holds no safe cut
        let canCut = canStream
        while true {
            let chunk = try read(blockSize)
            if chunk.isEmpty { break }
            // Take the first block as it is: appending it to an empty array would copy
            // 4 MiB into fresh pages (about 1,000 page faults) for nothing.
            if pending.isEmpty { pending = chunk } else { pending += chunk }
            guard canCut, pending.count >= blockSize else { continue }
            if let cut = pending.withUnsafeBufferPointer({ SafeCut.last(in: $0, after: scanned) }) {
                try emit(cut)
            }
            // What is left after the last cut has none either.
            scanned = pending.count
        }
        if !pending.isEmpty { try emit(pending.count, isLast: true) }
    }

    /// Encodes one part of a stream that starts `offset` bytes into the whole input; offsets
    /// in its errors are in the whole input.
    func encodePart<S: TokenSink>(_ part: UnsafeBufferPointer<UInt8>, at offset: Int, allowedSpecial: SpecialTokenSet,
                                  disallowedSpecial: SpecialTokenSet, validateUTF8: Bool,
                                  state: inout EncodeState, into sink: inout S) throws(EncodeError) {
        do throws(EncodeError) {
            // Validation happens in the same pass as splitting (the lexer decodes anyway).
            if validateUTF8 {
                try encode(part, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial,
                           state: &state, into: &sink, invalid: RejectInvalidUTF8.self)
            } else {
                try encode(part, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial,
                           state: &state, into: &sink, invalid: KeepInvalidUTF8.self)
            }
        } catch {
            switch error {
            case .disallowedSpecialToken(let t, let at): throw .disallowedSpecialToken(t, byteOffset: offset + at)
            case .invalidUTF8(let at): throw .invalidUTF8(byteOffset: offset + at)
            default: throw error
            }
        }
    }
}
