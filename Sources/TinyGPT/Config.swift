/// The shape of a model: everything needed to lay out its parameters.
public struct GPTConfig: Codable, Equatable, Sendable {
    /// Number of token ids the embedding has rows for (the vocabulary's `nVocab`).
    public var vocabSize: Int
    /// The longest sequence the model reads (rows of the position embedding).
    public var contextLength: Int
    /// Number of transformer blocks.
    public var layers: Int
    /// Attention heads per block; must divide `channels`.
    public var heads: Int
    /// Width of the residual stream (the embedding size).
    public var channels: Int

    public init(vocabSize: Int, contextLength: Int, layers: Int, heads: Int, channels: Int) {
        self.vocabSize = vocabSize
        self.contextLength = contextLength
        self.layers = layers
        self.heads = heads
        self.channels = channels
    }

    /// Channels per head.
    public var headSize: Int { channels / heads }

    /// Throws unless every size is positive and `heads` divides `channels`.
    /// The message names the flag a CLI user would change.
    public func validate() throws(ConfigError) {
        for (name, value) in [("vocabulary size", vocabSize), ("--context", contextLength),
                              ("--layers", layers), ("--heads", heads), ("--channels", channels)] {
            guard value > 0 else { throw ConfigError("\(name) must be positive, got \(value)") }
            guard value <= 1 << 24 else { throw ConfigError("\(name) is too large (\(value)); the limit is \(1 << 24)") }
        }
        guard channels % heads == 0 else {
            throw ConfigError("--heads \(heads) does not divide --channels \(channels); pick channels that are a multiple of heads (for example --channels \(max(1, channels / heads) * heads))")
        }
        let n = ParameterLayout(self).count
        guard n <= 1 << 31 else { throw ConfigError("the model would have \(n) parameters; the limit is 2^31") }
    }

    /// The total number of parameters (see ``ParameterLayout``).
    public var parameterCount: Int { ParameterLayout(self).count }
}

/// A model shape that cannot be built; `description` says which size is wrong and how to fix it.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
