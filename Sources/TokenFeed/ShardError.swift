import BPE

/// Why a shard, a `meta.json` or an export failed. Every message names the file, says what
/// is wrong and how to fix it.
///
/// Messages name the Swift API (`shardTokens must be …`); a front end spells the options its
/// own way through ``message(naming:)`` (`bpe export` says `--shard-tokens`).
public enum ShardError: Error, Equatable, Sendable, CustomStringConvertible {
    // Reading shards.
    case cannotRead(path: String, reason: String)
    case truncatedHeader(path: String, size: Int)
    case badMagic(path: String, found: Int32)
    case badVersion(path: String, magic: Int32, found: Int32, expected: Int32)
    case badTokenCount(path: String, count: Int32)
    case truncated(path: String, declared: Int, present: Int)
    case trailingBytes(path: String, declared: Int, extra: Int)
    case rawSizeNotMultiple(path: String, size: Int, dtype: TokenDType)
    case badMeta(path: String, reason: String)

    // Writing shards.
    case cannotWrite(path: String, reason: String)
    case tokenTooLarge(path: String, token: UInt32, dtype: TokenDType)
    case shardFull(path: String, limit: Int)

    // Exporting a corpus.
    case noEndOfText(encoding: String)
    case emptyCorpus(files: Int)
    case invalidUTF8(file: String, offset: Int)
    case corpus(Corpus.Error)
    case noTrainingDocuments(documents: Int, rule: Exporter.ValidationSplit)
    case validationTooLarge(limit: Int)
    /// Standard input, or a file that changed size, in an export of a part.
    case corpusPart(CorpusPart.Error)

    // Combining parts (see ``Exporter/combine(parts:to:progress:)``).
    case noParts
    case partIncomplete(directory: String)
    case partCountMismatch(directory: String, parts: Int, other: String, otherParts: Int)
    case partsDisagree(directory: String, other: String, field: String, found: String, expected: String)
    case duplicatePart(part: Int, parts: Int, directory: String, other: String)
    case partsMissing([Int], parts: Int)

    // Options out of range (see ``Exporter/Options/validate()``).
    case shardTokensOutOfRange(Int)
    case validationFractionOutOfRange(Double)
    case negativeValidationDocuments(Int)
    case noThreads(Int)
    case nonPositiveSize(blockSize: Int, batchBytes: Int, partBytes: Int)
    case badName(String)
    case emptyDocumentSeparator

    public var description: String { message(naming: \.rawValue) }

