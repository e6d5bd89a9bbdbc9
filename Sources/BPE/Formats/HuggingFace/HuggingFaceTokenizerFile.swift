import BPERegex
import Foundation

/// Reads a Hugging Face `tokenizer.json` that describes a byte-level BPE, into an
/// ``Encoding`` whose ids are `tokenizers` 0.23's for `encode(text, add_special_tokens=False)`.
///
/// Supported, exactly: normalizers none, `NFC`, `NFKC`, `NFD`, `NFKD`, `Sequence`;
/// pre-tokenizers `Split` (regex or string, every behavior, `invert`), `Digits`, `Sequence`,
/// and `ByteLevel` (its GPT-2 regex, `add_prefix_space`) as the last step; the `BPE` model
/// with a byte-to-unicode `vocab`, merges as `"a b"` or `["a", "b"]`, `ignore_merges`;
/// added tokens with `special`, `single_word`, `lstrip`, `rstrip`, `normalized`;
/// post-processors `TemplateProcessing`, `RobertaProcessing`, `BertProcessing`, `ByteLevel`,
/// `Sequence`; the `ByteLevel` decoder. Anything else is refused with an error naming it
/// (`pre_tokenizer.Metaspace is not byte-level BPE`), never loaded with different ids.
///
/// Added-token ids follow `tokenizers`, not the file's `id` fields: a token whose text is a
/// vocabulary entry takes that entry's id; the others take ids from the vocabulary's size
/// upwards, in file order (`tokenizers` only warns when the two disagree).
enum HuggingFaceTokenizerFile {
    /// Whether `root` looks like a `tokenizer.json` (used by format detection).
    static func looksLike(_ root: JSONValue) -> Bool {
        guard root.kind == .object, let model = root["model"], model.kind == .object else { return false }
        return root["added_tokens"] != nil || root["pre_tokenizer"] != nil || root["normalizer"] != nil || model["vocab"] != nil
    }

