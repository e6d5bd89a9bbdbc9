import BPE

/// Token-id shards for training language models: llm.c's `.bin` shards (``LLMCShard``),
/// nanoGPT's raw `train.bin`/`val.bin` (``NanoGPTBin``), the `meta.json` that describes them
/// (``ShardMeta``), a streaming writer (``ShardWriter``) and the corpus exporter behind
/// `bpe export` (``Exporter``).
public enum TokenFeed {
    /// Written into `meta.json` as the tool that made the shards, e.g. "swift-bpe 0.1.0".
    public static let tool = "swift-bpe \(Sidecar.toolVersion)"
}
