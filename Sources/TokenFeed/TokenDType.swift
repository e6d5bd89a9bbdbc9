/// How token ids are stored in a shard: 2 or 4 bytes each, little-endian.
///
/// GPT-2-sized vocabularies fit in 16 bits, which halves the size of the data on disk and
/// in memory; o200k (200,019 ids) does not.
/// ```swift
/// TokenDType.fitting(nVocab: 50257)    // .uint16
/// TokenDType.fitting(nVocab: 200019)   // .uint32
/// ```
public enum TokenDType: String, Codable, Sendable, CaseIterable {
    case uint16
    case uint32

    /// Bytes per token.
    public var width: Int { self == .uint16 ? 2 : 4 }

    /// The largest id this type can hold.
    public var maxToken: UInt32 { self == .uint16 ? UInt32(UInt16.max) : UInt32.max }

    /// The narrowest type that holds every id below `nVocab`.
    public static func fitting(nVocab: Int) -> TokenDType {
        nVocab <= 1 << 16 ? .uint16 : .uint32
    }
}
