import Foundation
import SafeFiles

/// Where built vocabularies are kept between runs, so that loading o200k_base maps one file
/// instead of parsing 200,000 lines and building every table (see ``Vocabulary/image(sourceSHA256:extra:storingBacktracking:)``).
///
/// An image is named by the SHA-256 of the file it was built from (a `.tiktoken` file, a
/// `tokenizer.json` or a Tekken file: see ``HuggingFaceTokenizerFile/CachedModel`` and
/// ``TekkenFile/CachedVocab``), which is computed from the file's bytes on every load (the
/// integrity check of the built-ins needs it anyway). So an image is used only for exactly
/// the file it was made from; a changed file has another name.
/// Each reader also checks that the image is of its own kind (a `.tiktoken` reader takes only
/// tiktoken-rule images without extra bytes), so the bytes of one format are never served
/// the tables of another. An image that fails any check — magic, version, layout fingerprint,
/// source digest, sizes, checksum — is ignored and rebuilt, never used.
///
/// The folder: `BPE_CACHE_DIR` if set (empty turns caching off), else `$XDG_CACHE_HOME/swift-bpe`,
/// else `~/.cache/swift-bpe`. Images are written to a temporary file and renamed into place,
/// so readers never see half an image; a folder that cannot be written only costs speed (the
/// vocabulary is built as without a cache).
///
/// ```swift
/// let v = try VocabularyCache.shared.vocabulary(tiktoken: data, source: path)
/// ```
struct VocabularyCache: Sendable {
    /// The environment variable naming the folder (empty: no cache).
    static let environmentVariable = "BPE_CACHE_DIR"
    static let shared = VocabularyCache(directory: defaultDirectory)

    /// The folder, or `nil` when caching is off.
    let directory: String?
    /// JSON files smaller than this are neither hashed nor cached: they load in about a
    /// millisecond anyway, and a fuzzer or a test suite that loads thousands of small
    /// `tokenizer.json` files must not leave an image for each in the user's cache folder.
    var minimumJSONFileSize = 64 << 10

    static var defaultDirectory: String? {
        let env = ProcessInfo.processInfo.environment
        if let dir = env[environmentVariable] { return dir.isEmpty ? nil : dir }
        if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty { return "\(xdg)/swift-bpe" }
        if let home = env["HOME"], !home.isEmpty { return "\(home)/.cache/swift-bpe" }
        return nil
    }


    /// Whether images are read and written at all.
    var isEnabled: Bool { directory != nil }

    /// The path of the image for a file with this digest.
    func path(for sha256Hex: String) -> String? {
        directory.map { "\($0)/\(sha256Hex).v\(Vocabulary.formatVersion).bpecache" }
    }

    /// The vocabulary of the `.tiktoken` bytes `data` (of digest `digest`), from its image when a
    /// good one is cached, else parsed and built, and its image written for next time.
    /// - Throws: ``VocabularyError`` from parsing, as ``Vocabulary/init(tiktoken:source:)``.
    func vocabulary(tiktoken data: [UInt8], digest: FileDigest, source: String?) throws(VocabularyError) -> Vocabulary {
        try vocabulary(tiktoken: { data }, digest: digest, source: source)
    }

    /// ``vocabulary(tiktoken:digest:source:)`` with the bytes fetched only when there is no
    /// good image (a caller that mapped the file copies it only then).
    func vocabulary(tiktoken data: () -> [UInt8], digest: FileDigest, source: String?) throws(VocabularyError) -> Vocabulary {
        if let (v, extra) = cached(digest), extra.isEmpty, case .tiktoken = v.mergeRule {
            return v
        }
        let v = try Vocabulary(tiktoken: data(), source: source)
        store(v, extra: [], digest: digest)
        return v
    }

    /// The vocabulary of the image for `digest`'s file and the extra bytes it was stored with,
    /// or `nil` when there is no image or it fails a check (see ``Vocabulary/init(image:sourceSHA256:)``).
    /// The caller checks that the image is of its kind (merge rule, extra bytes).
    func cached(_ digest: FileDigest) -> (Vocabulary, extra: [UInt8])? {
        guard let path = path(for: digest.hex), let file = MappedFile(path: path),
              let v = Vocabulary(image: file, sourceSHA256: digest.bytes),
              let extra = Vocabulary.imageExtra(file) else { return nil }
        return (v, extra)
    }

    /// Stores the image of `vocabulary`, built from `digest`'s file, with `extra`; replaces any
    /// image there was. Does nothing when caching is off. See
    /// ``Vocabulary/image(sourceSHA256:extra:storingBacktracking:)``.
    func store(_ vocabulary: Vocabulary, extra: [UInt8], digest: FileDigest, storingBacktracking: Bool = true) {
        guard let path = path(for: digest.hex) else { return }
        if store(vocabulary.image(sourceSHA256: digest.bytes, extra: extra, storingBacktracking: storingBacktracking), at: path) {
            removeOlderFormats(of: digest.hex)
        }
    }

    /// Deletes the images of `sha256Hex`'s file in the formats before this one: no build reads
    /// them again, and each is tens of megabytes (o200k_base's was 37.7 MB in version 2).
    /// Only this file's names are touched, so an older build sharing the folder rebuilds its
    /// own image, as it would after any other miss.
    private func removeOlderFormats(of sha256Hex: String) {
        guard let directory else { return }
        for version in 1..<Vocabulary.formatVersion { unlink("\(directory)/\(sha256Hex).v\(version).bpecache") }
    }

    /// Writes an image: temporary file, then rename; returns whether it is in place. Failure
    /// is silent by design: the cache is only an optimization, and the caller already has its
    /// vocabulary.
    private func store(_ image: [UInt8], at path: String) -> Bool {
        guard let directory else { return false }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temp = AtomicFile.temporaryName(for: path)
        TemporaryFiles.shared.track(temp)
        defer { TemporaryFiles.shared.untrack(temp) }
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        var ok = true
        image.withUnsafeBytes { raw in
            do throws(SystemError) { try FileDescriptor.writeAll(fd, raw) } catch { ok = false }
        }
        if close(fd) != 0 { ok = false }
        if !ok || rename(temp, path) != 0 {
            unlink(temp)
            return false
        }
        return true
    }
}
