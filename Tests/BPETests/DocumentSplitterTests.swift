@testable import BPE
import Foundation
import Testing
import TestSupport

/// The one document splitter: Python's `str.split` semantics, the same documents however the
/// input is cut into blocks, and blocks that say which document goes on from the last one.
@Suite struct DocumentSplitterTests {
    /// `bytes.split(separator)` as Python does it, empty parts dropped: the reference.
    func pythonSplit(_ bytes: [UInt8], _ sep: [UInt8]) -> [[UInt8]] {
        var parts: [[UInt8]] = [], current: [UInt8] = [], i = 0
        while i < bytes.count {
            if i + sep.count <= bytes.count && Array(bytes[i..<(i + sep.count)]) == sep {
                parts.append(current)
                current = []
                i += sep.count
            } else {
                current.append(bytes[i])
                i += 1
            }
        }
        parts.append(current)
        return parts.filter { !$0.isEmpty }
    }

    static let separators = ["\n\n", "ab", "aa", "aba", "<|e|>", "a"]

    @Test("the whole-input split is Python's str.split without empty parts", arguments: separators)
    func matchesPython(_ separator: String) {
        let sep = Array(separator.utf8)
        #expect(DocumentSplitter.documents(in: Array("a\n\n\nb".utf8), separator: Array("\n\n".utf8)) == [0..<1, 3..<5])
        var rng = SplitMix(seed: 11)
        let alphabet = Array("ab\n<|e>".utf8)
        for _ in 0..<500 {
            let text = (0..<Int.random(in: 0..<40, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            let ours = DocumentSplitter.documents(in: text, separator: sep).map { Array(text[$0]) }
            #expect(ours == pythonSplit(text, sep), "\(String(decoding: text, as: UTF8.self).debugDescription)")
        }
    }

    @Test("fed in pieces, it finds what the whole-input search finds", arguments: separators)
    func incrementalEqualsWhole(_ separator: String) {
        let sep = Array(separator.utf8)
        var rng = SplitMix(seed: 12)
        let alphabet = Array("ab\n<|e>".utf8)
        for _ in 0..<300 {
            let text = (0..<Int.random(in: 0..<60, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            var splitter = DocumentSplitter(separator: sep)
            var pending: [UInt8] = [], taken = 0, documents: [[UInt8]] = []
            var rest = text[...]
            while !rest.isEmpty {
                let n = Int.random(in: 1...7, using: &rng)
                pending += rest.prefix(n)
                rest = rest.dropFirst(n)
                splitter.search(pending)
                // Take what ends after the last separator found, as Corpus does.
                let cut = splitter.lastEnd
                if cut > 0 {
                    documents += splitter.takeDocuments(upTo: cut).map { Array(pending[$0]) }
                    pending.removeFirst(cut)
                    taken += cut
                }
            }
            documents += splitter.takeDocuments(upTo: pending.count).map { Array(pending[$0]) }
            #expect(documents == pythonSplit(text, sep), "\(String(decoding: text, as: UTF8.self).debugDescription)")
        }
    }

    /// Joins the corpus's blocks back into documents, fragment by fragment.
    func documents(of corpus: Corpus) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        try corpus.forEachBlock { block in
            for (i, range) in block.documents.enumerated() {
                if i == 0 && block.continuesDocument {
                    out[out.count - 1] += block.bytes[range]
                } else {
                    out.append(Array(block.bytes[range]))
                }
            }
        }
        return out
    }

    @Test("corpus blocks of any size give the documents of the whole file, each once")
    func corpusBlocksGiveTheWholeFilesDocuments() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpe-split-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Long documents (cut at safe cuts, after "\n" between visible ASCII), a
        // self-overlapping separator, and one that holds a safe cut itself ("=\nEND"): a cut
        // inside it would lose the separator.
        var rng = SplitMix(seed: 13)
        let lines = ["alpha beta.", "Gamma!", "x=", "END", "\n", "delta\n\nEpsilon", "zeta,", "(eta)"]
        let text = Array((0..<400).map { _ in lines.randomElement(using: &rng)! }.joined(separator: "\n").utf8)
        let path = "\(dir)/c.txt"
        try Data(text).write(to: URL(fileURLWithPath: path))
        for separator in ["\n\n", "\n\n\n", "=\nEND", "."] {
            let sep = Array(separator.utf8)
            let expected = pythonSplit(text, sep)
            for blockSize in [1, 2, 3, 5, 8, 13, 64, 1000, 1 << 20] {
                var corpus = try Corpus(inputs: [path], separator: sep)
                corpus.blockSize = blockSize
                #expect(try documents(of: corpus) == expected, "separator \(separator.debugDescription), block size \(blockSize)")
            }
        }
        // No separator: the file is one document, however many blocks.
        var whole = try Corpus(inputs: [path])
        whole.blockSize = 7
        #expect(try documents(of: whole) == [text])
    }
}
