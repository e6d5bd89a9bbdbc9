/// Why text could not be encoded.
public enum EncodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text holds a special token that is disallowed: tiktoken raises here too.
    case disallowedSpecialToken(String, byteOffset: Int)
    /// `encodeSingleToken` was given something that is not one token.
    case notASingleToken([UInt8])
    /// Bytes that are not UTF-8 were passed where text is required.
    case invalidUTF8(byteOffset: Int)

    public var description: String {
        switch self {
        case .disallowedSpecialToken(let t, let off):
            return "text contains the special token \(t) (at byte \(off)), which is disallowed; "
                + "to encode it as a special token allow it (allowedSpecial: [\"\(t)\"] or .all; CLI: --allowed-special '\(t)' or all), "
                + "to encode it as plain text disable the check (disallowedSpecial: .none; CLI: --disallowed-special none)"
        case .notASingleToken(let b):
            return "\(String(decoding: b, as: UTF8.self).debugDescription) is not a single token"
        case .invalidUTF8(let off):
            return "input is not valid UTF-8 at byte \(off)"
        }
    }
}

/// Why tokens could not be decoded.
public enum DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No mergeable or special token has this id.
    case unknownToken(Rank, index: Int)

    public var description: String {
        switch self {
        case .unknownToken(let t, let i):
            return "unknown token id \(t) (at position \(i)); ids must be mergeable ranks or special token ids of this encoding"
        }
    }
}
