import Foundation

extension Encoding {
    /// Loads a built-in encoding by tiktoken name (`cl100k_base`, `o200k_base`, `gpt2`, …),
    /// checking the vocabulary file's SHA-256. Loaded encodings are cached per process.
    ///
    /// ```swift
    /// let enc = try Encoding.builtin("o200k_base")
    /// ```
    /// - Throws: ``VocabularyError`` if the name is unknown, the file cannot be found (the
    ///   message lists where it looked) or its hash is wrong.
    /// - Complexity: O(file size) to read and hash the file; the tables come from the image
    ///   ``VocabularyCache`` keeps (built once, a few hundred milliseconds, the first time);
    ///   O(1) after the first load in a process.
    public static func builtin(_ name: String, vocabDirectory: String? = nil) throws(VocabularyError) -> Encoding {
        guard let spec = BuiltinEncoding.named(name) else {
            throw .unknownEncoding(name, known: BuiltinEncoding.names)
        }
        let key = "\(spec.name)\u{0}\(vocabDirectory ?? "")"
        if let cached = cache.withLock({ $0[key] }) { return cached }
        let path = try VocabLocator(explicitDirectory: vocabDirectory).locate(spec.file)
        // o200k_base and o200k_harmony (like p50k_base and p50k_edit) share one file.
        let vocabulary: Vocabulary
        if let v = vocabularies.withLock({ $0[path] }) {
            vocabulary = v
        } else {
            // Mapped, not read: the hash reads the page cache in place, and the bytes are
            // copied only when there is no image to load instead (read(2) into fresh memory
            // cost a page fault per 4 KiB, 3.6 MB for o200k_base, on every start). A file that
            // cannot be mapped (empty, unreadable, a directory) is read: that says why, or
            // hashes it.
            let digest: FileDigest
            let bytes: () -> [UInt8]
            if let mapped = MappedFile(path: path) {
                digest = FileDigest(of: mapped.bytes)
                bytes = { Array(mapped.bytes) }
            } else {
                let read = try readFile(path)
                digest = FileDigest(of: read)
                bytes = { read }
            }
            guard digest.hex == spec.sha256 else {
                throw .hashMismatch(path: path, expected: spec.sha256, actual: digest.hex)
            }
            // The digest names the cached image, so a checked file finds its own tables.
            vocabulary = try VocabularyCache.shared.vocabulary(tiktoken: bytes, digest: digest, source: path)
            vocabularies.withLock { $0[path] = vocabulary }
        }
        let encoding = try Encoding(name: spec.name, vocabulary: vocabulary, preset: spec.preset,
                                    specialTokens: spec.specialTokens, explicitNVocab: spec.explicitNVocab)
        cache.withLock { $0[key] = encoding }
        return encoding
    }

    /// Loads any `.tiktoken` file with the given split pattern and special tokens.
    ///
    /// - Parameters:
    ///   - pattern: a preset name (`gpt2`, `cl100k`, `o200k`) or a regex in tiktoken's
    ///     (Rust) syntax, translated with ``SplitPattern/pcre2(fromTiktoken:)``.
    /// ```swift
    /// let enc = try Encoding.load(tiktokenFile: "my.tiktoken", pattern: "cl100k",
    ///                             specialTokens: ["<|endoftext|>": 4096])
    /// ```
    /// - Throws: ``VocabularyError`` (with the line) or ``BPERegex/PatternError``.
    public static func load(tiktokenFile path: String, pattern: String,
                            specialTokens: [String: Rank] = [:], name: String? = nil) throws -> Encoding {
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return try load(tiktoken: try readFile(path), source: path, pattern: pattern, specialTokens: specialTokens,
                        name: name ?? base)
    }

    private static let cache = Locked<[String: Encoding]>([:])
    private static let vocabularies = Locked<[String: Vocabulary]>([:])
}
