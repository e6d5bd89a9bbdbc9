@testable import BPE
import Testing

/// The sinks' appends of many tokens at once (a cached piece's, a merge's) keep every token in
/// order, across the growth of ``TokenBuffer`` and the chunks of ``ChunkSink``.
@Suite struct TokenSinkTests {
    /// Single and bulk appends, interleaved: 200 singles, a bulk across the first 256, a bulk
    /// more than twice the capacity (growth must double more than once), then empty and
    /// single, bulks of every count to 40, and six-token appends.
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
        // Bulk appends of every count to 40 (a cached piece's tokens), each from storage
        // that ends with its last token, so a copy that reads past it is caught by ASan.
        for k in 0...40 {
            let block = (0..<k).map { Rank(20_000 &+ 100 &* k &+ $0) }
            let exact = UnsafeMutablePointer<Rank>.allocate(capacity: k)
            exact.initialize(from: block, count: k)
            sink.append(exact, count: k)
            exact.deallocate()
            expected += block
        }
        // Six-token appends of every count, across growth and chunk boundaries.
        for round in 0..<40 {
            let k = round % 7
            let six: SixRanks = (Rank(round), 9001, 9002, 9003, 9004, 9005)
            sink.append(six: six, count: k)
            expected += [Rank(round), 9001, 9002, 9003, 9004, 9005].prefix(k)
        }
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

    /// From ``ArraySink/directThreshold`` bytes up the tokens go straight into the array's
    /// storage: the same tokens, in order, with the capacity reserved for one a byte.
    @Test func collectWritesLargeInputsIntoTheArray() {
        let bytes = ArraySink.directThreshold
        var expected: [Rank] = []
        let tokens = ArraySink.collect(inputBytes: bytes) { sink in expected = Self.feed(&sink) }
        #expect(tokens == expected)
        #expect(tokens.capacity >= bytes)
        let small = ArraySink.collect(inputBytes: 1000) { sink in _ = Self.feed(&sink) }
        #expect(small == expected)
    }

    /// More tokens than bytes (a pipeline that expands its text) move to storage of their
    /// own, and all of them come back.
    @Test func collectKeepsTokensPastTheReservation() {
        let bytes = ArraySink.directThreshold
        let many = (0..<(bytes + 300)).map { Rank($0 % 200_000) }
        let tokens = ArraySink.collect(inputBytes: bytes) { sink in
            for t in many.prefix(100) { sink.append(t) }
            many.withUnsafeBufferPointer { sink.append($0.baseAddress! + 100, count: many.count - 100) }
        }
        #expect(tokens == many)
    }

    struct Stop: Error, Equatable {}

    /// An error from the body comes out of `collect`, above and below the threshold.
    @Test func collectRethrows() {
        for bytes in [10, ArraySink.directThreshold] {
            #expect(throws: Stop()) {
                _ = try ArraySink.collect(inputBytes: bytes) { (sink) throws(Stop) in
                    sink.append(1)
                    throw Stop()
                }
            }
        }
    }

    /// Every public encode of a text past the threshold (ids written into the array) gives
    /// the ids of the growing buffer's path, and the array's count is the token count.
    @Test func largeTextsEncodeAsTheGrowingBufferDoes() throws {
        let enc = try Encoding.builtin("o200k_base")
        let words = ["Hello", " world", ", ", "\n", " naïve", " Übergröße", " 東京都", "では", " 12345", "  ", " Привет", "!?"]
        var text = ""
        var i = 0
        while text.utf8.count < ArraySink.directThreshold + 1000 {
            text += words[i % words.count] + (i % 7 == 0 ? String(i) : "")
            i += 1
        }
        let bytes = Array(text.utf8)
        let reference = enc.encodeOrdinary(bytes: bytes, pieceCache: false, backtracking: true)
        #expect(enc.encodeOrdinary(text) == reference)
        #expect(enc.encodeOrdinary(bytes: bytes) == reference)
        #expect(try enc.encode(text, disallowedSpecial: .none) == reference)
        #expect(try enc.encode(bytes: bytes, disallowedSpecial: .none) == reference)
        #expect(enc.encodeOrdinaryBatch([text, "hi"], threads: 2)[0] == reference)
        #expect(try enc.countTokens(text, disallowedSpecial: .none) == reference.count)
    }

    /// A six-token append that fits exactly at the end of borrowed storage goes one by one:
    /// no store past the storage, and no move to storage of its own.
    @Test func sixTokenAppendFitsAtTheEnd() {
        let storage = UnsafeMutablePointer<Rank>.allocate(capacity: 8)
        defer { storage.deallocate() }
        let buffer = TokenBuffer(borrowing: storage, capacity: 8)
        for i in 0..<5 { buffer.append(Rank(i)) }
        buffer.append(six: (5, 6, 7, 99, 99, 99), count: 3)
        #expect(!buffer.ownsStorage)
        #expect(Array(UnsafeBufferPointer(start: storage, count: buffer.count)) == [0, 1, 2, 3, 4, 5, 6, 7])
        buffer.append(six: (8, 99, 99, 99, 99, 99), count: 1)
        #expect(buffer.ownsStorage)
        #expect(Array(UnsafeBufferPointer(start: buffer.base, count: buffer.count)) == Array(0...8))
    }
}
