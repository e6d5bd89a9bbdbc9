#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Large buffers backed by transparent huge pages where the system offers them (Linux with
/// `transparent_hugepage` set to `always` or `madvise`); elsewhere plain memory.
///
/// A buffer of several megabytes that is filled from start to end (a block's formatted ids,
/// the ids of a long text) takes a page fault for every 4 KiB it touches; on the machines
/// here each costs about 1.8 µs (touching 8 MiB of fresh memory: 3.6 ms in 4 KiB pages,
/// 0.75 ms in huge pages). The advice is only advice: where it is refused, nothing changes
/// but the time.
///
/// ```swift
/// let p = HugePages.allocate(8 << 20)   // aligned to 2 MiB, advised
/// defer { free(p) }
/// ```
public enum HugePages {
    /// The size and alignment of a huge page on x86-64 and most arm64 Linux systems.
    public static let size = 2 << 20

    /// `bytes` bytes from malloc, or, from one huge page up, aligned to one and advised to use
    /// huge pages. Release with `free`.
    /// - Complexity: O(1); no page is touched.
    public static func allocate(_ bytes: Int) -> UnsafeMutableRawPointer {
        if let huge = alignedAndAdvised(bytes) { return huge.p }
        guard let p = malloc(max(bytes, 1)) else { fatalError("out of memory (\(bytes) bytes)") }
        return p
    }

    /// From one huge page up, on Linux: `bytes` rounded up to whole huge pages, aligned to
    /// one and advised; `nil` below that, elsewhere, or when `posix_memalign` fails.
    private static func alignedAndAdvised(_ bytes: Int) -> (p: UnsafeMutableRawPointer, rounded: Int)? {
        #if os(Linux)
        if bytes >= size {
            var p: UnsafeMutableRawPointer?
            let rounded = (bytes + size - 1) / size * size
            if posix_memalign(&p, size, rounded) == 0, let p {
                _ = madvise(p, rounded, MADV_HUGEPAGE)
                return (p, rounded)
            }
        }
        #endif
        return nil
    }

    /// ``allocate(_:)``, zero-filled: `calloc` below one huge page; from one up, advised to
    /// use huge pages, so that a zeroed table that fills in random order, such as a hash
    /// table's slots, faults in 2 MiB at a time, not 4 KiB (1,024 faults for 4 MiB). On
    /// Linux the pages are dropped (`MADV_DONTNEED`), which makes private anonymous memory
    /// read as zeros, each page cleared by the kernel when first touched: clearing it here
    /// as well wrote every byte twice (a fresh encode of 7.4 MB of man pages makes 20 MiB of
    /// piece-cache tiers). Elsewhere, or where the advice is refused, `memset` clears it.
    /// Release with `free`.
    ///
    /// ```swift
    /// let slots = HugePages.allocateZeroed(4 << 20)   // 4 MiB of zeros, two huge pages
    /// defer { free(slots) }
    /// ```
    /// - Complexity: O(1) calls; O(`bytes`) of clearing, here or at the first touches.
    public static func allocateZeroed(_ bytes: Int) -> UnsafeMutableRawPointer {
        guard bytes >= size else {
            guard let p = calloc(max(bytes, 1), 1) else { fatalError("out of memory (\(bytes) bytes)") }
            return p
        }
        // Only whole huge pages that are all ours may be dropped: the advice acts on pages.
        if let huge = alignedAndAdvised(bytes) {
            #if os(Linux)
            if madvise(huge.p, huge.rounded, MADV_DONTNEED) == 0 { return huge.p }
            #endif
            memset(huge.p, 0, bytes)
            return huge.p
        }
        guard let p = calloc(bytes, 1) else { fatalError("out of memory (\(bytes) bytes)") }
        return p
    }

    /// Advises the whole huge pages that lie inside `p..<p + bytes`, memory not yet touched
    /// that someone else allocated (an `Array`'s storage), to use huge pages. A range that
    /// holds no whole huge page (every small buffer) costs a few instructions and no call.
    /// - Complexity: O(1).
    public static func advise(_ p: UnsafeMutableRawPointer, _ bytes: Int) {
        #if os(Linux)
        let start = (Int(bitPattern: p) + size - 1) / size * size
        let end = (Int(bitPattern: p) + bytes) / size * size
        guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(aligned, end - start, MADV_HUGEPAGE)
        #endif
    }
}
