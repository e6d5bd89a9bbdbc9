import Foundation
import SafeFiles

/// Where encoded tokens go. Generic, so `countTokens` shares the encoder with `encode`
/// but never builds an array.
protocol TokenSink {
    mutating func append(_ rank: Rank)
    /// Appends `count` tokens from `tokens`, in order: a piece's tokens from the piece cache
    /// or a merge, in one call.
    mutating func append(_ tokens: UnsafePointer<Rank>, count: Int)
    /// Appends `tokens.0`, `tokens.1`, … up to `count` (at most 6) of them: a piece the
    /// piece cache's compact tier holds (``CompactPieceTier``), the commonest bulk append.
    mutating func append(six tokens: SixRanks, count: Int)
    /// Room for `n` tokens past the last, written in place and then taken with
    /// ``commitWindow(_:)``; nil where the sink has no such room (then append).
    mutating func reserveWindow(_ n: Int) -> UnsafeMutablePointer<Rank>?
    /// Takes the first `n` tokens written to the window as appended.
    mutating func commitWindow(_ n: Int)
}

/// Six tokens by value, of which a count says how many are meant.
typealias SixRanks = (Rank, Rank, Rank, Rank, Rank, Rank)

/// `body` given the six tokens as a pointer: the path of an ``TokenSink/append(six:count:)``
/// that cannot take them in one store.
@inline(__always)
func withRanks<R>(of six: SixRanks, _ body: (UnsafePointer<Rank>) -> R) -> R {
    withUnsafePointer(to: six) { $0.withMemoryRebound(to: Rank.self, capacity: 6, body) }
}

extension TokenSink {
    /// One token at a time, for sinks with nothing faster.
    @inline(__always) mutating func append(_ tokens: UnsafePointer<Rank>, count: Int) {
        for i in 0..<count { append(tokens[i]) }
    }

    /// Through ``append(_:count:)``, for sinks with nothing faster.
    @inline(__always) mutating func append(six tokens: SixRanks, count: Int) {
        withRanks(of: tokens) { append($0, count: count) }
    }

    @inline(__always) mutating func reserveWindow(_ n: Int) -> UnsafeMutablePointer<Rank>? { nil }
    @inline(__always) mutating func commitWindow(_ n: Int) {}
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
    init(inputBytes bytes: Int) { buffer = TokenBuffer(capacity: max(256, min(bytes, Self.maxReserved))) }

    /// The most tokens reserved up front (256 MiB); more grow, or spill, as they come.
    static let maxReserved = 1 << 26

    @inline(__always) mutating func append(_ rank: Rank) { buffer.append(rank) }

    @inline(__always) mutating func append(_ tokens: UnsafePointer<Rank>, count: Int) {
        buffer.append(tokens, count: count)
    }

    @inline(__always) mutating func append(six tokens: SixRanks, count: Int) { buffer.append(six: tokens, count: count) }

    @inline(__always) mutating func reserveWindow(_ n: Int) -> UnsafeMutablePointer<Rank>? { buffer.window(n) }
    @inline(__always) mutating func commitWindow(_ n: Int) { buffer.commit(n) }

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

    /// Inputs from this many bytes up have their ids written straight into the array that
    /// ``collect(inputBytes:_:)`` returns.
    static let directThreshold = 1 << 20

    /// The tokens `body` appends, as an array. From ``directThreshold`` bytes of input up,
    /// the sink writes into the returned array's own storage, reserved for one token a byte
    /// (the most a plain encoding makes) and advised to use huge pages: no second buffer, no
    /// copy, and one set of fresh pages instead of two. (5 MB of English and 7.4 MB of man
    /// pages, o200k_base, steady state: 0.94× the time; a process's second encode of man
    /// pages took 685 page faults, now 178.) The pages past the last token are never touched,
    /// so the spare capacity is address space, not memory. Should a pipeline make more
    /// tokens than that, they move to storage of their own, which is returned instead.
    /// Smaller inputs collect as ``init(inputBytes:)`` does and are copied out exactly.
    ///
    /// ```swift
    /// let ids = ArraySink.collect(inputBytes: text.utf8.count) { sink in encode(text, into: &sink) }
    /// ```
    /// - Complexity: O(tokens), plus O(tokens) for the copy below the threshold.
    static func collect<E: Error>(inputBytes: Int, _ body: (inout ArraySink) throws(E) -> Void) throws(E) -> [Rank] {
        guard inputBytes >= directThreshold else {
            var sink = ArraySink(inputBytes: inputBytes)
            try body(&sink)
            return sink.tokens
        }
        let capacity = min(inputBytes, maxReserved)
        var failure: E?
        var spilled: ArraySink?
        let direct = [Rank](unsafeUninitializedCapacity: capacity) { out, count in
            guard let base = out.baseAddress else { return }
            HugePages.advise(UnsafeMutableRawPointer(base), capacity * MemoryLayout<Rank>.stride)
            var sink = ArraySink(buffer: TokenBuffer(borrowing: base, capacity: capacity))
            do throws(E) { try body(&sink) } catch { failure = error }
            if sink.buffer.ownsStorage {
                spilled = sink
            } else {
                count = sink.count
            }
        }
        if let failure { throw failure }
        return spilled?.tokens ?? direct
    }

