#!/usr/bin/env python3
"""Trainer parity: `bpe train` versus rustbpe 0.1.0 and tiktoken 0.14.0.

Usage:
    python3 scripts/train_parity.py [--quick] [--bpe PATH] [--corpus-dir DIR]
                                    [--files FILE ...] [--sizes 1024,4096]
                                    [--pattern cl100k] [--docs N]
                                    [--quick-kb KB] [--heldout-kb KB] [--keep DIR]

    scripts/fetch_corpora.sh                 # real text into <repo>/.corpora
    swift build -c release --product bpe     # the CLI under test
    python3 scripts/train_parity.py          # full: whole shakespeare.txt
    python3 scripts/train_parity.py --quick  # CI: ~1.5 MB of it (or the
                                             # --slice copy CI fetched)

What it checks (each line of the summary table is one check):

  tie/rustbpe, tie/ours
      rustbpe's README example: the single document "aaabdaaabac" at vocab
      size 259 must give exactly the merges aa, ab, aaab (ranks 256..258).
      "aa" (count 4, overlapping occurrences counted) and then "ab" vs "aaab"
      style ties are resolved towards the smaller pair (left id, then right id).
      Ours runs through the CLI on a temporary file holding that text.

  rustbpe@N (for each N in --sizes, default 1024,4096)
      Train ours (`bpe train DOCS -o OUT --vocab-size N --pattern P`) and
      rustbpe (`Tokenizer().train_from_iterator(docs, N, pattern=...)`, with
      the pattern text from our sidecar) on the same documents and require
      identical rank tables: every rank 0..N-1 must hold the same bytes.  On
      a mismatch it prints the first differing rank with both tokens' bytes,
      where each side's token sits in the other table, rustbpe's possible
      (left, right) splits, and our `bpe train -v` merge log (ids and pair
      counts) around that rank.
      Documents: each training file is one document (files are read as bytes
      and decoded as strict UTF-8 - no universal newlines, CRLF kept - so both
      sides see identical text).  Default file: DIR/shakespeare.txt.  --docs N
      cuts every file into N documents at line starts instead; --quick uses 8
      evenly spaced pieces (~--quick-kb in total) as 8 documents.

  sidecar@N
      The sidecar reports N-256 merges, vocab size N and <|endoftext|> = N.

  tiktoken@N/<text>
      Ours is trained with --special '<|endoftext|>' and loaded into
      `tiktoken.Encoding(name, pat_str=sidecar["pattern"],
      mergeable_ranks=<our .tiktoken>, special_tokens=sidecar["special_tokens"])`.
      On held-out text - never used for training: slices of the other
      corpora (man-fr, man-de, man-ja, man-ru, python-stdlib; those in the
      training set are skipped), seeded random Unicode (scripts/randtext.py),
      text full of <|endoftext|> and near misses of it, and a set of short edge
      cases (via --jsonl) - it requires
        `bpe encode --vocab OUT --allowed-special all`   == encode(text, allowed_special="all")
        `bpe encode --vocab OUT --disallowed-special none` == encode_ordinary(text)
      and that tiktoken decodes both id lists back to the exact text bytes.
  tiktoken@N/disallowed
      With the defaults, text containing <|endoftext|> is an error for both.

Where ours and rustbpe differ by design (neither shows on these corpora):
  * Counter width.  rustbpe keeps chunk counts and pair counts in i32
    (`AHashMap<CompactString, i32>`, `AHashMap<Pair, i32>`); a chunk or pair
    seen more than 2^31-1 times wraps around in a release build, and the
    pair's count turns negative, so it is skipped (its `<= 0` check) and the
    vocabularies diverge.  Ours counts in 64 bits.  That needs corpora of
    many GB (the most frequent pair here is counted in the 10^5..10^6 range),
    so it never happens in this check.
  * Input.  rustbpe takes Python str documents; ours reads UTF-8 files (one
    document per file, or --doc-separator) and stops on invalid UTF-8 unless
    --lossy is given.  This script feeds rustbpe exactly the decoded file text.
  * Regex engine: rustbpe uses fancy-regex, ours PCRE2 with the same
    tiktoken-syntax pattern; the rank check above is what shows the splits
    agree on this text.

Exit status: 0 all checks passed, 1 any check failed, 2 setup problem
(CLI not built, corpus missing, Python package missing).  Needs the PyPI
packages tiktoken (0.14.0) and rustbpe (0.1.0); it says so if one is missing.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import randtext  # noqa: E402
from train_common import (  # noqa: E402
    CL100K_PATTERN,
    find_bpe,
    first_difference,
    line_chunks,
    missing_corpus,
    ranks_list,
    read_sidecar,
    read_tiktoken,
    repo_root,
    require,
    run_train,
    rustbpe_tokens,
    write_tiktoken,
)

SPECIAL = "<|endoftext|>"
TIE_TEXT = "aaabdaaabac"
TIE_EXPECTED = [b"aa", b"ab", b"aaab"]
HELDOUT = ("man-fr.txt", "man-de.txt", "man-ja.txt", "man-ru.txt", "python-stdlib.txt")
RANDOM_SEED = 20_250_101


@dataclass
class Check:
    name: str
    ok: bool
    seconds: float
    info: str = ""
    details: list[str] = field(default_factory=list)


def show(b: bytes) -> str:
    """A token's bytes, readable: repr of the text if UTF-8, else of the bytes."""
    try:
        return repr(b.decode("utf-8"))
    except UnicodeDecodeError:
        return repr(b)


