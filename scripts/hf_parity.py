#!/usr/bin/env python3
"""Parity of `bpe --vocab tokenizer.json` with Hugging Face `tokenizers` 0.23.x.

For every tokenizer below, the same texts are encoded by `tokenizers`
(`Tokenizer.from_file(F).encode(text, add_special_tokens=False).ids`) and by our CLI
(`bpe encode --vocab F --jsonl`), in three modes, and decoded back:

  all        HF as is (special added tokens matched)  vs  --allowed-special all
  ordinary   HF with encode_special_tokens = True     vs  --disallowed-special none
  add        HF add_special_tokens=True               vs  --allowed-special all --add-special-tokens
  decode     HF decode(ids, skip_special_tokens=False) vs  bpe decode (exact bytes)

Tokenizers: DeepSeek V3's and Anthropic's real files (PyPI litellm==1.110.2, see
scripts/fetch_reference_tokenizers.sh), and files built here with `tokenizers` itself from
r50k_base's ranks: GPT-2 style ByteLevel, the cl100k / o200k / Llama 3 / Qwen 2 split
regexes (Oniguruma syntax, quirks included), every Split behavior with and without invert,
String patterns, Digits, NFC / NFKC / NFD / NFKD / Sequence normalizers, added tokens with
lstrip / rstrip / single_word / normalized, special and not, TemplateProcessing, a repeated
merge, ignore_merges, merges as pairs, and a tokenizer trained by `tokenizers` and saved.

Texts: slices of the corpora of scripts/fetch_corpora.sh, the golden edge cases, seeded
random Unicode, and the same with the tokenizer's added tokens spliced in. With --sweep,
every code point also goes through the normalizers and regexes in several contexts.

Any mismatch prints the text and the first differing ids, and the run exits 1.

Usage:
  swift build -c release --product bpe
  scripts/fetch_reference_tokenizers.sh && scripts/fetch_corpora.sh
  .venv/bin/python scripts/hf_parity.py [--quick] [--sweep] [--cases NAME,...]
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import randtext  # noqa: E402

import tokenizers  # noqa: E402
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers as nm, pre_tokenizers as pt, processors  # noqa: E402

REF = ROOT / ".reference"
CASES_DIR = REF / "hf-cases"


# --- building tokenizers with tokenizers itself -------------------------------------------

def bytes_to_unicode() -> dict[int, str]:
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


B2U = bytes_to_unicode()


def bl(b: bytes) -> str:
    return "".join(B2U[x] for x in b)


def load_tiktoken(path: Path) -> dict[bytes, int]:
    import base64
    ranks = {}
    for line in path.read_bytes().splitlines():
        if line:
            tok, r = line.split()
            ranks[base64.b64decode(tok)] = int(r)
    return ranks


def canonical_merges(ranks: dict[bytes, int]) -> list[tuple[bytes, bytes]]:
    """For each token (rank order), the last merge tiktoken's BPE makes to reach it."""
    merges = []
    for tok, r in sorted(ranks.items(), key=lambda kv: kv[1]):
        if len(tok) < 2:
            continue
        parts = [bytes([b]) for b in tok]
        while True:
            best = None
            for i in range(len(parts) - 1):
                rr = ranks.get(parts[i] + parts[i + 1])
                if rr is not None and rr < r and (best is None or rr < best[0]):
                    best = (rr, i)
            if best is None:
                break
            i = best[1]
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        if len(parts) == 2:
            merges.append((parts[0], parts[1]))
    return merges


_R50K = None


def r50k_model(**kw) -> models.BPE:
    global _R50K
    if _R50K is None:
        ranks = load_tiktoken(ROOT / "vocab" / "r50k_base.tiktoken")
        _R50K = ({bl(t): r for t, r in ranks.items()}, [(bl(a), bl(b)) for a, b in canonical_merges(ranks)])
    vocab, merges = _R50K
    merges = list(merges)
    if kw.pop("repeat_merge", False):
        merges.append(merges[3])   # a pair listed twice takes its last place
    return models.BPE(vocab, merges, **kw)


def byte_level_tail(**kw):
    return pt.ByteLevel(add_prefix_space=kw.get("add_prefix_space", False), use_regex=kw.get("use_regex", False))


