import ArgumentParser
import CLISupport
import BPE
import SafeFiles

struct CountWords: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count-words",
        abstract: "Count the pre-tokenized chunks of a corpus into a file that `bpe train --from-counts` reads.",
        discussion: """
            Counting is the part of training that reads the whole corpus. Run it on shards, on \
            as many machines as you like, then train from the small counts files:

            Examples:
              bpe count-words shard1/ -o shard1.counts
              bpe count-words shard2/ -o shard2.counts
              bpe train --from-counts shard1.counts shard2.counts --vocab-size 32768 -o my.tiktoken
              ls corpus/*.txt | xargs -P 8 -I{} bpe count-words {} -o {}.counts

            On a cluster, give every task the same inputs and its --part: task K of N counts the \
            documents that start in bytes K*T/N ..< (K+1)*T/N of the corpus (T bytes in all, \
            files in the order bpe reads them), so big files are shared too and every document \
            is counted by exactly one task. `bpe merge-counts` of the N files is byte for byte \
            the whole corpus's counts file. A part in which no document starts writes an empty \
            counts file. In a Slurm job array (sbatch --array=0-(N-1)), --part slurm reads K and \
            N from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (scripts/slurm/count_words.sbatch).
              bpe count-words corpus/ --doc-separator '\\n\\n' --part 3/8 -o part-3.counts

            Format: a header line '#swift-bpe-word-counts 1', a '#pattern' line holding the split \
            pattern as a JSON string, then one 'COUNT<TAB>BASE64(CHUNK)' line per distinct chunk, \
            sorted by chunk bytes. Files made with the same pattern add up.
            """
    )

    @OptionGroup var corpus: CorpusOptions

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The counts file to write.", valueName: "file"))
    var output: String

    @Option(help: ArgumentHelp("Count only part K of N of the corpus (K counts from 0), or 'slurm' to take K and N from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT.", valueName: "K/N|slurm"))
    var part: String?

    func validate() throws {
        try validateInLibrary { try corpus.trainerOptions(vocabSize: 256).validate() }
    }

    func run() throws {
        try reportingErrors(wording: flagWording) {
            let part = try self.part.map { try CorpusPart.parse($0) }
            let trainer = try Trainer(options: corpus.trainerOptions(vocabSize: 256))
            let counts = try corpus.count(with: trainer, part: part)
            try AtomicFile.write(counts.countsFileData(pattern: trainer.options.tiktokenPattern), to: output)
            if !corpus.quiet {
                note("\(part.map { "part \($0): " } ?? "")\(counts.count) distinct chunks, \(counts.total) in all → \(output)")
            }
        }
    }
}
