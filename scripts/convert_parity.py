#!/usr/bin/env python3
"""`bpe convert` round trips, checked by the reference implementations.

1. `bpe convert --encoding E --to tokenizer.json` for r50k_base, cl100k_base, o200k_base,
   and `bpe convert my.tiktoken --to tokenizer.json` for a vocabulary `bpe train` made:
   Hugging Face `tokenizers` loads each file and must give tiktoken's ids (the oracle,
   offline through scripts/oracle.py) on held-out text, special tokens included.
2. The reverse, `bpe convert tokenizer.json --to tiktoken`, for those files: tiktoken, given
   the written ranks and the sidecar's special tokens, must give the same ids again; and a
   tokenizer.json that a .tiktoken file cannot express (DeepSeek's three Splits) is refused
   with a message.
3. A Tekken file to .tiktoken: `bpe encode --vocab OUT.tiktoken` equals mistral_common.

Usage: .venv/bin/python scripts/convert_parity.py [--quick]
"""
from __future__ import annotations

import argparse
import base64
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import oracle  # noqa: E402
import randtext  # noqa: E402
from hf_parity import compare, corpus_docs, golden_texts, run_ours  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402


def bpe(args, *cmd) -> subprocess.CompletedProcess:
    return subprocess.run([args.bpe, *cmd], capture_output=True)


def must(r: subprocess.CompletedProcess, what: str):
    if r.returncode != 0:
        raise SystemExit(f"FAIL: {what}: {r.stderr.decode(errors='replace').strip()}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bpe", default=str(ROOT / ".build" / "release" / "bpe"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--max-details", type=int, default=3)
    args = ap.parse_args()
    tiktoken = oracle.tiktoken_module()
    texts = corpus_docs(args.quick) + golden_texts() + randtext.random_texts(20261203, 150 if args.quick else 1500)
    bad = 0
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        # A trained vocabulary, on text the checks do not use.
        train_in = tmp / "train.txt"
        train_in.write_text(" ".join(randtext.random_texts(99, 400)) + "\n" + "\n".join(texts[::7]))
        must(bpe(args, "train", str(train_in), "--vocab-size", "1500", "--special", "<|endoftext|>", "-o", str(tmp / "mine.tiktoken")), "train")
        sources = {"r50k_base": ["--encoding", "r50k_base"], "cl100k_base": ["--encoding", "cl100k_base"],
                   "o200k_base": ["--encoding", "o200k_base"], "trained": [str(tmp / "mine.tiktoken")]}
        for name, src in sources.items():
            t0 = time.time()
            out = tmp / f"{name}.json"
            must(bpe(args, "convert", *src, "--to", "tokenizer.json", "-o", str(out)), f"convert {name}")
            tok = Tokenizer.from_file(str(out))
            if name == "trained":
                side = json.loads((tmp / "mine.tiktoken.json").read_text())
                ranks = {base64.b64decode(l.split()[0]): int(l.split()[1]) for l in (tmp / "mine.tiktoken").read_text().splitlines() if l}
                ref = tiktoken.Encoding("mine", pat_str=side["pattern"], mergeable_ranks=ranks, special_tokens=side["special_tokens"])
            else:
                ref = oracle.get_encoding(name)
            specials = sorted(ref.special_tokens_set)
            laced = [t[: len(t) // 2] + specials[i % len(specials)] + t[len(t) // 2:] for i, t in enumerate(texts[:100])]
            exp = [ref.encode(t, allowed_special="all") for t in texts + laced]
            got = [tok.encode(t, add_special_tokens=False).ids for t in texts + laced]
            n = compare(f"{name} → tokenizer.json", "tokenizers vs tiktoken", texts + laced, exp, got, args.max_details)
            # Back to .tiktoken.
            back = tmp / f"{name}-back.tiktoken"
            must(bpe(args, "convert", str(out), "--to", "tiktoken", "-o", str(back)), f"convert {name} back")
            ours = run_ours(args.bpe, back, texts + laced, ["--allowed-special", "all"], tmp)
            n += compare(f"{name} → tokenizer.json → .tiktoken", "bpe vs tiktoken", texts + laced, exp, ours, args.max_details)
            side = json.loads(Path(str(back) + ".json").read_text())
            ranks = {base64.b64decode(l.split()[0]): int(l.split()[1]) for l in back.read_text().splitlines() if l}
            if ranks != ref._mergeable_ranks:
                n += 1
                print(f"  MISMATCH {name}: the written ranks differ from the original's")
            bad += n
            print(f"  {name}: {len(exp)} texts through tokenizers and back, {'OK' if n == 0 else f'{n} MISMATCHES'} ({time.time() - t0:.1f} s)")
        # Refusal.
        ds = ROOT / ".reference" / "deepseek_tokenizer.json"
        if ds.exists():
            r = bpe(args, "convert", str(ds), "--to", "tiktoken", "-o", str(tmp / "ds.tiktoken"))
            msg = r.stderr.decode().strip()
            ok = r.returncode != 0 and "cannot write" in msg and not (tmp / "ds.tiktoken").exists()
            print(f"  deepseek → .tiktoken refused: {msg!r} {'OK' if ok else 'FAIL'}")
            bad += 0 if ok else 1
        # Tekken → .tiktoken.
        tk = ROOT / ".reference" / "tekken_240911.json"
        if tk.exists():
            from mistral_common.tokens.tokenizers.tekken import Tekkenizer
            out = tmp / "nemo.tiktoken"
            must(bpe(args, "convert", str(tk), "--to", "tiktoken", "-o", str(out)), "convert tekken")
            t = Tekkenizer.from_file(str(tk))
            exp = [t.encode(x, bos=False, eos=False) for x in texts]
            ours = run_ours(args.bpe, out, texts, ["--disallowed-special", "none"], tmp)
            n = compare("tekken → .tiktoken", "bpe vs mistral_common", texts, exp, ours, args.max_details)
            bad += n
            print(f"  tekken_240911 → .tiktoken: {len(texts)} texts, {'OK' if n == 0 else f'{n} MISMATCHES'}")
    print(f"{'FAIL' if bad else 'OK'}: convert round trips, {bad} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
