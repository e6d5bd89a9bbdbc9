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
        // Every thread's result, errors included, so a throw fails the test with its message.
        let results = Locked([Result<Bool, any Error>?](repeating: nil, count: texts.count))
        DispatchQueue.concurrentPerform(iterations: texts.count) { i in
            let r = Result { () throws -> Bool in
                let ids = enc.encodeOrdinary(texts[i])
                let count = try enc.countTokens(texts[i], disallowedSpecial: .none)
                let back = try enc.decodeBytes(ids)
                return ids == expected[i] && count == ids.count && back == Array(texts[i].utf8)
            }
            results.withLock { $0[i] = r }
        }
        for (i, r) in results.withLock({ $0 }).enumerated() {
            #expect(try #require(r).get(), "thread \(i)")
        }
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
        let trained = Locked<Result<Int, any Error>?>(nil)
        let encodedSame = Locked(false)
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            let r = Result { () throws -> Int in
                let t = try Trainer(options: .init(vocabSize: 270, threads: 2))
                var corpus = try Corpus(inputs: [dir])
                corpus.blockSize = 500
                return t.train(counts: try t.countChunks(in: corpus)).count
            }
            trained.withLock { $0 = r }
        }
        DispatchQueue.global().async(group: group) {
            var same = true
            for _ in 0..<20 { same = same && enc.encodeOrdinary(text) == expected }
            encodedSame.withLock { $0 = same }
        }
        group.wait()
        // A training error fails here, with its message (it was swallowed by try? before).
        #expect(try #require(trained.withLock { $0 }).get() == 270)
        #expect(encodedSame.withLock { $0 })
    }
}
