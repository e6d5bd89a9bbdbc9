/// Why training could not run.
///
/// Messages name the Swift API's parameters (`vocabSize must be …`), since a Swift caller
/// never typed a flag. A front end with its own spelling passes it to ``message(naming:)``:
/// `bpe` says `--vocab-size must be …`.
public enum TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// ``Trainer/Options/vocabSize`` is below 256 (the single bytes) or above ``Trainer/maxVocabSize``.
    case vocabSizeOutOfRange(Int)
    /// ``Trainer/Options/threads`` is below 1.
    case noThreads(Int)
    /// ``Trainer/Options/minFrequency`` is 0.
    case zeroMinFrequency
    /// ``Trainer/Options/specialTokens`` holds this token twice.
    case duplicateSpecialToken(String)
    /// ``Trainer/Options/specialTokens`` holds an empty token.
    case emptySpecialToken
    /// A word-counts file is unreadable or malformed (`line` 0: not read at all).
    case badCountsFile(path: String, line: Int, reason: String)
    /// A word-counts file was counted with another split pattern than the one to train with.
    case patternMismatch(path: String, expected: String, found: String)

    /// The message, with each parameter spelled by `name`.
    ///
    /// ```swift
    /// TrainingError.noThreads(0).message(naming: \.rawValue)   // "threads must be at least 1, got 0"
    /// ```
    public func message(naming name: (Trainer.Parameter) -> String) -> String {
        switch self {
        case .vocabSizeOutOfRange(let n):
            return "\(name(.vocabSize)) must be between 256 (the single bytes) and \(Trainer.maxVocabSize), got \(n)"
        case .noThreads(let n): return "\(name(.threads)) must be at least 1, got \(n)"
        case .zeroMinFrequency: return "\(name(.minFrequency)) must be at least 1"
        case .duplicateSpecialToken(let t): return "'\(t)' is given twice in \(name(.specialTokens))"
        case .emptySpecialToken: return "a token in \(name(.specialTokens)) is empty"
        case .badCountsFile(let p, let l, let r): return "\(p), line \(l): \(r)"
        case .patternMismatch(let p, let e, let f):
            return "\(p) was counted with pattern \(f.debugDescription), not \(e.debugDescription); recount it, or use the same \(name(.pattern))"
        }
    }

    public var description: String { message(naming: \.rawValue) }
}

extension Trainer {
    /// The parameters an error message may name: ``Options``' properties, by their Swift
    /// names. A front end maps them to its own spelling (`--vocab-size`).
    public enum Parameter: String, Sendable, CaseIterable {
        case vocabSize, threads, minFrequency, specialTokens, pattern, lossy
        /// ``Corpus``'s document separator.
        case separator
    }
}