SPECIALS = [AddedToken("<|endoftext|>", special=True, normalized=False),
            AddedToken("<|begin_of_text|>", special=True, normalized=False)]

CL100K = r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
O200K = "|".join([
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""\p{N}{1,3}""", r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""", r"""\s*[\r\n]+""", r"""\s+(?!\S)""", r"""\s+""",
])
LLAMA3 = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
QWEN2 = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
# Oniguruma's quirks, each checked on its own.
QUIRKS = {
    "interval-plus": r"\p{N}{1,3}+",         # a repetition, not possessive
    "interval-exact-plus": r"[a-z]{2}+",
    "interval-exact-optional": r"x{2}?y",   # an optional {2}, not lazy
    "interval-comma": r"\p{L}{,2}x|\p{L}",   # {,n} is {0,n}
    "possessive": r"\p{L}?+\p{L}| ?\p{N}++|\s*+\S",
    "lazy": r"\p{L}+?\p{L}|\p{N}{2,3}?",
    "line-anchors": r"^\p{L}+|\p{L}+$|\s+",  # ^ and $ at line starts and ends
    "string-anchors": r"\A\p{L}+|\p{L}+\z|\p{L}+\Z|\s+",
    "dotall-m": r"(?m)\p{L}.\p{L}|.",        # (?m) is dot-all
    "dot": r"\p{L}.\p{L}",
    "hex-h": r"\h+|\H",
    "digit-d": r"\d+|\D",
    "space-s": r"\s+|\S+",
    "newline-R": r"\R|[^\r\n]+",
    "lookbehind": r"(?<=\p{L})'\p{L}+|(?<![\p{N}])\p{N}+|.",
    "lookahead": r"\p{L}+(?=\p{N})|\s+(?!\S)|.",
    "escapes": r"[\x{4e00}-\x{9fa5}\u3040-\u309f]+|\x41+|\t|\x{1F600}",
    "caseless": r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|(?i)[a-z]+",
    "categories": r"\p{Lu}\p{Ll}*|\p{P}+|\p{S}+|\p{Nd}+|\p{No}+|\p{Sm}|\p{Zs}+|\p{Cc}|\p{Pc}|\p{Letter}+|\p{^L}",
    "negated": r"[^\p{L}\p{N}\s]+|\P{L}|\p{L}+",
    "class-edge": r"[]a]+|[a-]+|[-a]+|[^]\s]+",
    "groups": r"(?:ab)+|(a)(b)|(?<x>c)+|(?>\p{L}+)|(?i:HELLO)|(?#comment)\s",
}


def make_tokenizer(pre, normalizer=None, added=(), post=None, model_kw=None) -> Tokenizer:
    t = Tokenizer(r50k_model(**(model_kw or {})))
    t.pre_tokenizer = pre
    if normalizer is not None:
        t.normalizer = normalizer
    t.decoder = decoders.ByteLevel()
    if post is not None:
        t.post_processor = post
    specials = [a for a in added if a.special]
    others = [a for a in added if not a.special]
    if specials:
        t.add_special_tokens(specials)
    if others:
        t.add_tokens(others)
    return t


def seq(*steps):
    return pt.Sequence(list(steps))


