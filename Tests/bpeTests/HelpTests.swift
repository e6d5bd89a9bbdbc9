// `--help` for every subcommand exits 0 and shows an example.
import Foundation
import Testing

@Suite("help")
struct HelpTests {
    static let subcommands = ["encode", "decode", "count", "show", "encodings", "train", "count-words", "export"]

    @Test("bpe SUBCOMMAND --help exits 0 and shows an example", arguments: subcommands)
    func subcommandHelp(_ sub: String) async throws {
        let r = try await CLI.run([sub, "--help"])
        #expect(r.succeeded, "\(r)")
        #expect(r.stdout.contains("Example"), "\(r)")
        #expect(r.stdout.contains("bpe \(sub)"), "the example or usage names the command: \(r)")
        #expect(r.stderr.isEmpty, "\(r)")
    }

    @Test("bpe help SUBCOMMAND and -h work too", arguments: subcommands)
    func helpSubcommand(_ sub: String) async throws {
        let viaHelp = try await CLI.run(["help", sub])
        #expect(viaHelp.succeeded && viaHelp.stdout.contains("Example"), "\(viaHelp)")
        let short = try await CLI.run([sub, "-h"])
        #expect(short.succeeded && short.stdout.contains("Example"), "\(short)")
    }

    @Test("bpe --help lists every subcommand and exits 0")
    func topLevelHelp() async throws {
        let r = try await CLI.run(["--help"])
        #expect(r.succeeded, "\(r)")
        for sub in Self.subcommands {
            #expect(r.stdout.contains(sub), "\(sub) missing from: \(r.stdout)")
        }
        #expect(r.stdout.contains("Example"), "\(r)")
    }

    @Test("--help does not wait for standard input or load a vocabulary")
    func helpIgnoresInput() async throws {
        // A vocabulary folder that does not exist: help must not try to load anything.
        let r = try await CLI.run(["encode", "--help"], stdin: "hello",
                                  environment: ["BPE_VOCAB_DIR": "/nonexistent/bpe-vocab"])
        #expect(r.succeeded && r.stdout.contains("Example"), "\(r)")
    }

    @Test("--version prints the version")
    func version() async throws {
        let r = try await CLI.run(["--version"])
        #expect(r.succeeded, "\(r)")
        #expect(r.stdout.first?.isNumber == true, "\(r)")
    }
}
