import ArgumentParser
import Foundation

/// An error the CLI reports as one `error:` line and exit status 1, with no stack trace.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Runs a command body, turning any error into `error: …` on stderr and exit status 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as ExitCode {
        throw e
    } catch {
        let message = "\(error)".replacingOccurrences(of: "\n", with: " ")
        printError("error: \(message)")
        throw ExitCode.failure
    }
}

/// One line on standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

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
