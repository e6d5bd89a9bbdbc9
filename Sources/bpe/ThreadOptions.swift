import ArgumentParser
import Foundation

/// `--threads` for `encode` and `count`: how many parts of a long input are encoded at once.
struct ThreadOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Threads for input longer than one block (4 MiB); it is cut where one thread cuts it, so the output is the same for any number (default: the CPUs this process may use).",
        valueName: "n"))
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads))") }
    }

    /// The number to use: `--threads`, else the CPUs this process may run on.
    var count: Int { threads ?? ThreadOptions.allowedCPUs }

    /// The CPUs in this process's affinity mask (what `taskset` sets), from
    /// `/proc/self/status`; the machine's count where that cannot be read. A process pinned
    /// to one CPU (as the benchmarks pin the CLI) then encodes on one thread.
    static var allowedCPUs: Int {
        #if os(Linux)
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) {
            var n = 0
            for range in line.dropFirst("Cpus_allowed_list:".count).split(separator: ",") {
                let ends = range.split(separator: "-").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                n += ends.count == 2 ? ends[1] - ends[0] + 1 : 1
            }
            if n > 0 { return n }
        }
        #endif
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }
}
