import Foundation

/// One llm.c token shard (`tiny_train_000001.bin`), read whole and checked.
///
/// The format is llm.c's (`dev/data/data_common.py`, read by `llmc/dataloader.h`): a header of
/// 256 little-endian int32 — `[0]` magic, `[1]` version, `[2]` token count, the rest zero —
/// then the tokens, little-endian:
///
/// | magic      | version | tokens  | used for                          |
/// |------------|---------|---------|-----------------------------------|
/// | 20240520   | 1       | uint16  | vocabularies of up to 65,536 ids  |
/// | 20240801   | 7       | uint32  | larger ones (o200k)               |
///
/// ```swift
/// let shard = try LLMCShard.read(path: "out/tiny_train_000001.bin")
/// shard.tokens.prefix(3)                                  // [50256, 5962, 22307]
/// LLMCShard.files(in: "out", split: "train")              // ["out/tiny_train_000001.bin", …]
/// ```
public struct LLMCShard: Sendable, Equatable {
    /// The token ids, widened to `UInt32` whatever the file's ``dtype``.
    public let tokens: [UInt32]
    /// The header's magic number: ``magic16`` or ``magic32``.
    public let magic: Int32
    /// The header's version: 1 (uint16 tokens) or 7 (uint32 tokens).
    public let version: Int32

    /// How the tokens are stored in the file.
    public var dtype: TokenDType { magic == Self.magic32 ? .uint32 : .uint16 }

    /// Magic and version of shards with uint16 tokens (GPT-2 in llm.c).
    public static let magic16: Int32 = 20240520
    public static let version16: Int32 = 1
    /// Magic and version of shards with uint32 tokens (Llama 3 in llm.c).
    public static let magic32: Int32 = 20240801
    public static let version32: Int32 = 7
    /// 256 int32.
    public static let headerBytes = 1024

    public init(tokens: [UInt32], dtype: TokenDType) {
        self.tokens = tokens
        magic = dtype == .uint16 ? Self.magic16 : Self.magic32
        version = dtype == .uint16 ? Self.version16 : Self.version32
    }

    /// The 1024-byte header for `tokenCount` tokens of `dtype`.
    public static func header(dtype: TokenDType, tokenCount: Int) -> [UInt8] {
        precondition(tokenCount >= 0 && tokenCount <= Int(Int32.max), "an llm.c shard holds at most Int32.max tokens")
        var ints = [Int32](repeating: 0, count: headerBytes / 4)
        ints[0] = dtype == .uint16 ? magic16 : magic32
        ints[1] = dtype == .uint16 ? version16 : version32
        ints[2] = Int32(tokenCount)
        return ints.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }
    }

    /// Reads and checks a shard.
    ///
    /// - Throws: ``ShardError`` naming the file for a short header, a wrong magic or version,
    ///   a negative count, or a size that disagrees with the count (truncated or padded).
    /// - Complexity: O(file size); memory 4 bytes per token.
    public static func read(path: String) throws(ShardError) -> LLMCShard {
        let file = try PosixFile.openForReading(path)
        let size = try file.size()
        var header = [Int32](repeating: 0, count: headerBytes / 4)
        let got = try file.read(into: &header)
        guard got == headerBytes else { throw .truncatedHeader(path: path, size: got) }
        header = header.map { Int32(littleEndian: $0) }
        let magic = header[0], version = header[1], count = header[2]
        let dtype: TokenDType
        switch magic {
        case magic16: dtype = .uint16
        case magic32: dtype = .uint32
        default: throw .badMagic(path: path, found: magic)
        }
        let expected = dtype == .uint16 ? version16 : version32
        guard version == expected else { throw .badVersion(path: path, magic: magic, found: version, expected: expected) }
        guard count >= 0 else { throw .badTokenCount(path: path, count: count) }
        let n = Int(count)
        let body = size - headerBytes
        if body < n * dtype.width { throw .truncated(path: path, declared: n, present: body / dtype.width) }
        if body > n * dtype.width { throw .trailingBytes(path: path, declared: n, extra: body - n * dtype.width) }
        let tokens = try readTokens(file, count: n, dtype: dtype)
        return LLMCShard(tokens: tokens, dtype: dtype)
    }

    /// Reads `count` little-endian tokens from the current position.
    static func readTokens(_ file: PosixFile, count: Int, dtype: TokenDType) throws(ShardError) -> [UInt32] {
        switch dtype {
        case .uint16:
            var narrow = [UInt16](repeating: 0, count: count)
            let got = try file.read(into: &narrow)
            guard got == count * 2 else { throw .truncated(path: file.path, declared: count, present: got / 2) }
            return narrow.map { UInt32(UInt16(littleEndian: $0)) }
        case .uint32:
            var wide = [UInt32](repeating: 0, count: count)
            let got = try file.read(into: &wide)
            guard got == count * 4 else { throw .truncated(path: file.path, declared: count, present: got / 4) }
            #if _endian(big)
            return wide.map { UInt32(littleEndian: $0) }
            #else
            return wide
            #endif
        }
    }

    /// `{name}_{split}_{index:06}.bin`, as llm.c names its shards.
    public static func fileName(name: String, split: String, index: Int) -> String {
        let digits = String(index)
        return "\(name)_\(split)_\(String(repeating: "0", count: max(0, 6 - digits.count)))\(digits).bin"
    }

    /// The shard files of one split in `directory` (`split` is "train" or "val"), sorted
    /// by name, which is shard order. `name` limits them to one export's shards.
    ///
    /// A shard file is `{name}_{split}_{digits}.bin` with six or more digits; hidden files
    /// (such as a writer's temporary file) are skipped. A missing directory has no shards.
    public static func files(in directory: String, split: String, name: String? = nil) -> [String] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        let found = entries.filter { entry in
            guard !entry.hasPrefix("."), entry.hasSuffix(".bin") else { return false }
            let stem = entry.dropLast(4)
            guard let mark = stem.range(of: "_\(split)_", options: .backwards) else { return false }
            let digits = stem[mark.upperBound...]
            guard digits.count >= 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
            return name.map { String(stem[..<mark.lowerBound]) == $0 } ?? (mark.lowerBound > stem.startIndex)
        }
        return found.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            .map { (directory as NSString).appendingPathComponent($0) }
    }
}

/// nanoGPT's `train.bin` / `val.bin`: tokens only, no header, so the dtype comes from
/// `meta.json` (nanoGPT itself reads them as `np.uint16`).
public enum NanoGPTBin {
    /// Reads a whole raw token file.
    /// - Throws: ``ShardError/rawSizeNotMultiple(path:size:dtype:)`` if the size is not a
    ///   whole number of tokens, or a read error.
    public static func read(path: String, dtype: TokenDType) throws(ShardError) -> [UInt32] {
        let file = try PosixFile.openForReading(path)
        let size = try file.size()
        guard size % dtype.width == 0 else { throw .rawSizeNotMultiple(path: path, size: size, dtype: dtype) }
        return try LLMCShard.readTokens(file, count: size / dtype.width, dtype: dtype)
    }
}
