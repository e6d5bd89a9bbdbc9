/// The encodings tiktoken 0.14.0 ships in `tiktoken_ext/openai_public.py`: same files,
/// patterns, special tokens and ids.
public struct BuiltinEncoding: Sendable {
    /// Name as tiktoken spells it.
    public let name: String
    /// The vocabulary file in `vocab/`.
    public let file: String
    /// The official file's SHA-256, checked on every load.
    public let sha256: String
    /// The split pattern.
    public let preset: Preset
    /// The split pattern as tiktoken writes it (Rust regex syntax).
    public var tiktokenPattern: String { preset.tiktokenPattern }
    /// Name of the pattern preset (`gpt2`, `cl100k`, `o200k`).
    public var patternName: String { preset.name }
    /// Special token text → id.
    public let specialTokens: [String: Rank]
    /// tiktoken's `explicit_n_vocab`, where it sets one.
    public let explicitNVocab: Int?

    static let endOfText = "<|endoftext|>"
    static let fim = ["<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>"]
    static let endOfPrompt = "<|endofprompt|>"

    static let r50kHash = "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930"
    static let p50kHash = "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069"
    static let cl100kHash = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
    static let o200kHash = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"

    /// All built-in encodings, in tiktoken's order.
    public static let all: [BuiltinEncoding] = {
        let o200kSpecial: [String: Rank] = [endOfText: 199_999, endOfPrompt: 200_018]
        var harmony = o200kSpecial
        let named: [(String, Rank)] = [
            ("<|startoftext|>", 199_998), ("<|endoftext|>", 199_999),
            ("<|reserved_200000|>", 200_000), ("<|reserved_200001|>", 200_001),
            ("<|return|>", 200_002), ("<|constrain|>", 200_003), ("<|reserved_200004|>", 200_004),
            ("<|channel|>", 200_005), ("<|start|>", 200_006), ("<|end|>", 200_007),
            ("<|message|>", 200_008), ("<|reserved_200009|>", 200_009),
            ("<|reserved_200010|>", 200_010), ("<|reserved_200011|>", 200_011), ("<|call|>", 200_012),
        ]
        for (t, id) in named { harmony[t] = id }
        for id in Rank(200_013)..<Rank(201_088) { harmony["<|reserved_\(id)|>"] = id }
        return [
            BuiltinEncoding(name: "r50k_base", file: "r50k_base.tiktoken", sha256: r50kHash,
                            preset: .gpt2,
                            specialTokens: [endOfText: 50256], explicitNVocab: 50257),
            BuiltinEncoding(name: "p50k_base", file: "p50k_base.tiktoken", sha256: p50kHash,
                            preset: .gpt2,
                            specialTokens: [endOfText: 50256], explicitNVocab: 50281),
            BuiltinEncoding(name: "p50k_edit", file: "p50k_base.tiktoken", sha256: p50kHash,
                            preset: .gpt2,
                            specialTokens: [endOfText: 50256, fim[0]: 50281, fim[1]: 50282, fim[2]: 50283],
                            explicitNVocab: nil),
            BuiltinEncoding(name: "cl100k_base", file: "cl100k_base.tiktoken", sha256: cl100kHash,
                            preset: .cl100k,
                            specialTokens: [endOfText: 100_257, fim[0]: 100_258, fim[1]: 100_259,
                                            fim[2]: 100_260, endOfPrompt: 100_276],
                            explicitNVocab: nil),
            BuiltinEncoding(name: "o200k_base", file: "o200k_base.tiktoken", sha256: o200kHash,
                            preset: .o200k,
                            specialTokens: o200kSpecial, explicitNVocab: nil),
            BuiltinEncoding(name: "o200k_harmony", file: "o200k_base.tiktoken", sha256: o200kHash,
                            preset: .o200k,
                            specialTokens: harmony, explicitNVocab: nil),
        ]
    }()

    /// Other names tiktoken accepts for the same encoding.
    public static let aliases = ["gpt2": "r50k_base"]

    /// The built-in encoding called `name` (or an alias of it), or `nil`.
    public static func named(_ name: String) -> BuiltinEncoding? {
        let key = aliases[name] ?? name
        return all.first { $0.name == key }
    }

    /// All names `named(_:)` accepts.
    public static var names: [String] { all.map(\.name) + aliases.keys.sorted() }
}
