import BPERegex

/// A tiktoken-compatible encoding: a vocabulary, a split pattern and special tokens.
///
/// Its API mirrors tiktoken's `Encoding` name for name (in camelCase), and its output is
/// byte-identical to tiktoken 0.14.0's for the built-in encodings:
///
/// ```swift
/// let enc = try Encoding.builtin("cl100k_base")
/// enc.encodeOrdinary("hello world")                 // [15339, 1917]
/// try enc.encode("<|endoftext|>", allowedSpecial: .all)   // [100257]
/// try enc.decode([15339, 1917])                     // "hello world"
/// ```
///
/// An `Encoding` is immutable and `Sendable`: share one across threads. Each call that
/// matches text makes its own PCRE2 match data (see ``BPERegex/Matcher``).
public final class Encoding: Sendable {
    /// The encoding's name, e.g. `cl100k_base`.
    public let name: String
    /// The mergeable tokens.
    public let vocabulary: Vocabulary
    /// The pre-tokenizer: PCRE2 source, compiled once.
    public let pattern: Pattern
    /// Special token text → id.
    public let specialTokens: [String: Rank]
    let special: SpecialTokenTable
    /// Special token id → bytes, for decoding.
    let specialBytes: [Rank: [UInt8]]
    /// The largest token id, mergeable or special.
    public let maxTokenValue: Rank

    /// Builds an encoding from its parts.
    ///
    /// - Parameters:
    ///   - pattern: a PCRE2 pattern. tiktoken's patterns are written for Rust's `regex`; pass
    ///     them through ``SplitPattern/pcre2(fromTiktoken:)`` first, as the built-ins do.
    ///   - specialTokens: text → id; ids must not be mergeable ranks.
    ///   - explicitNVocab: if given, checked like tiktoken's `explicit_n_vocab`.
    /// - Throws: ``VocabularyError`` for colliding or empty special tokens, ``PatternError``
    ///   for a pattern PCRE2 rejects.
    public init(name: String, vocabulary: Vocabulary, pattern: String,
                specialTokens: [String: Rank], explicitNVocab: Int? = nil) throws {
        for (text, id) in specialTokens {
            guard !text.isEmpty else { throw VocabularyError.badSpecialToken(text) }
            if vocabulary.tokenBytes(id) != nil { throw VocabularyError.specialTokenCollision(token: text, rank: id) }
        }
        let specialIDs = Set(specialTokens.values)
        if let hole = vocabulary.holes.first(where: { !specialIDs.contains($0) }) {
            throw VocabularyError.rankGap(rank: hole, source: name)
        }
        self.name = name
        self.vocabulary = vocabulary
        // The GPT patterns get an exact shortcut for plain ASCII words (see FastPath).
        self.pattern = try Pattern(pattern, fastPath: Self.fastPath(for: pattern))
        self.specialTokens = specialTokens
        special = SpecialTokenTable(specialTokens)
        // Two texts may share an id (o200k_harmony gives 200018 to both <|endofprompt|> and
        // <|reserved_200018|>). Decoding then yields the shortest text, bytewise-first on ties,
        // which is what tiktoken 0.14.0 returns for o200k_harmony.
        specialBytes = Dictionary(specialTokens.map { ($0.value, Array($0.key.utf8)) }) { a, b in
            a.count < b.count || (a.count == b.count && a.lexicographicallyPrecedes(b)) ? a : b
        }
        maxTokenValue = max(Rank(vocabulary.count - 1), specialTokens.values.max() ?? 0)
        if let explicitNVocab, explicitNVocab != Int(maxTokenValue) + 1 || explicitNVocab != vocabulary.tokenCount + specialTokens.count {
            throw VocabularyError.malformedLine(line: 0, reason: "vocabulary has \(vocabulary.tokenCount) tokens and \(specialTokens.count) special tokens, but \(explicitNVocab) were expected", source: name)
        }
    }

    /// The ``BPERegex/FastPath`` for a PCRE2 pattern that is one of the GPT presets.
    static func fastPath(for pattern: String) -> FastPath? {
        switch SplitPattern.presetName(of: pattern) {
        case "gpt2": return .gpt2
        case "cl100k": return .cl100k
        case "o200k": return .o200k
        default: return nil
        }
    }

    // MARK: Miscellaneous

    /// `maxTokenValue + 1`, as tiktoken's `n_vocab`.
    public var nVocab: Int { Int(maxTokenValue) + 1 }

    /// The id of `<|endoftext|>`, or `nil` if the encoding has none.
    public var eotToken: Rank? { specialTokens["<|endoftext|>"] }

    /// The special tokens' texts.
    public var specialTokensSet: Set<String> { Set(specialTokens.keys) }

    /// Whether `token` is a special token's id.
    public func isSpecialToken(_ token: Rank) -> Bool { specialBytes[token] != nil }

    /// The bytes of every mergeable token, in rank order (tiktoken sorts them by bytes;
    /// ``sortedTokenBytes`` does that).
    /// - Complexity: O(total token bytes).
    public var tokenByteValues: [[UInt8]] {
        (0..<vocabulary.count).compactMap { vocabulary.tokenBytes(Rank($0)) }
    }

    /// Every mergeable token's bytes sorted bytewise, like tiktoken's `token_byte_values()`.
    public var sortedTokenBytes: [[UInt8]] {
        tokenByteValues.sorted { $0.lexicographicallyPrecedes($1) }
    }
}

extension Encoding: CustomStringConvertible {
    public var description: String { "<Encoding \(name)>" }
}
