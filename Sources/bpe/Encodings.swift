import ArgumentParser
import CLISupport
import BPE

struct Encodings: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encodings",
        abstract: "List the built-in encodings.",
        discussion: """
            Prints name, vocabulary size (n_vocab), split pattern and special tokens, then the \
            model names --model accepts (tiktoken's table) and their encodings.

            Example:
              bpe encodings
            """
    )

    @Option(name: .customLong("vocab-dir"), help: ArgumentHelp("Folder holding the official .tiktoken files.", valueName: "dir"))
    var vocabDir: String?

    func run() throws {
        try reportingErrors(wording: flagWording) {
            var out = Output()
            out.write("name           n_vocab  pattern  special tokens\n")
            for spec in BuiltinEncoding.all {
                let enc = try Encoding.builtin(spec.name, vocabDirectory: vocabDir)
                let specials = spec.specialTokens.count > 6
                    ? "\(spec.specialTokens.count) (<|endoftext|>=\(enc.eotToken.map(String.init) ?? "-"), …)"
                    : spec.specialTokens.sorted { $0.value < $1.value }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(1, n - s.count)) }
                out.write(pad(spec.name, 15) + pad(String(enc.nVocab), 9) + pad(spec.patternName, 9) + specials + "\n")
            }
            for (alias, target) in BuiltinEncoding.aliases.sorted(by: { $0.key < $1.key }) {
                out.write("\(alias) is an alias of \(target)\n")
            }
            // tiktoken's model table, in the order --model searches it (prefixes end in *).
            out.write("models (--model NAME; tiktoken 0.14.0's table, exact names, then the first matching prefix*):\n")
            for m in Encoding.modelTable {
                let name = m.isPrefix ? m.name + "*" : m.name
                out.write("  " + name + String(repeating: " ", count: max(1, 30 - name.count)) + m.encoding + "\n")
            }
            try out.flush()
        }
    }
}
