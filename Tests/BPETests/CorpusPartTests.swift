@testable import BPE
import Foundation
import Testing
import TestSupport

/// `CorpusPart` (K/N, `slurm`) and `CorpusLayout.share(of:)`: the parts of a corpus hold
/// every document exactly once, in order, each in the part its first byte lies in.
@Suite struct CorpusPartTests {
    // MARK: - Parsing K/N and slurm

    @Test("K/N parses; the index counts from 0")
    func parsesKN() throws {
        #expect(try CorpusPart.parse("0/1") == CorpusPart(index: 0, count: 1))
        #expect(try CorpusPart.parse("3/8") == CorpusPart(index: 3, count: 8))
        #expect(try CorpusPart.parse("7/8").description == "7/8")
        #expect(CorpusPart.whole == (try CorpusPart(index: 0, count: 1)))
    }

    @Test("bad K/N is refused with a reason", arguments: [
        ("8/8", CorpusPart.Error.indexOutOfRange(index: 8, count: 8)),
        ("9/8", .indexOutOfRange(index: 9, count: 8)),
        ("-1/8", .indexOutOfRange(index: -1, count: 8)),
        ("0/0", .noParts("0/0")),
        ("1/-2", .noParts("1/-2")),
        ("3", .malformed("3")),
        ("1/2/3", .malformed("1/2/3")),
        ("a/b", .malformed("a/b")),
        ("", .malformed("")),
        (" 1/2", .malformed(" 1/2")),
        ("SLURM", .malformed("SLURM")),
    ])
    func refusesBadKN(_ text: String, _ expected: CorpusPart.Error) {
        #expect(throws: expected) { try CorpusPart.parse(text, environment: [:]) }
    }

    @Test("the messages say what is wrong and how to write it")
    func messages() {
        #expect(CorpusPart.Error.indexOutOfRange(index: 8, count: 8).description.contains("between 0 and 7"))
        #expect(CorpusPart.Error.malformed("x").description.contains("K/N"))
        #expect(CorpusPart.Error.missingEnvironment("SLURM_ARRAY_TASK_ID").description.contains("sbatch --array"))
        #expect(CorpusPart.Error.slurmArrayShape("x", count: 5).description.contains("--array=0-4"))
    }

    /// What Slurm 22.05 sets for task `id` of `sbatch --array=0-(count-1)` (seen on a real cluster).
    static func slurm(_ id: Int, of count: Int) -> [String: String] {
        ["SLURM_ARRAY_JOB_ID": "1", "SLURM_ARRAY_TASK_ID": "\(id)", "SLURM_ARRAY_TASK_COUNT": "\(count)",
         "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "\(count - 1)", "SLURM_ARRAY_TASK_STEP": "1"]
    }

    @Test("slurm reads SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT")
    func slurmParts() throws {
        #expect(try CorpusPart.parse("slurm", environment: Self.slurm(0, of: 3)) == CorpusPart(index: 0, count: 3))
        #expect(try CorpusPart.parse("slurm", environment: Self.slurm(2, of: 3)) == CorpusPart(index: 2, count: 3))
        // MIN and MAX are checked only when set.
        #expect(try CorpusPart.parse("slurm", environment: ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "2"])
                == CorpusPart(index: 1, count: 2))
    }

