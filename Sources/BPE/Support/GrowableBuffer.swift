/// A growable array on raw storage (no copy-on-write checks): the trainer's occurrence lists.
/// The owner deallocates it.
struct GrowableBuffer<T> {
    private(set) var base = UnsafeMutablePointer<T>.allocate(capacity: 1024)
    private var capacity = 1024
    private(set) var count = 0

    @inline(__always)
    mutating func append(_ x: T) {
        if count == capacity { doubleCapacity(&base, count: count, capacity: &capacity) }
        (base + count).initialize(to: x)
        count += 1
    }

    @inline(__always)
    subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }

    func deallocate() { base.deallocate() }
}

/// Moves the `count` values at `base` into raw storage twice as large: how ``GrowableBuffer``
/// and ``MinHeap`` grow.
/// - Complexity: O(count).
@inline(__always)
func doubleCapacity<T>(_ base: inout UnsafeMutablePointer<T>, count: Int, capacity: inout Int) {
    let bigger = UnsafeMutablePointer<T>.allocate(capacity: capacity * 2)
    bigger.moveInitialize(from: base, count: count)
    base.deallocate()
    base = bigger
    capacity *= 2
}
