import BPERegex

/// BPE's view of ``BPERegex/UTF8Validation`` (so callers need not import BPERegex).
enum UTF8ValidationShim {
    static func firstInvalid(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        UTF8Validation.firstInvalid(in: bytes, from: 0)?.lowerBound
    }
}
