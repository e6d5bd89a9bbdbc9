import ArgumentParser
import CLISupport
import BPE
import SafeFiles

struct MergeCounts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge-counts",
        abstract: "Add up counts files written by `bpe count-words` into one.",
        discussion: """
            The reduce step of counting on many machines: the merged file is byte for byte what \
            `bpe count-words` writes for all the inputs at once, whatever the order of the files, \
            so merges can run as a tree on any node. Memory grows with the distinct chunks, not \
            with the corpus. Every file must have been counted with the same split pattern; a \
            file that is given twice is refused. The output is written atomically.

            Examples:
              bpe merge-counts part-*.counts -o all.counts
              bpe merge-counts a.counts b.counts -o ab.counts && bpe merge-counts ab.counts c.counts -o all.counts
              bpe train --from-counts all.counts --vocab-size 32768 -o my.tiktoken
            """
    )

    @Argument(help: ArgumentHelp("Counts files written by `bpe count-words` or `bpe merge-counts`.", valueName: "counts"))
    var inputs: [String] = []

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The merged counts file to write.", valueName: "file"))
    var output: String

    @Flag(name: [.short, .long], help: "No summary.")
    var quiet = false

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("give the counts files to merge") }
    }

    func run() throws {
        Interrupts.cleanUpOnInterrupt(kept: "\(output) was not written (an existing one is unchanged)")
        try reportingErrors {
            let merged: (counts: ChunkCounter, pattern: String)
            do { merged = try ChunkCounter.mergingCountsFiles(inputs) } catch { throw CLIError("\(error)") }
            do {
                try AtomicFile.write(merged.counts.countsFileData(pattern: merged.pattern), to: output)
            } catch {
                throw CLIError("\(error)")
            }
            if !quiet {
                note("\(inputs.count) file\(inputs.count == 1 ? "" : "s"): \(merged.counts.count) distinct chunks, \(merged.counts.total) in all → \(output)")
            }
        }
    }
}
