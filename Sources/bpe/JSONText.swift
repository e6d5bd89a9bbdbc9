/// The JSON string literal of `encode --jsonl`'s lines, decoded to UTF-8 bytes (decode's JSON
/// array of ids is parsed by `Decode.parseIDs`). Hand-written because the sweep feeds
/// millions of lines and Foundation's JSON decoders cost microseconds each; anything that is
/// not one well-formed string is rejected, and the caller names the line.
enum JSONText {
    /// Decodes one JSON string literal (surrounding whitespace allowed) to UTF-8 bytes.
    /// Returns `nil` for anything that is not exactly one well-formed string, including lone
    /// surrogate escapes, which have no UTF-8 form.
    static func decodeString(_ line: ArraySlice<UInt8>) -> [UInt8]? {
        var i = line.startIndex, end = line.endIndex
        while i < end, line[i] == 0x20 || line[i] == 0x09 || line[i] == 0x0D { i += 1 }
        while end > i, line[end - 1] == 0x20 || line[end - 1] == 0x09 || line[end - 1] == 0x0D { end -= 1 }
        guard end - i >= 2, line[i] == UInt8(ascii: "\""), line[end - 1] == UInt8(ascii: "\"") else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(end - i)
        i += 1
        end -= 1
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= end else { return nil }
            var v: UInt32 = 0
            for k in at..<(at + 4) {
                let c = line[k]
                let d: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
                default: return nil
                }
                v = v << 4 | UInt32(d)
            }
            return v
        }
        while i < end {
            let c = line[i]
            if c == UInt8(ascii: "\"") || c < 0x20 { return nil }
            if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
            guard i + 1 < end else { return nil }
            let e = line[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var v = hex4(i) else { return nil }
                i += 4
                if (0xD800..<0xDC00).contains(v) {
                    guard i + 6 <= end, line[i] == UInt8(ascii: "\\"), line[i + 1] == UInt8(ascii: "u"),
                          let lo = hex4(i + 2), (0xDC00..<0xE000).contains(lo) else { return nil }
                    v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                    i += 6
                } else if (0xDC00..<0xE000).contains(v) {
                    return nil
                }
                out.append(contentsOf: String(Unicode.Scalar(v)!).utf8)
            default: return nil
            }
        }
        return out
    }
}
