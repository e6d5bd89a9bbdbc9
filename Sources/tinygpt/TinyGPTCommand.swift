import ArgumentParser
import CLISupport
import Foundation

@main
struct TinyGPTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tinygpt",
        abstract: "Train a small GPT-2-style model on the CPU from bpe export shards, and sample from it.",
        discussion: """
            Examples:
              bpe export --vocab shk.tiktoken shakespeare.txt --doc-separator '\\n\\n' --out data/
              tinygpt train --data data/ --out shk.ckpt --steps 600
              tinygpt train --data data/ --out shk.ckpt --steps 1200 --resume
              tinygpt sample --checkpoint shk.ckpt --prompt 'ROMEO:' --tokens 200
            """,
        version: "0.1.0",
        subcommands: [Train.self, Sample.self]
    )

    /// Like ArgumentParser's `main()`, except that a flag it cannot parse is reported the way
    /// every other error is: one `error:` line on stderr (naming the help to read) and exit
    /// status 1. `--help` and `--version` print as usual. A closed pipe on standard output
    /// is a write error, not a `SIGPIPE` death (see ``Output``).
    static func main() {
        ignoreBrokenPipeSignal()
        let command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            let message = self.message(for: error).replacingOccurrences(of: "\n", with: " ")
            let sub = CommandLine.arguments.dropFirst().first { ["train", "sample"].contains($0) }
            printError("error: \(message) (see `tinygpt \(sub.map { $0 + " " } ?? "")--help`)")
            exit(withError: ExitCode.failure)
        }
        do {
            var command = command
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
