#!/usr/bin/env python3
"""Side-by-side encode benchmark: ours against tiktoken and the fastest exact peers, in one run.

    .venv/bin/python Benchmarks/compare.py [--quick] [--runs N] [--cpu C] [--json OUT]

It prints four tables and a one-line verdict against the targets of issue 9:

1. Single thread, real text: MB/s (median of N rounds) and the ratio to tiktoken for
   English (Shakespeare), man pages in 13 languages, source code (Python + C) and
   CJK-heavy text, with cl100k_base and o200k_base. Before any timing every encoder's
   full output is compared with tiktoken's, token for token, on every file: a mismatch is
   printed (token index, byte offset, both sides' tokens), timing is skipped (--keep-going
   times anyway) and the run exits with status 1.
2. Pathological inputs: ms per MB of `bpe count` on 10 MB (--quick: 1 MB) of one
   repeated letter, spaces, newlines, random letters, base64, one repeated CJK character
   and digits, raw and net of its start-up; ours also through bpe-bench, with bpe-openai
   and tiktoken beside it. Their token counts must agree (status 1 if not).
3. Start-up: `echo hi | bpe count --encoding E` as a whole process, and the library's
   vocabulary load time (`load_s` of bpe-bench).
4. Batch scaling: our encodeOrdinaryBatch pinned to two cores against one core, and
   tiktoken's encode_ordinary_batch(num_threads=2) against num_threads=1.

Everything is pinned: this process calls os.sched_setaffinity({C}) at start, and every
process it starts runs under `taskset -c C` (the 2-thread batch runs under
`taskset -c C,D`). Each peer runs in a worker process of its own (bench_peers.py), so no
peer's allocations or thread pools touch another's figures.

Section 1 times in rounds: each round runs every encoder once on the file, in turn (each peer,
ours fresh, ours library, our CLI), and every ratio (x tiktoken, CLI / library, and ours
against each peer for the verdict) is the median of the rounds' ratios, so that a shared
machine's drift, whose neighbours come and go over minutes, moves both sides of a ratio alike.
A warm peer encodes the file once, untimed, before the first round only.

How each encoder is called (a peer gets a Python `str` read once per file; set-up,
vocabulary loading and reading the file are never timed, except in the whole-process
figures of the CLI):
  ours, library   `.build/release/bpe-bench ENCODING FILE 2`, RUNS times: single-thread
                  Encoding.encodeOrdinary(String); of each process's two runs the first is
                  dropped (it warms the page cache, and any piece cache).
  ours, fresh     `bpe-bench --fresh`: a newly loaded Encoding for each run, its first
                  encode of the file (after encoding "warm up").
  ours, CLI       `.build/release/bpe encode --encoding E --disallowed-special none FILE
                  > /dev/null`, timed from outside as a whole process: start-up, vocabulary
                  load, reading, encoding and formatting the ids, nothing subtracted.
                  `--disallowed-special none` makes it tiktoken's encode_ordinary.
  tiktoken        tiktoken 0.14.0 `Encoding.encode_ordinary(text)`, loaded offline from
                  vocab/ (scripts/oracle.py).
  bpe-openai      bpe-openai 0.1.4 through its Rust binding:
                  `bpe_openai._bindings.tokenizer_for_encoding(E).encode(text)`. The Python
                  wrapper (`bpe_openai.get_encoding(E).encode_ordinary`) refuses texts of a
                  million characters or more and results over 200,000 tokens, so it cannot
                  encode these files; the binding is what it calls underneath.
  quicktok        quicktok-v1 0.4.0 `quicktok.get_encoding(E).encode_ordinary(text)`
                  (its bundled vocabulary).
  splintr         splintr-rs 0.22.0 `splintr.Tokenizer.from_pretrained(E)
                  .encode_ordinary(text)` (bundled vocabulary). It keeps a cache from piece
                  to ids (`cache_len`): "warm" re-encodes the same text on the same object,
                  "fresh" makes a new object per run, encodes "warm up", then times the
                  first encode of the file, and "cleared" is warm with `clear_cache()`
                  before each run. A fresh object is much slower than a cleared one: more
                  than the piece cache warms up in its first encode (its lazily built regex
                  automaton, presumably), and "fresh" counts all of it.
  gigatoken       gigatoken 0.10.0 `Tokenizer.from_tiktoken(vocab/E.tiktoken,
                  pretokenizer="gpt4"|"o200k", special_tokens={}).backend.encode(text)`,
                  which returns a numpy uint32 array, not a list (a little cheaper to make).
                  No special tokens are given, because gigatoken always matches the ones
                  it knows inside the text and encode_ordinary must not. It caches pieces
                  like splintr: "warm" and "fresh" as above.
  For pathological inputs: ours `bpe count` (whole process) and `bpe-bench`; bpe-openai
  `tokenizer_for_encoding(E).count(text)`; tiktoken `len(encode_ordinary(text))` on a prefix
  that grows 4x at a time while the next step is predicted (quadratically) to stay under
  --tiktoken-cap seconds: its ms/MB is given with the size it reached.

Corpora come from `scripts/fetch_corpora.sh --bench` (into .corpora/, never committed).
The benchmark files are evenly spread samples of them, cut at line boundaries: English
5 MB, man pages 8 MB (an equal share per language, or all of a smaller one: Greek has
38 KB), source 10 MB (half Python stdlib, half glibc C source), CJK 4 MB; --quick makes
each 1 MB, which leaves the whole-process figures (CLI, `bpe count`) mostly start-up.

Usage:
  swift build -c release --product bpe-bench && swift build -c release --product bpe
  scripts/fetch_corpora.sh --bench
  .venv/bin/python Benchmarks/compare.py --quick         # a few minutes (5 on a busy machine)
  .venv/bin/python Benchmarks/compare.py --json out.json # the full run, on a quiet machine

The machine is shared and timings are noisy: read medians and ratios, check the load
average printed at the top and bottom, and repeat a run before believing a close call.
Exit status: 0 when every encoder gave tiktoken's tokens (targets met or not), 1 on a
mismatch, 2 on bad arguments or missing inputs.
"""
from __future__ import annotations

