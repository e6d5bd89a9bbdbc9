/// UTF-8 validation that reports *where* the bytes go wrong.
///
/// PCRE2 in UTF mode must never see invalid UTF-8 when it is told not to check, and checking
/// on every `pcre2_match` call would re-scan the subject each time. So we validate once,
/// here, and hand PCRE2 only the valid runs.
public enum UTF8Validation {
    /// The first ill-formed sequence at or after `start`, as a byte range, or `nil` if
    /// `bytes[start...]` is valid UTF-8.
    ///
    /// The range is a *maximal subpart* in the sense of Unicode §3.9 (the longest prefix of a
    /// well-formed sequence, or one byte), the same unit that Swift's and Python's decoders
    /// replace with U+FFFD.
    ///
    /// ```swift
    /// UTF8Validation.firstInvalid(in: [0x61, 0xE2, 0x82, 0x61], from: 0)  // 1..<3
    /// ```
    /// - Complexity: O(n) in the bytes scanned; ASCII is checked eight bytes at a time.
    public static func firstInvalid(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Range<Int>? {
        let n = bytes.count
        guard let base = bytes.baseAddress else { return nil }
        var i = start
        while i < n {
            // ASCII fast path: eight bytes at a time while no high bit is set.
            while i + 8 <= n {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                i += 8
            }
            if i >= n { break }
            let b0 = base[i]
            if b0 < 0x80 { i += 1; continue }
            let need: Int
            var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; hi = 0x9F  // excludes UTF-16 surrogates
            case 0xF0: need = 3; lo = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; hi = 0x8F  // nothing above U+10FFFF
            default: return i..<(i + 1)     // 0x80...0xC1, 0xF5...0xFF never start a sequence
            }
            // The first continuation byte has the lead-specific bounds, the rest 0x80...0xBF.
            var j = 1
            while j <= need {
                guard i + j < n else { return i..<(i + j) }
                let b = base[i + j]
                if b < lo || b > hi { return i..<(i + j) }
                lo = 0x80; hi = 0xBF
                j += 1
            }
            i += need + 1
        }
        return nil
    }

    /// Whether `bytes` is entirely valid UTF-8.
    /// - Complexity: O(n).
    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        firstInvalid(in: bytes, from: 0) == nil
    }

    /// Length in bytes of the UTF-8 scalar whose lead byte is `lead` (1 for invalid leads).
    @inlinable
    public static func scalarLength(lead: UInt8) -> Int {
        switch lead {
        case 0xF0...0xF7: return 4
        case 0xE0...0xEF: return 3
        case 0xC0...0xDF: return 2
        default: return 1
        }
    }
}
