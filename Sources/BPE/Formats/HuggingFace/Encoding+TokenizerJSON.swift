import Foundation

/// Why an encoding cannot be written in the requested format.
public struct ExportError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Encoding {
    /// This encoding as a Hugging Face `tokenizer.json` that `tokenizers` loads and encodes
    /// with exactly these ids (scripts/convert_parity.py proves it on held-out text).
    ///
    /// The file is what `tokenizers` itself would save for a tiktoken encoding: a `Split`
    /// with the pattern (rewritten for Oniguruma: `X{n,m}+` becomes the atomic `(?>X{n,m})`,
    /// `$` and `^` become `\z` and `\A`), then `ByteLevel` without its regex; the vocabulary in
    /// the byte-to-unicode alphabet; for each token, in rank order, the last merge tiktoken's
    /// BPE makes to build it; `ignore_merges`, so a piece that is a token is that token, as in
    /// tiktoken; the special tokens as special added tokens, also entered in the vocabulary so
    /// `tokenizers` gives them these ids.
    ///
    /// ```swift
    /// try AtomicFile.write(Encoding.builtin("cl100k_base").tokenizerJSON(), to: "tokenizer.json")
    /// ```
    /// - Throws: ``ExportError`` for an encoding read from a `tokenizer.json` (it already is
    ///   one), or whose special tokens the file cannot hold with these ids.
    /// - Complexity: O(Σ token length²) for the merges.
    public func tokenizerJSON() throws -> [UInt8] {
        guard case .tiktoken = vocabulary.mergeRule, !(pipeline is HuggingFacePipeline) else {
            throw ExportError("\(name) is already a tokenizer.json; copy the file instead")
        }
        let v = vocabulary
        // Special tokens: a vocabulary entry each (raw text), so tokenizers keeps their ids.
        var specials = specialTokens.sorted { $0.value < $1.value }
        specials = specials.filter { specialBytes[$0.value] == Array($0.key.utf8) }   // one text per id
        for (text, id) in specials {
            if let r = v.rank(of: Array(text.utf8)), r != id {
                throw ExportError("special token \(text.debugDescription) has the bytes of token \(r); a tokenizer.json cannot hold both")
            }
            if self.pattern.split(Array(text.utf8)).count == 1 && ByteLevelAlphabet.decode(text) != nil {
                throw ExportError("special token \(text.debugDescription) is one piece of the split pattern: in a tokenizer.json it would be looked up as a whole piece in ordinary text")
            }
        }
        let pattern = try Self.onigurumaPattern(fromTiktoken: preset?.tiktokenPattern ?? patternSource)

        var out: [UInt8] = []
        out.reserveCapacity(v.count * 40)
        func w(_ s: String) { out.append(contentsOf: s.utf8) }
        func str(_ s: String) { appendJSONString(s, to: &out) }
        w(#"{"version":"1.0","truncation":null,"padding":null,"added_tokens":["#)
        for (i, (text, id)) in specials.enumerated() {
            if i > 0 { w(",") }
            w("\n{\"id\":\(id),\"content\":")
            str(text)
            w(#","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}"#)
        }
        w("],\n\"normalizer\":null,\n\"pre_tokenizer\":{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Split\",\"pattern\":{\"Regex\":")
        str(pattern)
        w(#"},"behavior":"Isolated","invert":false},{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":false}]},"#)
        w("\n\"post_processor\":null,\n\"decoder\":{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true},")
        w("\n\"model\":{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":null,\"continuing_subword_prefix\":null,\"end_of_word_suffix\":null,\"fuse_unk\":false,\"byte_fallback\":false,\"ignore_merges\":true,\n\"vocab\":{")
        var first = true
        for r in 0..<v.count {
            guard let t = v.tokenBytes(Rank(r)) else { continue }
            if !first { w(",") }
            first = false
            str(ByteLevelAlphabet.encode(t))
            w(":\(r)")
        }
        for (text, id) in specials {
            w(",")
            str(text)
            w(":\(id)")
        }
        w("},\n\"merges\":[")
        first = true
        for (left, right) in Self.canonicalMerges(v) {
            if !first { w(",") }
            first = false
            w("[")
            str(ByteLevelAlphabet.encode(v.tokenBytes(left)!))
            w(",")
            str(ByteLevelAlphabet.encode(v.tokenBytes(right)!))
            w("]")
        }
        w("]}}\n")
        return out
    }

    /// For each token of two or more bytes, in rank order, the pair tiktoken's BPE joins last
    /// when it encodes the token using only lower ranks; tokens it cannot build that way (a
    /// piece that is such a token is still found whole, through `ignore_merges`) get none.
    /// `v` must merge by tiktoken's rule.
    static func canonicalMerges(_ v: Vocabulary) -> [(Rank, Rank)] {
        var merges: [(Rank, Rank)] = []
        var parts: [Rank] = []
        for r in 0..<v.count {
            let (p, n) = v.bytes(of: Rank(r))
            guard n > 1 else { continue }
            parts.removeAll(keepingCapacity: true)
            for k in 0..<n { parts.append(v.byteRanks[Int(p[k])]) }
            while parts.count > 2 {
                var best = Rank.max, at = -1
                for i in 0..<(parts.count - 1) {
                    if let m = v.mergedRank(parts[i], parts[i + 1]), m < Rank(r), m < best { best = m; at = i }
                }
                guard at >= 0 else { break }
                parts[at] = best
                parts.remove(at: at + 1)
            }
            if parts.count == 2, v.mergedRank(parts[0], parts[1]) == Rank(r) { merges.append((parts[0], parts[1])) }
        }
        return merges
    }

    /// A tiktoken (Rust `regex` / `fancy-regex`) or PCRE2 pattern rewritten for Oniguruma's
    /// Ruby syntax, which `tokenizers` runs: possessive intervals `X{n,m}+` become atomic
    /// groups `(?>X{n,m})` (Oniguruma would read a repetition), `^` and `$` outside classes
    /// become `\A` and `\z` (Oniguruma's match at line breaks).
    static func onigurumaPattern(fromTiktoken source: String) throws -> String {
        let s = Array(source.unicodeScalars)
        var out: [Unicode.Scalar] = []
        var atomStarts: [Int] = []   // where the last atom begins in `out`, per group depth
        var groupStarts: [Int] = []
        var lastAtom = -1
        var i = 0
        func append(_ t: String) { out.append(contentsOf: t.unicodeScalars) }
        while i < s.count {
            let c = s[i]
            switch c {
            case "\\":
                lastAtom = out.count
                out.append(c)
                if i + 1 < s.count { out.append(s[i + 1]) }
                i += 2
                // \p{..}, \x{..}
                if i <= s.count, i - 1 < s.count, "pPx".unicodeScalars.contains(s[i - 1]), i < s.count, s[i] == "{" {
                    while i < s.count, s[i] != "}" { out.append(s[i]); i += 1 }
                    if i < s.count { out.append(s[i]); i += 1 }
                }
            case "[":
                lastAtom = out.count
                out.append(c)
                i += 1
                if i < s.count, s[i] == "^" { out.append(s[i]); i += 1 }
                if i < s.count, s[i] == "]" { out.append(s[i]); i += 1 }
                while i < s.count, s[i] != "]" {
                    if s[i] == "\\", i + 1 < s.count { out.append(s[i]); i += 1 }
                    else if s[i] == "[" { throw ExportError("pattern: a nested class cannot be written for Oniguruma") }
                    out.append(s[i])
                    i += 1
                }
                if i < s.count { out.append(s[i]); i += 1 }
            case "(":
                groupStarts.append(out.count)
                atomStarts.append(lastAtom)
                out.append(c)
                i += 1
            case ")":
                out.append(c)
                i += 1
                lastAtom = groupStarts.popLast() ?? 0
                _ = atomStarts.popLast()
            case "^":
                append("\\A")
                i += 1
                lastAtom = -1
            case "$":
                append("\\z")
                i += 1
                lastAtom = -1
            case "{":
                // An interval quantifier?
                var j = i + 1
                while j < s.count, ("0"..."9").contains(s[j]) || s[j] == "," { j += 1 }
                if j < s.count, s[j] == "}", j > i + 1, lastAtom >= 0 {
                    let interval = Array(s[i...j])
                    i = j + 1
                    if i < s.count, s[i] == "+" {
                        // Possessive interval: atomic group around atom + interval.
                        let atom = Array(out[lastAtom...])
                        out.removeSubrange(lastAtom...)
                        append("(?>")
                        out.append(contentsOf: atom)
                        out.append(contentsOf: interval)
                        append(")")
                        i += 1
                    } else {
                        out.append(contentsOf: interval)
                    }
                } else {
                    lastAtom = out.count
                    out.append(c)
                    i += 1
                }
            case "?", "*", "+", "|":
                out.append(c)
                i += 1
                if c == "|" { lastAtom = -1 }
            default:
                lastAtom = out.count
                out.append(c)
                i += 1
            }
        }
        var result = ""
        result.unicodeScalars.append(contentsOf: out)
        return result
    }

    /// A `.tiktoken` file and its sidecar for this encoding, where one can express it: an
    /// encoding with tiktoken's merge rule (built-in, trained, Tekken), or a `tokenizer.json`
    /// whose pipeline is one regex split and whose merges are exactly the ones tiktoken's rule
    /// implies.
    /// - Throws: ``ExportError`` naming what a `.tiktoken` file cannot hold.
    public func tiktokenExport() throws -> (tiktoken: [UInt8], sidecar: Sidecar) {
        var pattern: String
        if let hf = pipeline as? HuggingFacePipeline {
            guard hf.normalizers.isEmpty else { throw ExportError("a normalizer cannot be expressed in a .tiktoken file") }
            guard hf.rawAddedTokens.tokens.allSatisfy({ $0.special && !$0.lstrip && !$0.rstrip && !$0.singleWord }),
                  hf.normalizedAddedTokens.isEmpty else {
                throw ExportError("added tokens that are not special, or that strip spaces or match single words, cannot be expressed in a .tiktoken file")
            }
            guard let bl = hf.byteLevel, !bl.addPrefixSpace else { throw ExportError("ByteLevel's add_prefix_space cannot be expressed in a .tiktoken file") }
            if hf.steps.isEmpty, let r = bl.regex {
                pattern = r.source
            } else if hf.steps.count == 1, bl.regex == nil, case .regex(let p) = hf.steps[0].matching,
                      hf.steps[0].behavior == .isolated, !hf.steps[0].invert {
                pattern = p.source
            } else {
                throw ExportError("a .tiktoken file has one split pattern; this tokenizer.json splits in \(hf.steps.count + (bl.regex == nil ? 0 : 1)) steps")
            }
            guard case .mergeList(let list, _) = vocabulary.mergeRule else { throw ExportError("not a merge list") }
            let canonical = Encoding.canonicalMerges(of: vocabulary, without: Set(specialTokens.values))
            guard canonical.count == list.count, zip(canonical, list).allSatisfy({ $0.0 == $1.0 && $0.1 == $1.1 }) else {
                throw ExportError("its merges are not the ones tiktoken's rule derives from the ranks (merge priority is not token rank), so a .tiktoken file would encode differently")
            }
        } else {
            pattern = preset?.tiktokenPattern ?? patternSource
        }
        // Special tokens that are also vocabulary entries (tokenizer.json keeps them there)
        // are not mergeable tokens in a .tiktoken file.
        let specialIDs = Set(specialTokens.values)
        var data: [UInt8] = []
        for r in 0..<vocabulary.count where !specialIDs.contains(Rank(r)) {
            guard let t = vocabulary.tokenBytes(Rank(r)) else { continue }
            data += Array(Data(t).base64EncodedString().utf8)
            data += Array(" \(r)\n".utf8)
        }
        let sidecar = Sidecar(name: name, pattern: pattern, patternName: preset?.name, specialTokens: specialTokens,
                              vocabSize: vocabulary.tokenCount, merges: max(0, vocabulary.tokenCount - 256), training: nil,
                              tiktokenSha256: Sidecar.sha256(data))
        return (data, sidecar)
    }

    /// ``canonicalMerges(_:)`` of any vocabulary, by its token bytes and ids.
    static func canonicalMerges(of v: Vocabulary, without excluded: Set<Rank> = []) -> [(Rank, Rank)] {
        if case .tiktoken = v.mergeRule, excluded.isEmpty { return canonicalMerges(v) }
        var tokens: [[UInt8]?] = []
        for r in 0..<v.count { tokens.append(excluded.contains(Rank(r)) ? nil : v.tokenBytes(Rank(r))) }
        guard let t = try? Vocabulary(tokensByID: tokens, mergeRule: .tiktoken) else { return [] }
        return canonicalMerges(t)
    }
}

extension Sidecar {
    public init(name: String, pattern: String, patternName: String?, specialTokens: [String: Rank], vocabSize: Int,
                merges: Int, training: Training?, tiktokenSha256: String?) {
        self.name = name
        self.pattern = pattern
        self.patternName = patternName
        self.specialTokens = specialTokens
        self.vocabSize = vocabSize
        self.merges = merges
        self.training = training
        self.tiktokenSha256 = tiktokenSha256
    }

    /// The sidecar's JSON bytes (as ``TrainedVocabulary/write(to:name:inputs:)`` writes them).
    public func jsonData() throws -> [UInt8] { try encoded() }
}

/// Appends `s` as a JSON string literal (escaping `"`, `\` and control characters).
func appendJSONString(_ s: String, to out: inout [UInt8]) {
    out.append(0x22)
    for b in s.utf8 {
        switch b {
        case 0x22: out += [0x5C, 0x22]
        case 0x5C: out += [0x5C, 0x5C]
        case 0x0A: out += [0x5C, 0x6E]
        case 0x0D: out += [0x5C, 0x72]
        case 0x09: out += [0x5C, 0x74]
        case 0..<0x20:
            out += Array(String(format: "\\u%04x", b).utf8)
        default: out.append(b)
        }
    }
    out.append(0x22)
}
