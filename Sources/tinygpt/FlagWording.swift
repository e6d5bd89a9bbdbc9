import TinyGPT

/// TinyGPT's errors in the words of `tinygpt`'s flags: the library names the model's
/// properties (`contextLength`), the command line its flags (`--context`).
/// ``reportingErrors(wording:_:)`` calls it on every error it prints.
func flagWording(_ error: any Error) -> String? {
    guard let e = error as? ConfigError else { return nil }
    let flags: [GPTConfig.Parameter: String] = [
        .contextLength: "--context", .layers: "--layers", .heads: "--heads", .channels: "--channels",
        .vocabSize: "the vocabulary size (n_vocab in meta.json)",
    ]
    return e.message(naming: { flags[$0] ?? $0.rawValue })
}
