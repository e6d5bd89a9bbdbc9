#!/usr/bin/env python3
"""huge_inputs.py - measure that memory does not grow with input size.

Three measurements, each printing wall time, throughput and the peak resident memory of the
`bpe` process (ru_maxrss from wait4, so only that process is counted):

  stream   `bpe count`, `bpe encode` (ids to /dev/null) and `bpe export` on a text file of
           --small-mb and then of --big-gb, made by repeating the real text of
           scripts/fetch_corpora.sh. Streaming holds if the peak memory is the same at both
           sizes.
  line     `bpe encode` on one line of --line-mb with no newline anywhere (the corpora with
           every newline made a space): no safe cut exists, so the line is held whole; memory
           is a small multiple of the line, and time stays linear.
  train    `bpe train --vocab-size 4096` on generated corpora: --train-mb and --train-gb of
           text drawn from the same 200,000 words (memory must not grow with corpus size),
           then --train-mb drawn from 2,000,000 words (memory grows with distinct chunks).

The generated files go to --work (default .corpora/huge/, not committed) and are reused on
the next run; --clean removes them at the end. Needs `swift build -c release --product bpe`
and scripts/fetch_corpora.sh. The full run (5 GB) takes about 30-40 minutes on 2 cores and
about 8 GB of disk; --quick (40 MB / 256 MB, 20 MB / 200 MB) takes a few minutes and about
1 GB of disk, and with --check is a CI step.

Usage: scripts/huge_inputs.py [--quick] [--only stream|line|train] [--big-gb 5] [--check] [--clean]
  --check  exits 1 if a peak RSS grows with the input (CI runs --quick --check).
"""
import argparse
import itertools
import json
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MB = 1 << 20


def in_child(make, *args):
    """Runs the file generator `make` in a child process. The measured `bpe` is forked from
    this process, and Linux starts a child's peak RSS at its parent's RSS at the fork, so
    this process must stay small: big buffers live and die in the child."""
    child = multiprocessing.get_context("fork").Process(target=make, args=args)
    child.start()
    child.join()
    if child.exitcode != 0:
        sys.exit(f"huge_inputs: generating {args[0]} failed")


def run(cmd, stdout=subprocess.DEVNULL):
    """Runs cmd; returns (seconds, peak RSS in MB). Fails loudly on a non-zero exit."""
    t0 = time.monotonic()
    err = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=err)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - t0
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        err.seek(0)
        sys.exit(f"huge_inputs: {' '.join(cmd)} exited {code}:\n{err.read().decode(errors='replace')}")
    return seconds, usage.ru_maxrss / 1024  # Linux reports KiB


def repeat_corpora(path, size, transform=None):
    """Writes `size` bytes of the real corpora, repeated (the last copy cut short)."""
    if os.path.exists(path) and os.path.getsize(path) >= size:
        return
    src = os.path.join(ROOT, ".corpora")
    names = sorted(n for n in os.listdir(src) if n.endswith(".txt")) if os.path.isdir(src) else []
    if not names:
        sys.exit("huge_inputs: no .corpora/*.txt; run scripts/fetch_corpora.sh first")
    parts = []
    for n in names:
        with open(os.path.join(src, n), "rb") as f:
            data = f.read()
        parts.append(transform(data) if transform else data)
    block = b"".join(parts)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        written = 0
        while written < size:
            piece = block[: size - written]
            if len(piece) < len(block):
                # The last copy ends on a character boundary: the file stays valid UTF-8.
                piece = piece[: len(piece.decode("utf-8", "ignore").encode())]
                if not piece:
                    break
            f.write(piece)
            written += len(piece)
    os.replace(tmp, path)


def one_line_text(data):
    return data.replace(b"\n", b" ").replace(b"\r", b" ")


WORD_ALPHABET = "etaoinshrdlucmfwypvbgkjqxz"


def generated_corpus(path, size, distinct, seed):
    """Writes `size` bytes of lines of 12 words drawn from `distinct` generated lower-case
    words with a Zipf-like law (word i has weight 1/(i+1)). The first lines hold every word
    both at a line start and after a space, so every size has the same distinct chunks
    (`word`, ` word`, `.` and `\\n`): only the corpus size changes between the runs."""
    if os.path.exists(path) and os.path.getsize(path) >= size:
        return
    rng = random.Random(seed)
    words = []
    seen = set()
    while len(words) < distinct:
        n = 2 + min(int(rng.expovariate(0.25)), 14)
        w = "".join(rng.choice(WORD_ALPHABET) for _ in range(n))
        if w not in seen:
            seen.add(w)
            words.append(w)
    cumulative = list(itertools.accumulate(1.0 / (i + 1) for i in range(distinct)))
    # A pool of lines drawn once, then shuffled per block: fast enough for a gigabyte.
    lines = [(" ".join(rng.choices(words, cum_weights=cumulative, k=12)) + ".\n").encode()
             for _ in range(20000)]
    cover = [(w + " " + w + ".\n").encode() for w in words]
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        written = 0
        for line in cover:
            f.write(line)
            written += len(line)
        while written < size:
            rng.shuffle(lines)
            block = b"".join(lines)[: size - written]
            f.write(block)
            written += len(block)
    os.replace(tmp, path)


