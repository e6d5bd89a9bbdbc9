import Foundation

extension Encoding {
    /// ``encodeStream(read:blockSize:allowedSpecial:disallowedSpecial:validateUTF8:chunkSize:ids:partEnded:)``
    /// on up to `threads` threads: each part (cut where the one-thread stream cuts) is
    /// encoded on a thread of its own into a `Part` of the caller's (`makePart(index)`, then
    /// `ids` with each chunk of its ids, as they come), and `partEnded` gets the parts in
    /// input order, on the calling thread. The ids are the ones the one-thread stream gives.
    ///
    /// Errors come as from the one-thread stream: the first part in input order that fails
    /// throws, after `partEnded` has had every part before it and none after; a failed
    /// `read` throws only after the parts read before it. Parts still being encoded when
    /// that happens are waited for, so no `ids` call outlives this one.
    ///
    /// ```swift
    /// try enc.encodeStream(read: read, threads: 4, makePart: { _ in [Rank]() },
    ///                      ids: { $1 += $0 }, partEnded: { all += $0 })
    /// ```
    /// - Complexity: O(n) work over `threads` threads; memory O((threads + 1) × blockSize)
    ///   plus the parts.
    public func encodeStream<Part>(read: (Int) throws -> [UInt8], blockSize: Int = 4 << 20,
                                   allowedSpecial: SpecialTokenSet = .none, disallowedSpecial: SpecialTokenSet = .all,
                                   validateUTF8: Bool = false, chunkSize: Int = 8192, threads: Int,
                                   makePart: @escaping @Sendable (_ index: Int) -> Part,
                                   ids: @escaping @Sendable (UnsafeBufferPointer<Rank>, inout Part) -> Void,
                                   partEnded: (Part) throws -> Void) throws {
        let chunk = max(chunkSize, 1)
        /// Encodes one part on whatever thread runs it.
        let encodeOne: @Sendable (UnsafeBufferPointer<UInt8>, Int, Int) -> Result<Part, Error> = { bytes, offset, index in
            let result = PartBox(makePart(index))
            let storage = UnsafeMutablePointer<Rank>.allocate(capacity: chunk)
            defer { storage.deallocate() }
            var state = EncodeState()
            var sink = ChunkSink(storage: storage, capacity: chunk) { ids($0, &result.part) }
            do {
                try self.encodePart(bytes, at: offset, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial,
                                    validateUTF8: validateUTF8, state: &state, into: &sink)
            } catch {
                return .failure(error)
            }
            sink.deliverRest()
            return .success(result.part)
        }
        var waiting: [PendingPart<Part>] = []   // in input order
        func finishOldest() throws {
            let oldest = waiting.removeFirst()
            oldest.done.wait()
            do {
                try partEnded(try oldest.result!.get())
            } catch {
                for p in waiting { p.done.wait() }
                waiting.removeAll()
                throw error
            }
        }
        var index = 0
        do {
            try cutParts(read: read, blockSize: blockSize) { part, offset, isLast in
                let i = index
                index += 1
                let pending = PendingPart<Part>()
                waiting.append(pending)
                // The last part runs here, where the caller would only wait for it: an input
                // of one part (most inputs) starts no thread at all, and is not copied.
                if threads <= 1 || isLast {
                    pending.result = encodeOne(part, offset, i)
                    pending.done.leave()
                } else {
                    // The part outlives this call, which is all `part` is valid for.
                    let bytes = Array(part)
                    DispatchQueue.global(qos: .userInitiated).async {
                        pending.result = bytes.withUnsafeBufferPointer { encodeOne($0, offset, i) }
                        pending.done.leave()
                    }
                }
                if waiting.count >= max(threads, 1) { try finishOldest() }
            }
        } catch {
            // A read that failed: the parts before it count first, in order.
            while !waiting.isEmpty { try finishOldest() }
            throw error
        }
        while !waiting.isEmpty { try finishOldest() }
    }
}

/// A part being encoded: its result, once `done` has been left.
private final class PendingPart<Part>: @unchecked Sendable {
    var result: Result<Part, Error>?
    let done = DispatchGroup()
    init() { done.enter() }
}

/// A part as it is filled, on the one thread that encodes it.
private final class PartBox<Part>: @unchecked Sendable {
    var part: Part
    init(_ part: Part) { self.part = part }
}
