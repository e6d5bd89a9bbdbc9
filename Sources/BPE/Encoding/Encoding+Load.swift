import Foundation

extension Encoding {
    /// Loads any vocabulary file, whatever its format, told from its content (see
    /// ``VocabularyFormat``):
    /// - a `.tiktoken` file, with the pattern and special tokens of its sidecar `FILE.json`
    ///   (written by `bpe train`) or given here;
    /// - a Hugging Face `tokenizer.json` (byte-level BPE; ids as `tokenizers` 0.23 gives them);
    /// - a Mistral Tekken JSON file (ids as `mistral_common` 1.13 gives them).
    ///
    /// ```swift
    /// let deepseek = try Encoding.load(contentsOf: "deepseek_tokenizer.json")
    /// let nemo = try Encoding.load(contentsOf: "tekken_240911.json")
    /// let mine = try Encoding.load(contentsOf: "my.tiktoken")            // sidecar my.tiktoken.json
    /// let raw = try Encoding.load(contentsOf: "x.tiktoken", pattern: "cl100k")
    /// ```
    /// - Parameters:
    ///   - pattern: for a `.tiktoken` file, a preset name or a regex in tiktoken's syntax,
    ///     instead of the sidecar's; an error for the JSON formats, which carry their own.
    ///   - specialTokens: for a `.tiktoken` file, instead of the sidecar's.
    /// - Throws: ``FormatError`` naming the file and the JSON path of what is wrong or
    ///   unsupported, ``VocabularyError`` for `.tiktoken` files (with the line).
    /// The tables of a `.tiktoken` file, of a `tokenizer.json`'s model and of a Tekken file's
    /// vocabulary are kept in the cache folder of ``VocabularyCache`` after the first load, so
    /// later loads of the same bytes map them.
    /// - Complexity: O(file size); DeepSeek V3's 4.4 MB `tokenizer.json` loads in tens of
    ///   milliseconds from the cache, about a hundred the first time.
    public static func load(contentsOf path: String, pattern: String? = nil,
                            specialTokens: [String: Rank]? = nil) throws -> Encoding {
        try load(contentsOf: path, pattern: pattern, specialTokens: specialTokens, cache: .shared)
    }

    /// ``load(contentsOf:pattern:specialTokens:)`` with the images kept in `cache`.
    static func load(contentsOf path: String, pattern: String?, specialTokens: [String: Rank]?,
                     cache: VocabularyCache) throws -> Encoding {
        let bytes = try readFile(path)
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        guard VocabularyFormat.startsLikeJSON(bytes) else {
            // One hash of the bytes checks the sidecar and names the cached tables.
            let digest = FileDigest(of: bytes)
            let sidecar = try Sidecar.sidecar(for: path, digest: digest)
            guard let pattern = pattern ?? sidecar?.pattern else { throw VocabularyError.missingPattern(path: path) }
            return try load(tiktoken: bytes, digest: digest, source: path, pattern: pattern,
                            specialTokens: specialTokens ?? sidecar?.specialTokens ?? [:], name: sidecar?.name ?? base)
        }
        // A file seen before: its tables from the cache, named by the bytes' digest.
        let digest = cache.isEnabled && bytes.count >= cache.minimumJSONFileSize ? FileDigest(of: bytes) : nil
        if let digest, pattern == nil, specialTokens == nil, let hit = cache.cached(digest),
           let encoding = HuggingFaceTokenizerFile.cachedEncoding(bytes, hit: hit, source: path, name: base)
            ?? TekkenFile.cachedEncoding(bytes, hit: hit, source: path, name: base) {
            return encoding
        }
        let doc = try JSONDocument(bytes, source: path)
        guard let format = VocabularyFormat.format(of: doc.root) else {
            if doc.root["format"]?.string == "swift-bpe-sidecar" {
                throw FormatError(source: path, path: "", message: "this is the sidecar of a .tiktoken file; pass the .tiktoken file beside it")
            }
            throw FormatError(source: path, path: "", message: "a JSON file that is neither a Hugging Face tokenizer.json (no \"model\" object) nor a Mistral Tekken file (no \"config\" and \"vocab\")")
        }
        if pattern != nil || specialTokens != nil {
            throw FormatError(source: path, path: "", message: "a \(format.rawValue) file carries its own split rules and special tokens; a pattern or special tokens cannot be given for it")
        }
        switch format {
        case .huggingFace:
            return try HuggingFaceTokenizerFile.encoding(from: doc, name: base, storeIn: digest.map { (cache, $0) })
        case .tekken: return try TekkenFile.encoding(from: doc, name: base, storeIn: digest.map { (cache, $0) })
        case .tiktoken: preconditionFailure("JSON is never a .tiktoken file")
        }
    }

    /// The format this encoding was read from (built-in encodings are `.tiktoken`).
    public var format: VocabularyFormat {
        if pipeline is HuggingFacePipeline || (pipeline as? AddingSpecialTokensPipeline)?.inner.pipeline is HuggingFacePipeline {
            return .huggingFace
        }
        return specialTokenTemplate != nil || pipeline is AddingSpecialTokensPipeline ? .tekken : .tiktoken
    }
}
