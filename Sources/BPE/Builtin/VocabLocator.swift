import BPEVocab
import Foundation

/// Finds the folder holding the official `.tiktoken` files.
///
/// Tried in order, first hit wins:
/// 1. an explicit directory (the `vocabDirectory:` argument; `bpe`'s `--vocab-dir`);
/// 2. the `BPE_VOCAB_DIR` environment variable;
/// 3. next to the running executable: SwiftPM's resource bundle
///    (`swift-bpe_BPEVocab.resources/`, or `.bundle` on macOS), then `vocab/`, then
///    `../share/swift-bpe/vocab/` (an install prefix);
/// 4. the `vocab/` folder of the checkout this binary was built from.
///
/// It never traps: when nothing is found, the error lists every place it looked.
public struct VocabLocator: Sendable {
    /// The environment variable that points at a vocabulary folder.
    public static let environmentVariable = "BPE_VOCAB_DIR"

    /// How the "not found" error names a folder that was given explicitly: by the library's
    /// parameter, `(from vocabDirectory:)`. A command line swaps in its flag.
    public static let explicitDirectoryParameter = VocabularyError.Parameter.vocabularyDirectory.rawValue

    public var explicitDirectory: String?

    public init(explicitDirectory: String? = nil) {
        self.explicitDirectory = explicitDirectory
    }

    /// The candidate folders, in search order.
    public var candidates: [String] {
        var dirs: [String] = []
        if let explicitDirectory { return [explicitDirectory] }
        if let env = ProcessInfo.processInfo.environment[Self.environmentVariable], !env.isEmpty {
            return [env]
        }
        if let exe = Self.executableDirectory {
            dirs.append("\(exe)/\(BPEVocabSource.bundleName)")
            dirs.append("\(exe)/swift-bpe_BPEVocab.bundle/Contents/Resources")
            dirs.append("\(exe)/swift-bpe_BPEVocab.bundle")
            dirs.append("\(exe)/vocab")
            dirs.append("\(exe)/../share/swift-bpe/vocab")
        }
        dirs.append(BPEVocabSource.directory)
        return dirs
    }

    /// The path of `file` in the first candidate folder that has it.
    /// - Throws: ``VocabularyError/notFound(file:searched:)`` listing the folders tried.
    public func locate(_ file: String) throws(VocabularyError) -> String {
        let dirs = candidates
        for dir in dirs {
            let path = (dir as NSString).appendingPathComponent(file)
            if FileManager.default.isReadableFile(atPath: path) { return path }
        }
        let how = explicitDirectory != nil ? ["\(dirs[0]) (from \(Self.explicitDirectoryParameter))"]
            : dirs.map { $0 == ProcessInfo.processInfo.environment[Self.environmentVariable] ? "\($0) (from \(Self.environmentVariable))" : $0 }
        throw .notFound(file: file, searched: how)
    }

    /// The real directory of the running executable (symlinks resolved).
    static var executableDirectory: String? {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return (path as NSString).deletingLastPathComponent
        }
        #endif
        guard let path = Bundle.main.executablePath else { return nil }
        return ((path as NSString).resolvingSymlinksInPath as NSString).deletingLastPathComponent
    }
}
