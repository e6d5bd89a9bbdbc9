import ArgumentParser
import CLISupport
import BPE
import Foundation

struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode text to token ids.",
        discussion: """
            Reads FILE (or standard input) as UTF-8 and prints the token ids in decimal, separated \
            by single spaces, with one trailing newline. Special tokens follow tiktoken's defaults: \
            none allowed, all disallowed, so text containing one is an error.

            Examples:
              echo 'hello world' | bpe encode --encoding cl100k_base      # 15339 1917 198
              bpe encode --allowed-special all prompt.txt
              bpe encode --disallowed-special none notes.txt              # = tiktoken encode_ordinary
              bpe encode --json README.md
              bpe encode --jsonl docs.jsonl     # one JSON string per line in, one line of ids out
            """
    )

    @OptionGroup var options: EncodingOptions

    @OptionGroup var special: SpecialTokenOptions

    @OptionGroup var threading: ThreadOptions

    @Flag(help: "Print a JSON array instead of space-separated ids.")
    var json = false

    @Flag(help: "Input is JSON Lines: each line a JSON string, encoded on its own; one output line per input line.")
    var jsonl = false

    @Argument(help: "Input file (default: standard input).")
    var file: String?

    func run() throws {
        try options.run(addingSpecialTokens: special.addSpecialTokens) { enc in
            try special.check(in: enc)
            if jsonl {
                try encodeJSONLines(enc)
                return
            }
            // Streamed: memory stays bounded however large the input. A block's ids are
            // formatted as they come (chunks from one reused buffer, still in the cache) and
            // printed once the block is encoded, so an error in a later block of a huge input
            // comes after some ids (inputs under one block, 4 MiB, print nothing on error).
            let read = try openInput(file)
            // Read once: an option's getter is not free, and this loop runs per block.
            let json = self.json
            let separator = json ? UInt8(ascii: ",") : UInt8(ascii: " ")
            let threads = threading.count
            if threads > 1 {
                try encodeInParallel(enc, read: read, threads: threads, json: json, separator: separator)
                return
            }
            // Room for a whole block's text from the start: a buffer that doubled its way up
            // copied and page-faulted as much again (pages are touched only as they are used).
            var out = Output(capacity: 2 * streamBlockSize)
            var first = true
            out.write(json ? "[" : "")
            do {
                try enc.encodeStream(read: read, blockSize: streamBlockSize, allowedSpecial: special.allowedSpecial.set,
                                     disallowedSpecial: special.disallowedSpecial.set,
                                     validateUTF8: !special.allowInvalidUTF8,
                                     ids: { out.writeIDs($0, separator: separator, first: &first) },
                                     partEnded: { try out.flush() })
            } catch {
                throw describe(error, input: file ?? "<stdin>")
            }
            out.write(json ? "]\n" : "\n")
            try out.flush()
        }
    }

    /// The ids of parts of the input encoded on `threads` threads, each part formatted on its
    /// own thread and printed in input order once it is whole: the same bytes as one thread
    /// prints, with the same errors (see ``Encoding/encodeStream(read:blockSize:allowedSpecial:disallowedSpecial:validateUTF8:chunkSize:threads:makePart:ids:partEnded:)``).
    private func encodeInParallel(_ enc: Encoding, read: (Int) throws -> [UInt8], threads: Int, json: Bool,
                                  separator: UInt8) throws {
        /// One part's text; the first part opens the JSON array and has no separator first.
        struct PartText {
            var out: Output
            var first: Bool
        }
        var parts = 0
        do {
            try enc.encodeStream(read: read, blockSize: streamBlockSize, allowedSpecial: special.allowedSpecial.set,
                                 disallowedSpecial: special.disallowedSpecial.set,
                                 validateUTF8: !special.allowInvalidUTF8, threads: threads,
                                 makePart: { index in
                                     var out = Output(capacity: 2 * streamBlockSize)
                                     if index == 0 && json { out.write(byte: UInt8(ascii: "[")) }
                                     return PartText(out: out, first: index == 0)
                                 },
                                 ids: { ids, part in part.out.writeIDs(ids, separator: separator, first: &part.first) },
                                 partEnded: { part in
                                     var out = part.out
                                     try out.flush()
                                     parts += 1
                                 })
        } catch {
            throw describe(error, input: file ?? "<stdin>")
        }
        var out = Output()
        if parts == 0 && json { out.write("[") }
        out.write(json ? "]\n" : "\n")
        try out.flush()
    }

    /// `--jsonl`, streamed: blocks of whole lines are encoded and printed in turn, so memory
    /// is bounded by the block size (and the longest line), not the input. Like plain
    /// `encode`, an error in a later block comes after earlier blocks' output; an input under
    /// one block (4 MiB) prints nothing on error.
    private func encodeJSONLines(_ enc: Encoding) throws {
        let read = try openInput(file)
        // Read once: the CPU count is a file read, and this loop runs per block.
        let threads = threading.count
        var pending: [UInt8] = []
        var lineNumber = 0
        var out = Output()
        while true {
            let chunk = try read(streamBlockSize)
            pending += chunk
            // Whole lines only, until the input ends. What was left holds no newline, so only
            // the new chunk is searched (a long line is not rescanned block after block).
            let end = chunk.isEmpty ? pending.count
                : chunk.lastIndex(of: UInt8(ascii: "\n")).map { pending.count - chunk.count + $0 + 1 } ?? 0
            if end > 0 {
                try encodeLines(pending[..<end], enc, threads: threads, lineNumber: &lineNumber, into: &out)
                try out.flush()
                pending.removeFirst(end)
            }
            if chunk.isEmpty { break }
        }
    }

    /// Buffers one line of ids per JSON string line into `out`. `lineNumber` is the number
    /// of lines before `input` and is advanced past it.
    ///
    /// Every line is read first and the texts are then encoded as one batch on `threads`
    /// threads. The first error by line number wins, as line by line: a line that cannot be
    /// read stops the reading, and the lines before it are still encoded for errors of their own.
    private func encodeLines(_ input: ArraySlice<UInt8>, _ enc: Encoding, threads: Int, lineNumber: inout Int,
                             into out: inout Output) throws {
        let name = file ?? "<stdin>"
        // Options read once, not per line.
        let json = self.json, allowed = special.allowedSpecial.set, disallowed = special.disallowedSpecial.set
        let allowInvalidUTF8 = special.allowInvalidUTF8
        let firstLine = lineNumber + 1
        var texts: [[UInt8]] = []
        var readError: Error?
        for line in input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            // The newline that ends the last line does not start another one.
            if line.isEmpty && line.endIndex == input.endIndex { break }
            lineNumber += 1
            do {
                // Escapes cannot make invalid UTF-8 (lone surrogates are refused), so checking
                // the line checks the text, with the offset where the user can find it.
                if !allowInvalidUTF8 { try requireUTF8(line, name: "\(name), line \(lineNumber)") }
                guard let text = JSONDocument.stringLiteral(line) else {
                    throw CLIError("\(name), line \(lineNumber): expected a JSON string such as \"hello\"")
                }
                texts.append(text)
            } catch {
                readError = error
                break
            }
        }
        let ids: [[Rank]]
        do {
            ids = try enc.encodeBatch(bytes: texts, allowedSpecial: allowed, disallowedSpecial: disallowed,
                                      threads: threads)
        } catch {
            // The batch gives the first failing text's error but not its line: find the line.
            for (i, text) in texts.enumerated() {
                do {
                    _ = try enc.encode(bytes: text, allowedSpecial: allowed, disallowedSpecial: disallowed)
                } catch {
                    throw CLIError("\(name), line \(firstLine + i): \(error)")
                }
            }
            throw CLIError("\(name): \(error)")
        }
        if let readError { throw readError }
        let separator = json ? UInt8(ascii: ",") : UInt8(ascii: " ")
        for lineIDs in ids {
            if json { out.write(byte: UInt8(ascii: "[")) }
            var first = true
            lineIDs.withUnsafeBufferPointer { out.writeIDs($0, separator: separator, first: &first) }
            out.write(json ? "]\n" : "\n")
        }
    }
}
