import Foundation

/// The files of a ``Corpus`` in reading order with their sizes, laid end to end as one stream
/// of bytes: what every task of a job array must agree on to cut the corpus into parts.
///
/// **The cut.** With `T` bytes in all, part `K` of `N` nominally holds the corpus bytes
/// `K*T/N ..< (K+1)*T/N` (rounded down). A document belongs to the part in which its *first
/// byte* lies, so a document that straddles a cut goes whole to the part it starts in. Each
/// part's documents are therefore a contiguous run of the corpus's documents, the runs are in
/// order, and together they hold every document exactly once. ``share(of:)`` turns that into
/// byte ranges of files to read.
///
/// Documents are what ``Corpus`` makes of a file: the whole file (no separator), or the pieces
/// between separators found scanning forward without overlap, empty ones skipped. Without a
/// separator a file is one document, so the parts are whole files.
///
/// ```swift
/// let corpus = try Corpus(inputs: ["data/"], separator: Array("\n\n".utf8))
/// let layout = try CorpusLayout(corpus)
/// let share = try layout.share(of: CorpusPart(index: 2, count: 8))
/// for slice in share.slices { /* read slice.range of slice.path, split it as Corpus does */ }
/// ```
///
/// Every task builds the layout itself from the same inputs: `Corpus` sorts what it finds in
/// folders bytewise, so the order is the same on every machine; ``digest`` lets the tasks'
/// outputs be checked against each other later.
public struct CorpusLayout: Sendable {
    /// One input file.
    public struct File: Sendable, Equatable {
        /// As ``Corpus/files`` has it.
        public let path: String
        /// Its size in bytes when the layout was made.
        public let size: Int
        /// Where its first byte sits in the whole corpus: the sizes of the files before it.
        public let offset: Int
    }

    /// The files in reading order (the order of ``Corpus/files``).
    public let files: [File]
    /// The document separator, or `nil` for one document per file.
    public let separator: [UInt8]?
    /// The sum of the file sizes.
    public let totalBytes: Int
    /// Bytes read at a time near a cut: scanning forward, walking back. A test knob.
    var readBlocks = (scan: 1 << 20, walk: 1 << 16)

    /// Sizes up the files of `corpus`.
    /// - Throws: ``CorpusPart/Error/standardInput`` if `corpus` reads `-`;
    ///   ``Corpus/Error/unreadable(_:_:)`` for a file that cannot be looked at or is not a
    ///   regular file (a pipe's size is unknown until it is read).
    /// - Complexity: one `stat` per file.
    public init(_ corpus: Corpus) throws {
        var files: [File] = []
        files.reserveCapacity(corpus.files.count)
        var offset = 0
        for path in corpus.files {
            if path == "-" { throw CorpusPart.Error.standardInput }
            let size = try FileBytes.size(of: path)
            files.append(File(path: path, size: size, offset: offset))
            offset += size
        }
        self.init(files: files, separator: corpus.separator, totalBytes: offset)
    }

    init(files: [File], separator: [UInt8]?, totalBytes: Int) {
        self.files = files
        self.separator = separator.flatMap { $0.isEmpty ? nil : $0 }
        self.totalBytes = totalBytes
    }

    /// The bytes part `part` nominally holds, before documents are moved to the part they
    /// start in: `K*T/N ..< (K+1)*T/N`, computed without overflow for any `T`.
    /// - Complexity: O(1).
    public func nominalRange(of part: CorpusPart) -> Range<Int> {
        func cut(_ k: Int) -> Int {
            let product = totalBytes.multipliedFullWidth(by: k)
            return part.count.dividingFullWidth(product).quotient
        }
        return cut(part.index) ..< cut(part.index + 1)
    }