import argparse
import base64
import datetime
import json
import os
import random
import selectors
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from pathlib import Path

from bench_peers import CACHING, PEERS

ROOT = Path(__file__).resolve().parent.parent
MB = 1_000_000
ENCODINGS = ("cl100k_base", "o200k_base")

# name -> (files in the corpus dir, full size, quick size)
CORPORA = {
    "english": (["shakespeare.txt"], 5 * MB, 1 * MB),
    "man": ([f"man-{l}.txt" for l in ("cs", "de", "el", "es", "fr", "it", "ja", "nl", "pl",
                                      "pt-br", "ru", "uk", "zh")], 8 * MB, 1 * MB),
    "source": (["python-stdlib.txt", "c-source.txt"], 10 * MB, 1 * MB),
    "cjk": (["cjk.txt"], 4 * MB, 1 * MB),
}

PATHOLOGICAL = ("one repeated letter", "spaces", "newlines", "random letters", "base64",
                "one repeated CJK character", "digits")

TARGETS = {
    "lib_vs_tiktoken": 8.0,     # library >= 8x tiktoken on every corpus
    "cli_vs_lib": 0.85,         # CLI >= 85% of the library
    "pathological_ms_per_mb": 10.0,
    "startup_ms": 50.0,
    "batch_scaling": 1.8,
}


class Worker:
    """One peer for one encoding in a pinned child process, kept alive for all files."""

    def __init__(self, name: str, encoding: str, cpus: str):
        self.name, self.encoding, self.cpus = name, encoding, cpus
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["taskset", "-c", self.cpus, sys.executable, str(Path(__file__).resolve().with_name("bench_peers.py")),
             self.name, self.encoding],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def call(self, timeout: float | None = None, **cmd) -> dict:
        if self.proc is None:
            self.start()
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        if timeout is None:
            line = self.proc.stdout.readline()
        else:
            sel = selectors.DefaultSelector()
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            if not sel.select(timeout):
                self.stop(kill=True)
                return {"error": f"timed out after {timeout:.0f} s"}
            line = self.proc.stdout.readline()
        if not line:
            rc = self.proc.wait()
            self.proc = None
            return {"error": f"worker exited with status {rc}"}
        return json.loads(line)

    def stop(self, kill: bool = False):
        if self.proc is None:
            return
        if kill:
            self.proc.kill()
        else:
            self.proc.stdin.close()
        self.proc.wait()
        self.proc = None


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def run_timed(cmd: list[str], runs: int, stdin: bytes | None = None, stdout=subprocess.DEVNULL,
              warmup: int = 1) -> list[float]:
    """Wall times of whole processes (fork/exec of taskset included), after warm-up runs."""
    times = []
    for i in range(warmup + runs):
        t = time.perf_counter()
        p = subprocess.run(cmd, input=stdin, stdout=stdout, stderr=subprocess.PIPE)
        dt = time.perf_counter() - t
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.decode(errors='replace').strip()}")
        if i >= warmup:
            times.append(dt)
    return times


