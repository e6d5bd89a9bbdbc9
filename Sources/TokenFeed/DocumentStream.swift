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
