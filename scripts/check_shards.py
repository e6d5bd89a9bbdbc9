#!/usr/bin/env python3
"""Check `bpe export` against tiktoken: the shards hold exactly tiktoken's tokens.

For a built-in encoding (gpt2, o200k_base) and for a vocabulary trained here with
`bpe train`, in both formats (llm.c shards and nanoGPT's train.bin/val.bin), this script
runs `bpe export` on a small corpus and then, reading the output with numpy only:

  * validates every llm.c header (magic, version, token count against the file size, the
    rest of the header zero) and the shard sizes against --shard-tokens;
  * re-reads the corpus from meta.json's "sources" and splits it at "doc_separator" the
    way the exporter documents (Python's str.split on bytes, empty documents dropped);
  * checks each split is, document by document, <|endoftext|> followed by tiktoken's
    encode_ordinary of the document, that the validation documents are the ones the rule
    picks (document i when ceil((i+1)*F) > ceil(i*F), or the first N), and that decoding
    the shards split at <|endoftext|> gives the documents back byte for byte;
  * checks meta.json's counts, file lists and, for the trained vocabulary, the sha256 and
    the copied .tiktoken + sidecar (tiktoken is built from the copies alone).

Usage:
    /tmp/venv/bin/python scripts/check_shards.py [--bpe PATH] [CORPUS_FILE ...]

Without corpus files it uses a 400 kB slice of .corpora/shakespeare.txt (fetch it with
scripts/fetch_corpora.sh) plus a small file of non-ASCII text and special-token text.
Needs numpy and tiktoken (offline, through scripts/oracle.py). Prints one line per check
and "N passed, M failed"; exits 1 if any check failed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_common import find_bpe, missing_corpus, repo_root, require  # noqa: E402

np = require("numpy", "to read the shards")
require("tiktoken", "as the reference tokenizer")
from oracle import get_encoding, tiktoken_module  # noqa: E402

LLMC_HEADERS = {  # dtype -> (magic, version), as llm.c's dev/data/data_common.py
    "uint16": (20240520, 1),
    "uint32": (20240801, 7),
}


class Checks:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, ok: bool, what: str, detail: str = "") -> bool:
        if ok:
            self.passed += 1
            print(f"ok    {what}")
        else:
            self.failed += 1
            print(f"FAIL  {what}" + (f": {detail}" if detail else ""))
        return ok


def run(cmd: list[str]) -> str:
    """Runs a command, exiting on failure; returns its standard error."""
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"error: {' '.join(cmd)} exited {r.returncode}\n{r.stderr}", file=sys.stderr)
        sys.exit(1)
    return r.stderr


def documents(meta: dict) -> list[bytes]:
    """The corpus documents, re-read from the sources the way the exporter splits them."""
    sep = meta["doc_separator"]
    docs: list[bytes] = []
    for src in meta["sources"]:
        data = Path(src).read_bytes()
        parts = [data] if sep is None else data.split(sep.encode())
        docs += [d for d in parts if d]
    return docs


def is_validation(meta: dict, i: int) -> bool:
    """The documented rule, in the same integer arithmetic (F to 9 decimal places)."""
    if meta["val_docs"] is not None:
        return i < meta["val_docs"]
    q = round(meta["val_fraction"] * 1_000_000_000)
    return -(-(i + 1) * q // 1_000_000_000) > -(-i * q // 1_000_000_000)


def read_split(c: Checks, out: Path, meta: dict, split: str, label: str) -> np.ndarray | None:
    """One split's tokens (all shards concatenated), checking every llm.c header."""
    files = meta["splits"][split]["files"]
    dtype = np.dtype(meta["dtype"]).newbyteorder("<")
    arrays = []
    for i, name in enumerate(files):
        path = out / name
        if meta["format"] == "nanogpt":
            size = path.stat().st_size
            if not c.check(size % dtype.itemsize == 0, f"{label}: {name} is whole {meta['dtype']} tokens", f"{size} bytes"):
                return None
            arrays.append(np.memmap(path, dtype=dtype, mode="r") if size else np.zeros(0, dtype=dtype))
            continue
        header = np.memmap(path, dtype="<i4", mode="r", shape=(256,))
        magic, version = LLMC_HEADERS[meta["dtype"]]
        size = path.stat().st_size
        n = int(header[2])
        ok = (int(header[0]) == magic and int(header[1]) == version and n >= 0
              and size == 1024 + n * dtype.itemsize and not header[3:].any())
        if not c.check(ok, f"{label}: {name} header", f"magic {header[0]} version {header[1]} count {n}, {size} bytes"):
            return None
        if split == "train" and i + 1 < len(files):
            c.check(n == meta["shard_tokens"], f"{label}: {name} holds --shard-tokens tokens", f"{n} != {meta['shard_tokens']}")
        arrays.append(np.memmap(path, dtype=dtype, mode="r", offset=1024, shape=(n,)))
    return np.concatenate(arrays) if arrays else np.zeros(0, dtype=dtype)


