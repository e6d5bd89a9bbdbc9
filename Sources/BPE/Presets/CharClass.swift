/// The character classes the GPT split patterns use, for every Unicode scalar, as one byte of
/// flags (see `scripts/gen_lexer_tables.py`, which generates the tables from UCD 16.0, the
/// version tiktoken's regex engine uses).
///
/// Every scalar has exactly one of ``letter``, ``number``, ``space`` and ``other``, so a flag
/// byte of 0 means "no character": the lexers read the end of the text, and an invalid UTF-8
/// sequence (which ends the text the pattern sees, as it ends a PCRE2 subject), as 0.
///
/// ```swift
/// CharClass.flags(of: 0x4E9A) & CharClass.letter != 0   // 亚 is a letter (Lo)
/// ```
enum CharClass {
    /// `\p{L}`.
    static let letter: UInt8 = 0x01
    /// `\p{N}`.
    static let number: UInt8 = 0x02
    /// `\s`: the White_Space property.
    static let space: UInt8 = 0x04
    /// Neither a letter, a number nor white space: `[^\s\p{L}\p{N}]`.
    static let other: UInt8 = 0x08
    /// o200k's `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]` (upper-case-like).
    static let upper: UInt8 = 0x10
    /// o200k's `[\p{Ll}\p{Lm}\p{Lo}\p{M}]` (lower-case-like).
    static let lower: UInt8 = 0x20
    /// `\p{M}`: combining marks (also ``other``, ``upper`` and ``lower``).
    static let mark: UInt8 = 0x40
    /// In ``Tables/bytes`` only: a byte ≥ 0x80, the start of a character to decode.
    static let multiByte: UInt8 = 0x80

    /// The decoded tables: read-only after they are made, once per process, and never freed.
    struct Tables: @unchecked Sendable {
        /// By byte: the flags of an ASCII character, or ``multiByte`` for bytes ≥ 0x80.
        let bytes: UnsafeMutablePointer<UInt8>
        let stage1: UnsafeMutablePointer<UInt8>
        let stage2: UnsafeMutablePointer<UInt8>
        /// By scalar, for the Basic Multilingual Plane (U+0000 to U+FFFF, 64 KiB): the flags
        /// in one load where the stages take two dependent ones. Every two- and three-byte
        /// character is looked up here; built from the stages, so it agrees with them.
        let bmp: UnsafeMutablePointer<UInt8>
    }

    static let table: Tables = {
        // StaticString bytes and a plain loop: this runs at every start, and filtering a
        // String's UTF8View cost 2.5 million instructions (about a millisecond).
        func decode(_ text: StaticString) -> UnsafeMutablePointer<UInt8> {
            var out: [UInt8] = []
            var clean: [UInt8] = []
            text.withUTF8Buffer { utf8 in
                clean.reserveCapacity(utf8.count)
                for b in utf8 where b != UInt8(ascii: "\n") { clean.append(b) }
            }
            let ok = clean.withUnsafeBufferPointer { Base64.decode($0, into: &out) }
            precondition(ok, "UnicodeClasses.swift holds invalid base64; regenerate it")
            let p = UnsafeMutablePointer<UInt8>.allocate(capacity: out.count)
            p.initialize(from: out, count: out.count)
            return p
        }
        let stage1 = decode(stage1Base64), stage2 = decode(stage2Base64)
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for b in 0..<256 { bytes[b] = b < 128 ? stage2[Int(stage1[0]) << blockShift | b] : multiByte }
        let bmp = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 16)
        // Block by block (512 copies of 128 bytes): this runs at every start.
        for block in 0..<(1 << (16 - blockShift)) {
            (bmp + block << blockShift).initialize(from: stage2 + Int(stage1[block]) << blockShift, count: 1 << blockShift)
        }
        return Tables(bytes: bytes, stage1: stage1, stage2: stage2, bmp: bmp)
    }()

    /// The flags of scalar value `cp` (`cp` < 0x110000).
    /// - Complexity: O(1): two loads.
    @inline(__always)
    static func flags(of cp: UInt32) -> UInt8 {
        let t = table
        let block = Int(t.stage1[Int(cp >> UInt32(blockShift))])
        return t.stage2[block << blockShift | Int(cp & UInt32((1 << blockShift) - 1))]
    }
}
