import BPERegex

// MARK: Encoding

extension Encoding {
    /// Encodes text, treating special-token text as ordinary text.
    ///
    /// Equivalent to `encode(text, disallowedSpecial: .none)`, but never throws.
    /// ```swift
    /// cl100k.encodeOrdinary("hello world")   // [15339, 1917]
    /// ```
    /// - Complexity: O(n) for n bytes of typical text; no input is quadratic (long pieces
    ///   merge with a heap).
    public func encodeOrdinary(_ text: String) -> [Rank] {
        ArraySink.collect(inputBytes: text.utf8.count) { sink in
            var state = EncodeState()
            withUTF8(text) { encodeOrdinary($0, state: &state, into: &sink) }
        }
    }

    /// Encodes raw bytes, treating special-token text as ordinary text.
    ///
    /// Valid UTF-8 gives exactly what ``encodeOrdinary(_:)-(String)`` gives. Invalid UTF-8 is
    /// still encoded, losslessly: each ill-formed sequence becomes a piece of its own (see
    /// ``BPERegex/Matcher/forEachPiece(in:_:)``), so `decodeBytes(encodeOrdinary(bytes:))`
    /// always gives the bytes back. (tiktoken has no exact counterpart for invalid UTF-8.)
    /// - Complexity: as ``encodeOrdinary(_:)-(String)``.
    public func encodeOrdinary(bytes: some Collection<UInt8>) -> [Rank] {
        ArraySink.collect(inputBytes: bytes.underestimatedCount) { sink in
            var state = EncodeState()
            withBuffer(bytes) { encodeOrdinary($0, state: &state, into: &sink) }
        }
    }

    /// Encodes text, handling special tokens exactly as tiktoken's `encode` does.
    ///
    /// - Parameters:
    ///   - allowedSpecial: special tokens encoded as their special id (default: none).
    ///   - disallowedSpecial: special tokens whose text makes this throw; `.all` (the default)
    ///     means every special token that is not allowed.
    /// - Throws: ``EncodeError/disallowedSpecialToken(_:byteOffset:)`` naming the first
    ///   disallowed token found and how to allow it.
    ///
    /// ```swift
    /// try cl100k.encode("<|endoftext|>")                        // throws
    /// try cl100k.encode("<|endoftext|>", allowedSpecial: .all)  // [100257]
    /// try cl100k.encode("<|endoftext|>", disallowedSpecial: .none)
    ///                                                       // [27, 91, 8862, 728, 428, 91, 29]
    /// ```
    /// - Complexity: O(n) plus a scan for special tokens.
    public func encode(_ text: String, allowedSpecial: SpecialTokenSet = .none,
                       disallowedSpecial: SpecialTokenSet = .all) throws(EncodeError) -> [Rank] {
        try ArraySink.collect(inputBytes: text.utf8.count) { (sink) throws(EncodeError) in
            var state = EncodeState()
            try withUTF8(text) { (buf) throws(EncodeError) in
                try encode(buf, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial,
                           state: &state, into: &sink)
            }
        }
    }

    /// ``encode(_:allowedSpecial:disallowedSpecial:)`` over raw bytes; invalid UTF-8 is
    /// encoded losslessly as in ``encodeOrdinary(bytes:)``.
    public func encode(bytes: some Collection<UInt8>, allowedSpecial: SpecialTokenSet = .none,
                       disallowedSpecial: SpecialTokenSet = .all) throws(EncodeError) -> [Rank] {
        try ArraySink.collect(inputBytes: bytes.underestimatedCount) { (sink) throws(EncodeError) in
            var state = EncodeState()
            try withBuffer(bytes) { (buf) throws(EncodeError) in
                try encode(buf, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial,
                           state: &state, into: &sink)
            }
        }
    }

    /// The number of tokens `encode` would return, without building the array.
    /// - Complexity: as `encode`, with O(1) extra memory per piece.
    public func countTokens(_ text: String, allowedSpecial: SpecialTokenSet = .none,
                            disallowedSpecial: SpecialTokenSet = .all) throws(EncodeError) -> Int {
        var sink = CountSink()
        var state = EncodeState()
        try withUTF8(text) { (buf) throws(EncodeError) in
            try encode(buf, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial,
                       state: &state, into: &sink)
        }
        return sink.count
    }

