/// Translates a regex written for Oniguruma (the engine Hugging Face `tokenizers` runs
/// `Split` patterns with, in its default Ruby-like syntax) into a PCRE2 pattern that matches
/// exactly the same text, or refuses it with a message naming the construct.
///
/// What differs between the two engines, each checked against `tokenizers` 0.23.3 itself
/// (`scripts/hf_parity.py --quirks`):
/// - `X{n,m}+` and `X{n}+` are a repetition of `X{n,m}`, not possessive: `\p{N}{1,3}+` is
///   `(?:\p{N}{1,3})+`. `X{n}?` is an optional `X{n}`, not lazy. (`?+`, `*+`, `++` *are*
///   possessive, as in PCRE2.) `{,n}` means `{0,n}`.
/// - `^` and `$` match at line starts and ends (`(?m)` in PCRE2); `(?m)` means dot-all
///   (PCRE2's `(?s)`), and `(?s)` is an error.
/// - `\h` is a hex digit, `\v` the vertical tab only.
/// - `\s` is Unicode `White_Space` (spelled out, as for tiktoken's patterns); `\d` and every
///   `\p{…}` general category gain the code points UCD 15–16 added (Oniguruma's tables are
///   UCD 16, PCRE2 10.42's UCD 14), see ``unicodeAdditions``.
/// - Oniguruma folds case to several characters (`(?i)ss` matches `ß`); PCRE2 does not, so
///   caseless patterns are limited to ASCII literals without such pairs.
///
/// Refused, with the construct named: `\w \W \b \B` (Oniguruma's word class is not a general
/// category), scripts and other non-category properties, back-references, `\G \K \X \N \O`,
/// absent groups, nested classes and `&&`, POSIX brackets, `(?x)`, and any pattern that can
/// match the empty string (Hugging Face splits on empty matches in ways PCRE2's iteration
/// cannot reproduce; no real tokenizer needs one).
///
/// ```swift
/// try OnigurumaPattern.pcre2(from: #"\p{N}{1,3}+"#)   // "(?:[\p{N}…]{1,3})+"
/// ```
/// - Complexity: O(pattern length).
enum OnigurumaPattern {
    struct Unsupported: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// The PCRE2 form of `source`.
    /// - Throws: ``Unsupported`` naming the construct and its offset.
    static func pcre2(from source: String) throws(Unsupported) -> String {
        var t = Translator(Array(source.unicodeScalars))
        let (out, nullable) = try t.alternation(flags: Flags())
        guard t.i == t.s.count else { throw t.fail("unbalanced ')'") }
        if nullable { throw Unsupported(message: "the pattern can match the empty string, which Split handles in a way PCRE2 cannot reproduce; make every alternative consume at least one character") }
        return out
    }

    /// Rust's `regex::escape`, then translation: what a `Split` with a `String` pattern runs.
    static func literal(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            if c.isASCII, !(c.properties.isAlphabetic || ("0"..."9").contains(c) || c == " " || c == "_") {
                out += "\\"
            }
            out.unicodeScalars.append(c)
        }
        return out
    }

    /// General-category names Oniguruma accepts (case, spaces, `_` and `-` ignored), by the
    /// PCRE2 short name.
    static let categoryNames: [String: String] = {
        let pairs: [(String, [String])] = [
            ("L", ["letter"]), ("Lu", ["uppercaseletter"]), ("Ll", ["lowercaseletter"]),
            ("Lt", ["titlecaseletter"]), ("Lm", ["modifierletter"]), ("Lo", ["otherletter"]),
            ("M", ["mark", "combiningmark"]), ("Mn", ["nonspacingmark"]), ("Mc", ["spacingmark"]),
            ("Me", ["enclosingmark"]), ("N", ["number"]), ("Nd", ["decimalnumber", "digit"]),
            ("Nl", ["letternumber"]), ("No", ["othernumber"]), ("P", ["punctuation", "punct"]),
            ("Pc", ["connectorpunctuation"]), ("Pd", ["dashpunctuation"]), ("Ps", ["openpunctuation"]),
            ("Pe", ["closepunctuation"]), ("Pi", ["initialpunctuation"]), ("Pf", ["finalpunctuation"]),
            ("Po", ["otherpunctuation"]), ("S", ["symbol"]), ("Sm", ["mathsymbol"]),
            ("Sc", ["currencysymbol"]), ("Sk", ["modifiersymbol"]), ("So", ["othersymbol"]),
            ("Z", ["separator"]), ("Zs", ["spaceseparator"]), ("Zl", ["lineseparator"]),
            ("Zp", ["paragraphseparator"]), ("C", ["other"]), ("Cc", ["control", "cntrl"]),
            ("Cf", ["format"]), ("Co", ["privateuse"]), ("Cs", ["surrogate"]), ("Cn", ["unassigned"]),
        ]
        var table: [String: String] = [:]
        for (short, long) in pairs {
            table[short.lowercased()] = short
            for l in long { table[l] = short }
        }
        return table
    }()

    struct Flags {
        var caseless = false
    }
}

