// The full `--help` of every command of both tools, compared with the text committed under
// Tests/bpeTests/HelpSnapshots/, at a fixed width (COLUMNS=100) so it does not depend on the
// terminal. Help is read by people: a change to it should be one a person looked at.
//
// After changing help on purpose, write the snapshots again and review the diff:
//   BPE_UPDATE_HELP_SNAPSHOTS=1 swift test --filter HelpSnapshotTests
import Foundation
import Testing

@Suite("help snapshots")
struct HelpSnapshotTests {
    struct Command: Sendable, CustomTestStringConvertible {
        let tool: String
        let args: [String]
        var file: String { ([tool] + args).joined(separator: "-") + ".txt" }
        var testDescription: String { ([tool] + args + ["--help"]).joined(separator: " ") }
    }

    static let commands: [Command] =
        [[], ["encode"], ["decode"], ["count"], ["show"], ["encodings"], ["train"], ["count-words"], ["merge-counts"], ["export"], ["convert"]]
            .map { Command(tool: "bpe", args: $0) }
        + [[], ["train"], ["sample"]].map { Command(tool: "tinygpt", args: $0) }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("HelpSnapshots")

    @Test("--help matches its snapshot", arguments: commands)
    func snapshot(_ c: Command) async throws {
        let exe = try CLI.binary().deletingLastPathComponent().appendingPathComponent(c.tool)
        let r = try await CLI.run(c.args + ["--help"], environment: ["COLUMNS": "100"], executable: exe)
        #expect(r.succeeded && r.stderr.isEmpty, "\(r)")
        let url = Self.directory.appendingPathComponent(c.file)
        if ProcessInfo.processInfo.environment["BPE_UPDATE_HELP_SNAPSHOTS"] != nil {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            try Data(r.stdoutBytes).write(to: url)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(r.stdout == expected, """
            help of \(c.testDescription) differs from \(url.path); if the change is meant, \
            run BPE_UPDATE_HELP_SNAPSHOTS=1 swift test --filter HelpSnapshotTests and review the diff
            """)
    }

    /// A new subcommand must get a snapshot: the list above must name every subcommand that
    /// each tool's top-level help lists.
    @Test("every subcommand has a snapshot", arguments: ["bpe", "tinygpt"])
    func everySubcommandIsListed(_ tool: String) throws {
        let text = try String(contentsOf: Self.directory.appendingPathComponent("\(tool).txt"), encoding: .utf8)
        guard let section = text.components(separatedBy: "SUBCOMMANDS:").last else { Issue.record("no SUBCOMMANDS in \(tool) help"); return }
        let listed = section.split(separator: "\n").compactMap { line -> String? in
            let words = line.split(separator: " ")
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let first = words.first else { return nil }
            return String(first)
        }.filter { $0 != "help" && $0.first?.isLowercase == true }   // not the "See ..." footer
        #expect(!listed.isEmpty)
        let snapshotted = Set(Self.commands.filter { $0.tool == tool }.compactMap(\.args.first))
        for name in listed { #expect(snapshotted.contains(name), "\(tool) \(name) has no help snapshot") }
    }

    @Test("every default in help reads as a user would type it")
    func defaultsAreTypeable() throws {
        for c in Self.commands {
            let text = try String(contentsOf: Self.directory.appendingPathComponent(c.file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.contains("(default:") {
                // A debug description would show a type name and parentheses: SpecialOption(set: …).
                #expect(!line.contains("Option(") && !line.contains("Set(") && !line.contains("BPE."), "\(c.file): \(line)")
            }
        }
        // Help wraps lines; compare with runs of spaces and newlines as one space.
        let encode = try String(contentsOf: Self.directory.appendingPathComponent("bpe-encode.txt"), encoding: .utf8)
            .split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        #expect(encode.contains("--allowed-special <set> Special tokens taken as special tokens: all, none, or TOK,TOK. (default: none)"))
        #expect(encode.contains("or TOK,TOK. (default: all)"))
    }
}
