import ArgumentParser
import BPE
import CLISupport

@main
struct BPECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bpe",
        abstract: "Encode, decode, count and inspect byte-level BPE tokens, exactly as tiktoken does.",
        discussion: """
            Examples:
              echo 'hello world' | bpe encode                 # o200k_base ids
              echo 'hello world' | bpe encode --encoding cl100k_base | bpe decode --encoding cl100k_base
              bpe count --encoding cl100k_base *.md
              bpe encodings
            """,
        version: "0.1.0",
        // Each command names itself (commandName:); without it ArgumentParser derives the
        // name with String(describing:) on every start, a million instructions a command.
        subcommands: [Encode.self, Decode.self, Count.self, Show.self, Encodings.self, Train.self, CountWords.self, MergeCounts.self, Export.self, Convert.self]
    )

    /// ArgumentParser's `main`, after making a closed pipe a write error (see ``Output``).
    static func main() {
        ignoreBrokenPipeSignal()
        main(nil)
    }
}
