/// A `tokenizer.json` added token, with the id `tokenizers` gives it (not necessarily the
/// file's `id`: see ``HuggingFaceTokenizerFile``).
struct AddedToken: Sendable {
    var content: String
    var id: Rank
    var special: Bool
    var singleWord: Bool
    var lstrip: Bool
    var rstrip: Bool
    var normalized: Bool
    /// What is searched for: `content`, normalized when `normalized`.
    var pattern: [UInt8]
}

/// One of the two added-token searches of `tokenizers`' `AddedVocabulary`: over the raw text
/// (tokens with `normalized: false`) or over the normalized text. It reproduces
/// `find_matches` rule for rule:
/// - leftmost-longest, non-overlapping matches, the next search starting where the last
///   *match* ended (before any `rstrip`);
/// - a special token not chosen as special is skipped, and its text stays text;
/// - `single_word`: skipped unless neither neighbour is a word character (Rust's `\w`);
/// - `lstrip` / `rstrip`: the token swallows the whitespace before / after it (`lstrip` no
///   further back than the previous token's end).
struct AddedTokenSet: Sendable {
    let tokens: [AddedToken]
    private let table: SpecialTokenTable
    /// `table` entry → index in `tokens`.
    private let tokenOfEntry: [Int]

    init(_ tokens: [AddedToken]) {
        self.tokens = tokens
        // By bytes, not by String: canonically equivalent patterns are different tokens.
        var byPattern: [[UInt8]: Rank] = [:]
        for t in tokens { byPattern[t.pattern] = t.id }
        table = SpecialTokenTable(list: byPattern.map { (String(decoding: $0.key, as: UTF8.self), $0.value) })
        var index: [Rank: Int] = [:]
        for (i, t) in tokens.enumerated() { index[t.id] = i }
        tokenOfEntry = table.entries.map { index[$0.rank]! }
    }

    var isEmpty: Bool { tokens.isEmpty }

    /// Splits `text` into added tokens (`emit`) and the stretches between them (`stretch`).
    /// - Throws: ``EncodeError/disallowedSpecialToken(_:byteOffset:)`` where a disallowed
    ///   special token would have matched; `offset` is added to the reported position.
    /// - Complexity: O(n) scan plus O(distinct token lengths) per candidate position.
    func split(_ text: UnsafeBufferPointer<UInt8>, choice: SpecialChoice, offset: Int,
               emit: (Rank) -> Void,
               stretch: (UnsafeBufferPointer<UInt8>) throws(EncodeError) -> Void) throws(EncodeError) {
        guard text.count > 0 else { return }
        guard !tokens.isEmpty else { return try stretch(text) }
        var startOffset = 0
        var searchFrom = 0
        while let hit = table.find(in: text, from: searchFrom, accept: { _ in true }) {
            searchFrom = hit.range.upperBound
            let token = tokens[tokenOfEntry[hit.entry]]
            var start = hit.range.lowerBound
            var stop = hit.range.upperBound
            if token.singleWord {
                let startSpace = start == 0 || !Self.isWordCharacter(Self.scalar(endingAt: start, in: text))
                let stopSpace = stop == text.count || !Self.isWordCharacter(Self.scalar(startingAt: stop, in: text))
                if !startSpace || !stopSpace { continue }
            }
            if token.special {
                switch choice.isAllowed(token.content) {
                case .none: throw .disallowedSpecialToken(token.content, byteOffset: offset + start)
                case .some(false): continue
                case .some(true): break
                }
            }
            if token.lstrip {
                var s = start
                while s > 0, Self.isWhitespace(Self.scalar(endingAt: s, in: text)) {
                    s -= Self.scalarLength(endingAt: s, in: text)
                }
                start = max(s, startOffset)
            }
            if token.rstrip {
                while stop < text.count, Self.isWhitespace(Self.scalar(startingAt: stop, in: text)) {
                    stop += UTF8Validation.scalarLength(lead: text[stop])
                }
            }
            if startOffset < start { try stretch(UnsafeBufferPointer(rebasing: text[startOffset..<start])) }
            emit(token.id)
            startOffset = stop
        }
        if startOffset < text.count { try stretch(UnsafeBufferPointer(rebasing: text[startOffset..<text.count])) }
    }

    // MARK: Characters around a match (valid UTF-8)

    static func scalarLength(endingAt end: Int, in text: UnsafeBufferPointer<UInt8>) -> Int {
        var k = end - 1
        while k > 0 && text[k] & 0xC0 == 0x80 { k -= 1 }
        return end - k
    }

    static func scalar(endingAt end: Int, in text: UnsafeBufferPointer<UInt8>) -> Unicode.Scalar {
        scalar(startingAt: end - scalarLength(endingAt: end, in: text), in: text)
    }

    static func scalar(startingAt i: Int, in text: UnsafeBufferPointer<UInt8>) -> Unicode.Scalar {
        Unicode.Scalar(decodeScalar(text, i).0) ?? "\u{FFFD}"
    }

    /// Rust `regex`'s `\w`: Alphabetic, marks, decimal digits, connector punctuation,
    /// Join_Control.
    static func isWordCharacter(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII {
            let v = c.value
            return (0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) || v == 0x5F
        }
        let p = c.properties
        if p.isAlphabetic || p.isJoinControl { return true }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    /// Rust's `\s`: Unicode White_Space.
    static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
}

import BPERegex
