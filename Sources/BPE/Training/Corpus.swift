import Foundation

/// The documents of a training corpus, read in bounded blocks.
///
/// Inputs are files, directories (walked recursively, in sorted order), glob patterns and
/// `-` for standard input. A file is one document, or `separator` splits it into documents.
///
/// Memory stays bounded: files are read ``blockSize`` bytes at a time and handed out as
/// ``Block``s of whole documents. A document longer than a block is cut, but only at a
/// ``SafeCut`` (`…a\nB…`), where the GPT-2, cl100k and o200k patterns all end a piece
/// whether or not the text goes on, so counts are identical to reading it whole.
public struct Corpus: Sendable {
    /// A run of whole documents (or safe fragments of one) from one file.
    public struct Block: Sendable {
        /// The bytes; documents are ranges of it (separators left out, empty documents skipped).
        public var bytes: [UInt8]
        public var documents: [Range<Int>]
        /// `documents[0]` continues the last document of the previous block of this file:
        /// that block was cut inside a document, at a ``SafeCut``. Every other document starts
        /// in this block, and every document but the last one of a block that continues into
        /// the next ends in it.
        public var continuesDocument: Bool
        /// Where `bytes[0]` sits in its file, for error messages.
        public var file: String
        public var fileOffset: Int
    }

    public enum Error: Swift.Error, CustomStringConvertible, Equatable {
        case notFound(String)
        case unreadable(String, String)
        case noInput
        case invalidUTF8(file: String, offset: Int)
        /// The separator is empty (pass `nil` for one document per file).
        case emptySeparator

        /// The message, with each parameter spelled by `name` (a command line names its flags).
        public func message(naming name: (Trainer.Parameter) -> String) -> String {
            switch self {
            case .notFound(let p): return "\(p): no such file, directory or matching glob"
            case .unreadable(let p, let why): return "\(p): cannot read: \(why)"
            case .noInput: return "the corpus is empty: no input files were given or found"
            case .invalidUTF8(let f, let o):
                return "\(f): invalid UTF-8 at byte \(o); fix the file, or use \(name(.lossy)) to replace bad bytes with U+FFFD"
            case .emptySeparator: return "\(name(.separator)) must not be empty"
            }
        }

        public var description: String { message(naming: \.rawValue) }
    }

    /// The files to read, in order (`-` is standard input).
    public let files: [String]
    /// Splits a file into documents; `nil` makes each file one document.
    public let separator: [UInt8]?
    public var blockSize = 8 << 20
    /// For each of ``files``, the byte range to read, or `nil` for all of it. Set for one
    /// task's share of a corpus (``CorpusLayout/corpus(for:)``): each range starts where a
    /// document starts, so it splits as the whole file does there.
    public let ranges: [Range<Int>?]

