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
    /// - Throws: ``ConfigError`` naming the property (a CLI maps it to its flag).
    public func validate() throws(ConfigError) {
        for (parameter, value) in [(Parameter.vocabSize, vocabSize), (.contextLength, contextLength),
                                   (.layers, layers), (.heads, heads), (.channels, channels)] {
            guard value > 0 else { throw .notPositive(parameter, value) }
            guard value <= Self.sizeLimit else { throw .tooLarge(parameter, value) }
        }
        guard channels % heads == 0 else { throw .headsDoNotDivideChannels(heads: heads, channels: channels) }
        let n = ParameterLayout(self).count
        guard n <= 1 << 31 else { throw .tooManyParameters(n) }
    }

    /// The largest size ``validate()`` accepts for any dimension.
    public static let sizeLimit = 1 << 24

    /// The total number of parameters (see ``ParameterLayout``).
    public var parameterCount: Int { ParameterLayout(self).count }

    /// The sizes an error message may name, by their Swift names; a front end maps them to its
    /// own spelling (`tinygpt` says `--context` for `contextLength`).
    public enum Parameter: String, Sendable, CaseIterable {
        case vocabSize, contextLength, layers, heads, channels
    }
}

/// A model shape that cannot be built, or data and checkpoints that do not fit it. The
/// message names the Swift properties; ``message(naming:)`` lets a command line name its flags.
public enum ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    case notPositive(GPTConfig.Parameter, Int)
    case tooLarge(GPTConfig.Parameter, Int)
    case headsDoNotDivideChannels(heads: Int, channels: Int)
    case tooManyParameters(Int)
    /// A parameter array (from a checkpoint) of the wrong length for the config.
    case wrongParameterCount(expected: Int, got: Int)
    /// No shard holds `context + 1` tokens.
    case shardsShorterThanContext(context: Int, longest: Int)
    /// Resuming needs the optimizer state the checkpoint lacks.
    case noOptimizerState

    public var description: String { message(naming: \.rawValue) }

    /// The message, with each size spelled by `name`.
    public func message(naming name: (GPTConfig.Parameter) -> String) -> String {
        switch self {
        case .notPositive(let p, let v): return "\(name(p)) must be positive, got \(v)"
        case .tooLarge(let p, let v): return "\(name(p)) is too large (\(v)); the limit is \(GPTConfig.sizeLimit)"
        case .headsDoNotDivideChannels(let h, let c):
            return "\(name(.heads)) \(h) does not divide \(name(.channels)) \(c); pick channels that are a multiple of heads (for example \(name(.channels)) \(max(1, c / h) * h))"
        case .tooManyParameters(let n): return "the model would have \(n) parameters; the limit is 2^31"
        case .wrongParameterCount(let e, let g): return "expected \(e) parameters for this config, got \(g)"
        case .shardsShorterThanContext(let context, let longest):
            return "\(name(.contextLength)) \(context) needs shards of at least \(context + 1) tokens, but the longest has \(longest); use a smaller \(name(.contextLength)) or more data"
        case .noOptimizerState:
            return "the checkpoint has no optimizer state (it was saved for sampling only); start a new run instead of resuming it"
        }
    }
}
