/// Splits text into documents at a separator: the one splitter of the package.
///
/// The search runs forward and matches do not overlap, as in Python's `str.split`
/// (`"a\n\n\nb".split("\n\n")` is `["a", "\nb"]`); separators are dropped and empty
/// documents skipped. It is kept across reads: ``Corpus`` hands it the growing buffer after
/// every read and takes the documents of each block it cuts, so each byte is searched once,
/// however the file arrives, and a block splits exactly as the whole file would.
///
/// ```swift
/// DocumentSplitter.documents(in: Array("a\n\n\nb".utf8), separator: Array("\n\n".utf8))
/// // [0..<1, 3..<5]: "a" and "\nb"
/// ```
/// - Complexity: O(n·m) worst case for n bytes and an m-byte separator, O(n) for text (the
///   first byte rules out almost every position).
struct DocumentSplitter {
    let separator: [UInt8]
    /// Every separator starting before this has been found.
    private(set) var searched = 0
    /// Starts of the separators found and not yet taken, in order.
    private var starts: [Int] = []

    init(separator: [UInt8]) {
        precondition(!separator.isEmpty, "an empty separator splits nothing")
        self.separator = separator
    }

    /// The end of the last separator found, or 0.
    var lastEnd: Int { starts.last.map { $0 + separator.count } ?? 0 }

    /// Searches the bytes added since the last call; `bytes` holds the earlier ones first.
    mutating func search(_ bytes: [UInt8]) {
        let m = separator.count
        guard bytes.count >= m else { return }
        bytes.withUnsafeBufferPointer { b in
            separator.withUnsafeBufferPointer { sep in
                let first = sep[0]
                var i = searched
                while i + m <= b.count {
                    if b[i] == first && bytesEqual(b.baseAddress! + i, sep.baseAddress!, m) {
                        starts.append(i)
                        i += m
                    } else {
                        i += 1
                    }
                }
                searched = i
            }
        }
    }

    /// The documents of `bytes[0..<cut]`, which are then forgotten: later positions count
    /// from `cut`. `cut` is the end of a separator, a point no separator found straddles, or
    /// the end of the input.
    mutating func takeDocuments(upTo cut: Int) -> [Range<Int>] {
        let m = separator.count
        var documents: [Range<Int>] = []
        var start = 0
        var taken = 0
        for s in starts where s + m <= cut {
            if s > start { documents.append(start..<s) }
            start = s + m
            taken += 1
        }
        if start < cut { documents.append(start..<cut) }
        starts = starts.dropFirst(taken).map { $0 - cut }
        searched = max(0, searched - cut)
        return documents
    }

    /// The documents of the whole of `bytes`.
    static func documents(in bytes: [UInt8], separator: [UInt8]) -> [Range<Int>] {
        var splitter = DocumentSplitter(separator: separator)
        splitter.search(bytes)
        return splitter.takeDocuments(upTo: bytes.count)
    }
}
