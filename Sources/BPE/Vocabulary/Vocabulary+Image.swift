/// The binary image of a built ``Vocabulary``: every table as it sits in memory, so that
/// loading is mapping a file, not parsing and hashing 200,000 lines (see ``VocabularyCache``,
/// which decides where images live and when one may be used).
///
/// Layout, little-endian, version ``formatVersion``:
///
///     0    magic "SWBPEVC1"           8   format version (UInt32), header size (UInt32)
///     16   layout fingerprint         24  SHA-256 of the source file (32 bytes)
///     56   checksum                   64  file size, token count, pair count (UInt64 each)
///     88   flags (UInt64)             96  section table: (offset, byte count) × sectionCount
///     …    sections, each 64-byte aligned, after a 4 KiB header
///
/// Flags: bit 0, the backtracking tables are there (sections 7, 8); bit 3, they were left out
/// and are built on first need, as for a vocabulary built in memory; bit 1, the vocabulary
/// merges by a merge list (section 9 holds it, as (left, right) UInt32 pairs), not by
/// tiktoken's rule; bit 2, that merge list's `ignoreMerges`. Section 10 holds the caller's
/// `extra` bytes, opaque here: what a file format needs besides the vocabulary (see
/// ``HuggingFaceTokenizerFile/CachedModel``). Bit 4: the pair table (section 5) is
/// ``PairTable``'s compact layout, one word a slot; else two. Section 11 holds the pair
/// table's filter. Section 3 holds ``LongTokenTable``'s slots. Version 1 had neither the
/// merge list nor the extra bytes; version 2 had only the wide pair table; version 3 had no
/// filter; version 4 had a table of every token's rank in section 3.
///
/// The checksum covers the whole file but its own 8 bytes. The layout fingerprint is made
/// from the table formats and the hash functions themselves (``layoutFingerprint``): change
/// either, and old images stop matching without anyone remembering to bump a version.
///
/// ```swift
/// let bytes = vocabulary.image(sourceSHA256: digest)     // write it somewhere
/// let v = Vocabulary(image: try #require(MappedFile(path: p)), sourceSHA256: digest)
/// let extra = Vocabulary.imageExtra(file)                 // [] here
/// ```
extension Vocabulary {
    static let imageMagic = Array("SWBPEVC1".utf8)
    static let formatVersion: UInt32 = 5
    static let imageHeaderSize = 4096
    private static let sectionCount = 12
    private static let checksumOffset = 56

    /// A value that changes whenever the in-memory layout of a table or one of the hash
    /// functions that place keys in it changes.
    static let layoutFingerprint: UInt64 = {
        var c = Checksum()
        let probe = Array("layout fingerprint: the quick brown fox".utf8)
        var words: [UInt64] = [
            UInt64(formatVersion),
            UInt64(MemoryLayout<ShortTokenTable.Slot>.stride),
            UInt64(MemoryLayout<TokenTrie.Cell>.stride), UInt64(MemoryLayout<Backtracking.Token>.stride),
            UInt64(MemoryLayout<LongTokenTable.Slot>.stride),
            UInt64(MemoryLayout<Rank>.stride),
        ]
        probe.withUnsafeBufferPointer { p in
            for n in 1...probe.count {
                words.append(hashBytes(p.baseAddress!, n))
                if n <= 8 { words.append(UInt64(ShortTokenTable.index(ShortTokenTable.pack(p.baseAddress!, n), n, Int.max))) }
            }
        }
        for k: UInt64 in [0, 1, 0x1_0000_0002, 0xDEAD_BEEF_0000_0001] { words.append(UInt64(PairTable.slot(k, Int.max))) }
        // Both pair-table layouts, slot by slot: a change to either packing changes this.
        for compact in [true, false] {
            let t = PairTable(capacity: 2, compact: compact)
            t.insert(left: 1, right: 2, merged: 3, priority: 3)
            t.insert(left: 70_000, right: 5, merged: 199_997, priority: 199_997)
            words.append(contentsOf: UnsafeBufferPointer(start: t.storage.base, count: t.storage.count))
            words.append(contentsOf: UnsafeBufferPointer(start: t.filter.base, count: t.filter.count))
        }
        words.withUnsafeBytes { c.add($0) }
        return c.value
    }()

