#!/usr/bin/env python3
r"""Side-by-side BPE *training* benchmark: ours vs rustbpe vs HF tokenizers, same corpus, same run.

Usage:
  swift build -c release --product bpe          # the CLI under test
  scripts/fetch_corpora.sh                      # the six corpora into .corpora/ (~47 MB)
  python Benchmarks/train_bench.py [--sizes 4096,32768] [--runs 1]
                                   [--tools ours,rustbpe,hf] [--corpus FILE ...]
                                   [--bpe PATH] [--keep DIR]

Corpus: the six files of .corpora (shakespeare, man-de, man-fr, man-ja, man-ru,
python-stdlib), each file one document for every tool:
  - ours:     bpe train FILE... -o OUT --vocab-size N -q      (pattern cl100k, the default)
  - rustbpe:  Tokenizer().train_from_iterator(docs, N, pattern=CL100K)
  - HF:       tokenizers.Tokenizer(models.BPE()) with pre_tokenizer
              Sequence([Split(Regex(CL100K'), "isolated"), ByteLevel(add_prefix_space=False,
              use_regex=False)]) and BpeTrainer(vocab_size=N, initial_alphabet=
              ByteLevel.alphabet(), show_progress=False, special_tokens=[]),
              trained with train_from_iterator(docs).  HF's vocab_size counts the
              alphabet, which initial_alphabet makes exactly the 256 byte symbols, so
              vocab_size=N gives N-256 merges like the others (checked after training).
              CL100K' is CL100K with `\p{N}{1,3}+` spelled `\p{N}{1,3}`: HF's regex
              engine (Oniguruma, Ruby syntax) reads `{1,3}+` as "(...{1,3}) one or
              more times", which would keep whole digit runs together (1234567 as one
              chunk instead of 123|456|7) and change the counts.
For the Python tools, docs are the files read as bytes and decoded as strict UTF-8
(CRLF kept), so all three see the same text.

Measurement: every training runs in its own fresh process (ours: the CLI itself;
peers: this script re-run with --worker), so peak RSS is per trainer.  Wall time
is the whole process (start, read, train, write) and peak RSS is the child's
ru_maxrss, both taken by the parent with os.wait4() - the same numbers
`/usr/bin/time -f '%e %M'` reports.  A Python worker's RSS includes the
interpreter and the documents held as Python str: the "python+docs" row measures
that floor (import + read, no training).  "train s" is the time inside
train_from_iterator (the peers' workers report it); for ours it is not
separated.  Threads: every tool at its default - ours --threads defaults to all
cores, rustbpe and HF use rayon's default pool (all cores unless
RAYON_NUM_THREADS / TOKENIZERS_PARALLELISM say otherwise); the settings are
printed.  Runs are interleaved (run 1 of every tool, then run 2, ...) and the
median is reported; the machine's load average is printed before and after.

Also reported: whether rustbpe's rank table equals ours (it must: see
scripts/train_parity.py), and for HF how many leading ranks agree with ours and
how many tokens both vocabularies share (HF numbers its byte symbols by the
ByteLevel character's code point, not by byte value, so equal-count ties can
resolve differently: it is not expected to be identical).

Needs PyPI rustbpe (0.1.0) and tokenizers for those rows; a missing one is
reported and its rows are skipped.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from train_common import (  # noqa: E402
    CL100K_PATTERN,
    CORPUS_NAMES,
    find_bpe,
    first_difference,
    ranks_list,
    read_doc,
    read_tiktoken,
    rustbpe_tokens,
    write_tiktoken,
)

TOOLS = ("ours", "rustbpe", "hf")

# HF's Split uses Oniguruma (Ruby syntax), where `X{1,3}+` is not possessive but
# means `(X{1,3})+` - any run of digits would become one chunk.  Plain `{1,3}`
# splits exactly like tiktoken's possessive `{1,3}+` here (nothing follows it in
# its alternative), so HF gets that spelling; the other possessives (`?+`, `++`,
# `*+`) mean the same in Oniguruma.
HF_PATTERN = CL100K_PATTERN.replace(r"\p{N}{1,3}+", r"\p{N}{1,3}")
assert HF_PATTERN != CL100K_PATTERN
PACKAGE = {"rustbpe": "rustbpe", "hf": "tokenizers"}
LABEL = {"ours": "ours (bpe train)", "rustbpe": "rustbpe", "hf": "HF tokenizers",
         "baseline": "python+docs (floor)"}


# ---------------------------------------------------------------------------
# worker side: one training per fresh process


def byte_level_decoder() -> dict[str, int]:
    """ByteLevel symbol -> byte.  Printable Latin-1 bytes stand for
    themselves; the other 68 bytes get U+0100, U+0101, ... in byte order."""
    keep = set(range(0x21, 0x7F)) | set(range(0xA1, 0xAD)) | set(range(0xAE, 0x100))
    out, extra = {}, 0
    for b in range(256):
        if b in keep:
            out[chr(b)] = b
        else:
            out[chr(0x100 + extra)] = b
            extra += 1
    return out


def worker(tool: str, vocab_size: int, out: Path, files: list[Path]) -> dict:
    t0 = time.perf_counter()
    docs = [read_doc(f) for f in files]
    t_read = time.perf_counter() - t0
    result = {"read_s": t_read}
    if tool == "baseline":  # the same imports as the real workers, no training
        importlib.import_module("rustbpe")
        importlib.import_module("tokenizers")
        return result
    if tool == "rustbpe":
        import rustbpe
        t0 = time.perf_counter()
        tok = rustbpe.Tokenizer()
        tok.train_from_iterator(docs, vocab_size, pattern=CL100K_PATTERN)
        result["train_s"] = time.perf_counter() - t0
        tokens = rustbpe_tokens(tok)
    elif tool == "hf":
        from tokenizers import Regex, Tokenizer, models, pre_tokenizers, trainers
        t0 = time.perf_counter()
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(HF_PATTERN), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ])
        trainer = trainers.BpeTrainer(
            vocab_size=vocab_size,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            show_progress=False,
            special_tokens=[],
        )
        tok.train_from_iterator(docs, trainer=trainer)
        result["train_s"] = time.perf_counter() - t0
        model = json.loads(tok.to_str())["model"]
        dec = byte_level_decoder()
        if set(dec) != set(pre_tokenizers.ByteLevel.alphabet()):
            raise SystemExit("ByteLevel.alphabet() is not the expected 256 symbols")
        alphabet = [s for s in model["vocab"] if len(s) == 1]
        result["hf_alphabet"] = len(alphabet)
        result["hf_vocab"] = len(model["vocab"])
        tokens = [bytes([b]) for b in range(256)]
        for m in model["merges"]:
            left, right = m.split(" ", 1) if isinstance(m, str) else m
            tokens.append(bytes(dec[c] for c in left + right))
    else:
        raise SystemExit(f"unknown worker tool {tool}")
    result["merges"] = len(tokens) - 256
    write_tiktoken(out, tokens)
    return result


# ---------------------------------------------------------------------------
# parent side


def measure(cmd: list[str], timeout: float) -> dict:
    """Run cmd in a fresh process; wall seconds, peak RSS (MB) and its stdout."""
    with tempfile.TemporaryFile() as so, tempfile.TemporaryFile() as se:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=so, stderr=se)
        deadline = t0 + timeout
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                p.kill()
                os.wait4(p.pid, 0)
                raise RuntimeError(f"timed out after {timeout:.0f}s: {' '.join(cmd)}")
            time.sleep(0.005)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        so.seek(0)
        se.seek(0)
        out, err = so.read().decode("utf-8", "replace"), se.read().decode("utf-8", "replace")
    if p.returncode != 0:
        raise RuntimeError(f"exit status {p.returncode}: {' '.join(cmd)}\n{err[-3000:]}")
    return {"wall": wall, "rss_mb": ru.ru_maxrss / 1024, "stdout": out}


def command(tool: str, bpe: Path, size: int, out: Path, files: list[Path]) -> list[str]:
    if tool == "ours":
        return [str(bpe), "train", *map(str, files), "-o", str(out), "--vocab-size", str(size), "-q"]
    return [sys.executable, str(Path(__file__).resolve()), "--worker", tool,
            "--vocab-size", str(size), "--out", str(out), *map(str, files)]


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def compare(tool: str, ours: list[bytes], theirs: list[bytes]) -> str:
    if tool == "rustbpe":
        r = first_difference(ours, theirs)
        if r is None:
            return "identical"
        a = repr(ours[r]) if r < len(ours) else "-"
        b = repr(theirs[r]) if r < len(theirs) else "-"
        return f"DIFFER at rank {r}: ours {a}, rustbpe {b}"
    r = first_difference(ours, theirs)
    same_prefix = len(ours) if r is None else r
    shared = len(set(ours[256:]) & set(theirs[256:]))
    return (f"first {same_prefix - 256} merges equal; "
            f"{shared}/{len(ours) - 256} merged tokens shared")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="See the top of this file for details.")
    ap.add_argument("--sizes", default="4096,32768", help="vocab sizes (default 4096,32768)")
    ap.add_argument("--runs", type=int, default=1, help="runs per tool and size; the median is shown")
    ap.add_argument("--tools", default=",".join(TOOLS), help="comma list of ours,rustbpe,hf")
    ap.add_argument("--corpus", type=Path, nargs="+", metavar="FILE",
                    help="training files, one document each (default: the six .corpora files)")
    ap.add_argument("--corpus-dir", type=Path, default=ROOT / ".corpora")
    ap.add_argument("--bpe", help="the bpe CLI (default <repo>/.build/release/bpe)")
    ap.add_argument("--keep", type=Path, metavar="DIR", help="keep the trained .tiktoken files here")
    ap.add_argument("--no-baseline", action="store_true", help="skip the python+docs floor row")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per training run")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--vocab-size", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("files", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker:
        print(json.dumps(worker(args.worker, args.vocab_size, args.out, args.files)))
        return 0
    if args.files:
        ap.error(f"unexpected arguments: {' '.join(map(str, args.files))} (use --corpus FILE ...)")

    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        ap.error("--sizes takes comma-separated integers")
    if not sizes or min(sizes) < 257:
        ap.error("vocab sizes must be at least 257")
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = [t for t in tools if t not in TOOLS]
    if unknown:
        ap.error(f"unknown tool(s) {', '.join(unknown)}; choose from {', '.join(TOOLS)}")
    if args.runs < 1:
        ap.error("--runs must be at least 1")

    files = args.corpus or [args.corpus_dir / n for n in CORPUS_NAMES]
    missing = [f for f in files if not f.is_file()]
    if missing:
        where = "" if args.corpus or args.corpus_dir == ROOT / ".corpora" else f" {args.corpus_dir}"
        print(f"error: corpus file(s) missing: {', '.join(map(str, missing))}\n"
              f"       fetch them with: {ROOT / 'scripts' / 'fetch_corpora.sh'}{where}", file=sys.stderr)
        return 2
    for f in files:  # fail early, not inside a timed worker
        try:
            f.read_bytes().decode("utf-8")
        except UnicodeDecodeError as e:
            print(f"error: {f} is not valid UTF-8 ({e})", file=sys.stderr)
            return 2
    bpe = find_bpe(args.bpe) if "ours" in tools else None
    for tool in list(tools):
        pkg = PACKAGE.get(tool)
        if pkg and importlib.util.find_spec(pkg) is None:
            print(f"warning: Python package '{pkg}' is missing, skipping {LABEL[tool]}; "
                  f"install it with: {sys.executable} -m pip install {pkg}", file=sys.stderr)
            tools.remove(tool)
    baseline = (not args.no_baseline and "rustbpe" in tools and "hf" in tools)
    if not tools:
        print("error: nothing to run", file=sys.stderr)
        return 2

    total = sum(f.stat().st_size for f in files)
    cpus = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cpus
    print(f"corpus:   {len(files)} files / documents, {total / 1e6:.1f} MB: "
          + ", ".join(f.name for f in files))
    print(f"sizes:    {', '.join(map(str, sizes))}; runs per tool: {args.runs} (median shown)")
    print(f"tools:    ours {bpe}; rustbpe {version('rustbpe')}; tokenizers {version('tokenizers')}; "
          f"python {sys.version.split()[0]}")
    print(f"threads:  defaults everywhere; {usable} usable cores of {cpus}: ours --threads "
          f"(default: all cores), rustbpe/HF rayon pool (RAYON_NUM_THREADS="
          f"{os.environ.get('RAYON_NUM_THREADS', 'unset')}, TOKENIZERS_PARALLELISM="
          f"{os.environ.get('TOKENIZERS_PARALLELISM', 'unset')})")
    print(f"load avg: {loadavg()} (1/5/15 min) before", flush=True)

    results: dict[tuple[str, int], list[dict]] = {}
    outputs: dict[tuple[str, int], Path] = {}
    with tempfile.TemporaryDirectory(prefix="train-bench-") as tmpdir:
        out_dir = args.keep or Path(tmpdir)
        out_dir.mkdir(parents=True, exist_ok=True)
        plan = [(t, s) for s in sizes for t in tools]
        if baseline:
            plan.append(("baseline", 0))
        for run in range(args.runs):
            for tool, size in plan:
                out = out_dir / f"{tool}-{size}.tiktoken"
                cmd = command(tool, bpe, size, out, files)
                t_label = f"{LABEL[tool]}" + (f" @ {size}" if size else "")
                print(f"  run {run + 1}/{args.runs}: {t_label} ...", end="", flush=True)
                try:
                    m = measure(cmd, args.timeout)
                except RuntimeError as e:
                    print(f" FAILED\n{e}", file=sys.stderr)
                    return 1
                m["load"] = loadavg()
                if tool != "ours":
                    m.update(json.loads(m.pop("stdout").strip().splitlines()[-1]))
                print(f" {m['wall']:.2f}s, {m['rss_mb']:.0f} MB (load {m['load']})", flush=True)
                results.setdefault((tool, size), []).append(m)
                if tool != "baseline":
                    outputs[(tool, size)] = out

        # Read the outputs before the temporary directory goes away.
        tables = {k: ranks_list(read_tiktoken(p)) for k, p in outputs.items()}
    print(f"load avg: {loadavg()} (1/5/15 min) after")

    def med(key: tuple[str, int], field: str) -> float | None:
        vals = [m[field] for m in results.get(key, []) if field in m]
        return statistics.median(vals) if vals else None

    print()
    head = (f"{'tool':<20} {'vocab':>6} {'wall s':>8} {'peak RSS MB':>11} {'time x ours':>11} "
            f"{'RSS x ours':>10} {'train s':>8}  ranks vs ours")
    print(head)
    print("-" * len(head))
    for size in sizes:
        ours_key = ("ours", size)
        for tool in tools:
            key = (tool, size)
            wall, rss, train = med(key, "wall"), med(key, "rss_mb"), med(key, "train_s")
            if "ours" in tools and tool != "ours":
                t_ratio = f"{wall / med(ours_key, 'wall'):.2f}"
                m_ratio = f"{rss / med(ours_key, 'rss_mb'):.2f}"
            else:
                t_ratio = m_ratio = "1.00" if tool == "ours" else "-"
            note = "-"
            if tool != "ours" and ours_key in tables:
                note = compare(tool, tables[ours_key], tables[key])
            elif tool == "ours":
                note = f"{len(tables[key]) - 256} merges"
            spread = ""
            if args.runs > 1:
                ws = [m["wall"] for m in results[key]]
                spread = f"  (wall min {min(ws):.2f} max {max(ws):.2f})"
            print(f"{LABEL[tool]:<20} {size:>6} {wall:>8.2f} {rss:>11.0f} {t_ratio:>11} {m_ratio:>10} "
                  f"{'-' if train is None else f'{train:.2f}':>8}  {note}{spread}")
            if tool == "hf":
                last = results[key][-1]
                if last.get("merges") != size - 256 or last.get("hf_alphabet") != 256:
                    print(f"{'':<20} warning: HF made {last.get('merges')} merges with an alphabet of "
                          f"{last.get('hf_alphabet')} (wanted {size - 256} and 256)")
    if baseline:
        key = ("baseline", 0)
        print(f"{LABEL['baseline']:<20} {'-':>6} {med(key, 'wall'):>8.2f} {med(key, 'rss_mb'):>11.0f} "
              f"{'-':>11} {'-':>10} {'-':>8}  python, rustbpe+tokenizers imported, docs read as str")
    print("\nwall s / peak RSS: whole process, median of runs; x ours: ratio to ours "
          "(> 1: ours is faster / smaller); train s: inside train_from_iterator")
    bad = [s for s in sizes if "ours" in tools and "rustbpe" in tools
           and first_difference(tables[("ours", s)], tables[("rustbpe", s)]) is not None]
    if bad:
        print(f"rustbpe's ranks differ from ours at vocab size(s) {', '.join(map(str, bad))}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
