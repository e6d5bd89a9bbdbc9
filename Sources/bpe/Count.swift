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

    @OptionGroup var special: SpecialTokenOptions

    @Argument(help: "Input files (default: standard input).")
    var files: [String] = []

    func run() throws {
        try options.run(addingSpecialTokens: special.addSpecialTokens) { enc in
            try special.check(in: enc)
            var rows: [(count: Int, name: String?)] = []
            let names: [String?] = files.isEmpty ? [nil] : files
            for name in names {
                // Streamed: bounded memory for any file size.
                let n: Int
                do {
                    n = try enc.countStream(read: try openInput(name), blockSize: streamBlockSize,
                                            allowedSpecial: special.allowedSpecial.set,
                                            disallowedSpecial: special.disallowedSpecial.set,
                                            validateUTF8: !special.allowInvalidUTF8)
                } catch {
                    throw describe(error, input: name ?? "<stdin>")
                }
                rows.append((n, name))
            }
            if rows.count > 1 { rows.append((rows.reduce(0) { $0 + $1.count }, "total")) }
            let width = rows.map { String($0.count).count }.max() ?? 1
            var out = Output()
            for (n, name) in rows {
                let num = String(repeating: " ", count: width - String(n).count) + String(n)
                out.write(name.map { "\(num) \($0)\n" } ?? "\(n)\n")
            }
            try out.flush()
        }
    }
}