def build_cases(quick: bool) -> dict[str, Path]:
    CASES_DIR.mkdir(parents=True, exist_ok=True)
    cases: dict[str, Path] = {}
    for name, file in [("deepseek", REF / "deepseek_tokenizer.json"), ("anthropic", REF / "anthropic_tokenizer.json")]:
        if file.exists():
            cases[name] = file
        else:
            print(f"  missing {file}: run scripts/fetch_reference_tokenizers.sh", file=sys.stderr)
            cases[name] = None
    builders = {}
    template = processors.TemplateProcessing(single="<|begin_of_text|> $A <|endoftext|>",
                                             special_tokens=[("<|begin_of_text|>", 50257), ("<|endoftext|>", 50256)])
    fancy = SPECIALS + [
        AddedToken("[MASK]", special=True, lstrip=True, rstrip=True, normalized=False),
        AddedToken("<tool>", special=False, single_word=True, normalized=False),
        AddedToken("hello world", special=False, normalized=True, lstrip=True),
        AddedToken("café", special=False, normalized=True, rstrip=True),
        AddedToken(" the", special=False, normalized=False),
        AddedToken("<sp>", special=True, single_word=True, normalized=True),
    ]
    builders["gpt2"] = lambda: make_tokenizer(pt.ByteLevel(add_prefix_space=False), added=SPECIALS)
    builders["gpt2-prefix-nfc"] = lambda: make_tokenizer(pt.ByteLevel(add_prefix_space=True), nm.NFC(), fancy,
                                                         processors.Sequence([processors.ByteLevel(), template]))
    builders["cl100k-split"] = lambda: make_tokenizer(seq(pt.Split(Regex(CL100K), "isolated"), byte_level_tail()), added=fancy,
                                                      model_kw={"ignore_merges": True})
    builders["o200k-split"] = lambda: make_tokenizer(seq(pt.Split(Regex(O200K), "isolated"), byte_level_tail()), nm.NFKC(), fancy)
    builders["llama3"] = lambda: make_tokenizer(seq(pt.Split(Regex(LLAMA3), "isolated"), byte_level_tail()), added=SPECIALS,
                                                post=template, model_kw={"ignore_merges": True})
    builders["qwen2"] = lambda: make_tokenizer(seq(pt.Split(Regex(QWEN2), "isolated"), byte_level_tail()), nm.NFC(), fancy)
    builders["digits-nfkd"] = lambda: make_tokenizer(seq(pt.Digits(individual_digits=True), pt.ByteLevel(add_prefix_space=False)),
                                                     nm.Sequence([nm.NFKD()]))
    builders["digits-nfd-nfkc"] = lambda: make_tokenizer(seq(pt.Digits(individual_digits=False), pt.ByteLevel(add_prefix_space=True)),
                                                         nm.Sequence([nm.NFD(), nm.NFKC()]), fancy)
    builders["repeated-merge"] = lambda: make_tokenizer(pt.ByteLevel(add_prefix_space=False), model_kw={"repeat_merge": True})
    for beh in ["removed", "isolated", "merged_with_previous", "merged_with_next", "contiguous"]:
        for inv in [False, True]:
            builders[f"split-{beh}{'-invert' if inv else ''}"] = (
                lambda beh=beh, inv=inv: make_tokenizer(seq(pt.Split(Regex(r"\p{N}|[.,!?]+|\s"), beh, invert=inv), pt.ByteLevel(add_prefix_space=False))))
        builders[f"string-{beh}"] = lambda beh=beh: make_tokenizer(seq(pt.Split(" ", beh), pt.ByteLevel(add_prefix_space=False)))
    for name, rx in QUIRKS.items():
        builders[f"quirk-{name}"] = lambda rx=rx: make_tokenizer(seq(pt.Split(Regex(rx), "isolated"), byte_level_tail()))
    builders["trained"] = train_tokenizer
    for name, build in builders.items():
        path = CASES_DIR / f"{name}.json"
        stamp = CASES_DIR / f"{name}.version"
        if not (path.exists() and stamp.exists() and stamp.read_text() == tokenizers.__version__):
            build().save(str(path))
            stamp.write_text(tokenizers.__version__)
        cases[name] = path
    return cases


def train_tokenizer() -> Tokenizer:
    from tokenizers import trainers
    t = Tokenizer(models.BPE())
    t.normalizer = nm.NFKC()
    t.pre_tokenizer = pt.ByteLevel(add_prefix_space=False)
    t.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=3000, special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pt.ByteLevel.alphabet(), show_progress=False)
    corpus = ROOT / ".corpora" / "shakespeare.txt"
    text = corpus.read_text(encoding="utf-8")[:2_000_000] if corpus.exists() else " ".join(randtext.random_texts(7, 3000))
    t.train_from_iterator(text.splitlines(), trainer)
    return t


# --- texts --------------------------------------------------------------------------------

