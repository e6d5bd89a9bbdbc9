import Foundation

/// Adding up counts files: the reduce step after `bpe count-words` ran on parts of a corpus.
///
/// Counts add up because every chunk comes from one document and every document from one
/// part: the counts of a corpus are the sum of the counts of its parts, whatever the order.
/// The merged file is written by ``countsFileData(pattern:)``, sorted by chunk bytes, so it
/// is byte for byte the file `bpe count-words` writes for the whole corpus, and merging the
/// same files in any order, or in any tree of merges, gives the same bytes.
///
/// ```swift
/// let merged = try ChunkCounter.mergingCountsFiles(["part-0.counts", "part-1.counts"])
/// try AtomicFile.write(merged.counts.countsFileData(pattern: merged.pattern), to: "all.counts")
/// ```
extension ChunkCounter {
    /// The split pattern recorded in a counts file's header, reading only the header.
    /// - Throws: ``TrainingError/badCountsFile(path:line:reason:)`` for a file that is not a
    ///   counts file or has no `#pattern` line; ``CountsMergeError/unreadable(path:reason:)``.
    public static func countsFilePattern(_ path: String) throws -> String {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw CountsMergeError.unreadable(path: path, reason: "no such file")
        }
        if isDir.boolValue { throw CountsMergeError.unreadable(path: path, reason: "is a directory") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CountsMergeError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { try? handle.close() }
        // Header lines are short (a pattern is a few hundred bytes), so read until the first
        // line that is not a comment, not the whole file.
        var buffer: [UInt8] = []
        var lineStart = 0
        var lineNumber = 0
        var atEnd = false
        while true {
            // The last line may lack its newline; then it ends at the end of the file.
            let rest = buffer[min(lineStart, buffer.count)...]
            if let nl = rest.firstIndex(of: 0x0A) ?? (atEnd && !rest.isEmpty ? buffer.count : nil) {
                lineNumber += 1
                let line = buffer[lineStart ..< nl]
                lineStart = nl + 1
                if lineNumber == 1 {
                    guard String(decoding: line, as: UTF8.self) == magic else {
                        throw TrainingError.badCountsFile(path: path, line: 1, reason: "not a word-counts file (expected '\(magic)'; make one with bpe count-words)")
                    }
                    continue
                }
                guard line.first == UInt8(ascii: "#") else { break }
                let text = String(decoding: line, as: UTF8.self)
                guard text.hasPrefix("#pattern ") else { continue }
                guard let found = try? JSONDecoder().decode(String.self, from: Data(text.dropFirst(9).utf8)) else {
                    throw TrainingError.badCountsFile(path: path, line: lineNumber, reason: "malformed #pattern line (expected #pattern followed by a JSON string)")
                }
                return found
            }
            if atEnd { break }
            let data: Data
            do { data = try handle.read(upToCount: 1 << 16) ?? Data() } catch {
                throw CountsMergeError.unreadable(path: path, reason: error.localizedDescription)
            }
            if data.isEmpty { atEnd = true } else { buffer += data }
        }
        if lineNumber == 0 {
            throw TrainingError.badCountsFile(path: path, line: 1, reason: "empty file; make one with bpe count-words")
        }
        throw TrainingError.badCountsFile(path: path, line: 2, reason: "no #pattern line, so the split pattern it was counted with is unknown; recount it with bpe count-words")
    }

    /// Adds up counts files that were counted with one split pattern.
    ///
    /// Every header is checked before any counts are read, so a mismatch fails fast.
    /// - Returns: the summed counts and the pattern they were counted with.
    /// - Throws: ``CountsMergeError`` (no files, a file given twice, patterns that differ,
    ///   naming both files), ``TrainingError/badCountsFile(path:line:reason:)`` with the file
    ///   and line of a bad line.
    /// - Complexity: O(total lines); memory O(distinct chunks + the largest file), as one
    ///   file is read at a time.
    public static func mergingCountsFiles(_ paths: [String]) throws -> (counts: ChunkCounter, pattern: String) {
        guard let first = paths.first else { throw CountsMergeError.noInputs }
        var seen: [String: String] = [:]
        for p in paths {
            let key = URL(fileURLWithPath: p).resolvingSymlinksInPath().standardizedFileURL.path
            if let earlier = seen[key] { throw CountsMergeError.givenTwice(path: p, earlier: earlier) }
            seen[key] = p
        }
        let pattern = try countsFilePattern(first)
        for p in paths.dropFirst() {
            let other = try countsFilePattern(p)
            if other != pattern {
                throw CountsMergeError.patternsDiffer(path: p, pattern: other, firstPath: first, firstPattern: pattern)
            }
        }
        var counts = ChunkCounter()
        for p in paths { try counts.addCountsFile(p, pattern: pattern) }
        return (counts, pattern)
    }
}

/// Why counts files could not be merged.
public enum CountsMergeError: Error, CustomStringConvertible, Equatable {
    case noInputs
    case unreadable(path: String, reason: String)
    case givenTwice(path: String, earlier: String)
    case patternsDiffer(path: String, pattern: String, firstPath: String, firstPattern: String)

    public var description: String {
        switch self {
        case .noInputs:
            return "no counts files to merge"
        case .unreadable(let p, let why):
            return "\(p): cannot read: \(why)"
        case .givenTwice(let p, let earlier):
            return p == earlier ? "\(p) is given twice; its counts would be added twice"
                : "\(p) is the same file as \(earlier); its counts would be added twice"
        case .patternsDiffer(let p, let pattern, let first, let firstPattern):
            return "\(p) was counted with pattern \(pattern.debugDescription), but \(first) with \(firstPattern.debugDescription); counts made with different split patterns do not add up: recount one of them with the other's pattern"
        }
    }
}
