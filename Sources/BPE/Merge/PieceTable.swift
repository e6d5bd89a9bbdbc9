import Foundation
import SafeFiles

/// The tokens of the short pieces (1 to 15 bytes) a thread has encoded, whatever they were:
/// a token, a pair of bytes, a merge. One 32-byte entry a piece, two to a cache line, so a
/// piece seen before costs one line and no branch on its length or on how it was encoded.
///
/// The vocabulary's own tables answer the same questions, but their lines are spread over
/// megabytes (the short-token table alone is 8 MiB with o200k), one line for each distinct
/// token a text uses. This table holds only the text's pieces, in a few hundred kilobytes for
/// a book's worth of English. gigatoken's pretoken cache showed the way.
///
/// Entry: the key as two words, bytes 0..<8 and bytes 8..<15 with the length in the top byte
/// (so no key is all zeros, which marks an empty entry), then the tokens in one of two forms:
/// up to three of 32 bits with their count in the top half of the last word (``isPlain(_:)``),
/// or four to six of 20 bits, three to a word, with the count in the top four bits
/// (``isPacked(_:)``). A piece of more tokens, or with a token of 2^20 or more among four to
/// six, keeps them in the table's arena (``held(_:_:)``): the entry has their offset there and
/// their count in the top half of the last word. Once the arena is full such a piece is kept
/// with a count of 0, a mark that sends it straight to the encoder (and the piece cache's
/// tiers).
///
/// Exactness: a hit compares the whole key, bytes and length, and returns the tokens the
/// encoder gave for exactly those bytes. `EncoderPathTests` and `FuzzEncode` compare
/// encoding with and without it.
///
/// ```swift
/// let table = PieceTable()
/// let key = PieceTable.key(p, 5)
/// table.insert(key, hash: PieceTable.hash(key), tokens: t, count: 2)
/// ```
/// - Complexity: O(1) expected per lookup and insert; growing rehashes, O(entries).
struct PieceTable {
    struct Key: Equatable {
        var low: UInt64
        var high: UInt64
    }

    struct Entry {
        var key: Key
        /// Tokens 0 and 1 (plain), or 0, 1 and 2 (packed).
        var first: UInt64
        /// Token 2 and the count in the top half (plain), or tokens 3, 4 and 5 and the count
        /// in the top four bits (packed).
        var last: UInt64
    }

    /// The growing part, behind a pointer so that every copy of the view sees it grow.
    struct Storage {
        var entries: UnsafeMutablePointer<Entry>
        var mask: Int
        var count: Int
        /// The most entries it grows to.
        let maxEntries: Int
        /// The tokens of pieces of more than ``maxPackedTokens`` (``arenaTokens`` of them,
        /// made for the first such piece), filled front to back and never written over.
        var arena: UnsafeMutablePointer<Rank>? = nil
        var arenaUsed = 0
    }

    let storage: UnsafeMutablePointer<Storage>

    /// The longest piece kept.
    static let maxKey = 15
    /// The most tokens an entry holds as they are.
    static let maxTokens = 3
    /// The most tokens an entry holds packed, each below 2^``packedRankBits``. With cl100k,
    /// 7.6 % of the short pieces of man pages (Cyrillic, Greek and accented words) merge into
    /// four to six tokens; kept as marks, each went out of line to the encoder and the
    /// compact tier's line, a likely miss.
    static let maxPackedTokens = 6
    static let packedRankBits = 20
    /// The arena's size in tokens (1 MiB, its pages touched as it fills). With cl100k, 4 MB
    /// of CJK text has 13,900 pieces of up to 15 bytes that merge into seven to thirteen
    /// tokens (11,400 distinct, 93,100 tokens; with o200k 2,600, 2,300 and 16,600); kept as
    /// marks, each went out of line to the encoder and to the piece cache's tier 0.
    static let arenaTokens = 1 << 18
    /// Entries to start with (256 KiB; ``reserve(forBytes:)`` sizes an empty table for its
    /// first text), and the most it grows to (8 MiB): past that, new pieces are not kept.
    static let initialEntries = 1 << 13
    static let maxEntries = 1 << 18

    /// `initialEntries` and `maxEntries`: powers of two, at least 2. The checks that compare
    /// the encoder's paths make small tables, which grow and fill early.
    init(initialEntries: Int = Self.initialEntries, maxEntries: Int = Self.maxEntries) {
        precondition(initialEntries >= 2 && initialEntries <= maxEntries
                     && initialEntries.nonzeroBitCount == 1 && maxEntries.nonzeroBitCount == 1)
        storage = .allocate(capacity: 1)
        storage.initialize(to: Storage(entries: Self.allocateEntries(initialEntries), mask: initialEntries - 1,
                                       count: 0, maxEntries: maxEntries))
    }

