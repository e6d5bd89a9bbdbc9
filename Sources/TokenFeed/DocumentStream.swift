import BPE

/// Turns ``Corpus`` blocks into pieces of documents, each marked with whether it starts a
/// document, so a document cut across blocks gets one `<|endoftext|>`, not one per block.
///
/// Documents are the file split at every separator, scanning forward like Python's
/// `str.split` (`"a\n\n\nb".split("\n\n")` is `["a", "\nb"]`), empty ones dropped; without a
/// separator a file is one document. ``Corpus`` ends its blocks just after the last separator
/// that the same forward scan finds, so a block ends a document; should it not (the carry
/// below), the bytes after the last match are carried into the next block rather than
/// trusting the block's own split. A block with no separator at all was cut at a point where no
/// split pattern joins across (see ``Corpus``): it is emitted as a continuation piece, which
/// keeps memory bounded for documents of any length.
struct DocumentStream {
    /// Bytes plus the document pieces in them.
    struct Chunk {
        var bytes: [UInt8]
        var file: String
        /// Where `bytes[0]` sits in `file`.
        var fileOffset: Int
        var pieces: [Piece]
    }

    struct Piece {
        var range: Range<Int>
        /// The first bytes of a document (gets an `<|endoftext|>` before it).
        var startsDocument: Bool
    }

    let separator: [UInt8]?
    private var carry: [UInt8] = []
    private var carryFile = ""
    private var carryOffset = 0
    /// Some piece of the current document has been emitted and no separator has ended it.
    private var open = false

    init(separator: [UInt8]?) {
        self.separator = separator.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The pieces of `block`, after any left over from the previous file.
    mutating func feed(_ block: Corpus.Block) -> [Chunk] {
        var out: [Chunk] = []
        if block.fileOffset == 0, let last = finish() { out.append(last) }
        guard let sep = separator else {
            // One document per file: every block after the first continues it.
            out.append(Chunk(bytes: block.bytes, file: block.file, fileOffset: block.fileOffset,
                             pieces: block.bytes.isEmpty ? [] : [Piece(range: 0..<block.bytes.count, startsDocument: block.fileOffset == 0)]))
            open = true
            return out
        }
        let base = carry.isEmpty ? block.fileOffset : carryOffset
        let bytes = carry.isEmpty ? block.bytes : carry + block.bytes
        carry = []
        var pieces: [Piece] = []
        var start = 0
        var sawSeparator = false
        Self.forEachSeparator(sep, in: bytes) { at in
            if at > start { pieces.append(Piece(range: start..<at, startsDocument: !open)) }
            open = false
            sawSeparator = true
            start = at + sep.count
        }
        if !sawSeparator {
            if start < bytes.count {
                pieces.append(Piece(range: start..<bytes.count, startsDocument: !open))
                open = true
            }
        } else if start < bytes.count {
            carry = Array(bytes[start...])
            carryFile = block.file
            carryOffset = base + start
        }
        out.append(Chunk(bytes: bytes, file: block.file, fileOffset: base, pieces: pieces))
        return out
    }

    /// Ends the current file: the carried bytes, if any, are its last document.
    mutating func finish() -> Chunk? {
        defer { carry = []; open = false }
        guard !carry.isEmpty else { return nil }
        return Chunk(bytes: carry, file: carryFile, fileOffset: carryOffset,
                     pieces: [Piece(range: 0..<carry.count, startsDocument: !open)])
    }

    /// Calls `body` with the start of every separator in `bytes`, left to right, not
    /// overlapping. - Complexity: O(n·m) worst case, O(n) for text.
    static func forEachSeparator(_ sep: [UInt8], in bytes: [UInt8], _ body: (Int) -> Void) {
        let n = bytes.count, m = sep.count
        guard m > 0, n >= m else { return }
        let first = sep[0]
        var i = 0
        while i + m <= n {
            if bytes[i] == first && bytes[i..<(i + m)].elementsEqual(sep) {
                body(i)
                i += m
            } else {
                i += 1
            }
        }
    }
}

/// Points where text may be cut without changing its encoding, for the built-in split
/// patterns: just after a newline that follows an ASCII letter or digit and precedes an ASCII
/// letter (`…a\nB…`). All three patterns (GPT-2, cl100k, o200k) end a piece at such a
/// newline whatever follows, so encoding the parts and concatenating gives the tokens of the
/// whole. (The same rule as ``Corpus``'s block cuts.)
enum SafeCut {
    /// Cuts `range` of `bytes` into parts of roughly `target` bytes at safe points; a part
    /// with no safe point inside stays whole.
    /// - Complexity: O(range.count).
    static func split(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, target: Int) -> [Range<Int>] {
        guard range.count > target * 3 / 2 else { return [range] }
        var parts: [Range<Int>] = []
        var start = range.lowerBound
        while range.upperBound - start > target * 3 / 2 {
            guard let cut = firstCut(bytes, from: start + target, to: range.upperBound - target / 2) else { break }
            parts.append(start..<cut)
            start = cut
        }
        parts.append(start..<range.upperBound)
        return parts
    }

    /// The first safe cut in `from..<to` (a cut is the index just after the newline).
    static func firstCut(_ b: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        var i = max(from - 1, 1)
        while i + 1 < to {
            if b[i] == 0x0A && isLetter(b[i + 1]) && (isLetter(b[i - 1]) || isDigit(b[i - 1])) { return i + 1 }
            i += 1
        }
        return nil
    }

    @inline(__always) static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
}

enum UTF8Check {
    /// The offset of the first ill-formed UTF-8 sequence, or `nil` if `b` is valid.
    /// Well-formed means Unicode's table 3-7: no overlongs, no surrogates, nothing past U+10FFFF.
    /// - Complexity: O(n); ASCII runs are checked eight bytes at a time.
    static func firstInvalid(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = b.count
        guard let base = b.baseAddress else { return nil }
        var i = 0
        while i < n {
            while i + 8 <= n, UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
            }
            guard i < n else { break }
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
            let length: Int
            switch c {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lo = 0xA0
            case 0xED: length = 3; hi = 0x9F
            case 0xE1...0xEF: length = 3
            case 0xF0: length = 4; lo = 0x90
            case 0xF4: length = 4; hi = 0x8F
            case 0xF1...0xF3: length = 4
            default: return i
            }
            guard i + length <= n, b[i + 1] >= lo, b[i + 1] <= hi else { return i }
            for k in 2..<length where b[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }
}
