import ArgumentParser
import BPE

/// `--threads` for `encode` and `count`: how many parts of a long input (or lines of
/// `encode --jsonl`) are encoded at once.
struct ThreadOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Threads for input longer than one block (4 MiB), or for the lines of encode --jsonl; input is cut where one thread cuts it, so the output is the same for any number (default: the CPUs this process may use).",
        valueName: "n"))
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads))") }
    }

    /// The number to use: `--threads`, else the CPUs this process may run on.
    var count: Int { threads ?? Processors.allowed }
}
