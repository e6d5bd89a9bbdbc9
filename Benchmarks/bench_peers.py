#!/usr/bin/env python3
"""The peers of Benchmarks/compare.py, each in a pinned worker process of its own.

    bench_peers.py PEER ENCODING      (started by compare.py under taskset; not for people)

Reads one JSON command per line on stdin and answers one JSON line on stdout:
  {"op": "ids", "file": F, "out": O}        encode F once, write the ids to O (uint32, native order)
  {"op": "time", "file": F, "runs": N, "mode": M}
                                           N timed encodes of F. M is "warm" (same object,
                                           after one untimed encode of F), "fresh" (a new
                                           object per run, "warm up" encoded first, then its
                                           first encode of F) or "cleared" (splintr only: warm,
                                           but clear_cache() before each run). "warm_up": false
                                           skips warm's untimed encode (the object is warm from an
                                           earlier call: compare.py times one run per round)
  {"op": "count", "file": F, "runs": N}    N timed token counts
  {"op": "capped", "file": F, "start": C, "cap_s": S}
                                           count a prefix of C characters, growing 4x while the
                                           next step is predicted (as quadratic) to stay under S s
  {"op": "batch", "file": F, "threads": T, "runs": N, "doc_bytes": D}
                                           tiktoken only: encode_ordinary_batch(num_threads=T)
  {"op": "explain", "ref": R, "other": O, "index": I}
                                           tiktoken only: where id files R and O differ, as text
Errors come back as {"error": "..."}; the worker keeps serving. compare.py's docstring says how
each peer is called and why.
"""
from __future__ import annotations

import gc
import json
import os
import sys
import time
from array import array
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# name -> (PyPI distribution, the version the benchmark is pinned to)
PEERS = {
    "tiktoken": ("tiktoken", "0.14.0"),
    "bpe-openai": ("bpe-openai", "0.1.4"),
    "quicktok": ("quicktok-v1", "0.4.0"),
    "splintr": ("splintr-rs", "0.22.0"),
    "gigatoken": ("gigatoken", "0.10.0"),
}
# Peers with a piece -> ids cache, and the modes compare.py times them in.
CACHING = {"splintr": ("fresh", "cleared", "warm"), "gigatoken": ("fresh", "warm")}


def make_peer(name: str, encoding: str):
    """The peer's encoder object and its encode / count functions."""
    if name == "tiktoken":
        sys.path.insert(0, str(ROOT / "scripts"))
        import oracle
        enc = oracle.get_encoding(encoding)
        return enc, enc.encode_ordinary, lambda t: len(enc.encode_ordinary(t))
    if name == "bpe-openai":
        from bpe_openai import _bindings
        enc = _bindings.tokenizer_for_encoding(encoding)
        return enc, enc.encode, enc.count
    if name == "quicktok":
        import quicktok
        enc = quicktok.get_encoding(encoding)
        return enc, enc.encode_ordinary, lambda t: len(enc.encode_ordinary(t))
    if name == "splintr":
        import splintr
        enc = splintr.Tokenizer.from_pretrained(encoding)
        return enc, enc.encode_ordinary, lambda t: len(enc.encode_ordinary(t))
    if name == "gigatoken":
        import gigatoken
        scheme = {"cl100k_base": "gpt4", "o200k_base": "o200k"}[encoding]
        enc = gigatoken.Tokenizer.from_tiktoken(ROOT / "vocab" / f"{encoding}.tiktoken",
                                                pretokenizer=scheme, special_tokens={}).backend
        return enc, enc.encode, lambda t: len(enc.encode(t))
    raise SystemExit(f"bench_peers.py: unknown peer {name}")


def timed(fn, arg) -> tuple[float, object]:
    gc.collect()
    gc.disable()
    try:
        t = time.perf_counter()
        out = fn(arg)
        return time.perf_counter() - t, out
    finally:
        gc.enable()


def write_ids(path: str, ids) -> int:
    if hasattr(ids, "tobytes"):                     # numpy array (gigatoken)
        data = ids.astype("<u4").tobytes()
    else:
        data = array("I", ids).tobytes()
    with open(path, "wb") as f:
        f.write(data)
    return len(data) // 4


def documents(data: bytes, min_bytes: int) -> list[str]:
    """Cut after a newline once a document has min_bytes; bpe-bench --batch does the same."""
    docs, start = [], 0
    while True:
        i = data.find(b"\n", start + min_bytes - 1)
        if i < 0:
            break
        docs.append(data[start:i + 1].decode("utf-8"))
        start = i + 1
    if start < len(data):
        docs.append(data[start:].decode("utf-8"))
    return docs