private struct Translator {
    let s: [Unicode.Scalar]
    var i = 0
    init(_ s: [Unicode.Scalar]) { self.s = s }

    func fail(_ what: String, at offset: Int? = nil) -> OnigurumaPattern.Unsupported {
        OnigurumaPattern.Unsupported(message: "\(what) (at character \(offset ?? i) of the pattern)")
    }

    var peek: Unicode.Scalar? { i < s.count ? s[i] : nil }

    mutating func alternation(flags: OnigurumaPattern.Flags) throws(OnigurumaPattern.Unsupported) -> (String, Bool) {
        var out = ""
        var nullable = false
        var flags = flags
        var first = true
        while true {
            let (seq, n) = try sequence(flags: &flags)
            out += first ? seq : "|" + seq
            nullable = nullable || n
            first = false
            if peek == "|" { i += 1; continue }
            return (out, nullable)
        }
    }

    /// Items up to `|`, `)` or the end. `flags` may change mid-sequence (`(?i)`), and the
    /// change lasts to the end of the enclosing group, across `|`, as in both engines.
    mutating func sequence(flags: inout OnigurumaPattern.Flags) throws(OnigurumaPattern.Unsupported) -> (String, Bool) {
        var out = ""
        var nullable = true
        var literalRun: [Unicode.Scalar] = []   // caseless literal letters in a row
        while let c = peek, c != "|", c != ")" {
            let start = i
            var (atom, atomNullable, literal) = try self.atom(flags: &flags)
            if atom.isEmpty { continue }   // a flag group such as (?i)
            // Quantifiers, Oniguruma style.
            var quantified = false
            var firstQuantifier = true
            while let q = peek, q == "?" || q == "*" || q == "+" || (q == "{" && intervalAhead() != nil) {
                let wrapNeeded = !firstQuantifier
                var text: String
                var minZero: Bool
                if q == "{" {
                    let (lo, hi, len) = intervalAhead()!
                    i += len
                    text = "{\(lo),\(hi.map(String.init) ?? "")}"
                    if hi == lo { text = "{\(lo)}" }
                    minZero = lo == 0
                    // `{n,m}?` is lazy, except `{n}?`, which is an optional `{n}`; `{…}+` is
                    // another repetition. Both come round this loop again.
                    if peek == "?" && hi != lo {
                        text += "?"
                        i += 1
                    }
                } else {
                    i += 1
                    text = String(q)
                    minZero = q != "+"
                    if peek == "?" || peek == "+" {
                        text.unicodeScalars.append(peek!)
                        i += 1
                    }
                }
                if wrapNeeded { atom = "(?:\(atom))" }
                atom += text
                atomNullable = atomNullable || minZero
                firstQuantifier = false
                quantified = true
            }
            if flags.caseless {
                if let l = literal {
                    guard l.isASCII else {
                        throw fail("a non-ASCII character under (?i): Oniguruma's case folding differs from PCRE2's", at: start)
                    }
                    literalRun.append(l)
                    let run = String(String.UnicodeScalarView(literalRun.suffix(2))).lowercased()
                    if ["ss", "st", "ff", "fi", "fl"].contains(run) {
                        throw fail("'\(run)' under (?i): Oniguruma matches it against one character (such as ß or ﬁ), PCRE2 does not", at: start)
                    }
                    if quantified { literalRun.removeAll() }
                } else {
                    literalRun.removeAll()
                }
            }
            out += atom
            nullable = nullable && atomNullable
        }
        return (out, nullable)
    }

