/// Why a shard, a `meta.json` or an export failed. Every message names the file, says what
/// is wrong and how to fix it.
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
    case corpus(String)
    case noTrainingDocuments(documents: Int, rule: String)
    case validationTooLarge(limit: Int)
    case badOption(String)

    public var description: String {
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
        case .noEndOfText(let name):
            return "encoding \(name) has no <|endoftext|> special token, which bpe export puts before every document; train with --special '<|endoftext|>', or for a plain .tiktoken file pass --special '<|endoftext|>=ID'"
        case .emptyCorpus(let files):
            return files == 0
                ? "the corpus is empty: no input files were given or found"
                : "the corpus is empty: \(files) file\(files == 1 ? "" : "s") read, no documents (every file is empty\(files == 1 ? "" : " or only separators"))"
        case .invalidUTF8(let f, let offset):
            return "\(f): invalid UTF-8 at byte \(offset); export needs text (fix or re-encode the file, e.g. iconv -f latin1 -t utf-8)"
        case .corpus(let message):
            return message
        case .noTrainingDocuments(let n, let rule):
            return "no training documents: all \(n) document\(n == 1 ? "" : "s") went to validation (\(rule)); split files into documents with --doc-separator (e.g. '\\n\\n'), or lower --val-docs / --val-fraction"
        case .validationTooLarge(let limit):
            return "the validation split has more than \(limit) tokens, the most one llm.c shard can hold; lower --val-fraction or pass --val-docs N"
        case .badOption(let message):
            return message
        }
    }
}
