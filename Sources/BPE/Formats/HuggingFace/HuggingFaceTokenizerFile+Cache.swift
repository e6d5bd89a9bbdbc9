/// A `tokenizer.json` through ``VocabularyCache``: the first load of a file parses it in full
/// and keeps the image of its model (the ``Vocabulary`` with its merge list); a later load of
/// the same bytes maps that image and parses the JSON *around* `model.vocab` and
/// `model.merges`, which are most of the file and most of the work (DeepSeek V3: 4.4 MB,
/// 128k entries, 127k merges).
///
/// Why it is safe to skip them: the image is named by, and records, the SHA-256 of the file
/// it was made from, and is written only after that file loaded without error. So on a hit
/// the bytes are the ones that were checked; the recorded byte ranges of the two values are
/// checked again to be a container each, and everything else (normalizer, pre-tokenizer,
/// added tokens, post-processor, decoder, the rest of `model`) is parsed and checked as on
/// the first load. Any mismatch, or any error on this path, falls back to the full load.
///
/// ```swift
/// // Encoding.load(contentsOf:) does this for every tokenizer.json:
/// if let hit = cache.cached(digest), let enc = HuggingFaceTokenizerFile.cachedEncoding(bytes, hit: hit, source: p, name: n) { … }
/// ```
extension HuggingFaceTokenizerFile {
    /// What an image of a `tokenizer.json` holds besides the vocabulary (its `extra` bytes,
    /// see ``Vocabulary/image(sourceSHA256:extra:storingBacktracking:)``).
    ///
    /// Layout, little-endian: tag (8 bytes), ``revision`` (UInt32), then UInt64s: the byte
    /// ranges of `model.vocab` and `model.merges` (start, end each), the model's size, the
    /// number of raw entries; then each raw entry as id (UInt32), length (UInt32), UTF-8 text.
    struct CachedModel: Equatable {
        static let tag = Array("HFTOKJSN".utf8)
        /// Bump when reading `model.vocab` or `model.merges` changes what it builds (another id
        /// for an entry, another merge order): images of older revisions are then rebuilt. The
        /// table layouts are covered by ``Vocabulary/layoutFingerprint`` already.
        static let revision: UInt32 = 1

        var vocab: Range<Int>
        var merges: Range<Int>
        var size: Int
        var rawEntries: [(String, Rank)]

        init(vocab: Range<Int>, merges: Range<Int>, size: Int, rawEntries: [(String, Rank)]) {
            self.vocab = vocab
            self.merges = merges
            self.size = size
            self.rawEntries = rawEntries
        }

        static func == (a: CachedModel, b: CachedModel) -> Bool {
            a.vocab == b.vocab && a.merges == b.merges && a.size == b.size
                && a.rawEntries.elementsEqual(b.rawEntries) { $0.0 == $1.0 && $0.1 == $1.1 }
        }

        func encoded() -> [UInt8] {
            var w = ImageExtra.Writer(tag: Self.tag)
            w.put32(Self.revision)
            for v in [vocab.lowerBound, vocab.upperBound, merges.lowerBound, merges.upperBound, size, rawEntries.count] { w.put64(v) }
            for (text, id) in rawEntries {
                w.put32(id)
                w.put32(UInt32(text.utf8.count))
                w.append(text.utf8)
            }
            return w.bytes
        }

        /// The model description in `extra`, or `nil` if it is not one of this revision, or
        /// does not add up.
        init?(_ extra: [UInt8]) {
            guard var r = ImageExtra.Reader(extra, tag: Self.tag) else { return nil }
            func get64() -> Int? {
                guard let v = r.get64(), v < UInt64(Int32.max) else { return nil }
                return Int(v)
            }
            guard r.get32() == Self.revision,
                  let vs = get64(), let ve = get64(), let ms = get64(), let me = get64(),
                  let size = get64(), let rawCount = get64(), vs < ve, ms < me, ve <= ms || me <= vs else { return nil }
            var raw: [(String, Rank)] = []
            for _ in 0..<rawCount {
                guard let id = r.get32(), let n = r.get32(), let text = r.take(Int(n)) else { return nil }
                let s = String(decoding: text, as: UTF8.self)
                guard s.utf8.elementsEqual(text) else { return nil }   // valid UTF-8
                raw.append((s, id))
            }
            guard r.atEnd else { return nil }
            self.init(vocab: vs..<ve, merges: ms..<me, size: size, rawEntries: raw)
        }
    }

    /// The encoding of the `tokenizer.json` bytes `bytes` from `hit`, the image the cache holds
    /// for their digest, or `nil` when it is not a good image of this file's model (the caller
    /// then loads the file in full, and that load stores the image).
    /// - Complexity: a scan of what lies outside `model.vocab` and `model.merges`; the image is
    ///   mapped, not copied.
    static func cachedEncoding(_ bytes: [UInt8], hit: (Vocabulary, extra: [UInt8]), source: String, name: String) -> Encoding? {
        let (vocabulary, extra) = hit
        guard let saved = CachedModel(extra),
              case .mergeList(_, let ignoreMerges) = vocabulary.mergeRule,
              saved.vocab.upperBound <= bytes.count, saved.merges.upperBound <= bytes.count else { return nil }
        // Any error here is one the full load reports as well (the bytes are the same), with
        // its real position: so every failure falls back to it.
        do {
            let doc = try JSONDocument(bytes, source: source, skipping: [saved.vocab, saved.merges].sorted { $0.lowerBound < $1.lowerBound })
            let root = doc.root
            guard looksLike(root), let model = root["model"], let vocab = model["vocab"], let merges = model["merges"],
                  vocab.node.skipped, merges.node.skipped, vocab.byteRange == saved.vocab, merges.byteRange == saved.merges,
                  try checkModelHeader(model) == ignoreMerges else { return nil }
            let parsed = Model(vocabulary: vocabulary, rawEntries: saved.rawEntries, size: saved.size)
            return try encoding(from: doc, name: name, cachedModel: parsed)
        } catch {
            return nil
        }
    }
}

extension JSONValue {
    /// The bytes of this value in the document (a string's without its quotes).
    var byteRange: Range<Int> { Int(node.start)..<Int(node.byteEnd) }
}
