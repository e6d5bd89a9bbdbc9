/// The little-endian codec of a cached image's `extra` bytes (see
/// ``Vocabulary/image(sourceSHA256:extra:storingBacktracking:)``), which each format fills
/// with what it needs to skip parts of its file on a later load: a tag, a revision, ranges.
///
/// ```swift
/// var w = ImageExtra.Writer(tag: Array("TEKKEN01".utf8))
/// w.put32(1); w.put64(42)
/// var r = ImageExtra.Reader(w.bytes, tag: Array("TEKKEN01".utf8))!
/// r.get32()   // 1
/// r.get64()   // 42
/// ```
/// - Complexity: O(1) per integer.
enum ImageExtra {
    struct Writer {
        private(set) var bytes: [UInt8]

        init(tag: [UInt8]) { bytes = tag }

        mutating func put32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        mutating func put64(_ v: Int) { withUnsafeBytes(of: UInt64(v).littleEndian) { bytes.append(contentsOf: $0) } }
        mutating func append(_ raw: some Sequence<UInt8>) { bytes.append(contentsOf: raw) }
    }

    /// Reads what a ``Writer`` wrote; every read is `nil` past the end.
    struct Reader {
        private let bytes: [UInt8]
        private var at: Int

        /// `nil` unless `bytes` starts with `tag`.
        init?(_ bytes: [UInt8], tag: [UInt8]) {
            guard bytes.starts(with: tag) else { return nil }
            self.bytes = bytes
            at = tag.count
        }

        /// Whether everything was read.
        var atEnd: Bool { at == bytes.count }

        mutating func take(_ n: Int) -> ArraySlice<UInt8>? {
            guard n >= 0, n <= bytes.count - at else { return nil }
            defer { at += n }
            return bytes[at..<(at + n)]
        }

        mutating func get32() -> UInt32? { take(4).map { $0.reversed().reduce(0) { $0 << 8 | UInt32($1) } } }
        mutating func get64() -> UInt64? { take(8).map { $0.reversed().reduce(0) { $0 << 8 | UInt64($1) } } }
    }
}
