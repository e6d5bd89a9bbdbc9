import CLISupport
import Foundation

/// Writes `text` to standard output at once: sampled text as it is generated, and progress
/// lines that show up in a pipe or log file while training runs, not when a buffer fills.
/// - Throws: ``OutputError`` (a full disk is an error; a closed pipe ends the run quietly).
func writeOut(_ text: String) throws {
    guard !text.isEmpty else { return }
    var out = Output(capacity: text.utf8.count)
    out.write(text)
    try out.flush()
}

/// One line on standard output, written at once.
func say(_ line: String) throws {
    try writeOut(line + "\n")
}

/// CPU time used by this process so far (all threads), in seconds. Divided by wall time it
/// says how many cores a run actually had: on a shared machine, fewer than it asked for.
func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
