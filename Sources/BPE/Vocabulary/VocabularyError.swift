import Foundation

/// Why a vocabulary could not be loaded. Every case says where (file, line) and how to fix it.
public enum VocabularyError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty(source: String?)
    case tooLarge(source: String?)
    case malformedLine(line: Int, reason: String, source: String?)
    case emptyToken(line: Int?, source: String?)
    case duplicateToken(line: Int?, firstLine: Int?, source: String?)
    case duplicateRank(rank: Rank, line: Int, firstLine: Int, source: String?)
    case rankGap(rank: Rank, source: String?)
    case missingByte(UInt8, source: String?)
    case hashMismatch(path: String, expected: String, actual: String)
    case unreadable(path: String, reason: String)
    case specialTokenCollision(token: String, rank: Rank)
    case badSpecialToken(String)
    case unknownEncoding(String, known: [String])
    case notFound(file: String, searched: [String])
    /// A `.tiktoken` file was given with no split pattern and has no sidecar to supply one.
    case missingPattern(path: String)
    /// Entry `index` (0-based) of a merge list cannot be a merge.
    case badMerge(index: Int, reason: String, source: String?)
    /// tiktoken's `explicit_n_vocab` check failed: the file does not hold the expected tokens.
    case vocabularySizeMismatch(tokens: Int, specialTokens: Int, expected: Int, source: String?)

    /// The API parameters the messages name; a command line maps them to its own flags
    /// with ``message(naming:)``.
    public enum Parameter: String, Sendable {
        /// Where to look for the built-in encodings' files.
        case vocabularyDirectory = "vocabDirectory:"
        /// A vocabulary file to load instead of a built-in encoding.
        case file = "Encoding.load(contentsOf:)"
        /// The split pattern of a `.tiktoken` file that has no sidecar.
        case pattern = "pattern:"
    }

    public var description: String { message(naming: { $0.rawValue }) }

    /// The message, with `name` saying how to spell each parameter it suggests.
    public func message(naming spelled: (Parameter) -> String) -> String {
        func at(_ source: String?, _ line: Int? = nil) -> String {
            let where_ = [source, line.map { "line \($0)" }].compactMap { $0 }.joined(separator: ", ")
            return where_.isEmpty ? "" : "\(where_): "
        }
        switch self {
        case .empty(let s):
            return "\(at(s))vocabulary file is empty; a .tiktoken file has one 'base64-token rank' line per token"
        case .tooLarge(let s):
            return "\(at(s))vocabulary is larger than 4 GiB of token bytes; this is not a BPE vocabulary"
        case .malformedLine(let l, let reason, let s):
            return "\(at(s, l))\(reason); expected 'BASE64TOKEN RANK', e.g. 'IQ== 0'"
        case .emptyToken(let l, let s):
            return "\(at(s, l))token is empty; every token needs at least one byte"
        case .duplicateToken(let l, let first, let s):
            return "\(at(s, l))token repeats the token of \(first.map { "line \($0)" } ?? "an earlier rank"); each token must appear once"
        case .duplicateRank(let r, let l, let first, let s):
            return "\(at(s, l))rank \(r) was already given on line \(first); each rank must appear once"
        case .rankGap(let r, let s):
            return "\(at(s))no token has rank \(r): ranks must be contiguous from 0, except for ids given to special tokens (add the missing line, or a special token with id \(r))"
        case .missingByte(let b, let s):
            return "\(at(s))no token for the single byte 0x\(String(b, radix: 16, uppercase: true)); byte-level BPE needs all 256 single-byte tokens so any text can be encoded"
        case .hashMismatch(let p, let e, let a):
            return "\(p): sha256 is \(a) but the official file has \(e); the file is corrupt or not the official one (restore it from the repository's vocab/ folder)"
        case .unreadable(let p, let reason):
            return "\(p): cannot read: \(reason)"
        case .specialTokenCollision(let t, let r):
            return "special token \(t) has id \(r), which is already a mergeable token's rank; pick an id >= the vocabulary size"
        case .badSpecialToken(let s):
            return "bad special token '\(s)': expected TOKEN=ID, e.g. '<|endoftext|>=50256'"
        case .unknownEncoding(let name, let known):
            return "unknown encoding '\(name)'; known encodings: \(known.joined(separator: ", ")) (or load a file: \(spelled(.file)))"
        case .missingPattern(let p):
            return "\(p): a .tiktoken file needs a split pattern, and it has no sidecar \((p as NSString).lastPathComponent).json (written by bpe train); pass \(spelled(.pattern)) gpt2, cl100k, o200k or a regex"
        case .badMerge(let i, let reason, let s):
            return "\(at(s))merge \(i) (0-based): \(reason); every merge must join two tokens of the vocabulary into a third"
        case .vocabularySizeMismatch(let t, let sp, let e, let s):
            return "\(at(s))vocabulary has \(t) tokens and \(sp) special tokens, but \(e) ids were expected, all of them used; the file is not the one this encoding was made from"
        case .notFound(let file, let searched):
            return "cannot find \(file); looked in: \(searched.joined(separator: ", ")). Pass \(spelled(.vocabularyDirectory)) DIR or set BPE_VOCAB_DIR to a folder holding the .tiktoken files (the repository's vocab/ folder)"
        }
    }
}
