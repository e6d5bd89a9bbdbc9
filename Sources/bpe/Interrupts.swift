import BPE
import CLISupport
import Dispatch
import Foundation
import SafeFiles

/// Ctrl-C (SIGINT) and SIGTERM during `train` or `export`: remove this run's temporary files,
/// say what was kept, and exit 130. Outputs are only ever renamed into place whole, so an
/// earlier output is untouched and no partial one exists.
enum Interrupts {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    /// - Parameter kept: what the user still has, e.g. "my.tiktoken was not written; an existing one is unchanged".
    static func cleanUpOnInterrupt(kept: String) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                let removed = TemporaryFiles.shared.removeAll()
                let what = removed.isEmpty ? "no temporary files to remove" : "removed \(removed.count) temporary file(s)"
                printError("\ninterrupted: \(what); \(kept)")
                exit(130)
            }
            source.resume()
            sources.append(source)
        }
    }
}