    /// `{n}`, `{n,}`, `{n,m}` or `{,m}` at `i`: (min, max, length in scalars), or `nil` when
    /// the brace is a literal.
    func intervalAhead() -> (Int, Int?, Int)? {
        var j = i + 1
        func number() -> Int? {
            var v: Int?
            while j < s.count, ("0"..."9").contains(s[j]) {
                v = (v ?? 0) * 10 + Int(s[j].value - 48)
                j += 1
                if v! > 100_000 { return nil }
            }
            return v
        }
        let lo = number()
        if j < s.count && s[j] == "}" {
            guard let lo else { return nil }
            return (lo, lo, j + 1 - i)
        }
        guard j < s.count, s[j] == "," else { return nil }
        j += 1
        let hi = number()
        guard j < s.count, s[j] == "}" else { return nil }
        if lo == nil && hi == nil { return nil }
        return (lo ?? 0, hi, j + 1 - i)
    }

    /// One atom: its PCRE2 text, whether it can match empty, and the literal scalar it is,
    /// if it is one (for the caseless checks). An empty text means a flag-only group.
    mutating func atom(flags: inout OnigurumaPattern.Flags) throws(OnigurumaPattern.Unsupported) -> (String, Bool, Unicode.Scalar?) {
        let c = s[i]
        switch c {
        case "(":
            return try group(flags: &flags)
        case "[":
            return (try characterClass(flags: flags), false, nil)
        case ".":
            i += 1
            return (".", false, nil)
        case "^":
            i += 1
            return ("(?m:^)", true, nil)
        case "$":
            i += 1
            return ("(?m:$)", true, nil)
        case "\\":
            return try escape(flags: flags)
        case "*", "+", "?":
            throw fail("a quantifier '\(c)' with nothing to repeat")
        default:
            i += 1
            return (Self.literalText(c), false, c)
        }
    }

    static func literalText(_ c: Unicode.Scalar) -> String {
        if c.isASCII, "\\^$.|?*+()[]{}#".unicodeScalars.contains(c) { return "\\" + String(c) }
        if c.value < 0x20 || c.value == 0x7F { return "\\x{\(String(c.value, radix: 16))}" }
        return String(c)
    }

