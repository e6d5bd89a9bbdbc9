@testable import BPE
import Testing
import TestSupport

/// The backtracking encoder must give exactly the heap merge's tokens (the heap merge is
/// tiktoken's algorithm, checked against a textbook reference in `MergeTests`).
@Suite struct BacktrackingTests {
    func encode(_ v: Vocabulary, _ piece: [UInt8], backtracking: Bool) throws -> [Rank] {
        var sink = ArraySink()
        let bt = try #require(v.backtracking)
        piece.withUnsafeBufferPointer { b in
            if backtracking { v.mergeByBacktracking(b.baseAddress!, b.count, bt, into: &sink) } else { v.mergeByHeap(b.baseAddress!, b.count, into: &sink) }
        }
        return sink.tokens
    }

    /// How the single bytes are laid out among the ids: in byte order, shuffled (as in the
    /// OpenAI encodings, whose first 256 ids are the bytes in another order), or with a
    /// two-byte token at id 10, so that only ids below 10 are bytes for
    /// ``Backtracking/byteIDLimit`` and pairs of the other bytes take the pair table.
    enum ByteLayout: CaseIterable { case inOrder, shuffled, pairAtTen }

    /// Random byte-level vocabularies over "abc", including ones where tiktoken makes a token
    /// from a higher-ranked one (the backtracking tables must then refuse the vocabulary).
    @Test(arguments: ByteLayout.allCases)
    func smallVocabulariesAgreeWithTheHeap(_ layout: ByteLayout) throws {
        var rng = SplitMix(seed: 3)
        var eligible = 0, refused = 0
        let letters = Array("abc".utf8)
        for round in 0..<60 {
            var bytes: [[UInt8]] = (0...255).map { [UInt8($0)] }
            switch layout {
            case .inOrder: break
            case .shuffled: bytes.shuffle(using: &rng)
            case .pairAtTen:
                bytes.removeAll { $0 == [letters[0]] || $0 == [letters[1]] }
                bytes.insert(contentsOf: [[letters[0]], [letters[1]]], at: 3)
                bytes.insert([letters[0], letters[1]], at: 10)
            }
            var tokens = bytes
            var seen = Set(tokens)
            let made = tokens.count
            while tokens.count < made + 12 {
                let a = Bool.random(using: &rng) ? [letters.randomElement(using: &rng)!] : tokens[made...].randomElement(using: &rng) ?? [letters[0]]
                let b = Bool.random(using: &rng) ? [letters.randomElement(using: &rng)!] : tokens[made...].randomElement(using: &rng) ?? [letters[1]]
                if seen.insert(a + b).inserted { tokens.append(a + b) }
            }
            let v = try Vocabulary(tokens: tokens)
            guard let bt = v.backtracking else { refused += 1; continue }
            #expect(bt.byteIDLimit == (layout == .pairAtTen ? 10 : 256))
            for id in 0..<Int(bt.byteIDLimit) { #expect(v.byteRanks[Int(bt.byteOfID.base[id])] == Rank(id)) }
            eligible += 1
            for _ in 0..<200 {
                let piece = (0..<Int.random(in: 2..<80, using: &rng)).map { _ in letters.randomElement(using: &rng)! }
                var a = ArraySink(), b = ArraySink()
                piece.withUnsafeBufferPointer { p in
                    v.mergeByBacktracking(p.baseAddress!, p.count, bt, into: &a)
                    v.mergeByHeap(p.baseAddress!, p.count, into: &b)
                }
                #expect(a.tokens == b.tokens, "round \(round): \(String(decoding: piece, as: UTF8.self))")
            }
        }
        // Both kinds occur, so both paths are exercised.
        #expect(eligible > 20 && refused > 0, "eligible \(eligible), refused \(refused)")
    }

    /// A vocabulary where "cccccc" (262) can only be made from "cccc" (263), ranked above it:
    /// tiktoken makes it, the replay cannot, so there are no backtracking tables.
    @Test func refusesATokenMadeFromAHigherRank() throws {
        let v = try byteVocabulary(["cc", "ccc", "cccccc", "cccc"])
        #expect(v.backtracking == nil)
        #expect(try byteVocabulary(["cc", "ccc", "cccc", "cccccc"]).backtracking != nil)
    }

    /// Pathological pieces (one letter, spaces, newlines, random letters, base64, one CJK
    /// character, digits) and random long pieces, on the real vocabularies.
    @Test(arguments: ["r50k_base", "cl100k_base", "o200k_base"])
    func realVocabulariesAgreeWithTheHeap(_ name: String) throws {
        let v = try Encoding.builtin(name).vocabulary
        // Their first 256 ids are the bytes: pairs of them take the byte-pair table.
        #expect(try #require(v.backtracking).byteIDLimit == 256)
        var rng = SplitMix(seed: 11)
        let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        let b64 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var pieces: [[UInt8]] = [
            Array(repeating: UInt8(ascii: "a"), count: 5000), Array(repeating: 0x20, count: 3001),
            Array(repeating: 0x0A, count: 2999), Array(String(repeating: "中", count: 1500).utf8),
            Array(String(repeating: "0123456789", count: 300).utf8), Array(String(repeating: "ab", count: 1000).utf8),
        ]
        for _ in 0..<60 {
            let alphabet = [letters, b64, Array(0...255)].randomElement(using: &rng)!
            pieces.append((0..<Int.random(in: 2..<700, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
        }
        for piece in pieces {
            #expect(try encode(v, piece, backtracking: true) == (try encode(v, piece, backtracking: false)),
                    "\(name): \(piece.prefix(40))… (\(piece.count) bytes)")
        }
    }

    /// With the pair memo: a piece whose memo misses ``Vocabulary/memoTrial`` times before it
    /// has that many tokens (random letters, base64, random bytes) goes on without the memo,
    /// one whose memo answers (a repeated character, a short cycle) keeps it; both give the
    /// heap's tokens, before and after the trial. Tens of thousands of tokens each, so every
    /// piece gets past the trial.
    @Test(arguments: ["cl100k_base", "o200k_base"])
    func memoTrialKeepsTheTokens(_ name: String) throws {
        let v = try Encoding.builtin(name).vocabulary
        let bt = try #require(v.backtracking)
        var rng = SplitMix(seed: 23)
        let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        let b64 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        let pieces: [[UInt8]] = [
            (0..<120_000).map { _ in letters.randomElement(using: &rng)! },
            (0..<90_000).map { _ in b64.randomElement(using: &rng)! },
            (0..<60_000).map { _ in UInt8.random(in: 0...255, using: &rng) },
            Array(String(repeating: "中", count: 30_000).utf8),
            Array(String(repeating: "abcdefg", count: 15_000).utf8),
        ]
        let storage = PieceCacheStorage()
        for piece in pieces {
            var withMemo = ArraySink()
            piece.withUnsafeBufferPointer { v.mergeByBacktracking($0.baseAddress!, $0.count, bt, memo: storage.cache, into: &withMemo) }
            let heap = try encode(v, piece, backtracking: false)
            #expect(withMemo.tokens == heap, "\(name): \(piece.prefix(20))… (\(piece.count) bytes)")
        }
    }

    /// Every token BPE can make encodes to itself, and the builtins have no other kind.
    @Test(arguments: ["r50k_base", "cl100k_base", "o200k_base"])
    func everyTokenEncodesToItself(_ name: String) throws {
        let v = try Encoding.builtin(name).vocabulary
        let bt = try #require(v.backtracking)
        var unmade = 0
        for r in 0..<v.count {
            guard let bytes = v.tokenBytes(Rank(r)), bytes.count > 1 else { continue }
            if bt.tokens[r].left == .max { unmade += 1; continue }
            var sink = ArraySink()
            bytes.withUnsafeBufferPointer { v.mergeByBacktracking($0.baseAddress!, $0.count, bt, into: &sink) }
            if sink.tokens != [Rank(r)] { Issue.record("\(name): token \(r) encodes to \(sink.tokens)"); return }
        }
        #expect(unmade == 0)
    }
}
