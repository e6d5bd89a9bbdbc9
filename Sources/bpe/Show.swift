import ArgumentParser
import CLISupport
import BPE
import Foundation

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print text with its token boundaries visible.",
        discussion: """
            On a terminal, tokens get alternating background colours. Otherwise (or with \
            --plain) tokens are separated by '|', with '|' and '\\' in the text escaped as \
            '\\|' and '\\\\', control characters as \\n, \\t, \\r, and bytes that are not \
            UTF-8 on their own (part of a character) as \\xNN.

            Examples:
              echo 'hello world' | bpe show            # hello| world|\\n
              bpe show --encoding cl100k_base --ids notes.txt
            """
    )

    @OptionGroup var options: EncodingOptions

    @Flag(help: "Use the plain form even on a terminal.")
    var plain = false

    @Flag(help: "Print each token's id after it, as text⟨id⟩.")
    var ids = false

    @Argument(help: "Input file (default: standard input).")
    var file: String?

    func run() throws {
        try options.run { enc in
            let input = try readInput(file)
            try requireUTF8(input, name: file ?? "<stdin>")
            let tokens = try enc.encode(bytes: input, allowedSpecial: .all)
            let colour = !plain && isatty(1) != 0
            var out = Output()
            var endedLine = true
            for (i, t) in tokens.enumerated() {
                let bytes = try enc.decodeSingleTokenBytes(t)
                if colour {
                    out.write(i % 2 == 0 ? "\u{1B}[48;5;153m\u{1B}[30m" : "\u{1B}[48;5;223m\u{1B}[30m")
                    out.write(Self.visible(bytes, escapeBars: false))
                    out.write("\u{1B}[0m")
                } else {
                    if i > 0 { out.write("|") }
                    out.write(Self.visible(bytes, escapeBars: true))
                }
                if ids { out.write("⟨\(t)⟩") }
                // Keep the text's own line structure visible too.
                endedLine = bytes.last == UInt8(ascii: "\n")
                if endedLine { out.write("\n") }
                if out.pendingCount >= 1 << 16 { try out.flush() }
            }
            if !endedLine { out.write("\n") }
            try out.flush()
        }
    }

    /// Token bytes as readable text: valid UTF-8 as is, control characters and lone bytes escaped.
    static func visible(_ bytes: [UInt8], escapeBars: Bool) -> String {
        var s = ""
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let len = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0
            if len > 1, i + len <= bytes.count, let str = String(validating: bytes[i..<(i + len)], as: UTF8.self) {
                s += str
                i += len
                continue
            }
            switch b {
            case 0x0A: s += "\\n"
            case 0x09: s += "\\t"
            case 0x0D: s += "\\r"
            case UInt8(ascii: "\\") where escapeBars: s += "\\\\"
            case UInt8(ascii: "|") where escapeBars: s += "\\|"
            case 0x20..<0x7F: s.unicodeScalars.append(Unicode.Scalar(b))
            default: s += "\\x" + String(format: "%02X", b)
            }
            i += 1
        }
        return s
    }
}