    private init(buffer: TokenBuffer) { self.buffer = buffer }
}

/// The growable storage behind ``ArraySink``: a class, so appending never copies it. A
/// large buffer (the ids of a text of megabytes) comes from ``HugePages``.
final class TokenBuffer {
    private(set) var base: UnsafeMutablePointer<Rank>
    private(set) var count = 0
    private var capacity: Int
    /// False while the tokens are written to storage someone else owns
    /// (``init(borrowing:capacity:)``); growing moves them to storage of its own.
    private(set) var ownsStorage = true

    init(capacity: Int = 256) {
        self.capacity = capacity
        base = Self.allocate(capacity)
    }

    /// Writes to `capacity` tokens of the caller's storage, which must outlive the buffer
    /// (or its growth, which copies the tokens out and never frees the caller's storage).
    init(borrowing storage: UnsafeMutablePointer<Rank>, capacity: Int) {
        self.capacity = capacity
        base = storage
        ownsStorage = false
    }

    deinit { if ownsStorage { free(base) } }

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

    /// Up to six tokens as one 24-byte store, then the count moves by `n` (≤ 6): the copy
    /// ``append(_:count:)`` makes is a `memcpy` call, 35 instructions for a piece's tokens
    /// (callgrind, o200k, a second encode of 1 MB of man pages: 4 % of all instructions).
    /// Near the end of the storage, where six would not fit, the tokens go one by one.
    /// - Complexity: O(1), amortized.
    @inline(__always) func append(six tokens: SixRanks, count n: Int) {
        if capacity &- count >= 6 {
            UnsafeMutableRawPointer(base + count).storeBytes(of: tokens, as: SixRanks.self)
            count &+= n
        } else {
            withRanks(of: tokens) { append($0, count: n) }
        }
    }

    /// Room for `n` tokens past the last (growing for it), to be written in place.
    @inline(__always) func window(_ n: Int) -> UnsafeMutablePointer<Rank> {
        if capacity &- count < n { grow(toHold: count + n) }
        return base + count
    }

    /// Takes `n` tokens written through ``window(_:)``.
    @inline(__always) func commit(_ n: Int) { count &+= n }

    /// Doubles the storage until it holds `needed` tokens.
    @inline(never) private func grow(toHold needed: Int) {
        var bigger = max(capacity * 2, 256)
        while bigger < needed { bigger *= 2 }
        let storage = Self.allocate(bigger)
        storage.moveInitialize(from: base, count: count)
        if ownsStorage { free(base) }
        ownsStorage = true
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

    /// One copy where the tokens fit before the buffer fills (a cached piece's, a merge's),
    /// else one at a time across the delivery.
    @inline(__always) mutating func append(_ tokens: UnsafePointer<Rank>, count n: Int) {
        if capacity &- count > n {
            (storage + count).initialize(from: tokens, count: n)
            count &+= n
        } else {
            for i in 0..<n { append(tokens[i]) }
        }
    }

    /// One 24-byte store where six fit before the buffer fills.
    @inline(__always) mutating func append(six tokens: SixRanks, count n: Int) {
        if capacity &- count > 6 {
            UnsafeMutableRawPointer(storage + count).storeBytes(of: tokens, as: SixRanks.self)
            count &+= n
        } else {
            withRanks(of: tokens) { append($0, count: n) }
        }
    }

    /// The buffer's free part, where more than `n` tokens fit before it fills.
    @inline(__always) mutating func reserveWindow(_ n: Int) -> UnsafeMutablePointer<Rank>? {
        capacity &- count > n ? storage + count : nil
    }

    /// No test for a full buffer: ``reserveWindow(_:)`` lends room for more than `n` tokens,
    /// so a commit leaves at least one free, and the next append delivers when it fills.
    @inline(__always) mutating func commitWindow(_ n: Int) { count &+= n }

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
    @inline(__always) mutating func append(six tokens: SixRanks, count n: Int) { count += n }
}
