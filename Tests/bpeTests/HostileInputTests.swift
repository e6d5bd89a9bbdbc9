import Foundation
import Testing

/// Rows of the README's hostile-input table not covered elsewhere: each is a clear error or
/// an exact round trip, never a crash.
@Suite("hostile inputs") struct HostileInputTests {
    @Test("a 2 GB .tiktoken file is refused before it is read")
    func hugeVocabularyFile() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.url.appendingPathComponent("huge.tiktoken").path
            #expect(FileManager.default.createFile(atPath: path, contents: nil))
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try h.truncate(atOffset: 2 << 30)   // sparse: no disk used
            try h.close()
            let r = try await CLI.run(["encode", "--vocab", path, "--pattern", "cl100k"], stdin: "hi")
            #expect(r.exited(1) && r.isOneErrorLine && r.stderr.contains("too large"), "\(r)")
        }
    }

    @Test("NUL bytes, a BOM and DEL are text: encoded and decoded exactly", arguments: [
        [UInt8]([0x61, 0x00, 0x62, 0x00, 0x00, 0x0A]),
        [0xEF, 0xBB, 0xBF, 0x68, 0x69, 0x0A],
        [0x7F, 0x20, 0x00, 0xEF, 0xBB, 0xBF],
    ])
    func controlBytes(_ bytes: [UInt8]) async throws {
        let e = try await CLI.run(["encode", "-e", "cl100k_base"], stdin: bytes)
        #expect(e.succeeded, "\(e)")
        let d = try await CLI.run(["decode", "-e", "cl100k_base"], stdin: e.stdout)
        #expect(d.succeeded && d.stdoutBytes == bytes, "\(d)")
    }

    @Test("lone surrogates written as CESU-8/WTF-8 are invalid UTF-8: an error, or exact bytes with --allow-invalid-utf8")
    func cesu8() async throws {
        let bytes: [UInt8] = [0x61, 0xED, 0xA0, 0x80, 0x62, 0xED, 0xBF, 0xBF]
        let e = try await CLI.run(["encode", "-e", "cl100k_base"], stdin: bytes)
        #expect(e.exited(1) && e.isOneErrorLine && e.stderr.contains("byte 1"), "\(e)")
        let ok = try await CLI.run(["encode", "-e", "cl100k_base", "--allow-invalid-utf8"], stdin: bytes)
        #expect(ok.succeeded, "\(ok)")
        let d = try await CLI.run(["decode", "-e", "cl100k_base"], stdin: ok.stdout)
        #expect(d.stdoutBytes == bytes, "\(d)")
    }

    /// Longer than one 4 MiB streaming block and with no safe cut, so it is read whole.
    /// (A 200 MB line works the same way; Benchmarks/encode_bench.py times huge single pieces.)
    @Test("a 4.3 MB single line with no newline: count equals the number of ids encode prints")
    func longLine() async throws {
        try await withTemporaryDirectory { dir in
            let text = String(repeating: "abcdefghi ", count: 430_000)
            let file = try dir.write("line.txt", text)
            let c = try await CLI.run(["count", "-e", "o200k_base", file])
            let e = try await CLI.run(["encode", "-e", "o200k_base", file])
            #expect(c.succeeded && e.succeeded, "\(c) \(e)")
            #expect(c.stdout == "\(e.ids.count) \(file)\n" && e.ids.count >= 430_000, "\(c)")
        }
    }
}
