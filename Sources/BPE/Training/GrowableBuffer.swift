/// A growable array on raw storage (no copy-on-write checks); the owner deallocates it.
struct GrowableBuffer<T> {
    private(set) var base = UnsafeMutablePointer<T>.allocate(capacity: 1024)
    private var capacity = 1024
    private(set) var count = 0

    @inline(__always)
    mutating func append(_ x: T) {
        if count == capacity {
            let bigger = UnsafeMutablePointer<T>.allocate(capacity: capacity * 2)
            bigger.moveInitialize(from: base, count: count)
            base.deallocate()
            base = bigger
            capacity *= 2
        }
        (base + count).initialize(to: x)
        count += 1
    }

    @inline(__always)
    subscript(i: Int) -> T { base[i] }

    func deallocate() { base.deallocate() }
}
