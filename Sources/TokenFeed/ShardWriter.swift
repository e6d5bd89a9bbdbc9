import Foundation
import SafeFiles

/// Streams tokens into one shard file, published atomically.
///
/// Tokens go to a hidden temporary file next to `path` through a 1 MiB buffer, so a shard of
/// 100 M tokens never sits in memory. ``finish()`` writes the llm.c header (whose token count
/// is only known at the end), fsyncs, and renames the file to `path`: a reader sees no shard
/// or a whole one. A writer that is dropped without ``finish()`` deletes its temporary file.
///
/// ```swift
/// let w = try ShardWriter(path: "out/tiny_val_000000.bin", layout: .llmc, dtype: .uint16)
/// try w.append([50256, 31373, 995])
/// try w.finish()
/// try LLMCShard.read(path: "out/tiny_val_000000.bin").tokens   // [50256, 31373, 995]
/// ```
public final class ShardWriter {
    /// What goes around the tokens.
    public enum Layout: Sendable {
        /// llm.c: a 1024-byte header (magic, version, token count), then the tokens.
        case llmc
        /// nanoGPT: the tokens only.
        case raw
    }

    /// Where the shard appears on ``finish()``.
    public let path: String
    public let layout: Layout
    public let dtype: TokenDType
    /// Tokens appended so far.
    public private(set) var tokenCount = 0
    /// The most tokens this shard may hold: `Int32.max` for llm.c (the header's count is a
    /// signed 32-bit int), unbounded for raw files.
    public let capacity: Int

    private let file: PosixFile
    private let temporaryPath: String
    private let buffer: UnsafeMutableRawBufferPointer
    private var buffered = 0
    private var done = false

    /// Creates the temporary file; nothing appears at `path` until ``finish()``.
    /// - Throws: ``ShardError/cannotWrite(path:reason:)`` if the directory is not writable.
    public init(path: String, layout: Layout, dtype: TokenDType) throws(ShardError) {
        self.path = path
        self.layout = layout
        self.dtype = dtype
        capacity = layout == .llmc ? Int(Int32.max) : Int.max
        temporaryPath = AtomicFile.temporaryName(for: path)
        do {
            file = try PosixFile.create(temporaryPath)
        } catch {
            throw .cannotWrite(path: path, reason: Self.reason(error))
        }
        buffer = .allocate(byteCount: 1 << 20, alignment: 8)
        if layout == .llmc {
            // A placeholder; finish() writes the real header.
            do {
                try file.write([UInt8](repeating: 0, count: LLMCShard.headerBytes))
            } catch {
                discard()
                throw .cannotWrite(path: path, reason: Self.reason(error))
            }
        }
    }

    deinit {
        if !done {
            file.close()
            unlink(temporaryPath)
        }
        buffer.deallocate()
    }

    /// Room left before ``capacity``.
    public var remaining: Int { capacity - tokenCount }

    /// Appends tokens in order.
    /// - Throws: ``ShardError/tokenTooLarge(path:token:dtype:)`` for an id that does not fit
    ///   ``dtype`` (nothing of `tokens` is written then), ``ShardError/shardFull(path:limit:)``
    ///   past ``capacity``, or a write error.
    /// - Complexity: O(tokens.count).
    public func append(_ tokens: some Collection<UInt32>) throws(ShardError) {
        precondition(!done, "ShardWriter.append after finish()")
        guard tokens.count <= remaining else { throw .shardFull(path: path, limit: capacity) }
        if dtype == .uint16, let big = tokens.first(where: { $0 > UInt32(UInt16.max) }) {
            throw .tokenTooLarge(path: path, token: big, dtype: dtype)
        }
        let width = dtype.width
        for t in tokens {
            if buffered + width > buffer.count { try flush() }
            if width == 2 {
                buffer.storeBytes(of: UInt16(truncatingIfNeeded: t).littleEndian, toByteOffset: buffered, as: UInt16.self)
            } else {
                buffer.storeBytes(of: t.littleEndian, toByteOffset: buffered, as: UInt32.self)
            }
            buffered += width
        }
        tokenCount += tokens.count
    }

    /// Writes the header, syncs, and renames the file to ``path``.
    public func finish() throws(ShardError) {
        precondition(!done, "ShardWriter.finish() called twice")
        do {
            try flush()
            if layout == .llmc {
                try file.write(LLMCShard.header(dtype: dtype, tokenCount: tokenCount), at: 0)
            }
            try file.syncAndClose()
            try Self.replace(temporaryPath, over: path)
            done = true
        } catch {
            discard()
            throw .cannotWrite(path: path, reason: Self.reason(error))
        }
    }

    /// Deletes the temporary file; ``path`` is left as it was.
    public func discard() {
        guard !done else { return }
        done = true
        file.close()
        unlink(temporaryPath)
    }

    private func flush() throws(ShardError) {
        guard buffered > 0 else { return }
        CrashPoint.reach(.write)
        try file.write(UnsafeRawBufferPointer(rebasing: buffer[0..<buffered]))
        buffered = 0
    }

    private static func replace(_ temp: String, over path: String) throws(ShardError) {
        do {
            try AtomicFile.replace(temp, over: path)
        } catch {
            throw .cannotWrite(path: path, reason: error.reason)
        }
    }

    /// The system's reason inside a file error, so messages name `path`, not the temporary.
    private static func reason(_ e: ShardError) -> String {
        switch e {
        case .cannotWrite(_, let why), .cannotRead(_, let why): return why
        default: return e.description
        }
    }
}
