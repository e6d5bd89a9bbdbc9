/// The vocabulary file formats ``Encoding/load(contentsOf:pattern:specialTokens:)`` reads,
/// told apart by their content, never by their name.
///
/// ```swift
/// VocabularyFormat(detecting: Array(#"{"model": {"type": "BPE"…"#.utf8))   // .huggingFace
/// ```
public enum VocabularyFormat: String, Sendable, CaseIterable {
    /// tiktoken's `base64-token rank` lines, with a swift-bpe sidecar (`FILE.json`) or an
    /// explicit pattern.
    case tiktoken
    /// A Hugging Face `tokenizer.json` (byte-level BPE).
    case huggingFace = "tokenizer.json"
    /// A Mistral Tekken JSON file.
    case tekken

    /// The format of `bytes`: a JSON object with `model` is a `tokenizer.json`, one with
    /// `config` and `vocab` a Tekken file; anything that is not JSON is taken for a
    /// `.tiktoken` file (its parser reports what is wrong, by line). `nil` for other JSON.
    /// - Complexity: O(n) (a JSON file is parsed).
    public init?(detecting bytes: [UInt8]) {
        guard Self.startsLikeJSON(bytes) else {
            self = .tiktoken
            return
        }
        guard let doc = try? JSONDocument(bytes) else { return nil }
        guard let format = Self.format(of: doc.root) else { return nil }
        self = format
    }

    /// Whether the first byte that is not white space (after a byte order mark) is `{`.
    static func startsLikeJSON(_ bytes: [UInt8]) -> Bool {
        var i = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        return i < bytes.count && bytes[i] == UInt8(ascii: "{")
    }

    static func format(of root: JSONValue) -> VocabularyFormat? {
        if HuggingFaceTokenizerFile.looksLike(root) { return .huggingFace }
        if TekkenFile.looksLike(root) { return .tekken }
        return nil
    }
}
