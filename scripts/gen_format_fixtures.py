#!/usr/bin/env python3
"""Generate the small derived fixtures under Fixtures/formats/ that the Swift tests check
without the network or the reference wheels:

- deepseek-mini.json: DeepSeek V3's tokenizer.json (MIT, PyPI litellm==1.110.2; its LICENSE
  is copied beside it) cut down to the 256 byte symbols, its first 3000 merges and the tokens
  they make, and 40 of its added tokens (special and not, normalized and not); its three
  Split pre-tokenizers, post-processor and decoder unchanged.
- tekken-mini.json: mistral-common 1.13.1's tekken_240911.json (Apache-2.0) cut to its first
  3000 ranks, a v13 header with an explicit special-token list and default_vocab_size 3100.
- *.golden.jsonl: texts with the reference ids (tokenizers 0.23.3 / mistral_common 1.13.1):
  {"text", "mode": all|ordinary|add, "ids"}; decode golden {"ids", "text"} for tokenizer.json.

Usage: scripts/fetch_reference_tokenizers.sh && .venv/bin/python scripts/gen_format_fixtures.py
"""
import json
import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import randtext  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

REF = ROOT / ".reference"
OUT = ROOT / "Fixtures" / "formats"
OUT.mkdir(parents=True, exist_ok=True)

TEXTS = [
    "", "hello world", "Hello, World! 123456789 1234", "  leading and trailing  ", "tab\there\nnew line\r\n",
    "你好世界，这是一个测试。", "こんにちは、カタカナとひらがな", "Привет, мир! Ёлка", "naïve café, Ωmega ﬁne ①②③",
    "emoji 👨‍👩‍👧 and flags 🇫🇷", "don't I'M we'll THEY'RE", "x = [1, 2, 3]; y = {'a': 1}", "مرحبا بالعالم ١٢٣",
    "a\u0301 e\u0308 \u212b \u00c5", "    indented code\n\tdef f(x):\n\t\treturn x**2\n",
]


def deepseek():
    d = json.loads((REF / "deepseek_tokenizer.json").read_text())
    vocab = d["model"]["vocab"]
    merges = d["model"]["merges"][:3000]
    keep = {k for k, v in vocab.items() if len(k) == 1}
    for m in merges:
        a, b = m.split(" ")
        keep.update([a, b, a + b])
    added = [t for t in d["added_tokens"] if t["id"] < 3] + [t for t in d["added_tokens"] if t["id"] >= 128000][:37]
    for t in added:
        if t["content"] in vocab:
            keep.add(t["content"])
    kept = sorted(keep, key=lambda k: vocab[k])
    new_vocab = {k: i for i, k in enumerate(kept)}
    n = len(new_vocab)
    new_added = []
    for t in added:
        t = dict(t)
        t["id"] = new_vocab.get(t["content"], n)
        if t["content"] not in new_vocab:
            n += 1
        new_added.append(t)
    d["model"]["vocab"] = new_vocab
    d["model"]["merges"] = merges
    d["added_tokens"] = new_added
    path = OUT / "deepseek-mini.json"
    path.write_text(json.dumps(d, ensure_ascii=False))
    shutil.copy(REF / "deepseek_tokenizer_LICENSE", OUT / "deepseek-mini.LICENSE")
    tok = Tokenizer.from_file(str(path))
    contents = [t["content"] for t in new_added]
    rng = random.Random(5)
    texts = TEXTS + randtext.random_texts(11, 40, 120)
    laced = [t[: len(t) // 2] + rng.choice(contents) + rng.choice(["", " ", "x"]) + t[len(t) // 2:] for t in texts[:30]]
    rows = []
    for t in texts + laced:
        rows.append({"text": t, "mode": "all", "ids": tok.encode(t, add_special_tokens=False).ids})
    tok.encode_special_tokens = True
    for t in laced:
        rows.append({"text": t, "mode": "ordinary", "ids": tok.encode(t, add_special_tokens=False).ids})
    tok.encode_special_tokens = False
    for t in texts[:10]:
        rows.append({"text": t, "mode": "add", "ids": tok.encode(t, add_special_tokens=True).ids})
    for r in list(rows[:20]):
        rows.append({"mode": "decode", "ids": r["ids"], "text": tok.decode(r["ids"], skip_special_tokens=False)})
    (OUT / "deepseek-mini.golden.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    print(f"deepseek-mini.json: {len(new_vocab)} entries, {len(merges)} merges, {len(new_added)} added; {len(rows)} golden rows")


def tekken():
    from mistral_common.tokens.tokenizers.tekken import Tekkenizer
    d = json.loads((REF / "tekken_240911.json").read_text())
    d["vocab"] = d["vocab"][:3000]
    specials = ["<unk>", "<s>", "</s>", "[INST]", "[/INST]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]",
                "[/TOOL_RESULTS]", "[TOOL_CALLS]", "[IMG]", "<pad>", "[IMG_BREAK]", "[IMG_END]", "[PREFIX]", "[MIDDLE]",
                "[SUFFIX]", "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]", "[TOOL_CONTENT]", "[THINK]", "[/THINK]"]
    d["special_tokens"] = [{"rank": i, "token_str": s, "is_control": True} for i, s in enumerate(specials)]
    d["config"]["version"] = "v13"
    d["config"]["default_num_special_tokens"] = 100
    d["config"]["default_vocab_size"] = 3000 + 100 - 200   # truncation: the last 200 ranks are cut
    d["config"]["num_vocab_tokens"] = 3000
    d.pop("image", None)
    path = OUT / "tekken-mini.json"
    path.write_text(json.dumps(d))
    tok = Tekkenizer.from_file(str(path))
    texts = TEXTS + randtext.random_texts(12, 40, 120) + ["[INST] hello [/INST]</s>"]
    rows = [{"text": t, "mode": "ordinary", "ids": tok.encode(t, bos=False, eos=False)} for t in texts]
    rows += [{"text": t, "mode": "add", "ids": tok.encode(t, bos=True, eos=False)} for t in texts[:10]]
    (OUT / "tekken-mini.golden.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    print(f"tekken-mini.json: {len(d['vocab'])} entries; {len(rows)} golden rows")


deepseek()
tekken()
