/// Token-id shards for training: llm.c's `.bin` format and nanoGPT's raw `train.bin`/`val.bin`.
public enum TokenFeed {}
