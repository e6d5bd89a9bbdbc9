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
        /// The bytes; documents are ranges of it.
        public var bytes: [UInt8]
        public var documents: [Range<Int>]
        /// Where `bytes[0]` sits in its file, for error messages.
        public var file: String
        public var fileOffset: Int
    }

    public enum Error: Swift.Error, CustomStringConvertible, Equatable {
        case notFound(String)
        case unreadable(String, String)
        case noInput
        case invalidUTF8(file: String, offset: Int)

        public var description: String {
            switch self {
            case .notFound(let p): return "\(p): no such file, directory or matching glob"
            case .unreadable(let p, let why): return "\(p): cannot read: \(why)"
            case .noInput: return "the corpus is empty: no input files were given or found"
            case .invalidUTF8(let f, let o):
                return "\(f): invalid UTF-8 at byte \(o); fix the file or pass --lossy to replace bad bytes with U+FFFD"
            }
        }
    }

    /// The files to read, in order (`-` is standard input).
    public let files: [String]
    /// Splits a file into documents; `nil` makes each file one document.
    public let separator: [UInt8]?
    public var blockSize = 8 << 20

    /// Expands `inputs` into files. Directories are walked recursively (hidden entries
    /// skipped), sorted bytewise so the order is the same on every machine.
    /// - Throws: ``Error/notFound(_:)`` for an input that matches nothing.
    public init(inputs: [String], separator: [UInt8]? = nil) throws(Error) {
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
        self.separator = separator.flatMap { $0.isEmpty ? nil : $0 }
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
        for file in files {
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
            var separators = SeparatorScan(separator: separator)
            var scanned = 0   // pending[..<scanned] holds no safe cut
            while true {
                let data: Data
                do { data = try handle.read(upToCount: blockSize) ?? Data() } catch {
                    throw Error.unreadable(file, error.localizedDescription)
                }
                let atEnd = data.isEmpty
                pending.append(contentsOf: data)
                separators.advance(over: pending)
                if atEnd || pending.count >= blockSize {
                    // End a block after the last separator, found scanning forward as `split`
                    // does, so blocks split into the same documents as the whole file; in a
                    // long document without one, at a safe cut; else keep reading.
                    let cut = atEnd ? pending.count
                        : separators.lastEnd > 0 ? separators.lastEnd
                        : pending.withUnsafeBufferPointer { SafeCut.last(in: $0, after: scanned) } ?? 0
                    if cut > 0 {
                        var block = Block(bytes: Array(pending[0..<cut]), documents: [], file: file, fileOffset: pendingOffset)
                        block.documents = split(block.bytes, final: atEnd)
                        try body(block)
                        pending.removeFirst(cut)
                        pendingOffset += cut
                        separators.dropFirst(cut)
                    }
                    // What is left after the last cut has none either.
                    scanned = pending.count
                }
                if atEnd { break }
            }
        }
    }

    /// The forward, non-overlapping search for separators that `split` does, kept across
    /// reads so each byte is looked at once however long a document runs.
    struct SeparatorScan {
        let separator: [UInt8]?
        /// Where the search resumes: every separator starting before it has been found.
        private(set) var next = 0
        /// The end of the last separator found, or 0.
        private(set) var lastEnd = 0

        mutating func advance(over bytes: [UInt8]) {
            guard let sep = separator, !sep.isEmpty else { return }
            let m = sep.count
            while next + m <= bytes.count {
                if bytes[next] == sep[0] && bytes[next..<(next + m)].elementsEqual(sep) {
                    next += m
                    lastEnd = next
                } else {
                    next += 1
                }
            }
        }

        /// The first `count` bytes are gone.
        mutating func dropFirst(_ count: Int) {
            next = max(0, next - count)
            lastEnd = max(0, lastEnd - count)
        }
    }

    /// Document ranges in `bytes`; separators are dropped, empty documents skipped.
    func split(_ bytes: [UInt8], final: Bool) -> [Range<Int>] {
        guard let sep = separator else { return bytes.isEmpty ? [] : [0..<bytes.count] }
        var docs: [Range<Int>] = []
        var start = 0
        var i = 0
        let n = bytes.count, m = sep.count
        while i + m <= n {
            if bytes[i] == sep[0] && bytes[i..<(i + m)].elementsEqual(sep) {
                if i > start { docs.append(start..<i) }
                i += m
                start = i
            } else {
                i += 1
            }
        }
        if start < n { docs.append(start..<n) }
        return docs
    }
}
