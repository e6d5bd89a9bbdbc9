import Foundation

/// Counts distinct byte strings ("chunks": the pieces the pre-tokenizer cuts text into).
///
/// Keys live back to back in one growing arena and the table holds only (offset, length,
/// count), so counting a corpus allocates per *distinct* chunk, never per occurrence, and
/// memory grows with the number of distinct chunks, not with the corpus.
///
/// ```swift
/// var c = ChunkCounter()
/// c.add(Array("the".utf8)); c.add(Array("the".utf8)); c.add(Array(" cat".utf8))
/// c.count            // 2 distinct
/// c.sorted()         // [(" cat", 1), ("the", 2)] as bytes, sorted bytewise
/// ```
/// - Complexity: `add` is O(n) expected for an n-byte chunk.
public struct ChunkCounter: Sendable {
    private struct Slot {
        var offset: UInt64   // into arena; .max marks an empty slot
        var length: UInt32
        var hash32: UInt32   // cheap filter before comparing bytes
        var count: UInt64
    }
    private var arena: [UInt8] = []
    private var slots: [Slot]
    private var mask: Int
    /// Number of distinct chunks.
    public private(set) var count = 0
    /// Sum of all counts.
    public private(set) var total: UInt64 = 0

    public init(capacity: Int = 1 << 12) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: Slot(offset: .max, length: 0, hash32: 0, count: 0), count: size)
        mask = size - 1
    }

    /// Adds `n` occurrences of the chunk `p[0..<length]`.
    public mutating func add(_ p: UnsafePointer<UInt8>, _ length: Int, count n: UInt64 = 1) {
        let h = hashBytes(p, length)
        let h32 = UInt32(truncatingIfNeeded: h >> 32)
        var i = Int(truncatingIfNeeded: h) & mask
        let found: Int? = arena.withUnsafeBufferPointer { a in
            slots.withUnsafeBufferPointer { s in
                while true {
                    let slot = s[i]
                    if slot.offset == .max { return nil }
                    if slot.hash32 == h32 && Int(slot.length) == length
                        && bytesEqual(a.baseAddress! + Int(slot.offset), p, length) { return i }
                    i = (i + 1) & mask
                }
            }
        }
        total &+= n
        if let found {
            slots[found].count &+= n
            return
        }
        slots[i] = Slot(offset: UInt64(arena.count), length: UInt32(length), hash32: h32, count: n)
        arena.append(contentsOf: UnsafeBufferPointer(start: p, count: length))
        count += 1
        if count * 2 > mask + 1 { grow() }
    }

    /// Adds `n` occurrences of `chunk`.
    public mutating func add(_ chunk: [UInt8], count n: UInt64 = 1) {
        chunk.withUnsafeBufferPointer { b in
            if let base = b.baseAddress { add(base, b.count, count: n) }
        }
    }

    /// Adds every chunk of `other` with its count.
    /// - Complexity: O(size of `other`).
    public mutating func merge(_ other: ChunkCounter) {
        other.forEach { p, n, c in add(p, n, count: c) }
    }

    /// Calls `body(bytes, length, count)` for every distinct chunk, in table order.
    public func forEach(_ body: (UnsafePointer<UInt8>, Int, UInt64) -> Void) {
        arena.withUnsafeBufferPointer { a in
            for s in slots where s.offset != .max {
                body(a.baseAddress! + Int(s.offset), Int(s.length), s.count)
            }
        }
    }

    /// All chunks with their counts, sorted bytewise: a deterministic order whatever the
    /// insertion order (and so whatever the thread count).
    /// - Complexity: O(k log k) for k distinct chunks.
    public func sorted() -> [(chunk: [UInt8], count: UInt64)] {
        var out: [(chunk: [UInt8], count: UInt64)] = []
        out.reserveCapacity(count)
        forEachSorted { p, n, c in out.append((Array(UnsafeBufferPointer(start: p, count: n)), c)) }
        return out
    }

    /// Calls `body(bytes, length, count)` for every distinct chunk in ``sorted()``'s order,
    /// without copying any chunk: the trainer reads a corpus's chunks this way, so training
    /// holds no array per chunk.
    /// - Complexity: O(k log k) comparisons, O(k) extra memory (one index entry per chunk).
    public func forEachSorted(_ body: (UnsafePointer<UInt8>, Int, UInt64) -> Void) {
        arena.withUnsafeBufferPointer { a in
            guard let base = a.baseAddress else { return }
            // Each entry carries its first eight bytes as a big-endian word (zero-padded), so
            // most comparisons are one integer compare; equal prefixes fall back to the bytes.
            // (A memcmp per comparison was 17 % of training's instructions at 32,768.)
            var order: [(prefix: UInt64, slot: Slot)] = []
            order.reserveCapacity(count)
            for s in slots where s.offset != .max {
                // The token table's little-endian packing, byte-swapped: the first byte on top.
                let n = min(Int(s.length), 8)
                order.append((n == 0 ? 0 : ShortTokenTable.pack(base + Int(s.offset), n).byteSwapped, s))
            }
            order.sort { x, y in
                if x.prefix != y.prefix { return x.prefix < y.prefix }
                let n = Int(min(x.slot.length, y.slot.length))
                let c = memcmp(base + Int(x.slot.offset), base + Int(y.slot.offset), n)
                return c != 0 ? c < 0 : x.slot.length < y.slot.length
            }
            for e in order { body(base + Int(e.slot.offset), Int(e.slot.length), e.slot.count) }
        }
    }

    private mutating func grow() {
        let old = slots
        let size = (mask + 1) * 2
        slots = Array(repeating: Slot(offset: .max, length: 0, hash32: 0, count: 0), count: size)
        mask = size - 1
        arena.withUnsafeBufferPointer { a in
            for s in old where s.offset != .max {
                var i = Int(truncatingIfNeeded: hashBytes(a.baseAddress! + Int(s.offset), Int(s.length))) & mask
                while slots[i].offset != .max { i = (i + 1) & mask }
                slots[i] = s
            }
        }
    }
}
