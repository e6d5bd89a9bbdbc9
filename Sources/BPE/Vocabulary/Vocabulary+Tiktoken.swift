import Foundation
import SafeFiles

extension Vocabulary {
    /// Parses the `.tiktoken` format: one `base64(token) rank` line per token.
    ///
    /// As strict as tiktoken's `load_tiktoken_bpe`, and stricter where it would fail later:
    /// - empty lines are skipped and CRLF line ends accepted (tiktoken does both);
    /// - a line must be exactly two fields separated by spaces, the second a decimal rank;
    /// - ranks and tokens distinct, all 256 single bytes present;
    /// - ranks may skip ids (p50k_base skips 50256), which an ``Encoding`` then requires to be
    ///   special tokens' ids.
    /// Every error names the line.
    ///
    /// ```swift
    /// let v = try Vocabulary(tiktoken: Array("IQ== 0\nIg== 1\n".utf8))  // (needs all 256 bytes)
    /// ```
    /// - Complexity: O(file size), plus building the merge tables (see ``init(tokens:)``).
    public convenience init(tiktoken data: [UInt8], source: String? = nil) throws(VocabularyError) {
        var tokens: [[UInt8]?] = []
        var lineOfRank: [Int] = []
        var token: [UInt8] = []
        var lineNumber = 0
        let result: VocabularyError? = data.withUnsafeBufferPointer { buf -> VocabularyError? in
            let n = buf.count
            var i = 0
            while i < n {
                lineNumber += 1
                var end = i
                while end < n && buf[end] != UInt8(ascii: "\n") { end += 1 }
                let next = end + 1
                var lineEnd = end
                if lineEnd > i && buf[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                defer { i = next }
                if lineEnd == i { continue }
                // Field 1: base64 up to the first space.
                var sp = i
                while sp < lineEnd && buf[sp] != UInt8(ascii: " ") { sp += 1 }
                guard sp < lineEnd else {
                    return .malformedLine(line: lineNumber, reason: "missing rank", source: source)
                }
                var rs = sp
                while rs < lineEnd && buf[rs] == UInt8(ascii: " ") { rs += 1 }
                token.removeAll(keepingCapacity: true)
                guard Base64.decode(UnsafeBufferPointer(rebasing: buf[i..<sp]), into: &token) else {
                    return .malformedLine(line: lineNumber, reason: "token is not valid base64", source: source)
                }
                guard rs < lineEnd else {
                    return .malformedLine(line: lineNumber, reason: "missing rank", source: source)
                }
                var rank = 0
                var k = rs
                while k < lineEnd {
                    let c = buf[k]
                    guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else {
                        let what = c == UInt8(ascii: " ") ? "more than two fields" : "rank is not a non-negative decimal number"
                        return .malformedLine(line: lineNumber, reason: what, source: source)
                    }
                    rank = rank * 10 + Int(c - UInt8(ascii: "0"))
                    guard rank < Int(UInt32.max) else {
                        return .malformedLine(line: lineNumber, reason: "rank is too large", source: source)
                    }
                    k += 1
                }
                // A wild rank would otherwise allocate a table of billions of holes.
                if rank > tokens.count + 1_000_000 {
                    return .malformedLine(line: lineNumber, reason: "rank \(rank) is far beyond the \(lineNumber) tokens read so far; ranks must be contiguous", source: source)
                }
                if rank >= tokens.count {
                    tokens.append(contentsOf: repeatElement(nil, count: rank + 1 - tokens.count))
                    lineOfRank.append(contentsOf: repeatElement(0, count: rank + 1 - lineOfRank.count))
                }
                if tokens[rank] != nil {
                    return .duplicateRank(rank: Rank(rank), line: lineNumber, firstLine: lineOfRank[rank], source: source)
                }
                tokens[rank] = token
                lineOfRank[rank] = lineNumber
            }
            return nil
        }
        if let result { throw result }
        guard !tokens.isEmpty else { throw .empty(source: source) }
        var arena: [UInt8] = []
        arena.reserveCapacity(data.count / 2)
        var offsets: [UInt32] = [0]
        offsets.reserveCapacity(tokens.count + 1)
        // Missing ranks become holes; `Encoding` accepts a hole only where a special token sits.
        for t in tokens {
            if let t { arena.append(contentsOf: t) }
            offsets.append(UInt32(truncatingIfNeeded: arena.count))
        }
        try self.init(arena: arena, offsets: offsets, lines: lineOfRank, source: source, allowHoles: true)
    }

    /// Reads and parses a `.tiktoken` file. See ``init(tiktoken:source:)``.
    public convenience init(contentsOf path: String) throws(VocabularyError) {
        let data = try readFile(path)
        try self.init(tiktoken: data, source: path)
    }

    /// The `.tiktoken` text of this vocabulary: `base64(token) rank\n` for every rank.
    /// - Complexity: O(total token bytes).
    public func tiktokenData() -> [UInt8] {
        var out: [UInt8] = []
        for r in 0..<count {
            guard let t = tokenBytes(Rank(r)) else { continue }
            out.append(contentsOf: Data(t).base64EncodedString().utf8)
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: String(r).utf8)
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }
}

/// Files larger than this are not read as vocabularies (or counts files).
let maxVocabularyFileSize = 1 << 30

/// Reads a whole file, mapping every failure to ``VocabularyError/unreadable(path:reason:)``.
///
/// Plain `open`, `fstat` and `read` into the array: this runs on every start of the CLI,
/// and Foundation's file reading copied the bytes once more and looked up the file's owner
/// and group in the user database (a millisecond before any work began).
func readFile(_ path: String) throws(VocabularyError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .unreadable(path: path, reason: errno == ENOENT ? "no such file" : SystemError.last.description) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw .unreadable(path: path, reason: SystemError.last.description) }
    guard st.st_mode & S_IFMT != S_IFDIR else { throw .unreadable(path: path, reason: "is a directory") }
    // A vocabulary is megabytes (o200k_base: 3.6 MB). Refuse giant files before reading them.
    let size = Int(st.st_size)
    if size > maxVocabularyFileSize {
        throw .unreadable(path: path, reason: "\(size) bytes is too large for a vocabulary file (limit \(maxVocabularyFileSize >> 20) MiB; o200k_base is 3.6 MB)")
    }
    // A pipe or a /proc file reports no size: read until the end, in blocks, up to the limit.
    var bytes = [UInt8]()
    var capacity = max(size + 1, 1 << 16)   // one spare byte, so a whole file ends on a read of 0
    while true {
        var failure: SystemError?
        let old = bytes
        bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            count = UnsafeMutableBufferPointer(rebasing: buffer[..<old.count]).initialize(from: old).1
            do throws(SystemError) {
                count += try FileDescriptor.readFull(fd, into: UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[count...])))
            } catch {
                failure = error
            }
        }
        if let failure { throw .unreadable(path: path, reason: failure.description) }
        if bytes.count < capacity { return bytes }
        if bytes.count > maxVocabularyFileSize {
            throw .unreadable(path: path, reason: "more than \(maxVocabularyFileSize >> 20) MiB is too large for a vocabulary file")
        }
        capacity *= 2
    }
}