def check_export(c: Checks, out: Path, enc, label: str) -> None:
    meta = json.loads((out / "meta.json").read_text())
    eot = meta["eot_token"]
    c.check(eot == enc.eot_token and meta["n_vocab"] == enc.n_vocab, f"{label}: meta eot_token and n_vocab match tiktoken",
            f"{eot}/{meta['n_vocab']} vs {enc.eot_token}/{enc.n_vocab}")
    want_dtype = "uint16" if enc.n_vocab <= 65536 else "uint32"
    c.check(meta["dtype"] == want_dtype, f"{label}: dtype {meta['dtype']}")
    listed = sorted(meta["splits"]["train"]["files"] + meta["splits"]["val"]["files"])
    on_disk = sorted(p.name for p in out.iterdir() if p.suffix == ".bin")
    c.check(listed == on_disk, f"{label}: meta lists exactly the .bin files", f"{listed} vs {on_disk}")

    docs = documents(meta)
    by_split = {"train": [], "val": []}
    for i, d in enumerate(docs):
        by_split["val" if is_validation(meta, i) else "train"].append(d)
    for split, expected in by_split.items():
        tokens = read_split(c, out, meta, split, label)
        if tokens is None:
            continue
        info = meta["splits"][split]
        c.check(info["tokens"] == len(tokens) and info["documents"] == len(expected),
                f"{label}: meta {split} counts", f"{info} vs {len(tokens)} tokens, {len(expected)} documents")
        # What tiktoken makes of the same documents.
        want = np.fromiter((t for d in expected for t in [eot, *enc.encode_ordinary(d.decode())]),
                           dtype=np.int64)
        same = len(want) == len(tokens) and bool((want == tokens.astype(np.int64)).all())
        first = "" if same else next((f"first difference at token {k}" for k in range(min(len(want), len(tokens)))
                                      if want[k] != tokens[k]), f"lengths {len(tokens)} vs {len(want)}")
        c.check(same, f"{label}: {split} tokens == tiktoken ({len(tokens)} tokens, {len(expected)} docs)", first)
        # Split at <|endoftext|>, decode, compare bytes.
        cuts = np.flatnonzero(tokens == eot)
        decoded = [enc.decode_bytes(tokens[a + 1:b].tolist()) for a, b in zip(cuts, list(cuts[1:]) + [len(tokens)])]
        c.check(len(tokens) == 0 or tokens[0] == eot, f"{label}: {split} starts with <|endoftext|>")
        c.check(decoded == expected, f"{label}: {split} documents decode back byte for byte",
                f"{len(decoded)} decoded vs {len(expected)} expected")


def trained_encoding(c: Checks, out: Path):
    """tiktoken.Encoding built from the .tiktoken and sidecar copied into the export."""
    meta = json.loads((out / "meta.json").read_text())
    vocab = out / meta["vocab_file"]
    c.check(hashlib.sha256(vocab.read_bytes()).hexdigest() == meta["vocab_sha256"], "trained: vocab_sha256 of the copy")
    sidecar = json.loads((out / meta["sidecar_file"]).read_text())
    c.check(sidecar["pattern"] == meta["pattern"] and sidecar["special_tokens"] == meta["special_tokens"],
            "trained: sidecar copy agrees with meta.json")
    ranks = {}
    for line in vocab.read_bytes().splitlines():
        if line:
            tok, rank = line.split()
            ranks[base64.b64decode(tok)] = int(rank)
    tiktoken = tiktoken_module()
    return tiktoken.Encoding(name=sidecar["name"], pat_str=sidecar["pattern"], mergeable_ranks=ranks,
                             special_tokens=sidecar["special_tokens"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bpe", help="the bpe binary (default: .build/release/bpe)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    ap.add_argument("corpus", nargs="*", help="corpus files (default: a slice of .corpora/shakespeare.txt)")
    args = ap.parse_args()
    bpe = str(find_bpe(args.bpe))

    work = Path(tempfile.mkdtemp(prefix="check-shards-"))
    try:
        if args.corpus:
            corpus = [str(Path(p).resolve()) for p in args.corpus]
        else:
            src = repo_root() / ".corpora" / "shakespeare.txt"
            if not src.is_file():
                missing_corpus(src)
                return 2
            text = src.read_bytes()[:400_000]
            text = text[: text.rfind(b"\n") + 1]
            half = text.rfind(b"\n\n", 0, len(text) // 2) + 2
            (work / "corpus").mkdir()
            (work / "corpus" / "a.txt").write_bytes(text[:half])
            (work / "corpus" / "b.txt").write_bytes(text[half:])
            (work / "corpus" / "c.txt").write_text(
                "Ünïcödé: 日本語のテキスト, русский текст, emoji 🙂👍🏽\n\n"
                "special-token text stays text: <|endoftext|> <|fim_prefix|>\n\n\n\n"
                "tabs\tand   spaces   \n\nlast document without a newline", encoding="utf-8")
            corpus = [str(work / "corpus")]

        c = Checks()
        vocab = work / "tiny.tiktoken"
        run([bpe, "train", *corpus, "--vocab-size", "1024", "--special", "<|endoftext|>",
             "--doc-separator", "\\n\\n", "-o", str(vocab), "--quiet"])

        # (label, encoding flags, flags for both formats, flags for llmc only)
        cases = [
            ("gpt2", ["--encoding", "gpt2"], [], ["--shard-tokens", "20000"]),
            ("o200k_base", ["--encoding", "o200k_base"], ["--val-docs", "7"], []),
            ("trained", ["--vocab", str(vocab)], ["--val-fraction", "0.05"], ["--shard-tokens", "30000"]),
        ]
        for name, enc_flags, flags, llmc_flags in cases:
            for fmt in ("llmc", "nanogpt"):
                out = work / f"out-{name}-{fmt}"
                stderr = run([bpe, "export", *enc_flags, *corpus, "--out", str(out), "--format", fmt,
                              "--doc-separator", "\\n\\n", "--quiet", *flags, *(llmc_flags if fmt == "llmc" else [])])
                enc = trained_encoding(c, out) if name == "trained" else get_encoding(name)
                if fmt == "nanogpt" and enc.n_vocab > 65536:
                    c.check("uint32" in stderr, f"{name}/{fmt}: a note on stderr says the tokens are uint32", repr(stderr))
                check_export(c, out, enc, f"{name}/{fmt}")

        print(f"{c.passed} passed, {c.failed} failed")
        return 1 if c.failed else 0
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
