/// A parsed JSON text, kept flat: one ``Node`` per value, in document order, over the
/// original bytes. Strings are not copied or unescaped until asked for, so a 4 MB
/// `tokenizer.json` with 250,000 strings parses in one pass with two allocations.
///
/// Strict RFC 8259: one value, no trailing commas, no comments, no NaN, strings valid UTF-8
/// with their escapes checked. A syntax error names the byte, line and column, and the
/// path of the value being read (`model.vocab["ab"]`), so a hand-edited file can be fixed.
///
/// ```swift
/// let doc = try JSONDocument(Array(#"{"a": [1, "x"]}"#.utf8))
/// doc.root["a"]?[1]?.string   // "x"
/// ```
/// - Complexity: O(n) for n bytes; nesting is limited to ``maxDepth``.
package struct JSONDocument: @unchecked Sendable {
    enum Kind: UInt8 { case null, bool, number, string, array, object }

    /// One value. For a container, `end` is the index of the first node after its subtree
    /// and `count` its number of elements (or key/value pairs); for a string, `escaped` says
    /// whether it needs unescaping. An object's children are key string, value, key, value…
    struct Node {
        var kind: Kind
        var escaped: Bool
        /// Byte range in the text: for a string, inside the quotes.
        var start: UInt32
        var byteEnd: UInt32
        /// Index of the next node after this one's subtree.
        var end: UInt32
        var count: UInt32
        /// A container read past unparsed (see `skipping:`): `count` is 0, nothing inside.
        var skipped = false
    }

    let bytes: [UInt8]
    private(set) var nodes: [Node] = []
    /// Where the file came from, for messages.
    let source: String

    /// Containers nested deeper than this are refused (a hostile file could otherwise blow
    /// the stack of any recursive reader).
    static let maxDepth = 512

    /// - Parameters:
    ///   - lenientUTF8: take a byte that starts no well-formed UTF-8 sequence, inside a
    ///     string, as itself instead of refusing the text (for callers that check UTF-8 on
    ///     their own terms).
    ///   - skipping: byte ranges, in file order, each exactly one object or array of `bytes`
    ///     (`{` to `}`): each becomes one empty node marked `skipped`, its content neither read
    ///     nor checked. Only for bytes known to be good: the tokenizer.json cache passes the
    ///     ranges of `model.vocab` and `model.merges` recorded when it parsed a file of the
    ///     same SHA-256 in full. A range that does not start where a container starts is
    ///     ignored (that container is parsed), so callers check `skipped`.
    init(_ bytes: [UInt8], source: String = "JSON", lenientUTF8: Bool = false,
         skipping: [Range<Int>] = []) throws(FormatError) {
        self.bytes = bytes
        self.source = source
        guard bytes.count < Int(UInt32.max) else {
            throw FormatError(source: source, path: "", message: "file is larger than 4 GiB")
        }
        nodes.reserveCapacity(bytes.count / 16)
        var parser = Parser(bytes: bytes, source: source)
        parser.lenientUTF8 = lenientUTF8
        parser.skips = skipping
        try bytes.withUnsafeBufferPointer { (buf) throws(FormatError) in
            parser.buf = buf
            try parser.parseDocument(into: &nodes)
        }
    }

    /// The top-level value.
    var root: JSONValue { JSONValue(document: self, index: 0, path: JSONPath()) }
}

/// Where a value sits in a document, as `model.merges[3]`: built only for messages.
struct JSONPath: CustomStringConvertible, Sendable {
    enum Component: Sendable { case key(String), index(Int) }
    var components: [Component] = []

    func appending(_ c: Component) -> JSONPath {
        var p = self
        p.components.append(c)
        return p
    }

    var description: String {
        var s = ""
        for c in components {
            switch c {
            case .key(let k):
                let plain = !k.isEmpty && k.unicodeScalars.allSatisfy { ($0.properties.isAlphabetic && $0.isASCII) || $0 == "_" || ("0"..."9").contains($0) }
                if plain { s += s.isEmpty ? k : ".\(k)" } else { s += "[\(k.debugDescription)]" }
            case .index(let i): s += "[\(i)]"
            }
        }
        return s.isEmpty ? "(top level)" : s
    }
}

/// A file that is not what its format requires: what, where (file and JSON path, or byte,
/// line and column), and usually how to fix it. One line.
public struct FormatError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file (or a name for the input).
    public let source: String
    /// The JSON path of the bad value (`model.merges[3]`), or a position; may be empty.
    public let path: String
    public let message: String

    public init(source: String, path: String, message: String) {
        self.source = source
        self.path = path
        self.message = message
    }

    public var description: String {
        path.isEmpty ? "\(source): \(message)" : "\(source): \(path): \(message)"
    }
}

