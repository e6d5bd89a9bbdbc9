/// Standard base64 (RFC 4648, `+/`, `=` padding) decoding of one `.tiktoken` token.
///
/// Hand-written because it runs 200,000 times per vocabulary load and Foundation's
/// `Data(base64Encoded:)` would allocate an intermediate `String` and `Data` for each line.
enum Base64 {
    /// 0...63 for alphabet bytes, 0xFF otherwise.
    private static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()

    /// Appends the decoded bytes of `input` to `out`; returns `false` (appending nothing
    /// meaningful) if `input` is not canonical padded base64.
    ///
    /// ```swift
    /// var out: [UInt8] = []
    /// Array("IWE=".utf8).withUnsafeBufferPointer { Base64.decode($0, into: &out) }
    /// // true, out == [0x21, 0x61]
    /// ```
    /// - Complexity: O(n).
    static func decode(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        let n = input.count
        guard n > 0, n % 4 == 0 else { return false }
        var padding = 0
        if input[n - 1] == UInt8(ascii: "=") { padding += 1 }
        if input[n - 2] == UInt8(ascii: "=") { padding += 1 }
        return table.withUnsafeBufferPointer { t in
            var i = 0
            while i < n {
                let last = i + 4 == n
                let c0 = t[Int(input[i])], c1 = t[Int(input[i + 1])]
                let c2 = last && padding == 2 ? 0 : t[Int(input[i + 2])]
                let c3 = last && padding >= 1 ? 0 : t[Int(input[i + 3])]
                if (c0 | c1 | c2 | c3) == 0xFF { return false }
                let v = UInt32(c0) << 18 | UInt32(c1) << 12 | UInt32(c2) << 6 | UInt32(c3)
                out.append(UInt8(truncatingIfNeeded: v >> 16))
                if !(last && padding == 2) { out.append(UInt8(truncatingIfNeeded: v >> 8)) }
                if !(last && padding >= 1) { out.append(UInt8(truncatingIfNeeded: v)) }
                i += 4
            }
            return true
        }
    }
}
