/// Every window of `context + 1` consecutive tokens inside one shard (windows never cross a
/// shard boundary), numbered across shards.
public struct TokenWindows: Sendable {
    /// The token shards.
    public let shards: [[UInt32]]
    /// Tokens the model reads per sequence (T); each window holds T + 1.
    public let context: Int
    /// `firstWindow[i]` is the number of windows in shards before `i`.
    private let firstWindow: [Int]
    /// Total number of windows.
    public let count: Int

    /// - Throws: ``ConfigError`` if no shard holds `context + 1` tokens.
    public init(shards: [[UInt32]], context: Int) throws(ConfigError) {
        self.shards = shards
        self.context = context
        var first: [Int] = []
        var n = 0
        for s in shards {
            first.append(n)
            n += max(0, s.count - context)
        }
        firstWindow = first
        count = n
        guard n > 0 else {
            let longest = shards.map(\.count).max() ?? 0
            throw .shardsShorterThanContext(context: context, longest: longest)
        }
    }

    /// Window number `index` as (inputs, targets), each `context` tokens.
    public func window(_ index: Int) -> (inputs: ArraySlice<UInt32>, targets: ArraySlice<UInt32>) {
        precondition(index >= 0 && index < count)
        // The last shard whose first window is ≤ index. Among shards with equal first
        // windows only the last can be non-empty, so this never lands on an empty one.
        var lo = 0, hi = firstWindow.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if firstWindow[mid] <= index { lo = mid } else { hi = mid - 1 }
        }
        let start = index - firstWindow[lo]
        let s = shards[lo]
        return (s[start ..< start + context], s[start + 1 ..< start + context + 1])
    }

    /// `batch` windows drawn uniformly (with replacement) with `rng`.
    public func randomBatch(_ batch: Int, rng: inout SplitMix64) -> (inputs: [UInt32], targets: [UInt32]) {
        var x: [UInt32] = [], y: [UInt32] = []
        x.reserveCapacity(batch * context)
        y.reserveCapacity(batch * context)
        for _ in 0..<batch {
            let w = window(rng.nextInt(below: count))
            x.append(contentsOf: w.inputs)
            y.append(contentsOf: w.targets)
        }
        return (x, y)
    }

    /// Batch `i` of `n` fixed evaluation batches: windows spread evenly over all windows, the
    /// same every time, so successive validation losses are comparable.
    public func evaluationBatch(_ i: Int, of n: Int, batch: Int) -> (inputs: [UInt32], targets: [UInt32]) {
        var x: [UInt32] = [], y: [UInt32] = []
        let total = n * batch
        for j in 0..<batch {
            let k = i * batch + j
            let w = window(Int((Double(k) + 0.5) * Double(count) / Double(total)))
            x.append(contentsOf: w.inputs)
            y.append(contentsOf: w.targets)
        }
        return (x, y)
    }
}