private struct Parser {
    let bytes: [UInt8]
    let source: String
    var buf: UnsafeBufferPointer<UInt8> = UnsafeBufferPointer(start: nil, count: 0)
    var i = 0
    /// The path of the value being parsed, for syntax errors: key ranges and indices.
    var path: [(key: Range<Int>?, index: Int)] = []
    /// See ``JSONDocument/init(_:source:lenientUTF8:skipping:)``.
    var lenientUTF8 = false
    var skips: [Range<Int>] = []
    /// The first of `skips` not yet passed.
    var nextSkip = 0

    init(bytes: [UInt8], source: String) {
        self.bytes = bytes
        self.source = source
    }

    func error(_ message: String, at offset: Int? = nil) -> FormatError {
        let at = min(offset ?? i, buf.count)
        var line = 1, column = 1
        for k in 0..<at {
            if buf[k] == 0x0A { line += 1; column = 1 } else if buf[k] & 0xC0 != 0x80 { column += 1 }
        }
        var p = JSONPath()
        for c in path {
            if let k = c.key {
                p.components.append(.key(String(decoding: buf[k], as: UTF8.self)))
            } else {
                p.components.append(.index(c.index))
            }
        }
        let whereText = path.isEmpty ? "" : " in \(p)"
        return FormatError(source: source, path: "",
                           message: "malformed JSON at line \(line), column \(column) (byte \(at))\(whereText): \(message)")
    }

