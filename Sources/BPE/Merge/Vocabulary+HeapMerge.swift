extension Vocabulary {
    /// The long-piece merge, for pieces like a megabyte of one repeated character, where the
    /// scan would be quadratic.
    ///
    /// Parts form a doubly linked list over byte offsets; a binary min-heap holds candidate
    /// merges keyed `(priority << 32) | start offset`, so it pops the lowest priority and, on
    /// ties, the leftmost pair: the same order as the scan and as tiktoken. A popped entry is
    /// stale (and skipped) when its part is gone or now merges differently.
    ///
    /// - Complexity: O(n log n) time, O(n) memory for an n-byte piece.
    func mergeByHeap<S: TokenSink>(_ p: UnsafePointer<UInt8>, _ n: Int, into sink: inout S) {
        let token = UnsafeMutablePointer<Rank>.allocate(capacity: n)   // .max: not a part start
        let merged = UnsafeMutablePointer<UInt64>.allocate(capacity: n)  // merge of part + next part
        let next = UnsafeMutablePointer<Int32>.allocate(capacity: n)   // start of next part, or n
        let prev = UnsafeMutablePointer<Int32>.allocate(capacity: n)   // start of previous part, or -1
        var heap = MinHeap<UInt64>(capacity: n)
        defer {
            token.deallocate(); merged.deallocate(); next.deallocate(); prev.deallocate()
            heap.deallocate()
        }
        for i in 0..<n {
            token[i] = byteRanks[Int(p[i])]
            next[i] = Int32(i + 1)
            prev[i] = Int32(i - 1)
        }
        for i in 0..<n {
            merged[i] = i + 1 < n ? pairs.find(left: token[i], right: token[i + 1]) : .max
            if merged[i] != .max { heap.push(key(merged[i], i)) }
        }
        while let top = heap.pop() {
            let start = Int(truncatingIfNeeded: top & 0xFFFF_FFFF)
            guard token[start] != .max, merged[start] != .max, key(merged[start], start) == top else { continue }
            let rank = Rank(truncatingIfNeeded: merged[start])
            let right = Int(next[start])
            let after = Int(next[right])
            token[start] = rank
            token[right] = .max
            merged[right] = .max
            next[start] = Int32(after)
            if after < n { prev[after] = Int32(start) }
            merged[start] = after < n ? pairs.find(left: rank, right: token[after]) : .max
            if merged[start] != .max { heap.push(key(merged[start], start)) }
            let before = Int(prev[start])
            if before >= 0 {
                merged[before] = pairs.find(left: token[before], right: rank)
                if merged[before] != .max { heap.push(key(merged[before], before)) }
            }
        }
        var i = 0
        while i < n {
            sink.append(token[i])
            i = Int(next[i])
        }
    }
}

/// A heap key for the merge `m` (``PairTable``'s packed form) of the part starting at `start`:
/// priority first, then position.
@inline(__always)
private func key(_ m: UInt64, _ start: Int) -> UInt64 { (m >> 32) << 32 | UInt64(start) }