    /// The encoding `doc` describes.
    /// - Parameters:
    ///   - cachedModel: the model read from a cache image of this very file (see
    ///     ``CachedModel``), whose `model.vocab` and `model.merges` `doc` skipped; the other
    ///     fields of `model` are still checked.
    ///   - storeIn: where to keep the model's image, for the file of this digest, once the
    ///     whole file has loaded.
    static func encoding(from doc: JSONDocument, name: String, cachedModel: Model? = nil,
                         storeIn: (cache: VocabularyCache, digest: FileDigest)? = nil) throws -> Encoding {
        let root = doc.root
        guard root.kind == .object else { throw root.error("a tokenizer.json is a JSON object") }
        if let v = root.optionalField("version") {
            let s = try v.asString()
            guard s == "1.0" else { throw v.error("unknown tokenizer.json version '\(s)'; tokenizers reads version 1.0") }
        }
        if let t = root.optionalField("truncation") {
            throw t.error("truncation is set, which shortens every encoding; set \"truncation\": null")
        }
        if let p = root.optionalField("padding") {
            let strategy = p["strategy"]?.string
            guard strategy == "BatchLongest", p.optionalField("pad_to_multiple_of") == nil else {
                throw p.error("padding that pads a single text is not supported; set \"padding\": null")
            }
        }

        let normalizers = try parseNormalizers(root.optionalField("normalizer"))
        let (steps, byteLevel) = try parsePreTokenizer(root.optionalField("pre_tokenizer"), root: root)
        let model = try root.field("model")
        let parsed: Model
        if let cachedModel {
            _ = try checkModelHeader(model)
            parsed = cachedModel
        } else {
            parsed = try parseModel(model)
        }
        let added = try parseAddedTokens(root.optionalField("added_tokens"), model: parsed, normalizers: normalizers)
        let template = try parsePostProcessor(root.optionalField("post_processor"))
        try checkDecoder(root.optionalField("decoder"), root: root)

        // Decoding: added tokens as the ByteLevel decoder gives them (their normalized text
        // when normalized), vocabulary entries outside the alphabet as their own text.
        var extra: [Rank: [UInt8]] = [:]
        for (key, id) in parsed.rawEntries { extra[id] = Array(key.utf8) }
        for t in added.all { extra[t.id] = ByteLevelAlphabet.decoderBytes(String(decoding: t.decodeText, as: UTF8.self)) }
        for t in added.all where t.normalized {
            if let b = parsed.vocabulary.tokenBytes(t.id), b != extra[t.id] {
                throw FormatError(source: doc.source, path: "added_tokens",
                                  message: "added token \(t.content.debugDescription) is a vocabulary entry whose normalized text decodes differently; not supported")
            }
        }
        let pipeline = HuggingFacePipeline(
            vocabulary: parsed.vocabulary, normalizers: normalizers, steps: steps, byteLevel: byteLevel,
            rawAddedTokens: AddedTokenSet(added.all.filter { !$0.normalized }),
            normalizedAddedTokens: AddedTokenSet(added.all.filter(\.normalized)),
            extraTokenBytes: extra)
        var specials: [String: Rank] = [:]
        for t in added.all where t.special { specials[t.content] = t.id }
        let description = steps.compactMap(\.pattern?.source).first ?? byteLevel?.regex?.source ?? "(?s).+"
        let splitter = Splitter.regex(try Pattern(description))
        let encoding = try Encoding(name: name, vocabulary: parsed.vocabulary, splitter: splitter, patternSource: description,
                                    specialTokens: specials, explicitNVocab: nil, pipeline: pipeline,
                                    specialTokenTemplate: template)
        // Only now, when the whole file has loaded: an image stands for a good file.
        if let storeIn, cachedModel == nil {
            let saved = CachedModel(vocab: try model.field("vocab").byteRange, merges: try model.field("merges").byteRange,
                                    size: parsed.size, rawEntries: parsed.rawEntries)
            storeIn.cache.store(parsed.vocabulary, extra: saved.encoded(), digest: storeIn.digest)
        }
        return encoding
    }

    // MARK: normalizer

    static func parseNormalizers(_ v: JSONValue?) throws(FormatError) -> [UnicodeNormalizer] {
        guard let v else { return [] }
        let type = try v.requiredString("type")
        switch type {
        case "Sequence":
            var out: [UnicodeNormalizer] = []
            try v.field("normalizers").forEachElement { (_, n) throws(FormatError) in out += try parseNormalizers(n) }
            return out
        case "NFC": return [UnicodeNormalizer(form: .nfc)]
        case "NFKC": return [UnicodeNormalizer(form: .nfkc)]
        case "NFD": return [UnicodeNormalizer(form: .nfd)]
        case "NFKD": return [UnicodeNormalizer(form: .nfkd)]
        default:
            throw FormatError(source: v.document.source, path: v.path.description,
                              message: "normalizer \(type) is not supported (supported: NFC, NFKC, NFD, NFKD, Sequence)")
        }
    }

    // MARK: pre_tokenizer

