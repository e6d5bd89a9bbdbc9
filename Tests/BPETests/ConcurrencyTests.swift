@testable import BPE
import Dispatch
import Foundation
import Testing

/// One shared `Encoding` used from many threads at once, and training while encoding. CI runs
/// this suite under the thread sanitizer (`swift test --sanitize=thread --filter Concurrency`).
@Suite struct ConcurrencyTests {
    @Test func manyThreadsShareOneEncoding() throws {
        let enc = try Encoding.builtin("cl100k_base")
        let texts = (0..<64).map { i in String(repeating: "Thread \(i): naïve café — 東京 😀 don't\n", count: 20 + i) }
        let expected = texts.map { enc.encodeOrdinary($0) }
        let ok = Flags(count: texts.count)
        DispatchQueue.concurrentPerform(iterations: texts.count) { i in
            let ids = enc.encodeOrdinary(texts[i])
            let count = (try? enc.countTokens(texts[i], disallowedSpecial: .none)) ?? -1
            let back = (try? enc.decodeBytes(ids)) ?? []
            ok.set(i, ids == expected[i] && count == ids.count && back == Array(texts[i].utf8))
        }
        #expect(ok.all)
        #expect(enc.encodeOrdinaryBatch(texts) == expected)
    }

    @Test func trainingWhileEncoding() throws {
        let enc = try Encoding.builtin("o200k_base")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpe-conc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for i in 0..<4 {
            try String(repeating: "document \(i) with some words and more words\n", count: 200).write(toFile: "\(dir)/\(i).txt", atomically: true, encoding: .utf8)
        }
        let text = String(repeating: "encode me while training runs\n", count: 300)
        let expected = enc.encodeOrdinary(text)
        let results = Flags(count: 2)
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            let t = try? Trainer(options: .init(vocabSize: 270, threads: 2))
            var corpus = try? Corpus(inputs: [dir])
            corpus?.blockSize = 500
            let vocab = t.flatMap { t in corpus.flatMap { try? t.train(counts: t.countChunks(in: $0)) } }
            results.set(0, vocab?.count == 270)
        }
        DispatchQueue.global().async(group: group) {
            var same = true
            for _ in 0..<20 { same = same && enc.encodeOrdinary(text) == expected }
            results.set(1, same)
        }
        group.wait()
        #expect(results.all)
    }
}

final class Flags: @unchecked Sendable {
    private var values: [Bool]
    private let lock = NSLock()
    init(count: Int) { values = Array(repeating: false, count: count) }
    func set(_ i: Int, _ v: Bool) { lock.lock(); values[i] = v; lock.unlock() }
    var all: Bool { lock.lock(); defer { lock.unlock() }; return values.allSatisfy { $0 } }
}
