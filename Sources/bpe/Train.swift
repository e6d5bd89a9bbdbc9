import ArgumentParser
import CLISupport
import BPE
import Foundation

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a byte-level BPE vocabulary and write it as a .tiktoken file.",
        discussion: """
            Ranks 0-255 are the single bytes; each merge gets the next rank; special tokens get the \
            ids after the merges. Ties between equally frequent pairs go to the smaller pair of \
            ids (left, then right), as in rustbpe and HF tokenizers. Writes FILE and FILE.json (the \
            pattern and special tokens), each atomically, so `bpe encode --vocab FILE` just works.

            Examples:
              bpe train shakespeare/ --vocab-size 4096 -o shakespeare.tiktoken
              echo 'to be or not to be' | bpe encode --vocab shakespeare.tiktoken
              bpe train corpus.txt --doc-separator '<|endoftext|>' --special '<|endoftext|>' --vocab-size 32768 -o my.tiktoken
              bpe train --from-counts a.counts b.counts --vocab-size 32768 -o my.tiktoken
            """
    )

    @OptionGroup var corpus: CorpusOptions

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The .tiktoken file to write (its sidecar is FILE.json).", valueName: "file"))
    var output: String

    @Option(help: "Vocabulary size: the 256 bytes plus the merges (special tokens come on top).")
    var vocabSize: Int

    @Option(help: ArgumentHelp("A special token, given an id after the merges (repeatable).", valueName: "token"))
    var special: [String] = []

    @Option(help: "Stop when the most frequent pair occurs fewer times than this.")
    var minFrequency: UInt64 = 1

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Train from counts files written by `bpe count-words` instead of a corpus.", valueName: "file"))
    var fromCounts: [String] = []

    @Option(help: "Name recorded in the sidecar (default: the output file name).")
    var name: String?

    @Flag(name: [.short, .long], help: "Print every merge as it is made.")
    var verbose = false

    /// The trainer's options; the library checks them (``validate()`` asks it early).
    var trainerOptions: Trainer.Options {
        corpus.trainerOptions(vocabSize: vocabSize, specialTokens: special, minFrequency: minFrequency)
    }

    func validate() throws {
        if !fromCounts.isEmpty && !corpus.inputs.isEmpty {
            throw ValidationError("give either corpus inputs or --from-counts, not both")
        }
        try validateInLibrary { try trainerOptions.validate() }
    }

    func run() throws {
        Interrupts.cleanUpOnInterrupt(kept: "\(output) was not written (an existing one is unchanged)")
        try reportingErrors(wording: flagWording) {
            let trainer = try Trainer(options: trainerOptions)
            let counts: ChunkCounter
            if fromCounts.isEmpty {
                counts = try corpus.count(with: trainer)
            } else {
                var c = ChunkCounter()
                for f in fromCounts { try c.addCountsFile(f, pattern: trainer.options.tiktokenPattern) }
                counts = c
            }
            let wanted = vocabSize - 256
            let progress = ProgressLine(quiet: corpus.quiet || verbose)
            let start = Date()
            var done = 0
            var tokens: [[UInt8]] = verbose ? (0...255).map { [UInt8($0)] } : []
            let vocab = trainer.train(counts: consume counts) { m in
                done += 1
                if verbose {
                    // Readable: the bytes of each side, as `bpe show` prints them.
                    let (l, r) = (tokens[Int(m.pair.0)], tokens[Int(m.pair.1)])
                    tokens.append(l + r)
                    let line = "merge \(done)/\(wanted): '\(Show.visible(l, escapeBars: false))' + '\(Show.visible(r, escapeBars: false))' -> '\(Show.visible(l + r, escapeBars: false))' (\(m.pair.0) + \(m.pair.1) -> \(m.rank), count \(m.count))\n"
                    writeStandardError(line)
                }
                let t = Date().timeIntervalSince(start)
                let rate = Double(done) / max(t, 1e-3)
                progress.update(String(format: "merging: %d/%d merges, %.0f/s, ETA %@", done, wanted, rate,
                                       duration(Double(wanted - done) / max(rate, 1e-9))))
            }
            progress.finish()
            if vocab.merges.count < wanted {
                let why = minFrequency > 1 ? "no pair occurs \(minFrequency) times any more" : "the corpus has no more pairs to merge"
                note("note: stopped after \(vocab.merges.count) of \(wanted) merges: \(why); writing a vocabulary of \(vocab.count) tokens")
            }
            try vocab.write(to: output, name: name, inputs: fromCounts.isEmpty ? corpus.inputs : fromCounts)
            if !corpus.quiet {
                note("\(vocab.count) tokens (\(vocab.merges.count) merges) + \(special.count) special from \(vocab.distinctChunks) distinct chunks → \(output) (+ .json)")
            }
        }
    }
}
