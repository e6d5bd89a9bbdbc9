import Foundation
import Testing

/// Inputs larger than one 4 MiB block are encoded in parts; the result must not change.
@Suite("streaming encode and count") struct StreamingCLITests {
    @Test("a 9 MB file: encode | decode gives it back; count equals the number of ids")
    func largeFile() async throws {
        try await withTemporaryDirectory { dir in
            var text = ""
            var i = 0
            while text.utf8.count < 9_000_000 {
                text += "Line \(i): the quick brown fox — Grüße, 東京 😀  \r\nnext\tline  \n"
                i += 1
            }
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
}