    /// ``countTokens(_:allowedSpecial:disallowedSpecial:)`` over raw bytes.
    public func countTokens(bytes: some Collection<UInt8>, allowedSpecial: SpecialTokenSet = .none,
                            disallowedSpecial: SpecialTokenSet = .all) throws(EncodeError) -> Int {
        var sink = CountSink()
        var state = EncodeState()
        try withBuffer(bytes) { (buf) throws(EncodeError) in
            try encode(buf, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial,
                       state: &state, into: &sink)
        }
        return sink.count
    }

    /// The id of one token given by its text: a mergeable token's bytes or a special
    /// token's text. tiktoken's `encode_single_token`.
    /// ```swift
    /// try cl100k.encodeSingleToken("hello")           // 15339
    /// try cl100k.encodeSingleToken("<|endoftext|>")   // 100257
    /// ```
    /// - Throws: ``EncodeError/notASingleToken(_:)``.
    /// - Complexity: O(n) expected.
    public func encodeSingleToken(_ text: String) throws(EncodeError) -> Rank {
        try encodeSingleToken(bytes: Array(text.utf8))
    }

    /// ``encodeSingleToken(_:)`` for raw bytes.
    public func encodeSingleToken(bytes: [UInt8]) throws(EncodeError) -> Rank {
        if let r = vocabulary.rank(of: bytes) { return r }
        if let e = special.entries.first(where: { $0.bytes == bytes }) { return e.rank }
        throw .notASingleToken(bytes)
    }

    /// ``encodeOrdinary(bytes:)`` with the encoder's shortcuts chosen: the piece cache (from
    /// the first byte, or never) and backtracking for long pieces. For the checks that prove
    /// the shortcuts change nothing (`EncoderPathTests`, the `FuzzEncode` target).
    /// `compactCacheSets`: the size of the piece cache's compact tier, in sets of two slots (a
    /// power of two); `nil` for the size the encoder uses. The fuzz check makes small ones:
    /// clearing 4 MiB for every call was a third of its time (3,000 runs from the seeds, one
    /// core: 7.9–8.5 s, 2.5–3.0 of them in the kernel; with 64 sets 5.2–6.0 s, 0.3–0.5).
    /// `pieceTable`: whether a piece cache goes with the batched encoder (its small tables,
    /// 8 to 64 entries, where the compact tier is small) or without it, so the tiers answer.
    package func encodeOrdinary(bytes: [UInt8], pieceCache: Bool, backtracking: Bool,
                                compactCacheSets: Int? = nil, pieceTable: Bool = true) -> [Rank] {
        var state = EncodeState()
        state.usesPieceCache = pieceCache
        state.usesPieceTable = pieceTable
        if let compactCacheSets { state.compactCacheSets = compactCacheSets }
        state.usesThreadCaches = false
        state.pieceCacheThreshold = 0
        state.usesBacktracking = backtracking
        var sink = ArraySink()
        bytes.withUnsafeBufferPointer { encodeOrdinary($0, state: &state, into: &sink) }
        return sink.tokens
    }

    // MARK: Internals shared by all entry points

    /// The core of ``encodeOrdinary(_:)``: pre-tokenize, then encode each piece.
    @inline(__always)
    func encodeOrdinary<S: TokenSink>(_ buf: UnsafeBufferPointer<UInt8>, state: inout EncodeState, into sink: inout S) {
        if pipeline != nil {
            // Nothing allowed or disallowed: cannot throw.
            try? encodeThroughPipeline(buf, .none, .none, rejectInvalidUTF8: false, into: &sink)
            return
        }
        encodePieces(buf, state: &state, into: &sink, invalid: KeepInvalidUTF8.self)
    }

