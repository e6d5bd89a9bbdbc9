// `encode | decode` gives back the input bytes exactly.
import Foundation
import Testing
import TestSupport

@Suite("round trip: encode | decode")
struct RoundTripTests {
    /// Encodes `input` to a file of ids, then decodes that file; returns the decoded bytes.
    private func roundTrip(_ input: [UInt8], encoding: String, extra: [String] = [],
                           in dir: TemporaryDirectory) async throws -> [UInt8] {
        let inFile = try dir.write("input-\(encoding).bin", input)
        let enc = try await CLI.run(["encode", "-e", encoding] + extra + [inFile])
        #expect(enc.succeeded, "\(enc)")
        let idsFile = try dir.write("ids-\(encoding).txt", enc.stdoutBytes)
        let dec = try await CLI.run(["decode", "-e", encoding, idsFile])
        #expect(dec.succeeded, "\(dec)")
        return dec.stdoutBytes
    }

    @Test("multilingual text with CRLF, emoji, combining marks and control characters",
          arguments: ["r50k_base", "p50k_base", "cl100k_base", "o200k_base"])
    func multilingual(_ encoding: String) async throws {
        try await withTemporaryDirectory { dir in
            let input = Array(Samples.multilingualText.utf8)
            let output = try await roundTrip(input, encoding: encoding, in: dir)
            #expect(output == input, "\(encoding): decoded \(output.count) bytes, expected \(input.count)")
        }
    }

    @Test("special tokens round trip with --allowed-special all (p50k_edit FIM ids, cl100k_base)",
          arguments: [("p50k_edit", "<|fim_prefix|>x<|fim_middle|>y<|fim_suffix|>z<|endoftext|>"),
                      ("cl100k_base", "a<|endoftext|>b<|endofprompt|>c<|fim_suffix|>")])
    func specials(_ encoding: String, _ text: String) async throws {
        try await withTemporaryDirectory { dir in
            let output = try await roundTrip(Array(text.utf8), encoding: encoding,
                                             extra: ["--allowed-special", "all"], in: dir)
            #expect(output == Array(text.utf8))
        }
    }

    @Test("--json output decodes too")
    func jsonRoundTrip() async throws {
        let text = Samples.multilingual[0] + Samples.multilingual[4] + Samples.multilingual[1]
        let enc = try await CLI.run(["encode", "-e", "cl100k_base", "--json"], stdin: text)
        #expect(enc.succeeded, "\(enc)")
        let dec = try await CLI.run(["decode", "-e", "cl100k_base"], stdin: enc.stdoutBytes)
        #expect(dec.succeeded && dec.stdoutBytes == Array(text.utf8), "\(dec)")
    }

    @Test("random bytes round trip with --allow-invalid-utf8", arguments: ["r50k_base", "cl100k_base"])
    func randomBytes(_ encoding: String) async throws {
        var rng = SplitMix(seed: 0xB9E_5EED)
        var input: [UInt8] = (0..<6000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        // Mostly-ASCII stretches with stray high bytes exercise the pre-tokenizer's fallback.
        input += (0..<4000).map { _ in
            let r = UInt8.random(in: 0...255, using: &rng)
            return r < 220 ? UInt8.random(in: 0x20...0x7E, using: &rng) : r
        }
        for s in Samples.invalidUTF8 { input += s.bytes }
        try await withTemporaryDirectory { dir in
            let output = try await roundTrip(input, encoding: encoding, extra: ["--allow-invalid-utf8"], in: dir)
            #expect(output == input, "\(encoding): decoded \(output.count) bytes, expected \(input.count)")
        }
    }

    @Test("each invalid UTF-8 sample round trips on its own with --allow-invalid-utf8")
    func invalidSamples() async throws {
        try await withTemporaryDirectory { dir in
            let vocab = try TinyVocab.write(in: dir)
            for s in Samples.invalidUTF8 {
                let enc = try await CLI.run(["encode", "--allow-invalid-utf8"] + TinyVocab.arguments(vocab), stdin: s.bytes)
                #expect(enc.succeeded, "\(s.name): \(enc)")
                let dec = try await CLI.run(["decode"] + TinyVocab.arguments(vocab), stdin: enc.stdoutBytes)
                #expect(dec.succeeded && dec.stdoutBytes == s.bytes, "\(s.name): \(dec)")
            }
        }
    }

    @Test("large input through real pipes: no deadlock, exact round trip")
    func largeThroughPipes() async throws {
        // About 400 KB in and over 1 MB of ids out: far more than a pipe buffer holds.
        let input = Array(String(repeating: Samples.multilingual.dropLast().joined(), count: 60).utf8)
        #expect(input.count > 300_000)
        let enc = try await CLI.run(["encode", "-e", "gpt2"], stdin: input, io: .pipes)
        #expect(enc.succeeded, "\(enc)")
        #expect(enc.stdoutBytes.count > 256 * 1024, "\(enc.stdoutBytes.count) bytes of ids")
        let dec = try await CLI.run(["decode", "-e", "gpt2"], stdin: enc.stdoutBytes, io: .pipes)
        #expect(dec.succeeded, "\(dec)")
        #expect(dec.stdoutBytes == input, "decoded \(dec.stdoutBytes.count) bytes, expected \(input.count)")
    }
}
