/// GPT-2's byte-to-unicode alphabet, which Hugging Face's `ByteLevel` uses to write byte
/// strings as printable text in `tokenizer.json`: the bytes `!`…`~`, `¡`…`¬` and `®`…`ÿ`
/// stand for themselves; the other 68 bytes (controls, space, DEL, NBSP, soft hyphen…) become
/// U+0100 onwards in byte order, so a space is `Ġ` (U+0120) and a newline `Ċ` (U+010A).
///
/// ```swift
/// ByteLevelAlphabet.decode("Ġhello")   // [0x20] + "hello".utf8
/// ByteLevelAlphabet.encode([0x20, 0x68])   // "Ġh"
/// ```
enum ByteLevelAlphabet {
    /// Byte → the scalar that stands for it.
    static let scalarOfByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var n: UInt32 = 0
        for b in 0..<256 {
            if (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b) {
                table[b] = UInt32(b)
            } else {
                table[b] = 256 + n
                n += 1
            }
        }
        return table
    }()

    /// Scalar (below U+0144) → byte, or -1 for scalars outside the alphabet.
    static let byteOfScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for b in 0..<256 { table[Int(scalarOfByte[b])] = Int16(b) }
        return table
    }()

    /// The bytes a byte-level string stands for, or `nil` if a character is outside the
    /// alphabet (such vocabulary entries are added tokens written as raw text).
    /// - Complexity: O(n).
    static func decode(_ utf8: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        guard utf8.count > 0 else { return true }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: utf8.count))
        let n = out.withUnsafeMutableBufferPointer { decode(utf8, to: $0.baseAddress! + start) }
        out.removeSubrange((start + (n ?? 0))...)
        return n != nil
    }

    /// ``decode(_:into:)`` into `out`, which has room for `utf8.count` bytes (a byte-level
    /// string is never shorter than its bytes); the number of bytes written, or `nil`.
    static func decode(_ utf8: UnsafeBufferPointer<UInt8>, to out: UnsafeMutablePointer<UInt8>) -> Int? {
        var written = 0
        var i = 0
        let n = utf8.count
        while i < n {
            let c = utf8[i]
            var u: UInt32
            if c < 0x80 {
                u = UInt32(c)
                i += 1
            } else if c & 0xE0 == 0xC0, i + 1 < n {
                u = UInt32(c & 0x1F) << 6 | UInt32(utf8[i + 1] & 0x3F)
                i += 2
            } else {
                return nil   // 3- and 4-byte sequences are all above U+0143
            }
            guard u < 0x144, case let b = byteOfScalar[Int(u)], b >= 0 else { return nil }
            out[written] = UInt8(b)
            written += 1
        }
        return written
    }

    static func decode(_ s: String) -> [UInt8]? {
        var out: [UInt8] = []
        var s = s
        let ok = s.withUTF8 { decode($0, into: &out) }
        return ok ? out : nil
    }

    /// The byte-level string of `bytes`.
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var s = ""
        for b in bytes { s.unicodeScalars.append(Unicode.Scalar(scalarOfByte[Int(b)])!) }
        return s
    }

    /// Hugging Face's `ByteLevel` decoder on one token's text: the bytes of its characters
    /// when every one is in the alphabet, else the text's own UTF-8 (so an added token like
    /// `<｜begin▁of▁sentence｜>` decodes to itself).
    static func decoderBytes(_ text: String) -> [UInt8] {
        decode(text) ?? Array(text.utf8)
    }
}
