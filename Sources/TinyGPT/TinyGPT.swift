/// A small GPT-2-style transformer on the CPU, trained on token shards.
public enum TinyGPT {}