    static func parsePreTokenizer(_ v: JSONValue?, root: JSONValue) throws -> ([SplitStep], HuggingFacePipeline.ByteLevelStep?) {
        guard let v else {
            throw root.error("pre_tokenizer is null: without ByteLevel, the vocabulary is not byte-level BPE")
        }
        var flat: [JSONValue] = []
        func flatten(_ p: JSONValue) throws(FormatError) {
            if try p.requiredString("type") == "Sequence" {
                try p.field("pretokenizers").forEachElement { (_, e) throws(FormatError) in try flatten(e) }
            } else {
                flat.append(p)
            }
        }
        try flatten(v)
        var steps: [SplitStep] = []
        var byteLevel: HuggingFacePipeline.ByteLevelStep?
        for p in flat {
            let type = try p.requiredString("type")
            if byteLevel != nil {
                throw p.error("\(type) after ByteLevel is not supported (it would split the byte-level characters); ByteLevel must be the last pre-tokenizer")
            }
            switch type {
            case "ByteLevel":
                let prefix = try p.requiredBool("add_prefix_space")
                let useRegex = try p.bool("use_regex", default: true)
                let regex = useRegex ? try compile(gpt2Regex, at: p) : nil
                byteLevel = .init(addPrefixSpace: prefix, regex: regex)
            case "Split":
                let pattern = try p.field("pattern")
                let behaviorName = try p.requiredString("behavior")
                guard let behavior = SplitStep.Behavior(rawValue: behaviorName) else {
                    throw try p.field("behavior").error("unknown behavior '\(behaviorName)' (one of \(SplitStep.Behavior.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                let invert = try p.requiredBool("invert")
                let matching: SplitStep.Matching
                if let r = pattern["Regex"] {
                    matching = .regex(try compile(try r.asString(), at: r))
                } else if let s = pattern["String"] {
                    let text = try s.asString()
                    guard !text.isEmpty else { throw s.error("an empty String pattern matches everywhere; not supported") }
                    matching = .literal(Array(text.utf8))
                } else {
                    throw pattern.error("expected {\"Regex\": …} or {\"String\": …}")
                }
                steps.append(SplitStep(matching: matching, behavior: behavior, invert: invert))
            case "Digits":
                let individual = try p.requiredBool("individual_digits")
                let numeric = "[\\p{N}\(OnigurumaPattern.unicodeAdditions["N"] ?? "")]"
                steps.append(SplitStep(matching: .regex(try Pattern(individual ? numeric : numeric + "+")),
                                       behavior: .isolated, invert: false))
            case "Metaspace":
                throw p.error("pre_tokenizer.Metaspace is not byte-level BPE (it is SentencePiece-style)")
            default:
                throw p.error("pre_tokenizer.\(type) is not supported (supported: ByteLevel, Split, Digits, Sequence)")
            }
        }
        guard byteLevel != nil else {
            throw v.error("no ByteLevel pre-tokenizer: the vocabulary is not byte-level BPE (pre_tokenizer.ByteLevel is required)")
        }
        return (steps, byteLevel)
    }

    /// The regex `ByteLevel` splits with when `use_regex`, as `tokenizers` writes it.
    static let gpt2Regex = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    static func compile(_ onig: String, at v: JSONValue) throws(FormatError) -> Pattern {
        let pcre: String
        do { pcre = try OnigurumaPattern.pcre2(from: onig) } catch {
            throw v.error("regex \(onig.debugDescription): \(error)")
        }
        do { return try Pattern(pcre) } catch {
            throw v.error("regex \(onig.debugDescription) does not compile: \(error.message)")
        }
    }

    // MARK: model

    struct Model {
        let vocabulary: Vocabulary
        /// Entries whose text is outside the byte-level alphabet (added tokens' texts).
        let rawEntries: [(String, Rank)]
        /// Number of entries (`tokenizers`' vocab size, where added tokens' ids start).
        let size: Int

        /// The id of vocabulary entry `text`, as `tokenizers`' `token_to_id`.
        func id(of text: String) -> Rank? {
            if let bytes = ByteLevelAlphabet.decode(text) { return vocabulary.rank(of: bytes) }
            // Bytes, not String equality, which takes canonically equivalent texts for one.
            return rawEntries.first { $0.0.utf8.elementsEqual(text.utf8) }?.1
        }
    }

    /// Checks the fields of `model` besides `vocab` and `merges`; returns `ignore_merges`.
    static func checkModelHeader(_ model: JSONValue) throws(FormatError) -> Bool {
        let type = model.optionalField("type")?.string ?? "BPE"
        guard type == "BPE" else { throw model.error("model.type \(type) is not byte-level BPE (only BPE is supported)") }
        if let d = model.optionalField("dropout") {
            let p = try d.asDouble()
            guard p == 0 else { throw d.error("dropout \(p) makes encoding random; only null or 0 is supported") }
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let v = model.optionalField(key), try v.asString() != "" {
                throw v.error("\(key) is not byte-level BPE; only null is supported")
            }
        }
        return try model.bool("ignore_merges", default: false)
    }

    static func parseModel(_ model: JSONValue) throws(FormatError) -> Model {
        let ignoreMerges = try checkModelHeader(model)

        // vocab: text → id. Ids index a table; entries outside the alphabet become holes.
        // Keys are also kept as written (byte-level text), so merges are looked up without
        // decoding them.
        let vocab = try model.field("vocab")
        guard vocab.kind == .object else { throw vocab.error("expected an object of token → id") }
        let doc = vocab.document
        let keys = RawKeyTable(capacity: vocab.count, bytes: Int(vocab.node.byteEnd - vocab.node.start))
        var arenaTokens: [(id: Rank, start: Int32, end: Int32)] = []
        arenaTokens.reserveCapacity(vocab.count)
        // Decoded tokens back to back. A key's bytes, unescaped and decoded, are never more than
        // its bytes in the file, so the size of model.vocab bounds them all: the decoder writes
        // straight into it, with no append per byte.
        let arenaCapacity = max(1, Int(vocab.node.byteEnd - vocab.node.start))
        let arena = UnsafeMutablePointer<UInt8>.allocate(capacity: arenaCapacity)
        defer { arena.deallocate() }
        var arenaCount = 0
        var raw: [(String, Rank)] = []
        var maxID: Int = -1
        func entry(_ keyIndex: Int) -> JSONValue {
            JSONValue(document: doc, index: keyIndex + 1, path: vocab.path.appending(.key(doc.string(at: keyIndex))))
        }
        let merges = try model.field("merges")
        guard merges.kind == .array else { throw merges.error("expected an array of merges") }
        var list: [(Rank, Rank)] = []
        list.reserveCapacity(merges.count)
        // Entry i of `list` is element jsonIndex[i] of the array ("#version" lines are
        // skipped, as tokenizers does).
        var jsonIndex: [Int32] = []
        jsonIndex.reserveCapacity(merges.count)
        func element(_ i: Int, _ index: Int) -> JSONValue {
            JSONValue(document: doc, index: index, path: merges.path.appending(.index(i)))
        }
        // The hot loops read the document through raw pointers: 250,000 strings.
        try doc.bytes.withUnsafeBufferPointer { (bytes) throws(FormatError) in
        try doc.nodes.withUnsafeBufferPointer { (nodes) throws(FormatError) in
            @inline(__always) func withText<R>(_ k: Int, _ body: (UnsafeBufferPointer<UInt8>) throws(FormatError) -> R) throws(FormatError) -> R {
                let n = nodes[k]
                if !n.escaped { return try body(UnsafeBufferPointer(rebasing: bytes[Int(n.start)..<Int(n.byteEnd)])) }
                let u = doc.unescape(Int(n.start), Int(n.byteEnd))
                return try u.withUnsafeBufferPointer { (b) throws(FormatError) in try body(b) }
            }
            var k = vocab.index + 1
            let end = Int(vocab.node.end)
            while k < end {
                let valueIndex = k + 1
                guard nodes[valueIndex].kind == .number, let id = doc.smallInteger(at: valueIndex) else {
                    _ = try entry(k).asUInt32()
                    throw entry(k).error("id is too large")
                }
                let start = arenaCount
                let decoded = try withText(k) { (text) throws(FormatError) -> Int? in
                    guard keys.insert(text, id: id) else {
                        throw vocab.error("\(String(decoding: text, as: UTF8.self).debugDescription) appears twice; each token must appear once")
                    }
                    precondition(start + text.count <= arenaCapacity, "a vocab key is larger than model.vocab")
                    return ByteLevelAlphabet.decode(text, to: arena + start)
                }
                if let n = decoded, n > 0 {
                    arenaCount += n
                    arenaTokens.append((id, Int32(start), Int32(arenaCount)))
                } else {
                    raw.append((doc.string(at: k), id))
                }
                maxID = max(maxID, Int(id))
                k = Int(nodes[valueIndex].end)
            }
            func lookup(_ text: UnsafeBufferPointer<UInt8>, _ i: Int, _ m: Int) throws(FormatError) -> Rank {
                if let id = keys.find(text) { return id }
                throw element(i, m).error("\(String(decoding: text, as: UTF8.self).debugDescription) is not in model.vocab (tokenizers fails on it too)")
            }
            var m = merges.index + 1
            var i = 0
            let mergesEnd = Int(merges.node.end)
            let firstKind = m < mergesEnd ? nodes[m].kind : .string
            while m < mergesEnd {
                let node = nodes[m]
                if node.kind != firstKind && (node.kind == .string || node.kind == .array) {
                    throw element(i, m).error("merges mix \"a b\" strings and [\"a\", \"b\"] pairs; tokenizers reads one form or the other")
                }
                switch node.kind {
                case .string:
                    let pair: (Rank, Rank)? = try withText(m) { (s) throws(FormatError) -> (Rank, Rank)? in
                        if s.first == UInt8(ascii: "#"), s.starts(with: "#version".utf8) { return nil }
                        guard let sp = s.firstIndex(of: 0x20), sp > 0, sp + 1 < s.count, s[(sp + 1)...].firstIndex(of: 0x20) == nil else {
                            throw element(i, m).error("expected two tokens separated by one space, as \"a b\"")
                        }
                        return (try lookup(UnsafeBufferPointer(rebasing: s[..<sp]), i, m),
                                try lookup(UnsafeBufferPointer(rebasing: s[(sp + 1)...]), i, m))
                    }
                    if let pair {
                        list.append(pair)
                        jsonIndex.append(Int32(i))
                    }
                case .array:
                    guard node.count == 2, nodes[m + 1].kind == .string, nodes[m + 2].kind == .string else {
                        throw element(i, m).error("expected a pair [\"a\", \"b\"]")
                    }
                    let a = try withText(m + 1) { (s) throws(FormatError) in try lookup(s, i, m) }
                    let b = try withText(m + 2) { (s) throws(FormatError) in try lookup(s, i, m) }
                    list.append((a, b))
                    jsonIndex.append(Int32(i))
                default:
                    throw element(i, m).error("expected \"a b\" or [\"a\", \"b\"], got \(element(i, m).kindName)")
                }
                m = Int(node.end)
                i += 1
            }
        }
        }
        guard maxID >= 0 else { throw vocab.error("the vocabulary is empty") }
        // Flat storage by id, as the Vocabulary keeps it: token bytes back to back, offsets,
        // an empty entry for an id without a byte-level token.
        var spans = [(Int32, Int32)](repeating: (0, 0), count: maxID + 1)
        var used = [Bool](repeating: false, count: maxID + 1)
        for t in arenaTokens {
            guard !used[Int(t.id)] else { throw vocab.error("id \(t.id) is given to two tokens; each id must appear once") }
            used[Int(t.id)] = true
            spans[Int(t.id)] = (t.start, t.end)
        }
        for (text, id) in raw {
            guard !used[Int(id)] else { throw vocab.error("id \(id) is given to two tokens (one is \(text.debugDescription)); each id must appear once") }
            used[Int(id)] = true
        }
        var offsets = [UInt32](repeating: 0, count: maxID + 2)
        let byID = [UInt8](unsafeUninitializedCapacity: arenaCount) { out, initialized in
            var n = 0
            for (id, (s, e)) in spans.enumerated() {
                let len = Int(e - s)
                if len > 0 { memcpy(out.baseAddress! + n, arena + Int(s), len) }
                n += len
                offsets[id + 1] = UInt32(n)
            }
            initialized = n
        }
        let source = doc.source
        let vocabulary: Vocabulary
        do {
            vocabulary = try Vocabulary(arena: byID, offsets: offsets, lines: nil, source: source, allowHoles: true,
                                        mergeRule: .mergeList(list, ignoreMerges: ignoreMerges))
        } catch {
            switch error {
            case .missingByte(let b, _):
                let symbol = String(Unicode.Scalar(ByteLevelAlphabet.scalarOfByte[Int(b)])!)
                throw vocab.error("no entry for the byte-level symbol \(symbol.debugDescription) (byte 0x\(String(b, radix: 16, uppercase: true))); byte-level BPE needs all 256")
            case .duplicateToken:
                throw vocab.error("two entries stand for the same bytes")
            case .badMerge(let index, let reason, _):
                let at = merges.path.appending(.index(Int(jsonIndex[index])))
                let what = reason.contains("concatenation") ? "the merged token is not in model.vocab (tokenizers fails on it too)"
                    : "a side is a vocabulary entry outside the byte-level alphabet"
                throw FormatError(source: source, path: at.description, message: what)
            default:
                throw vocab.error("\(error)")
            }
        }
        return Model(vocabulary: vocabulary, rawEntries: raw, size: arenaTokens.count + raw.count)
    }

    // MARK: added_tokens

    struct Added {
        var all: [AddedToken]
    }

    static func parseAddedTokens(_ v: JSONValue?, model: Model, normalizers: [UnicodeNormalizer]) throws(FormatError) -> Added {
        guard let v else { return Added(all: []) }
        // content's UTF-8 → index in `all`. Bytes, as tokenizers compares: a Swift String
        // key would take canonically equivalent texts (é and e + U+0301) for one token.
        var byContent: [[UInt8]: Int] = [:]
        var all: [AddedToken] = []
        var nextID = Rank(model.size)
        try v.forEachElement { (_, t) throws(FormatError) in
            var token: AddedToken
            if let read = readAddedToken(t) {
                token = read
            } else {
                // Something is missing or of the wrong type: these name it.
                let content = try t.requiredString("content")
                token = AddedToken(content: content, id: 0, special: try t.requiredBool("special"),
                                   singleWord: try t.requiredBool("single_word"), lstrip: try t.requiredBool("lstrip"),
                                   rstrip: try t.requiredBool("rstrip"), normalized: try t.requiredBool("normalized"),
                                   pattern: Array(content.utf8))
                _ = try t.field("id").asUInt32()
            }
            let content = token.content
            guard !content.isEmpty else { return }   // tokenizers ignores it
            if token.normalized {
                var p = Array(content.utf8)
                for n in normalizers { p = n.normalize(p) }
                token.pattern = p
            }
            if let i = byContent[Array(content.utf8)] {
                // The same text again: tokenizers keeps the id and takes the new flags, but a
                // text once special stays in its set of special tokens.
                token.id = all[i].id
                token.special = token.special || all[i].special
                all[i] = token
                return
            }
            if let id = model.id(of: content) {
                token.id = id
            } else {
                token.id = nextID
                nextID += 1
            }
            byContent[Array(content.utf8)] = all.count
            all.append(token)
        }
        // One id per pattern in each search.
        for normalized in [false, true] {
            var seen: [[UInt8]: String] = [:]
            for t in all where t.normalized == normalized {
                if let other = seen[t.pattern] {
                    throw v.error("added tokens \(other.debugDescription) and \(t.content.debugDescription) are searched for as the same text; not supported")
                }
                seen[t.pattern] = t.content
            }
        }
        return Added(all: all)
    }

    static let addedTokenKeys = ["content", "special", "single_word", "lstrip", "rstrip", "normalized", "id"].map { Array($0.utf8) }

    /// Added token `t` (its id still 0) when every field is there with its type, read in one
    /// pass over its members (DeepSeek V3 has 1,283 of them); `nil` otherwise, and the field
    /// by field readers then say what is wrong.
    static func readAddedToken(_ t: JSONValue) -> AddedToken? {
        let at = t.memberIndices(addedTokenKeys)
        let doc = t.document
        func bool(_ i: Int) -> Bool? {
            guard let k = at[i], doc.nodes[k].kind == .bool else { return nil }
            return doc.nodes[k].escaped
        }
        guard let c = at[0], doc.nodes[c].kind == .string, let special = bool(1), let singleWord = bool(2),
              let lstrip = bool(3), let rstrip = bool(4), let normalized = bool(5),
              let id = at[6], doc.nodes[id].kind == .number, doc.smallInteger(at: id) != nil else { return nil }
        let content = doc.string(at: c)
        return AddedToken(content: content, id: 0, special: special, singleWord: singleWord, lstrip: lstrip,
                          rstrip: rstrip, normalized: normalized, pattern: Array(content.utf8))
    }

    // MARK: post_processor

    static func parsePostProcessor(_ v: JSONValue?) throws(FormatError) -> SpecialTokenTemplate {
        // Even none: add_special_tokens=True then adds nothing, as in tokenizers.
        var template = SpecialTokenTemplate(prefix: [], suffix: [])
        guard let v else { return template }
        func apply(_ p: JSONValue) throws(FormatError) {
            let type = try p.requiredString("type")
            switch type {
            case "ByteLevel":
                break   // offsets only
            case "Sequence":
                try p.field("processors").forEachElement { (_, e) throws(FormatError) in try apply(e) }
            case "TemplateProcessing":
                let specials = try p.field("special_tokens")
                var before: [Rank] = [], after: [Rank] = []
                var seenA = false
                try p.field("single").forEachElement { (_, piece) throws(FormatError) in
                    if let s = piece["SpecialToken"] {
                        let name = try s.requiredString("id")
                        guard let entry = specials[name] else { throw s.error("special token \(name.debugDescription) is not in special_tokens") }
                        var ids: [Rank] = []
                        try entry.field("ids").forEachElement { (_, id) throws(FormatError) in ids.append(try id.asUInt32()) }
                        if seenA { after += ids } else { before += ids }
                    } else if let s = piece["Sequence"] {
                        guard try s.requiredString("id") == "A", !seenA else {
                            throw s.error("the single template must hold sequence A once")
                        }
                        seenA = true
                    } else {
                        throw piece.error("expected {\"SpecialToken\": …} or {\"Sequence\": …}")
                    }
                }
                guard seenA else { throw p.error("the single template has no sequence A") }
                template = SpecialTokenTemplate(prefix: before + template.prefix, suffix: template.suffix + after)
            case "RobertaProcessing", "BertProcessing":
                func idOf(_ key: String) throws(FormatError) -> Rank {
                    let pair = try p.field(key).elements()
                    guard pair.count == 2 else { throw try p.field(key).error("expected [token, id]") }
                    return try pair[1].asUInt32()
                }
                template = SpecialTokenTemplate(prefix: [try idOf("cls")] + template.prefix,
                                                suffix: template.suffix + [try idOf("sep")])
            default:
                throw p.error("post_processor \(type) is not supported (supported: TemplateProcessing, RobertaProcessing, BertProcessing, ByteLevel, Sequence)")
            }
        }
        try apply(v)
        return template
    }

    // MARK: decoder

    static func checkDecoder(_ v: JSONValue?, root: JSONValue) throws(FormatError) {
        guard let v else {
            throw root.error("decoder is null: tokenizers would decode to byte-level characters joined by spaces; set \"decoder\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": true, \"use_regex\": true}")
        }
        let type = try v.requiredString("type")
        switch type {
        case "ByteLevel": return
        case "Sequence":
            try v.field("decoders").forEachElement { (_, d) throws(FormatError) in try checkDecoder(d, root: root) }
        default:
            throw v.error("decoder \(type) is not supported (only ByteLevel gives back the exact bytes)")
        }
    }
}

extension AddedToken {
    /// What `tokenizers` decodes this token from: its normalized text when it is normalized.
    var decodeText: [UInt8] { normalized ? pattern : Array(content.utf8) }
}

/// Vocabulary keys as written in the file (byte-level text) → id: merges name tokens by that
/// text, so they are looked up without decoding. Open addressing; a slot holds the key's
/// first 8 bytes and its length, so most lookups (keys of ≤ 8 bytes) touch one cache line.
final class RawKeyTable {
    private struct Slot {
        var word: UInt64
        var length: UInt32   // UInt32.max: empty
        var id: Rank
        /// Where a key longer than 8 bytes sits in `arena`.
        var offset: Int
    }
    private let slots: UnsafeMutablePointer<Slot>
    private let mask: Int
    private let arena: UnsafeMutablePointer<UInt8>
    private let arenaCapacity: Int
    private var arenaCount = 0

    /// - Parameters: capacity: the number of keys; bytes: at least their total length.
    init(capacity: Int, bytes: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = .allocate(capacity: size)
        slots.initialize(repeating: Slot(word: 0, length: .max, id: 0, offset: 0), count: size)
        mask = size - 1
        arenaCapacity = max(bytes, 1)
        arena = .allocate(capacity: arenaCapacity)
    }

    deinit {
        slots.deallocate()
        arena.deallocate()
    }

    @inline(__always)
    private static func word(_ text: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var w: UInt64 = 0
        for k in 0..<min(8, text.count) { w |= UInt64(text[k]) << (8 * UInt64(k)) }
        return w
    }

    @inline(__always)
    private func matches(_ s: Slot, _ text: UnsafeBufferPointer<UInt8>, _ w: UInt64) -> Bool {
        guard s.length == UInt32(text.count), s.word == w else { return false }
        return text.count <= 8 || memcmp(arena + s.offset, text.baseAddress!, text.count) == 0
    }

    @inline(__always)
    private func slot(_ text: UnsafeBufferPointer<UInt8>) -> Int {
        guard let p = text.baseAddress else { return 0 }
        return Int(truncatingIfNeeded: hashBytes(p, text.count)) & mask
    }

    /// Adds `text` → `id`; false if `text` is already there.
    func insert(_ text: UnsafeBufferPointer<UInt8>, id: Rank) -> Bool {
        let w = Self.word(text)
        var i = slot(text)
        while slots[i].length != .max {
            if matches(slots[i], text, w) { return false }
            i = (i + 1) & mask
        }
        var offset = 0
        if text.count > 8 {
            precondition(arenaCount + text.count <= arenaCapacity, "RawKeyTable: byte capacity too small")
            offset = arenaCount
            (arena + offset).initialize(from: text.baseAddress!, count: text.count)
            arenaCount += text.count
        }
        slots[i] = Slot(word: w, length: UInt32(text.count), id: id, offset: offset)
        return true
    }

    func find(_ text: UnsafeBufferPointer<UInt8>) -> Rank? {
        let w = Self.word(text)
        var i = slot(text)
        while slots[i].length != .max {
            if matches(slots[i], text, w) { return slots[i].id }
            i = (i + 1) & mask
        }
        return nil
    }
}

extension JSONDocument {
    /// A number node that is a plain non-negative integer below 2^31, read without a String.
    func smallInteger(at k: Int) -> Rank? {
        let n = nodes[k]
        var v: UInt64 = 0
        for j in Int(n.start)..<Int(n.byteEnd) {
            let c = bytes[j]
            guard c >= 0x30 && c <= 0x39 else { return nil }
            v = v * 10 + UInt64(c - 0x30)
            if v >= UInt64(Int32.max) { return nil }
        }
        return Rank(v)
    }
}
