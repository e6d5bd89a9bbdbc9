// --vocab with every format, --model, --add-special-tokens, and `bpe convert`.
import Foundation
import Testing

let formatFixtures: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("Fixtures/formats").path
}()

@Suite("vocabulary formats and bpe convert")
struct ConvertCommandTests {
    @Test("--vocab reads a tokenizer.json and a Tekken file by content, whatever the name")
    func vocabDetectsFormats() async throws {
        try await withTemporaryDirectory { dir in
            // A tokenizer.json under a misleading name.
            let renamed = try dir.write("vocab.tiktoken", Array(try Data(contentsOf: URL(fileURLWithPath: "\(formatFixtures)/deepseek-mini.json"))))
            let r = try await CLI.run(["encode", "--vocab", renamed, "--allowed-special", "all"], stdin: "Hello world! 123")
            let hf = try await CLI.run(["encode", "--vocab", "\(formatFixtures)/deepseek-mini.json", "--allowed-special", "all"], stdin: "Hello world! 123")
            #expect(r.succeeded && r.stdout == hf.stdout && !r.stdout.isEmpty, "\(r) \(hf)")
            let t = try await CLI.run(["encode", "--vocab", "\(formatFixtures)/tekken-mini.json"], stdin: "Hello")
            #expect(t.succeeded && !t.stdout.isEmpty, "\(t)")
            let back = try await CLI.run(["decode", "--vocab", "\(formatFixtures)/tekken-mini.json"], stdin: t.stdout)
            #expect(back.stdout == "Hello", "\(back)")
        }
    }

    @Test("a special added token is an error by default, allowed with --allowed-special all")
    func specialSemantics() async throws {
        let path = "\(formatFixtures)/deepseek-mini.json"
        let r = try await CLI.run(["encode", "--vocab", path], stdin: "a<｜begin▁of▁sentence｜>")
        #expect(r.exited(1) && r.isOneErrorLine && r.stderr.contains("--allowed-special"), "\(r)")
        let ok = try await CLI.run(["encode", "--vocab", path, "--allowed-special", "all"], stdin: "a<｜begin▁of▁sentence｜>")
        #expect(ok.succeeded && ok.stdout.hasSuffix(" 0\n"), "\(ok)")
    }

    @Test("--pattern and --add-special-tokens are refused where they do not apply")
    func misplacedOptions() async throws {
        let r = try await CLI.run(["encode", "--vocab", "\(formatFixtures)/deepseek-mini.json", "--pattern", "gpt2"], stdin: "x")
        #expect(r.exited(1) && r.isOneErrorLine && r.stderr.contains("carries its own"), "\(r)")
        let t = try await CLI.run(["encode", "--add-special-tokens"], stdin: "x")
        #expect(t.exited(1) && t.isOneErrorLine && t.stderr.contains("--add-special-tokens"), "\(t)")
        let bos = try await CLI.run(["count", "--vocab", "\(formatFixtures)/tekken-mini.json", "--add-special-tokens"], stdin: "x")
        #expect(bos.succeeded && bos.stdout == "2\n", "\(bos)")
    }

    @Test("a broken tokenizer.json is one error line naming the file and the JSON path")
    func badFile() async throws {
        try await withTemporaryDirectory { dir in
            let bad = try dir.write("t.json", #"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a b"]}, "pre_tokenizer": null}"#)
            let r = try await CLI.run(["count", "--vocab", bad], stdin: "x")
            #expect(r.exited(1) && r.isOneErrorLine && r.stderr.contains(bad), "\(r)")
        }
    }

    @Test("--model uses tiktoken's table; an unknown model is an error")
    func model() async throws {
        let a = try await CLI.run(["encode", "--model", "gpt-4o-2024-08-06"], stdin: "hello world")
        let b = try await CLI.run(["encode", "--encoding", "o200k_base"], stdin: "hello world")
        #expect(a.succeeded && a.stdout == b.stdout, "\(a)")
        let c = try await CLI.run(["encode", "--model", "gpt-4"], stdin: "hello world")
        #expect(c.stdout == "15339 1917\n", "\(c)")
        let bad = try await CLI.run(["encode", "--model", "llama-3"], stdin: "x")
        #expect(bad.exited(1) && bad.isOneErrorLine && bad.stderr.contains("llama-3"), "\(bad)")
        let list = try await CLI.run(["encodings"])
        #expect(list.stdout.contains("gpt-4o") && list.stdout.contains("gpt-4o-*"), "\(list)")
    }

    @Test("convert: built-in → tokenizer.json → .tiktoken, each encoding as the original")
    func roundTrip() async throws {
        try await withTemporaryDirectory { dir in
            let json = dir.path + "/cl100k.json", back = dir.path + "/back.tiktoken"
            let c1 = try await CLI.run(["convert", "--encoding", "cl100k_base", "--to", "tokenizer.json", "-o", json])
            #expect(c1.succeeded && c1.stderr.isEmpty, "\(c1)")
            let c2 = try await CLI.run(["convert", json, "--to", "tiktoken", "-o", back])
            #expect(c2.succeeded, "\(c2)")
            #expect(FileManager.default.fileExists(atPath: back + ".json"))
            let text = "Hello, world! Don't 12345 ünïcödé <|endoftext|>\n"
            let want = try await CLI.run(["encode", "-e", "cl100k_base", "--allowed-special", "all"], stdin: text)
            for vocab in [json, back] {
                let got = try await CLI.run(["encode", "--vocab", vocab, "--allowed-special", "all"], stdin: text)
                #expect(got.stdout == want.stdout, "\(vocab): \(got)")
            }
        }
    }

    @Test("convert refuses what a .tiktoken file cannot express, and writes nothing")
    func refusal() async throws {
        try await withTemporaryDirectory { dir in
            let out = dir.path + "/ds.tiktoken"
            let r = try await CLI.run(["convert", "\(formatFixtures)/deepseek-mini.json", "--to", "tiktoken", "-o", out])
            #expect(r.exited(1) && r.isOneErrorLine && r.stderr.contains("cannot write"), "\(r)")
            #expect(!FileManager.default.fileExists(atPath: out) && !FileManager.default.fileExists(atPath: out + ".json"))
            let again = try await CLI.run(["convert", "\(formatFixtures)/deepseek-mini.json", "--to", "tokenizer.json", "-o", out])
            #expect(again.exited(1) && again.stderr.contains("already a tokenizer.json"), "\(again)")
            let help = try await CLI.run(["convert", "--help"])
            #expect(help.succeeded && help.stdout.contains("Example") && help.stdout.contains("bpe convert"), "\(help)")
        }
    }
}
