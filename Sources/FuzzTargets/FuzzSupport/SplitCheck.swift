import BPE
import BPERegex

/// The pre-tokenizer's contract on any bytes, valid UTF-8 or not, for the GPT presets:
/// the pieces are non-empty and tile the input (no gap, no overlap, in order), and the
/// ASCII fast path changes nothing (``FastPath``'s promise). A violation traps in the fuzzer;
/// `FuzzRegressionTests` asks for ``violation(_:)`` instead.
public enum SplitCheck {
    /// (preset, plain matcher, fast-path matcher), compiled once per process. Matchers are
    /// per-thread objects; both libFuzzer and the regression runner call `check` from one thread.
    nonisolated(unsafe) static let matchers: [(name: String, plain: Matcher, fast: Matcher)] = [
        ("gpt2", FastPath.gpt2), ("cl100k", .cl100k), ("o200k", .o200k),
    ].map { name, fast in
        let source = SplitPattern.preset(name)!
        do {
            return (name, try Pattern(source).makeMatcher(), try Pattern(source, fastPath: fast).makeMatcher())
        } catch {
            fatalError("preset \(name) does not compile: \(error)")
        }
    }

    /// Traps on a violation (the fuzz entry point).
    public static func check(_ input: UnsafeBufferPointer<UInt8>) {
        if let violation = violation(input) { preconditionFailure(violation) }
    }

    /// What is wrong with `input`, or `nil` when every property holds.
    public static func violation(_ input: UnsafeBufferPointer<UInt8>) -> String? {
        for (name, plain, fast) in matchers {
            let pieces = plain.split(input)
            if let gap = tilingViolation(pieces, count: input.count) { return "\(name) split: \(gap)" }
            let fastPieces = fast.split(input)
            if let gap = tilingViolation(fastPieces, count: input.count) { return "\(name) fast-path split: \(gap)" }
            if fastPieces != pieces { return "\(name): fast-path split differs from the plain split" }
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
