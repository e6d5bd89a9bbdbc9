import BPERegex
import Foundation

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
/// An `Encoding` is immutable and `Sendable`: share one across threads. The GPT patterns
/// split with a hand-written ``Lexer``; any other pattern with PCRE2, each thread with its own
/// match data (see ``BPERegex/Pattern/withMatcher(_:)``). Each thread that has encoded 16 KiB
/// with a vocabulary keeps a piece cache for it between calls (4.1 to 8.1 MiB each, for the last
/// four vocabularies it used, freed when the thread ends), so texts encoded one call at a time
/// start warm.
public final class Encoding: Sendable {
    /// The encoding's name, e.g. `cl100k_base`.
    public let name: String
    /// The mergeable tokens.
    public let vocabulary: Vocabulary
    /// The preset whose pattern this encoding splits with, if it is one of the GPT patterns.
    public var preset: Preset? { splitter.preset }
    /// The split pattern's PCRE2 source.
    public let patternSource: String
    /// How text is cut into pieces.
    let splitter: Splitter
    private let compiledPattern: LazyPattern
    /// Special token text → id.
    public let specialTokens: [String: Rank]
    let special: SpecialTokenTable
    /// Special token id → bytes, for decoding.
    let specialBytes: [Rank: [UInt8]]
    /// The largest token id, mergeable or special.
    public let maxTokenValue: Rank
    /// For formats with more steps than tiktoken's (a `tokenizer.json`): what encoding runs
    /// instead of the splitter. See ``TextPipeline``.
    let pipeline: TextPipeline?
    /// The tokens ``addingSpecialTokens()`` puts around a text, where the format has any.
    let specialTokenTemplate: SpecialTokenTemplate?
    private let specialIDs: Set<Rank>

    /// Builds an encoding from its parts.
    ///
    /// - Parameters:
    ///   - pattern: a PCRE2 pattern. tiktoken's patterns are written for Rust's `regex`; pass
    ///     them through ``SplitPattern/pcre2(fromTiktoken:)`` first, as the built-ins do.
    ///   - specialTokens: text → id; ids must not be mergeable ranks.
    ///   - explicitNVocab: if given, checked like tiktoken's `explicit_n_vocab`.
    /// - Throws: ``VocabularyError`` for colliding or empty special tokens, ``PatternError``
    ///   for a pattern PCRE2 rejects.
    public convenience init(name: String, vocabulary: Vocabulary, pattern: String,
                            specialTokens: [String: Rank], explicitNVocab: Int? = nil) throws {
        try self.init(name: name, vocabulary: vocabulary, splitter: Splitter(pcre2Pattern: pattern),
                      patternSource: pattern, specialTokens: specialTokens, explicitNVocab: explicitNVocab)
    }

    /// Builds an encoding that splits with one of the GPT patterns (no regex is compiled).
    /// - Throws: ``VocabularyError`` as ``init(name:vocabulary:pattern:specialTokens:explicitNVocab:)``.
    public convenience init(name: String, vocabulary: Vocabulary, preset: Preset,
                            specialTokens: [String: Rank], explicitNVocab: Int? = nil) throws(VocabularyError) {
        try self.init(name: name, vocabulary: vocabulary, splitter: .preset(preset), patternSource: preset.pcre2Pattern,
                      specialTokens: specialTokens, explicitNVocab: explicitNVocab)
    }

