import ArgumentParser
import CLISupport
import BPE
import Foundation
import TinyGPT

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Generate text from a checkpoint written by `tinygpt train`.",
        discussion: """
            Encodes --prompt with the vocabulary stored in the checkpoint (an empty prompt \
            starts from <|endoftext|>, the token before every document), prints it, then \
            streams each new token's text as soon as it is sampled. A character whose UTF-8 \
            bytes are split across tokens is held back until it is complete, so output is never \
            broken mid-character; bytes left unfinished at the end are printed as U+FFFD. The \
            model sees the last `context` tokens. Same checkpoint, prompt and --seed give the \
            same text.

            Example:
              tinygpt sample --checkpoint shk.ckpt --prompt 'ROMEO:' --tokens 200 --temperature 0.8 --top-k 40
            """
    )

    @Option(help: ArgumentHelp("Checkpoint written by `tinygpt train --out`.", valueName: "ckpt"))
    var checkpoint: String

    @Option(help: "Text to continue (default: start a new document).")
    var prompt: String = ""

    @Option(parsing: .unconditional, help: "How many tokens to generate.")
    var tokens: Int = 200

    @Option(parsing: .unconditional, help: "Softmax temperature; below 1 is more conservative, 0 is greedy.")
    var temperature: Float = 1.0

    @Option(name: .customLong("top-k"), parsing: .unconditional, help: "Sample only among the K most likely tokens; 0 = all.")
    var topK: Int = 0

    @Option(parsing: .unconditional, help: "Seed of the sampler.")
    var seed: UInt64 = 1337

    func run() throws {
        try reportingErrors(wording: flagWording) { try sample() }
    }

    private func sample() throws {
        guard tokens >= 0 else { throw CLIError("--tokens must be 0 or more, got \(tokens)") }
        guard temperature >= 0, temperature.isFinite else { throw CLIError("--temperature must be 0 or more, got \(temperature)") }
        guard topK >= 0 else { throw CLIError("--top-k must be 0 or more, got \(topK)") }
        let ckpt = try Checkpoint.read(path: checkpoint)
        let encoding = try VocabularyRecord.encoding(for: ckpt, path: checkpoint)
        let model = try GPT(config: ckpt.config, parameters: ckpt.parameters)

        var context = encoding.encodeOrdinary(prompt)
        if context.isEmpty {
            let eot = ckpt.metadata["vocab.eot_token"].flatMap { UInt32($0) } ?? encoding.eotToken
            guard let eot else {
                throw CLIError("the vocabulary has no <|endoftext|> token to start from; pass --prompt TEXT")
            }
            context = [eot]
        }
        try writeOut(prompt)
        var sampler = Sampler(temperature: temperature, topK: topK, seed: seed)
        var stream = DecodeStream(encoding: encoding)
        _ = try model.generate(from: context, count: tokens, sampler: &sampler) { token in
            try writeOut(try stream.step(token))
        }
        try writeOut(stream.finish() + "\n")
    }
}