    /// Whether the table is as large as it grows and as full as it gets: new pieces are not
    /// kept.
    var isFull: Bool {
        let s = storage.pointee
        return s.mask &+ 1 >= s.maxEntries && s.count &* 2 >= s.mask &+ 1
    }

    /// The entries and their mask as they are now, for a loop to keep in registers; both
    /// change when the table grows, so a loop reads them again after anything that inserts.
    var lines: (entries: UnsafeMutablePointer<Entry>, mask: Int) { (storage.pointee.entries, storage.pointee.mask) }

    /// Entries kept, and room (for tests).
    var count: Int { storage.pointee.count }
    var capacity: Int { storage.pointee.mask &+ 1 }

    func deallocate() {
        Self.releaseEntries(storage.pointee.entries, storage.pointee.mask &+ 1)
        storage.pointee.arena?.deallocate()
        storage.deallocate()
    }

    /// Sizes an empty table for a text of `bytes` bytes: room for one distinct short piece
    /// in 32 bytes of text at half load (1 MB: 65,536 entries, 2 MiB), up to the table's
    /// most. Texts of 1 MB hold 11,000 (source code) to
    /// 23,000 (man pages) distinct pieces of up to 15 bytes; grown from 8,192 entries instead,
    /// a first encode of 1 MB of source code rehashed twice, 24,000 more simulated L2 misses
    /// than the encoder without the table. A table that holds pieces already is left to grow.
    /// - Complexity: O(1), or one allocation.
    func reserve(forBytes bytes: Int) {
        let s = storage.pointee
        guard s.count == 0 else { return }
        var n = s.mask &+ 1
        while n < bytes / 16 && n < s.maxEntries { n &*= 2 }
        guard n > s.mask &+ 1 else { return }
        Self.releaseEntries(s.entries, s.mask &+ 1)
        storage.pointee.entries = Self.allocateEntries(n)
        storage.pointee.mask = n &- 1
    }

