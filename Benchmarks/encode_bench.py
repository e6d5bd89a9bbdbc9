#!/usr/bin/env python3
"""Side-by-side encode benchmark: our encoder vs tiktoken 0.14.0, same corpus, same run.

(Benchmarks/compare.py is the full benchmark: every peer, four kinds of text, exactness
checked token for token, start-up and batch scaling. This one stays for a quick look.)

For each encoding (cl100k_base, o200k_base) it times single-thread encoding of the whole
corpus several times with
  - ours:     .build/release/bpe-bench ENCODING FILE RUNS  (Benchmarks/bpe-bench/main.swift),
  - tiktoken: Encoding.encode_ordinary(text), loaded offline from vocab/ (scripts/oracle.py),
checks that both produce the same number of tokens, and prints median MB/s and the ratio
ours / tiktoken (> 1 means we are faster). Vocabulary load time is excluded from both.

It also times pathological inputs (one repeated character, base64 with no spaces, one
long "word") at 1, 4 and 16 MB, to show time per MB stays flat (no quadratic cases).

Usage:
  swift build -c release --product bpe-bench
  scripts/fetch_corpora.sh                      # real text into .corpora/
  python Benchmarks/encode_bench.py [--runs 5] [--corpus FILE ...] [--no-pathological]

Times are wall-clock on a shared machine: read the medians and ratios, not single runs.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import oracle  # noqa: E402


def ours(binary: Path, encoding: str, path: Path, runs: int) -> dict:
    out = subprocess.run([str(binary), encoding, str(path), str(runs)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def theirs(encoding: str, path: Path, runs: int) -> dict:
    enc = oracle.get_encoding(encoding)
    text = path.read_bytes().decode("utf-8")  # keep CRLF as is
    enc.encode_ordinary("warm up")
    times, tokens = [], 0
    for _ in range(runs):
        t = time.perf_counter()
        tokens = len(enc.encode_ordinary(text))
        times.append(time.perf_counter() - t)
    med = statistics.median(times)
    n = len(text.encode("utf-8"))
    return {"bytes": n, "tokens": tokens, "median_s": med, "mb_per_s": n / 1e6 / med}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bench", type=Path, default=ROOT / ".build/release/bpe-bench")
    ap.add_argument("--corpus", type=Path, nargs="*")
    ap.add_argument("--encodings", nargs="*", default=["cl100k_base", "o200k_base"])
    ap.add_argument("--no-pathological", action="store_true")
    args = ap.parse_args()
    if not args.bench.exists():
        print(f"error: {args.bench} not found; run: swift build -c release --product bpe-bench", file=sys.stderr)
        return 1
    corpus = args.corpus
    if not corpus:
        d = ROOT / ".corpora"
        parts = [d / f for f in ("shakespeare.txt", "man-de.txt", "man-fr.txt", "man-ja.txt",
                                 "man-ru.txt", "python-stdlib.txt")]
        missing = [p for p in parts if not p.exists()]
        if missing:
            print(f"error: {missing[0]} missing; run scripts/fetch_corpora.sh", file=sys.stderr)
            return 1
        # One mixed file: the same bytes for both sides.
        tmp = Path(tempfile.mkdtemp()) / "mixed.txt"
        with open(tmp, "wb") as f:
            for p in parts:
                f.write(p.read_bytes())
        corpus = [tmp]

    print(f"{'encoding':<12} {'corpus':<16} {'MB':>6} {'ours MB/s':>10} {'tiktoken MB/s':>14} {'ratio':>6}")
    ok = True
    for path in corpus:
        for e in args.encodings:
            a = ours(args.bench, e, path, args.runs)
            b = theirs(e, path, args.runs)
            if a["tokens"] != b["tokens"]:
                print(f"  token counts differ for {e} on {path}: ours {a['tokens']} vs tiktoken {b['tokens']}")
                ok = False
            print(f"{e:<12} {path.name:<16} {a['bytes'] / 1e6:>6.1f} {a['mb_per_s']:>10.1f} "
                  f"{b['mb_per_s']:>14.1f} {a['mb_per_s'] / b['mb_per_s']:>6.2f}")
            print(f"{'':<12} (vocabulary load: ours {a['load_s'] * 1000:.0f} ms)")

    if not args.no_pathological:
        print("\npathological inputs, ours, cl100k_base: seconds per MB (flat = linear)")
        rng = random.Random(0)
        makers = {
            "'a' repeated": lambda n: "a" * n,
            "base64, no spaces": lambda n: base64.b64encode(rng.randbytes(n * 3 // 4)).decode()[:n],
            "one long word": lambda n: "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n)),
        }
        print(f"{'input':<20} {'1 MB':>8} {'4 MB':>8} {'16 MB':>8}")
        with tempfile.TemporaryDirectory() as d:
            for name, make in makers.items():
                row = []
                for mb in (1, 4, 16):
                    p = Path(d) / "p.txt"
                    p.write_text(make(mb << 20))
                    r = ours(args.bench, "cl100k_base", p, 3)
                    row.append(r["median_s"] / mb)
                print(f"{name:<20} " + " ".join(f"{t:>8.3f}" for t in row))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
