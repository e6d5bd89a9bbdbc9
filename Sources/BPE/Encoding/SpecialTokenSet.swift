/// A choice of special tokens, as tiktoken's `allowed_special` / `disallowed_special` take
/// `"all"` or a set of strings.
///
/// ```swift
/// try enc.encode(text, allowedSpecial: .all)
/// try enc.encode(text, allowedSpecial: ["<|endoftext|>"])
/// try enc.encode(text, disallowedSpecial: .none)   // same as encodeOrdinary
/// ```
public enum SpecialTokenSet: Sendable, Hashable, ExpressibleByArrayLiteral {
    /// Every special token of the encoding.
    case all
    /// Exactly these tokens (an empty set is "none").
    case only(Set<String>)

    /// No special token.
    public static var none: SpecialTokenSet { .only([]) }

    public init(arrayLiteral elements: String...) { self = .only(Set(elements)) }

    /// Whether the set holds the special token `text`, code point for code point as tiktoken's
    /// Python sets compare: a `Set<String>` also matches canonically equivalent text (`é`
    /// for `e` + U+0301), so the element it finds must have `text`'s bytes. (A set given both
    /// spellings keeps one of them, as a Swift set does; no built-in special token has one.)
    func contains(_ text: String) -> Bool {
        switch self {
        case .all: return true
        case .only(let s):
            guard let i = s.firstIndex(of: text) else { return false }
            return s[i].utf8.elementsEqual(text.utf8)
        }
    }
}
