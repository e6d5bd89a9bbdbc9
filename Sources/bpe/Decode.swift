import ArgumentParser
import CLISupport
import BPE
import Foundation

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode token ids to the exact bytes they stand for.",
        discussion: """
            Reads ids separated by whitespace, or a JSON array of ids, from FILE (or standard \
            input) and writes the exact bytes to standard output, adding nothing.

            Examples:
              echo '15339 1917' | bpe decode --encoding cl100k_base      # hello world
              echo '[15339, 1917]' | bpe decode --encoding cl100k_base
              bpe encode notes.txt | bpe decode > copy.txt               # copy.txt == notes.txt
            """
    )

    @OptionGroup var options: EncodingOptions

    @Argument(help: "File of token ids (default: standard input).")
    var file: String?

    func run() throws {
        try options.run { enc in
            let ids = try Self.parseIDs(try readInput(file))
            var bytes: [UInt8] = []
            try enc.appendBytes(of: ids, to: &bytes)
            var out = Output()
            out.write(bytes)
            try out.flush()
        }
    }

    /// Whitespace-separated decimal ids, or one JSON array of them (`[1, 2, 3]`, strictly).
    static func parseIDs(_ input: [UInt8]) throws -> [Rank] {
        var ids: [Rank] = []
        var i = input.startIndex
        let end = input.endIndex
        func skipSpace() { while i < end && isSpace(input[i]) { i += 1 } }
        func number(inJSON: Bool = true) throws -> Rank {
            var j = i
            while j < end && !isSpace(input[j])
                && !(inJSON && (input[j] == UInt8(ascii: ",") || input[j] == UInt8(ascii: "]"))) { j += 1 }
            let word = String(decoding: input[i..<j], as: UTF8.self)
            guard !word.isEmpty, word.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let id = Rank(word) else {
                let why = word.isEmpty ? "missing" : word.hasPrefix("-") ? "negative"
                    : word.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) ? "too large for a 32-bit id" : "not a number"
                throw CLIError("'\(word.prefix(40))' (token \(ids.count + 1), byte \(i)) is not a token id: \(why)")
            }
            i = j
            return id
        }
        skipSpace()
        guard i < end, input[i] == UInt8(ascii: "[") else {
            // Plain form: ids separated by whitespace.
            while i < end {
                ids.append(try number(inJSON: false))
                skipSpace()
            }
            return ids
        }
        i += 1
        skipSpace()
        if i < end && input[i] == UInt8(ascii: "]") {
            i += 1
        } else {
            while true {
                ids.append(try number())
                skipSpace()
                guard i < end else { throw CLIError("JSON array is not closed with ']'") }
                if input[i] == UInt8(ascii: "]") { i += 1; break }
                guard input[i] == UInt8(ascii: ",") else {
                    throw CLIError("expected ',' or ']' at byte \(i) of the JSON array")
                }
                i += 1
                skipSpace()
            }
        }
        skipSpace()
        guard i == end else { throw CLIError("unexpected text after the closing ']' at byte \(i)") }
        return ids
    }

    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (0x09...0x0D).contains(c) }
}