def corpus_docs(quick: bool) -> list[str]:
    docs = []
    per = 12 if quick else 80
    size = 1500 if quick else 4000
    for f in sorted((ROOT / ".corpora").glob("*.txt")):
        data = f.read_text(encoding="utf-8", errors="strict")
        if not data:
            continue
        step = max(1, len(data) // per)
        for k in range(per):
            a = k * step
            a = data.find("\n", a) + 1 if k else 0
            docs.append(data[a:a + size])
    return docs


def golden_texts() -> list[str]:
    seen = []
    for f in sorted((ROOT / "Fixtures" / "golden").glob("*.jsonl")):
        for line in f.read_text().splitlines():
            t = json.loads(line).get("text")
            if isinstance(t, str) and t not in seen:
                seen.append(t)
    return seen


def splice_added(texts: list[str], added: list[str], seed: int) -> list[str]:
    if not added:
        return []
    rng = random.Random(seed)
    out = []
    for t in texts:
        parts = []
        for _ in range(rng.randint(1, 4)):
            cut = rng.randint(0, len(t))
            parts.append(t[:cut])
            parts.append(rng.choice(["", " ", "  ", "\n", "x", "é"]) + rng.choice(added) + rng.choice(["", " ", "\t", "y", "\n "]))
            t = t[cut:]
        parts.append(t)
        out.append("".join(parts))
    return out


def sweep_texts() -> list[str]:
    """Every code point in contexts that exercise normalization (composition, reordering)
    and the regex classes, 48 code points per text."""
    cps = [c for c in range(0x20, 0x110000) if not (0xD800 <= c < 0xE000)]
    out = []
    for i in range(0, len(cps), 48):
        chunk = cps[i:i + 48]
        out.append("".join(f"a{chr(c)} {chr(c)}\u0301e\u0316{chr(c)}\u0327 1{chr(c)}'{chr(c)}s\n" for c in chunk))
    return out


# --- running ------------------------------------------------------------------------------

def run_ours(bpe: str, vocab: Path, texts: list[str], flags: list[str], tmp: Path) -> list[list[int] | str]:
    inp = tmp / "in.jsonl"
    with open(inp, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps(t, ensure_ascii=False) + "\n")
    r = subprocess.run([bpe, "encode", "--vocab", str(vocab), "--jsonl", *flags, str(inp)], capture_output=True)
    if r.returncode != 0:
        raise RuntimeError(f"bpe encode failed: {r.stderr.decode(errors='replace').strip()}")
    lines = r.stdout.decode().split("\n")
    return [[int(x) for x in line.split()] for line in lines[:len(texts)]]


def run_decode(bpe: str, vocab: Path, ids: list[int], tmp: Path) -> bytes:
    p = tmp / "ids.txt"
    p.write_text(" ".join(map(str, ids)))
    r = subprocess.run([bpe, "decode", "--vocab", str(vocab), str(p)], capture_output=True)
    if r.returncode != 0:
        raise RuntimeError(f"bpe decode failed: {r.stderr.decode(errors='replace').strip()}")
    return r.stdout


def compare(name: str, mode: str, texts, expected, ours, max_details: int) -> int:
    bad = 0
    for t, e, o in zip(texts, expected, ours):
        if e != o:
            bad += 1
            if bad <= max_details:
                k = next((i for i, (a, b) in enumerate(zip(e, o)) if a != b), min(len(e), len(o)))
                print(f"  MISMATCH {name} [{mode}] text={t[:160]!r}{'…' if len(t) > 160 else ''}")
                print(f"    at id {k}: tokenizers {e[max(0, k - 3):k + 5]}  ours {o[max(0, k - 3):k + 5]}")
    return bad


def check_case(args, name: str, path: Path, texts: list[str], tmp: Path) -> tuple[int, int]:
    tok = Tokenizer.from_file(str(path))
    added = [a.content for a in tok.get_added_tokens_decoder().values()]
    laced = splice_added(texts[: max(50, len(texts) // 3)], added, seed=len(name))
    allt = texts + laced
    mismatches = 0
    compared = 0
    t0 = time.time()
    # all: special tokens matched as tokenizers matches them.
    exp = [tok.encode(t, add_special_tokens=False).ids for t in allt]
    ours = run_ours(args.bpe, path, allt, ["--allowed-special", "all"], tmp)
    mismatches += compare(name, "all", allt, exp, ours, args.max_details)
    compared += len(allt)
    # ordinary: special tokens as text (non-special added tokens still matched).
    tok.encode_special_tokens = True
    exp_o = [tok.encode(t, add_special_tokens=False).ids for t in laced]
    ours_o = run_ours(args.bpe, path, laced, ["--disallowed-special", "none"], tmp)
    mismatches += compare(name, "ordinary", laced, exp_o, ours_o, args.max_details)
    compared += len(laced)
    tok.encode_special_tokens = False
    # add: the post-processor's tokens.
    with_added = [tok.encode(t, add_special_tokens=True).ids for t in texts[:50]]
    if with_added != [tok.encode(t, add_special_tokens=False).ids for t in texts[:50]]:
        ours_a = run_ours(args.bpe, path, texts[:50], ["--allowed-special", "all", "--add-special-tokens"], tmp)
        mismatches += compare(name, "add", texts[:50], with_added, ours_a, args.max_details)
        compared += 50
    # decode: exact bytes equal tokenizers' text wherever that text has no U+FFFD.
    keep = [ids for ids in exp if "\ufffd" not in tok.decode(ids, skip_special_tokens=False)]
    want = "".join(tok.decode(ids, skip_special_tokens=False) for ids in keep).encode()
    got = run_decode(args.bpe, path, [i for ids in keep for i in ids], tmp)
    if got != want:
        mismatches += 1
        k = next((i for i, (a, b) in enumerate(zip(want, got)) if a != b), min(len(want), len(got)))
        print(f"  MISMATCH {name} [decode] at byte {k}: tokenizers {want[max(0, k - 20):k + 20]!r} ours {got[max(0, k - 20):k + 20]!r}")
    nbytes = sum(len(t.encode()) for t in allt)
    print(f"  {name}: {compared} encodings ({nbytes / 1e6:.2f} MB), {len(keep)} decodes, "
          f"{'OK' if mismatches == 0 else f'{mismatches} MISMATCHES'} ({time.time() - t0:.1f} s)")
    return mismatches, nbytes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bpe", default=str(ROOT / ".build" / "release" / "bpe"))
    ap.add_argument("--quick", action="store_true", help="CI: fewer texts per case")
    ap.add_argument("--sweep", action="store_true", help="also every code point in context (normalizers, regex classes)")
    ap.add_argument("--cases", default="", help="comma-separated case names (default: all)")
    ap.add_argument("--max-details", type=int, default=3)
    args = ap.parse_args()
    print(f"tokenizers {tokenizers.__version__}")
    cases = build_cases(args.quick)
    if args.cases:
        want = set(args.cases.split(","))
        cases = {k: v for k, v in cases.items() if k in want}
    missing = [k for k, v in cases.items() if v is None]
    if missing:
        print(f"FAIL: reference files missing for {missing}")
        return 1
    texts = corpus_docs(args.quick) + golden_texts() + randtext.random_texts(20261201, 150 if args.quick else 1500)
    if not (ROOT / ".corpora").exists():
        print("  note: no .corpora (scripts/fetch_corpora.sh); random and golden texts only")
    total_bad = 0
    total_bytes = 0
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for name, path in cases.items():
            bad, nbytes = check_case(args, name, path, texts, tmp)
            total_bad += bad
            total_bytes += nbytes
        if args.sweep:
            sweep = sweep_texts()
            for name in ["anthropic", "deepseek", "gpt2-prefix-nfc", "digits-nfkd", "digits-nfd-nfkc", "o200k-split", "quirk-categories", "quirk-caseless"]:
                if name not in cases:
                    continue
                tok = Tokenizer.from_file(str(cases[name]))
                t0 = time.time()
                exp = [e.ids for e in tok.encode_batch(sweep, add_special_tokens=False)]
                ours = run_ours(args.bpe, cases[name], sweep, ["--allowed-special", "all"], tmp)
                bad = compare(name, "sweep", sweep, exp, ours, args.max_details)
                total_bad += bad
                print(f"  sweep {name}: {len(sweep)} texts, every code point in 7 contexts, "
                      f"{'OK' if bad == 0 else f'{bad} MISMATCHES'} ({time.time() - t0:.1f} s)")
    print(f"{'FAIL' if total_bad else 'OK'}: {len(cases)} tokenizers, {total_bytes / 1e6:.1f} MB of text, {total_bad} mismatches")
    return 1 if total_bad else 0


if __name__ == "__main__":
    sys.exit(main())