    @Test("slurm: missing or bad variables, and arrays not numbered 0 to N-1, are refused")
    func slurmErrors() {
        var env = Self.slurm(1, of: 4)
        env["SLURM_ARRAY_TASK_ID"] = nil
        #expect(throws: CorpusPart.Error.missingEnvironment("SLURM_ARRAY_TASK_ID")) { try CorpusPart.parse("slurm", environment: env) }
        env = Self.slurm(1, of: 4)
        env["SLURM_ARRAY_TASK_COUNT"] = nil
        #expect(throws: CorpusPart.Error.missingEnvironment("SLURM_ARRAY_TASK_COUNT")) { try CorpusPart.parse("slurm", environment: env) }
        env = Self.slurm(1, of: 4)
        env["SLURM_ARRAY_TASK_COUNT"] = "four"
        #expect(throws: CorpusPart.Error.badEnvironment(name: "SLURM_ARRAY_TASK_COUNT", value: "four")) { try CorpusPart.parse("slurm", environment: env) }
        #expect(throws: CorpusPart.Error.missingEnvironment("SLURM_ARRAY_TASK_ID")) { try CorpusPart.parse("slurm", environment: [:]) }
        // --array=1-4: ids 1...4 of 4.
        env = ["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "4"]
        #expect(throws: CorpusPart.Error.slurmArrayShape("it starts at index 1 (SLURM_ARRAY_TASK_MIN), not 0", count: 4)) {
            try CorpusPart.parse("slurm", environment: env)
        }
        // --array=0-6:2: ids 0, 2, 4, 6 of 4.
        env = ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "6"]
        #expect(throws: (any Error).self) { try CorpusPart.parse("slurm", environment: env) }
        // One task resubmitted (sbatch --array=2, as seen on a real cluster): refused, with K/N as the way out.
        env = ["SLURM_ARRAY_JOB_ID": "1", "SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "1",
               "SLURM_ARRAY_TASK_MIN": "2", "SLURM_ARRAY_TASK_MAX": "2", "SLURM_ARRAY_TASK_STEP": "1"]
        #expect(throws: CorpusPart.Error.slurmArrayShape("it starts at index 2 (SLURM_ARRAY_TASK_MIN), not 0", count: 1)) {
            try CorpusPart.parse("slurm", environment: env)
        }
        #expect(CorpusPart.Error.slurmArrayShape("x", count: 1).description.contains("give the part as K/N"))
        // Without MIN/MAX, an index past the count is still caught.
        #expect(throws: CorpusPart.Error.indexOutOfRange(index: 4, count: 4)) {
            try CorpusPart.parse("slurm", environment: ["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4"])
        }
        #expect(throws: CorpusPart.Error.noParts("0/0")) {
            try CorpusPart.parse("slurm", environment: ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "0"])
        }
    }

    // MARK: - The cut

    @Test("nominal ranges tile 0..<T with no overflow, even for 10 TB in a million parts")
    func nominalRanges() throws {
        for total in [0, 1, 7, 1000, 10_000_000_000_000, Int.max] {
            let layout = CorpusLayout(files: [.init(path: "x", size: total, offset: 0)], separator: nil, totalBytes: total)
            for n in [1, 2, 3, 7, 1_000_000] {
                var expectedStart = 0
                for k in Set([0, 1, n / 2, n - 2, n - 1]) .sorted() where k >= 0 && k < n {
                    let r = layout.nominalRange(of: try CorpusPart(index: k, count: n))
                    if k == 0 { #expect(r.lowerBound == 0) }
                    if k == n - 1 { #expect(r.upperBound == total) }
                    #expect(r.lowerBound >= expectedStart)
                    #expect(r.count - total / n <= 1)
                    expectedStart = r.upperBound
                    if k + 1 < n {
                        #expect(layout.nominalRange(of: try CorpusPart(index: k + 1, count: n)).lowerBound == r.upperBound)
                    }
                }
            }
        }
    }

    /// Writes `files` (relative path → bytes) under a fresh folder, returns it.
    func makeCorpus(_ files: [(String, [UInt8])]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-part-\(UUID().uuidString)")
        for (name, bytes) in files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        return dir
    }

    /// A document as (file, offset in file, bytes).
    struct Doc: Equatable, CustomStringConvertible {
        var file: String
        var offset: Int
        var bytes: [UInt8]
        var description: String { "\((file as NSString).lastPathComponent)@\(offset):\(String(decoding: bytes, as: UTF8.self).debugDescription)" }
    }

    /// The reference split, written apart from the code under test: scan forward, take a
    /// separator, resume after it (Python's `str.split`), drop empty documents.
    func referenceSplit(_ bytes: ArraySlice<UInt8>, separator: [UInt8]?, file: String) -> [Doc] {
        let base = bytes.startIndex
        guard let sep = separator else { return bytes.isEmpty ? [] : [Doc(file: file, offset: base, bytes: Array(bytes))] }
        var docs: [Doc] = []
        var start = base, i = base
        while i + sep.count <= bytes.endIndex {
            if Array(bytes[i ..< i + sep.count]) == sep {
                if i > start { docs.append(Doc(file: file, offset: start, bytes: Array(bytes[start ..< i]))) }
                i += sep.count
                start = i
            } else {
                i += 1
            }
        }
        if start < bytes.endIndex { docs.append(Doc(file: file, offset: start, bytes: Array(bytes[start...]))) }
        return docs
    }

    /// The corpus's documents as `Corpus` itself makes them. (Its default block is far larger
    /// than these files: smaller blocks cut long documents into fragments at safe cuts.)
    func corpusDocuments(_ corpus: Corpus) throws -> [Doc] {
        var docs: [Doc] = []
        try corpus.forEachBlock { block in
            for d in block.documents {
                docs.append(Doc(file: block.file, offset: block.fileOffset + d.lowerBound, bytes: Array(block.bytes[d])))
            }
        }
        return docs
    }

    /// Every part's documents, read from its slices alone and split afresh.
    func partDocuments(_ layout: CorpusLayout, _ n: Int) throws -> [[Doc]] {
        try (0..<n).map { k in
            let share = try layout.share(of: CorpusPart(index: k, count: n))
            return try share.slices.flatMap { slice -> [Doc] in
                let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: slice.path)))
                return referenceSplit(bytes[slice.range], separator: layout.separator, file: slice.path)
            }
        }
    }

    /// Checks the parts of `layout` in `n` against the whole corpus's documents.
    func checkCover(_ layout: CorpusLayout, _ n: Int, whole: [Doc], context: String) throws {
        let parts = try partDocuments(layout, n)
        #expect(Array(parts.joined()) == whole, "\(context) n=\(n): parts \(parts) vs whole \(whole)")
        let offsets = Dictionary(uniqueKeysWithValues: layout.files.map { ($0.path, $0.offset) })
        var previousEnd: Int?
        for k in 0..<n {
            let part = try CorpusPart(index: k, count: n)
            let nominal = layout.nominalRange(of: part)
            // Each document is in the part its first byte lies in.
            for d in parts[k] {
                let start = offsets[d.file]! + d.offset
                #expect(nominal.contains(start), "\(context) n=\(n) part \(k) \(nominal): \(d) starts at \(start)")
            }
            // Part K's end is part K+1's start, whichever computes it.
            let share = try layout.share(of: part)
            if let previousEnd { #expect(share.range.lowerBound == previousEnd, "\(context) n=\(n) part \(k)") }
            previousEnd = share.range.upperBound
            if k == n - 1 { #expect(share.range.upperBound == layout.totalBytes) }
            #expect(share.slices.allSatisfy { !$0.range.isEmpty })
        }
    }

    @Test("random corpora, random separators: the parts hold every document once, in order")
    func randomCover() throws {
        var rng = SplitMix(seed: 12)
        // Separators that overlap themselves ("\n\n", "aa", "aba") and ones that do not.
        let separators: [String?] = [nil, "\n", "\n\n", "\n\n\n", "aa", "aba", "<|e|>", "ab"]
        for round in 0..<60 {
            let sepText = separators[round % separators.count]
            let sep = sepText.map { Array($0.utf8) }
            // Half the bytes from the separator itself, so runs of overlapping copies are common.
            let sepBytes = Array((sepText ?? "x").utf8), alphabet = Array("\nab".utf8)
            func byte() -> UInt8 {
                Bool.random(using: &rng) ? sepBytes.randomElement(using: &rng)! : alphabet.randomElement(using: &rng)!
            }
            var files: [(String, [UInt8])] = []
            for f in 0..<Int.random(in: 1...6, using: &rng) {
                let size = [0, 1, 2, 5, 30, 200][Int.random(in: 0..<6, using: &rng)]
                var bytes = (0..<size).map { _ in byte() }
                if Int.random(in: 0..<4, using: &rng) == 0, let sep { bytes += sep }          // ends with a separator
                if Int.random(in: 0..<6, using: &rng) == 0, let sep { bytes = sep + sep + bytes } // starts with two
                // Nested and out-of-order names: Corpus sorts what it finds in folders.
                let name = ["b/", "a/", "", "a/c/"][Int.random(in: 0..<4, using: &rng)] + "f\(9 - f).txt"
                files.append((name, bytes))
            }
            let dir = try makeCorpus(files)
            defer { try? FileManager.default.removeItem(at: dir) }
            let corpus = try Corpus(inputs: [dir.path], separator: sep)
            var layout = try CorpusLayout(corpus)
            // Tiny read blocks, so walks and scans cross block edges.
            layout.readBlocks = (scan: Int.random(in: 1...9, using: &rng), walk: Int.random(in: 1...9, using: &rng))
            #expect(layout.files.map(\.path) == corpus.files)
            let whole = try corpusDocuments(corpus)
            let reference = try corpus.files.flatMap { path in
                referenceSplit(ArraySlice(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))), separator: sep, file: path)
            }
            #expect(whole == reference, "the reference split disagrees with Corpus; fix the test")
            for n in [1, 2, 3, 5, 8, 13, layout.totalBytes + 2] {
                try checkCover(layout, n, whole: whole, context: "round \(round) sep \(sepText.debugDescription)")
            }
        }
    }

    /// Documents as `Corpus` hands them out, fragments of one (blocks cut at safe cuts) rejoined.
    func joinedDocuments(_ corpus: Corpus) throws -> [Doc] {
        var docs: [Doc] = []
        try corpus.forEachBlock { block in
            for (i, d) in block.documents.enumerated() {
                if i == 0 && block.continuesDocument {
                    docs[docs.count - 1].bytes += block.bytes[d]
                } else {
                    docs.append(Doc(file: block.file, offset: block.fileOffset + d.lowerBound, bytes: Array(block.bytes[d])))
                }
            }
        }
        return docs
    }

    @Test("corpus(for:) reads each part's share through Corpus: the parts' documents are the whole corpus's, once each, in order")
    func partCorpora() throws {
        var rng = SplitMix(seed: 99)
        for (round, sepText) in ([nil, "\n", "\n\n", "aba"] as [String?]).enumerated() {
            let sep = sepText.map { Array($0.utf8) }
            let alphabet = Array("\nab x".utf8)
            let files: [(String, [UInt8])] = (0..<5).map { f in
                ("d\(f % 2)/f\(f).txt", (0..<[0, 3, 40, 300, 1000][f]).map { _ in alphabet.randomElement(using: &rng)! })
            }
            let dir = try makeCorpus(files)
            defer { try? FileManager.default.removeItem(at: dir) }
            let corpus = try Corpus(inputs: [dir.path], separator: sep)
            let layout = try CorpusLayout(corpus)
            let whole = try joinedDocuments(corpus)
            #expect(whole.count > 3, "round \(round): too few documents to cut")
            // More parts than documents too: empty parts read nothing.
            for n in [1, 2, 3, 7, whole.count + 5] {
                var parts: [[Doc]] = []
                for k in 0..<n {
                    var part = try layout.corpus(for: CorpusPart(index: k, count: n))
                    // Small blocks: long documents arrive in fragments, and blocks start mid-range.
                    part.blockSize = [5, 64, 8 << 20][k % 3]
                    #expect(part.files.count == part.ranges.count && part.ranges.allSatisfy { $0 != nil })
                    parts.append(try joinedDocuments(part))
                }
                #expect(Array(parts.joined()) == whole, "round \(round) n=\(n)")
                if n > whole.count { #expect(parts.contains { $0.isEmpty }, "round \(round) n=\(n): expected empty parts") }
            }
        }
    }

    @Test("a cut inside a run of overlapping separators: the walk back finds the right split")
    func overlappingRun() throws {
        // "A" then seven newlines then "B": with "\n\n" the copies taken are at 1, 3, 5, so
        // the documents are "A" and "\nB" (starting at 7). A scan started at 4 would take the
        // copy at 6 and make the second document "B".
        let text = Array("A\n\n\n\n\n\n\nB".utf8)
        let dir = try makeCorpus([("x.txt", text)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = try Corpus(inputs: [dir.path], separator: Array("\n\n".utf8))
        let layout = try CorpusLayout(corpus)
        for cut in 1...7 { #expect(try layout.documentStart(atOrAfter: cut) == 7, "cut \(cut)") }
        #expect(try layout.documentStart(atOrAfter: 0) == 0)
        #expect(try layout.documentStart(atOrAfter: 8) == 9)   // none: the end
        let whole = try corpusDocuments(corpus)
        #expect(whole.map(\.bytes) == [Array("A".utf8), Array("\nB".utf8)])
        for n in 1...10 { try checkCover(layout, n, whole: whole, context: "run") }
    }

    @Test("a document straddling the cut goes whole to the part it starts in")
    func straddling() throws {
        let dir = try makeCorpus([("1.txt", Array("aaaa\n\nbbbbbbbb\n\ncc".utf8)), ("2.txt", Array("dddd".utf8))])
        defer { try? FileManager.default.removeItem(at: dir) }
        let layout = try CorpusLayout(Corpus(inputs: [dir.path], separator: Array("\n\n".utf8)))
        #expect(layout.totalBytes == 22)
        // Cuts at 7 and 14: "bbbbbbbb" starts at 6 (part 0), "cc" at 16 (part 2), "dddd" at 18.
        let shares = try (0..<3).map { try layout.share(of: CorpusPart(index: $0, count: 3)) }
        #expect(shares.map(\.range) == [0 ..< 16, 16 ..< 16, 16 ..< 22])
        #expect(shares[0].slices == [.init(path: layout.files[0].path, range: 0 ..< 16)])
        #expect(shares[1].slices.isEmpty)
        #expect(shares[2].slices == [.init(path: layout.files[0].path, range: 16 ..< 18), .init(path: layout.files[1].path, range: 0 ..< 4)])
    }

    @Test("without a separator the parts are whole files, by where each file starts")
    func wholeFiles() throws {
        let dir = try makeCorpus([("a.txt", Array(repeating: 0x61, count: 10)), ("b.txt", []), ("c.txt", Array(repeating: 0x63, count: 10))])
        defer { try? FileManager.default.removeItem(at: dir) }
        let layout = try CorpusLayout(Corpus(inputs: [dir.path]))
        let shares = try (0..<4).map { try layout.share(of: CorpusPart(index: $0, count: 4)) }
        // Cuts at 5, 10, 15: a.txt starts at 0 (part 0), c.txt at 10 (part 2).
        #expect(shares.map(\.slices.count) == [1, 0, 1, 0])
        #expect(shares[2].slices == [.init(path: layout.files[2].path, range: 0 ..< 10)])
    }

    @Test("standard input, and a file that changes size, are refused")
    func refusals() throws {
        #expect(throws: CorpusPart.Error.standardInput) { try CorpusLayout(Corpus(inputs: ["-"])) }
        let dir = try makeCorpus([("a.txt", Array("one\n\ntwo\n\nthree".utf8))])
        defer { try? FileManager.default.removeItem(at: dir) }
        let layout = try CorpusLayout(Corpus(inputs: [dir.path], separator: Array("\n\n".utf8)))
        let digest = layout.digest
        try Data("one\n\ntwo\n\nthree and more".utf8).write(to: dir.appendingPathComponent("a.txt"))
        #expect(throws: CorpusPart.Error.fileChanged(path: layout.files[0].path, expected: 15, found: 24)) {
            try layout.share(of: CorpusPart(index: 1, count: 2))
        }
        let changed = try CorpusLayout(Corpus(inputs: [dir.path], separator: Array("\n\n".utf8)))
        #expect(changed.digest != digest)
        #expect(try CorpusLayout(Corpus(inputs: [dir.path])).digest != changed.digest)
    }
}