# ---------------------------------------------------------------------------
# training documents


def training_docs(args, tmp: Path) -> tuple[list[Path], list[str], str]:
    """The training documents as files (for the CLI) and as strings (for
    rustbpe), plus a description."""
    files = [Path(f) for f in args.files] if args.files else [Path(args.corpus_dir) / "shakespeare.txt"]
    for f in files:
        if not f.is_file():
            missing_corpus(f)
    ndocs = args.docs if args.docs is not None else (8 if args.quick else 1)
    paths: list[Path] = []
    texts: list[str] = []
    total = 0
    for f in files:
        data = f.read_bytes()
        if args.quick:
            pieces = line_chunks(data, args.quick_kb * 1024 // len(files), ndocs)
        elif ndocs > 1:
            pieces = line_chunks(data, len(data), ndocs)
        else:
            pieces = [data]
        if len(pieces) == 1 and pieces[0] is data:
            paths.append(f)
        else:
            for i, piece in enumerate(pieces):
                p = tmp / f"train-{f.stem}-{i:03d}.txt"
                p.write_bytes(piece)
                paths.append(p)
        for piece in pieces:
            try:
                texts.append(piece.decode("utf-8", errors="strict"))
            except UnicodeDecodeError as e:
                print(f"error: {f} is not valid UTF-8 ({e})", file=sys.stderr)
                sys.exit(2)
            total += len(piece)
    desc = (f"{', '.join(f.name for f in files)}: {len(texts)} document(s), "
            f"{total / 1e6:.2f} MB{' (quick slice)' if args.quick else ''}")
    return paths, texts, desc


# ---------------------------------------------------------------------------
# a. rank parity with rustbpe


def merge_log(bpe: Path, inputs: list[Path], vocab: int, pattern: str, tmp: Path) -> dict[int, str]:
    """Our `-v` merge log as {new id: line}."""
    out = tmp / "verbose.tiktoken"
    cmd = [str(bpe), "train", *map(str, inputs), "-o", str(out), "--vocab-size", str(vocab),
           "--pattern", pattern, "-v"]
    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    log = {}
    for line in (p.stdout + p.stderr).splitlines():
        m = re.match(r"\s*merge \d+/\d+: (\d+) \+ (\d+) -> (\d+) \(count (\d+)\)", line)
        if m:
            log[int(m.group(3))] = line.strip()
    return log


def explain_mismatch(ours: list[bytes], theirs: list[bytes], r: int,
                     log: dict[int, str] | None) -> list[str]:
    lines = []
    if r >= len(ours) or r >= len(theirs):
        lines.append(f"length differs: ours has {len(ours)} ranks, rustbpe {len(theirs)}; "
                     f"the first {r} agree")
        extra, who = (ours, "ours") if len(ours) > len(theirs) else (theirs, "rustbpe")
        lines.append(f"  {who} continues with rank {r}: {show(extra[r])}")
    else:
        a, b = ours[r], theirs[r]
        lines.append(f"first differing rank {r} (ranks 0..{r - 1} agree):")
        lines.append(f"  ours    rank {r}: {show(a)}  ({len(a)} bytes)")
        lines.append(f"  rustbpe rank {r}: {show(b)}  ({len(b)} bytes)")
        o_index = {t: i for i, t in enumerate(ours)}
        t_index = {t: i for i, t in enumerate(theirs)}
        lines.append(f"  ours' token in rustbpe's table: "
                     f"{'rank ' + str(t_index[a]) if a in t_index else 'absent'}; "
                     f"rustbpe's token in ours: {'rank ' + str(o_index[b]) if b in o_index else 'absent'}")
        splits = [(t_index[b[:k]], t_index[b[k:]]) for k in range(1, len(b))
                  if t_index.get(b[:k], r) < r and t_index.get(b[k:], r) < r]
        if splits:
            lines.append("  rustbpe's merge at that rank is one of (left id, right id): "
                         + ", ".join(f"({x}, {y})" for x, y in splits))
    if log:
        lines.append("  our merge log around it (a re-run with bpe train -v):")
        for i in range(max(256, r - 3), r + 3):
            if i in log:
                lines.append("    " + log[i] + ("   <--" if i == r else ""))
    return lines


def check_rustbpe(args, bpe: Path, rustbpe, paths: list[Path], texts: list[str],
                  size: int, tmp: Path) -> tuple[list[Check], list[bytes] | None]:
    checks = []
    out = tmp / f"ours-{size}.tiktoken"
    t0 = time.perf_counter()
    run_train(bpe, paths, out, size, ["--pattern", args.pattern, "--special", SPECIAL])
    t_ours = time.perf_counter() - t0
    sidecar = read_sidecar(out)
    ours = ranks_list(read_tiktoken(out))

    t0 = time.perf_counter()
    tok = rustbpe.Tokenizer()
    tok.train_from_iterator(texts, size, pattern=sidecar["pattern"])
    theirs = rustbpe_tokens(tok)
    t_theirs = time.perf_counter() - t0

    r = first_difference(ours, theirs)
    info = f"{len(ours)} ranks; ours {t_ours:.2f}s, rustbpe {t_theirs:.2f}s"
    details = []
    if r is not None:
        log = merge_log(bpe, paths, size, args.pattern, tmp)
        details = explain_mismatch(ours, theirs, r, log)
        info = f"DIFFER at rank {r} of {min(len(ours), len(theirs))}"
    if args.keep:
        write_tiktoken(Path(args.keep) / f"rustbpe-{size}.tiktoken", theirs)
        for suffix in ("", ".json"):
            Path(args.keep, f"ours-{size}.tiktoken{suffix}").write_bytes(
                Path(str(out) + suffix).read_bytes())
    checks.append(Check(f"rustbpe@{size}", r is None, t_ours + t_theirs, info, details))

    # The sidecar must describe the file.
    t0 = time.perf_counter()
    problems = []
    merges = len(ours) - 256
    if sidecar.get("merges") != merges:
        problems.append(f"sidecar merges {sidecar.get('merges')} != {merges} in the file")
    if len(ours) != size:
        problems.append(f"{len(ours)} ranks in the file, asked for {size} (corpus too small?)")
    if sidecar.get("vocab_size") != len(ours):
        problems.append(f"sidecar vocab_size {sidecar.get('vocab_size')} != {len(ours)}")
    if sidecar.get("special_tokens") != {SPECIAL: len(ours)}:
        problems.append(f"sidecar special_tokens {sidecar.get('special_tokens')} != {{{SPECIAL!r}: {len(ours)}}}")
    if args.pattern == "cl100k" and sidecar.get("pattern") != CL100K_PATTERN:
        problems.append(f"sidecar pattern {sidecar.get('pattern')!r} is not cl100k's")
    checks.append(Check(f"sidecar@{size}", not problems, time.perf_counter() - t0,
                        f"{merges} merges, pattern {sidecar.get('pattern_name')}", problems))
    return checks, ours


# ---------------------------------------------------------------------------
# b. the tie example


def check_tie(bpe: Path, rustbpe, tmp: Path) -> list[Check]:
    checks = []
    t0 = time.perf_counter()
    tok = rustbpe.Tokenizer()
    tok.train_from_iterator([TIE_TEXT], 259, pattern=CL100K_PATTERN)
    got = rustbpe_tokens(tok)[256:]
    checks.append(Check("tie/rustbpe", got == TIE_EXPECTED, time.perf_counter() - t0,
                        "merges " + ", ".join(show(t) for t in got),
                        [] if got == TIE_EXPECTED else
                        [f"expected {', '.join(show(t) for t in TIE_EXPECTED)}"]))

    t0 = time.perf_counter()
    src = tmp / "tie.txt"
    src.write_bytes(TIE_TEXT.encode())
    out = tmp / "tie.tiktoken"
    try:
        run_train(bpe, [src], out, 259)
        got = ranks_list(read_tiktoken(out))
        base_ok = got[:256] == [bytes([i]) for i in range(256)]
        got = got[256:]
        ok = got == TIE_EXPECTED and base_ok
        details = [] if ok else [f"expected {', '.join(show(t) for t in TIE_EXPECTED)}"
                                 + ("" if base_ok else "; ranks 0..255 are not the single bytes")]
        info = "merges " + ", ".join(show(t) for t in got)
    except (RuntimeError, ValueError) as e:
        ok, info, details = False, "CLI failed", str(e).splitlines()
    checks.append(Check("tie/ours", ok, time.perf_counter() - t0, info, details))
    return checks


# ---------------------------------------------------------------------------
# c. tiktoken loads our output


def heldout_texts(args, train_paths: set[Path]) -> tuple[dict[str, str], list[str]]:
    """Held-out documents (name -> text) and notes about skipped ones."""
    texts: dict[str, str] = {}
    notes = []
    limit = (args.heldout_kb if args.heldout_kb else (64 if args.quick else 1024)) * 1024
    for name in HELDOUT:
        p = (Path(args.corpus_dir) / name).resolve()
        if p in train_paths:
            notes.append(f"{name}: used for training, not held out")
            continue
        if not p.is_file():
            notes.append(f"{name}: missing (run scripts/fetch_corpora.sh)")
            continue
        data = b"".join(line_chunks(p.read_bytes(), limit, 8))
        texts[Path(name).stem] = data.decode("utf-8")

    texts["random"] = randtext.random_document(RANDOM_SEED, (64 if args.quick else 512) * 1024)

    rng = random.Random(RANDOM_SEED)
    pieces = ["ROMEO. But soft, what light", "Le système de fichiers",
              "def f(x):\r\n    return x", "日本語のテキスト", "  ", "\n", "\r\n", "x",
              "ünïcödé", "😀👍🏽", "123456", "'s", " 's", "<|endoftext", "endoftext|>",
              "<|", "|>", "<<|endoftext|>", "<|endoftext|>>", "<|ENDOFTEXT|>", "<| endoftext|>"]
    parts = [SPECIAL]
    for _ in range(3000):
        parts.append(rng.choice(pieces) if rng.random() < 0.7 else SPECIAL)
        if rng.random() < 0.2:
            parts.append(randtext.random_text(rng, 40))
    parts.append(SPECIAL)
    texts["special"] = "".join(parts)
    return texts, notes


EDGE_CASES = [
    "", " ", "  ", "\n", "\r\n", "\r", "\n\n\n", " \n ", "\t", "a", "'", "'s", "'S", "'ll",
    "don't", "DON'T", "\u00a0", "\u3000", " \u0301", "1", "12345678", "١٢٣", "😀", "👨‍👩‍👧",
    SPECIAL, SPECIAL + SPECIAL, "a" + SPECIAL + "b", " " + SPECIAL + " ", SPECIAL[:-1],
    "<|endoftext|", "x" * 5000, " " * 300 + "x", "\ufeffhello", "\U0010fffd",
    "Hello world", "hello world\r\n", "To be, or not to be: that is the question.",
]


def check_tiktoken(args, bpe: Path, tiktoken, size: int, ranks_out: Path,
                   heldout: dict[str, str], tmp: Path) -> list[Check]:
    checks = []
    sidecar = read_sidecar(ranks_out)
    t0 = time.perf_counter()
    try:
        enc = tiktoken.Encoding(
            name=f"swift-bpe-{size}",
            pat_str=sidecar["pattern"],
            mergeable_ranks=read_tiktoken(ranks_out),
            special_tokens=sidecar["special_tokens"],
        )
    except Exception as e:  # noqa: BLE001 - any failure to load is the finding
        return [Check(f"tiktoken@{size}/load", False, time.perf_counter() - t0,
                      "tiktoken.Encoding rejected our output", [repr(e)])]
    checks.append(Check(f"tiktoken@{size}/load", True, time.perf_counter() - t0,
                        f"n_vocab {enc.n_vocab}, eot {enc.eot_token}"))

    def cli(path: Path, mode: list[str]) -> tuple[str | None, str]:
        cmd = [str(bpe), "encode", "--vocab", str(ranks_out), *mode, str(path)]
        p = subprocess.run(cmd, capture_output=True)
        if p.returncode != 0:
            return None, f"`{' '.join(cmd)}` exit {p.returncode}: " + p.stderr.decode("utf-8", "replace")[-500:]
        return p.stdout.decode("utf-8", "replace"), ""

    modes = (("allowed-all", ["--allowed-special", "all"],
              lambda s: enc.encode(s, allowed_special="all")),
             ("ordinary", ["--disallowed-special", "none"], enc.encode_ordinary))

    for name, text in heldout.items():
        t0 = time.perf_counter()
        path = tmp / f"heldout-{name}.txt"
        path.write_bytes(text.encode("utf-8"))
        problems = []
        ntok = []
        for mode, flags, ref in modes:
            want = ref(text)
            ntok.append(len(want))
            got_s, err = cli(path, flags)
            if got_s is None:
                problems.append(f"{mode}: {err}")
                continue
            expect_s = " ".join(map(str, want)) + "\n"
            if got_s != expect_s:
                problems.append(f"{mode}: " + describe_ids(enc, text, want, got_s))
            if enc.decode_bytes(want) != text.encode("utf-8"):
                problems.append(f"{mode}: tiktoken's decode does not give the text back")
        nbytes = len(text.encode("utf-8"))
        info = (f"{nbytes / 1e3:.0f} KB, {ntok[0]} tokens ({nbytes / max(ntok[0], 1):.2f} B/tok)"
                + (f", {text.count(SPECIAL)} specials" if SPECIAL in text else ""))
        checks.append(Check(f"tiktoken@{size}/{name}", not problems, time.perf_counter() - t0,
                            info, problems))

    # Short edge cases, one per line via --jsonl.
    t0 = time.perf_counter()
    jpath = tmp / "edge.jsonl"
    jpath.write_text("".join(json.dumps(s) + "\n" for s in EDGE_CASES), encoding="utf-8")
    problems = []
    for mode, flags, ref in modes:
        got_s, err = cli(jpath, [*flags, "--jsonl"])
        if got_s is None:
            problems.append(f"{mode}: {err}")
            continue
        got_lines = got_s.split("\n")
        if got_lines and got_lines[-1] == "":
            got_lines.pop()
        if len(got_lines) != len(EDGE_CASES):
            problems.append(f"{mode}: {len(got_lines)} output lines for {len(EDGE_CASES)} inputs")
            continue
        for s, line in zip(EDGE_CASES, got_lines):
            want = ref(s)
            if line != " ".join(map(str, want)):
                problems.append(f"{mode}: {s[:60]!r}: tiktoken {want[:20]} ours {line[:120]!r}")
            elif enc.decode_bytes(want) != s.encode("utf-8"):
                problems.append(f"{mode}: {s[:60]!r}: tiktoken's decode does not round-trip")
    checks.append(Check(f"tiktoken@{size}/edge-cases", not problems, time.perf_counter() - t0,
                        f"{len(EDGE_CASES)} short texts (--jsonl)", problems[:10]))

    # Default special handling: text containing the special token is an error.
    t0 = time.perf_counter()
    path = tmp / "disallowed.txt"
    path.write_bytes(("hello " + SPECIAL + " world").encode())
    p = subprocess.run([str(bpe), "encode", "--vocab", str(ranks_out), str(path)], capture_output=True)
    try:
        enc.encode("hello " + SPECIAL + " world")
        tk_raises = False
    except ValueError:
        tk_raises = True
    ok = tk_raises and p.returncode != 0 and not p.stdout.strip()
    checks.append(Check(f"tiktoken@{size}/disallowed", ok, time.perf_counter() - t0,
                        f"tiktoken raises: {tk_raises}, ours exits {p.returncode}",
                        [] if ok else [f"ours printed {p.stdout[:100]!r}"]))
    return checks


def describe_ids(enc, text: str, want: list[int], got_s: str) -> str:
    try:
        got = [int(x) for x in got_s.split()]
    except ValueError:
        return f"output is not a list of ids: {got_s[:200]!r}"
    if got == want:
        return "same ids but different formatting: " + repr(got_s[-40:])
    i = next((k for k, (a, b) in enumerate(zip(want, got)) if a != b), min(len(want), len(got)))
    offset = len(enc.decode_bytes(want[:i]))
    data = text.encode("utf-8")
    ctx = data[max(0, offset - 40): offset + 40]

    def toks(ids):
        out = []
        for t in ids:
            try:
                out.append(f"{t}:{show(enc.decode_single_token_bytes(t))}")
            except KeyError:
                out.append(f"{t}:<invalid>")
        return " ".join(out)
    return (f"{len(got)} ids vs tiktoken's {len(want)}; first difference at token {i}, "
            f"byte {offset}, near {ctx!r}\n      tiktoken: {toks(want[i:i + 6])}\n"
            f"      ours:     {toks(got[i:i + 6])}")


# ---------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="See the top of this file for what each check does.")
    ap.add_argument("--quick", action="store_true",
                    help="CI mode: ~--quick-kb of the training file(s) as 8 documents, small held-out slices")
    ap.add_argument("--bpe", help="the bpe CLI (default <repo>/.build/release/bpe)")
    ap.add_argument("--corpus-dir", default=str(repo_root() / ".corpora"),
                    help="where scripts/fetch_corpora.sh put the corpora (default <repo>/.corpora)")
    ap.add_argument("--files", nargs="+", metavar="FILE",
                    help="training files, one document each (default: CORPUS_DIR/shakespeare.txt)")
    ap.add_argument("--sizes", default="1024,4096", help="vocab sizes to train (default 1024,4096)")
    ap.add_argument("--pattern", default="cl100k", help="split pattern for `bpe train --pattern` (default cl100k)")
    ap.add_argument("--docs", type=int, help="cut each training file into N documents at line starts "
                    "(default 1; --quick: 8)")
    ap.add_argument("--quick-kb", type=int, default=1536, help="training text size for --quick (default 1536)")
    ap.add_argument("--heldout-kb", type=int, help="KB per held-out corpus (default 1024; --quick: 64)")
    ap.add_argument("--keep", metavar="DIR", help="also write ours-N.tiktoken(+.json) and rustbpe-N.tiktoken here")
    args = ap.parse_args()

    try:
        sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        ap.error("--sizes takes comma-separated integers")
    if not sizes or min(sizes) < 257:
        ap.error("vocab sizes must be at least 257")
    bpe = find_bpe(args.bpe)
    tiktoken = require("tiktoken", "to load the trained vocabulary (check c)")
    rustbpe = require("rustbpe", "as the reference trainer (checks a and b)")
    if args.keep:
        Path(args.keep).mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    checks: list[Check] = []
    with tempfile.TemporaryDirectory(prefix="train-parity-") as tmpdir:
        tmp = Path(tmpdir)
        paths, texts, desc = training_docs(args, tmp)
        print(f"bpe:       {bpe}")
        print(f"peers:     rustbpe {version('rustbpe')}, tiktoken {version('tiktoken')}")
        print(f"training:  {desc}; pattern {args.pattern}; sizes {', '.join(map(str, sizes))}")

        for c in check_tie(bpe, rustbpe, tmp):
            checks.append(c)
            report(c)

        train_set = set()
        for f in (args.files or [Path(args.corpus_dir) / "shakespeare.txt"]):
            train_set.add(Path(f).resolve())
        heldout, notes = heldout_texts(args, train_set)
        print(f"held out:  {', '.join(heldout)}" + (f" ({'; '.join(notes)})" if notes else ""))

        for size in sizes:
            cs, ours = check_rustbpe(args, bpe, rustbpe, paths, texts, size, tmp)
            checks += cs
            for c in cs:
                report(c)
            cs = check_tiktoken(args, bpe, tiktoken, size, tmp / f"ours-{size}.tiktoken", heldout, tmp)
            checks += cs
            for c in cs:
                report(c)

    print()
    width = max(len(c.name) for c in checks)
    print(f"{'check':<{width}}  result  {'time':>7}  info")
    print(f"{'-' * width}  ------  {'-' * 7}  ----")
    for c in checks:
        print(f"{c.name:<{width}}  {'ok' if c.ok else 'FAIL':<6}  {c.seconds:6.2f}s  {c.info}")
    passed = sum(c.ok for c in checks)
    failed = len(checks) - passed
    print(f"\ntotal time {time.perf_counter() - started:.1f}s")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def report(c: Check) -> None:
    """Details of a failed check, printed as soon as it is known."""
    if c.ok:
        return
    print(f"FAIL {c.name}: {c.info}")
    for line in c.details:
        print("  " + line)
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
