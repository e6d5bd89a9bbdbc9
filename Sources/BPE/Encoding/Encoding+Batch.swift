import Foundation
import Dispatch

extension Encoding {
    /// Encodes many texts at once; the result is in input order and identical to
    /// `texts.map { encodeOrdinary($0) }`.
    ///
    /// Work is handed out in chunks of texts, one scratch state per chunk. `threads` caps the
    /// threads used, as tiktoken's `num_threads` does (`nil`: one per CPU this process may use,
    /// ``Processors/allowed`` as read at the first such call; 1: this thread only).
    /// ```swift
    /// cl100k.encodeOrdinaryBatch(["hello", "world"])   // [[15339], [14957]]
    /// ```
    /// - Complexity: O(total bytes / threads).
    public func encodeOrdinaryBatch(_ texts: [String], threads: Int? = nil) -> [[Rank]] {
        Self.mapInParallel(texts, threads: threads, placeholder: []) { text, state in
            ArraySink.collect(inputBytes: text.utf8.count) { sink in
                withUTF8(text) { encodeOrdinary($0, state: &state, into: &sink) }
            }
        }
    }

    /// ``encode(_:allowedSpecial:disallowedSpecial:)`` for many texts at once, on at most
    /// `threads` threads (`nil`: one per CPU this process may use).
    /// - Throws: the error of the first text (in input order) that fails.
    /// - Complexity: O(total bytes / threads).
    public func encodeBatch(_ texts: [String], allowedSpecial: SpecialTokenSet = .none,
                            disallowedSpecial: SpecialTokenSet = .all, threads: Int? = nil) throws(EncodeError) -> [[Rank]] {
        try encodeBatch(texts, allowedSpecial, disallowedSpecial, threads) { (text, body) throws(EncodeError) in
            try withUTF8(text, body)
        }
    }

    /// ``encode(bytes:allowedSpecial:disallowedSpecial:)`` for many byte strings at once, on
    /// at most `threads` threads (`nil`: one per CPU this process may use); invalid UTF-8 is
    /// encoded losslessly.
    ///
    /// ```swift
    /// try cl100k.encodeBatch(bytes: [Array("hello".utf8), [0xFF]])   // [[15339], [187]]
    /// ```
    /// - Throws: the error of the first text (in input order) that fails.
    /// - Complexity: O(total bytes / threads).
    public func encodeBatch(bytes texts: [[UInt8]], allowedSpecial: SpecialTokenSet = .none,
                            disallowedSpecial: SpecialTokenSet = .all, threads: Int? = nil) throws(EncodeError) -> [[Rank]] {
        try encodeBatch(texts, allowedSpecial, disallowedSpecial, threads) { (text, body) throws(EncodeError) in
            try text.withUnsafeBufferPointer(body)
        }
    }

    /// Both `encodeBatch`s: `withBytes(text, body)` hands `body` the bytes of one text.
    private func encodeBatch<Input: Sendable>(
        _ texts: [Input], _ allowedSpecial: SpecialTokenSet, _ disallowedSpecial: SpecialTokenSet, _ threads: Int?,
        withBytes: @Sendable (Input, (UnsafeBufferPointer<UInt8>) throws(EncodeError) -> Void) throws(EncodeError) -> Void
    ) throws(EncodeError) -> [[Rank]] {
        let results = Self.mapInParallel(texts, threads: threads, placeholder: Result<[Rank], EncodeError>.success([])) { text, state in
            Result { () throws(EncodeError) in
                var tokens: [Rank] = []
                try withBytes(text) { (buf) throws(EncodeError) in
                    // Reserved for one token a byte, as `encodeOrdinaryBatch` does.
                    tokens = try ArraySink.collect(inputBytes: buf.count) { (sink) throws(EncodeError) in
                        try encode(buf, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial,
                                   state: &state, into: &sink)
                    }
                }
                return tokens
            }
        }
        return try results.map { (r) throws(EncodeError) in try r.get() }
    }

