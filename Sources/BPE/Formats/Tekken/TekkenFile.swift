import Foundation

/// Reads a Mistral Tekken JSON file (`tekken_240911.json` and friends) into an ``Encoding``
/// whose ids are `mistral_common` 1.13's `Tekkenizer.from_file(F).encode(text, bos=False,
/// eos=False)`.
///
/// A Tekken file is a tiktoken encoding in JSON: `config.pattern` (Rust regex syntax, as
/// tiktoken's), `vocab` (base64 bytes with ranks 0, 1, 2…), and special tokens that take the
/// low ids, so a token's id is its rank + `default_num_special_tokens`. As `mistral_common`:
/// - only the first `default_vocab_size − default_num_special_tokens` ranks are used;
/// - the special tokens are the file's `special_tokens` list (each `rank` its position),
///   or, for files of version v7 and older without one, Mistral's 20 historical ones;
///   `<SPECIAL_i>` fills the rest of the block;
/// - `encode` never matches special-token text (mistral_common encodes it as text): that is
///   ``Encoding/encodeOrdinary(_:)``; `encode(_:allowedSpecial:)` can match them.
/// ``Encoding/addingSpecialTokens()`` prepends `<s>`, as `bos=True`.
enum TekkenFile {
    /// `mistral_common`'s `TokenizerVersion` names.
    static let versions = ["v1", "v2", "v3", "v7", "v11", "v13", "v15"]

    /// Before v7 files carried no special-token list; these are the ones mistral_common uses.
    static let deprecatedSpecialTokens = [
        "<unk>", "<s>", "</s>", "[INST]", "[/INST]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]",
        "[TOOL_RESULTS]", "[/TOOL_RESULTS]", "[TOOL_CALLS]", "[IMG]", "<pad>", "[IMG_BREAK]",
        "[IMG_END]", "[PREFIX]", "[MIDDLE]", "[SUFFIX]", "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]",
        "[TOOL_CONTENT]",
    ]

    static func looksLike(_ root: JSONValue) -> Bool {
        guard root.kind == .object, let config = root["config"], config.kind == .object,
              let vocab = root["vocab"], vocab.kind == .array else { return false }
        return config["pattern"] != nil
    }

