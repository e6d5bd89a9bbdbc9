/// The raw storage of one lookup table: either allocated here (and freed with the slab), or
/// borrowed from a mapped cache file that `owner` keeps mapped (see ``VocabularyCache``).
/// Tables read it through ``base``; a borrowed slab is never written.
///
/// ```swift
/// let s = Slab<UInt32>(count: 16, repeating: .max)   // owned, sixteen slots
/// s.bytes.count                                      // 64
/// ```
final class Slab<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
    let count: Int
    /// What keeps borrowed memory alive; `nil` when the slab owns its memory.
    private let owner: AnyObject?

    /// `count` elements, each `value`.
    init(count: Int, repeating value: Element) {
        base = .allocate(capacity: max(count, 1))
        base.initialize(repeating: value, count: count)
        self.count = count
        owner = nil
    }

    /// A copy of `elements`.
    init(_ elements: [Element]) {
        count = elements.count
        base = .allocate(capacity: max(count, 1))
        base.initialize(from: elements, count: count)
        owner = nil
    }

    /// `count` elements at `base`, which `owner` keeps valid. `Element` must be a trivial type.
    init(borrowing base: UnsafeMutablePointer<Element>, count: Int, owner: AnyObject) {
        self.base = base
        self.count = count
        self.owner = owner
    }

    deinit {
        if owner == nil {
            base.deinitialize(count: count)
            base.deallocate()
        }
    }

    /// Whether the slab allocated its memory (else it borrows a mapped file's).
    var isOwned: Bool { owner == nil }

    /// The elements' bytes, for writing a cache file.
    var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base, count: count * MemoryLayout<Element>.stride)
    }
}

/// The power-of-two slot count (at least 16) that holds `keys` keys at a load factor of at
/// most `maxLoad`.
func tableSize(forKeys keys: Int, maxLoad: Double) -> Int {
    var size = 16
    while Double(keys) > Double(size) * maxLoad { size <<= 1 }
    return size
}
