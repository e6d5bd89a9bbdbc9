import BPE
import BPERegex

/// The round-trip properties every built-in encoding must have, for any bytes:
/// - `decodeBytes(encodeOrdinary(bytes: x)) == x` (invalid UTF-8 included);
/// - `countTokens(bytes: x, disallowedSpecial: .none) == encodeOrdinary(bytes: x).count`;
/// - with every special token allowed, decoding still gives back `x`;
/// - for valid UTF-8, the batch path (`String` in, all cores) agrees with the byte path;
/// - the stream on two threads, cut into parts of about 512 bytes, gives the ids of the whole;
/// - the encoder's shortcuts change nothing: with no piece cache and no backtracking (scan
///   and heap merges only) the ids are the same as with both (the cache on from byte 0, its
///   compact tier 64 sets small, so that it evicts), and as the public call's, whose cache
///   is the thread's, full size and warm from the inputs before.
/// A violation traps, which libFuzzer reports as a crash with the input saved;
/// `FuzzRegressionTests` asks for ``violation(_:)`` instead.
public enum EncodeCheck {
    /// Loaded once per process: a fuzz run calls `check` millions of times.
    static let encodings: [Encoding] = BuiltinNames.all.map { name in
        do { return try Encoding.builtin(name) } catch {
            fatalError("cannot load \(name): \(error)")
        }
    }

    /// Traps on a violation (the fuzz entry point).
    public static func check(_ input: UnsafeBufferPointer<UInt8>) {
        if let violation = violation(input) { preconditionFailure(violation) }
    }

    /// What is wrong with `input`, or `nil` when every property holds.
    public static func violation(_ input: UnsafeBufferPointer<UInt8>) -> String? {
        let bytes = Array(input)
        let isValid = UTF8Validation.isValid(input)
        for enc in encodings {
            let tokens = enc.encodeOrdinary(bytes: bytes)
            if enc.encodeOrdinary(bytes: bytes, pieceCache: false, backtracking: false) != tokens
                || enc.encodeOrdinary(bytes: bytes, pieceCache: true, backtracking: true, compactCacheSets: 64) != tokens
                || enc.encodeOrdinary(bytes: bytes, pieceCache: true, backtracking: true, compactCacheSets: 64,
                                      pieceTable: false) != tokens {
                return "\(enc.name): the piece cache, its table or backtracking changed the ids"
            }
            guard let decoded = try? enc.decodeBytes(tokens) else {
                return "\(enc.name): decodeBytes(encodeOrdinary(x)) threw"
            }
            if decoded != bytes { return "\(enc.name): decodeBytes(encodeOrdinary(x)) != x" }

            guard let counted = try? enc.countTokens(bytes: bytes, disallowedSpecial: .none) else {
                return "\(enc.name): countTokens(disallowedSpecial: .none) threw"
            }
            if counted != tokens.count {
                return "\(enc.name): countTokens = \(counted), encodeOrdinary gave \(tokens.count) tokens"
            }

            // Special tokens are whole tokens whose bytes are their text, so allowing them
            // changes the ids but not the bytes, with one exception: two texts sharing an id
            // (o200k_harmony's <|endofprompt|> and <|reserved_200018|>) decode to one of them.
            // Then the decoded bytes must at least encode to the same ids.
            guard let special = try? enc.encode(bytes: bytes, allowedSpecial: .all),
                  let specialDecoded = try? enc.decodeBytes(special) else {
                return "\(enc.name): encode(allowedSpecial: .all) round trip threw"
            }
            if specialDecoded != bytes, (try? enc.encode(bytes: specialDecoded, allowedSpecial: .all)) != special {
                return "\(enc.name): decodeBytes(encode(x, allowedSpecial: .all)) != x, and not by a shared special-token id"
            }

            // The stream on two threads (parts cut where one thread cuts, encoded side by
            // side, handed back in order): the ids of the whole.
            var at = 0, parts: [[Rank]] = []
            do {
                try enc.encodeStream(read: { n in
                    defer { at = min(at + n, bytes.count) }
                    return Array(bytes[at..<min(at + n, bytes.count)])
                }, blockSize: 512, allowedSpecial: .all, threads: 2, makePart: { _ in [Rank]() },
                   ids: { $1 += $0 }, partEnded: { parts.append($0) })
            } catch {
                return "\(enc.name): encodeStream(threads: 2) threw \(error)"
            }
            if parts.flatMap({ $0 }) != special { return "\(enc.name): encodeStream(threads: 2) disagrees with encode(bytes:)" }

            if isValid {
                // The batch path (Strings in, items on all cores) on the text and its halves,
                // cut at a scalar boundary: each item must equal the byte path alone.
                var half = bytes.count / 2
                while half > 0 && half < bytes.count && bytes[half] & 0xC0 == 0x80 { half -= 1 }
                let items = [bytes, Array(bytes[..<half]), Array(bytes[half...])]
                let batch = enc.encodeOrdinaryBatch(items.map { String(decoding: $0, as: UTF8.self) })
                for (item, ids) in zip(items, batch) where ids != enc.encodeOrdinary(bytes: item) {
                    return "\(enc.name): encodeOrdinaryBatch disagrees with encodeOrdinary(bytes:) on an item of \(item.count) bytes"
                }
                if batch.count != items.count { return "\(enc.name): encodeOrdinaryBatch lost items" }
            }
        }
        return nil
    }
}

public enum BuiltinNames {
    public static let all = ["r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base", "o200k_harmony"]
}
