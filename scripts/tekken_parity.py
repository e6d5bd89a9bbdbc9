#!/usr/bin/env python3
"""Parity of `bpe --vocab tekken.json` with mistral_common 1.13.x.

Each Tekken file is loaded by `Tekkenizer.from_file(F)` and by our CLI; the same texts are
encoded by `encode(text, bos=False, eos=False)` and `bpe encode --vocab F --jsonl
--disallowed-special none` (mistral_common encodes special-token text as text), by
`bos=True` and `--add-special-tokens`, and decoded back (`bpe decode` gives the exact bytes,
which must be the text).

Files: tekken_240911.json and tekken_240718.json (PyPI mistral-common==1.13.1, see
scripts/fetch_reference_tokenizers.sh), and variants derived here: a v13 header with an
explicit special-token list (more specials, fewer ranks through default_vocab_size), and a
v7 one truncated hard.

Texts: slices of scripts/fetch_corpora.sh's corpora, the golden edge cases, seeded random
Unicode, and texts holding Mistral's control tokens. Any mismatch exits 1.

Usage: .venv/bin/python scripts/tekken_parity.py [--quick]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import randtext  # noqa: E402
from hf_parity import compare, corpus_docs, golden_texts, run_decode, run_ours  # noqa: E402

from mistral_common.tokens.tokenizers.tekken import Tekkenizer  # noqa: E402

REF = ROOT / ".reference"


def variants(tmp: Path) -> dict[str, Path]:
    out = {}
    for name in ["tekken_240911.json", "tekken_240718.json"]:
        p = REF / name
        if not p.exists():
            raise SystemExit(f"FAIL: {p} missing: run scripts/fetch_reference_tokenizers.sh")
        out[name] = p
    d = json.loads((REF / "tekken_240911.json").read_text())
    specials = [t.value for t in __import__("mistral_common.tokens.tokenizers.base", fromlist=["SpecialTokens"]).SpecialTokens]
    d["special_tokens"] = [{"rank": i, "token_str": s, "is_control": True} for i, s in enumerate(specials)]
    d["config"]["version"] = "v13"
    d["config"]["default_num_special_tokens"] = 1000
    d["config"]["default_vocab_size"] = 100_000
    d.pop("image", None)
    p = tmp / "tekken-v13-listed.json"
    p.write_text(json.dumps(d))
    out[p.name] = p
    d["config"]["version"] = "v7"
    d.pop("special_tokens")
    d["config"]["default_num_special_tokens"] = 64
    d["config"]["default_vocab_size"] = 20_064
    p = tmp / "tekken-v7-truncated.json"
    p.write_text(json.dumps(d))
    out[p.name] = p
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bpe", default=str(ROOT / ".build" / "release" / "bpe"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--max-details", type=int, default=3)
    args = ap.parse_args()
    texts = corpus_docs(args.quick) + golden_texts() + randtext.random_texts(20261202, 200 if args.quick else 2000)
    texts += ["[INST] hi [/INST]</s><s>", "<unk> <pad> [TOOL_CALLS] [IMG]", "<SPECIAL_20>"]
    bad = 0
    total = 0
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for name, path in variants(tmp).items():
            t0 = time.time()
            tok = Tekkenizer.from_file(str(path))
            exp = [tok.encode(t, bos=False, eos=False) for t in texts]
            ours = run_ours(args.bpe, path, texts, ["--disallowed-special", "none"], tmp)
            n = compare(name, "encode", texts, exp, ours, args.max_details)
            exp_b = [tok.encode(t, bos=True, eos=False) for t in texts[:50]]
            ours_b = run_ours(args.bpe, path, texts[:50], ["--disallowed-special", "none", "--add-special-tokens"], tmp)
            n += compare(name, "bos", texts[:50], exp_b, ours_b, args.max_details)
            got = run_decode(args.bpe, path, [i for ids in exp for i in ids], tmp)
            if got != "".join(texts).encode():
                n += 1
                print(f"  MISMATCH {name} [decode]")
            nbytes = sum(len(t.encode()) for t in texts)
            total += nbytes
            bad += n
            print(f"  {name}: {len(texts) + 50} encodings ({nbytes / 1e6:.2f} MB), decode of all, "
                  f"{'OK' if n == 0 else f'{n} MISMATCHES'} ({time.time() - t0:.1f} s)")
    print(f"{'FAIL' if bad else 'OK'}: 4 Tekken files, {total / 1e6:.1f} MB of text, {bad} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
