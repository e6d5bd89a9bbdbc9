import Foundation
import SafeFiles

/// Where encoded tokens go. Generic, so `countTokens` shares the encoder with `encode`
/// but never builds an array.
protocol TokenSink {
    mutating func append(_ rank: Rank)
    /// Appends `count` tokens from `tokens`, in order: a piece's tokens from the piece cache
    /// or a merge, in one call.
    mutating func append(_ tokens: UnsafePointer<Rank>, count: Int)
}

extension TokenSink {
    /// One token at a time, for sinks with nothing faster.
    @inline(__always) mutating func append(_ tokens: UnsafePointer<Rank>, count: Int) {
        for i in 0..<count { append(tokens[i]) }
    }
}

/// Collects tokens. Appends go to raw storage that grows by doubling (an `Array`'s append
/// checks uniqueness every time, a third of the lexer's cost on plain English); ``tokens``
/// copies them out once.
struct ArraySink: TokenSink {
    private let buffer: TokenBuffer

    /// Storage for 256 tokens, doubling as it fills.
    init() { buffer = TokenBuffer() }

    /// Storage for as many tokens as `bytes` bytes of input can give: a plain encoding makes
    /// at most one token per byte, so it never grows (a text pipeline that normalizes can
    /// make more, and then it doubles). Pages are touched only as tokens are written, so the
    /// part a text does not use costs address space, not memory; doubling its way up instead
    /// copied the tokens and faulted in fresh pages at every step, about 4 % of encoding
    /// 5 MB of English. At most 2^26 tokens (256 MiB) are reserved up front.
    /// - Complexity: O(1).
    init(inputBytes bytes: Int) { buffer = TokenBuffer(capacity: max(256, min(bytes, 1 << 26))) }

    @inline(__always) mutating func append(_ rank: Rank) { buffer.append(rank) }

    @inline(__always) mutating func append(_ tokens: UnsafePointer<Rank>, count: Int) {
        buffer.append(tokens, count: count)
    }

    /// The tokens so far, as an array. A large one is advised to use huge pages before the
    /// copy touches it (see ``HugePages``).
    /// - Complexity: O(count).
    var tokens: [Rank] {
        let n = buffer.count
        return [Rank](unsafeUninitializedCapacity: n) { out, count in
            if let p = out.baseAddress {
                HugePages.advise(UnsafeMutableRawPointer(p), n * MemoryLayout<Rank>.stride)
                p.initialize(from: buffer.base, count: n)
            }
            count = n
        }
    }

    var count: Int { buffer.count }
}

/// The growable storage behind ``ArraySink``: a class, so appending never copies it. A
/// large buffer (the ids of a text of megabytes) comes from ``HugePages``.
final class TokenBuffer {
    private(set) var base: UnsafeMutablePointer<Rank>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 256) {
        self.capacity = capacity
        base = Self.allocate(capacity)
    }

    deinit { free(base) }

    private static func allocate(_ capacity: Int) -> UnsafeMutablePointer<Rank> {
        HugePages.allocate(capacity * MemoryLayout<Rank>.stride).assumingMemoryBound(to: Rank.self)
    }

    @inline(__always) func append(_ rank: Rank) {
        if count == capacity { grow(toHold: count + 1) }
        base[count] = rank
        count += 1
    }

    /// `n` tokens from `tokens` with one capacity check and one copy: appended one at a
    /// time, each token reloaded the count and the capacity, since the stores might have
    /// written them. (A plain copy loop here was compiled to more instructions than the
    /// copy `initialize(from:count:)` makes: callgrind, o200k, CJK 11.1 M against 10.1 M.)
    ///
    /// ```swift
    /// let b = TokenBuffer(capacity: 2)
    /// [7, 8, 9].withUnsafeBufferPointer { b.append($0.baseAddress!, count: 3) }   // grows to 4
    /// ```
    /// - Complexity: O(n), amortized.
    @inline(__always) func append(_ tokens: UnsafePointer<Rank>, count n: Int) {
        if count &+ n > capacity { grow(toHold: count + n) }
        (base + count).initialize(from: tokens, count: n)
        count &+= n
    }

    /// Doubles the storage until it holds `needed` tokens.
    @inline(never) private func grow(toHold needed: Int) {
        var bigger = capacity * 2
        while bigger < needed { bigger *= 2 }
        let storage = Self.allocate(bigger)
        storage.moveInitialize(from: base, count: count)
        free(base)
        base = storage
        capacity = bigger
    }
}

/// Hands tokens on in chunks from a fixed buffer it does not own, so a stream of millions
/// of ids is used while it is still in the cache and never held whole.
struct ChunkSink: TokenSink {
    let storage: UnsafeMutablePointer<Rank>
    let capacity: Int
    let deliver: (UnsafeBufferPointer<Rank>) -> Void
    private var count = 0

    init(storage: UnsafeMutablePointer<Rank>, capacity: Int, deliver: @escaping (UnsafeBufferPointer<Rank>) -> Void) {
        self.storage = storage
        self.capacity = capacity
        self.deliver = deliver
    }

    @inline(__always) mutating func append(_ rank: Rank) {
        storage[count] = rank
        count += 1
        if count == capacity { deliverRest() }
    }

    /// Hands on what the buffer holds and empties it.
    @inline(never) mutating func deliverRest() {
        if count > 0 { deliver(UnsafeBufferPointer(start: storage, count: count)) }
        count = 0
    }
}

/// Counts tokens and keeps nothing.
struct CountSink: TokenSink {
    var count = 0
    @inline(__always) mutating func append(_ rank: Rank) { count += 1 }
    @inline(__always) mutating func append(_ tokens: UnsafePointer<Rank>, count n: Int) { count += n }
}
