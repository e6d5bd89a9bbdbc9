import Foundation

/// Finds special tokens in text: the leftmost occurrence of any token from a chosen subset,
/// the longest one if several start there.
///
/// tiktoken does this with a regex alternation of all special tokens. Instead we jump between
/// possible first bytes with `memchr` (every built-in special token starts with `<`) and, at
/// each candidate, hash the text at each distinct token length: O(lengths) per candidate,
/// not O(tokens), which matters for o200k_harmony's 1,100 reserved tokens.
struct SpecialTokenTable: Sendable {
    struct Entry: Sendable {
        let text: String
        let bytes: [UInt8]
        let rank: Rank
    }
    let entries: [Entry]
    /// A flag per entry, all false / all true: the answers for the default special-token
    /// choices, made once.
    let none: [Bool]
    let every: [Bool]
    /// Distinct token lengths, longest first.
    private let lengths: [Int]
    /// hash(bytes) → indices into `entries`.
    private let byHash: [UInt64: [Int]]
    private let firstBytes: [Bool]
    /// The first byte shared by every token, if there is one (then `memchr` can scan).
    private let commonFirstByte: UInt8?

    init(_ tokens: [String: Rank]) { self.init(list: tokens.map { ($0.key, $0.value) }) }

    /// The tokens of `list`, told apart by their UTF-8 bytes: a `[String: Rank]` would take
    /// canonically equivalent texts (`é` and `e` + U+0301) for one, and Rust's `tokenizers`
    /// keeps them apart. Each text must appear once.
    init(list tokens: [(text: String, rank: Rank)]) {
        entries = tokens.map { Entry(text: $0.text, bytes: Array($0.text.utf8), rank: $0.rank) }
            .filter { !$0.bytes.isEmpty }
            .sorted { $0.rank < $1.rank }
        none = [Bool](repeating: false, count: entries.count)
        every = [Bool](repeating: true, count: entries.count)
        lengths = Set(entries.map(\.bytes.count)).sorted(by: >)
        var byHash: [UInt64: [Int]] = [:]
        var first = [Bool](repeating: false, count: 256)
        for (i, e) in entries.enumerated() {
            byHash[e.bytes.withUnsafeBufferPointer { hashBytes($0.baseAddress!, $0.count) }, default: []].append(i)
            first[Int(e.bytes[0])] = true
        }
        self.byHash = byHash
        firstBytes = first
        let distinctFirst = Set(entries.map { $0.bytes[0] })
        commonFirstByte = distinctFirst.count == 1 ? distinctFirst.first : nil
    }

    var isEmpty: Bool { entries.isEmpty }

    /// The leftmost match at or after `from` of a token for which `accept(entryIndex)` holds.
    /// Returns the entry index and the byte range.
    /// - Complexity: O(n) scan, plus O(distinct lengths) hashing per candidate position.
    func find(in text: UnsafeBufferPointer<UInt8>, from: Int, accept: (Int) -> Bool) -> (entry: Int, range: Range<Int>)? {
        guard !entries.isEmpty, let base = text.baseAddress else { return nil }
        let n = text.count
        var i = from
        while i < n {
            if let c = commonFirstByte {
                guard let hit = memchr(base + i, Int32(c), n - i) else { return nil }
                i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            } else if !firstBytes[Int(base[i])] {
                i += 1
                continue
            }
            for len in lengths where i + len <= n {
                let h = hashBytes(base + i, len)
                guard let candidates = byHash[h] else { continue }
                for e in candidates where entries[e].bytes.count == len && accept(e) {
                    if memcmp(base + i, entries[e].bytes, len) == 0 { return (e, i..<(i + len)) }
                }
            }
            i += 1
        }
        return nil
    }
}
