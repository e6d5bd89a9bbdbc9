/// A binary min-heap on raw storage that grows by doubling: the one heap of the package.
/// The long-piece merge queues candidate merges as `UInt64` keys (``Vocabulary/mergeByHeap``);
/// the trainer queues pairs by count (``PairPriority``). Raw storage, because both are hot
/// loops and an array would pay uniqueness checks on every write; specialised per key type,
/// so a `UInt64` heap compiles to the same code it did as a heap of its own.
///
/// ```swift
/// var h = MinHeap<UInt64>(capacity: 16)
/// defer { h.deallocate() }
/// for k in [5, 1, 3] as [UInt64] { h.push(k) }
/// h.pop()    // 1
/// ```
/// The owner calls ``deallocate()``.
struct MinHeap<Key: Comparable & BitwiseCopyable> {
    private var storage: UnsafeMutablePointer<Key>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        storage = .allocate(capacity: self.capacity)
    }

    func deallocate() { storage.deallocate() }

    /// - Complexity: O(log n).
    mutating func push(_ key: Key) {
        if count == capacity { doubleCapacity(&storage, count: count, capacity: &capacity) }
        var i = count
        count += 1
        while i > 0 {
            let parent = (i - 1) >> 1
            if storage[parent] <= key { break }
            storage[i] = storage[parent]
            i = parent
        }
        storage[i] = key
    }

    /// The smallest key, removed; `nil` when empty.
    /// - Complexity: O(log n).
    mutating func pop() -> Key? {
        guard count > 0 else { return nil }
        let top = storage[0]
        count -= 1
        if count == 0 { return top }
        let key = storage[count]
        var i = 0
        while true {
            var child = 2 * i + 1
            if child >= count { break }
            if child + 1 < count && storage[child + 1] < storage[child] { child += 1 }
            if key <= storage[child] { break }
            storage[i] = storage[child]
            i = child
        }
        storage[i] = key
        return top
    }
}
