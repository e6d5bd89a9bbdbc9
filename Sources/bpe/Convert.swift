import ArgumentParser
import BPE
import CLISupport
import Foundation
import SafeFiles

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Write a vocabulary in another format: tokenizer.json or .tiktoken.",
        discussion: """
            IN is any file --vocab reads (.tiktoken with its sidecar, tokenizer.json, Tekken \
            JSON) or, with --encoding, a built-in encoding. --to tokenizer.json writes a Hugging \
            Face file that tokenizers loads and encodes with the same ids. --to tiktoken writes \
            OUT and its sidecar OUT.json, where the vocabulary can be expressed so (one split \
            pattern, merges in rank order, special tokens only); otherwise it says why not. \
            Files are written atomically.

            Examples:
              bpe convert my.tiktoken --to tokenizer.json -o tokenizer.json
              bpe convert --encoding cl100k_base --to tokenizer.json -o cl100k.json
              bpe convert tekken_240911.json --to tiktoken -o nemo.tiktoken
            """
    )

    enum Target: String, ExpressibleByArgument, CaseIterable {
        case tokenizerJSON = "tokenizer.json"
        case tiktoken
    }

    @Argument(help: ArgumentHelp("The vocabulary file to convert (omit with --encoding).", valueName: "in"))
    var input: String?

    @Option(name: [.short, .long], help: "Built-in encoding to convert instead of a file.")
    var encoding: String?

    @Option(help: ArgumentHelp("The format to write: tokenizer.json or tiktoken.", valueName: "format"))
    var to: Target

    @Option(name: [.short, .long], help: ArgumentHelp("The file to write.", valueName: "out"))
    var output: String

    @Option(help: ArgumentHelp("Split pattern for a .tiktoken IN without a sidecar.", valueName: "regex"))
    var pattern: String?

    func validate() throws {
        if (input == nil) == (encoding == nil) { throw ValidationError("give a file IN or --encoding NAME, not both nor neither") }
    }

    func run() throws {
        try reportingErrors {
            let enc: Encoding
            do {
                enc = try input.map { try Encoding.load(contentsOf: $0, pattern: pattern) } ?? Encoding.builtin(encoding!)
            } catch {
                throw CLIError("\(error)")
            }
            do {
                switch to {
                case .tokenizerJSON:
                    try AtomicFile.write(try enc.tokenizerJSON(), to: output)
                case .tiktoken:
                    let (data, sidecar) = try enc.tiktokenExport()
                    // The sidecar first, as bpe train does: a .tiktoken file never appears
                    // without its sidecar.
                    try AtomicFile.write(try sidecar.jsonData(), to: Sidecar.path(for: output))
                    try AtomicFile.write(data, to: output)
                }
            } catch let e as ExportError {
                throw CLIError("cannot write \(enc.name) as \(to.rawValue): \(e)")
            } catch {
                throw CLIError("\(error)")
            }
        }
    }
}
