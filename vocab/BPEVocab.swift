// This folder is the `BPEVocab` target: the official OpenAI vocabulary files, shipped as a
// SwiftPM resource bundle. The BPE module finds the bundle itself (see `VocabLocator`)
// instead of calling `Bundle.module`, which traps when the bundle is missing.

/// Where the vocabulary files sat when this package was compiled: the fallback that makes
/// `swift run` and a built binary in `.build/` work from any directory.
public enum BPEVocabSource {
    /// The absolute path of this source folder at build time.
    public static let directory: String = {
        let file = #filePath
        guard let slash = file.lastIndex(of: "/") else { return "." }
        return String(file[..<slash])
    }()
    /// The name SwiftPM gives the resource bundle of this target.
    public static let bundleName = "swift-bpe_BPEVocab.resources"
}