def bench_json(pin: list[str], bench: Path, args: list[str]) -> dict:
    p = subprocess.run(pin + [str(bench)] + args, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"bpe-bench {' '.join(args)} failed ({p.returncode}): {p.stderr.strip()}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def sample(data: bytes, target: int, pieces: int = 16) -> bytes:
    """`pieces` evenly spread chunks of about target/pieces bytes, each cut at line starts."""
    if len(data) <= target:
        return data if data.endswith(b"\n") or not data else data + b"\n"
    per = target // pieces
    out = []
    for c in range(pieces):
        start = data.rfind(b"\n", 0, (len(data) - per) * c // (pieces - 1)) + 1
        end = data.rfind(b"\n", 0, start + per) + 1
        if end <= start:
            end = data.find(b"\n", start + per) + 1 or len(data)
        out.append(data[start:end])
    return b"".join(out)


def build_corpora(corpus_dir: Path, work: Path, quick: bool) -> dict[str, Path]:
    missing = [f for files, _, _ in CORPORA.values() for f in files if not (corpus_dir / f).exists()]
    if missing:
        raise SystemExit(f"error: {corpus_dir}: missing {', '.join(missing)}; "
                         f"run: scripts/fetch_corpora.sh --bench" +
                         ("" if corpus_dir == ROOT / ".corpora" else f" {corpus_dir}"))
    out = {}
    for name, (files, full, small) in CORPORA.items():
        size = small if quick else full
        parts = [sample((corpus_dir / f).read_bytes(), size // len(files)) for f in files]
        data = b"".join(parts)
        data.decode("utf-8")            # line cuts keep every character whole
        p = work / f"{name}.txt"
        p.write_bytes(data)
        out[name] = p
    return out


def make_pathological(kind: str, n: int) -> bytes:
    rng = random.Random(0)
    if kind == "one repeated letter":
        return b"a" * n
    if kind == "spaces":
        return b" " * n
    if kind == "newlines":
        return b"\n" * n
    if kind == "random letters":
        return bytes(rng.choices(b"abcdefghijklmnopqrstuvwxyz", k=n))
    if kind == "base64":
        return base64.b64encode(rng.randbytes(n * 3 // 4 + 3))[:n]
    if kind == "one repeated CJK character":
        return "中".encode() * (n // 3)
    if kind == "digits":
        return bytes(rng.choices(b"0123456789", k=n))
    raise ValueError(kind)


def read_ids_text(out: bytes) -> array:
    return array("I", map(int, out.split()))


def first_difference(a: array, b: array) -> int:
    n = min(len(a), len(b))
    lo = 0
    # Compare in blocks (C speed), then find the index inside the first differing block.
    step = 1 << 16
    while lo < n and a[lo:lo + step] == b[lo:lo + step]:
        lo += step
    for i in range(lo, min(n, lo + step)):
        if a[i] != b[i]:
            return i
    return n


def table(headers: list[str], rows: list[list[str]], indent: str = "  ") -> str:
    widths = [max(len(str(r[i])) for r in [headers] + rows) for i in range(len(headers))]
    lines = []
    for j, r in enumerate([headers] + rows):
        cells = [str(c).ljust(widths[0]) if i == 0 else str(c).rjust(widths[i]) for i, c in enumerate(r)]
        lines.append(indent + "  ".join(cells).rstrip())
        if j == 0:
            lines.append(indent + "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="See the top of this file for how each peer is called.")
    ap.add_argument("--quick", action="store_true", help="1 MB inputs, 3 runs: for development")
    ap.add_argument("--runs", type=int, help="timed runs per measurement (default 5; --quick 3)")
    ap.add_argument("--cpu", type=int, help="the core to pin to (default: the last one this process may use)")
    ap.add_argument("--cpu2", type=int, help="the second core of the 2-thread batch (default: another allowed one)")
    ap.add_argument("--json", type=Path, metavar="OUT", help="write the raw results here")
    ap.add_argument("--sections", default="corpora,pathological,startup,batch",
                    help="comma list of corpora,pathological,startup,batch")
    ap.add_argument("--encodings", default=",".join(ENCODINGS), help="comma list (default: both)")
    ap.add_argument("--peers", default=",".join(PEERS), help="comma list of " + ",".join(PEERS))
    ap.add_argument("--corpus-dir", type=Path, default=ROOT / ".corpora")
    ap.add_argument("--path-mb", type=float, help="MB per pathological input (default 10; --quick 1)")
    ap.add_argument("--tiktoken-cap", type=float, help="seconds one tiktoken run on a pathological input "
                    "may take (default 10; --quick 1)")
    ap.add_argument("--batch-doc-bytes", type=int, default=4096, help="documents for the batch: cut after "
                    "a newline once this long (default 4096)")
    ap.add_argument("--keep-going", action="store_true", help="time even after a token mismatch (still exits 1)")
    ap.add_argument("--bench", type=Path, default=ROOT / ".build/release/bpe-bench")
    ap.add_argument("--bpe", type=Path, default=ROOT / ".build/release/bpe")
    args = ap.parse_args()

    runs = args.runs or (3 if args.quick else 5)
    if runs < 1:
        ap.error("--runs must be at least 1")
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    bad = [s for s in sections if s not in ("corpora", "pathological", "startup", "batch")]
    if bad:
        ap.error(f"unknown section {bad[0]}; choose from corpora,pathological,startup,batch")
    encodings = [e.strip() for e in args.encodings.split(",") if e.strip()]
    bad = [e for e in encodings if e not in ENCODINGS]
    if bad:
        ap.error(f"unknown encoding {bad[0]}; choose from {','.join(ENCODINGS)}")
    peers = [p.strip() for p in args.peers.split(",") if p.strip()]
    bad = [p for p in peers if p not in PEERS]
    if bad:
        ap.error(f"unknown peer {bad[0]}; choose from {','.join(PEERS)}")
    if "tiktoken" not in peers:
        peers.insert(0, "tiktoken")     # the reference: always there
    for tool in (args.bench, args.bpe):
        if not tool.exists():
            print(f"error: {tool} not found; run: swift build -c release --product {tool.name}", file=sys.stderr)
            return 2
    if shutil.which("taskset") is None:
        print("error: taskset not found (Debian: apt-get install util-linux)", file=sys.stderr)
        return 2

    # Pin ourselves and everything we start.
    allowed = sorted(os.sched_getaffinity(0))
    cpu = allowed[-1] if args.cpu is None else args.cpu
    if cpu not in allowed:
        ap.error(f"--cpu {cpu}: this process may only use CPUs {allowed}")
    others = [c for c in allowed if c != cpu]
    cpu2 = args.cpu2 if args.cpu2 is not None else (others[0] if others else None)
    if cpu2 is not None and (cpu2 == cpu or cpu2 not in allowed):
        ap.error(f"--cpu2 {cpu2}: must differ from --cpu {cpu} and be one of {allowed}")
    os.sched_setaffinity(0, {cpu})
    pin = ["taskset", "-c", str(cpu)]

    from importlib import metadata
    versions, missing_peers = {}, []
    for p in list(peers):
        dist, want = PEERS[p]
        try:
            versions[p] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            if p == "tiktoken":
                print(f"error: tiktoken is not installed; .venv/bin/pip install tiktoken=={want}", file=sys.stderr)
                return 2
            print(f"warning: {p} is not installed ({sys.executable} -m pip install {dist}=={want}); left out",
                  file=sys.stderr)
            missing_peers.append(p)
            peers.remove(p)
            continue
        if versions[p] != want:
            print(f"warning: {dist} {versions[p]} installed, the benchmark is pinned to {want}", file=sys.stderr)

    path_mb = args.path_mb or (1 if args.quick else 10)
    tiktoken_cap = args.tiktoken_cap or (1.0 if args.quick else 10.0)
    status = 0
    results: dict = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "quick": args.quick, "runs": runs, "cpu": cpu, "cpu2": cpu2, "versions": versions,
        "load_average_start": os.getloadavg(), "missing_peers": missing_peers, "peers_run": list(peers),
        "commit": subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                 capture_output=True, text=True).stdout.strip(),
    }
    print(f"compare.py: pinned to CPU {cpu}; {runs} runs per figure (median); "
          f"load average {os.getloadavg()[0]:.2f}; commit {results['commit']}"
          + ("; QUICK (1 MB inputs)" if args.quick else ""))
    print("peers: " + ", ".join(f"{p} {versions[p]}" for p in peers)
          + (f"; missing: {', '.join(missing_peers)}" if missing_peers else ""))

    work = Path(tempfile.mkdtemp(prefix="compare-"))
    workers: dict[tuple[str, str], Worker] = {}

    startup: dict[str, list[float]] = {}

    def startup_times(e: str) -> list[float]:
        """`echo hi | bpe count --encoding e`, whole process; measured once, used twice."""
        if e not in startup:
            startup[e] = run_timed(pin + [str(args.bpe), "count", "--encoding", e], startup_runs(runs), stdin=b"hi\n")
        return startup[e]

    def get_worker(name: str, encoding: str) -> Worker:
        key = (name, encoding)
        if key not in workers:
            workers[key] = Worker(name, encoding, str(cpu))
        return workers[key]

    try:
        load_s: dict[str, list[float]] = {e: [] for e in encodings}
        if "corpora" in sections:
            files = build_corpora(args.corpus_dir, work, args.quick)
            st, rows = corpora_section(files, encodings, peers, runs, pin, args, get_worker, load_s, work)
            status |= st
            results["corpora"] = rows
            if st and not args.keep_going:
                return finish(results, args, status, work, workers)
        if "pathological" in sections:
            st, rows = pathological_section(encodings, runs, pin, args, get_worker, path_mb, tiktoken_cap, work,
                                            "bpe-openai" in peers, startup_times)
            status |= st
            results["pathological"] = rows
        if "startup" in sections:
            results["startup"] = startup_section(encodings, runs, pin, args, load_s, startup_times)
        if "batch" in sections:
            if cpu2 is None:
                print("\n4. batch scaling: skipped, this process may use only one CPU")
            else:
                if "corpora" not in sections:
                    files = build_corpora(args.corpus_dir, work, args.quick)
                mixed = work / "mixed.txt"
                mixed.write_bytes(b"".join(p.read_bytes() for p in files.values()))
                st, results["batch"] = batch_section(encodings, runs, cpu, cpu2, mixed, args)
                status |= st
        summary(results, encodings)
    finally:
        for w in workers.values():
            w.stop()
    return finish(results, args, status, work, workers)


def finish(results, args, status, work, workers) -> int:
    for w in workers.values():
        w.stop()
    results["load_average_end"] = os.getloadavg()
    results["exact"] = status == 0
    print(f"\nload average now {os.getloadavg()[0]:.2f}" +
          ("" if status == 0 else "; TOKEN MISMATCH: see above (exit status 1)"))
    if args.json:
        tmp = args.json.with_name(args.json.name + ".tmp")
        tmp.write_text(json.dumps(results, indent=1) + "\n")
        os.replace(tmp, args.json)
        print(f"raw results: {args.json}")
    shutil.rmtree(work, ignore_errors=True)
    return status


def corpora_section(files, encodings, peers, runs, pin, args, get_worker, load_s, work):
    status = 0
    print("\n1. single thread, real text")
    print("   " + ", ".join(f"{n} {p.stat().st_size / MB:.1f} MB" for n, p in files.items()))
    # --- exactness first: every encoder, every file, token for token
    ids_dir = work / "ids"
    ids_dir.mkdir()
    checked = []
    for e in encodings:
        ref_worker = get_worker("tiktoken", e)
        for cname, path in files.items():
            ref = ids_dir / f"tiktoken-{e}-{cname}.u32"
            r = ref_worker.call(op="ids", file=str(path), out=str(ref))
            if "error" in r:
                raise SystemExit(f"error: tiktoken on {cname}: {r['error']}")
            ref_ids = array("I"); ref_ids.frombytes(ref.read_bytes())
            candidates = {}
            for p in peers:
                if p == "tiktoken":
                    continue
                out = ids_dir / f"{p}-{e}-{cname}.u32"
                r = get_worker(p, e).call(op="ids", file=str(path), out=str(out))
                candidates[p] = (r, out)
            for mode in ("lib", "fresh"):
                out = ids_dir / f"ours-{mode}-{e}-{cname}.u32"
                try:
                    r = bench_json(pin, args.bench, ["--ids", str(out)] + (["--fresh"] if mode == "fresh" else [])
                                   + [e, str(path)])
                except RuntimeError as ex:
                    r = {"error": str(ex)}
                candidates[f"ours ({mode})"] = (r, out)
            cli = subprocess.run(pin + [str(args.bpe), "encode", "--encoding", e, "--disallowed-special", "none",
                                        str(path)], capture_output=True)
            out = ids_dir / f"ours-cli-{e}-{cname}.u32"
            if cli.returncode == 0:
                out.write_bytes(read_ids_text(cli.stdout).tobytes())
                candidates["ours (CLI)"] = ({}, out)
            else:
                candidates["ours (CLI)"] = ({"error": cli.stderr.decode(errors="replace").strip()}, out)
            for who, (r, out) in candidates.items():
                if "error" in r:
                    print(f"   MISMATCH {who}, {e}, {cname}: it failed: {r['error']}")
                    status = 1
                    continue
                got = array("I"); got.frombytes(out.read_bytes())
                if got == ref_ids:
                    checked.append(who)
                    continue
                status = 1
                i = first_difference(ref_ids, got)
                x = ref_worker.call(op="explain", ref=str(ref), other=str(out), index=i)
                print(f"   MISMATCH {who}, {e}, {cname}: {len(got)} tokens vs tiktoken's {len(ref_ids)}; "
                      f"first difference at token {i}, byte {x.get('offset')}:\n"
                      f"     tiktoken {x.get('ref')} {x.get('ref_text')}\n"
                      f"     {who} {x.get('other')} {x.get('other_text')}")
                out.unlink()
            ref.unlink(missing_ok=True)
            for _, out in candidates.values():
                out.unlink(missing_ok=True)
    verdict = "every encoder gave tiktoken's ids, token for token" if status == 0 else "FAILED (above)"
    print(f"   exactness: {verdict} ({len(set(checked))} encoders x {len(files)} files x "
          f"{len(encodings)} encodings checked before timing)")
    if status and not args.keep_going:
        print("   timing skipped (use --keep-going to time anyway)")
        return status, {}

    # --- timing, in rounds: each round runs every encoder once on the file, one after the
    # other, and each ratio is the median of the rounds' ratios, so that a shared machine's
    # drift (its neighbours come and go over minutes) moves both sides of a ratio alike.
    rows: dict = {}
    for e in encodings:
        rows[e] = {}
        for cname, path in files.items():
            size = path.stat().st_size
            raw: dict[str, list[float]] = {}
            failed: set[str] = set()
            cli_cmd = pin + [str(args.bpe), "encode", "--encoding", e, "--disallowed-special", "none", str(path)]
            run_timed(cli_cmd, 0)                    # its warm-up run (page cache)
            for rnd in range(runs):
                for p in peers:
                    for m in CACHING.get(p, ("warm",)):
                        key = p if p not in CACHING else f"{p} ({m})"
                        if key in failed:
                            continue
                        # A warm peer encodes the file once, untimed, in the first round only:
                        # its worker keeps the same object (and cache) for the later rounds.
                        r = get_worker(p, e).call(op="time", file=str(path), runs=1, mode=m, warm_up=rnd == 0)
                        if "error" in r:
                            print(f"   {key}, {e}, {cname}: failed: {r['error']}")
                            failed.add(key)
                            raw.pop(key, None)
                            continue
                        raw.setdefault(key, []).append(r["times_s"][0])
                j = bench_json(pin, args.bench, ["--fresh", e, str(path), "1"])
                raw.setdefault("ours (fresh)", []).append(j["times_s"][0])
                j = bench_json(pin, args.bench, [e, str(path), "2"])
                raw.setdefault("ours (library)", []).append(j["times_s"][1])   # the first run warms the cache
                load_s[e].append(j["load_s"])
                raw.setdefault("ours (CLI)", []).extend(run_timed(cli_cmd, 1, warmup=0))
            rows[e][cname] = corpus_row(size, raw)
        print_corpus_table(e, rows[e], runs)
    return status, rows


def paired(num: list[float], den: list[float]) -> float:
    """The median of the rounds' ratios num[i] / den[i] (times of one round, taken in turn)."""
    return med([a / b for a, b in zip(num, den, strict=True)])


def corpus_row(size: int, raw: dict[str, list[float]]) -> dict:
    """One file's figures from each encoder's times, one per round: MB/s (the median time),
    and, paired round by round, x tiktoken (tiktoken's time over each one's), lib_vs (our
    library's time over each one's: above 1, that encoder was faster) and CLI / library."""
    lib = raw["ours (library)"]
    tik = raw.get("tiktoken")
    return {"bytes": size, "mb_per_s": {k: size / MB / med(ts) for k, ts in raw.items()}, "times_s": raw,
            "x_tiktoken": {k: paired(tik, ts) for k, ts in raw.items()} if tik else {},
            "lib_vs": {k: paired(lib, ts) for k, ts in raw.items()},
            "cli_vs_lib": paired(lib, raw["ours (CLI)"])}


def column_order(names):
    order = ["tiktoken", "bpe-openai", "quicktok", "splintr (fresh)", "splintr (cleared)", "splintr (warm)",
             "gigatoken (fresh)", "gigatoken (warm)", "ours (fresh)", "ours (library)", "ours (CLI)"]
    return [n for n in order if n in names] + [n for n in names if n not in order]


def print_corpus_table(e, rows, runs):
    corpora = list(rows)
    names = column_order(list(next(iter(rows.values()))["mb_per_s"]))
    print(f"\n   {e}: MB/s, median of {runs} rounds, and x tiktoken (the median of the rounds' ratios)")
    headers = ["encoder"] + [f"{c} {rows[c]['bytes'] / MB:.1f}MB" for c in corpora]
    body = []
    for n in names:
        cells = [n]
        for c in corpora:
            v = rows[c]["mb_per_s"].get(n)
            x = rows[c].get("x_tiktoken", {}).get(n)
            cells.append("-" if v is None else f"{v:6.1f} {x:5.2f}x" if x is not None else f"{v:6.1f}")
        body.append(cells)
    cli = ["CLI / library"]
    for c in corpora:
        r = rows[c]["mb_per_s"]
        cli.append(f"{rows[c]['cli_vs_lib']:.0%}" if "cli_vs_lib" in rows[c] else "-")
    body.append(cli)
    print(table(headers, body, indent="   "))
    print("   ours (CLI) is a whole process: its start-up and vocabulary load are in the figure (section 3),"
          " which weighs most on small files;\n   each round runs every encoder once, in turn; CLI / library is"
          " the median of the rounds' ratios")


def startup_runs(runs: int) -> int:
    return max(runs, 5) * 2 + 1


def pathological_section(encodings, runs, pin, args, get_worker, path_mb, cap_s, work, with_bpe_openai,
                         startup_times):
    status = 0
    n = int(path_mb * MB)
    pruns = min(runs, 3)
    print(f"\n2. pathological inputs, {n / MB:g} MB each: ms per MB (median of {pruns})")
    # Start-up of `bpe count`, to give the net figure too.
    startup = {e: med(startup_times(e)) for e in encodings}
    pdir = work / "pathological"
    pdir.mkdir()
    paths = {}
    for kind in PATHOLOGICAL:
        p = pdir / (kind.replace(" ", "-") + ".txt")
        p.write_bytes(make_pathological(kind, n))
        paths[kind] = p
    rows: dict = {}
    for e in encodings:
        rows[e] = {}
        for kind, p in paths.items():
            size = p.stat().st_size
            r: dict = {"bytes": size}
            times = []
            counts = {}
            for _ in range(pruns):
                t = time.perf_counter()
                out = subprocess.run(pin + [str(args.bpe), "count", "--encoding", e, str(p)], capture_output=True)
                times.append(time.perf_counter() - t)
                if out.returncode != 0:
                    raise RuntimeError(f"bpe count failed on {kind}: {out.stderr.decode(errors='replace').strip()}")
                counts["bpe count"] = int(out.stdout.split()[0])
            r["bpe_count_ms_per_mb"] = med(times) * 1000 / (size / MB)
            r["net_ms_per_mb"] = max(0.0, med(times) - startup[e]) * 1000 / (size / MB)
            j = bench_json(pin, args.bench, [e, str(p), str(pruns)])
            counts["bpe-bench"] = j["tokens"]
            r["library_ms_per_mb"] = j["median_s"] * 1000 / (size / MB)
            if with_bpe_openai:
                x = get_worker("bpe-openai", e).call(op="count", file=str(p), runs=pruns, timeout=600)
                if "error" in x:
                    print(f"   bpe-openai, {e}, {kind}: {x['error']}")
                else:
                    counts["bpe-openai"] = x["tokens"]
                    r["bpe_openai_ms_per_mb"] = med(x["times_s"]) * 1000 / (size / MB)
            x = get_worker("tiktoken", e).call(op="capped", file=str(p), start=4096, cap_s=cap_s,
                                               timeout=cap_s * 20 + 60)
            if "error" in x:
                print(f"   tiktoken, {e}, {kind}: {x['error']}")
            else:
                r["tiktoken_ms_per_mb"] = x["s"] * 1000 / (x["bytes"] / MB)
                r["tiktoken_bytes"] = x["bytes"]
                if "stopped" in x:
                    r["tiktoken_stopped"] = x["stopped"]
                    print(f"   tiktoken, {e}, {kind}: {x['stopped']}; its figure is for the size before")
                if x["bytes"] == size:
                    counts["tiktoken"] = x["tokens"]
            r["tokens"] = counts
            if len(set(counts.values())) > 1:
                print(f"   MISMATCH on {kind}, {e}: token counts {counts}")
                status = 1
            rows[e][kind] = r
    for e in encodings:
        print(f"\n   {e} (`bpe count` start-up {startup[e] * 1000:.0f} ms, subtracted in 'net')")
        headers = ["input", "bpe count", "net", "library", "bpe-openai", "tiktoken", "(tiktoken on)"]
        body = []
        for kind, r in rows[e].items():
            tb = r.get("tiktoken_bytes")
            body.append([kind, f"{r['bpe_count_ms_per_mb']:.1f}", f"{r['net_ms_per_mb']:.1f}",
                         f"{r['library_ms_per_mb']:.1f}",
                         f"{r['bpe_openai_ms_per_mb']:.1f}" if "bpe_openai_ms_per_mb" in r else "-",
                         f"{r['tiktoken_ms_per_mb']:.1f}" if "tiktoken_ms_per_mb" in r else "-",
                         "-" if tb is None else ("all" if tb == r["bytes"] else f"{tb / 1000:.0f} KB")])
        print(table(headers, body, indent="   "))
    print(f"   tiktoken is quadratic on long pieces: it runs on a prefix grown 4x at a time while the next "
          f"step stays under {cap_s:g} s; its figure is for the size shown.")
    return status, {"startup_s": startup, "rows": rows, "runs": pruns, "bytes": n}


def startup_section(encodings, runs, pin, args, load_s, startup_times):
    sruns = startup_runs(runs)
    print(f"\n3. start-up: whole process, median of {sruns}")
    floor = med(run_timed(pin + ["true"], sruns))
    res = {"runs": sruns, "spawn_floor_s": floor, "echo_hi_s": {}, "load_s": {}}
    body = []
    for e in encodings:
        ts = startup_times(e)
        res["echo_hi_s"][e] = ts
        if not load_s.get(e):
            j = bench_json(pin, args.bench, [e, str(ROOT / "README.md"), "1"])
            load_s[e] = [j["load_s"]]
        res["load_s"][e] = load_s[e]
        body.append([e, f"{med(ts) * 1000:.1f}", f"{min(ts) * 1000:.1f}", f"{med(load_s[e]) * 1000:.1f}"])
    print(table(["encoding", "echo hi | bpe count ms", "min ms", "library load ms (bpe-bench load_s)"], body,
                indent="   "))
    print(f"   (starting `taskset -c N true` takes {floor * 1000:.1f} ms here: included above, not subtracted)")
    return res


def batch_section(encodings, runs, cpu, cpu2, mixed, args):
    size = mixed.stat().st_size
    one, two = str(cpu), f"{cpu},{cpu2}"
    # Ours in rounds, a process on one core then one on two (each the median of its runs),
    # and the scaling is the median of the rounds' ratios: a shared machine's neighbours come
    # and go within seconds, and two medians taken a few seconds apart once gave 2.20x and
    # 1.44x for the same build.
    rounds = max(runs, 7)
    print(f"\n4. batch scaling: {size / MB:.1f} MB of all four corpora, documents cut after a newline once "
          f"{args.batch_doc_bytes} bytes; MB/s, median of {runs} (ours: {rounds} rounds of {runs} runs taking "
          f"turns, scaling the median of the rounds' ratios)")
    res = {"bytes": size, "doc_bytes": args.batch_doc_bytes, "rounds": rounds}
    status = 0
    body = []
    for e in encodings:
        r = {}
        times = {1: [], 2: []}
        for _ in range(rounds):
            for threads, cpus in ((1, one), (2, two)):
                j = bench_json(["taskset", "-c", cpus], args.bench,
                               ["--batch", str(threads), "--doc-bytes", str(args.batch_doc_bytes), e, str(mixed),
                                str(runs)])
                times[threads].append(j["median_s"])
                r[f"ours_{threads}_tokens"] = j["tokens"]
        for threads in (1, 2):
            r[f"ours_{threads}"] = size / MB / med(times[threads])
        r["ours_times_s"] = times
        r["ours_round_scaling"] = [a / b for a, b in zip(times[1], times[2])]
        for threads, cpus in ((1, one), (2, two)):
            w = Worker("tiktoken", e, cpus)
            x = w.call(op="batch", file=str(mixed), threads=threads, runs=runs, doc_bytes=args.batch_doc_bytes)
            w.stop()
            if "error" in x:
                raise RuntimeError(f"tiktoken batch: {x['error']}")
            r[f"tiktoken_{threads}"] = size / MB / med(x["times_s"])
            r[f"tiktoken_{threads}_tokens"] = x["tokens"]
        if len({r["ours_1_tokens"], r["ours_2_tokens"], r["tiktoken_1_tokens"], r["tiktoken_2_tokens"]}) > 1:
            print(f"   MISMATCH in the batch token totals for {e}: {r}")
            status = 1
        r["ours_scaling"] = med(r["ours_round_scaling"])
        r["tiktoken_scaling"] = r["tiktoken_2"] / r["tiktoken_1"]
        res[e] = r
        body.append([e, f"{r['ours_1']:.1f}", f"{r['ours_2']:.1f}", f"{r['ours_scaling']:.2f}x",
                     f"{r['tiktoken_1']:.1f}", f"{r['tiktoken_2']:.1f}", f"{r['tiktoken_scaling']:.2f}x"])
    print(table(["encoding", "ours 1 core", "ours 2 cores", "scaling", "tiktoken 1 thread", "2 threads", "scaling"],
                body, indent="   "))
    return status, res


def summary(results, encodings):
    parts = []

    def mark(ok):
        return "PASS" if ok else "FAIL"

    c = results.get("corpora")
    if c:
        worst = min(((r["x_tiktoken"]["ours (library)"], f"{n}/{e[:5]}")
                     for e in encodings for n, r in c[e].items()))
        parts.append(f"library >= 8x tiktoken: {mark(worst[0] >= TARGETS['lib_vs_tiktoken'])} "
                     f"(min {worst[0]:.2f}x, {worst[1]})")
        beaten = []
        for e in encodings:
            for n, r in c[e].items():
                # Round by round: the peer's speed over ours (library), our time over its.
                for k, v in r["lib_vs"].items():
                    if not k.startswith("ours") and v >= 1:
                        beaten.append((v, k, f"{n}/{e[:5]}"))
        # A peer that did not run (left out by --peers, or not installed) cannot be beaten:
        # without all of them the target is judged only when it already fails.
        not_run = [p for p in PEERS if p not in results.get("peers_run", PEERS)]
        if beaten:
            b = max(beaten)
            parts.append(f"ahead of every peer: FAIL ({len(beaten)} behind; worst {b[1]} {b[0]:.2f}x ours on {b[2]})")
        elif not_run:
            parts.append(f"ahead of every peer: NOT JUDGED (ahead of the {len(PEERS) - len(not_run)} that ran; "
                         f"not run: {', '.join(not_run)})")
        else:
            parts.append("ahead of every peer: PASS")
        if results.get("missing_peers"):
            parts[-1] += f" [not installed: {', '.join(results['missing_peers'])}]"
        worst = min(((r["cli_vs_lib"], f"{n}/{e[:5]}") for e in encodings for n, r in c[e].items()))
        parts.append(f"CLI >= 85% of library: {mark(worst[0] >= TARGETS['cli_vs_lib'])} "
                     f"(min {worst[0]:.0%}, {worst[1]})")
    p = results.get("pathological")
    if p:
        worst = max((r["net_ms_per_mb"], f"{k}/{e[:5]}") for e in encodings for k, r in p["rows"][e].items())
        lib = max((r["library_ms_per_mb"], f"{k}/{e[:5]}") for e in encodings for k, r in p["rows"][e].items())
        parts.append(f"pathological <= 10 ms/MB: {mark(worst[0] <= TARGETS['pathological_ms_per_mb'])} "
                     f"(`bpe count` net of start-up: max {worst[0]:.0f}, {worst[1]}; library max {lib[0]:.0f})")
    s = results.get("startup")
    if s:
        worst = max((med(ts), e) for e, ts in s["echo_hi_s"].items())
        parts.append(f"echo hi | bpe count <= 50 ms: {mark(worst[0] * 1000 <= TARGETS['startup_ms'])} "
                     f"(max {worst[0] * 1000:.0f} ms, {worst[1][:5]})")
    b = results.get("batch")
    if b:
        worst = min((b[e]["ours_scaling"], e) for e in encodings if e in b)
        parts.append(f"2-thread batch >= 1.8x: {mark(worst[0] >= TARGETS['batch_scaling'])} "
                     f"(min {worst[0]:.2f}x, {worst[1][:5]})")
    results["summary"] = parts
    print("\nTARGETS: " + " | ".join(parts))


if __name__ == "__main__":
    sys.exit(main())
