/// Whether the `n` bytes at `a` and `b` are equal, compared eight at a time: the comparison
/// behind the package's byte-keyed lookups (token bytes in ``ByteTable``, chunk keys in
/// ``ChunkCounter``, separators in ``DocumentSplitter``). Inlined, so a probe that compares
/// a few bytes pays no call.
///
/// ```swift
/// bytesEqual(p, q, 0)     // true: no bytes differ
/// ```
/// - Complexity: O(n).
@inline(__always)
func bytesEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    var k = 0
    while k + 8 <= n {
        if UnsafeRawPointer(a + k).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + k).loadUnaligned(as: UInt64.self) {
            return false
        }
        k += 8
    }
    while k < n {
        if a[k] != b[k] { return false }
        k += 1
    }
    return true
}
