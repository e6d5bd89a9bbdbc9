#!/usr/bin/env python3
"""Exhaustive Unicode sweep: our `bpe` CLI versus tiktoken 0.14.0.

Usage:
    python3 scripts/unicode_sweep.py [--bpe PATH] [--encodings cl100k_base,o200k_base]
                                     [--step N] [--range 0-10FFFF[,LO-HI...]]
                                     [--known FILE] [--report FILE.json]

Every Unicode scalar value c (0..0x10FFFF without the surrogates
D800..DFFF) is placed in these contexts, one document each:

    alone        "{c}"          after_digit   "1{c}"
    between      "a{c}b"        before_digit  "{c}1"
    after_space  " {c}"         ws_run        "  {c}  "
    after_apos   "'{c}"         nl_wrap       "\\n{c}\\n"
    x_apos       "x'{c}"        before_apos_s "{c}'s"

The documents are written as JSONL chunks (one JSON string per line), run
through `bpe encode --encoding E --disallowed-special none --jsonl CHUNK`
and compared line by line with tiktoken's encode_ordinary.  Code points that
disagree are reported grouped into ranges of equal general category and
equal set of failing contexts, with one example each.  If the CLI fails on a
chunk (non-zero exit or wrong number of lines) the chunk is bisected to find
the code points it fails on.

General categories come from Python's unicodedata (its Unicode version is
printed); tiktoken's regex engine may use a newer Unicode version, so
characters unassigned for Python ("Cn") can legitimately be letters there.

Known, documented differences are listed in Fixtures/unicode_sweep_known.txt
(absent/empty = none).  Format, one entry per line, '#' starts a comment:
    U+XXXX[..U+YYYY]  [encodings]   # why
where encodings is a comma-separated list or '*' (default: all).  Code
points in the allowlist are reported as "known" and do not fail the run.

--step N checks every N-th code point plus a fixed set of interesting ones
(ASCII, Latin-1, all whitespace, case-fold oddities, titlecase letters,
digits of other scripts, ...): use it in CI.  A full sweep of two encodings
is about 10 million documents.

Exit status: 0 no unexplained disagreement, 1 disagreements or CLI failures,
2 usage errors.  Needs only tiktoken==0.14.0 (offline, via scripts/oracle.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from oracle import get_encoding, repo_root  # noqa: E402

CONTEXTS: dict[str, str] = {
    "alone": "{c}",
    "between": "a{c}b",
    "after_space": " {c}",
    "after_apos": "'{c}",
    "x_apos": "x'{c}",
    "ws_run": "  {c}  ",
    "nl_wrap": "\n{c}\n",
    "after_digit": "1{c}",
    "before_digit": "{c}1",
    # "'s" is a single token: whether it survives shows whether c counts as a
    # letter/mark (contraction attaches) or as punctuation (swallows the "'").
    "before_apos_s": "{c}'s",
}

# Always checked, even with --step.
INTERESTING = sorted(
    set(range(0x00, 0x100))
    | {0x0130, 0x0131, 0x017F, 0x01C4, 0x01C5, 0x01C6, 0x01C7, 0x01C8, 0x01CA, 0x01CB,
       0x01F1, 0x01F2, 0x0345, 0x1E9E, 0x1F88, 0x1F8F, 0x1FBC, 0x1FBE, 0x1FCC, 0x1FFC,
       0x212A, 0x212B, 0x2126, 0x1680, 0x180E, 0x200B, 0x200C, 0x200D, 0x2028, 0x2029,
       0x202F, 0x205F, 0x2060, 0x3000, 0xFEFF, 0xFFFD, 0xFFFE, 0xFFFF, 0x10FFFF, 0xE000,
       0x02B0, 0x02BC, 0x3005, 0x3007, 0x309D, 0x30FC, 0x0660, 0x06F0, 0x0966, 0x0E50,
       0xFF10, 0x00B2, 0x2160, 0x216B, 0x2460, 0x1D7CE, 0x12400, 0x0301, 0x0483, 0x0488,
       0x20DD, 0x20E3, 0xFE0F, 0x1F3FB, 0x1F1E6, 0x1F600, 0xE0001, 0xE0067, 0xE0100,
       0x4E00, 0xAC00, 0x1100, 0x11A8, 0x0E33, 0x0EB3, 0x0F73, 0x1D165, 0x10400, 0x10428,
       0x1E900, 0x1E922, 0x16E40, 0x16E60, 0xA7C0, 0xA7C1, 0x10570, 0x10597, 0x1DF00}
    | set(range(0x2000, 0x2010))
)

SURROGATES = range(0xD800, 0xE000)


def parse_ranges(s: str) -> list[tuple[int, int]]:
    """'0-7F,1F1E0-1F1FF' -> [(0, 0x7F), (0x1F1E0, 0x1F1FF)] (hex, inclusive)."""
    out = []
    for part in s.split(","):
        lo, _, hi = part.strip().upper().replace("U+", "").partition("-")
        out.append((int(lo, 16), min(int(hi or lo, 16), 0x10FFFF)))
    return out


def load_known(path: Path, all_encs: list[str]) -> dict[str, set[int]]:
    known: dict[str, set[int]] = defaultdict(set)
    if not path.exists():
        return known
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        rng = fields[0].upper().replace("U+", "").replace("0X", "")
        lo, _, hi = rng.partition("..")
        try:
            lo_i, hi_i = int(lo, 16), int(hi or lo, 16)
        except ValueError:
            raise SystemExit(f"{path}:{n}: bad range {fields[0]!r}")
        encs = all_encs if len(fields) < 2 or fields[1] == "*" else fields[1].split(",")
        for e in encs:
            known[e].update(range(lo_i, hi_i + 1))
    return known


def category(cp: int) -> str:
    return unicodedata.category(chr(cp))


def name(cp: int) -> str:
    return unicodedata.name(chr(cp), "<unnamed>")


class Sweep:
    def __init__(self, args, encs: dict):
        self.args = args
        self.encs = encs
        self.ctx_names = list(args.contexts)
        self.fmts = [CONTEXTS[c] for c in self.ctx_names]
        # encoding -> cp -> {context: (expected_ids, our_line)}
        self.diffs: dict[str, dict[int, dict[str, tuple[list[int], str]]]] = defaultdict(dict)
        # encoding -> cp -> error message
        self.errors: dict[str, dict[int, str]] = defaultdict(dict)
        self.t_cli = 0.0
        self.t_ref = 0.0
        self.ndocs = 0

    def texts(self, cps: list[int]) -> list[str]:
        return [f.replace("{c}", chr(cp)) for cp in cps for f in self.fmts]

    def run_cli(self, enc_name: str, path: Path) -> subprocess.Popen:
        cmd = [self.args.bpe, "encode", "--encoding", enc_name, "--disallowed-special", "none", "--jsonl", str(path)]
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def check_chunk(self, cps: list[int], tmp: Path, encs: dict | None = None, depth: int = 0) -> None:
        """Check code points `cps` for `encs` (default: all); bisect on CLI failure."""
        encs = self.encs if encs is None else encs
        texts = self.texts(cps)
        path = tmp / f"chunk-{depth}.jsonl"  # deeper (bisection) levels use other files
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("".join(json.dumps(t, ensure_ascii=self.args.jsonl_ascii) + "\n" for t in texts))
        k = len(self.fmts)
        for enc_name, enc in encs.items():
            t0 = time.perf_counter()
            proc = self.run_cli(enc_name, path)
            # compute the reference while the CLI runs
            t1 = time.perf_counter()
            expected = [enc.encode_ordinary(t) for t in texts]
            want = [" ".join(map(str, ids)) for ids in expected]
            self.t_ref += time.perf_counter() - t1
            try:
                out, err = proc.communicate(timeout=self.args.timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
                err = b"timeout; " + err
            self.t_cli += time.perf_counter() - t0
            lines = out.decode("utf-8", "replace").split("\n")
            if not (proc.returncode == 0 and lines[-1] == "" and len(lines) - 1 == len(texts)):
                if len(cps) > 1:
                    mid = len(cps) // 2
                    self.check_chunk(cps[:mid], tmp, {enc_name: enc}, depth + 1)
                    self.check_chunk(cps[mid:], tmp, {enc_name: enc}, depth + 1)
                else:
                    self.errors[enc_name][cps[0]] = (
                        f"exit {proc.returncode}, {len(lines) - 1} lines for {len(texts)} docs: "
                        f"{err.decode('utf-8', 'replace').strip()[-300:]}")
                continue
            self.ndocs += len(texts)
            lines.pop()
            if lines == want:
                continue
            for i, (got, exp) in enumerate(zip(lines, want)):
                if got != exp:
                    cp = cps[i // k]
                    self.diffs[enc_name].setdefault(cp, {})[self.ctx_names[i % k]] = (expected[i], got)


def group_ranges(cps_info: dict[int, object], key) -> list[tuple[int, int, object]]:
    """Group sorted code points into consecutive runs with equal key."""
    out: list[tuple[int, int, object]] = []
    for cp in sorted(cps_info):
        kv = key(cp)
        if out and out[-1][1] + 1 == cp and out[-1][2] == kv:
            out[-1] = (out[-1][0], cp, kv)
        elif out and out[-1][2] == kv and all(
            (c in SURROGATES) for c in range(out[-1][1] + 1, cp)
        ):
            out[-1] = (out[-1][0], cp, kv)  # bridge the surrogate gap
        else:
            out.append((cp, cp, kv))
    return out


def main() -> int:
    root = repo_root()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bpe", default=str(root / ".build" / "release" / "bpe"), help="path of our CLI")
    ap.add_argument("--encodings", default="cl100k_base,o200k_base", help="comma-separated (add r50k_base etc.)")
    ap.add_argument("--step", type=int, default=1, help="check every N-th code point (+ interesting ones)")
    ap.add_argument("--range", default="0-10FFFF", help="hex code point ranges LO-HI[,LO-HI...]")
    ap.add_argument("--contexts", default=",".join(CONTEXTS), help=f"subset of: {', '.join(CONTEXTS)}")
    ap.add_argument("--chunk", type=int, default=32768, help="code points per CLI invocation")
    ap.add_argument("--known", default=str(root / "Fixtures" / "unicode_sweep_known.txt"), help="allowlist file")
    ap.add_argument("--report", default="", help="write all disagreements as JSON to this file")
    ap.add_argument("--jsonl-ascii", action="store_true", help="write JSONL with \\u escapes only")
    ap.add_argument("--max-examples", type=int, default=200, help="ranges printed per encoding")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per CLI invocation")
    args = ap.parse_args()

    args.contexts = [c for c in args.contexts.split(",") if c]
    bad = [c for c in args.contexts if c not in CONTEXTS]
    if bad or not args.contexts:
        print(f"error: unknown context(s) {bad}; known: {', '.join(CONTEXTS)}", file=sys.stderr)
        return 2
    if not (os.path.isfile(args.bpe) and os.access(args.bpe, os.X_OK)):
        print(f"error: CLI not found or not executable: {args.bpe} (build it, or pass --bpe)", file=sys.stderr)
        return 2
    enc_names = [e for e in args.encodings.split(",") if e]
    try:
        encs = {e: get_encoding(e) for e in enc_names}
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        ranges = parse_ranges(args.range)
    except ValueError:
        print(f"error: bad --range {args.range!r} (want hex LO-HI[,LO-HI...])", file=sys.stderr)
        return 2
    step = max(1, args.step)
    cps = sorted({c for lo, hi in ranges for c in range(lo, hi + 1)
                  if c not in SURROGATES and ((c - lo) % step == 0 or (step > 1 and c in INTERESTING_SET))})
    known = load_known(Path(args.known), enc_names)

    print(f"unicode_sweep: {len(cps)} code points x {len(args.contexts)} contexts, "
          f"encodings {', '.join(enc_names)}; Python unicodedata {unicodedata.unidata_version}", flush=True)
    sweep = Sweep(args, encs)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="usweep-") as td:
        for i in range(0, len(cps), args.chunk):
            sweep.check_chunk(cps[i:i + args.chunk], Path(td))
            done = min(i + args.chunk, len(cps))
            print(f"  {done:8d}/{len(cps)} code points (up to U+{cps[done - 1]:04X}), "
                  f"{sum(len(d) for d in sweep.diffs.values())} disagreeing, "
                  f"{time.perf_counter() - t0:6.1f}s", flush=True)

    failed = False
    report: dict[str, object] = {"python_unicodedata": unicodedata.unidata_version, "encodings": {}}
    for enc_name in enc_names:
        diffs, errors = sweep.diffs.get(enc_name, {}), sweep.errors.get(enc_name, {})
        unexplained = {cp for cp in diffs if cp not in known.get(enc_name, set())}
        unexplained |= {cp for cp in errors if cp not in known.get(enc_name, set())}
        n_known = len((set(diffs) | set(errors)) - unexplained)
        status = "OK" if not unexplained else "FAIL"
        failed |= bool(unexplained)
        print(f"\n== {enc_name}: {status} - {len(diffs)} code point(s) disagree, "
              f"{len(errors)} CLI failure(s), {n_known} known/allowlisted")
        enc_report = []

        def key(cp: int):
            kind = "known" if cp in known.get(enc_name, set()) else "NEW"
            if cp in errors:
                return (kind, category(cp), ("CLI-ERROR",))
            return (kind, category(cp), tuple(sorted(diffs[cp])))

        ranges = group_ranges({**diffs, **errors}, key)
        for n, (a, b, (kind, cat, ctxs)) in enumerate(ranges):
            rng = f"U+{a:04X}" + (f"..U+{b:04X}" if b != a else "")
            count = sum(1 for c in range(a, b + 1) if c in diffs or c in errors)
            entry = {"from": a, "to": b, "count": count, "category": cat, "contexts": list(ctxs),
                     "known": kind == "known", "name": name(a)}
            if a in errors:
                entry["error"] = errors[a]
            else:
                ctx = ctxs[0]
                exp, got = diffs[a][ctx]
                try:
                    ours = [int(x) for x in got.split()]
                except ValueError:
                    ours = got
                entry["example"] = {"context": ctx, "text": CONTEXTS[ctx].replace("{c}", chr(a)),
                                    "expected": exp, "ours": ours}
            enc_report.append(entry)
            if n < args.max_examples:
                print(f"  [{kind:5s}] {rng:20s} n={count:<6d} {cat}  {name(a)}")
                print(f"          contexts: {', '.join(ctxs)}")
                if "error" in entry:
                    print(f"          error: {entry['error']}")
                else:
                    ex = entry["example"]
                    print(f"          e.g. {ex['context']} {ex['text']!r}: expected {ex['expected']} ours {ex['ours']}")
        if len(ranges) > args.max_examples:
            print(f"  ... {len(ranges) - args.max_examples} more range(s) (use --report)")
        report["encodings"][enc_name] = enc_report

    if args.report:
        Path(args.report).write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nreport written to {args.report}")
    print(f"\n{sweep.ndocs} documents checked in {time.perf_counter() - t0:.1f}s "
          f"(CLI {sweep.t_cli:.1f}s incl. overlap, tiktoken {sweep.t_ref:.1f}s)")
    n_failed = sum(1 for e in enc_names if any(not r["known"] for r in report["encodings"][e]))
    print(f"{len(enc_names) - n_failed} passed, {n_failed} failed")
    return 1 if failed else 0


INTERESTING_SET = frozenset(INTERESTING)

if __name__ == "__main__":
    sys.exit(main())
