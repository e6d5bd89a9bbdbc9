import Foundation
import Testing

/// Inputs larger than one 4 MiB block are encoded in parts; the result must not change.
@Suite("streaming encode and count") struct StreamingCLITests {
    /// `line(0) + line(1) + …` until the text has at least `bytes` bytes of UTF-8.
    static func numberedLines(upTo bytes: Int, _ line: (Int) -> String) -> String {
        var text = ""
        var i = 0
        while text.utf8.count < bytes {
            text += line(i)
            i += 1
        }
        return text
    }

    @Test("a 9 MB file: encode | decode gives it back; count equals the number of ids")
    func largeFile() async throws {
        try await withTemporaryDirectory { dir in
            let text = Self.numberedLines(upTo: 9_000_000) { "Line \($0): the quick brown fox — Grüße, 東京 😀  \r\nnext\tline  \n" }
            let file = try dir.write("big.txt", text)
            let ids = dir.url.appendingPathComponent("ids.txt").path
            let e = try await CLI.run(["encode", "-e", "cl100k_base", file])
            #expect(e.succeeded, "\(e)")
            try Data(e.stdoutBytes).write(to: URL(fileURLWithPath: ids))
            let d = try await CLI.run(["decode", "-e", "cl100k_base", ids])
            #expect(d.succeeded && d.stdoutBytes == Array(text.utf8))
            let c = try await CLI.run(["count", "-e", "cl100k_base", file])
            #expect(c.succeeded && c.stdout.hasPrefix("\(e.ids.count) "), "\(c)")
        }
    }

    /// Parts of 1,000 bytes (SWIFT_BPE_BLOCK_SIZE) on 1 and on 3 threads: the same bytes out,
    /// plain and JSON, the same count; an error in a later part, the same stdout (the parts
    /// before it), stderr and status.
    @Test("--threads N prints what one thread prints, errors included")
    func threadsGiveTheSameOutput() async throws {
        try await withTemporaryDirectory { dir in
            let text = Self.numberedLines(upTo: 60_000) { "Zeile \($0): Grüße aus 東京 😀, don't stop\r\n\tand  more   spaces \u{3000}\n" }
            let file = try dir.write("text.txt", text)
            let bad = try dir.write("bad.txt", text + "<|endoftext|>" + text)
            let env = ["SWIFT_BPE_BLOCK_SIZE": "1000"]
            for extra in [[], ["--json"]] {
                let one = try await CLI.run(["encode", "--threads", "1", file] + extra, environment: env)
                let three = try await CLI.run(["encode", "--threads", "3", file] + extra, environment: env)
                #expect(one.succeeded && three.stdoutBytes == one.stdoutBytes && !one.stdoutBytes.isEmpty, "\(three)")
            }
            let c1 = try await CLI.run(["count", "--threads", "1", file], environment: env)
            let c3 = try await CLI.run(["count", "--threads", "3", file], environment: env)
            #expect(c1.succeeded && c3.stdout == c1.stdout, "\(c3)")
            for command in ["encode", "count"] {
                let one = try await CLI.run([command, "--threads", "1", bad], environment: env)
                let three = try await CLI.run([command, "--threads", "3", bad], environment: env)
                #expect(!one.succeeded && one.stderr.contains("<|endoftext|>"))
                #expect(three.status == one.status && three.stderr == one.stderr && three.stdoutBytes == one.stdoutBytes,
                        "\(three)")
            }
            let zero = try await CLI.run(["encode", "--threads", "0", file])
            #expect(zero.status == 64 && zero.stderr.contains("--threads must be at least 1"), "\(zero)")
        }
    }
}
