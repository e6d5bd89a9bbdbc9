print("bpe")
