import ArgumentParser
import BPE

/// Options shared by `train` and `count-words`: what to read and how to split it.
struct CorpusOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Files, directories (read recursively), globs, or - for standard input.", valueName: "corpus"))
    var inputs: [String] = []

    @Option(help: ArgumentHelp("Split pattern: gpt2, cl100k, o200k, or a regex in tiktoken's syntax.", valueName: "pattern"))
    var pattern: String = "cl100k"

    @Option(help: ArgumentHelp("Split files into documents at this string (\\n, \\t escapes), e.g. '\\n\\n' or '<|endoftext|>'. Default: one document per file.", valueName: "sep"))
    var docSeparator: String?

    @Option(help: "Counting threads (default: the CPUs this process may use).")
    var threads: Int?

    @Flag(help: "Replace invalid UTF-8 with U+FFFD instead of stopping with an error.")
    var lossy = false

    @Flag(name: [.short, .long], help: "No progress display.")
    var quiet = false

    func validate() throws {
        try validateInLibrary { try Corpus.validate(separator: docSeparator.map(unescape)) }
    }

    /// The trainer's options from these flags and the command's own.
    func trainerOptions(vocabSize: Int, specialTokens: [String] = [], minFrequency: UInt64 = 1) -> Trainer.Options {
        .init(vocabSize: vocabSize, pattern: pattern, specialTokens: specialTokens, minFrequency: minFrequency,
              threads: threads, lossy: lossy)
    }

    /// Counts the corpus, or part `part` of it, with a progress display.
    ///
    /// A part in which no document starts (more parts than documents) counts nothing: its
    /// counts file is empty and merges as such. A corpus with no bytes at all is refused as
    /// it is without parts.
    func count(with trainer: Trainer, part: CorpusPart? = nil) throws -> ChunkCounter {
        let progress = ProgressLine(quiet: quiet)
        var corpus = try Corpus(inputs: inputs.isEmpty ? ["-"] : inputs, separator: docSeparator.map(unescape))
        if let part {
            let layout = try CorpusLayout(corpus)
            guard layout.totalBytes > 0 else { throw Corpus.Error.noInput }
            corpus = try layout.corpus(for: part)
            if corpus.files.isEmpty { return ChunkCounter() }
        }
        let counts = try trainer.countChunks(in: corpus) { bytes in
            let mb = Double(bytes) / 1e6
            progress.update(String(format: "counting: %.1f MB read, %.1f MB/s", mb, mb / max(progress.elapsed, 1e-3)))
        }
        progress.finish()
        return counts
    }
}
