import ArgumentParser
import BPE
import Foundation

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
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
        try reportingErrors {
            let enc = try options.load()
            let ids = try Self.parseIDs(try readInput(file))
            var bytes: [UInt8] = []
            do {
                try enc.appendBytes(of: ids, to: &bytes)
            } catch {
                throw CLIError("\(error)")
            }
            var out = Output()
            out.write(bytes)
            out.flush()
        }
    }

    /// Whitespace-separated decimal ids, or one JSON array of them.
    static func parseIDs(_ input: [UInt8]) throws -> [Rank] {
        var ids: [Rank] = []
        let trimmed = input.drop { isSpace($0) }
        let isJSON = trimmed.first == UInt8(ascii: "[")
        var i = trimmed.startIndex
        let end = input.endIndex
        var sawClose = false
        if isJSON { i += 1 }
        while i < end {
            let c = input[i]
            if isSpace(c) || (isJSON && c == UInt8(ascii: ",")) { i += 1; continue }
            if isJSON && c == UInt8(ascii: "]") {
                sawClose = true
                i += 1
                guard input[i...].allSatisfy(isSpace) else {
                    throw CLIError("unexpected text after the closing ']' at byte \(i)")
                }
                break
            }
            var j = i
            while j < end && !isSpace(input[j]) && !(isJSON && (input[j] == UInt8(ascii: ",") || input[j] == UInt8(ascii: "]"))) { j += 1 }
            let word = String(decoding: input[i..<j], as: UTF8.self)
            guard word.allSatisfy({ $0.isASCII && $0.isNumber }), let id = Rank(word) else {
                let why = word.hasPrefix("-") ? "negative" : (word.allSatisfy { $0.isASCII && $0.isNumber } ? "too large for a 32-bit id" : "not a number")
                throw CLIError("'\(word.prefix(40))' (token \(ids.count + 1), byte \(i)) is not a token id: \(why)")
            }
            ids.append(id)
            i = j
        }
        if isJSON && !sawClose { throw CLIError("JSON array is not closed with ']'") }
        return ids
    }

    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (0x09...0x0D).contains(c) }
}