    /// The message, with each option spelled by `name`.
    ///
    /// ```swift
    /// ShardError.noThreads(0).message(naming: \.rawValue)   // "threads must be at least 1, got 0"
    /// ```
    public func message(naming name: (Exporter.Parameter) -> String) -> String {
        switch self {
        case .cannotRead(let p, let why):
            return "\(p): cannot read: \(why)"
        case .truncatedHeader(let p, let size):
            return "\(p): \(size) bytes is shorter than the 1024-byte llm.c header; the file is truncated or not an llm.c shard (re-run bpe export)"
        case .badMagic(let p, let found):
            return "\(p): bad magic \(found) in the header; an llm.c token shard starts with \(LLMCShard.magic16) (uint16 tokens) or \(LLMCShard.magic32) (uint32 tokens). Is this a raw nanoGPT .bin? Read those with NanoGPTBin.read(path:dtype:)"
        case .badVersion(let p, let magic, let found, let expected):
            return "\(p): version \(found) with magic \(magic); this reader knows version \(expected) for that magic (re-export the shard with bpe export)"
        case .badTokenCount(let p, let count):
            return "\(p): the header's token count is \(count); it must be >= 0 (the file is corrupt; re-run bpe export)"
        case .truncated(let p, let declared, let present):
            return "\(p): the header declares \(declared) tokens but the file holds \(present); the file is truncated (an interrupted copy?): re-run bpe export"
        case .trailingBytes(let p, let declared, let extra):
            return "\(p): \(extra) bytes after the \(declared) tokens the header declares; the file is corrupt or was appended to: re-run bpe export"
        case .rawSizeNotMultiple(let p, let size, let dtype):
            return "\(p): \(size) bytes is not a whole number of \(dtype) tokens; the file is truncated or the dtype is wrong (see meta.json \"dtype\")"
        case .badMeta(let p, let why):
            return "\(p): not a valid bpe export meta.json (\(why)); re-run bpe export to write it"
        case .cannotWrite(let p, let why):
            return "\(p): cannot write: \(why)"
        case .tokenTooLarge(let p, let token, let dtype):
            return "\(p): token id \(token) does not fit in \(dtype); write \(TokenDType.uint32) tokens for vocabularies over 65536 ids"
        case .shardFull(let p, let limit):
            return "\(p): a shard holds at most \(limit) tokens (its header count is a signed 32-bit int); start a new shard"
        case .noEndOfText(let encoding):
            return "encoding \(encoding) has no <|endoftext|> special token, which the export puts before every document; \(name(.endOfText))"
        case .emptyCorpus(let files):
            return files == 0
                ? "the corpus is empty: no input files were given or found"
                : "the corpus is empty: \(files) file\(files == 1 ? "" : "s") read, no documents (every file is empty\(files == 1 ? "" : " or only separators"))"
        case .invalidUTF8(let f, let offset):
            return "\(f): invalid UTF-8 at byte \(offset); export needs text (fix or re-encode the file, e.g. iconv -f latin1 -t utf-8)"
        case .corpus(let error):
            return error.description
        case .noTrainingDocuments(let n, let rule):
            return "no training documents: all \(n) document\(n == 1 ? "" : "s") went to validation (\(rule.message(naming: name))); split files into documents with \(name(.docSeparator)) (e.g. '\\n\\n'), or lower \(name(.valDocs)) / \(name(.valFraction))"
        case .validationTooLarge(let limit):
            return "the validation split has more than \(limit) tokens, the most one llm.c shard can hold; lower \(name(.valFraction)) or use \(name(.valDocs)) N"
        case .corpusPart(let e):
            return e.description
        case .noParts:
            return "no part folders to combine: give \(name(.parts))"
        case .partIncomplete(let d):
            return "\(d): no \(PartMeta.fileName), so this part did not finish (it failed or was killed); export that part again into this folder (the same \(name(.part)) K/N), then combine"
        case .partCountMismatch(let d, let n, let other, let otherN):
            return "\(d) is a part of \(n), but \(other) is a part of \(otherN): parts that belong together cut the corpus into the same number of parts; give the folders of one export"
        case .partsDisagree(let d, let other, let field, let found, let expected):
            return "\(d) and \(other) are parts of different exports: \(field) is \(found) in \(d), but \(expected) in \(other); export every part with the same inputs, vocabulary and options"
        case .duplicatePart(let k, let n, let d, let other):
            return "part \(k)/\(n) is given twice: \(other) and \(d); give each part's folder once"
        case .partsMissing(let missing, let n):
            let list = missing.prefix(20).map { "\($0)/\(n)" }.joined(separator: ", ") + (missing.count > 20 ? ", ..." : "")
            return missing.count == 1
                ? "part \(list) is missing (none of the folders holds it): export it (\(name(.part)) \(list)), then combine again"
                : "\(missing.count) parts are missing (none of the folders holds them): \(list); export them (\(name(.part)) K/N for each), then combine again"
        case .shardTokensOutOfRange(let n):
            return "\(name(.shardTokens)) must be between 1 and \(Int32.max) (an llm.c header holds a signed 32-bit count), got \(n)"
        case .validationFractionOutOfRange(let f):
            return "\(name(.valFraction)) must be at least 0 and below 1, got \(f)"
        case .negativeValidationDocuments(let n):
            return "\(name(.valDocs)) must be at least 0, got \(n)"
        case .noThreads(let n):
            return "\(name(.threads)) must be at least 1, got \(n)"
        case .nonPositiveSize(let block, let batch, let part):
            return "blockSize (\(block)), batchBytes (\(batch)) and partBytes (\(part)) must be positive"
        case .badName(let n):
            return "\(name(.name)) must be a plain file name prefix (no '/', not starting with '.'), got '\(n)'"
        case .emptyDocumentSeparator:
            return "\(name(.docSeparator)) must not be empty"
        }
    }
}