    /// Pre-tokenizes `buf` and encodes each piece; an ill-formed UTF-8 sequence goes to
    /// `invalid`, which keeps it as a piece (bytes in, bytes back out) or throws.
    @inline(__always)
    func encodePieces<S: TokenSink, P: InvalidUTF8Policy>(_ buf: UnsafeBufferPointer<UInt8>, state: inout EncodeState,
                                                          into sink: inout S, invalid: P.Type) throws(P.Failure) {
        guard let base = buf.baseAddress else { return }
        let v = vocabulary.hot
        state.willEncode(buf.count, vocabulary: vocabulary)
        var matcher = state.matcher
        defer { state.matcher = matcher }
        // Pieces that start this far from the end can read 8 bytes from their start.
        let paddedEnd = buf.count &- 8
        guard v.wholePieceLookup, state.usesPieceTable, let cache = state.pieceCache else {
            try splitter.forEachPiece(in: buf, matcher: &matcher) { (start, end, valid) throws(P.Failure) in
                if !valid { try P.reject(byteOffset: start) }
                v.encodePiece(base + start, end - start, padded: start <= paddedEnd, state: &state, into: &sink)
            }
            return
        }
        let table = cache.pieces
        table.reserve(forBytes: buf.count)
        let batch = cache.batch
        let items = batch.items
        let wideEnd = buf.count &- 16
        let masks = PieceTable.keyMasks
        var queued = 0
        var bypass = 0
        var (entries, mask) = table.lines
        try splitter.forEachPiece(in: buf, matcher: &matcher) { (start, end, valid) throws(P.Failure) in
            if bypass > 0 || !valid {
                if queued > 0 {
                    _ = v.encodeQueuedOutOfLine(queued, base: base, paddedEnd: paddedEnd, table: table, batch: batch,
                                                state: &state, into: &sink)
                    queued = 0
                    (entries, mask) = table.lines
                }
                if !valid { try P.reject(byteOffset: start) }
                if bypass > 0 { bypass &-= 1 }
                v.encodePiece(base + start, end &- start, padded: start <= paddedEnd, state: &state, into: &sink)
                return
            }
            items[queued] = v.queueItem(base, start, end &- start, wide: start <= wideEnd, masks: masks,
                                        entries: entries, mask: mask)
            queued &+= 1
            if queued == PieceBatch.capacity {
                let misses = v.encodeQueued(queued, base: base, paddedEnd: paddedEnd, table: table, batch: batch,
                                            state: &state, into: &sink)
                queued = 0
                // The table grows only in the lookups, between batches.
                (entries, mask) = table.lines
                if misses > PieceBatch.bypassMisses && table.isFull { bypass = PieceBatch.bypassPieces }
            }
        }
        if queued > 0 {
            _ = v.encodeQueuedOutOfLine(queued, base: base, paddedEnd: paddedEnd, table: table, batch: batch,
                                        state: &state, into: &sink)
        }
    }

    /// The core of ``encode(_:allowedSpecial:disallowedSpecial:)``.
    func encode<S: TokenSink>(_ buf: UnsafeBufferPointer<UInt8>, allowedSpecial: SpecialTokenSet,
                              disallowedSpecial: SpecialTokenSet, state: inout EncodeState,
                              into sink: inout S) throws(EncodeError) {
        try encode(buf, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial, state: &state,
                   into: &sink, invalid: KeepInvalidUTF8.self)
    }