    /// Expands `inputs` into files. Directories are walked recursively (hidden entries
    /// skipped), sorted bytewise so the order is the same on every machine.
    /// - Throws: ``Error/notFound(_:)`` for an input that matches nothing,
    ///   ``Error/emptySeparator`` (see ``validate(separator:)``).
    public init(inputs: [String], separator: [UInt8]? = nil) throws(Error) {
        try Self.validate(separator: separator)
        var files: [String] = []
        let fm = FileManager.default
        for input in inputs {
            if input == "-" { files.append("-"); continue }
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: input, isDirectory: &isDir) {
                if isDir.boolValue {
                    guard let walker = fm.enumerator(atPath: input) else { throw .unreadable(input, "cannot list directory") }
                    var found: [String] = []
                    while let rel = walker.nextObject() as? String {
                        let name = (rel as NSString).lastPathComponent
                        if name.hasPrefix(".") {
                            if (walker.fileAttributes?[.type] as? FileAttributeType) == .typeDirectory { walker.skipDescendants() }
                            continue
                        }
                        let full = (input as NSString).appendingPathComponent(rel)
                        var sub: ObjCBool = false
                        if fm.fileExists(atPath: full, isDirectory: &sub), !sub.boolValue { found.append(full) }
                    }
                    files += found.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
                } else {
                    files.append(input)
                }
            } else if input.contains(where: { "*?[".contains($0) }) {
                let matches = Self.glob(input)
                if matches.isEmpty { throw .notFound(input) }
                files += matches
            } else {
                throw .notFound(input)
            }
        }
        self.files = files
        self.separator = separator
        ranges = Array(repeating: nil, count: files.count)
    }

    /// The given byte ranges of files, in order: one task's share (see ``CorpusLayout``).
    init(slices: [(path: String, range: Range<Int>)], separator: [UInt8]?) {
        files = slices.map(\.path)
        ranges = slices.map(\.range)
        self.separator = separator
    }

    /// Refuses an empty separator, which would split a file at every position.
    /// - Throws: ``Error/emptySeparator``.
    public static func validate(separator: [UInt8]?) throws(Error) {
        if separator?.isEmpty == true { throw .emptySeparator }
    }

    static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Foundation.glob(pattern, 0, nil, &g) == 0 else { return [] }
        return (0..<Int(g.gl_pathc)).compactMap { g.gl_pathv[$0].map { String(cString: $0) } }
            .filter { var d: ObjCBool = false; return FileManager.default.fileExists(atPath: $0, isDirectory: &d) && !d.boolValue }
    }

    /// Reads every file in order and calls `body` with blocks of whole documents.
    /// `body` may be called with several blocks of the same file.
    /// - Complexity: O(corpus size); memory O(block size + longest uncuttable document).
    public func forEachBlock(_ body: (Block) throws -> Void) throws {
        for (file, range) in zip(files, ranges) {
            let handle: FileHandle
            if file == "-" {
                handle = FileHandle.standardInput
            } else {
                guard let h = FileHandle(forReadingAtPath: file) else {
                    throw Error.unreadable(file, String(cString: strerror(errno)))
                }
                handle = h
            }
            defer { if file != "-" { try? handle.close() } }
            var pending: [UInt8] = []
            var pendingOffset = 0
            // What is left of the range to read (all of the file without one).
            var left = Int.max
            if let range {
                do { try handle.seek(toOffset: UInt64(range.lowerBound)) } catch {
                    throw Error.unreadable(file, error.localizedDescription)
                }
                pendingOffset = range.lowerBound
                left = range.count
            }
            var splitter = separator.map { DocumentSplitter(separator: $0) }
            var scanned = 0   // pending[..<scanned] holds no safe cut
            var insideDocument = false   // the last block was cut at a safe cut
            while true {
                let data: Data
                do { data = left == 0 ? Data() : try handle.read(upToCount: min(blockSize, left)) ?? Data() } catch {
                    throw Error.unreadable(file, error.localizedDescription)
                }
                if left != Int.max { left -= data.count }
                let atEnd = data.isEmpty
                pending.append(contentsOf: data)
                splitter?.search(pending)
                // Safe cuts are looked for only where the separator search has been, so that
                // no separator straddles the cut.
                let searchedTo = min(pending.count, (splitter?.searched ?? pending.count) + 1)
                if atEnd || pending.count >= blockSize {
                    // End a block after the last separator, so blocks split into the same
                    // documents as the whole file; in a long document without one, at a safe
                    // cut; else keep reading.
                    let afterSeparator = splitter?.lastEnd ?? 0
                    let cut = atEnd ? pending.count
                        : afterSeparator > 0 ? afterSeparator
                        : pending.withUnsafeBufferPointer {
                            SafeCut.last(in: UnsafeBufferPointer(rebasing: $0[..<searchedTo]), after: scanned)
                        } ?? 0
                    if cut > 0 {
                        let documents = splitter?.takeDocuments(upTo: cut) ?? [0..<cut]
                        try body(Block(bytes: Array(pending[0..<cut]), documents: documents,
                                       continuesDocument: insideDocument && documents.first?.lowerBound == 0,
                                       file: file, fileOffset: pendingOffset))
                        insideDocument = cut != afterSeparator
                        pending.removeFirst(cut)
                        pendingOffset += cut
                    }
                    // What is left after the last cut has none either, as far as searched.
                    scanned = max(0, searchedTo - cut)
                }
                if atEnd { break }
            }
        }
    }
}
