import ArgumentParser
import CLISupport
import BPE
import Foundation

struct Count: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Count tokens, one line per file and a total, as wc does.",
        discussion: """
            Counts as `encode` would (same special-token options), without building the id list.

            Examples:
              bpe count --encoding cl100k_base README.md docs/*.md
              cat prompt.txt | bpe count
            """
    )

    @OptionGroup var options: EncodingOptions

    @Option(help: ArgumentHelp("Special tokens counted as special: all, none, or TOK,TOK.", valueName: "set"))
    var allowedSpecial: SpecialOption = SpecialOption(argument: "none")!

    @Option(help: ArgumentHelp("Special tokens whose text is an error: all, none, or TOK,TOK.", valueName: "set"))
    var disallowedSpecial: SpecialOption = SpecialOption(argument: "all")!

    @Flag(help: "Count input that is not valid UTF-8 byte by byte instead of failing.")
    var allowInvalidUTF8 = false

    @Flag(help: "Add the special tokens the format puts around each text: a tokenizer.json's post_processor (e.g. Llama 3's <|begin_of_text|>), a Tekken file's <s>.")
    var addSpecialTokens = false

    @Argument(help: "Input files (default: standard input).")
    var files: [String] = []

    func run() throws {
        try reportingErrors {
            let enc = try options.load(addingSpecialTokens: addSpecialTokens)
            try allowedSpecial.check(in: enc, flag: "--allowed-special")
            try disallowedSpecial.check(in: enc, flag: "--disallowed-special")
            let names: [String?] = files.isEmpty ? [nil] : files
            var rows: [(Int, String?)] = []
            for name in names {
                // Streamed: bounded memory for any file size.
                var n = 0
                do {
                    try enc.encodeStream(read: try openInput(name), blockSize: streamBlockSize, allowedSpecial: allowedSpecial.set,
                                         disallowedSpecial: disallowedSpecial.set,
                                         validateUTF8: !allowInvalidUTF8) { n += $0.count }
                } catch let e as CLIError {
                    throw e
                } catch let e as EncodeError {
                    if case .invalidUTF8 = e { throw describe(e, input: name ?? "<stdin>") }
                    throw CLIError("\(name ?? "<stdin>"): \(e)")
                }
                rows.append((n, name))
            }
            if rows.count > 1 { rows.append((rows.reduce(0) { $0 + $1.0 }, "total")) }
            let width = rows.map { String($0.0).count }.max() ?? 1
            var out = Output()
            for (n, name) in rows {
                let num = String(repeating: " ", count: width - String(n).count) + String(n)
                out.write(name.map { "\(num) \($0)\n" } ?? "\(n)\n")
            }
            out.flush()
        }
    }
}
