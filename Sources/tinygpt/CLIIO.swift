import ArgumentParser
import Foundation
import CLISupport

/// Unbuffered standard output for streamed text: every piece is written at once.
func writeOut(_ text: String) {
    guard !text.isEmpty else { return }
    var bytes = Array(text.utf8)
    bytes.withUnsafeMutableBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = Foundation.write(1, raw.baseAddress! + offset, raw.count - offset)
            if n <= 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }
}

/// One line on standard output, written at once (progress shows up in a pipe or log file
/// while training runs, not when a buffer fills).
func say(_ line: String) {
    writeOut(line + "\n")
}

/// CPU time used by this process so far (all threads), in seconds. Divided by wall time it
/// says how many cores a run actually had: on a shared machine, fewer than it asked for.
func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
