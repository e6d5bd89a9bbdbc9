/// Where encoded tokens go. Generic, so `countTokens` shares the encoder with `encode`
/// but never builds an array.
protocol TokenSink {
    mutating func append(_ rank: Rank)
}

/// Collects tokens into an array.
struct ArraySink: TokenSink {
    var tokens: [Rank] = []
    @inline(__always) mutating func append(_ rank: Rank) { tokens.append(rank) }
}

/// Counts tokens and keeps nothing.
struct CountSink: TokenSink {
    var count = 0
    @inline(__always) mutating func append(_ rank: Rank) { count += 1 }
}
