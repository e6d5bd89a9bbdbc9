import ArgumentParser
import CLISupport
import BPE
import Foundation

/// How a command picks its encoding: a built-in by name, a model name, or any vocabulary
/// file (`.tiktoken`, `tokenizer.json`, Tekken JSON: told apart by content).
struct EncodingOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "Built-in encoding (see `bpe encodings`).")
    var encoding: String = "o200k_base"

    @Option(name: .long, help: ArgumentHelp("A model name, as tiktoken's encoding_for_model (e.g. gpt-4o), instead of --encoding.", valueName: "name"))
    var model: String?

    @Option(name: .long, help: ArgumentHelp("A vocabulary file to use instead of a built-in encoding: .tiktoken, Hugging Face tokenizer.json or Mistral Tekken JSON (detected from its content).", valueName: "file"))
    var vocab: String?

    @Option(name: .long, help: ArgumentHelp("Split pattern for a .tiktoken --vocab: gpt2, cl100k, o200k, or a regex in tiktoken's syntax.", valueName: "regex"))
    var pattern: String?

    @Option(name: .long, help: ArgumentHelp("A special token for a .tiktoken --vocab, as TOKEN=ID (repeatable).", valueName: "token=id"))
    var special: [String] = []

    @Option(name: .customLong("vocab-dir"), help: ArgumentHelp("Folder holding the official .tiktoken files (default: found automatically, or $BPE_VOCAB_DIR).", valueName: "dir"))
    var vocabDir: String?

    func validate() throws {
        if vocab == nil && (pattern != nil || !special.isEmpty) {
            throw ValidationError("--pattern and --special only apply with --vocab FILE")
        }
        if model != nil && vocab != nil { throw ValidationError("give --model or --vocab, not both") }
        for s in special { _ = try Self.parseSpecial(s) }
    }

    static func parseSpecial(_ s: String) throws -> (String, Rank) {
        guard let eq = s.lastIndex(of: "="), eq != s.startIndex,
              let id = Rank(s[s.index(after: eq)...]) else {
            throw ValidationError("bad --special '\(s)': expected TOKEN=ID, e.g. '<|endoftext|>=50256'")
        }
        return (String(s[..<eq]), id)
    }

    /// Loads the chosen encoding, with the format's special tokens added around each text
    /// when asked; every failure becomes a one-line `error:`.
    func load(addingSpecialTokens: Bool) throws -> Encoding {
        let enc = try load()
        guard addingSpecialTokens else { return enc }
        do { return try enc.addingSpecialTokens() } catch { throw CLIError("--add-special-tokens: \(error)") }
    }

    /// Loads the chosen encoding; every failure becomes a one-line `error:`.
    func load() throws -> Encoding {
        do {
            if let vocab {
                // A .tiktoken file from `bpe train` carries its pattern and special tokens in
                // FILE.json; explicit flags win over it. JSON formats carry their own.
                var specials: [String: Rank]? = special.isEmpty ? nil : [:]
                for s in special {
                    let (t, id) = try Self.parseSpecial(s)
                    specials![t] = id
                }
                return try Encoding.load(contentsOf: vocab, pattern: pattern, specialTokens: specials)
            }
            if let model { return try Encoding.forModel(model, vocabDirectory: vocabDir) }
            return try Encoding.builtin(encoding, vocabDirectory: vocabDir)
        } catch let e as CLIError {
            throw e
        } catch {
            throw CLIError(flagWording(error) ?? "\(error)")
        }
    }
}
