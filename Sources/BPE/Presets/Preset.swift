/// The split patterns of OpenAI's encodings, each with everything the toolkit knows about it:
/// its regex as tiktoken writes it, that regex translated for PCRE2, the hand-written
/// ``Lexer`` rule that splits exactly as the regex does, and where a long text may be cut
/// (``SafeCut``). This is the one home of that knowledge; every other part asks a `Preset`.
///
/// ```swift
/// Preset(name: "cl100k_base")      // .cl100k
/// Preset.o200k.tiktokenPattern     // "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}…"
/// ```
public enum Preset: String, CaseIterable, Sendable {
    /// GPT-2, r50k_base, p50k_base.
    case gpt2
    /// cl100k_base.
    case cl100k
    /// o200k_base (and o200k_harmony).
    case o200k

    /// The name, as `--pattern` accepts it.
    public var name: String { rawValue }

    /// The regex as written in tiktoken's `openai_public.py` (Rust `regex` syntax).
    public var tiktokenPattern: String {
        switch self {
        case .gpt2:
            return #"'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"#
        case .cl100k:
            return #"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"#
        case .o200k:
            return [
                #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"#,
                #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"#,
                #"\p{N}{1,3}"#,
                #" ?[^\s\p{L}\p{N}]+[\r\n/]*"#,
                #"\s*[\r\n]+"#,
                #"\s+(?!\S)"#,
                #"\s+"#,
            ].joined(separator: "|")
        }
    }

    /// The regex translated for PCRE2 (see ``SplitPattern/pcre2(fromTiktoken:)``): the
    /// reference the lexer is proven against. Translated once per process.
    public var pcre2Pattern: String { Self.translated[self]! }

    private static let translated: [Preset: String] = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0, SplitPattern.pcre2(fromTiktoken: $0.tiktokenPattern)) })

    /// Other names for the presets: the encodings that use them.
    static let aliases: [String: Preset] = [
        "r50k": .gpt2, "p50k": .gpt2, "r50k_base": .gpt2, "p50k_base": .gpt2,
        "cl100k_base": .cl100k, "o200k_base": .o200k,
    ]

    /// The preset called `name` (`gpt2`, `cl100k`, `o200k`, or an encoding that uses one:
    /// `r50k`, `p50k`, `r50k_base`, `p50k_base`, `cl100k_base`, `o200k_base`), or `nil`.
    public init?(name: String) {
        guard let p = Preset(rawValue: name) ?? Self.aliases[name] else { return nil }
        self = p
    }

    /// The preset whose tiktoken regex is exactly `pattern`, or `nil`.
    public init?(tiktokenPattern pattern: String) {
        guard let p = Self.allCases.first(where: { $0.tiktokenPattern == pattern }) else { return nil }
        self = p
    }

    /// The preset whose PCRE2 translation is exactly `pattern`, or `nil`.
    public init?(pcre2Pattern pattern: String) {
        guard let p = Self.allCases.first(where: { $0.pcre2Pattern == pattern }) else { return nil }
        self = p
    }

    /// The preset a `--pattern`-style argument names: a preset name or alias, or one of
    /// the presets' tiktoken regexes written out; `nil` for any other regex.
    public init?(nameOrPattern: String) {
        guard let p = Preset(name: nameOrPattern) ?? Preset(tiktokenPattern: nameOrPattern) else { return nil }
        self = p
    }

    /// The pieces of `bytes` as the lexer cuts them: exactly PCRE2's pieces for
    /// ``pcre2Pattern`` (see ``BPERegex/Matcher/forEachPiece(in:_:)``), invalid UTF-8 included.
    ///
    /// ```swift
    /// Preset.o200k.split("亚洲AV")   // ["亚洲", "AV"]
    /// ```
    /// - Complexity: O(n) for n bytes, plus the array of results.
    public func split(_ bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        split(bytes, blockScan: true)
    }

    /// ``split(_:)-(UnsafeBufferPointer<UInt8>)`` with the lexer's block scan (64 bytes of
    /// ASCII at once, see `Lexer+Blocks.swift`) on or off, for the checks that prove the two
    /// scans cut alike.
    package func split(_ bytes: UnsafeBufferPointer<UInt8>, blockScan: Bool) -> [Range<Int>] {
        // The ranges go to raw storage first, then into an array of exactly their count: an
        // array appended to from the lexer's closure checked its uniqueness and capacity on
        // every piece (5 MB of English, o200k: 38 ms against 10.9 ms of lexing).
        var out = GrowableBuffer<Range<Int>>()
        defer { out.deallocate() }
        Lexer(bytes, blockScan: blockScan).forEachPiece(self) { start, end, _ in out.append(start..<end) }
        return Array(UnsafeBufferPointer(start: out.base, count: out.count))
    }

    /// How many pieces ``split(_:)-(UnsafeBufferPointer<UInt8>)`` finds, without building
    /// the array: the lexer alone, as `bpe-bench --split` times it.
    ///
    /// ```swift
    /// Array("亚洲AV".utf8).withUnsafeBufferPointer { Preset.o200k.pieceCount($0) }   // 2
    /// ```
    /// - Complexity: O(n) for n bytes.
    package func pieceCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var count = 0
        Lexer(bytes).forEachPiece(self) { _, _, _ in count &+= 1 }
        return count
    }

    /// ``split(_:)-(UnsafeBufferPointer<UInt8>)`` for an array.
    public func split(_ bytes: [UInt8]) -> [Range<Int>] {
        bytes.withUnsafeBufferPointer { split($0) }
    }

    /// The pieces of `text` as strings (for tests and tools).
    public func split(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        return split(bytes).map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    /// The last place in `bytes` (after `start`) where the text may be cut into parts that
    /// this pattern splits exactly as the whole: see ``SafeCut``, whose rule holds for all
    /// three presets.
    /// - Complexity: O(count − start).
    func lastSafeCut(in bytes: UnsafeBufferPointer<UInt8>, after start: Int = 0) -> Int? {
        SafeCut.last(in: bytes, after: start)
    }
}
