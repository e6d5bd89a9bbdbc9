#!/usr/bin/env python3
"""Generate golden tokenizer fixtures from the reference (tiktoken 0.14.0).

Usage:
    python3 scripts/gen_fixtures.py            # (re)write Fixtures/golden/*
    python3 scripts/gen_fixtures.py --check    # regenerate in memory, exit 1 if
                                               # any file on disk differs
    python3 scripts/gen_fixtures.py --out DIR  # write somewhere else

Needs only tiktoken==0.14.0 in the running interpreter; the vocab is loaded
offline from <repo>/vocab/ (see scripts/oracle.py).  Output is deterministic.

Files written (all pure ASCII: every non-ASCII character in JSON strings is
\\u-escaped, astral characters as surrogate pairs, so no line splitter can
mistake U+0085/U+2028/U+2029 for a line break):

  Fixtures/golden/<encoding>.jsonl   for r50k_base, p50k_base, p50k_edit,
      cl100k_base, o200k_base, o200k_harmony.  One JSON object per line:
        {"text": str, "allowed": "all" | "none" | [str, ...], "ids": [int], "case": str}
      ids == enc.encode(text, allowed_special=<allowed>, disallowed_special=())
      i.e. the "disallowed special" check is OFF; "none" == encode_ordinary.
      "case" is a short human-readable label of the test case (informational).
      The same texts are used for every encoding; lists in "allowed" only name
      special tokens that the encoding actually has.

  Fixtures/golden/decode_lossy.jsonl  One object per line:
        {"encoding": str, "ids": [int], "bytes_hex": str, "lossy": str, "case": str}
      bytes_hex is the hex of the concatenated token bytes and
      lossy == enc.decode(ids) (UTF-8 decoding with errors="replace", i.e. each
      maximal invalid subsequence becomes one U+FFFD).

  Fixtures/golden/meta.json  Per encoding: n_vocab, max_token_value,
      eot_token, special_tokens (name -> id), pat_str; plus the tiktoken and
      Python unicodedata versions used.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from oracle import ENCODINGS, get_encoding, repo_root, tiktoken_module  # noqa: E402
import randtext  # noqa: E402

RANDOM_SEED = 20240501
RANDOM_COUNT = 50

# Unicode spaces/space-like characters requested for the edge cases.
UNICODE_SPACES = [
    ("NBSP", "\u00a0"), ("IDEOGRAPHIC_SPACE", "\u3000"), ("LINE_SEP", "\u2028"),
    ("PARA_SEP", "\u2029"), ("NEL", "\u0085"), ("OGHAM_SPACE", "\u1680"),
] + [(f"U+{c:04X}", chr(c)) for c in range(0x2000, 0x200B)] + [
    ("NNBSP", "\u202f"), ("MMSP", "\u205f"), ("MONGOLIAN_VS", "\u180e"),
    ("BOM", "\ufeff"), ("ZWSP", "\u200b"), ("WORD_JOINER", "\u2060"),
    ("TAB", "\t"), ("VT", "\x0b"), ("FF", "\x0c"), ("CR", "\r"), ("FS", "\x1c"),
]


def edge_cases() -> list[tuple[str, str]]:
    """(label, text) pairs; identical for every encoding."""
    cases: list[tuple[str, str]] = []

    def add(label: str, *texts: str) -> None:
        for i, t in enumerate(texts):
            cases.append((label if len(texts) == 1 else f"{label}#{i}", t))

    add("basic", "", "hello world", "Hello, World!", " hello", "hello ", "a", " ", "\n")

    # --- contractions -----------------------------------------------------
    add(
        "contractions",
        "DON'T", "I'M", "We'LL", "they'RE", "it'S", "'s'S'd", "don't", "I'm",
        "we'll", "they're", "it's", "I've", "you'd", "I'VE", "YOU'D", "'ll",
        "'LL", "'lL", "'Ve", "'", "''", "'''s", "x'", "'x", "' s", "it's'",
        "rock'n'roll", "O'NEILL'S", "McDonald's", "HELLO'S world",
        "it\u2019s", "'\u017f", "it'\u017f", "IT'\u017f", "'\u212a",  # ſ (folds to s), Kelvin sign
        "'s\n", "'s ", " 's", "1's", "'1", "''ll've", "can't've", "'t'm'd",
        "ǅ's", "ÉTÉ'S", "été's", "中's", "x 's", "x's's", "'sa", "'sS", "'Sa",
    )

    # --- Unicode spaces ---------------------------------------------------
    for name, c in UNICODE_SPACES:
        add(
            f"space:{name}",
            c, f"a{c}b", f"a{c}{c}{c}b", f"{c}{c}{c}", f"x{c}\n", f"{c}\n",
            f" {c}x", f"{c} x", f"x {c}", f"1{c}2", f"'{c}s",
        )
    add(
        "spaces:mixed",
        "a \u00a0 \u3000 b", "\u2028\u2029\u0085", "  \u00a0\n\u3000x",
        "x\u00a0\u00a0\u00a0\n\n", "word\u202fword\u205fword", "\ufeffBOM at start",
        "\u00a0\u00a0hello", "tab\tseparated\tvalues\n", " \t \u00a0 \u3000",
    )

    # --- combining marks / complex scripts ------------------------------------
    add(
        "combining",
        "e\u0301", "a\u0308\u0304", "\u0301", " \u0301", "'\u0301", "1\u0301",
        "\u0301a", "A\u0301B\u0302c", "e\u0301\u0301\u0301\u0301\u0301",
        "Z\u0334\u0321\u032aa\u0336l\u0337g\u0338o\u0335",
        unicodedata.normalize("NFD", "Tiếng Việt có dấu"), "Tiếng Việt có dấu",
        "नमस्ते दुनिया", "क्षत्रिय", "हिन्दी१२३", "\u1100\u1161\u11a8\u1100\u1161",
        "한국어 텍스트", "สวัสดีครับ", "مَرْحَبًا بِالْعَالَم", "שָׁלוֹם עוֹלָם",
        "ক্ষ্ম", "தமிழ்", "ಕನ್ನಡ", "\u0915\u094d\u200d\u0937", "a\u20dd", "x\u20e3",
        "\u3099\u309a", "か\u3099", "\u1ab0\u1dc0", "ñ", "n\u0303", "Ω\u0345",
    )

    # --- emoji ----------------------------------------------------------
    add(
        "emoji",
        "👨‍👩‍👧‍👦", "👨‍👩‍👧‍👦 family", "🇺🇸🇯🇵🇩🇪", "🇺", "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
        "👍🏽👋🏿", "🏽", "1️⃣#️⃣*️⃣", "❤️", "❤︎", "👩🏽‍💻", "🏳️‍🌈", "I ❤️ 🍕!",
        "😀😃😄😁😆", "emoji😀inside", "'😀", " 😀", "😀's", "🫱🏻‍🫲🏿", "\u200d", "a\u200db",
    )

    # --- digits ---------------------------------------------------------
    add(
        "digits",
        "١٢٣٤٥٦٧٨٩٠", "०१२३४५६७८९", "１２３４５", "๑๒๓๔", "১২৩৪", "x²+y³", "²³¹",
        "Ⅻ", "ⅻ ⅷ", "ⅫⅫⅫⅫ", "12345678", "3.14159", "1,000,000", "123abc456",
        "a1b22c333d4444", "$1,234.56", "-42", "1e10", "0x1F", "½¼", "٣.١٤",
        "𝟙𝟚𝟛𝟜", "①②③④", "𒐀𒐁", "0", "00", "000", "0000", "1 2 3", " 123",
        "123 ", "2024-05-01T12:34:56Z", "v1.2.3", "〇一二三", "12中34", "1'23",
    )

    # --- titlecase / case classes (o200k distinguishes Lu/Lt vs Ll) -------
    add(
        "titlecase",
        "ǅ", "ǈ", "ǋ", "ᾈ", "ǅemal", "xǅy", "ǅ's", "ǅ'S", "DŽemal", "džemal",
        "ᾈστρον", "Xǅ", " ǅǅ", "aǅ'll", "ǅǅǅ", "Ǆǅǆ", "ᾼᾳ", "ǈJUBLJANA", "ǋa'VE",
    )
    add(
        "case",
        "HelloWorld", "camelCaseString", "XMLHttpRequest", "iPhone", "ABCdef",
        "abcDEF", "ALLCAPS", "lowercase", "MiXeD CaSe", "ʰello", "ʰʲʷ",
        "中文abc", "abc中文", "ÀÉÎõü", "ÀÉÎ'S", "straße STRASSE ẞ", "İstanbul ıi",
        "Ωmega ωMEGA", "ПриветМир", "a_b_c", "ſtate", "\u212aelvin",
    )

    # --- line endings / whitespace runs ------------------------------------
    add(
        "crlf",
        "a\r\nb", "\r\n\r\n", "  \r\n  x", "x \r\n", "\r", "\r\r\n", "a\rb",
        "line1\r\nline2\r\n", " \r\n", "\n\r", "\r\n", "x\r\n\r\n\r\ny",
        "a.\r\nb", "a!\r\n", "!!\r\n\r\n", "x\r\n \r\n", "\t\r\n",
    )
    add(
        "trailing_ws",
        "abc   ", "abc\n\n\n", "abc \t ", "abc \n", "abc\n ", "   ", "\t",
        "a\t\tb", "a   b", "a\n\n  b", "  leading", "\n\nleading", " \n \n x",
        "x  \n", "x\n  ", "x  \n  y", ".  \n", "a \n\n b", "\n \n", "\t\n\t",
        "a\n\n\n\nb", "end.\n", "x\x0b\x0cy",
    )
    add(
        "slash_punct",  # o200k pattern: ' ?[^\s\p{L}\p{N}]+[\r\n/]*'
        "a//b", "!!/\n", "http://x", "../..", ".../\n", "?!/\r\n/", " //", "a/b/c",
        "<br/>", "*/\n", "-->\n\n", "...", " ...", "!!!abc", "({[]})", "a+b=c",
    )

    # --- long runs --------------------------------------------------------
    add("run:a", "a" * 1000)
    add("run:space", " " * 1000)
    add("run:space_x", " " * 300 + "x")
    add("run:newline", "\n" * 500)
    add("run:e_acute", "é" * 300)
    add("run:cjk", "中" * 300)
    add("run:bang", "!" * 500)
    add("run:zero", "0" * 1000)
    add("run:ab", "ab" * 500)
    add("run:tab", "\t" * 200)
    add("run:crlf", "\r\n" * 100)
    add("run:nbsp", "\u00a0" * 200)
    add("run:emoji", "😀" * 100)
    add("run:combining", "a" + "\u0301" * 200)
    add("run:apostrophe", "'" * 200)
    add("run:space_word", " a" * 300)

    # --- code / structured text -------------------------------------------------
    add(
        "code",
        'def fib(n: int) -> int:\n    """Return the n-th Fibonacci number."""\n'
        "    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n\n"
        "\tprint(f'{fib(10)=}')  # trailing comment   \n",
        '{"name": "tiktoken", "version": "0.14.0", "ids": [1, 2, 3], "nested": {"a": null, "b": true}}',
        '{\n  "key": "value",\n  "emoji": "\\ud83d\\ude00",\n  "list": [\n    1.5e-3,\n    -2\n  ]\n}\n',
        "https://example.com/path/to/page?query=1&b=%20x#frag",
        "ftp://user:pass@host:21/dir/file.tar.gz",
        "mailto:someone@example.org",
        "func main() {\n\tfmt.Println(\"hi\")\n}\n",
        "let x: [Int] = [1, 2, 3].map { $0 * 2 }\n",
        "#include <stdio.h>\nint main(void){return 0;}\r\n",
        "<html><body class=\"x\">Hi &amp; bye</body></html>",
        "| a | b |\n|---|---|\n| 1 | 2 |\n",
        "$ ls -la | grep '^d' > out.txt 2>&1",
        "\\begin{equation} E = mc^2 \\end{equation}",
        "SELECT * FROM t WHERE id = 42;",
        "    indented\n        more\n    back\n",
        "x = 1;\n\n\n\ny = 2;",
    )
    add(
        "misc",
        "Bonjour à tous, ça va ?", "Grüße aus Köln", "Привет, мир!", "Γειά σου Κόσμε",
        "こんにちは世界", "你好，世界！", "안녕하세요", "שלום", "مرحبا", "ሰላም",
        "\x00", "a\x00b", "\x7f\x1b[0m", "\ufffd", "\uffff\ufffe", "\U0010ffff",
        "\ue000", "\U000e0001", "\U0001d11e", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "🎉 Done! 🎉",
    )
    return cases


def special_cases(enc_names: list[str]) -> list[tuple[str, str, object]]:
    """(label, text, allowed) for special-token handling.

    ``allowed`` is "all", "none", or a list of token strings; lists are
    filtered per encoding later (see _filter_allowed).
    """
    eot = "<|endoftext|>"
    texts = [
        ("eot", eot),
        ("eot_adjacent", "Hello<|endoftext|>World"),
        ("eot_repeated", "<|endoftext|><|endoftext|><|endoftext|>"),
        ("eot_spaced", "a <|endoftext|> b\n<|endoftext|>\n"),
        ("eot_ws_around", "  <|endoftext|>  \n\n<|endoftext|>"),
        ("fim", "<|fim_prefix|>def f():<|fim_suffix|>\n    return 1<|fim_middle|>"),
        ("mixed", "<|endoftext|><|fim_prefix|>x<|endofprompt|>y<|fim_middle|>"),
        ("endofprompt", "Q: 1+1?<|endofprompt|>A: 2"),
        ("partial_open", "<|endoftext|"),
        ("partial_extra_gt", "<|endoftext|>>"),
        ("partial_extra_lt", "<<|endoftext|>"),
        ("partial_tail", "<|endoftext|><|endoftext"),
        ("partial_head", "endoftext|><|endoftext|>"),
        ("wrong_case", "<|ENDOFTEXT|> <|EndOfText|>"),
        ("inner_spaces", "<| endoftext |>"),
        ("nested", "<|<|endoftext|>|>"),
        ("unicode_around", "中文<|endoftext|>😀<|endoftext|>é"),
        ("contraction_around", "it'<|endoftext|>s"),
        ("digits_around", "123<|endoftext|>456"),
        (
            "harmony_chat",
            "<|start|>user<|message|>What is 2+2?<|end|><|start|>assistant"
            "<|channel|>final<|message|>4<|return|>",
        ),
        ("harmony_call", "<|start|>assistant to=functions.f<|constrain|>json<|message|>{}<|call|>"),
        ("harmony_reserved", "<|reserved_200013|>x<|reserved_201087|><|reserved_200000|>"),
        ("startoftext", "<|startoftext|>Hello<|endoftext|>"),
    ]
    allowed_variants: list[object] = [
        "all",
        "none",
        [eot],
        ["<|fim_prefix|>"],
        [eot, "<|endofprompt|>"],
        ["<|start|>", "<|message|>"],
        ["<|reserved_200013|>"],
    ]
    out = []
    for label, text in texts:
        for allowed in allowed_variants:
            out.append((f"special:{label}", text, allowed))
    return out


def _filter_allowed(enc, allowed):
    if isinstance(allowed, str):
        return allowed
    return sorted(t for t in allowed if t in enc.special_tokens_set)


def _encode(enc, text: str, allowed):
    if allowed == "all":
        return enc.encode(text, allowed_special="all", disallowed_special=())
    if allowed == "none":
        return enc.encode(text, allowed_special=set(), disallowed_special=())
    return enc.encode(text, allowed_special=set(allowed), disallowed_special=())


def _dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=True, separators=(", ", ": "))


def golden_lines(name: str) -> list[str]:
    enc = get_encoding(name)
    lines: list[str] = []
    seen: set[tuple[str, str]] = set()

    def emit(label: str, text: str, allowed) -> None:
        allowed = _filter_allowed(enc, allowed)
        if isinstance(allowed, list) and not allowed:
            return  # list referred only to tokens this encoding lacks
        key = (text, json.dumps(allowed))
        if key in seen:
            return
        seen.add(key)
        ids = _encode(enc, text, allowed)
        lines.append(_dumps({"text": text, "allowed": allowed, "ids": ids, "case": label}))

    for label, text in edge_cases():
        emit(label, text, "none")
    for label, text, allowed in special_cases(list(ENCODINGS)):
        emit(label, text, allowed)
    # All special tokens of this encoding (at most 24 for harmony) in one text.
    specials = sorted(enc.special_tokens_set, key=lambda s: enc._special_tokens[s])
    if len(specials) > 24:
        specials = specials[:12] + specials[-12:]
    all_specials_text = " ".join(specials) + "\n" + "".join(specials)
    for allowed in ("all", "none"):
        emit("special:all_of_encoding", all_specials_text, allowed)

    texts = randtext.random_texts(RANDOM_SEED, RANDOM_COUNT, max_chars=240)
    for i, text in enumerate(texts):
        emit(f"random#{i}", text, "none")
    # A few random texts with special tokens spliced in, encoded with "all".
    rng = random.Random(RANDOM_SEED + 1)
    toks = sorted(enc.special_tokens_set)
    for i in range(6):
        parts = []
        for t in randtext.random_texts(RANDOM_SEED + 100 + i, 4, max_chars=60):
            parts.append(t)
            parts.append(rng.choice(toks))
        text = "".join(parts)
        emit(f"random_special#{i}", text, "all")
        emit(f"random_special#{i}", text, "none")
    return lines


def decode_lossy_lines() -> list[str]:
    lines: list[str] = []
    # Raw byte sequences built from single-byte tokens (every byte value is a
    # token in these vocabularies); each pins one UTF-8 error-recovery rule.
    byte_cases = [
        ("lone_continuation", b"\x80"),
        ("lone_ff", b"\xff"),
        ("truncated_2byte", b"\xc3"),
        ("truncated_3byte", b"\xe4\xb8"),
        ("truncated_4byte", b"\xf0\x9f\x98"),
        ("truncated_4byte_then_ascii", b"\xf0\x9f\x98a"),
        ("surrogate_encoding", b"\xed\xa0\x80"),
        ("overlong_slash", b"\xc0\xaf"),
        ("overlong_3byte", b"\xe0\x80\xaf"),
        ("above_max", b"\xf4\x90\x80\x80"),
        ("f5_lead", b"\xf5\x80"),
        ("two_leads", b"\xe4\xe4\xb8\xad"),
        ("valid_then_cut", b"ok \xe4\xb8\xad\xe6\x96"),
        ("ascii_invalid_ascii", b"a\xffb\xfe c"),
    ]
    for name in ENCODINGS:
        enc = get_encoding(name)
        cases: list[tuple[str, list[int]]] = []
        for label, bs in byte_cases:
            cases.append((f"bytes:{label}", [enc.encode_single_token(bytes([b])) for b in bs]))
        # Natural token splits of multi-byte characters: prefixes of the
        # token sequence for texts whose tokens carry partial UTF-8.
        for label, text in (
            ("cjk", "中文字符"), ("emoji_zwj", "👨‍👩‍👧‍👦"), ("emoji", "🫱🏻‍🫲🏿"),
            ("rare", "\U00012000\U0001d11e"), ("hangul", "한국어"),
        ):
            ids = enc.encode_ordinary(text)
            partial = [
                i for i in ids
                if not _is_valid_utf8(enc.decode_single_token_bytes(i))
            ]
            if partial:
                cases.append((f"partial_tokens:{label}", partial[:4]))
            for k in range(1, len(ids)):
                if not _is_valid_utf8(enc.decode_bytes(ids[:k])):
                    cases.append((f"prefix:{label}:{k}", ids[:k]))
                    break
            cases.append((f"reversed:{label}", list(reversed(ids))))
        cases.append(("special_eot", [enc.eot_token]))
        cases.append(("special_between_partial", [enc.encode_single_token(b"\xe4"), enc.eot_token, enc.encode_single_token(b"\xb8")]))
        cases.append(("empty", []))
        for label, ids in cases:
            bs = enc.decode_bytes(ids)
            lines.append(_dumps({
                "encoding": name, "ids": ids, "bytes_hex": bs.hex(),
                "lossy": enc.decode(ids), "case": label,
            }))
    return lines


def _is_valid_utf8(b: bytes) -> bool:
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def meta() -> str:
    tk = tiktoken_module()
    encs = {}
    for name in ENCODINGS:
        enc = get_encoding(name)
        encs[name] = {
            "n_vocab": enc.n_vocab,
            "max_token_value": enc.max_token_value,
            "eot_token": enc.eot_token,
            "special_tokens": dict(sorted(enc._special_tokens.items(), key=lambda kv: kv[1])),
            "pat_str": enc._pat_str,
        }
    doc = {
        "tiktoken_version": getattr(tk, "__version__", "?"),
        "python_unicodedata_version": unicodedata.unidata_version,
        "encodings": encs,
    }
    return json.dumps(doc, ensure_ascii=True, indent=1) + "\n"


def build() -> dict[str, str]:
    files: dict[str, str] = {}
    for name in ENCODINGS:
        files[f"{name}.jsonl"] = "\n".join(golden_lines(name)) + "\n"
    files["decode_lossy.jsonl"] = "\n".join(decode_lossy_lines()) + "\n"
    files["meta.json"] = meta()
    return files


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=None, help="output dir (default <repo>/Fixtures/golden)")
    ap.add_argument("--check", action="store_true", help="verify files on disk are up to date; write nothing")
    args = ap.parse_args()
    out = args.out or (repo_root() / "Fixtures" / "golden")
    files = build()
    if args.check:
        stale = []
        for fname, content in files.items():
            p = out / fname
            if not p.exists() or p.read_text(encoding="utf-8") != content:
                stale.append(fname)
        if stale:
            print("stale or missing fixtures: " + ", ".join(stale), file=sys.stderr)
            return 1
        print(f"all {len(files)} fixture files up to date in {out}")
        return 0
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for fname, content in files.items():
        data = content.encode("ascii")
        (out / fname).write_bytes(data)
        total += len(data)
        print(f"{fname:24s} {len(data):9d} bytes  {content.count(chr(10)):5d} lines")
    print(f"{'total':24s} {total:9d} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
