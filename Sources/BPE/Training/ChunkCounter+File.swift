import Foundation

/// The word-counts file that `bpe count-words` writes and `bpe train --from-counts` reads,
/// so counting can be sharded across machines and only the counts travel:
///
/// ```text
/// #swift-bpe-word-counts 1
/// #pattern "'(?i:[sdmt]|ll|ve|re)|…"        ← the split pattern, as a JSON string
/// 1523<TAB>IHRoZQ==                          ← count, TAB, base64 of the chunk's bytes
/// ```
///
/// Lines are sorted by chunk bytes, so the same corpus gives the same file. Counts from
/// several files (made with the same pattern) add up.
extension ChunkCounter {
    static let magic = "#swift-bpe-word-counts 1"

    /// The file contents for counts made with `pattern` (tiktoken syntax).
    public func countsFileData(pattern: String) -> [UInt8] {
        var out = Array("\(Self.magic)\n#pattern ".utf8)
        out += (try? JSONEncoder().encode(pattern)).map(Array.init) ?? Array("\"\"".utf8)
        out.append(0x0A)
        for (chunk, n) in sorted() {
            out += Array(String(n).utf8)
            out.append(0x09)
            out += Array(Data(chunk).base64EncodedString().utf8)
            out.append(0x0A)
        }
        return out
    }

    /// Adds the counts in a counts file.
    /// - Parameter pattern: the pattern the caller will train with; a file counted with
    ///   another pattern is refused.
    /// - Throws: ``TrainingError`` naming the file and line.
    public mutating func addCountsFile(_ path: String, pattern: String) throws {
        let bytes: [UInt8]
        do { bytes = try readFile(path) } catch { throw TrainingError.badCountsFile(path: path, line: 0, reason: "\(error)") }
        if bytes.isEmpty {
            throw TrainingError.badCountsFile(path: path, line: 1, reason: "empty file; make one with bpe count-words")
        }
        var lineNumber = 0
        var chunk: [UInt8] = []
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            if lineNumber == 1 {
                guard String(decoding: line, as: UTF8.self) == Self.magic else {
                    throw TrainingError.badCountsFile(path: path, line: 1, reason: "not a word-counts file (expected '\(Self.magic)'; make one with bpe count-words)")
                }
                continue
            }
            if line.isEmpty { continue }
            if line.first == UInt8(ascii: "#") {
                let text = String(decoding: line, as: UTF8.self)
                if text.hasPrefix("#pattern ") {
                    guard let found = try? JSONDecoder().decode(String.self, from: Data(text.dropFirst(9).utf8)) else {
                        throw TrainingError.badCountsFile(path: path, line: lineNumber, reason: "malformed #pattern line")
                    }
                    if found != pattern { throw TrainingError.patternMismatch(path: path, expected: pattern, found: found) }
                }
                continue
            }
            guard let tab = line.firstIndex(of: 0x09),
                  let n = UInt64(String(decoding: line[line.startIndex..<tab], as: UTF8.self)) else {
                throw TrainingError.badCountsFile(path: path, line: lineNumber, reason: "expected COUNT<TAB>BASE64")
            }
            chunk.removeAll(keepingCapacity: true)
            let ok = Array(line[(tab + 1)...]).withUnsafeBufferPointer { Base64.decode($0, into: &chunk) }
            guard ok, !chunk.isEmpty else {
                throw TrainingError.badCountsFile(path: path, line: lineNumber, reason: "chunk is not valid base64")
            }
            add(chunk, count: n)
        }
    }
}
