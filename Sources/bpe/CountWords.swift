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

            Format: a header line '#swift-bpe-word-counts 1', a '#pattern' line holding the split \
            pattern as a JSON string, then one 'COUNT<TAB>BASE64(CHUNK)' line per distinct chunk, \
            sorted by chunk bytes. Files made with the same pattern add up.
            """
    )

    @OptionGroup var corpus: CorpusOptions

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The counts file to write.", valueName: "file"))
    var output: String

    func validate() throws {
        try validateInLibrary { try corpus.trainerOptions(vocabSize: 256).validate() }
    }

    func run() throws {
        try reportingErrors(wording: flagWording) {
            let trainer = try Trainer(options: corpus.trainerOptions(vocabSize: 256))
            let counts = try corpus.count(with: trainer)
            try AtomicFile.write(counts.countsFileData(pattern: trainer.options.tiktokenPattern), to: output)
            if !corpus.quiet { note("\(counts.count) distinct chunks, \(counts.total) in all → \(output)") }
        }
    }
}
