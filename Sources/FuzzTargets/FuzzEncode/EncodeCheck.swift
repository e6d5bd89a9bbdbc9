import BPE
import BPERegex

/// The round-trip properties every built-in encoding must have, for any bytes:
/// - `decodeBytes(encodeOrdinary(bytes: x)) == x` (invalid UTF-8 included);
/// - `countTokens(bytes: x, disallowedSpecial: .none) == encodeOrdinary(bytes: x).count`;
/// - with every special token allowed, decoding still gives back `x`;
/// - for valid UTF-8, the batch path (`String` in, all cores) agrees with the byte path.
/// A violation traps, which libFuzzer reports as a crash with the input saved.
enum EncodeCheck {
    /// Loaded once per process: a fuzz run calls `check` millions of times.
    static let encodings: [Encoding] = BuiltinNames.all.map { name in
        do { return try Encoding.builtin(name) } catch {
            fatalError("cannot load \(name): \(error)")
        }
    }

    static func check(_ input: UnsafeBufferPointer<UInt8>) {
        let bytes = Array(input)
        let isValid = UTF8Validation.isValid(input)
        for enc in encodings {
            let tokens = enc.encodeOrdinary(bytes: bytes)
            let decoded: [UInt8]
            do { decoded = try enc.decodeBytes(tokens) } catch {
                preconditionFailure("\(enc.name): decodeBytes(encodeOrdinary(x)) threw \(error)")
            }
            precondition(decoded == bytes, "\(enc.name): decodeBytes(encodeOrdinary(x)) != x")

            let counted: Int
            do { counted = try enc.countTokens(bytes: bytes, disallowedSpecial: .none) } catch {
                preconditionFailure("\(enc.name): countTokens(disallowedSpecial: .none) threw \(error)")
            }
            precondition(counted == tokens.count,
                         "\(enc.name): countTokens = \(counted), encodeOrdinary gave \(tokens.count) tokens")

            // Special tokens are whole tokens whose bytes are their text, so allowing them
            // changes the ids but not the bytes, with one exception: two texts sharing an id
            // (o200k_harmony's <|endofprompt|> and <|reserved_200018|>) decode to one of them.
            // Then the decoded bytes must at least encode to the same ids.
            let special: [Rank]
            let specialDecoded: [UInt8]
            do {
                special = try enc.encode(bytes: bytes, allowedSpecial: .all)
                specialDecoded = try enc.decodeBytes(special)
            } catch {
                preconditionFailure("\(enc.name): encode(allowedSpecial: .all) round trip threw \(error)")
            }
            if specialDecoded != bytes {
                let again = try? enc.encode(bytes: specialDecoded, allowedSpecial: .all)
                precondition(again == special,
                             "\(enc.name): decodeBytes(encode(x, allowedSpecial: .all)) != x, and not by a shared special-token id")
            }

            if isValid {
                let text = String(decoding: bytes, as: UTF8.self)
                let batch = enc.encodeOrdinaryBatch([text])
                precondition(batch.count == 1 && batch[0] == tokens,
                             "\(enc.name): encodeOrdinaryBatch([String(x)])[0] != encodeOrdinary(bytes: x)")
            }
        }
    }
}

enum BuiltinNames {
    static let all = ["r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base", "o200k_harmony"]
}
