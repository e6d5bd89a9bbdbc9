@testable import BPE
import Testing

/// The sinks' appends of many tokens at once (a cached piece's, a merge's) keep every token in
/// order, across the growth of ``TokenBuffer`` and the chunks of ``ChunkSink``.
@Suite struct TokenSinkTests {
    /// Single and bulk appends, interleaved: 200 singles, a bulk across the first 256, a bulk
    /// more than twice the capacity (growth must double more than once), then empty and single.
    static func feed<S: TokenSink>(_ sink: inout S) -> [Rank] {
        var expected: [Rank] = []
        for i in 0..<200 { sink.append(Rank(i)); expected.append(Rank(i)) }
        for block in [Array(1000..<1100), Array(5000..<6500), [], [7]].map({ $0.map { Rank($0) } }) {
            block.withUnsafeBufferPointer { b in
                if let p = b.baseAddress { sink.append(p, count: b.count) }
            }
            expected += block
        }
        sink.append(42)
        expected.append(42)
        return expected
    }

    @Test func arraySinkKeepsBulkAppendsInOrder() {
        var sink = ArraySink()
        let expected = Self.feed(&sink)
        #expect(sink.tokens == expected)
        #expect(sink.count == expected.count)
    }

    @Test func countSinkCountsBulkAppends() {
        var sink = CountSink()
        let expected = Self.feed(&sink)
        #expect(sink.count == expected.count)
    }

    @Test func chunkSinkDeliversBulkAppendsInChunks() {
        let capacity = 64
        let storage = UnsafeMutablePointer<Rank>.allocate(capacity: capacity)
        defer { storage.deallocate() }
        var delivered: [Rank] = []
        var largest = 0
        var sink = ChunkSink(storage: storage, capacity: capacity) { chunk in
            delivered += chunk
            largest = max(largest, chunk.count)
        }
        let expected = Self.feed(&sink)
        sink.deliverRest()
        #expect(delivered == expected)
        #expect(largest == capacity)
    }
}
