/// Unicode normalization (NFC, NFD, NFKC, NFKD) exactly as Hugging Face `tokenizers` 0.23.x
/// does it, on UTF-8 bytes.
///
/// Why not Foundation: `tokenizers` normalizes with a Rust crate whose tables predate
/// Unicode 12.1, while Foundation on Linux knows Unicode 15 (so NFKC of U+32FF, U+A7F2 or
/// U+1E030 differs) and takes about 3.5 s per MB. The data here comes from `tokenizers` itself
/// (scripts/gen_hf_normalization.py), and scripts/hf_parity.py sweeps every code point.
///
/// The algorithm is UAX #15's: full decomposition (Hangul algorithmically), canonical
/// ordering of combining marks, then, for C and KC, canonical composition.
///
/// ```swift
/// UnicodeNormalizer.nfkc.normalize(Array("ﬁ".utf8))   // Array("fi".utf8)
/// ```
/// - Complexity: O(n) for n bytes; ASCII (and, for NFC, text below U+0300) is returned
///   without work.
struct UnicodeNormalizer: Sendable {
    enum Form: String, Sendable { case nfc = "NFC", nfd = "NFD", nfkc = "NFKC", nfkd = "NFKD" }
    let form: Form

    static let nfc = UnicodeNormalizer(form: .nfc)
    static let nfkc = UnicodeNormalizer(form: .nfkc)

    var compatibility: Bool { form == .nfkc || form == .nfkd }
    var composes: Bool { form == .nfc || form == .nfkc }

    /// Whether `bytes` is certainly unchanged: all ASCII, or for the canonical forms all below
    /// U+0300 (no such character decomposes canonically, and no combining mark is there).
    static func isQuickUnchanged(_ bytes: UnsafeBufferPointer<UInt8>, canonical: Bool) -> Bool {
        let limit: UInt8 = canonical ? 0xCC : 0x80
        for b in bytes where b >= limit { return false }
        return true
    }

    /// The normalized form of valid UTF-8 `bytes`.
    func normalize(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        if Self.isQuickUnchanged(bytes, canonical: !compatibility) { return Array(bytes) }
        let t = Tables.shared
        var scalars: [UInt32] = []
        scalars.reserveCapacity(bytes.count)
        // Decompose.
        var i = 0
        while i < bytes.count {
            let (u, n) = decodeScalar(bytes, i)
            i += n
            if u < 0xA0 { scalars.append(u); continue }
            if u >= 0xAC00 && u < 0xAC00 + 11172 {
                let s = u - 0xAC00
                scalars.append(0x1100 + s / 588)
                scalars.append(0x1161 + (s % 588) / 28)
                if s % 28 != 0 { scalars.append(0x11A7 + s % 28) }
                continue
            }
            if compatibility, let d = t.compatibility[u] { scalars += d; continue }
            if let d = t.canonical[u] { scalars += d; continue }
            scalars.append(u)
        }
        // Canonical ordering: a stable sort of each run of non-starters by class.
        var k = 0
        while k < scalars.count {
            guard t.combiningClass(scalars[k]) != 0 else { k += 1; continue }
            var end = k
            while end < scalars.count && t.combiningClass(scalars[end]) != 0 { end += 1 }
            if end - k > 1 {
                // Insertion sort: runs are short, and it is stable.
                for a in (k + 1)..<end {
                    let x = scalars[a]
                    let cx = t.combiningClass(x)
                    var b = a
                    while b > k && t.combiningClass(scalars[b - 1]) > cx {
                        scalars[b] = scalars[b - 1]
                        b -= 1
                    }
                    scalars[b] = x
                }
            }
            k = end
        }
        if composes { scalars = compose(scalars, t) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 8)
        for u in scalars { appendUTF8(u, to: &out) }
        return out
    }

    func normalize(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBufferPointer { normalize($0) }
    }

    private func compose(_ s: [UInt32], _ t: Tables) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(s.count)
        var starter = -1
        for ch in s {
            let cc = t.combiningClass(ch)
            if starter >= 0 {
                let adjacent = out.count - 1 == starter
                let last = t.combiningClass(out[out.count - 1])
                if adjacent || (last != 0 && last < cc), let p = composite(out[starter], ch, t) {
                    out[starter] = p
                    continue
                }
            }
            if cc == 0 { starter = out.count }
            out.append(ch)
        }
        return out
    }

    private func composite(_ a: UInt32, _ b: UInt32, _ t: Tables) -> UInt32? {
        // Hangul: L + V, then LV + T.
        if a >= 0x1100 && a < 0x1113 && b >= 0x1161 && b < 0x1176 {
            return 0xAC00 + ((a - 0x1100) * 21 + (b - 0x1161)) * 28
        }
        if a >= 0xAC00 && a < 0xAC00 + 11172 && (a - 0xAC00) % 28 == 0 && b > 0x11A7 && b < 0x11C3 {
            return a + (b - 0x11A7)
        }
        return t.compositions[UInt64(a) << 32 | UInt64(b)]
    }

    /// The tables, parsed once from the generated text (a few milliseconds, on first use).
    final class Tables: @unchecked Sendable {
        static let shared = Tables()
        let canonical: [UInt32: [UInt32]]
        let compatibility: [UInt32: [UInt32]]
        let classes: [UInt32: UInt8]
        let compositions: [UInt64: UInt32]

        init() {
            func hex<S: StringProtocol>(_ s: S) -> UInt32 { UInt32(s, radix: 16)! }
            func mappings(_ blob: String) -> [UInt32: [UInt32]] {
                var m: [UInt32: [UInt32]] = [:]
                for entry in blob.split(separator: ";") {
                    let parts = entry.split(separator: ">")
                    m[hex(parts[0])] = parts[1].split(separator: " ").map { hex($0) }
                }
                return m
            }
            canonical = mappings(UnicodeNormalizer.canonicalData)
            compatibility = mappings(UnicodeNormalizer.compatibilityData)
            var classes: [UInt32: UInt8] = [:]
            for entry in UnicodeNormalizer.combiningClassData.split(separator: ";") {
                let parts = entry.split(separator: "=")
                classes[hex(parts[0])] = UInt8(parts[1])!
            }
            self.classes = classes
            var comp: [UInt64: UInt32] = [:]
            for entry in UnicodeNormalizer.compositionData.split(separator: ";") {
                let parts = entry.split(separator: ">")
                let pair = parts[0].split(separator: " ")
                comp[UInt64(hex(pair[0])) << 32 | UInt64(hex(pair[1]))] = hex(parts[1])
            }
            compositions = comp
        }

        @inline(__always)
        func combiningClass(_ u: UInt32) -> UInt8 {
            u < 0x300 ? 0 : classes[u] ?? 0
        }
    }
}

/// The scalar at `i` of valid UTF-8 and its length.
@inline(__always)
func decodeScalar(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt32, Int) {
    let c = b[i]
    if c < 0x80 { return (UInt32(c), 1) }
    if c < 0xE0 { return (UInt32(c & 0x1F) << 6 | UInt32(b[i + 1] & 0x3F), 2) }
    if c < 0xF0 { return (UInt32(c & 0x0F) << 12 | UInt32(b[i + 1] & 0x3F) << 6 | UInt32(b[i + 2] & 0x3F), 3) }
    return (UInt32(c & 0x07) << 18 | UInt32(b[i + 1] & 0x3F) << 12 | UInt32(b[i + 2] & 0x3F) << 6 | UInt32(b[i + 3] & 0x3F), 4)
}
