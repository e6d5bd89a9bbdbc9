import ArgumentParser
import CLISupport
import BPE
import Foundation

struct Count: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count",
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

    @OptionGroup var threading: ThreadOptions

    @Argument(help: "Input files (default: standard input).")
    var files: [String] = []

    func run() throws {
        try options.run(addingSpecialTokens: special.addSpecialTokens) { enc in
            try special.check(in: enc)
            var rows: [(count: Int, name: String?)] = []
            let names: [String?] = files.isEmpty ? [nil] : files
            let threads = threading.count
            for name in names {
                // Streamed: bounded memory for any file size.
                var n = 0
                do {
                    let read = try openInput(name)
                    let allowed = special.allowedSpecial.set, disallowed = special.disallowedSpecial.set
                    if threads > 1 {
                        try enc.encodeStream(read: read, blockSize: streamBlockSize, allowedSpecial: allowed,
                                             disallowedSpecial: disallowed, validateUTF8: !special.allowInvalidUTF8,
                                             threads: threads, makePart: { _ in 0 }, ids: { $1 += $0.count },
                                             partEnded: { n += $0 })
                    } else {
                        n = try enc.countStream(read: read, blockSize: streamBlockSize, allowedSpecial: allowed,
                                                disallowedSpecial: disallowed, validateUTF8: !special.allowInvalidUTF8)
                    }
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