    /// Zeroed (empty) entries on a 64-byte boundary, so that each pair is one line. From
    /// ``mappedBytes`` up, fresh anonymous pages, which the kernel zeroes as they are first
    /// touched: cleared here as well, every byte was written twice (`memset` was 1.8 M of the
    /// 21 M instructions the table added to a first encode of 1 MB of source code). From 2 MiB
    /// up, huge pages (``HugePages/allocateZeroed(_:)``): the table fills in random order,
    /// so a 2 MiB table took 512 faults of 4 KiB, about 1 ms of a 12 ms first encode.
    private static func allocateEntries(_ n: Int) -> UnsafeMutablePointer<Entry> {
        let bytes = n * MemoryLayout<Entry>.stride
        if bytes >= HugePages.size { return HugePages.allocateZeroed(bytes).assumingMemoryBound(to: Entry.self) }
        if bytes >= mappedBytes {
            guard let p = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | anonymous, -1, 0), p != MAP_FAILED else {
                fatalError("out of memory (\(bytes) bytes)")
            }
            return p.assumingMemoryBound(to: Entry.self)
        }
        var p: UnsafeMutableRawPointer?
        guard posix_memalign(&p, 64, bytes) == 0, let p else { fatalError("out of memory (\(bytes) bytes)") }
        memset(p, 0, bytes)
        return p.assumingMemoryBound(to: Entry.self)
    }

    /// Releases what ``allocateEntries(_:)`` gave for `n` entries.
    private static func releaseEntries(_ entries: UnsafeMutablePointer<Entry>, _ n: Int) {
        let bytes = n * MemoryLayout<Entry>.stride
        if bytes < HugePages.size && bytes >= mappedBytes { munmap(entries, bytes) } else { free(entries) }
    }

    /// Tables of this many bytes and more are mapped pages (64 KiB: 2,048 entries).
    private static let mappedBytes = 64 << 10
    #if canImport(Darwin)
    private static let anonymous = MAP_ANON
    #else
    private static let anonymous = MAP_ANONYMOUS
    #endif

    /// What makes a key of a piece of `n` bytes out of the 16 bytes from its start: the
    /// masks that keep bytes 0..<min(n, 8) of the first word and 8..<n of the second, and the
    /// length in the top byte. 32 bytes, so entry `n` is one shift away.
    struct KeyMask {
        var low: UInt64
        var high: UInt64
        var length: UInt64
        var unused: UInt64 = 0
    }

    /// ``KeyMask``s for 0 to ``maxKey`` bytes, made once. A table load instead of the masks
    /// computed by shifts: a shift by a variable count goes through `cl` on x86-64, and the
    /// lexer's loop moved registers around it (callgrind, o200k, a second encode of 1 MB:
    /// source code 38.0 M → 32.1 M instructions, English 36.2 M → 30.9 M). Written once, at
    /// first use, and only read after, hence `nonisolated(unsafe)`.
    nonisolated(unsafe) static let keyMasks: UnsafePointer<KeyMask> = {
        let masks = UnsafeMutablePointer<KeyMask>.allocate(capacity: maxKey + 1)
        for n in 0...maxKey {
            let lo = min(n, 8), hi = n - lo
            masks[n] = KeyMask(low: lo == 8 ? .max : (1 << UInt64(8 * lo)) - 1, high: (1 << UInt64(8 * hi)) - 1,
                               length: UInt64(n) << 56)
        }
        return UnsafePointer(masks)
    }()

    /// The key of the piece `p[0..<n]` (1 ≤ n ≤ ``maxKey``) where 16 bytes are readable from
    /// `p`: two loads, two masks (`masks`: ``keyMasks``).
    @inline(__always)
    static func key(_ p: UnsafePointer<UInt8>, _ n: Int, masks: UnsafePointer<KeyMask>) -> Key {
        let raw = UnsafeRawPointer(p)
        let w0 = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        let w1 = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        let m = masks + n
        return Key(low: w0 & m.pointee.low, high: w1 & m.pointee.high | m.pointee.length)
    }

    /// The key of the piece `p[0..<n]` (1 ≤ n ≤ ``maxKey``), byte by byte: for a piece near
    /// the end of the text, where 16 bytes from its start are not all readable.
    static func key(_ p: UnsafePointer<UInt8>, _ n: Int) -> Key {
        let lo = min(n, 8), hi = n - lo
        var low: UInt64 = 0, high: UInt64 = 0
        for i in 0..<lo { low |= UInt64(p[i]) &<< UInt64(truncatingIfNeeded: 8 &* i) }
        for i in 0..<hi { high |= UInt64(p[8 &+ i]) &<< UInt64(truncatingIfNeeded: 8 &* i) }
        return Key(low: low, high: high | UInt64(truncatingIfNeeded: n) &<< 56)
    }

    @inline(__always)
    static func hash(_ k: Key) -> UInt64 {
        // One multiply: the high word's length byte and bytes move down by a rotation, so
        // that they reach the product's low bits, which the home index takes.
        var h = (k.low ^ (k.high &<< 29 | k.high &>> 35)) &* 0x9E37_79B9_7F4A_7C15
        h ^= h &>> 32
        return h
    }

    /// The first entry of `hash`'s pair (even, so the pair shares one 64-byte line).
    @inline(__always)
    static func home(_ hash: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: hash) & mask & ~1 }

    /// The entry for `key` in its home pair, or nil: the one-line fast path. A miss here may
    /// still be in a later pair (``find(_:hash:)``). (Both entries compared and the match
    /// picked with no branch: 1.10× the time on English with o200k, 1.08× on source code.)
    @inline(__always)
    static func findHome(_ key: Key, hash: UInt64, entries: UnsafeMutablePointer<Entry>, mask: Int) -> UnsafeMutablePointer<Entry>? {
        let e = entries + home(hash, mask)
        if e[0].key == key { return e }
        if e[1].key == key { return e + 1 }
        return nil
    }

    /// The entry for `key`, walking pairs from its home until an empty entry.
    func find(_ key: Key, hash: UInt64) -> UnsafeMutablePointer<Entry>? {
        let (e, found) = Self.walk(key, hash: hash, in: storage.pointee)
        return found ? e : nil
    }

    /// The walk from `key`'s home, entry by entry: `key`'s entry (`found`), or the first
    /// empty one, where it goes. The table is at most half full, so the walk ends.
    @inline(__always)
    private static func walk(_ key: Key, hash: UInt64, in s: Storage) -> (entry: UnsafeMutablePointer<Entry>, found: Bool) {
        var i = home(hash, s.mask)
        while true {
            let e = s.entries + i
            if e.pointee.key == key { return (e, true) }
            if e.pointee.key.high == 0 { return (e, false) }
            i = (i &+ 1) & s.mask
        }
    }

    /// The entry for `key`, or else the empty entry where it goes (`found` false), after the
    /// table grows if it is half full: one walk serves a miss and the insert that follows it.
    /// Nil when the table is full and does not hold `key`.
    func entry(for key: Key, hash: UInt64) -> (entry: UnsafeMutablePointer<Entry>, found: Bool)? {
        if storage.pointee.count &* 2 >= storage.pointee.mask &+ 1 {
            guard storage.pointee.mask &+ 1 < storage.pointee.maxEntries else {
                return find(key, hash: hash).map { ($0, true) }
            }
            grow()
        }
        return Self.walk(key, hash: hash, in: storage.pointee)
    }

    /// Keeps `tokens[0..<count]` for `key` in `empty`, the entry ``entry(for:hash:)`` gave
    /// with `found` false: plain, packed, in the arena, or else a mark (count 0), which sends
    /// the piece to the encoder at once when found. Returns whether the table holds the
    /// tokens.
    @discardableResult
    func fill(_ empty: UnsafeMutablePointer<Entry>, key: Key, tokens: UnsafePointer<Rank>, count: Int) -> Bool {
        storage.pointee.count &+= 1
        if count >= 1 && count <= Self.maxTokens {
            let t0 = UInt64(tokens[0]), t1 = count > 1 ? UInt64(tokens[1]) : 0, t2 = count > 2 ? UInt64(tokens[2]) : 0
            empty.pointee = Entry(key: key, first: t0 | t1 &<< 32, last: t2 | UInt64(count) &<< 32)
            return true
        }
        var all: Rank = 0
        for i in 0..<count { all |= tokens[i] }
        guard count > 0 && count <= Self.maxPackedTokens && all < 1 << Self.packedRankBits else {
            if count > 0, let at = keepInArena(tokens, count) {
                empty.pointee = Entry(key: key, first: UInt64(truncatingIfNeeded: at), last: UInt64(count) &<< 32)
                return true
            }
            empty.pointee = Entry(key: key, first: 0, last: 0)
            return false
        }
        func word(_ from: Int) -> UInt64 {
            var w: UInt64 = 0
            for k in 0..<3 where from &+ k < count { w |= UInt64(tokens[from &+ k]) &<< UInt64(Self.packedRankBits &* k) }
            return w
        }
        empty.pointee = Entry(key: key, first: word(0), last: word(3) | UInt64(count) &<< 60)
        return true
    }

    /// Where the arena has room: `tokens[0..<count]` copied there, and their offset.
    private func keepInArena(_ tokens: UnsafePointer<Rank>, _ count: Int) -> Int? {
        let used = storage.pointee.arenaUsed
        guard used &+ count <= Self.arenaTokens else { return nil }
        let arena = storage.pointee.arena ?? .allocate(capacity: Self.arenaTokens)
        storage.pointee.arena = arena
        (arena + used).initialize(from: tokens, count: count)
        storage.pointee.arenaUsed = used &+ count
        return used
    }

    /// An entry's tokens in the arena, from its `first` and `last` words (an entry neither
    /// plain nor packed, and not a mark: `last` is not 0), and their count.
    @inline(__always)
    func held(_ first: UInt64, _ last: UInt64) -> (UnsafePointer<Rank>, Int) {
        (UnsafePointer(storage.pointee.arena.unsafelyUnwrapped + Int(truncatingIfNeeded: first)),
         Int(truncatingIfNeeded: last &>> 32))
    }

    /// Whether an entry's `last` word says its tokens are plain (one to three of 32 bits):
    /// its top half is 1, 2 or 3, in one subtraction and one comparison.
    @inline(__always)
    static func isPlain(_ last: UInt64) -> Bool { last &- (1 &<< 32) < 3 &<< 32 }

    /// Whether an entry's `last` word says its tokens are packed (four to six of 20 bits).
    @inline(__always)
    static func isPacked(_ last: UInt64) -> Bool { last &>> 60 != 0 }

    /// A packed entry's tokens, and their count.
    @inline(__always)
    static func unpack(_ first: UInt64, _ last: UInt64) -> (SixRanks, Int) {
        let m: UInt64 = 1 &<< UInt64(packedRankBits) &- 1, b = UInt64(packedRankBits)
        return ((Rank(truncatingIfNeeded: first & m), Rank(truncatingIfNeeded: first &>> b & m),
                 Rank(truncatingIfNeeded: first &>> (2 &* b) & m), Rank(truncatingIfNeeded: last & m),
                 Rank(truncatingIfNeeded: last &>> b & m), Rank(truncatingIfNeeded: last &>> (2 &* b) & m)),
                Int(truncatingIfNeeded: last &>> 60))
    }

    /// Keeps `tokens[0..<count]` for `key`, unless the table holds it already or is full.
    func insert(_ key: Key, hash: UInt64, tokens: UnsafePointer<Rank>, count: Int) {
        guard let (e, found) = entry(for: key, hash: hash), !found else { return }
        fill(e, key: key, tokens: tokens, count: count)
    }

    private func grow() {
        let old = storage.pointee
        let n = (old.mask &+ 1) &* 2
        storage.pointee.entries = Self.allocateEntries(n)
        storage.pointee.mask = n &- 1
        for i in 0...old.mask where old.entries[i].key.high != 0 {
            // Keys are distinct, so the walk ends at an empty entry.
            let key = old.entries[i].key
            Self.walk(key, hash: Self.hash(key), in: storage.pointee).entry.pointee = old.entries[i]
        }
        Self.releaseEntries(old.entries, old.mask &+ 1)
    }
}