    /// The image of this vocabulary, made from `sourceSHA256`'s file, with the backtracking
    /// tables if it has them (they are built here if they were not) unless
    /// `storingBacktracking` is false, its merge list if it has one, and `extra` (given back
    /// by ``imageExtra(_:)``).
    /// - Complexity: O(size of the tables), tens of megabytes for o200k_base.
    func image(sourceSHA256: [UInt8], extra: [UInt8] = [], storingBacktracking: Bool = true) -> [UInt8] {
        precondition(sourceSHA256.count == 32)
        let bt = storingBacktracking ? backtracking : nil
        let sections: [UnsafeRawBufferPointer] = [
            storage.arena.bytes, storage.offsets.bytes, storage.byteRanks.bytes, longTable.storage.bytes,
            shortTable.storage.bytes, pairs.storage.bytes,
        ]
        let holeBytes = holes.withUnsafeBytes { Array($0) }
        var out = [UInt8](repeating: 0, count: Self.imageHeaderSize)
        var table: [(UInt64, UInt64)] = []
        func append(_ b: UnsafeRawBufferPointer) {
            while out.count % 64 != 0 { out.append(0) }
            table.append((UInt64(out.count), UInt64(b.count)))
            out.append(contentsOf: b)
        }
        for s in sections { append(s) }
        holeBytes.withUnsafeBytes { append($0) }
        if let bt {
            append(bt.trie.storage.bytes)
            append(bt.storage.bytes)
        } else {
            append(UnsafeRawBufferPointer(start: nil, count: 0))
            append(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        var flags: UInt64 = (bt != nil ? 1 : storingBacktracking ? 0 : 8) | (pairs.compact ? 16 : 0)
        var list: [UInt32] = []
        if case .mergeList(let pairs, let ignoreMerges) = mergeRule {
            flags |= 2 | (ignoreMerges ? 4 : 0)
            list.reserveCapacity(2 * pairs.count)
            for (l, r) in pairs {
                list.append(l.littleEndian)
                list.append(r.littleEndian)
            }
        }
        list.withUnsafeBytes { append($0) }
        extra.withUnsafeBytes { append($0) }
        append(pairs.filter.bytes)
        precondition(table.count == Self.sectionCount)
        while out.count % 64 != 0 { out.append(0) }
        let total = out.count
        out.withUnsafeMutableBytes { raw in
            for (i, b) in Self.imageMagic.prefix(8).enumerated() { raw[i] = b }  // (a pointer to the array would dangle)
            raw.storeBytes(of: Self.formatVersion.littleEndian, toByteOffset: 8, as: UInt32.self)
            raw.storeBytes(of: UInt32(Self.imageHeaderSize).littleEndian, toByteOffset: 12, as: UInt32.self)
            raw.storeBytes(of: Self.layoutFingerprint.littleEndian, toByteOffset: 16, as: UInt64.self)
            for i in 0..<32 { raw[24 + i] = sourceSHA256[i] }
            let fields: [UInt64] = [UInt64(total), UInt64(count), UInt64(pairs.count), flags]
            for (i, f) in fields.enumerated() { raw.storeBytes(of: f.littleEndian, toByteOffset: 64 + 8 * i, as: UInt64.self) }
            for (i, (offset, length)) in table.enumerated() {
                raw.storeBytes(of: offset.littleEndian, toByteOffset: 96 + 16 * i, as: UInt64.self)
                raw.storeBytes(of: length.littleEndian, toByteOffset: 104 + 16 * i, as: UInt64.self)
            }
            raw.storeBytes(of: Self.imageChecksum(UnsafeRawBufferPointer(raw)).littleEndian,
                           toByteOffset: Self.checksumOffset, as: UInt64.self)
        }
        return out
    }

    /// The checksum of an image: everything but the checksum field itself.
    static func imageChecksum(_ raw: UnsafeRawBufferPointer) -> UInt64 {
        var c = Checksum()
        c.add(UnsafeRawBufferPointer(rebasing: raw[0..<checksumOffset]))
        c.add(UnsafeRawBufferPointer(rebasing: raw[(checksumOffset + 8)...]))
        return c.value
    }

    /// The vocabulary in `image`, or `nil` when the image is not exactly a good image of the
    /// file whose SHA-256 is `sourceSHA256` for this build: another magic, version, layout or
    /// source, a size that does not add up, or a checksum that does not match. Never trusts
    /// what it cannot check.
    /// - Complexity: O(file size) for the checksum; the tables are not copied.
    convenience init?(image file: MappedFile, sourceSHA256: [UInt8]) {
        let raw = file.bytes
        guard 1.littleEndian == 1, raw.count >= Self.imageHeaderSize, raw.count % 64 == 0,
              raw.prefix(8).elementsEqual(Self.imageMagic),
              UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self)) == Self.formatVersion,
              UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self)) == UInt32(Self.imageHeaderSize),
              UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self)) == Self.layoutFingerprint,
              raw[24..<56].elementsEqual(sourceSHA256),
              UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 64, as: UInt64.self)) == UInt64(raw.count),
              UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: Self.checksumOffset, as: UInt64.self)) == Self.imageChecksum(raw)
        else { return nil }
        func field(_ i: Int) -> Int { Int(truncatingIfNeeded: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 64 + 8 * i, as: UInt64.self))) }
        let count = field(1), pairCount = field(2), flags = field(3)
        let hasBacktracking = flags & 1 != 0, hasMergeList = flags & 2 != 0, deferred = flags & 8 != 0
        let compactPairs = flags & 16 != 0
        guard flags & ~31 == 0, hasMergeList || flags & 4 == 0, !(hasMergeList && hasBacktracking),
              !(hasBacktracking && deferred),
              !compactPairs || PairTable.fitsCompact(tokens: count, tiktokenRule: !hasMergeList) else { return nil }
        var sections: [UnsafeRawBufferPointer] = []
        for i in 0..<Self.sectionCount {
            let offset = Int(truncatingIfNeeded: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 96 + 16 * i, as: UInt64.self)))
            let length = Int(truncatingIfNeeded: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 104 + 16 * i, as: UInt64.self)))
            guard offset >= Self.imageHeaderSize, offset % 64 == 0, length >= 0, offset <= raw.count - length else { return nil }
            sections.append(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)]))
        }
        /// A section as `T`s, whose count must be `expected` (or a power of two, for a table).
        func slab<T>(_ i: Int, _ type: T.Type, count expected: Int? = nil) -> Slab<T>? {
            let s = sections[i], stride = MemoryLayout<T>.stride
            guard s.count % stride == 0 else { return nil }
            let n = s.count / stride
            if let expected { guard n == expected else { return nil } } else { guard n >= 16, n & (n - 1) == 0 else { return nil } }
            let base = UnsafeMutableRawPointer(mutating: s.baseAddress ?? raw.baseAddress!).assumingMemoryBound(to: T.self)
            return Slab(borrowing: base, count: n, owner: file)
        }
        guard count > 0,
              let offsets = slab(1, UInt32.self, count: count + 1),
              Int(offsets.base[count]) == sections[0].count,
              let arena = slab(0, UInt8.self, count: sections[0].count),
              let byteRanks = slab(2, Rank.self, count: 256),
              let longSlots = slab(3, LongTokenTable.Slot.self),
              let shortSlots = slab(4, ShortTokenTable.Slot.self),
              let pairSlots = slab(5, UInt64.self),
              let pairFilter = slab(11, UInt64.self, count: PairTable.filterWordCount(
                  slots: PairTable.slotCount(words: pairSlots.count, compact: compactPairs))),
              sections[6].count % MemoryLayout<Rank>.stride == 0
        else { return nil }
        // Offsets must rise, or a token would point outside the arena.
        for r in 0..<count where offsets.base[r] > offsets.base[r + 1] { return nil }
        let holes = Array(sections[6].bindMemory(to: Rank.self))
        var tables: Backtracking?? = deferred ? nil : .some(nil)
        if hasBacktracking {
            guard let cells = slab(7, TokenTrie.Cell.self, count: sections[7].count / MemoryLayout<TokenTrie.Cell>.stride),
                  cells.count > 0, let records = slab(8, Backtracking.Token.self, count: count) else { return nil }
            tables = .some(Backtracking(trie: TokenTrie(storage: cells), storage: records))
        }
        var mergeRule = MergeRule.tiktoken
        if hasMergeList {
            let s = sections[9]
            guard s.count % 8 == 0 else { return nil }
            var list: [(Rank, Rank)] = []
            list.reserveCapacity(s.count / 8)
            for k in stride(from: 0, to: s.count, by: 8) {
                let l = Rank(littleEndian: s.loadUnaligned(fromByteOffset: k, as: UInt32.self))
                let r = Rank(littleEndian: s.loadUnaligned(fromByteOffset: k + 4, as: UInt32.self))
                guard Int(l) < count, Int(r) < count else { return nil }
                list.append((l, r))
            }
            mergeRule = .mergeList(list, ignoreMerges: flags & 4 != 0)
        } else {
            guard sections[9].isEmpty else { return nil }
        }
        self.init(count: count, holes: holes, storage: (arena, offsets, byteRanks),
                  longTable: LongTokenTable(storage: longSlots), shortTable: ShortTokenTable(storage: shortSlots),
                  pairs: PairTable(storage: pairSlots, compact: compactPairs, count: pairCount, filter: pairFilter),
                  mergeRule: mergeRule, backtracking: tables)
    }

    /// The `extra` bytes an image was written with (see ``image(sourceSHA256:extra:storingBacktracking:)``), or
    /// `nil` if the header does not describe them. Call it on an image that
    /// ``init(image:sourceSHA256:)`` accepted: that is what checks the bytes are good.
    static func imageExtra(_ file: MappedFile) -> [UInt8]? {
        let raw = file.bytes
        let entry = 96 + 16 * 10
        guard raw.count >= imageHeaderSize else { return nil }
        let offset = Int(truncatingIfNeeded: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: entry, as: UInt64.self)))
        let length = Int(truncatingIfNeeded: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: entry + 8, as: UInt64.self)))
        guard offset >= imageHeaderSize, length >= 0, offset <= raw.count - length else { return nil }
        return Array(raw[offset..<(offset + length)])
    }
}
