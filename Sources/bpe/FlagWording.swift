import ArgumentParser
import Foundation
import BPE
import CLISupport
import TokenFeed

/// The library's errors in the words of `bpe`'s flags.
///
/// The library names its parameters (`vocabSize must be …`, `use lossy`), because a Swift
/// caller never typed a flag; here, where errors are printed (``reportingErrors(wording:_:)``)
/// and where `validate()` asks the library to check its options, the command line says
/// `--vocab-size must be …` and `use --lossy` instead. Errors this does not know keep their
/// own description.
func flagWording(_ error: any Error) -> String? {
    switch error {
    case let e as TrainingError: return e.message(naming: trainingFlag)
    case let e as Corpus.Error: return e.message(naming: trainingFlag)
    case ShardError.corpus(let e): return e.message(naming: trainingFlag)
    case ShardError.corpusPart(let e): return partWording(e)
    case let e as CorpusPart.Error: return partWording(e)
    case let e as ShardError: return e.message(naming: exportFlag)
    case VocabularyError.notFound(let file, let searched):
        let fromFlag = "(from \(VocabLocator.explicitDirectoryParameter))"
        return VocabularyError.notFound(file: file, searched: searched.map {
            $0.replacingOccurrences(of: fromFlag, with: "(from --vocab-dir)")
        }).message(naming: vocabularyFlag)
    case let e as VocabularyError: return e.message(naming: vocabularyFlag)
    default: return nil
    }
}

/// Runs one of the library's own checks of an option inside `validate()`: its error becomes
/// a usage error in flag words (exit status 64, with the usage), the rule stays in the library.
func validateInLibrary(_ check: () throws -> Void) throws {
    do { try check() } catch { throw ValidationError(flagWording(error) ?? "\(error)") }
}

private func vocabularyFlag(_ p: VocabularyError.Parameter) -> String {
    switch p {
    case .vocabularyDirectory: return "--vocab-dir"
    case .file: return "--vocab FILE"
    case .pattern: return "--pattern"
    }
}

private func trainingFlag(_ p: Trainer.Parameter) -> String {
    let flags: [Trainer.Parameter: String] = [
        .vocabSize: "--vocab-size", .threads: "--threads", .minFrequency: "--min-frequency",
        .specialTokens: "--special", .pattern: "--pattern", .lossy: "--lossy", .separator: "--doc-separator",
    ]
    return flags[p] ?? p.rawValue
}

private func exportFlag(_ p: Exporter.Parameter) -> String {
    let flags: [Exporter.Parameter: String] = [
        .shardTokens: "--shard-tokens", .threads: "--threads", .name: "--name", .docSeparator: "--doc-separator",
        .valFraction: "--val-fraction", .valDocs: "--val-docs", .part: "--part", .parts: "the part folders after --combine",
        .endOfText: "train with --special '<|endoftext|>', or for a plain .tiktoken file pass --special '<|endoftext|>=ID'",
    ]
    return flags[p] ?? p.rawValue
}

/// "part '3/x': expected K/N ..." as "--part '3/x': expected K/N ...".
private func partWording(_ e: CorpusPart.Error) -> String {
    let d = e.description
    return d.hasPrefix("part ") ? "--part " + d.dropFirst(5) : d
}
