import ArgumentParser
import Testing
@testable import bpe
@testable import tinygpt

/// Every command gives its name: ArgumentParser would otherwise derive it from the type's
/// name with `String(describing:)` at every start (a tenth of `echo hi | bpe count`'s
/// instructions, under callgrind, went there).
@Suite struct CommandNameTests {
    @Test func everyCommandNamesItself() {
        let roots: [any ParsableCommand.Type] = [BPECommand.self, TinyGPTCommand.self]
        for root in roots {
            #expect(root.configuration.commandName != nil, "\(root)")
            for command in root.configuration.subcommands {
                #expect(command.configuration.commandName != nil, "\(command) has no commandName")
            }
        }
    }
}