    /// What part `part` reads: the files' byte ranges holding exactly the documents that start
    /// in ``nominalRange(of:)``.
    ///
    /// The share runs from the first document starting at or after the part's nominal start
    /// to the first document starting at or after the next part's nominal start (or the end of
    /// the corpus). Both ends are found with ``documentStart(atOrAfter:)``, so part K's end and
    /// part K+1's start are the same offset, whichever task computes them.
    ///
    /// - Throws: ``Corpus/Error/unreadable(_:_:)``, ``CorpusPart/Error/fileChanged(path:expected:found:)``.
    /// - Complexity: O(files) without a separator (no reading). With one, it reads the tail
    ///   of the document that straddles each of the two cuts, plus, for a separator that can
    ///   overlap itself (`"\n\n"`), back over any run of overlapping copies of it before a cut.
    public func share(of part: CorpusPart) throws -> CorpusShare {
        let nominal = nominalRange(of: part)
        let start = try documentStart(atOrAfter: nominal.lowerBound)
        let end = part.index + 1 == part.count ? totalBytes : try documentStart(atOrAfter: nominal.upperBound)
        var slices: [CorpusShare.Slice] = []
        for f in files[firstFile(endingAfter: start)...] {
            if f.offset >= end { break }
            let lo = max(start, f.offset) - f.offset, hi = min(end, f.offset + f.size) - f.offset
            if lo < hi { slices.append(.init(path: f.path, range: lo ..< hi)) }
        }
        return CorpusShare(part: part, range: start ..< end, slices: slices)
    }

    /// The documents of part `part` as a ``Corpus`` to read: its ``share(of:)``, each slice
    /// read and split as ``Corpus`` splits a whole file. Reading every part's corpus gives the
    /// documents of the whole corpus, each once, in order; a part in which no document starts
    /// (more parts than documents) has no files.
    ///
    /// ```swift
    /// let corpus = try CorpusLayout(Corpus(inputs: ["data/"], separator: sep)).corpus(for: part)
    /// try trainer.countChunks(in: corpus)
    /// ```
    /// - Throws: as ``share(of:)``.
    public func corpus(for part: CorpusPart) throws -> Corpus {
        corpus(of: try share(of: part))
    }

    /// The documents of `share` (made by ``share(of:)``) as a ``Corpus`` to read.
    public func corpus(of share: CorpusShare) -> Corpus {
        Corpus(slices: share.slices.map { ($0.path, $0.range) }, separator: separator)
    }

    /// The corpus offset of the first document that starts at or after `offset`, or
    /// ``totalBytes`` if none does.
    /// - Complexity: O(log files) without a separator; with one, as in ``share(of:)``.
    public func documentStart(atOrAfter offset: Int) throws -> Int {
        guard offset < totalBytes else { return totalBytes }
        for f in files[firstFile(endingAfter: offset)...] where f.size > 0 {
            let local = max(offset - f.offset, 0)
            guard let separator else {
                // A file is one document, starting at its first byte.
                if local == 0 { return f.offset }
                continue
            }
            let bytes = try FileBytes(path: f.path, size: f.size)
            bytes.blocks = readBlocks
            if let s = try bytes.firstDocumentStart(separator: separator, atOrAfter: local) { return f.offset + s }
        }
        return totalBytes
    }

    /// The index of the first file whose bytes end after `offset` (`files.count` if none).
    private func firstFile(endingAfter offset: Int) -> Int {
        var lo = 0, hi = files.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if files[mid].offset + files[mid].size > offset { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// A short fingerprint of the layout: the separator, then each file's path and size, in
    /// order (64-bit FNV-1a, 16 hex digits). Tasks that agree on it cut the same corpus the
    /// same way; outputs of tasks with different digests do not belong together.
    public var digest: String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) {
            for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        }
        mix(separator.map { [1] + $0 } ?? [0])
        for f in files {
            mix([0x0A]); mix(f.path.utf8); mix([0x00]); mix(String(f.size).utf8)
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// One task's share of a corpus: see ``CorpusLayout/share(of:)``.
public struct CorpusShare: Sendable, Equatable {
    /// A byte range of one file.
    public struct Slice: Sendable, Equatable {
        public let path: String
        /// Offsets within the file.
        public let range: Range<Int>
    }

    /// Which part this is.
    public let part: CorpusPart
    /// The share in corpus offsets (see ``CorpusLayout/File/offset``); empty when no document
    /// starts in the part (more parts than documents).
    public let range: Range<Int>
    /// What to read, in order. Each slice starts where a document starts, so splitting its
    /// bytes afresh (as ``Corpus`` splits a file) gives exactly the corpus's documents; the
    /// last may end with separators, which splitting drops. Empty files are left out.
    public let slices: [Slice]
}