FLAT = []  # (what, small RSS, big RSS): memory that must not grow with the input


def flat(what, small, big):
    FLAT.append((what, small, big))


def report(label, size, seconds, rss):
    print(f"  {label:<34} {size / MB:>8.0f} MB {seconds:>8.1f} s {size / MB / seconds:>7.1f} MB/s "
          f"peak RSS {rss:>7.0f} MB", flush=True)


def stream(args, bpe, work):
    print("stream: count, encode and export keep memory flat as the input grows")
    sizes = [args.small_mb * MB, int(args.big_gb * 1024) * MB]
    peaks = {}
    for size in sizes:
        path = os.path.join(work, f"text-{size // MB}MB.txt")
        in_child(repeat_corpora, path, size)
        s, r = run([bpe, "count", "--encoding", args.encoding, path])
        report(f"count {args.encoding}", size, s, r)
        peaks.setdefault("count", []).append(r)
        s, r = run([bpe, "encode", "--encoding", args.encoding, path])
        report(f"encode {args.encoding} > /dev/null", size, s, r)
        peaks.setdefault("encode", []).append(r)
        out = tempfile.mkdtemp(dir=work, prefix="export-")
        try:
            s, r = run([bpe, "export", "--encoding", args.encoding, path, "--doc-separator", "\\n\\n",
                        "--out", out, "-q"])
            report(f"export {args.encoding}", size, s, r)
            peaks.setdefault("export", []).append(r)
        finally:
            shutil.rmtree(out, ignore_errors=True)
    for what, (small, big) in peaks.items():
        flat(f"{what}: {args.small_mb} MB vs {args.big_gb:g} GB", small, big)


def one_line(args, bpe, work):
    print("line: one line with no newline is held whole; time stays linear")
    for mb in sorted({max(1, args.line_mb // 4), args.line_mb}):
        size = mb * MB
        path = os.path.join(work, f"line-{mb}MB.txt")
        in_child(repeat_corpora, path, size, one_line_text)
        s, r = run([bpe, "encode", "--encoding", args.encoding, path])
        report(f"encode one {mb} MB line", size, s, r)


def train(args, bpe, work):
    print("train: memory follows distinct chunks (as the sidecar counts them), not corpus size (vocab 4096)")
    runs = [(args.train_mb * MB, 200_000), (int(args.train_gb * 1024) * MB, 200_000),
            (args.train_mb * MB, 1_000_000 if args.quick else 2_000_000)]
    peaks = []
    for size, distinct in runs:
        path = os.path.join(work, f"gen2-{size // MB}MB-{distinct}w.txt")
        in_child(generated_corpus, path, size, distinct, distinct)
        out = os.path.join(work, "trained.tiktoken")
        s, r = run([bpe, "train", path, "--vocab-size", "4096", "-o", out, "-q"])
        with open(out + ".json") as f:
            chunks = json.load(f)["training"]["distinct_chunks"]
        report(f"train, {distinct:,} words, {chunks:,} chunks", size, s, r)
        peaks.append(r)
        for p in (out, out + ".json"):
            if os.path.exists(p):
                os.remove(p)
    flat(f"train: {args.train_mb} MB vs {args.train_gb:g} GB, same words", peaks[0], peaks[1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bpe", default=os.path.join(ROOT, ".build", "release", "bpe"))
    ap.add_argument("--work", default=os.path.join(ROOT, ".corpora", "huge"))
    ap.add_argument("--encoding", default="cl100k_base")
    ap.add_argument("--small-mb", type=int, default=500)
    ap.add_argument("--big-gb", type=float, default=5)
    ap.add_argument("--line-mb", type=int, default=200)
    ap.add_argument("--train-mb", type=int, default=100)
    ap.add_argument("--train-gb", type=float, default=1)
    ap.add_argument("--quick", action="store_true", help="40 MB / 256 MB / 20 MB line / 20 MB / 200 MB train")
    ap.add_argument("--only", choices=["stream", "line", "train"])
    ap.add_argument("--clean", action="store_true", help="remove the generated files at the end")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 if a peak RSS grows with the input (more than 25%% + 64 MB)")
    args = ap.parse_args()
    if args.quick:
        args.small_mb, args.big_gb, args.line_mb, args.train_mb, args.train_gb = 40, 0.25, 20, 20, 0.2
    if not os.access(args.bpe, os.X_OK):
        sys.exit(f"huge_inputs: no {args.bpe}; run `swift build -c release --product bpe`")
    os.makedirs(args.work, exist_ok=True)
    try:
        for name, step in (("stream", stream), ("line", one_line), ("train", train)):
            if args.only in (None, name):
                step(args, args.bpe, args.work)
    finally:
        if args.clean:
            shutil.rmtree(args.work, ignore_errors=True)
    grew = [(w, a, b) for w, a, b in FLAT if b > a * 1.25 + 64]
    for w, a, b in FLAT:
        print(f"  {'GREW' if (w, a, b) in grew else 'flat'}  {w}: {a:.0f} MB -> {b:.0f} MB")
    if args.check and grew:
        sys.exit("huge_inputs: peak memory grew with the input size")


if __name__ == "__main__":
    main()
