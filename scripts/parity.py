#!/usr/bin/env python3
"""Parity check: our `bpe` CLI versus tiktoken 0.14.0 (encode_ordinary).

Usage:
    python3 scripts/parity.py [--bpe PATH] [--corpus-dir DIR] [--quick]
                              [--encodings cl100k_base,o200k_base]
                              [--files shakespeare,man-ja,random]
                              [--require-corpora] [--max-details N]

What it checks, for each base encoding (r50k_base, p50k_base, cl100k_base,
o200k_base by default) and each corpus:

  corpora  every DIR/*.txt produced by scripts/fetch_corpora.sh (default DIR
           <repo>/.corpora), plus "random": a seeded random-Unicode document
           (runs of scalars from many blocks: whitespace of all kinds,
           combining marks, digits of many scripts, emoji sequences, CJK,
           rare planes, private use, controls; never surrogates).

  file     `bpe encode --encoding E --disallowed-special none FILE` must print
           exactly " ".join(encode_ordinary(text)) + "\\n". The CLI streams in
           --block-size blocks (default 4 KiB, via SWIFT_BPE_BLOCK_SIZE), so it cuts
           the text at every safe place it finds, and each cut is checked.
  jsonl    the corpus is also cut at random character positions into many
           documents (1..4000 chars; for "random" a separate set of short
           random strings) written one JSON string per line, and
           `bpe encode ... --jsonl FILE` must print one line per document.

On a mismatch it prints the encoding, corpus, mode, byte offset and the
surrounding text (repr), plus expected vs. actual token ids with each
token's bytes, for up to --max-details mismatch regions per run (the id
streams are re-synchronised at common byte boundaries to find further
regions).  Output that has the right ids but the wrong format (separators,
missing trailing newline) is reported as FORMAT.

--quick (for CI) uses ~300 KB per corpus (8 evenly spaced chunks cut at line
boundaries; --quick-kb to change) and a smaller random corpus.

Exit status: 0 all OK, 1 any mismatch/format error/CLI failure, 2 usage
error (e.g. CLI not found).  Needs only tiktoken==0.14.0 (loaded offline from
<repo>/vocab via scripts/oracle.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from oracle import BASE_ENCODINGS, get_encoding, repo_root  # noqa: E402
import randtext  # noqa: E402

RANDOM_SEED = 7_340_033


@dataclass
class Corpus:
    name: str
    text: str
    data: bytes
    path: Path | None = None  # temp file holding `data`


@dataclass
class Result:
    encoding: str
    corpus: str
    mode: str
    nbytes: int
    ntokens: int
    t_ours: float
    t_ref: float
    status: str  # OK / FAIL / FORMAT / ERROR
    details: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------
# corpora

def slice_evenly(data: bytes, limit: int, k: int = 8) -> bytes:
    """~limit bytes made of k evenly spaced chunks, cut at line starts."""
    if len(data) <= limit:
        return data

    def line_start(i: int) -> int:
        return data.rfind(b"\n", 0, i) + 1

    per = limit // k
    out = []
    for c in range(k):
        start = line_start((len(data) - per) * c // (k - 1))
        end = line_start(start + per)
        if end <= start:
            end = min(len(data), start + per)
            while end < len(data) and (data[end] & 0xC0) == 0x80:
                end += 1  # do not split a UTF-8 sequence
        out.append(data[start:end])
    return b"".join(out)


def load_corpora(args) -> list[Corpus]:
    corpora: list[Corpus] = []
    cdir = Path(args.corpus_dir)
    files = sorted(p for p in cdir.glob("*.txt") if not p.name.startswith(".")) if cdir.is_dir() else []
    if not files:
        msg = f"no corpus files in {cdir} (run scripts/fetch_corpora.sh)"
        if args.require_corpora:
            print(f"error: {msg}", file=sys.stderr)
            sys.exit(2)
        print(f"warning: {msg}; checking the random corpus only", file=sys.stderr)
    for p in files:
        data = p.read_bytes()
        if args.quick:
            data = slice_evenly(data, args.quick_kb * 1024)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            print(f"warning: skipping {p}: not valid UTF-8 ({e})", file=sys.stderr)
            continue
        corpora.append(Corpus(p.stem, text, data))
    rnd_bytes = (256 if args.quick else 2048) * 1024
    text = randtext.random_document(RANDOM_SEED, rnd_bytes)
    corpora.append(Corpus("random", text, text.encode("utf-8")))
    if args.files:
        wanted = set(args.files.split(","))
        unknown = wanted - {c.name for c in corpora}
        if unknown:
            print(f"error: unknown corpus name(s): {', '.join(sorted(unknown))}; "
                  f"have: {', '.join(c.name for c in corpora)}", file=sys.stderr)
            sys.exit(2)
        corpora = [c for c in corpora if c.name in wanted]
    return corpora


def jsonl_docs(corpus: Corpus, quick: bool) -> list[str]:
    """Split a corpus into documents for --jsonl mode."""
    rng = random.Random(f"{RANDOM_SEED}:{corpus.name}")
    if corpus.name == "random":
        n = 2000 if quick else 20000
        docs = randtext.random_texts(RANDOM_SEED + 1, n, max_chars=200)
        # Some pathological short ones too.
        docs += ["", " ", "\n", "'", "'s", "\u00a0", "\r\n", " \u0301", "1" * 7]
        return docs
    text = corpus.text
    docs, i = [], 0
    while i < len(text):
        n = rng.choice((1, 2, 5, 17, 80, 300, 1000, 4000))
        n = rng.randint(1, n)
        docs.append(text[i:i + n])
        i += n
    return docs


# ---------------------------------------------------------------------------
# running and comparing

BLOCK_SIZE = 4096  # set from --block-size in main()


def run_cli(bpe: str, enc_name: str, path: Path, jsonl: bool, timeout: float):
    cmd = [bpe, "encode", "--encoding", enc_name, "--disallowed-special", "none"]
    if jsonl:
        cmd.append("--jsonl")
    cmd.append(str(path))
    # Small streaming blocks: the text is cut at every safe place the reader finds, and each
    # cut is checked here against tiktoken on the whole text.
    env = dict(os.environ, SWIFT_BPE_BLOCK_SIZE=str(BLOCK_SIZE))
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout}s: {' '.join(cmd)}", time.perf_counter() - t0
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        err = p.stderr.decode("utf-8", "replace").strip()[-2000:]
        return None, f"exit status {p.returncode}: {' '.join(cmd)}\n{err}", dt
    return p.stdout.decode("utf-8", "replace"), None, dt


def parse_ids(line: str) -> list[int] | None:
    try:
        return [int(x) for x in line.split()]
    except ValueError:
        return None


def token_bytes(enc, tok: int) -> bytes | None:
    try:
        return enc.decode_single_token_bytes(tok)
    except Exception:  # noqa: BLE001  (invalid id from our CLI)
        return None


def _fmt_tokens(enc, ids: list[int]) -> str:
    parts = []
    for t in ids:
        b = token_bytes(enc, t)
        parts.append(f"{t}:{b!r}" if b is not None else f"{t}:<invalid id>")
    return " ".join(parts) if parts else "(none)"


def char_end(data: bytes, i: int) -> int:
    """Smallest index >= i that is not inside a UTF-8 sequence."""
    i = min(i, len(data))
    while i < len(data) and (data[i] & 0xC0) == 0x80:
        i += 1
    return i


def mismatch_regions(enc, expected: list[int], ours: list[int], limit: int):
    """Yield (i_exp, j_ours, i_end, j_end, byte_offset) for differing regions.

    Walks both id streams by byte offset; after a difference it advances
    whichever stream is behind until both reach a common token boundary.
    Stops early (after the first region) if our ids are not valid tokens.
    """
    i = j = 0
    off_e = off_o = 0
    found = 0
    while i < len(expected) or j < len(ours):
        if i < len(expected) and j < len(ours) and expected[i] == ours[j] and off_e == off_o:
            n = len(enc.decode_single_token_bytes(expected[i]))
            off_e += n
            off_o += n
            i += 1
            j += 1
            continue
        start_i, start_j, start_off = i, j, min(off_e, off_o)
        # advance to the next common boundary
        while True:
            if off_e == off_o and (i, j) != (start_i, start_j):
                break
            if off_e <= off_o and i < len(expected):
                off_e += len(enc.decode_single_token_bytes(expected[i]))
                i += 1
            elif j < len(ours):
                b = token_bytes(enc, ours[j])
                if b is None:
                    yield start_i, start_j, len(expected), len(ours), start_off
                    return
                off_o += len(b)
                j += 1
            elif i < len(expected):
                off_e += len(enc.decode_single_token_bytes(expected[i]))
                i += 1
            else:
                break
        yield start_i, start_j, i, j, start_off
        found += 1
        if found >= limit:
            return


def describe_mismatch(enc, data: bytes, expected, ours, where: str, limit: int) -> tuple[int, list[str]]:
    lines = []
    count = 0
    regions = list(mismatch_regions(enc, expected, ours, limit=10**9 if limit else 1))
    count = len(regions)
    for (i0, j0, i1, j1, off) in regions[:max(limit, 1)]:
        ctx0, ctx1 = max(0, off - 48), min(len(data), off + 64)
        while ctx0 > 0 and (data[ctx0] & 0xC0) == 0x80:
            ctx0 -= 1  # start the context on a character boundary
        ctx1 = char_end(data, ctx1)
        seg = data[ctx0:ctx1].decode("utf-8", "replace")
        lines.append(
            f"  {where} byte offset {off} (expected token #{i0}, ours #{j0}):\n"
            f"    text around : {seg!r}\n"
            f"    text here   : {data[off:char_end(data, off + 40)].decode('utf-8', 'replace')!r}\n"
            f"    expected ids: {expected[max(0, i0 - 2):min(i1, i0 + 12) + 2]}\n"
            f"    our ids     : {ours[max(0, j0 - 2):min(j1, j0 + 12) + 2]}\n"
            f"    expected tok: {_fmt_tokens(enc, expected[i0:min(i1, i0 + 12)])}\n"
            f"    our tok     : {_fmt_tokens(enc, ours[j0:min(j1, j0 + 12)])}"
        )
    return count, lines


def check_file(args, enc, enc_name: str, corpus: Corpus) -> Result:
    t0 = time.perf_counter()
    expected = enc.encode_ordinary(corpus.text)
    t_ref = time.perf_counter() - t0
    res = Result(enc_name, corpus.name, "file", len(corpus.data), len(expected), 0.0, t_ref, "OK")
    out, err, res.t_ours = run_cli(args.bpe, enc_name, corpus.path, False, args.timeout)
    if err:
        res.status, res.details = "ERROR", ["  " + err]
        return res
    want = " ".join(map(str, expected)) + "\n"
    if out == want:
        return res
    ours = parse_ids(out)
    if ours is None:
        res.status = "FORMAT"
        res.details = [f"  output is not decimal ids: {out[:200]!r}"]
        return res
    if ours == expected:
        res.status = "FORMAT"
        res.details = [f"  ids match but output format differs: head {out[:80]!r} tail {out[-40:]!r}"]
        return res
    res.status = "FAIL"
    n, det = describe_mismatch(enc, corpus.data, expected, ours, f"{enc_name} {corpus.name} [file]", args.max_details)
    res.details = [f"  {n} mismatching region(s); expected {len(expected)} ids, got {len(ours)}"] + det
    return res


def check_jsonl(args, enc, enc_name: str, corpus: Corpus, docs: list[str], tmpdir: Path) -> Result:
    path = tmpdir / f"{corpus.name}.jsonl"
    if not path.exists():
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            for d in docs:
                f.write(json.dumps(d, ensure_ascii=args.jsonl_ascii) + "\n")
    t0 = time.perf_counter()
    expected = [enc.encode_ordinary(d) for d in docs]
    t_ref = time.perf_counter() - t0
    nbytes = sum(len(d.encode("utf-8")) for d in docs)
    res = Result(enc_name, corpus.name, f"jsonl({len(docs)})", nbytes, sum(map(len, expected)), 0.0, t_ref, "OK")
    out, err, res.t_ours = run_cli(args.bpe, enc_name, path, True, args.timeout)
    if err:
        res.status, res.details = "ERROR", ["  " + err]
        return res
    lines = out.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    else:
        res.status = "FORMAT"
        res.details.append("  output does not end with a newline")
    if len(lines) != len(docs):
        res.status = "FAIL"
        res.details.append(f"  expected {len(docs)} output lines, got {len(lines)}")
    bad = 0
    for k, (doc, exp) in enumerate(zip(docs, expected)):
        line = lines[k] if k < len(lines) else ""
        want = " ".join(map(str, exp))
        if line == want:
            continue
        ours = parse_ids(line)
        if ours == exp:
            if res.status == "OK":
                res.status = "FORMAT"
            if bad < args.max_details:
                res.details.append(f"  doc #{k}: ids match but line format differs: {line[:80]!r}")
            bad += 1
            continue
        res.status = "FAIL"
        if bad < args.max_details:
            data = doc.encode("utf-8")
            if ours is None:
                res.details.append(f"  doc #{k}: output line is not decimal ids: {line[:200]!r}")
            else:
                _, det = describe_mismatch(enc, data, exp, ours, f"{enc_name} {corpus.name} [jsonl doc #{k}, {len(data)} bytes]", 1)
                res.details.append(f"  doc #{k} text: {doc[:300]!r}{'...' if len(doc) > 300 else ''}")
                res.details.extend(det)
        bad += 1
    if bad:
        res.details.insert(0, f"  {bad} of {len(docs)} documents differ")
    return res


# ---------------------------------------------------------------------------

def main() -> int:
    root = repo_root()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bpe", default=str(root / ".build" / "release" / "bpe"), help="path of our CLI")
    ap.add_argument("--corpus-dir", default=str(root / ".corpora"), help="output dir of fetch_corpora.sh")
    ap.add_argument("--encodings", default=",".join(BASE_ENCODINGS), help="comma-separated encodings")
    ap.add_argument("--files", default="", help="comma-separated corpus names (file stems, or 'random')")
    ap.add_argument("--quick", action="store_true", help="CI mode: ~--quick-kb per corpus")
    ap.add_argument("--quick-kb", type=int, default=300)
    ap.add_argument("--no-jsonl", action="store_true", help="skip the --jsonl mode runs")
    ap.add_argument("--jsonl-ascii", action="store_true", help="write JSONL with \\u escapes only")
    ap.add_argument("--require-corpora", action="store_true", help="fail if the corpus dir is empty")
    ap.add_argument("--max-details", type=int, default=5, help="mismatch regions shown per run")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per CLI invocation")
    ap.add_argument("--block-size", type=int, default=4096,
                    help="streaming block of the CLI (SWIFT_BPE_BLOCK_SIZE): small, so the text is cut "
                         "at many safe places and every cut is checked (default 4096; the CLI's own is 4 MiB)")
    args = ap.parse_args()
    global BLOCK_SIZE
    BLOCK_SIZE = args.block_size

    bpe = Path(args.bpe)
    if not (bpe.is_file() and os.access(bpe, os.X_OK)):
        print(f"error: CLI not found or not executable: {bpe} (build it, or pass --bpe)", file=sys.stderr)
        return 2
    encodings = [e for e in args.encodings.split(",") if e]
    try:
        encs = {e: get_encoding(e) for e in encodings}
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    corpora = load_corpora(args)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="parity-") as td:
        tmp = Path(td)
        for c in corpora:
            c.path = tmp / f"{c.name}.txt"
            c.path.write_bytes(c.data)
        docs_cache: dict[str, list[str]] = {}
        for enc_name in encodings:
            enc = encs[enc_name]
            for c in corpora:
                for r in [check_file(args, enc, enc_name, c)] + (
                    [] if args.no_jsonl else
                    [check_jsonl(args, enc, enc_name, c, docs_cache.setdefault(c.name, jsonl_docs(c, args.quick)), tmp)]
                ):
                    results.append(r)
                    print(f"{r.status:6s} {r.encoding:12s} {r.corpus:16s} {r.mode:13s} "
                          f"{r.nbytes:10d} B {r.ntokens:9d} tok  ours {r.t_ours:6.2f}s  tiktoken {r.t_ref:6.2f}s",
                          flush=True)
                    for d in r.details:
                        print(d, flush=True)

    # summary
    print()
    print(f"{'encoding':12s} {'corpus':16s} {'mode':13s} {'bytes':>10s} {'tokens':>9s} {'ours s':>7s} {'ref s':>7s}  status")
    print("-" * 88)
    for r in results:
        print(f"{r.encoding:12s} {r.corpus:16s} {r.mode:13s} {r.nbytes:10d} {r.ntokens:9d} "
              f"{r.t_ours:7.2f} {r.t_ref:7.2f}  {r.status}")
    failed = [r for r in results if r.status != "OK"]
    total_bytes = sum(r.nbytes for r in results)
    print("-" * 88)
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed "
          f"({total_bytes / 1e6:.1f} MB of text checked, summed over all runs and {len(encodings)} encoding(s))")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
