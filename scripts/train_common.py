"""Shared helpers for the trainer checks (scripts/train_parity.py) and the
trainer benchmark (Benchmarks/train_bench.py).

Nothing here imports a third-party package at module load: the peers
(tiktoken, rustbpe, tokenizers) are imported through ``require()``, which
prints what to install and exits with status 2 when one is missing.
"""

from __future__ import annotations

import base64
import importlib
import json
import subprocess
import sys
from pathlib import Path

# cl100k_base's split pattern in tiktoken syntax (what `bpe train` writes to the
# sidecar for --pattern cl100k).  rustbpe's compiled-in default differs from it
# (no possessive quantifiers, no `\s++$`), so it is always passed explicitly.
CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+|"""
    r""" ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)

CORPUS_NAMES = (
    "shakespeare.txt",
    "man-de.txt",
    "man-fr.txt",
    "man-ja.txt",
    "man-ru.txt",
    "python-stdlib.txt",
)

PIP_HINTS = {
    "tiktoken": "tiktoken==0.14.0",
    "rustbpe": "rustbpe==0.1.0",
    "tokenizers": "tokenizers",
}


def repo_root() -> Path:
    """The repository root: the parent of scripts/."""
    return Path(__file__).resolve().parent.parent


def require(module: str, why: str):
    """Import `module` or exit(2) with a message saying how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        pkg = PIP_HINTS.get(module, module)
        print(
            f"error: Python package '{module}' is missing ({e}); it is needed {why}.\n"
            f"       install it with: {sys.executable} -m pip install {pkg}",
            file=sys.stderr,
        )
        sys.exit(2)


def find_bpe(explicit: str | None) -> Path:
    """The `bpe` CLI, or exit(2) telling how to build it."""
    p = Path(explicit) if explicit else repo_root() / ".build" / "release" / "bpe"
    if not p.is_file():
        print(
            f"error: {p} not found; build it with: "
            f"cd {repo_root()} && swift build -c release --product bpe",
            file=sys.stderr,
        )
        sys.exit(2)
    return p


def missing_corpus(path: Path) -> None:
    """Exit(2) saying that a training/corpus file is missing, and how to get it."""
    if path.name in CORPUS_NAMES:
        where = "" if path.parent.resolve() == (repo_root() / ".corpora").resolve() else f" {path.parent}"
        hint = f"; fetch the corpora with: {repo_root() / 'scripts' / 'fetch_corpora.sh'}{where}"
    else:
        hint = ""
    print(f"error: corpus file {path} is missing{hint}", file=sys.stderr)
    sys.exit(2)


def read_doc(path: Path) -> str:
    """A file as one document: bytes decoded as strict UTF-8, CRLF kept."""
    return path.read_bytes().decode("utf-8", errors="strict")


def line_chunks(data: bytes, total: int, k: int) -> list[bytes]:
    """k evenly spaced pieces of `data` totalling ~`total` bytes, each cut at
    line starts (so each piece is valid UTF-8 when `data` is).  If `data` is
    not larger than `total`, it is cut into k consecutive pieces instead."""
    if k <= 1:
        return [data] if len(data) <= total else [data[: _line_start(data, total) or total]]

    if len(data) <= total:
        cuts = [0] + [_line_start(data, len(data) * i // k) for i in range(1, k)] + [len(data)]
        pieces = [data[a:b] for a, b in zip(cuts, cuts[1:])]
        return [p for p in pieces if p]
    per = total // k
    out = []
    for c in range(k):
        start = _line_start(data, (len(data) - per) * c // (k - 1))
        end = _line_start(data, start + per)
        if end <= start:  # a single line longer than `per`
            end = data.find(b"\n", start + per)
            end = len(data) if end < 0 else end + 1
        out.append(data[start:end])
    return out


def _line_start(data: bytes, i: int) -> int:
    return data.rfind(b"\n", 0, i) + 1


def read_tiktoken(path: Path) -> dict[bytes, int]:
    """A .tiktoken file (base64 token, space, rank per line) as {bytes: rank}."""
    ranks: dict[bytes, int] = {}
    for n, line in enumerate(path.read_bytes().splitlines(), 1):
        if not line.strip():
            continue
        tok, rank = line.split()
        ranks[base64.b64decode(tok, validate=True)] = int(rank)
        if len(ranks) != n:
            raise ValueError(f"{path}:{n}: duplicate token")
    return ranks


def ranks_list(ranks: dict[bytes, int]) -> list[bytes]:
    """{bytes: rank} as a list indexed by rank (ranks must be 0..n-1)."""
    out: list[bytes | None] = [None] * len(ranks)
    for tok, r in ranks.items():
        if not 0 <= r < len(out) or out[r] is not None:
            raise ValueError(f"ranks are not a permutation of 0..{len(out) - 1} (rank {r})")
        out[r] = tok
    return out  # type: ignore[return-value]


def write_tiktoken(path: Path, tokens: list[bytes]) -> None:
    """Write tokens (indexed by rank) as a .tiktoken file."""
    with open(path, "wb") as f:
        for r, tok in enumerate(tokens):
            f.write(base64.b64encode(tok) + b" " + str(r).encode() + b"\n")


def rustbpe_tokens(tok) -> list[bytes]:
    """rustbpe's get_mergeable_ranks() as a list of token bytes indexed by
    rank (it returns (bytes or list-of-int, rank) pairs)."""
    pairs = tok.get_mergeable_ranks()
    out: list[bytes | None] = [None] * len(pairs)
    for b, r in pairs:
        out[r] = bytes(b)
    if any(t is None for t in out):
        raise ValueError("rustbpe ranks are not 0..n-1")
    return out  # type: ignore[return-value]


def run_train(bpe: Path, inputs: list[Path], out: Path, vocab_size: int,
              extra: list[str] | None = None, timeout: float = 3600) -> subprocess.CompletedProcess:
    """`bpe train INPUTS -o OUT --vocab-size N -q [extra]`; raises on failure."""
    cmd = [str(bpe), "train", *map(str, inputs), "-o", str(out),
           "--vocab-size", str(vocab_size), "-q", *(extra or [])]
    p = subprocess.run(cmd, capture_output=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(
            f"`{' '.join(cmd)}` exited with status {p.returncode}:\n"
            + p.stderr.decode("utf-8", "replace")[-3000:]
        )
    return p


def read_sidecar(out: Path) -> dict:
    return json.loads(Path(str(out) + ".json").read_text(encoding="utf-8"))


def first_difference(a: list[bytes], b: list[bytes]) -> int | None:
    """First rank where the two token lists differ (or where one ends)."""
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return None if len(a) == len(b) else min(len(a), len(b))
