/// The translation that makes PCRE2 split exactly as tiktoken's Rust regex engine does, and
/// name-based access to the presets (their knowledge lives in ``Preset``).
public enum SplitPattern {
    /// GPT-2 / r50k_base / p50k_base, as written in tiktoken's `openai_public.py`.
    public static var gpt2Tiktoken: String { Preset.gpt2.tiktokenPattern }
    /// cl100k_base, as written in tiktoken.
    public static var cl100kTiktoken: String { Preset.cl100k.tiktokenPattern }
    /// o200k_base, as written in tiktoken.
    public static var o200kTiktoken: String { Preset.o200k.tiktokenPattern }

    /// The preset names accepted by `--pattern`, with their tiktoken source.
    public static var presets: [(name: String, tiktoken: String)] {
        Preset.allCases.map { ($0.name, $0.tiktokenPattern) }
    }

    /// A preset's PCRE2 pattern by name (`gpt2`, `r50k`, `p50k`, `cl100k`, `o200k`), or `nil`.
    public static func preset(_ name: String) -> String? {
        Preset(name: name)?.pcre2Pattern
    }

    /// A preset's tiktoken-syntax source by name (or alias), else `pattern` itself.
    public static func tiktokenSource(_ pattern: String) -> String {
        Preset(name: pattern)?.tiktokenPattern ?? pattern
    }

    /// The name of the preset whose PCRE2 form is `pattern`, if any (for display).
    public static func presetName(of pattern: String) -> String? {
        Preset(pcre2Pattern: pattern)?.name
    }

    /// Rust's `\s` (Unicode `White_Space`) spelled out. PCRE2's `\s` with UCP is "Z or
    /// \t\n\v\f\r", which lacks U+0085 NEL; listing the code points also keeps us independent
    /// of either engine's Unicode tables.
    static let whiteSpaceClassBody =
        #"\t-\r\x{20}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}"#

    /// Rewrites a pattern written for Rust's `regex`/`fancy_regex` (as tiktoken's are) into
    /// one PCRE2 matches identically:
    /// - `\s` and `\S` become explicit classes, inside and outside brackets;
    /// - `\p{L}`, `\p{N}`, `\p{Lu}`… gain the code points UCD 16 (Rust `regex` 1.13, which
    ///   tiktoken 0.14.0 uses) assigned after UCD 14 (PCRE2 10.42's tables), see
    ///   ``unicodeAdditions``; a newer PCRE2 already has them, which is harmless.
    /// Everything else the GPT patterns use means the same in both engines.
    ///
    /// ```swift
    /// SplitPattern.pcre2(fromTiktoken: #"\s+(?!\S)"#)
    /// // "[\t-\r\x{20}\x{85}…]+(?![^\t-\r\x{20}\x{85}…])"
    /// ```
    /// - Complexity: O(pattern length).
    public static func pcre2(fromTiktoken source: String) -> String {
        var out = ""
        var chars = Array(source.unicodeScalars)[...]
        var inClass = false
        var classStart = false  // just after `[` or `[^`: a `]` here is literal
        while let c = chars.popFirst() {
            if c == "\\", let e = chars.popFirst() {
                switch (e, inClass) {
                case ("s", false): out += "[\(whiteSpaceClassBody)]"
                case ("S", false): out += "[^\(whiteSpaceClassBody)]"
                case ("s", true): out += whiteSpaceClassBody
                case ("p", _) where chars.first == "{":
                    // \p{Name}: add what UCD 16 (tiktoken's tables) has beyond PCRE2's.
                    let name = String(String.UnicodeScalarView(chars.dropFirst().prefix { $0 != "}" }))
                    let property = "\\p{\(name)}"
                    chars = chars.dropFirst(name.unicodeScalars.count + 2)
                    if let extra = unicodeAdditions[name], !extra.isEmpty {
                        out += inClass ? property + extra : "[\(property)\(extra)]"
                    } else {
                        out += property
                    }
                default: out.unicodeScalars.append(c); out.unicodeScalars.append(e)
                }
                classStart = false
                continue
            }
            out.unicodeScalars.append(c)
            if inClass {
                if c == "]" && !classStart { inClass = false }
                classStart = classStart && c == "^" && out.hasSuffix("[^")
            } else if c == "[" {
                inClass = true
                classStart = true
            }
        }
        return out
    }
}
