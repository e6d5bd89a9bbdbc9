import Dispatch
import Foundation

/// Runs `body(0..<count)` on all cores and returns when every call has finished.
///
/// Every kernel in this module splits its work into tasks that write disjoint outputs, each
/// in a fixed order, so results never depend on how many threads ran them or in which order:
/// training is bit-for-bit reproducible, and `--resume` continues exactly where it stopped.
///
/// `DispatchQueue.concurrentPerform` wants a `@Sendable` closure, and our kernels capture raw
/// pointers (not `Sendable`). The closure is only called while this function is on the stack
/// and each task touches its own slice, so handing it over unchecked is sound; this is the one
/// place that does so.
@inlinable
func parallelFor(_ count: Int, _ body: (Int) -> Void) {
    if count <= 0 { return }
    if count == 1 { body(0); return }
    withoutActuallyEscaping(body) { escaping in
        let box = UncheckedSendable(escaping)
        DispatchQueue.concurrentPerform(iterations: count) { box.value($0) }
    }
}

/// Splits `0..<total` into about `tasks` contiguous chunks (each a multiple of `granule`,
/// except maybe the last) and runs `body(range)` for each in parallel.
@inlinable
func parallelChunks(_ total: Int, granule: Int = 1, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    if total <= 0 { return }
    let chunk = chunkSize(total, granule: granule, minChunk: minChunk)
    let n = (total + chunk - 1) / chunk
    parallelFor(n) { i in body(i * chunk ..< min(total, (i + 1) * chunk)) }
}

/// The chunk size `parallelChunks` uses: about 4 tasks per core (so a slow core does not hold
/// the others up), never smaller than `minChunk`, rounded up to `granule`.
@inlinable
func chunkSize(_ total: Int, granule: Int = 1, minChunk: Int = 1) -> Int {
    let tasks = 4 * Parallelism.cores
    var chunk = max(minChunk, (total + tasks - 1) / tasks)
    chunk = (chunk + granule - 1) / granule * granule
    return max(chunk, granule)
}

/// A value passed to a `@Sendable` closure without a check; see ``parallelFor(_:_:)``.
@usableFromInline
struct UncheckedSendable<Value>: @unchecked Sendable {
    @usableFromInline let value: Value
    @inlinable init(_ value: Value) { self.value = value }
}

/// How many cores the kernels plan for.
public enum Parallelism {
    /// The number of active processors, read once. Only task *sizes* depend on it: every sum
    /// is done by one task in a fixed order (bias and LayerNorm weight gradients are split by
    /// channel, not by row), except the gradient norm, which adds fixed 64 Ki chunks. So
    /// results are the same on any machine.
    public static let cores: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
}
