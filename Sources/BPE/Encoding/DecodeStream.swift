/// Decodes token ids one at a time into text that is only ever handed out at UTF-8
/// boundaries: for pipelines that print while they sample. A character whose bytes are
/// split across tokens is held back until its last byte arrives; bytes that can never become
/// valid UTF-8 become U+FFFD as soon as that is certain.
///
/// Concatenating every ``step(_:)`` result and ``finish()`` gives exactly
/// `encoding.decode(allTokens)` (lossy decoding of all the bytes at once), however the
/// tokens split the characters. (Hugging Face's `DecodeStream.step` returns `None` where this
/// returns `""`.)
///
/// ```swift
/// var stream = DecodeStream(encoding: enc)
/// for id in generated { print(try stream.step(id), terminator: "") }
/// print(stream.finish())
/// ```
/// - Complexity: O(token bytes) per step; at most 3 bytes are held back.
public struct DecodeStream: Sendable {
    public let encoding: Encoding
    private var utf8 = UTF8StreamDecoder()

    public init(encoding: Encoding) { self.encoding = encoding }

    /// Decodes `token` and returns the text that is now complete (possibly empty).
    /// - Throws: ``DecodeError/unknownToken(_:index:)`` for an id the encoding lacks.
    public mutating func step(_ token: Rank) throws(DecodeError) -> String {
        utf8.decode(try encoding.decodeSingleTokenBytes(token))
    }

    /// The held-back bytes, lossily (an unfinished character becomes U+FFFD); the stream
    /// starts afresh.
    public mutating func finish() -> String { utf8.finish() }

    /// Bytes currently held back (0…3).
    public var pendingByteCount: Int { utf8.pendingByteCount }
}

/// The byte half of ``DecodeStream``: byte chunks in, text out only at UTF-8 boundaries.
///
/// Concatenating every ``decode(_:)`` result and ``finish()`` gives exactly
/// `String(decoding: allBytes, as: UTF8.self)`, however the bytes were split.
///
/// ```swift
/// var d = UTF8StreamDecoder()
/// d.decode([0x68, 0xC3])   // "h"   (0xC3 starts "é", held back)
/// d.decode([0xA9, 0x21])   // "é!"
/// d.finish()               // ""
/// ```
public struct UTF8StreamDecoder: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    /// Appends `bytes` and returns the text that is now complete.
    /// - Complexity: O(held-back bytes + `bytes.count`).
    public mutating func decode(_ bytes: some Sequence<UInt8>) -> String {
        pending.append(contentsOf: bytes)
        let cut = Self.incompleteTailStart(pending)
        let text = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return text
    }

    /// Returns the held-back bytes, decoded lossily (an unfinished sequence becomes U+FFFD).
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Bytes currently held back (0…3).
    public var pendingByteCount: Int { pending.count }

    /// Where a trailing, unfinished but still possibly valid sequence starts, or `bytes.count`.
    static func incompleteTailStart(_ bytes: [UInt8]) -> Int {
        let n = bytes.count
        var j = n - 1
        // Walk back over at most 3 continuation bytes to the last lead byte.
        while j >= 0 && j >= n - 3 && bytes[j] & 0xC0 == 0x80 { j -= 1 }
        guard j >= 0 else { return n }
        let lead = bytes[j]
        let length: Int
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return n  // ASCII, or a byte that never starts a sequence
        }
        let have = n - j
        guard have < length else { return n }  // complete (or over-long: not our business)
        if have >= 2 {
            // The second byte's allowed range depends on the lead (no overlongs, no
            // surrogates, nothing above U+10FFFF); outside it the sequence is already invalid.
            let second = bytes[j + 1]
            let ok: Bool
            switch lead {
            case 0xE0: ok = (0xA0...0xBF).contains(second)
            case 0xED: ok = (0x80...0x9F).contains(second)
            case 0xF0: ok = (0x90...0xBF).contains(second)
            case 0xF4: ok = (0x80...0x8F).contains(second)
            default: ok = true
            }
            if !ok { return n }
        }
        return j
    }
}
