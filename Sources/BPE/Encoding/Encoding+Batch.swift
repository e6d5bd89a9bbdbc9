import Foundation
import Dispatch

extension Encoding {
    /// Encodes many texts on all cores; the result is in input order and identical to
    /// `texts.map { encodeOrdinary($0) }`.
    ///
    /// Work is handed out in chunks of texts, one PCRE2 matcher per chunk.
    /// ```swift
    /// cl100k.encodeOrdinaryBatch(["hello", "world"])   // [[15339], [14957]]
    /// ```
    /// - Complexity: O(total bytes / cores).
    public func encodeOrdinaryBatch(_ texts: [String]) -> [[Rank]] {
        Self.mapOnAllCores(texts, placeholder: []) { text, state in
            var sink = ArraySink()
            withUTF8(text) { encodeOrdinary($0, state: &state, into: &sink) }
            return sink.tokens
        }
    }

    /// ``encode(_:allowedSpecial:disallowedSpecial:)`` for many texts on all cores.
    /// - Throws: the error of the first text (in input order) that fails.
    /// - Complexity: O(total bytes / cores).
    public func encodeBatch(_ texts: [String], allowedSpecial: SpecialTokenSet = .none,
                            disallowedSpecial: SpecialTokenSet = .all) throws(EncodeError) -> [[Rank]] {
        let results = Self.mapOnAllCores(texts, placeholder: Result<[Rank], EncodeError>.success([])) { text, state in
            var sink = ArraySink()
            do throws(EncodeError) {
                try withUTF8(text) { (buf) throws(EncodeError) in
                    try encode(buf, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial,
                               state: &state, into: &sink)
                }
                return .success(sink.tokens)
            } catch {
                return .failure(error)
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

    /// `texts.map(transform)` on all cores, in input order; each chunk of texts shares one
    /// scratch ``EncodeState``.
    private static func mapOnAllCores<T>(_ texts: [String], placeholder: T,
                                         _ transform: @Sendable (String, inout EncodeState) -> T) -> [T] {
        var out = [T](repeating: placeholder, count: texts.count)
        out.withUnsafeMutableBufferPointer { results in
            let results = UnsafeSendable(results)
            forEachChunk(count: texts.count) { range in
                var state = EncodeState()
                for i in range { results.value[i] = transform(texts[i], &state) }
            }
        }
        return out
    }

    /// Splits `0..<count` into chunks and runs them on all cores.
    static func forEachChunk(count: Int, _ body: @Sendable (Range<Int>) -> Void) {
        guard count > 0 else { return }
        // Several chunks per core so one long text does not leave the other cores idle.
        let chunks = min(count, ProcessInfo.processInfo.activeProcessorCount * 8)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            body((count * c / chunks)..<(count * (c + 1) / chunks))
        }
    }
}

/// Hands a buffer to `concurrentPerform`: every iteration writes disjoint indices.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
