/// One value of a ``JSONDocument``, with its path, and typed readers that throw a
/// ``FormatError`` naming that path (`model.merges[3]: expected a string, got a number`).
///
/// ```swift
/// let model = try doc.root.field("model")
/// let type = try model.requiredString("type")   // throws "model.type: missing" if absent
/// ```
struct JSONValue {
    let document: JSONDocument
    let index: Int
    let path: JSONPath

    var node: JSONDocument.Node { document.nodes[index] }
    var kind: JSONDocument.Kind { node.kind }
    var isNull: Bool { kind == .null }

    func error(_ message: String) -> FormatError {
        FormatError(source: document.source, path: path.description, message: message)
    }

    var kindName: String {
        switch kind {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    // MARK: Objects

    /// Calls `body(keyNodeIndex, value)` for each member, in file order.
    func forEachMember(_ body: (Int, JSONValue) throws(FormatError) -> Void) throws(FormatError) {
        guard kind == .object else { throw error("expected an object, got \(kindName)") }
        var k = index + 1
        let end = Int(node.end)
        while k < end {
            let keyIndex = k
            let valueIndex = k + 1
            let key = document.string(at: keyIndex)
            try body(keyIndex, JSONValue(document: document, index: valueIndex, path: path.appending(.key(key))))
            k = Int(document.nodes[valueIndex].end)
        }
    }

    /// The member named `key`, or `nil`. Objects here are small (the big ones are iterated).
    /// - Complexity: O(members).
    subscript(key: String) -> JSONValue? {
        guard kind == .object else { return nil }
        let want = Array(key.utf8)
        var k = index + 1
        let end = Int(node.end)
        while k < end {
            if document.stringEquals(at: k, want) {
                return JSONValue(document: document, index: k + 1, path: path.appending(.key(key)))
            }
            k = Int(document.nodes[k + 1].end)
        }
        return nil
    }

    /// The node index of the value of each of `keys` (UTF-8), `nil` where absent, in one pass
    /// over the members and without building paths: for reading many small objects of the
    /// same shape. As the subscript, the first member of a repeated name counts.
    /// - Complexity: O(members × keys).
    func memberIndices(_ keys: [[UInt8]]) -> [Int?] {
        var out = [Int?](repeating: nil, count: keys.count)
        guard kind == .object else { return out }
        var k = index + 1
        let end = Int(node.end)
        while k < end {
            for (j, key) in keys.enumerated() where out[j] == nil && document.stringEquals(at: k, key) {
                out[j] = k + 1
                break
            }
            k = Int(document.nodes[k + 1].end)
        }
        return out
    }

    /// The member `key`; missing is an error.
    func field(_ key: String) throws(FormatError) -> JSONValue {
        guard kind == .object else { throw error("expected an object, got \(kindName)") }
        guard let v = self[key] else { throw error("missing \"\(key)\"") }
        return v
    }

    /// The member `key` unless it is absent or null.
    func optionalField(_ key: String) -> JSONValue? {
        guard let v = self[key], !v.isNull else { return nil }
        return v
    }

    /// The member names, in order.
    var keys: [String] {
        guard kind == .object else { return [] }
        var out: [String] = []
        var k = index + 1
        while k < Int(node.end) {
            out.append(document.string(at: k))
            k = Int(document.nodes[k + 1].end)
        }
        return out
    }

    // MARK: Arrays

    var count: Int { Int(node.count) }

    /// Calls `body(i, element)` for each element.
    func forEachElement(_ body: (Int, JSONValue) throws(FormatError) -> Void) throws(FormatError) {
        guard kind == .array else { throw error("expected an array, got \(kindName)") }
        var k = index + 1
        var i = 0
        let end = Int(node.end)
        while k < end {
            try body(i, JSONValue(document: document, index: k, path: path.appending(.index(i))))
            k = Int(document.nodes[k].end)
            i += 1
        }
    }

    func elements() throws(FormatError) -> [JSONValue] {
        var out: [JSONValue] = []
        try forEachElement { _, v in out.append(v) }
        return out
    }

    // MARK: Scalars

    var string: String? { kind == .string ? document.string(at: index) : nil }

    func asString() throws(FormatError) -> String {
        guard let s = string else { throw error("expected a string, got \(kindName)") }
        return s
    }

    func asBool() throws(FormatError) -> Bool {
        guard kind == .bool else { throw error("expected true or false, got \(kindName)") }
        return node.escaped
    }

    /// A non-negative integer that fits `UInt32` (ids, ranks, sizes).
    func asUInt32() throws(FormatError) -> UInt32 {
        guard kind == .number else { throw error("expected a non-negative integer, got \(kindName)") }
        let n = node
        var v: UInt64 = 0
        for k in Int(n.start)..<Int(n.byteEnd) {
            let c = document.bytes[k]
            guard c >= 0x30 && c <= 0x39 else {
                throw error("expected a non-negative integer, got \(String(decoding: document.bytes[Int(n.start)..<Int(n.byteEnd)], as: UTF8.self))")
            }
            v = v * 10 + UInt64(c - 0x30)
            guard v <= UInt64(UInt32.max) else { throw error("integer is too large (at most \(UInt32.max))") }
        }
        return UInt32(v)
    }

    func asDouble() throws(FormatError) -> Double {
        guard kind == .number else { throw error("expected a number, got \(kindName)") }
        let text = String(decoding: document.bytes[Int(node.start)..<Int(node.byteEnd)], as: UTF8.self)
        guard let d = Double(text) else { throw error("not a number: \(text)") }
        return d
    }

    func requiredString(_ key: String) throws(FormatError) -> String { try field(key).asString() }
    func requiredBool(_ key: String) throws(FormatError) -> Bool { try field(key).asBool() }

    /// `key` as a boolean, `defaultValue` when absent or null.
    func bool(_ key: String, default defaultValue: Bool) throws(FormatError) -> Bool {
        guard let v = optionalField(key) else { return defaultValue }
        return try v.asBool()
    }

    /// A string's raw UTF-8 bytes (unescaped), without building a `String`.
    func withStringBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws(FormatError) -> R) throws(FormatError) -> R {
        guard kind == .string else { throw error("expected a string, got \(kindName)") }
        return try document.withStringBytes(at: index, body)
    }
}

extension JSONDocument {
    /// The unescaped bytes of string node `k`.
    func withStringBytes<R, E: Error>(at k: Int, _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        let n = nodes[k]
        if !n.escaped {
            let r: Result<R, E> = bytes.withUnsafeBufferPointer { buf in
                do throws(E) {
                    return .success(try body(UnsafeBufferPointer(rebasing: buf[Int(n.start)..<Int(n.byteEnd)])))
                } catch { return .failure(error) }
            }
            return try r.get()
        }
        let u = unescape(Int(n.start), Int(n.byteEnd))
        let r: Result<R, E> = u.withUnsafeBufferPointer { buf in
            do throws(E) { return .success(try body(buf)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    func string(at k: Int) -> String {
        withStringBytes(at: k) { String(decoding: $0, as: UTF8.self) }
    }

    func stringEquals(at k: Int, _ want: [UInt8]) -> Bool {
        let n = nodes[k]
        if !n.escaped {
            let len = Int(n.byteEnd - n.start)
            guard len == want.count else { return false }
            for j in 0..<len where bytes[Int(n.start) + j] != want[j] { return false }
            return true
        }
        return unescape(Int(n.start), Int(n.byteEnd)) == want
    }

    /// Unescapes a string the parser has already validated.
    func unescape(_ start: Int, _ end: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(end - start)
        var i = start
        func hex4(_ k: Int) -> UInt32 {
            var v: UInt32 = 0
            for j in k..<(k + 4) { v = v << 4 | UInt32(hexValue(bytes[j])!) }
            return v
        }
        while i < end {
            let c = bytes[i]
            guard c == UInt8(ascii: "\\") else { out.append(c); i += 1; continue }
            let e = bytes[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var u = hex4(i)
                i += 4
                if (0xD800..<0xDC00).contains(u) {
                    let low = hex4(i + 2)
                    i += 6
                    u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00)
                }
                appendUTF8(u, to: &out)
            default: out.append(e)  // " \ /
            }
        }
        return out
    }
}

/// Appends the UTF-8 encoding of scalar `u` (assumed valid).
@inline(__always)
func appendUTF8(_ u: UInt32, to out: inout [UInt8]) {
    switch u {
    case 0..<0x80: out.append(UInt8(u))
    case 0x80..<0x800:
        out.append(UInt8(0xC0 | (u >> 6)))
        out.append(UInt8(0x80 | (u & 0x3F)))
    case 0x800..<0x10000:
        out.append(UInt8(0xE0 | (u >> 12)))
        out.append(UInt8(0x80 | ((u >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (u & 0x3F)))
    default:
        out.append(UInt8(0xF0 | (u >> 18)))
        out.append(UInt8(0x80 | ((u >> 12) & 0x3F)))
        out.append(UInt8(0x80 | ((u >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (u & 0x3F)))
    }
}
