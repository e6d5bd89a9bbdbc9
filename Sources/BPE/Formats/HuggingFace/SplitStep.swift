import BPERegex

/// One splitting pre-tokenizer of a `tokenizer.json`: `Split` (a regex or a literal string,
/// with a `behavior` and `invert`) or `Digits`, which `tokenizers` runs as a split on
/// `char::is_numeric` (`\p{N}`), `Isolated` with `individual_digits`, else `Contiguous`.
///
/// A split turns a piece into spans, each a match of the pattern or the text between two
/// matches; `invert` swaps the two kinds; the behavior then decides what becomes a piece:
///
/// | behavior | `"a1b23"` with `\d` |
/// |---|---|
/// | `Isolated` | `a`, `1`, `b`, `2`, `3` |
/// | `Removed` | `a`, `b` |
/// | `MergedWithPrevious` | `a1`, `b2`, `3` |
/// | `MergedWithNext` | `a`, `1b`, `2`, `3` |
/// | `Contiguous` | `a`, `1`, `b`, `23` |
///
/// (These folds are `tokenizers`' `NormalizedString::split`, rule for rule.)
struct SplitStep {
    enum Behavior: String, CaseIterable {
        case removed = "Removed", isolated = "Isolated", mergedWithPrevious = "MergedWithPrevious"
        case mergedWithNext = "MergedWithNext", contiguous = "Contiguous"
    }
    enum Matching {
        case regex(Pattern)
        /// A `String` pattern: non-overlapping occurrences, left to right.
        case literal([UInt8])
    }
    let matching: Matching
    let behavior: Behavior
    let invert: Bool

    var pattern: Pattern? {
        if case .regex(let p) = matching { return p }
        return nil
    }

    /// Appends the pieces of `text` as (start, end, _) to `out`.
    /// - Complexity: O(n) plus the matching.
    func pieces(of text: UnsafeBufferPointer<UInt8>, matcher: Matcher?, spans: inout [(Int, Int, Bool)],
                into out: inout [(Int, Int, Bool)]) {
        // Spans: (start, end, isMatch), tiling the text.
        spans.removeAll(keepingCapacity: true)
        var previous = 0
        func add(_ r: Range<Int>) {
            if r.lowerBound > previous { spans.append((previous, r.lowerBound, invert)) }
            spans.append((r.lowerBound, r.upperBound, !invert))
            previous = r.upperBound
        }
        switch matching {
        case .regex:
            matcher!.forEachPiece(in: text) { (r: Range<Int>) in add(r) }
        case .literal(let needle):
            var i = 0
            let n = needle.count
            while i + n <= text.count {
                var hit = true
                for k in 0..<n where text[i + k] != needle[k] { hit = false; break }
                if hit { add(i..<(i + n)); i += n } else { i += 1 }
            }
        }
        if previous < text.count { spans.append((previous, text.count, invert)) }
        out.removeAll(keepingCapacity: true)
        switch behavior {
        case .isolated:
            out.append(contentsOf: spans)
        case .removed:
            for s in spans where !s.2 { out.append(s) }
        case .contiguous:
            var previousMatch = false
            for s in spans {
                if s.2 == previousMatch, !out.isEmpty { out[out.count - 1].1 = s.1 } else { out.append(s) }
                previousMatch = s.2
            }
        case .mergedWithPrevious:
            var previousMatch = false
            for s in spans {
                if s.2 && !previousMatch, !out.isEmpty { out[out.count - 1].1 = s.1 } else { out.append(s) }
                previousMatch = s.2
            }
        case .mergedWithNext:
            var previousMatch = false
            for s in spans.reversed() {
                if s.2 && !previousMatch, !out.isEmpty { out[out.count - 1].0 = s.0 } else { out.append(s) }
                previousMatch = s.2
            }
            out.reverse()
        }
    }
}