def worker(name: str, encoding: str) -> int:
    # Commands come on stdin, answers go to the original stdout; anything a peer prints
    # goes to stderr instead of into the protocol.
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    enc, encode, count = make_peer(name, encoding)
    texts: dict[str, str] = {}

    def text_of(path: str) -> str:
        if path not in texts:
            texts.clear()
            texts[path] = Path(path).read_bytes().decode("utf-8")
        return texts[path]

    for line in sys.stdin:
        cmd = json.loads(line)
        op = cmd["op"]
        try:
            if op == "ids":
                text = text_of(cmd["file"])
                t, ids = timed(encode, text)
                res = {"tokens": write_ids(cmd["out"], ids), "first_s": t}
            elif op == "time":
                text = text_of(cmd["file"])
                times = []
                mode = cmd.get("mode", "warm")
                if mode == "fresh":
                    for _ in range(cmd["runs"]):
                        del enc, encode, count
                        gc.collect()
                        enc, encode, count = make_peer(name, encoding)
                        encode("warm up")
                        times.append(timed(encode, text)[0])
                elif mode in ("warm", "cleared"):
                    if cmd.get("warm_up", True):
                        encode(text)                # warm: same object, same text
                    for _ in range(cmd["runs"]):
                        if mode == "cleared":
                            enc.clear_cache()
                        times.append(timed(encode, text)[0])
                else:
                    raise ValueError(f"unknown mode {mode}")
                res = {"times_s": times}
            elif op == "count":
                text = text_of(cmd["file"])
                times, n = [], 0
                for _ in range(cmd["runs"]):
                    t, n = timed(count, text)
                    times.append(t)
                res = {"times_s": times, "tokens": n}
            elif op == "capped":
                # Grow a prefix 4x at a time; stop before a step predicted (as quadratic)
                # to pass the cap. Returns the largest size done.
                # A step that fails (tiktoken's regex engine gives up on o200k's `\s+(?!\S)`
                # over a megabyte of spaces: fancy-regex's StackOverflow, raised as pyo3's
                # PanicException, a BaseException) ends the growth at the size before it.
                text = text_of(cmd["file"])
                size, best = cmd["start"], None
                while True:
                    try:
                        t, n = timed(count, text[:size])
                    except BaseException as e:
                        if best is None or isinstance(e, (KeyboardInterrupt, SystemExit)):
                            raise
                        best["stopped"] = f"failed on {size} characters: {type(e).__name__}: {e}"
                        break
                    best = {"chars": size, "bytes": len(text[:size].encode("utf-8")), "s": t, "tokens": n}
                    if size >= len(text) or t * 16 > cmd["cap_s"]:
                        break
                    size = min(len(text), size * 4)
                res = best
            elif op == "batch":
                docs = documents(Path(cmd["file"]).read_bytes(), cmd["doc_bytes"])
                enc.encode_ordinary_batch(["warm up"], num_threads=cmd["threads"])
                times, n = [], 0
                for _ in range(cmd["runs"]):
                    t, out = timed(lambda d: enc.encode_ordinary_batch(d, num_threads=cmd["threads"]), docs)
                    times.append(t)
                    n = sum(len(x) for x in out)
                res = {"times_s": times, "tokens": n, "docs": len(docs)}
            elif op == "explain":
                # tiktoken only: where two id files first differ, as text.
                a = array("I"); a.frombytes(Path(cmd["ref"]).read_bytes())
                b = array("I"); b.frombytes(Path(cmd["other"]).read_bytes())
                i = cmd["index"]
                offset = sum(len(enc.decode_single_token_bytes(x)) for x in a[:i])
                def show(ids):
                    out = []
                    for x in ids:
                        try:
                            out.append(enc.decode_single_token_bytes(x).decode("utf-8", "backslashreplace"))
                        except (KeyError, ValueError):
                            out.append(f"<no token {x}>")
                    return out
                res = {"offset": offset, "ref": list(a[max(0, i - 3):i + 4]), "ref_text": show(a[max(0, i - 3):i + 4]),
                       "other": list(b[max(0, i - 3):i + 4]),
                       "other_text": show(b[max(0, i - 3):i + 4])}
            else:
                res = {"error": f"unknown op {op}"}
        except BaseException as e:          # report to the main process, keep serving; pyo3's
            if isinstance(e, (KeyboardInterrupt, SystemExit)):  # PanicException too, not ^C
                raise
            res = {"error": f"{type(e).__name__}: {e}"}
        proto.write(json.dumps(res) + "\n")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in PEERS:
        sys.exit(f"usage: bench_peers.py {{{'|'.join(PEERS)}}} ENCODING  (a worker of Benchmarks/compare.py)")
    sys.exit(worker(sys.argv[1], sys.argv[2]))
