import Foundation
import SafeFiles

/// Finding where documents start near a cut, reading only the bytes around it.
///
/// ``Corpus`` splits a file scanning forward for the separator and, after each one it finds,
/// resumes just past it (like Python's `str.split`). For a separator that can overlap itself
/// that choice depends on everything before: in `A\n\n\n\nB` with `"\n\n"` the copies taken
/// are at 1 and 3, not 2, and `"\n\n\n"` + `B` splits as `["", "\nB"]` (an empty document,
/// then `\nB`). A scan started at an arbitrary point can take the wrong copies.
///
/// The forward scan looks at every position except those inside a copy it took. So at a
/// position `q` that no copy of the separator straddles (none starts in `q-m+1 ..< q`, for
/// `m` separator bytes), the scan certainly looks at `q`, and from there on behaves exactly as a
/// scan started fresh at `q`. To find the first document at or after `a`, we step back from
/// `a - m` (so a separator ending exactly at `a` is seen) to such a `q`: while a copy straddles
/// `q`, move `q` to the leftmost copy that does. That walk only crosses a run of overlapping
/// copies (a long run of newlines, say), and for a separator that cannot overlap itself it takes
/// at most one step. Then scan forward from `q` to the first non-empty document starting at or
/// after `a`.
extension FileBytes {
    /// The offset of the first non-empty document at or after `a` in this file split at
    /// `separator`, or `nil` if there is none.
    /// - Complexity: O(bytes from the walk's end point to the answer), in blocks.
    func firstDocumentStart(separator sep: [UInt8], atOrAfter a: Int) throws -> Int? {
        let n = size, m = sep.count
        guard a < n else { return nil }
        let q = try scanStart(separator: sep, before: max(a - m, 0))
        // A document starts at q only at the file's start; elsewhere q may be mid-document,
        // which is fine: q < a then, so that document is not wanted.
        var candidate: Int? = q == 0 ? 0 : nil
        var i = q
        while i + m <= n {
            let end = min(n, i + blocks.scan + m - 1)
            let block = try read(i ..< end)
            var p = i
            let last = end - m
            var found: Int?
            block.withUnsafeBufferPointer { b in
                let first = sep[0]
                while p <= last {
                    let j = p - i
                    if b[j] == first && sep.withUnsafeBufferPointer({ s in bytesEqual(b.baseAddress! + j, s.baseAddress!, m) }) {
                        // A separator at p ends the document begun at `candidate`.
                        if let c = candidate, c < p, c >= a { found = c; return }
                        candidate = p + m
                        p += m
                    } else {
                        p += 1
                    }
                }
            }
            if let found { return found }
            i = p
        }
        if let c = candidate, c < n, c >= a { return c }
        return nil
    }

    /// A position `q <= from` where the forward scan for `sep` is certainly free (no copy of
    /// `sep` straddles it), found by walking back over copies that do.
    func scanStart(separator sep: [UInt8], before from: Int) throws -> Int {
        let n = size, m = sep.count
        var q = from
        var window: [UInt8] = []
        var windowStart = 0, windowEnd = 0
        while q > 0 {
            // Copies straddling q start in lo ..< q and need bytes up to q + m - 1.
            let lo = max(q - m + 1, 0), hi = min(q + m - 1, n)
            if lo < windowStart || hi > windowEnd || window.isEmpty {
                windowStart = max(0, lo - blocks.walk)
                windowEnd = hi
                window = try read(windowStart ..< windowEnd)
            }
            var straddler: Int?
            var j = lo
            while j < q {
                if j + m <= n, window[(j - windowStart) ..< (j - windowStart + m)].elementsEqual(sep) {
                    straddler = j
                    break
                }
                j += 1
            }
            guard let s = straddler else { break }
            q = s
        }
        return q
    }
}

/// Random access to one file by byte offset (`pread`), for the few bytes around a cut.
final class FileBytes {
    let path: String
    let size: Int
    private let fd: Int32
    /// Bytes read at a time: scanning forward, walking back (small in tests, to cross blocks).
    var blocks = (scan: 1 << 20, walk: 1 << 16)

    /// Opens `path`, expected to hold `size` bytes.
    /// - Throws: ``Corpus/Error/unreadable(_:_:)``, or ``CorpusPart/Error/fileChanged(path:expected:found:)``
    ///   if its size is not `size` any more.
    init(path: String, size: Int) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Corpus.Error.unreadable(path, String(cString: strerror(errno))) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw Corpus.Error.unreadable(path, why)
        }
        guard Int(st.st_size) == size else {
            close(fd)
            throw CorpusPart.Error.fileChanged(path: path, expected: size, found: Int(st.st_size))
        }
        self.path = path
        self.size = size
        self.fd = fd
    }

    deinit { close(fd) }

    /// The size of a regular file.
    /// - Throws: ``Corpus/Error/unreadable(_:_:)``, also for a pipe or device, whose size is
    ///   not known before reading it.
    static func size(of path: String) throws -> Int {
        var st = stat()
        guard stat(path, &st) == 0 else { throw Corpus.Error.unreadable(path, String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw Corpus.Error.unreadable(path, "not a regular file, so it cannot be cut into parts (its size is unknown until it is read)")
        }
        return Int(st.st_size)
    }

    /// The bytes in `range`.
    /// - Throws: ``CorpusPart/Error/fileChanged(path:expected:found:)`` if the file ends early.
    func read(_ range: Range<Int>) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: range.count)
        let done: Int
        do {
            done = try out.withUnsafeMutableBytes { buf throws(SystemError) in
                try FileDescriptor.readFull(fd, into: buf, at: range.lowerBound)
            }
        } catch {
            throw Corpus.Error.unreadable(path, String(describing: error))
        }
        if done < range.count {
            var st = stat()
            let now = fstat(fd, &st) == 0 ? Int(st.st_size) : range.lowerBound + done
            throw CorpusPart.Error.fileChanged(path: path, expected: size, found: now)
        }
        return out
    }
}
