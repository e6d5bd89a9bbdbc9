import BPE
import BPERegex

/// The pre-tokenizer's contract on any bytes, valid UTF-8 or not, for the GPT presets:
/// the pieces are non-empty and tile the input (no gap, no overlap, in order), and each
/// preset's hand-written lexer cuts exactly where PCRE2 cuts with the preset's pattern (the
/// lexer's promise, see `Preset`). A violation traps in the fuzzer; `FuzzRegressionTests`
/// asks for ``violation(_:)`` instead.
public enum SplitCheck {
    /// (preset, PCRE2 pattern), compiled once per process. Patterns are shared; each check
    /// takes a matcher from the pattern's pool, so tests may check inputs in parallel.
    static let patterns: [(preset: Preset, pcre2: Pattern)] = Preset.allCases.map { preset in
        do {
            return (preset, try Pattern(preset.pcre2Pattern))
        } catch {
            fatalError("preset \(preset) does not compile: \(error)")
        }
    }

    /// Traps on a violation (the fuzz entry point).
    public static func check(_ input: UnsafeBufferPointer<UInt8>) {
        if let violation = violation(input) { preconditionFailure(violation) }
    }

    /// What is wrong with `input`, or with the ``RiskyText`` texts its bytes spell (one of
    /// the risky alphabet, one of the mostly ASCII one, which the lexers' block scan takes),
    /// or `nil` when every property holds for all three.
    public static func violation(_ input: UnsafeBufferPointer<UInt8>) -> String? {
        if let v = splitViolation(input) { return v }
        let risky = RiskyText.text(from: input)
        if let v = risky.withUnsafeBufferPointer({ splitViolation($0) }) { return "risky text \(risky): \(v)" }
        let ascii = RiskyText.asciiText(from: input)
        return ascii.withUnsafeBufferPointer { splitViolation($0) }.map { "ASCII risky text \(ascii): \($0)" }
    }

    /// The tiling and lexer-equals-PCRE2 properties on `input` itself.
    public static func splitViolation(_ input: UnsafeBufferPointer<UInt8>) -> String? {
        for (preset, pcre2) in patterns {
            let pieces = pcre2.withMatcher { $0.split(input) }
            if let gap = tilingViolation(pieces, count: input.count) { return "\(preset) PCRE2 split: \(gap)" }
            // The lexer with its block scan (64 bytes of ASCII at once) and with the byte scan alone.
            for blockScan in [true, false] {
                let lexed = preset.split(input, blockScan: blockScan)
                let name = blockScan ? "lexer" : "lexer (byte scan)"
                if let gap = tilingViolation(lexed, count: input.count) { return "\(preset) \(name) split: \(gap)" }
                if lexed != pieces {
                    let i = zip(lexed, pieces).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(lexed.count, pieces.count)
                    let show = { (r: Range<Int>?) in r.map { "\($0) \(Array(input[$0]))" } ?? "none" }
                    return "\(preset): \(name) piece \(i) is \(show(i < lexed.count ? lexed[i] : nil)), PCRE2's is \(show(i < pieces.count ? pieces[i] : nil))"
                }
            }
        }
        return nil
    }

    public static func tilingViolation(_ pieces: [Range<Int>], count: Int) -> String? {
        var next = 0
        for (i, r) in pieces.enumerated() {
            if r.isEmpty { return "piece \(i) is empty (\(r))" }
            if r.lowerBound != next { return "piece \(i) \(r) starts at \(r.lowerBound), expected \(next) (gap or overlap)" }
            next = r.upperBound
        }
        return next == count ? nil : "pieces end at \(next), input has \(count) bytes"
    }
}