    /// The encoding `doc` describes.
    /// - Parameters:
    ///   - cached: the vocabulary read from a cache image of this very file and the number of
    ///     entries of its `vocab` (see ``CachedVocab``), which `doc` skipped.
    ///   - storeIn: where to keep the vocabulary's image, for the file of this digest, once
    ///     the whole file has loaded.
    static func encoding(from doc: JSONDocument, name: String, cached: (vocabulary: Vocabulary, entries: Int)? = nil,
                         storeIn: (cache: VocabularyCache, digest: FileDigest)? = nil) throws -> Encoding {
        let root = doc.root
        let config = try root.field("config")
        let versionValue = try config.field("version")
        let version = try versionValue.asString()
        guard let versionNumber = versions.firstIndex(of: version).map({ Int(versions[$0].dropFirst())! }) else {
            throw versionValue.error("unknown Tekken version '\(version)'; mistral_common 1.13 knows \(versions.joined(separator: ", "))")
        }
        let pattern = try config.requiredString("pattern")
        let vocabSize = Int(try config.field("default_vocab_size").asUInt32())
        let numSpecial = Int(try config.field("default_num_special_tokens").asUInt32())

        // Special tokens: rank = position, unique, at most numSpecial.
        var specialNames: [String] = []
        if let list = root.optionalField("special_tokens") {
            try list.forEachElement { (i, t) throws(FormatError) in
                let rankValue = try t.field("rank")
                guard try rankValue.asUInt32() == UInt32(i) else {
                    throw rankValue.error("special token \(i) has rank \(try rankValue.asUInt32()); ranks must be 0, 1, 2… in order")
                }
                specialNames.append(try t.requiredString("token_str"))
            }
        } else {
            guard versionNumber <= 7 else {
                throw root.error("no special_tokens: mistral_common requires them in files of version \(version) (after v7)")
            }
            specialNames = deprecatedSpecialTokens
        }
        guard Set(specialNames).count == specialNames.count else {
            throw try root.field("special_tokens").error("special tokens must be unique")
        }
        guard specialNames.count <= numSpecial else {
            throw try config.field("default_num_special_tokens").error("\(specialNames.count) special tokens listed, more than default_num_special_tokens (\(numSpecial))")
        }
        for i in specialNames.count..<numSpecial { specialNames.append("<SPECIAL_\(i)>") }
        guard Set(specialNames).count == specialNames.count else {
            throw root.error("a listed special token has the name of a filler <SPECIAL_i> token")
        }

        let vocab = try root.field("vocab")
        let entries = cached?.entries ?? vocab.count
        let inner = vocabSize - numSpecial
        guard inner >= 0, vocabSize <= entries + numSpecial else {
            throw try config.field("default_vocab_size").error("default_vocab_size \(vocabSize) must be between default_num_special_tokens (\(numSpecial)) and that plus the \(entries) vocab entries")
        }
        let vocabulary = try cached?.vocabulary ?? readVocab(vocab, inner: inner, numSpecial: numSpecial)
        var specials: [String: Rank] = [:]
        for (i, s) in specialNames.enumerated() { specials[s] = Rank(i) }
        let bos = specials["<s>"]
        let pcre = SplitPattern.pcre2(fromTiktoken: pattern)
        let splitter: Splitter
        do { splitter = try Splitter(pcre2Pattern: pcre) } catch {
            throw try config.field("pattern").error("\(error)")
        }
        let encoding = try Encoding(name: name, vocabulary: vocabulary, splitter: splitter, patternSource: pcre,
                                    specialTokens: specials, explicitNVocab: nil,
                                    specialTokenTemplate: bos.map { SpecialTokenTemplate(prefix: [$0], suffix: []) })
        // Only now, when the whole file has loaded: an image stands for a good file.
        if let storeIn, cached == nil {
            let saved = CachedVocab(vocab: vocab.byteRange, entries: vocab.count)
            // Without the backtracking tables: building them would double this first load,
            // and a mapped vocabulary builds them on first need, as this one does.
            storeIn.cache.store(vocabulary, extra: saved.encoded(), digest: storeIn.digest, storingBacktracking: false)
        }
        return encoding
    }

    /// The first `inner` entries of `vocab` as a vocabulary whose ids start at `numSpecial`.
    static func readVocab(_ vocab: JSONValue, inner: Int, numSpecial: Int) throws -> Vocabulary {
        // Ranks: the i-th entry has rank i; the first 256 are the single bytes.
        var tokens: [[UInt8]?] = Array(repeating: nil, count: numSpecial)
        tokens.reserveCapacity(numSpecial + inner)
        var bytes: [UInt8] = []
        try vocab.forEachElement { (i, e) throws(FormatError) in
            guard i < inner else { return }
            let rankValue = try e.field("rank")
            let rank = try rankValue.asUInt32()
            guard rank == UInt32(i) else {
                throw rankValue.error("entry \(i) has rank \(rank); ranks must be 0, 1, 2… in order")
            }
            bytes.removeAll(keepingCapacity: true)
            let ok = try e.field("token_bytes").withStringBytes { Base64.decode($0, into: &bytes) }
            guard ok else { throw try e.field("token_bytes").error("not valid base64") }
            if i < 256 && bytes != [UInt8(i)] {
                throw e.error("rank \(i) must be the single byte 0x\(String(i, radix: 16)) (mistral_common checks this)")
            }
            tokens.append(bytes)
        }
        do {
            return try Vocabulary(tokensByID: tokens, mergeRule: .tiktoken, source: vocab.document.source)
        } catch {
            if case .duplicateToken = error { throw vocab.error("two entries have the same bytes; each token must appear once") }
            throw vocab.error("\(error)")
        }
    }
}
