import Foundation

/// How many CPUs this process may use: the default thread count of every parallel path
/// (training, export, the CLI's `--threads`, bpe-bench).
///
/// Foundation's `activeProcessorCount` counts the machine's CPUs and ignores the affinity
/// mask, so a process pinned with `taskset -c 0` would still start one thread per CPU and
/// make them take turns on the one it has.
///
/// ```swift
/// let threads = Processors.allowed     // 1 under `taskset -c 0`, else the machine's count
/// ```
public enum Processors {
    /// The CPUs in this process's affinity mask (Linux: `Cpus_allowed_list` in
    /// `/proc/self/status`); the machine's count where that cannot be read. At least 1.
    /// - Complexity: one small file read per call; call it once per job, not per block.
    public static var allowed: Int {
        #if os(Linux)
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }),
           let n = count(cpuList: line.dropFirst("Cpus_allowed_list:".count)), n > 0 {
            return n
        }
        #endif
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// ``allowed``, read once, at first use: the default of calls that may come many times
    /// a second (the batch calls), for which reading `/proc/self/status` each time (about
    /// 0.1 ms in a debug build) would cost more than encoding a small batch. A process that
    /// changes its affinity mask afterwards keeps the first count here.
    static let allowedOnce = allowed

    /// The number of CPUs in a kernel CPU list such as `0-3,8,10-11` (which gives 7);
    /// `nil` if the list does not parse.
    /// - Complexity: O(length of the list).
    static func count(cpuList: Substring) -> Int? {
        var n = 0
        for part in cpuList.split(separator: ",") {
            let ends = part.split(separator: "-", omittingEmptySubsequences: false)
                .map { Int($0.trimmingCharacters(in: .whitespaces)) }
            if ends.count == 1, ends[0] != nil {
                n += 1
            } else if ends.count == 2, let a = ends[0], let b = ends[1], b >= a {
                n += b - a + 1
            } else {
                return nil
            }
        }
        return n
    }
}
