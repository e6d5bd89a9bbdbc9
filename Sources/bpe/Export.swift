import ArgumentParser
import CLISupport
import BPE
import Foundation
import TokenFeed

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Tokenize a corpus into training shards for llm.c or nanoGPT.",
        discussion: """
            Every document is preceded by <|endoftext|>, as llm.c's data scripts do, and is \
            encoded as ordinary text (special-token text inside a document stays text). A file \
            is one document unless --doc-separator splits it. Encoding runs on every CPU it may \
            use; the output is the same for any number of threads.

            Validation split: --val-docs N takes the first N documents. --val-fraction F (default \
            0.1) takes document i (counting from 0) when ceil((i+1)*F) > ceil(i*F): document 0, \
            then one in every 1/F (for 0.1: documents 0, 10, 20, ...), so of n documents exactly \
            ceil(n*F) are validation, without knowing n in advance.

            --format llmc (default) writes llm.c shards: a header of 256 int32 (magic, version, \
            token count) then the tokens, uint16 (magic 20240520, version 1) when every id fits \
            in 16 bits, else uint32 (magic 20240801, version 7). Files: NAME_val_000000.bin, \
            NAME_train_000001.bin, NAME_train_000002.bin, ... each with at most --shard-tokens \
            tokens (documents continue into the next shard). --format nanogpt writes raw \
            train.bin and val.bin (uint16, or uint32 when the vocabulary does not fit).

            DIR also gets meta.json (encoding, vocabulary sha256, n_vocab, EOT id, token and \
            document counts per split, sources, format, dtype) and, for --vocab FILE, copies of \
            FILE and FILE.json so the shards can be decoded later. Shards are written to a \
            hidden folder in DIR and moved into place at the end: a failed export leaves DIR \
            as it was. meta.json is written last and marks a complete export: a run killed \
            while moving shards into place leaves DIR without meta.json.

            On a cluster: give every task the same corpus, options and --part K/N (or --part \
            slurm in a job array) and its own folder. Task K exports the documents that start in \
            bytes K*T/N ..< (K+1)*T/N of the corpus (T bytes, files in the order bpe reads them), \
            into tokens.bin, documents.bin and part.json (written last: a task that fails or is \
            killed leaves none, and running it again completes the set). Then --combine joins the \
            part folders, given as the arguments, into DIR: byte for byte the export of the whole \
            corpus on one machine (the same shards, validation split and meta.json). It takes the \
            encoding and the options from the parts, and refuses parts that do not belong \
            together (another corpus, encoding, options or part count, a part given twice) or a \
            missing one, which it names. Job scripts: scripts/slurm/export.sbatch, combine.sbatch.

            Examples:
              bpe export --encoding gpt2 shakespeare.txt --doc-separator '\\n\\n' --out data/
              bpe export --vocab my.tiktoken corpus/ --out data/ --val-docs 100
              bpe export --encoding gpt2 big/ --out data/ --shard-tokens 10000000
              bpe export --encoding cl100k_base docs/*.md --out nano/ --format nanogpt
              bpe export --encoding gpt2 big/ --doc-separator '\\n\\n' --part 3/8 --out parts/3
              bpe export --combine parts/0 parts/1 parts/2 parts/3 parts/4 parts/5 parts/6 parts/7 --out data/
            """
    )

    @OptionGroup var encodingOptions: EncodingOptions

    @Argument(help: ArgumentHelp("Files, directories (read recursively), globs, or - for standard input; with --combine, the part folders.", valueName: "corpus"))
    var inputs: [String] = []

    @Option(help: ArgumentHelp("Export only part K of N of the corpus (K counts from 0) into --out, for --combine; or 'slurm' to take K and N from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT.", valueName: "K/N|slurm"))
    var part: String?

    @Flag(help: "Join the part folders given as arguments (written with --part) into one export in --out.")
    var combine = false

    @Option(name: [.short, .long], help: ArgumentHelp("The output folder (created if needed).", valueName: "dir"))
    var out: String

    @Option(help: "Shard layout: llmc (llm.c .bin shards) or nanogpt (raw train.bin/val.bin).")
    var format: Exporter.Format = .llmc

    @Option(help: ArgumentHelp("Fraction of documents for validation, 0 <= F < 1, spread evenly (default 0.1).", valueName: "F"))
    var valFraction: Double?

    @Option(help: ArgumentHelp("Take the first N documents for validation instead.", valueName: "N"))
    var valDocs: Int?

    @Option(help: ArgumentHelp("Most tokens per train shard (llmc), 1 to 2147483647 (default 100000000).", valueName: "N"))
    var shardTokens: Int?

    @Option(help: ArgumentHelp("Split files into documents at this string (\\n, \\t escapes), e.g. '\\n\\n' or '<|endoftext|>'. Default: one document per file.", valueName: "sep"))
    var docSeparator: String?

    @Option(help: ArgumentHelp("Shard file prefix (default: the encoding name, or the --vocab file's stem).", valueName: "name"))
    var name: String?

    @Option(help: "Encoding threads (default: the CPUs this process may use).")
    var threads: Int?

    @Flag(name: [.short, .long], help: "No progress display or summary.")
    var quiet = false

    /// The exporter's options; the library checks them (``validate()`` asks it early).
    var exporterOptions: Exporter.Options {
        var options = Exporter.Options()
        options.format = format
        options.validation = valDocs.map { .firstDocuments($0) } ?? .fraction(valFraction ?? 0.1)
        if let shardTokens { options.shardTokens = shardTokens }
        options.docSeparator = docSeparator.map(unescape)
        options.name = name
        if let threads { options.threads = threads }
        return options
    }

    func validate() throws {
        if combine {
            if inputs.isEmpty { throw ValidationError("--combine needs the part folders, e.g. bpe export --combine parts/* --out data/") }
            let taken: [(Bool, String)] = [
                (part != nil, "--part"), (valFraction != nil, "--val-fraction"), (valDocs != nil, "--val-docs"),
                (shardTokens != nil, "--shard-tokens"), (docSeparator != nil, "--doc-separator"), (name != nil, "--name"),
                (encodingOptions.vocab != nil, "--vocab"), (encodingOptions.model != nil, "--model"),
                (encodingOptions.pattern != nil, "--pattern"), (!encodingOptions.special.isEmpty, "--special"),
            ]
            if let (_, flag) = taken.first(where: \.0) {
                throw ValidationError("--combine takes the encoding and the options the parts were exported with; drop \(flag)")
            }
            return
        }
        if valFraction != nil && valDocs != nil { throw ValidationError("give --val-fraction or --val-docs, not both") }
        if shardTokens != nil && format != .llmc {
            throw ValidationError("--shard-tokens only applies to --format llmc (nanoGPT's train.bin is one file)")
        }
        try validateInLibrary { try exporterOptions.validate() }
    }

    func run() throws {
        Interrupts.cleanUpOnInterrupt(kept: "no shard was published to \(out) (shards appear only when an export completes)")
        if combine { return try runCombine() }
        // A bad --part (or a Slurm array of the wrong shape) is refused before loading anything.
        var part: CorpusPart?
        try reportingErrors(wording: flagWording) { part = try self.part.map { try CorpusPart.parse($0) } }
        try encodingOptions.run { encoding in
            let source: Exporter.Source
            if let vocab = encodingOptions.vocab {
                // The pattern the encoding was loaded with: the flag, else (nil) the sidecar's.
                source = .file(path: vocab, pattern: encodingOptions.pattern)
            } else {
                source = .builtin
            }
            let exporter = try Exporter(encoding: encoding, source: source, options: exporterOptions)
            if format == .nanogpt && exporter.tokenType == .uint32 {
                note("note: \(encoding.name) has \(encoding.nVocab) token ids, more than uint16 holds; writing uint32 tokens (meta.json \"dtype\": \"uint32\"); read them with np.uint32, not nanoGPT's default np.uint16")
            }
            let progress = ProgressLine(quiet: quiet)
            if let part {
                let meta = try exporter.exportPart(part, inputs: inputs.isEmpty ? ["-"] : inputs, to: out) { p in
                    let mb = Double(p.bytesRead) / 1e6
                    progress.update(String(format: "exporting part %@: %.1f MB read, %d documents, %d tokens, %.1f MB/s",
                                           part.description, mb, p.documents, p.tokens, mb / max(progress.elapsed, 1e-3)))
                }
                progress.finish()
                if !quiet {
                    note("part \(part): \(meta.documents) document\(meta.documents == 1 ? "" : "s"), \(meta.tokens) token\(meta.tokens == 1 ? "" : "s") (corpus bytes \(meta.corpusStart) ..< \(meta.corpusEnd) of \(meta.corpusBytes)) → \(out)")
                }
                return
            }
            let meta = try exporter.export(inputs: inputs.isEmpty ? ["-"] : inputs, to: out) { p in
                let mb = Double(p.bytesRead) / 1e6
                progress.update(String(format: "exporting: %.1f MB read, %d documents, %d tokens, %.1f MB/s",
                                       mb, p.documents, p.tokens, mb / max(progress.elapsed, 1e-3)))
            }
            progress.finish()
            summarize(meta)
        }
    }

    /// `--combine PART_DIR...`: no encoding to load, everything comes from the parts.
    private func runCombine() throws {
        try reportingErrors(wording: flagWording) {
            let progress = ProgressLine(quiet: quiet)
            let meta = try Exporter.combine(parts: inputs, to: out) { p in
                progress.update("combining: \(p.documents) documents, \(p.tokens) tokens")
            }
            progress.finish()
            summarize(meta, parts: inputs.count)
        }
    }

    private func summarize(_ meta: ShardMeta, parts: Int? = nil) {
        guard !quiet else { return }
        func count(_ n: Int, _ what: String) -> String { "\(n) \(what)\(n == 1 ? "" : "s")" }
        let train = meta.splits["train"] ?? .init(), val = meta.splits["val"] ?? .init()
        let shards = meta.format == Exporter.Format.llmc.rawValue ? " in \(count(train.files.count, "shard"))" : ""
        let from = parts.map { "\(count($0, "part")) combined: " } ?? ""
        note("\(from)train: \(count(train.documents, "document")), \(count(train.tokens, "token"))\(shards); val: \(count(val.documents, "document")), \(count(val.tokens, "token")); \(meta.dtype.rawValue) → \(out)")
    }
}

/// `--format llmc|nanogpt`: the library's own formats, parsed by their names.
extension Exporter.Format: ExpressibleByArgument {}
