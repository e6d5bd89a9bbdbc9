import CLISupport
import Foundation

/// A one-line progress display on standard error, redrawn at most ten times a second, and
/// only when standard error is a terminal (so logs and pipes stay clean).
final class ProgressLine {
    private let enabled: Bool
    private var last = 0.0
    private let start = Date()
    private var shown = false

    init(quiet: Bool) {
        enabled = !quiet && isatty(2) != 0
    }

    var elapsed: Double { Date().timeIntervalSince(start) }

    /// Redraws the line with `text` unless the last redraw was under 0.1 s ago.
    func update(_ text: @autoclosure () -> String, force: Bool = false) {
        guard enabled else { return }
        let now = elapsed
        guard force || now - last >= 0.1 else { return }
        last = now
        writeStandardError("\r\u{1B}[K\(text())")
        shown = true
    }

    /// Ends the line (keeps the final text).
    func finish() {
        guard enabled, shown else { return }
        writeStandardError("\n")
        shown = false
    }
}

/// A message on standard error (not an error: training summaries, warnings).
func note(_ s: String) {
    printError(s)
}

/// Formats a duration like "1m05s" or "12.3s".
func duration(_ s: Double) -> String {
    s >= 60 ? String(format: "%dm%02ds", Int(s) / 60, Int(s) % 60) : String(format: "%.1fs", s)
}

/// `\n`, `\t`, `\r`, `\\` escapes in a flag value (e.g. `--doc-separator '\n\n'`).
func unescape(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    var it = Array(s.utf8).makeIterator()
    while let c = it.next() {
        guard c == UInt8(ascii: "\\"), let e = it.next() else { out.append(c); continue }
        switch e {
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "\\"): out.append(0x5C)
        default: out += [c, e]
        }
    }
    return out
}