    mutating func group(flags: inout OnigurumaPattern.Flags) throws(OnigurumaPattern.Unsupported) -> (String, Bool, Unicode.Scalar?) {
        let start = i
        i += 1
        var open = "("
        var inner = flags
        var lookaround = false
        var atomicOrNamed = false
        if peek == "?" {
            i += 1
            guard let k = peek else { throw fail("unterminated group", at: start) }
            switch k {
            case ":": i += 1; open = "(?:"
            case "=", "!": i += 1; open = "(?\(k)"; lookaround = true
            case ">": i += 1; open = "(?>"; atomicOrNamed = true
            case "<":
                i += 1
                if peek == "=" || peek == "!" {
                    open = "(?<\(peek!)"
                    i += 1
                    lookaround = true
                } else {
                    // (?<name>…): a named capture; names do not change what matches.
                    var name = ""
                    while let n = peek, n != ">" { name.unicodeScalars.append(n); i += 1 }
                    guard peek == ">", !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }) else {
                        throw fail("bad group name", at: start)
                    }
                    i += 1
                    open = "(?<\(name)>"
                    atomicOrNamed = true
                }
            case "#":
                while let n = peek, n != ")" { i += 1; _ = n }
                guard peek == ")" else { throw fail("unterminated comment", at: start) }
                i += 1
                return ("", true, nil)
            case "~":
                throw fail("absent groups (?~…) are not supported", at: start)
            default:
                // (?imx-imx) or (?imx-imx:…)
                var on = true
                var pcreFlags = ""
                while let f = peek, f != ")", f != ":" {
                    switch f {
                    case "-": on = false; pcreFlags += "-"
                    case "i": inner.caseless = on; pcreFlags += "i"
                    case "m": pcreFlags += "s"   // Ruby's m is dot-all
                    case "x": throw fail("extended mode (?x) is not supported", at: start)
                    default: throw fail("unknown group option '\(f)' (Oniguruma rejects it too)", at: i)
                    }
                    i += 1
                }
                guard let end = peek else { throw fail("unterminated group", at: start) }
                i += 1
                if end == ")" {
                    // Applies to the rest of the enclosing group.
                    flags = inner
                    return pcreFlags.isEmpty ? ("", true, nil) : ("(?\(pcreFlags))", true, nil)
                }
                open = "(?\(pcreFlags):"
            }
        }
        _ = atomicOrNamed
        let (body, nullable) = try alternation(flags: inner)
        guard peek == ")" else { throw fail("missing ')'", at: start) }
        i += 1
        return (open + body + ")", lookaround || nullable, nil)
    }

    mutating func hexEscape() throws(OnigurumaPattern.Unsupported) -> UInt32 {
        // after "\x"
        if peek == "{" {
            i += 1
            var v: UInt32 = 0
            var n = 0
            while let h = peek, let d = hexValue(UInt8(truncatingIfNeeded: h.value)), h.isASCII {
                v = v &* 16 &+ UInt32(d)
                n += 1
                i += 1
                guard n <= 8 else { break }
            }
            guard peek == "}", n > 0, v <= 0x10FFFF, !(0xD800...0xDFFF).contains(v) else { throw fail("bad \\x{…} escape") }
            i += 1
            return v
        }
        var v: UInt32 = 0
        var n = 0
        while n < 2, let h = peek, h.isASCII, let d = hexValue(UInt8(h.value)) {
            v = v * 16 + UInt32(d)
            n += 1
            i += 1
        }
        guard n > 0 else { throw fail("bad \\x escape") }
        return v
    }

    /// A property escape after `\p` or `\P`: the PCRE2 text for use outside a class (`inClass`
    /// false) or inside one.
    mutating func property(negated: Bool, inClass: Bool, classNegated: Bool, flags: OnigurumaPattern.Flags) throws(OnigurumaPattern.Unsupported) -> String {
        let start = i - 2
        guard peek == "{" else { throw fail("\\p needs {name}", at: start) }
        i += 1
        var negated = negated
        if peek == "^" { negated.toggle(); i += 1 }
        var name = ""
        while let n = peek, n != "}" { name.unicodeScalars.append(n); i += 1 }
        guard peek == "}" else { throw fail("unterminated \\p{…}", at: start) }
        i += 1
        let key = String(name.lowercased().unicodeScalars.filter { $0 != " " && $0 != "_" && $0 != "-" })
        guard let short = OnigurumaPattern.categoryNames[key] else {
            throw fail("\\p{\(name)}: only general categories (L, Lu, N, P, S, …) are supported", at: start)
        }
        if OnigurumaPattern.shrunkCategories.contains(short) {
            throw fail("\\p{\(name)}: its code points changed between PCRE2's and Oniguruma's Unicode versions", at: start)
        }
        if flags.caseless { throw fail("\\p{\(name)} under (?i): the engines differ on caseless properties", at: start) }
        let extra = OnigurumaPattern.unicodeAdditions[short] ?? ""
        let prop = "\\p{\(short)}"
        if !inClass {
            if extra.isEmpty { return negated ? "\\P{\(short)}" : prop }
            return negated ? "[^\(prop)\(extra)]" : "[\(prop)\(extra)]"
        }
        if negated {
            guard extra.isEmpty else {
                throw fail("\\P{\(name)} inside a character class (write it outside the class)", at: start)
            }
            return "\\P{\(short)}"
        }
        return prop + extra
    }

    mutating func escape(flags: OnigurumaPattern.Flags) throws(OnigurumaPattern.Unsupported) -> (String, Bool, Unicode.Scalar?) {
        let start = i
        i += 1
        guard let e = peek else { throw fail("pattern ends with a backslash", at: start) }
        i += 1
        let ws = SplitPattern.whiteSpaceClassBody
        let digits = "\\p{Nd}" + (OnigurumaPattern.unicodeAdditions["Nd"] ?? "")
        switch e {
        case "s": return ("[\(ws)]", false, nil)
        case "S": return ("[^\(ws)]", false, nil)
        case "d": return ("[\(digits)]", false, nil)
        case "D": return ("[^\(digits)]", false, nil)
        case "h": return ("[0-9A-Fa-f]", false, nil)
        case "H": return ("[^0-9A-Fa-f]", false, nil)
        case "p", "P": return (try property(negated: e == "P", inClass: false, classNegated: false, flags: flags), false, nil)
        case "A": return ("\\A", true, nil)
        case "z": return ("\\z", true, nil)
        case "Z": return ("\\Z", true, nil)
        case "R": return ("(?>\\r\\n|[\\n\\x{0B}\\f\\r\\x{85}\\x{2028}\\x{2029}])", false, nil)
        case "t": return ("\\t", false, "\t")
        case "n": return ("\\n", false, "\n")
        case "r": return ("\\r", false, "\r")
        case "f": return ("\\f", false, "\u{0C}")
        case "v": return ("\\x{0B}", false, "\u{0B}")
        case "a": return ("\\x{07}", false, "\u{07}")
        case "e": return ("\\x{1B}", false, "\u{1B}")
        case "x", "u":
            let v: UInt32
            if e == "u" {
                var x: UInt32 = 0
                for _ in 0..<4 {
                    guard let h = peek, h.isASCII, let d = hexValue(UInt8(h.value)) else { throw fail("bad \\u escape", at: start) }
                    x = x * 16 + UInt32(d)
                    i += 1
                }
                v = x
            } else {
                v = try hexEscape()
            }
            guard let sc = Unicode.Scalar(v) else { throw fail("bad code point", at: start) }
            return ("\\x{\(String(v, radix: 16))}", false, sc)
        case "w", "W", "b", "B":
            throw fail("\\\(e): Oniguruma's word characters are not a general category; spell the class out with \\p{…}", at: start)
        default:
            if e.isASCII && (e.properties.isAlphabetic || ("0"..."9").contains(e)) {
                throw fail("\\\(e) is not supported", at: start)
            }
            return ("\\" + String(e), false, e)
        }
    }

    mutating func characterClass(flags: OnigurumaPattern.Flags) throws(OnigurumaPattern.Unsupported) -> String {
        let start = i
        i += 1
        var out = "["
        var negated = false
        if peek == "^" { negated = true; out += "^"; i += 1 }
        var first = true
        var previousWasLiteral = false
        while true {
            guard let c = peek else { throw fail("unterminated character class", at: start) }
            if c == "]" && !first { i += 1; break }
            first = false
            switch c {
            case "[":
                throw fail("nested classes and POSIX brackets inside [...] are not supported", at: i)
            case "&" where i + 1 < s.count && s[i + 1] == "&":
                throw fail("class intersection && is not supported", at: i)
            case "\\":
                let escStart = i
                i += 1
                guard let e = peek else { throw fail("unterminated character class", at: start) }
                i += 1
                previousWasLiteral = true
                switch e {
                case "s": out += SplitPattern.whiteSpaceClassBody; previousWasLiteral = false
                case "d": out += "\\p{Nd}" + (OnigurumaPattern.unicodeAdditions["Nd"] ?? ""); previousWasLiteral = false
                case "h": out += "0-9A-Fa-f"; previousWasLiteral = false
                case "S", "D", "H":
                    throw fail("\\\(e) inside a character class is not supported (write it outside the class)", at: escStart)
                case "p", "P":
                    out += try property(negated: e == "P", inClass: true, classNegated: negated, flags: flags)
                    previousWasLiteral = false
                case "w", "W", "b", "B":
                    throw fail("\\\(e) is not supported; spell the class out with \\p{…}", at: escStart)
                case "t": out += "\\t"
                case "n": out += "\\n"
                case "r": out += "\\r"
                case "f": out += "\\f"
                case "v": out += "\\x{0B}"
                case "a": out += "\\x{07}"
                case "e": out += "\\x{1B}"
                case "x":
                    out += "\\x{\(String(try hexEscape(), radix: 16))}"
                case "u":
                    var x: UInt32 = 0
                    for _ in 0..<4 {
                        guard let h = peek, h.isASCII, let d = hexValue(UInt8(h.value)) else { throw fail("bad \\u escape", at: escStart) }
                        x = x * 16 + UInt32(d)
                        i += 1
                    }
                    out += "\\x{\(String(x, radix: 16))}"
                default:
                    if e.isASCII && (e.properties.isAlphabetic || ("0"..."9").contains(e)) {
                        throw fail("\\\(e) inside a character class is not supported", at: escStart)
                    }
                    out += "\\" + String(e)
                }
                if flags.caseless && !(e.isASCII) { throw fail("a non-ASCII character under (?i)", at: escStart) }
            case "-":
                // A range needs a literal on both sides; otherwise the dash is literal.
                i += 1
                if previousWasLiteral, let n = peek, n != "]" {
                    out += "-"
                    previousWasLiteral = false
                } else {
                    out += "\\-"
                    previousWasLiteral = true
                }
            default:
                i += 1
                if flags.caseless && !c.isASCII { throw fail("a non-ASCII character under (?i): the engines' case folding differs", at: i - 1) }
                if c == "^" || c == "]" || c == "[" { out += "\\" + String(c) }
                else if c.value < 0x20 || c.value == 0x7F { out += "\\x{\(String(c.value, radix: 16))}" }
                else { out.unicodeScalars.append(c) }
                previousWasLiteral = true
            }
        }
        return out + "]"
    }
}
