import BPE
import BPERegex

/// The pre-tokenizer's contract on any bytes, valid UTF-8 or not, for the GPT presets:
/// the pieces are non-empty and tile the input (no gap, no overlap, in order), and the
/// ASCII fast path changes nothing (``FastPath``'s promise). A violation traps.
enum SplitCheck {
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

    static func check(_ input: UnsafeBufferPointer<UInt8>) {
        for (name, plain, fast) in matchers {
            let pieces = plain.split(input)
            checkTiling(pieces, count: input.count, what: "\(name) split")
            let fastPieces = fast.split(input)
            checkTiling(fastPieces, count: input.count, what: "\(name) fast-path split")
            precondition(fastPieces == pieces, "\(name): fast-path split differs from the plain split")
        }
    }

    static func checkTiling(_ pieces: [Range<Int>], count: Int, what: String) {
        var next = 0
        for (i, r) in pieces.enumerated() {
            precondition(!r.isEmpty, "\(what): piece \(i) is empty (\(r))")
            precondition(r.lowerBound == next,
                         "\(what): piece \(i) \(r) starts at \(r.lowerBound), expected \(next) (gap or overlap)")
            next = r.upperBound
        }
        precondition(next == count, "\(what): pieces end at \(next), input has \(count) bytes")
    }
}
