import ArgumentParser
import BPE
import CLISupport

/// The options `encode` and `count` share: which special tokens are special, which are an
/// error, what to do with input that is not UTF-8, and whether to add the format's special
/// tokens around the text. tiktoken's defaults: none allowed, all disallowed.
struct SpecialTokenOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Special tokens taken as special tokens: all, none, or TOK,TOK.", valueName: "set"))
    var allowedSpecial: SpecialOption = .none

    @Option(help: ArgumentHelp("Special tokens whose text is an error: all (every one not allowed), none, or TOK,TOK.", valueName: "set"))
    var disallowedSpecial: SpecialOption = .all

    @Flag(help: "Take input that is not valid UTF-8 byte by byte (lossless) instead of failing.")
    var allowInvalidUTF8 = false

    @Flag(help: "Add the special tokens the format puts around each text: a tokenizer.json's post_processor (e.g. Llama 3's <|begin_of_text|>), a Tekken file's <s>.")
    var addSpecialTokens = false

    /// Rejects names that are not special tokens of `encoding` (a typo would otherwise
    /// silently change how text is encoded).
    func check(in encoding: Encoding) throws {
        try allowedSpecial.check(in: encoding, flag: "--allowed-special")
        try disallowedSpecial.check(in: encoding, flag: "--disallowed-special")
    }
}

/// `all`, `none`, or a comma-separated list of special tokens.
struct SpecialOption: ExpressibleByArgument {
    let set: SpecialTokenSet
    let names: [String]
    /// As typed, so help shows a default the way a user would write it.
    let argument: String

    static let all = SpecialOption(argument: "all")!
    static let none = SpecialOption(argument: "none")!

    init?(argument: String) {
        self.argument = argument
        switch argument {
        case "all": set = .all; names = []
        case "none", "": set = .none; names = []
        default:
            names = argument.split(separator: ",").map(String.init)
            set = .only(Set(names))
        }
    }

    var defaultValueDescription: String { argument }

    func check(in encoding: Encoding, flag: String) throws {
        for n in names where encoding.specialTokens[n] == nil {
            let known = encoding.specialTokens.sorted { $0.value < $1.value }.prefix(8).map(\.key)
            throw CLIError("\(flag): '\(n)' is not a special token of \(encoding.name); known: \(known.joined(separator: ", "))\(encoding.specialTokens.count > 8 ? ", …" : "")")
        }
    }
}
