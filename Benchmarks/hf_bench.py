#!/usr/bin/env python3
"""tokenizer.json speed, side by side with Hugging Face `tokenizers`, same file, same run.

- Load: ours is `bpe count --vocab F /dev/null` (a whole process: start, read, parse, build
  the tables), minus `bpe --version` (process start alone), median of --runs, twice: the
  first load of a file (no cache: `BPE_CACHE_DIR=`), and a later one (the model's image
  mapped from a cache folder of this run, filled by one load before timing); HF is
  `Tokenizer.from_file(F)` in this process, median of --runs.
- Encode: the corpora of scripts/fetch_corpora.sh (or random text), single thread, both
  pinned to CPU 0 with taskset / sched_setaffinity (RAYON_NUM_THREADS=1 for HF). Ours:
  `bpe count --vocab F TEXT` minus its load time; HF: `encode(chunk, add_special_tokens=False)`
  over 64 KiB chunks of the same text. Median of --runs.
- Before timing, both tokenizers encode a sample of the chunks and must agree id for id
  (`bpe encode --jsonl`); a mismatch stops the benchmark.

Usage:
  swift build -c release --product bpe
  scripts/fetch_reference_tokenizers.sh && scripts/fetch_corpora.sh
  .venv/bin/python Benchmarks/hf_bench.py [--runs 5] [--file .reference/deepseek_tokenizer.json]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("RAYON_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import randtext  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402


def wall(cmd: list[str], env: dict[str, str] | None = None) -> float:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, env=env)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {r.stderr.decode(errors='replace')}")
    return dt


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bpe", default=str(ROOT / ".build" / "release" / "bpe"))
    ap.add_argument("--file", action="append", help="tokenizer.json files (default: DeepSeek's and Anthropic's)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--mb", type=float, default=20.0, help="MB of text to encode")
    args = ap.parse_args()
    files = [Path(f) for f in (args.file or [ROOT / ".reference/deepseek_tokenizer.json", ROOT / ".reference/anthropic_tokenizer.json"])]
    corpora = sorted((ROOT / ".corpora").glob("*.txt"))
    text = "".join(p.read_text(encoding="utf-8") for p in corpora) or " ".join(randtext.random_texts(1, 20000, 600))
    limit = int(args.mb * 1e6)
    text = text.encode()[:limit].decode("utf-8", errors="ignore")
    chunks = [text[i:i + 65536] for i in range(0, len(text), 65536)]
    nbytes = len(text.encode())
    taskset = ["taskset", "-c", "0"]
    os.sched_setaffinity(0, {0})
    print(f"text: {nbytes / 1e6:.1f} MB in {len(chunks)} chunks; load average {os.getloadavg()[0]:.2f}; both on CPU 0")
    rows = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        textfile = tmp / "text.txt"
        textfile.write_text(text)
        uncached = dict(os.environ, BPE_CACHE_DIR="")
        cached = dict(os.environ, BPE_CACHE_DIR=str(tmp / "cache"))
        for f in files:
            tok = Tokenizer.from_file(str(f))
            # Identical output first.
            sample = chunks[:: max(1, len(chunks) // 20)]
            inp = tmp / "sample.jsonl"
            inp.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in sample))
            r = subprocess.run([args.bpe, "encode", "--vocab", str(f), "--jsonl", "--allowed-special", "all", str(inp)],
                               capture_output=True, env=cached)
            ours = [[int(x) for x in line.split()] for line in r.stdout.decode().splitlines()]
            theirs = [tok.encode(c, add_special_tokens=False).ids for c in sample]
            if ours != theirs:
                raise SystemExit(f"FAIL: {f.name}: ids differ from tokenizers on the sample; not timing")
            start = statistics.median(wall(taskset + [args.bpe, "--version"]) for _ in range(args.runs))
            count = taskset + [args.bpe, "count", "--vocab", str(f), "/dev/null"]
            first = statistics.median(wall(count, uncached) for _ in range(args.runs))
            wall(count, cached)   # fills the cache (the id check above did too)
            load = statistics.median(wall(count, cached) for _ in range(args.runs))
            hf_load = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                Tokenizer.from_file(str(f))
                hf_load.append(time.perf_counter() - t0)
            ours_enc = statistics.median(
                wall(taskset + [args.bpe, "count", "--vocab", str(f), "--allowed-special", "all", str(textfile)], cached) - load
                for _ in range(args.runs))
            hf_enc = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                for c in chunks:
                    tok.encode(c, add_special_tokens=False)
                hf_enc.append(time.perf_counter() - t0)
            hf_enc_m = statistics.median(hf_enc)
            rows.append((f.name, first - start, load - start, statistics.median(hf_load), nbytes / ours_enc / 1e6, nbytes / hf_enc_m / 1e6))
    print(f"\n| file | our first load (ms) | our cached load (ms) | HF from_file (ms) | ours MB/s | HF MB/s | encode × HF |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, fl, lo, hl, om, hm in rows:
        print(f"| {name} | {fl * 1e3:.0f} | {lo * 1e3:.0f} | {hl * 1e3:.0f} | {om:.1f} | {hm:.1f} | {om / hm:.2f} |")
    print(f"(our loads: whole `bpe count --vocab F /dev/null` processes minus `bpe --version`, {start * 1e3:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