    mutating func skipSpace() {
        while i < buf.count {
            switch buf[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    mutating func parseDocument(into nodes: inout [JSONDocument.Node]) throws(FormatError) {
        // A UTF-8 byte order mark is tolerated, as most JSON readers do.
        if buf.count >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF { i = 3 }
        skipSpace()
        guard i < buf.count else { throw error("the file is empty; expected a JSON value") }
        try parseValue(into: &nodes, depth: 0)
        skipSpace()
        guard i == buf.count else { throw error("unexpected text after the end of the JSON value") }
    }

    mutating func parseValue(into nodes: inout [JSONDocument.Node], depth: Int) throws(FormatError) {
        guard i < buf.count else { throw error("unexpected end of file; expected a value") }
        let start = i
        if nextSkip < skips.count, skipContainer(into: &nodes) { return }
        switch buf[i] {
        case UInt8(ascii: "{"):
            guard depth < JSONDocument.maxDepth else { throw error("nested deeper than \(JSONDocument.maxDepth) levels") }
            let me = nodes.count
            nodes.append(.init(kind: .object, escaped: false, start: UInt32(start), byteEnd: 0, end: 0, count: 0))
            i += 1
            skipSpace()
            var count: UInt32 = 0
            if i < buf.count && buf[i] == UInt8(ascii: "}") {
                i += 1
            } else {
                while true {
                    skipSpace()
                    guard i < buf.count, buf[i] == UInt8(ascii: "\"") else {
                        throw error(count == 0 ? "expected a string key or '}'" : "expected a string key")
                    }
                    let keyNode = nodes.count
                    try parseString(into: &nodes)
                    let k = nodes[keyNode]
                    skipSpace()
                    guard i < buf.count, buf[i] == UInt8(ascii: ":") else { throw error("expected ':' after the key") }
                    i += 1
                    skipSpace()
                    path.append((Int(k.start)..<Int(k.byteEnd), 0))
                    try parseValue(into: &nodes, depth: depth + 1)
                    path.removeLast()
                    count += 1
                    skipSpace()
                    guard i < buf.count else { throw error("unexpected end of file; expected ',' or '}'") }
                    if buf[i] == UInt8(ascii: ",") { i += 1; continue }
                    if buf[i] == UInt8(ascii: "}") { i += 1; break }
                    throw error("expected ',' or '}' after a value in an object")
                }
            }
            nodes[me].byteEnd = UInt32(i)
            nodes[me].end = UInt32(nodes.count)
            nodes[me].count = count
        case UInt8(ascii: "["):
            guard depth < JSONDocument.maxDepth else { throw error("nested deeper than \(JSONDocument.maxDepth) levels") }
            let me = nodes.count
            nodes.append(.init(kind: .array, escaped: false, start: UInt32(start), byteEnd: 0, end: 0, count: 0))
            i += 1
            skipSpace()
            var count: UInt32 = 0
            if i < buf.count && buf[i] == UInt8(ascii: "]") {
                i += 1
            } else {
                while true {
                    skipSpace()
                    path.append((nil, Int(count)))
                    try parseValue(into: &nodes, depth: depth + 1)
                    path.removeLast()
                    count += 1
                    skipSpace()
                    guard i < buf.count else { throw error("unexpected end of file; expected ',' or ']'") }
                    if buf[i] == UInt8(ascii: ",") { i += 1; continue }
                    if buf[i] == UInt8(ascii: "]") { i += 1; break }
                    throw error("expected ',' or ']' after an array element")
                }
            }
            nodes[me].byteEnd = UInt32(i)
            nodes[me].end = UInt32(nodes.count)
            nodes[me].count = count
        case UInt8(ascii: "\""):
            try parseString(into: &nodes)
        case UInt8(ascii: "t"):
            try literal("true")
            nodes.append(.init(kind: .bool, escaped: true, start: UInt32(start), byteEnd: UInt32(i), end: UInt32(nodes.count + 1), count: 0))
        case UInt8(ascii: "f"):
            try literal("false")
            nodes.append(.init(kind: .bool, escaped: false, start: UInt32(start), byteEnd: UInt32(i), end: UInt32(nodes.count + 1), count: 0))
        case UInt8(ascii: "n"):
            try literal("null")
            nodes.append(.init(kind: .null, escaped: false, start: UInt32(start), byteEnd: UInt32(i), end: UInt32(nodes.count + 1), count: 0))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try parseNumber()
            nodes.append(.init(kind: .number, escaped: false, start: UInt32(start), byteEnd: UInt32(i), end: UInt32(nodes.count + 1), count: 0))
        default:
            throw error("expected a value (object, array, string, number, true, false or null)")
        }
    }

    /// Reads past the container at `i` if it is the next of `skips`; see `skipping:`.
    mutating func skipContainer(into nodes: inout [JSONDocument.Node]) -> Bool {
        while nextSkip < skips.count && skips[nextSkip].lowerBound < i { nextSkip += 1 }
        guard nextSkip < skips.count, skips[nextSkip].lowerBound == i else { return false }
        let r = skips[nextSkip]
        nextSkip += 1
        let kind: JSONDocument.Kind, close: UInt8
        switch buf[i] {
        case UInt8(ascii: "{"): (kind, close) = (.object, UInt8(ascii: "}"))
        case UInt8(ascii: "["): (kind, close) = (.array, UInt8(ascii: "]"))
        default: return false
        }
        guard r.count >= 2, r.upperBound <= buf.count, buf[r.upperBound - 1] == close else { return false }
        nodes.append(.init(kind: kind, escaped: false, start: UInt32(i), byteEnd: UInt32(r.upperBound),
                           end: UInt32(nodes.count + 1), count: 0, skipped: true))
        i = r.upperBound
        return true
    }

    mutating func literal(_ word: StaticString) throws(FormatError) {
        let n = word.utf8CodeUnitCount
        let w = word.utf8Start
        guard i + n <= buf.count else { throw error("expected '\(word)'") }
        for k in 0..<n where buf[i + k] != w[k] { throw error("expected '\(word)'") }
        i += n
    }

    mutating func parseNumber() throws(FormatError) {
        let start = i
        if buf[i] == UInt8(ascii: "-") { i += 1 }
        func digit(_ k: Int) -> Bool { k < buf.count && buf[k] >= 0x30 && buf[k] <= 0x39 }
        guard digit(i) else { throw error("expected a digit", at: i) }
        if buf[i] == UInt8(ascii: "0") {
            i += 1
            if digit(i) { throw error("a number must not have a leading zero", at: start) }
        } else {
            while digit(i) { i += 1 }
        }
        if i < buf.count && buf[i] == UInt8(ascii: ".") {
            i += 1
            guard digit(i) else { throw error("expected a digit after '.'") }
            while digit(i) { i += 1 }
        }
        if i < buf.count && (buf[i] == UInt8(ascii: "e") || buf[i] == UInt8(ascii: "E")) {
            i += 1
            if i < buf.count && (buf[i] == UInt8(ascii: "+") || buf[i] == UInt8(ascii: "-")) { i += 1 }
            guard digit(i) else { throw error("expected a digit in the exponent") }
            while digit(i) { i += 1 }
        }
    }

    /// A string: checks escapes and UTF-8, records whether unescaping is needed.
    mutating func parseString(into nodes: inout [JSONDocument.Node]) throws(FormatError) {
        i += 1  // opening quote
        let start = i
        var escaped = false
        while true {
            // Fast scan over the common bytes: plain ASCII but the quote and the backslash, and
            // well-formed 2-byte sequences (every byte-level BPE symbol is one or the other).
            // On locals: `self.i` would be stored back on every byte.
            if let p = buf.baseAddress {
                let n = buf.count
                var j = i
                while j < n {
                    let c = p[j]
                    if c >= 0x20 && c < 0x80 && c != UInt8(ascii: "\"") && c != UInt8(ascii: "\\") {
                        j += 1
                    } else if c >= 0xC2 && c <= 0xDF && j + 1 < n && p[j + 1] & 0xC0 == 0x80 {
                        j += 2
                    } else {
                        break
                    }
                }
                i = j
            }
            guard i < buf.count else { throw error("unterminated string", at: start - 1) }
            let c = buf[i]
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") {
                escaped = true
                guard i + 1 < buf.count else { throw error("unterminated string", at: start - 1) }
                switch buf[i + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    guard let u = hex4(i + 2) else { throw error("bad \\u escape: expected 4 hex digits") }
                    i += 6
                    if (0xD800..<0xDC00).contains(u) {
                        guard i + 1 < buf.count, buf[i] == UInt8(ascii: "\\"), buf[i + 1] == UInt8(ascii: "u"),
                              let low = hex4(i + 2), (0xDC00..<0xE000).contains(low) else {
                            throw error("a \\u high surrogate must be followed by a \\u low surrogate")
                        }
                        i += 6
                    } else if (0xDC00..<0xE000).contains(u) {
                        throw error("a lone \\u low surrogate is not a character")
                    }
                default:
                    throw error("bad escape '\\\(String(UnicodeScalar(buf[i + 1])))' in a string")
                }
                continue
            }
            if c < 0x20 { throw error("a control character (0x\(String(c, radix: 16))) must be escaped in a string") }
            // Non-ASCII: one well-formed UTF-8 sequence.
            let n = utf8Length(at: i)
            guard n > 0 else {
                if lenientUTF8 { i += 1; continue }
                throw error("string is not valid UTF-8")
            }
            i += n
        }
        nodes.append(.init(kind: .string, escaped: escaped, start: UInt32(start), byteEnd: UInt32(i),
                           end: UInt32(nodes.count + 1), count: 0))
        i += 1  // closing quote
    }

    func hex4(_ k: Int) -> UInt32? {
        guard k + 4 <= buf.count else { return nil }
        var v: UInt32 = 0
        for j in k..<(k + 4) {
            guard let d = hexValue(buf[j]) else { return nil }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    /// The length of the well-formed UTF-8 sequence at `k`, or 0.
    func utf8Length(at k: Int) -> Int {
        let b0 = buf[k]
        func cont(_ j: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool { j < buf.count && buf[j] >= lo && buf[j] <= hi }
        switch b0 {
        case 0xC2...0xDF: return cont(k + 1) ? 2 : 0
        case 0xE0: return cont(k + 1, 0xA0) && cont(k + 2) ? 3 : 0
        case 0xED: return cont(k + 1, 0x80, 0x9F) && cont(k + 2) ? 3 : 0
        case 0xE1...0xEF: return cont(k + 1) && cont(k + 2) ? 3 : 0
        case 0xF0: return cont(k + 1, 0x90) && cont(k + 2) && cont(k + 3) ? 4 : 0
        case 0xF1...0xF3: return cont(k + 1) && cont(k + 2) && cont(k + 3) ? 4 : 0
        case 0xF4: return cont(k + 1, 0x80, 0x8F) && cont(k + 2) && cont(k + 3) ? 4 : 0
        default: return 0
        }
    }
}

@inline(__always)
func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: return c - 0x30
    case 0x41...0x46: return c - 0x41 + 10
    case 0x61...0x66: return c - 0x61 + 10
    default: return nil
    }
}


extension JSONDocument {
    /// The unescaped bytes of `text` when it is exactly one JSON string literal (whitespace
    /// around it allowed); `nil` for anything else, lone surrogate escapes included (they have
    /// no UTF-8 form). Bytes that are not UTF-8 pass through as they are: the caller decides
    /// whether to allow them. `bpe encode --jsonl` reads its lines with this, so the CLI has
    /// no JSON string reader of its own.
    ///
    /// ```swift
    /// JSONDocument.stringLiteral(Array(#" "a\nb" "#.utf8)[...])   // [0x61, 0x0A, 0x62]
    /// JSONDocument.stringLiteral(Array("[1]".utf8)[...])          // nil
    /// ```
    /// - Complexity: O(n) for n bytes.
    package static func stringLiteral(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        guard let doc = try? JSONDocument(Array(text), lenientUTF8: true), doc.nodes.first?.kind == .string else { return nil }
        return doc.withStringBytes(at: 0) { Array($0) }
    }
}
