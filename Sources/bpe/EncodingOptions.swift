import ArgumentParser
import CLISupport
import BPE
import Foundation

/// How a command picks its encoding: a built-in by name, or any `.tiktoken` file.
struct EncodingOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "Built-in encoding (see `bpe encodings`).")
    var encoding: String = "o200k_base"

    @Option(name: .long, help: ArgumentHelp("A .tiktoken file to use instead of a built-in encoding.", valueName: "file"))
    var vocab: String?

    @Option(name: .long, help: ArgumentHelp("Split pattern for --vocab: gpt2, cl100k, o200k, or a regex in tiktoken's syntax.", valueName: "regex"))
    var pattern: String?

    @Option(name: .long, help: ArgumentHelp("A special token for --vocab, as TOKEN=ID (repeatable).", valueName: "token=id"))
    var special: [String] = []

    @Option(name: .customLong("vocab-dir"), help: ArgumentHelp("Folder holding the official .tiktoken files (default: found automatically, or $BPE_VOCAB_DIR).", valueName: "dir"))
    var vocabDir: String?

    func validate() throws {
        if vocab == nil && (pattern != nil || !special.isEmpty) {
            throw ValidationError("--pattern and --special only apply with --vocab FILE")
        }
        for s in special { _ = try Self.parseSpecial(s) }
    }

    static func parseSpecial(_ s: String) throws -> (String, Rank) {
        guard let eq = s.lastIndex(of: "="), eq != s.startIndex,
              let id = Rank(s[s.index(after: eq)...]) else {
            throw ValidationError("bad --special '\(s)': expected TOKEN=ID, e.g. '<|endoftext|>=50256'")
        }
        return (String(s[..<eq]), id)
    }

    /// Loads the chosen encoding; every failure becomes a one-line `error:`.
    func load() throws -> Encoding {
        do {
            if let vocab {
                // A vocabulary trained by `bpe train` carries its pattern and special tokens
                // in FILE.json; explicit flags win over it.
                let (bytes, sidecar) = try Sidecar.read(tiktokenFile: vocab)
                guard let pattern = pattern ?? sidecar?.pattern else {
                    throw CLIError("--vocab \(vocab) needs --pattern (gpt2, cl100k, o200k or a regex): it has no \((vocab as NSString).lastPathComponent).json sidecar")
                }
                var specials: [String: Rank] = special.isEmpty ? sidecar?.specialTokens ?? [:] : [:]
                for s in special {
                    let (t, id) = try Self.parseSpecial(s)
                    specials[t] = id
                }
                return try Encoding.load(tiktoken: bytes, source: vocab, pattern: pattern, specialTokens: specials,
                                         name: sidecar?.name ?? ((vocab as NSString).lastPathComponent as NSString).deletingPathExtension)
            }
            return try Encoding.builtin(encoding, vocabDirectory: vocabDir)
        } catch let e as CLIError {
            throw e
        } catch {
            throw CLIError(flagWording(error) ?? "\(error)")
        }
    }
}