    /// ``encode(_:allowedSpecial:disallowedSpecial:state:into:)`` with a choice of what to do
    /// with invalid UTF-8 (``RejectInvalidUTF8`` makes validation part of the one pass).
    func encode<S: TokenSink, P: InvalidUTF8Policy>(
        _ buf: UnsafeBufferPointer<UInt8>, allowedSpecial: SpecialTokenSet, disallowedSpecial: SpecialTokenSet,
        state: inout EncodeState, into sink: inout S, invalid: P.Type
    ) throws(EncodeError) {
        if pipeline != nil {
            return try encodeThroughPipeline(buf, allowedSpecial, disallowedSpecial,
                                             rejectInvalidUTF8: P.self == RejectInvalidUTF8.self, into: &sink)
        }
        let (allowed, disallowed) = resolve(allowedSpecial, disallowedSpecial)
        if disallowed.contains(true), let hit = special.find(in: buf, from: 0, accept: { disallowed[$0] }) {
            throw .disallowedSpecialToken(special.entries[hit.entry].text, byteOffset: hit.range.lowerBound)
        }
        guard allowed.contains(true) else {
            do throws(P.Failure) { try encodePieces(buf, state: &state, into: &sink, invalid: P.self) } catch {
                throw P.encodeError(error)
            }
            return
        }
        var start = 0
        while true {
            let hit = special.find(in: buf, from: start, accept: { allowed[$0] })
            let end = hit?.range.lowerBound ?? buf.count
            // Like tiktoken, each stretch between special tokens is matched as its own subject.
            do throws(P.Failure) {
                try encodePieces(UnsafeBufferPointer(rebasing: buf[start..<end]), state: &state, into: &sink, invalid: P.self)
            } catch {
                // Offsets in errors are in `buf`, not in the stretch.
                if case .invalidUTF8(let at) = P.encodeError(error) { throw .invalidUTF8(byteOffset: start + at) }
                throw P.encodeError(error)
            }
            guard let hit else { break }
            sink.append(special.entries[hit.entry].rank)
            start = hit.range.upperBound
        }
    }

    /// tiktoken's rule: `disallowed == .all` means all special tokens not allowed.
    /// Returns flags indexed like `special.entries`; the default choices are precomputed, so
    /// only explicit token lists cost O(special tokens) per call.
    func resolve(_ allowedSpecial: SpecialTokenSet, _ disallowedSpecial: SpecialTokenSet) -> (allowed: [Bool], disallowed: [Bool]) {
        switch (allowedSpecial, disallowedSpecial) {
        case (.only(let a), .all) where a.isEmpty: return (special.none, special.every)
        case (.only(let a), .only(let d)) where a.isEmpty && d.isEmpty: return (special.none, special.none)
        case (.all, _): return (special.every, special.none)
        default: break
        }
        let allowed = special.entries.map { allowedSpecial.contains($0.text) }
        let disallowed: [Bool]
        switch disallowedSpecial {
        case .all: disallowed = allowed.map { !$0 }
        case .only: disallowed = special.entries.map { disallowedSpecial.contains($0.text) }
        }
        return (allowed, disallowed)
    }
}

/// What the encoder does with an ill-formed UTF-8 sequence.
protocol InvalidUTF8Policy {
    associatedtype Failure: Error
    static func reject(byteOffset: Int) throws(Failure)
    /// The failure in the terms of ``EncodeError`` (for callers that throw that).
    static func encodeError(_ failure: Failure) -> EncodeError
}

/// Keep it: it becomes a piece of its own, so its bytes decode back exactly.
enum KeepInvalidUTF8: InvalidUTF8Policy {
    typealias Failure = Never
    @inline(__always) static func reject(byteOffset: Int) {}
    static func encodeError(_ failure: Never) -> EncodeError {}
}

/// Refuse it with ``EncodeError/invalidUTF8(byteOffset:)``.
enum RejectInvalidUTF8: InvalidUTF8Policy {
    typealias Failure = EncodeError
    @inline(__always) static func reject(byteOffset: Int) throws(EncodeError) {
        throw .invalidUTF8(byteOffset: byteOffset)
    }
    static func encodeError(_ failure: EncodeError) -> EncodeError { failure }
}

/// Runs `body` on the contiguous UTF-8 of `text` (native Swift strings already are).
@inline(__always)
func withUTF8<R, E: Error>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
    var text = text
    let result: Result<R, E> = text.withUTF8 { buf in
        do throws(E) { return .success(try body(buf)) } catch { return .failure(error) }
    }
    return try result.get()
}

/// Runs `body` on contiguous bytes, copying only if `bytes` is not contiguous already.
@inline(__always)
func withBuffer<R, E: Error>(_ bytes: some Collection<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
    let fast: Result<R, E>? = bytes.withContiguousStorageIfAvailable { buf in
        do throws(E) { return .success(try body(buf)) } catch { return .failure(error) }
    }
    if let fast { return try fast.get() }
    let copy = Array(bytes)
    let result: Result<R, E> = copy.withUnsafeBufferPointer { buf in
        do throws(E) { return .success(try body(buf)) } catch { return .failure(error) }
    }
    return try result.get()
}
