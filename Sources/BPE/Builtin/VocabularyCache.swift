import Foundation
import SafeFiles

/// Where built vocabularies are kept between runs, so that loading o200k_base maps one file
/// instead of parsing 200,000 lines and building every table (see ``Vocabulary/image(sourceSHA256:)``).
///
/// An image is named by the SHA-256 of the `.tiktoken` file it was built from, which is
/// computed from the file's bytes on every load (the integrity check of the built-ins needs
/// it anyway). So an image is used only for exactly the file it was made from; a changed
/// file has another name. An image that fails any check — magic, version, layout fingerprint,
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

    static var defaultDirectory: String? {
        let env = ProcessInfo.processInfo.environment
        if let dir = env[environmentVariable] { return dir.isEmpty ? nil : dir }
        if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty { return "\(xdg)/swift-bpe" }
        if let home = env["HOME"], !home.isEmpty { return "\(home)/.cache/swift-bpe" }
        return nil
    }


    /// The path of the image for a file with this digest.
    func path(for sha256Hex: String) -> String? {
        directory.map { "\($0)/\(sha256Hex).v\(Vocabulary.formatVersion).bpecache" }
    }

    /// The vocabulary of the `.tiktoken` bytes `data` (of digest `digest`), from its image when a
    /// good one is cached, else parsed and built, and its image written for next time.
    /// - Throws: ``VocabularyError`` from parsing, as ``Vocabulary/init(tiktoken:source:)``.
    func vocabulary(tiktoken data: [UInt8], digest: FileDigest, source: String?) throws(VocabularyError) -> Vocabulary {
        if let path = path(for: digest.hex), let file = MappedFile(path: path),
           let v = Vocabulary(image: file, sourceSHA256: digest.bytes) {
            return v
        }
        let v = try Vocabulary(tiktoken: data, source: source)
        if let path = path(for: digest.hex) { store(v.image(sourceSHA256: digest.bytes), at: path) }
        return v
    }

    /// Writes an image: temporary file, then rename. Failure is silent by design: the cache is
    /// only an optimization, and the caller already has its vocabulary.
    private func store(_ image: [UInt8], at path: String) {
        guard let directory else { return }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temp = AtomicFile.temporaryName(for: path)
        TemporaryFiles.shared.track(temp)
        defer { TemporaryFiles.shared.untrack(temp) }
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        var ok = true
        image.withUnsafeBytes { raw in
            do throws(SystemError) { try FileDescriptor.writeAll(fd, raw) } catch { ok = false }
        }
        if close(fd) != 0 { ok = false }
        if !ok || rename(temp, path) != 0 { unlink(temp) }
    }
}
