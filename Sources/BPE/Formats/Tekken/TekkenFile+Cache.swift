/// A Tekken file through ``VocabularyCache``, as a `tokenizer.json` (see
/// ``HuggingFaceTokenizerFile/cachedEncoding(_:hit:source:name:)``): the first load keeps the
/// image of the vocabulary, a later load of the same bytes maps it and parses the JSON around
/// `vocab` (19 MB of the 19.3 MB of `tekken_240911.json`). `config` and `special_tokens`, which
/// decide the ids, are parsed and checked again every time.
extension TekkenFile {
    /// What an image of a Tekken file holds besides the vocabulary: the tag, ``revision``
    /// (UInt32), then as UInt64s the byte range of `vocab` and its number of entries.
    struct CachedVocab: Equatable {
        static let tag = Array("TEKKEN01".utf8)
        /// Bump when reading `vocab` changes what it builds.
        static let revision: UInt32 = 1

        var vocab: Range<Int>
        var entries: Int

        func encoded() -> [UInt8] {
            var w = ImageExtra.Writer(tag: Self.tag)
            w.put32(Self.revision)
            for v in [vocab.lowerBound, vocab.upperBound, entries] { w.put64(v) }
            return w.bytes
        }

        init(vocab: Range<Int>, entries: Int) {
            self.vocab = vocab
            self.entries = entries
        }

        /// The description in `extra`, or `nil` if it is not one of this revision.
        init?(_ extra: [UInt8]) {
            guard var r = ImageExtra.Reader(extra, tag: Self.tag), r.get32() == Self.revision,
                  let s = r.get64(), let e = r.get64(), let n = r.get64(), r.atEnd else { return nil }
            guard s < e, e < UInt64(Int32.max), n < UInt64(Int32.max) else { return nil }
            self.init(vocab: Int(s)..<Int(e), entries: Int(n))
        }
    }

    /// The encoding of the Tekken bytes `bytes` from `hit`, the image the cache holds for their
    /// digest, or `nil` when it is not a good image of this file's vocabulary (the caller then
    /// loads the file in full). Every error on this path falls back to that load, which
    /// reports it with its real position.
    static func cachedEncoding(_ bytes: [UInt8], hit: (Vocabulary, extra: [UInt8]), source: String, name: String) -> Encoding? {
        guard let saved = CachedVocab(hit.extra), case .tiktoken = hit.0.mergeRule,
              saved.vocab.upperBound <= bytes.count else { return nil }
        do {
            let doc = try JSONDocument(bytes, source: source, skipping: [saved.vocab])
            guard looksLike(doc.root), let vocab = doc.root["vocab"], vocab.node.skipped,
                  vocab.byteRange == saved.vocab else { return nil }
            return try encoding(from: doc, name: name, cached: (hit.0, saved.entries))
        } catch {
            return nil
        }
    }
}