    init(name: String, vocabulary: Vocabulary, splitter: Splitter, patternSource: String,
         specialTokens: [String: Rank], explicitNVocab: Int?, pipeline: TextPipeline? = nil,
         specialTokenTemplate: SpecialTokenTemplate? = nil) throws(VocabularyError) {
        for (text, id) in specialTokens {
            guard !text.isEmpty else { throw VocabularyError.badSpecialToken(text) }
            // A pipeline's format decides (Hugging Face added tokens often are vocabulary entries).
            if pipeline == nil, vocabulary.tokenBytes(id) != nil { throw VocabularyError.specialTokenCollision(token: text, rank: id) }
        }
        let specialIDs = Set(specialTokens.values)
        if pipeline == nil, let hole = vocabulary.holes.first(where: { !specialIDs.contains($0) }) {
            throw VocabularyError.rankGap(rank: hole, source: name)
        }
        self.pipeline = pipeline
        self.specialTokenTemplate = specialTokenTemplate
        self.specialIDs = specialIDs
        self.name = name
        self.vocabulary = vocabulary
        self.splitter = splitter
        self.patternSource = patternSource
        if case .regex(let p) = splitter {
            compiledPattern = LazyPattern(p)
        } else {
            compiledPattern = LazyPattern(source: patternSource)
        }
        self.specialTokens = specialTokens
        special = SpecialTokenTable(specialTokens)
        // Two texts may share an id (o200k_harmony gives 200018 to both <|endofprompt|> and
        // <|reserved_200018|>). Decoding then yields the shortest text, bytewise-first on ties,
        // which is what tiktoken 0.14.0 returns for o200k_harmony.
        let textBytes: [Rank: [UInt8]] = Dictionary(specialTokens.map { ($0.value, Array($0.key.utf8)) }) { a, b in
            a.count < b.count || (a.count == b.count && a.lexicographicallyPrecedes(b)) ? a : b
        }
        specialBytes = textBytes.merging(pipeline?.extraTokenBytes ?? [:]) { _, extra in extra }
        maxTokenValue = max(Rank(vocabulary.count - 1), specialTokens.values.max() ?? 0,
                            pipeline?.extraTokenBytes.keys.max() ?? 0)
        if let explicitNVocab, explicitNVocab != Int(maxTokenValue) + 1 || explicitNVocab != vocabulary.tokenCount + specialTokens.count {
            throw VocabularyError.vocabularySizeMismatch(tokens: vocabulary.tokenCount, specialTokens: specialTokens.count,
                                                         expected: explicitNVocab, source: name)
        }
    }

    /// The split pattern, compiled by PCRE2. For a preset, encoding never needs it (the lexer
    /// splits), so it is compiled on first use only: that keeps loading fast.
    public var pattern: Pattern { compiledPattern.value }

    // MARK: Miscellaneous

    /// `maxTokenValue + 1`, as tiktoken's `n_vocab`.
    public var nVocab: Int { Int(maxTokenValue) + 1 }

    /// The id of `<|endoftext|>`, or `nil` if the encoding has none.
    public var eotToken: Rank? { specialTokens["<|endoftext|>"] }

    /// The special tokens' texts.
    public var specialTokensSet: Set<String> { Set(specialTokens.keys) }

    /// Whether `token` is a special token's id.
    public func isSpecialToken(_ token: Rank) -> Bool { specialIDs.contains(token) }

    /// Every mergeable token's bytes, sorted bytewise: tiktoken's `token_byte_values()`.
    /// - Complexity: O(t log t) for t tokens.
    public var tokenByteValues: [[UInt8]] {
        tokenBytesByRank.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// Every mergeable token's bytes in rank order (no tiktoken counterpart; the order
    /// `.tiktoken` files list them in).
    /// - Complexity: O(total token bytes).
    public var tokenBytesByRank: [[UInt8]] {
        (0..<vocabulary.count).compactMap { vocabulary.tokenBytes(Rank($0)) }
    }
}

/// The PCRE2 form of a preset's pattern, compiled on first use (the lexer needs none).
private final class LazyPattern: Sendable {
    private let source: String
    private let compiled: Locked<Pattern?>

    init(_ pattern: Pattern) {
        source = pattern.source
        compiled = Locked(pattern)
    }

    init(source: String) {
        self.source = source
        compiled = Locked(nil)
    }

    var value: Pattern {
        compiled.withLock { compiled in
            if let compiled { return compiled }
            // A preset's pattern always compiles; failing here means a broken PCRE2 install.
            let p: Pattern
            do { p = try Pattern(source) } catch { preconditionFailure("\(error)") }
            compiled = p
            return p
        }
    }
}

extension Encoding: CustomStringConvertible {
    public var description: String { "<Encoding \(name)>" }
}
