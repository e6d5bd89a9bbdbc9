import Foundation

/// A whole file mapped read-only into memory, unmapped when the last reference goes.
///
/// Tables read back from a cache file point into the mapping (see ``Slab``), so loading a
/// vocabulary copies nothing; `MAP_POPULATE` asks the kernel to map every page at once (one
/// system call instead of a fault per page), since the checksum reads them all anyway.
///
/// ```swift
/// let f = try MappedFile(path: "o200k.bpecache")
/// f.bytes.count   // the file's size
/// ```
final class MappedFile: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer

    /// Maps `path`, or returns `nil` if it cannot be opened, is empty or cannot be mapped.
    init?(path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0 else { return nil }
        let size = Int(st.st_size)
        #if os(Linux)
        let flags = MAP_PRIVATE | MAP_POPULATE
        #else
        let flags = MAP_PRIVATE
        #endif
        guard let p = mmap(nil, size, PROT_READ, flags, fd, 0), p != MAP_FAILED else { return nil }
        bytes = UnsafeRawBufferPointer(start: p, count: size)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }
}