    /// Decodes many token lists, one after another, each like ``decodeBytes(_:)``. (Decoding
    /// is a copy per token, so threads would buy little; tiktoken runs this on a thread pool.)
    /// - Throws: the error of the first list that fails.
    /// - Complexity: O(total output bytes).
    public func decodeBytesBatch(_ batch: [[Rank]]) throws(DecodeError) -> [[UInt8]] {
        try batch.map { (t) throws(DecodeError) in try decodeBytes(t) }
    }

    /// `texts.map(transform)` on at most `threads` threads, in input order; each chunk of
    /// texts shares one scratch ``EncodeState``.
    private static func mapInParallel<Input: Sendable, T>(_ texts: [Input], threads: Int?, placeholder: T,
                                                          _ transform: @Sendable (Input, inout EncodeState) -> T) -> [T] {
        var out = [T](repeating: placeholder, count: texts.count)
        out.withUnsafeMutableBufferPointer { results in
            let results = UnsafeSendable(results)
            forEachChunk(count: texts.count, threads: threads) { range in
                var state = EncodeState()
                for i in range { results.value[i] = transform(texts[i], &state) }
            }
        }
        return out
    }

    /// Splits `0..<count` into chunks and runs them on at most `threads` threads (`nil`: one
    /// per CPU this process may use, ``Processors/allowedOnce``, so a batch under `taskset -c 0`
    /// runs on one thread rather than one per CPU of the machine); 1 runs them here, in order.
    ///
    /// Each worker owns a contiguous share of the chunks and takes them from its front; one
    /// that runs out takes the last chunk of the share with the most left, so one long text
    /// does not leave the others idle. Contiguous shares keep each thread's piece cache to
    /// the pieces of its part of the batch: handed out in turn, every thread met every kind
    /// of text in the batch and merged most of its distinct pieces again (26 MB of English,
    /// man pages, source code and CJK text in documents of 4 KiB, o200k: two threads ran at
    /// the speed of one and a third; see `encodeOrdinaryBatch`'s scaling in `compare.py`).
    /// - Complexity: one lock per chunk to hand it out, eight chunks per thread.
    static func forEachChunk(count: Int, threads: Int? = nil, _ body: @Sendable (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let workers = workerCount(count: count, threads: threads)
        if workers == 1 { return body(0..<count) }
        let chunks = min(count, workers * 8)
        // Worker w's share is chunks front[w]..<back[w].
        let shares = Locked((front: (0..<workers).map { chunks * $0 / workers },
                             back: (0..<workers).map { chunks * ($0 + 1) / workers }))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            while true {
                let c = shares.withLock { s -> Int? in
                    if s.front[w] < s.back[w] {
                        defer { s.front[w] += 1 }
                        return s.front[w]
                    }
                    let richest = (0..<workers).max { s.back[$0] - s.front[$0] < s.back[$1] - s.front[$1] }!
                    guard s.front[richest] < s.back[richest] else { return nil }
                    s.back[richest] -= 1
                    return s.back[richest]
                }
                guard let c else { return }
                body((count * c / chunks)..<(count * (c + 1) / chunks))
            }
        }
    }

    /// The threads ``forEachChunk(count:threads:_:)`` starts for `count` items: `threads`, or
    /// ``Processors/allowedOnce`` when `nil`, at least 1 and at most one per item.
    ///
    /// ```swift
    /// Encoding.workerCount(count: 100, threads: nil)   // 1 under `taskset -c 0`
    /// ```
    /// - Complexity: O(1); the first call without `threads` reads the CPU count.
    static func workerCount(count: Int, threads: Int?) -> Int {
        count <= 1 ? 1 : min(count, max(1, threads ?? Processors.allowedOnce))
    }
}

/// Hands a buffer to `concurrentPerform`: every iteration writes disjoint indices.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
