"""Seeded random-text generator shared by gen_fixtures.py and parity.py.

The generator builds strings out of short *runs* drawn from character pools
(ASCII words, Latin-1, CJK, emoji sequences, combining marks, every kind of
Unicode whitespace, digits of many scripts, punctuation/apostrophes, rare
planes, ...), because tokenizer bugs hide at the boundaries between character
classes.  Output is fully determined by the seed (``random.Random`` is stable
across CPython 3.x for ``randrange``/``choice``/``random``).  Surrogates
(U+D800..U+DFFF) are never produced.

Nothing here depends on tiktoken.
"""

from __future__ import annotations

import random

SURROGATES = range(0xD800, 0xE000)

# Every White_Space character plus look-alikes that are *not* White_Space
# (U+180E, U+200B, U+FEFF, U+2060), which regex engines disagree about.
WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)
WHITESPACE_LOOKALIKES = "\u180e\u200b\u200c\u200d\u2060\ufeff"

ASCII_WORDS = (
    "the of and to in is you that it he was for on are as with his they I at be "
    "this have from or one had by word but not what all were we when your can said "
    "there use an each which she do how their if will up other about out many then "
    "them these so some her would make like him into time has look two more write go "
    "see number no way could people my than first water been call who oil its now "
    "HTTP JSON XMLHttpRequest iPhone McDonald camelCase snake_case SCREAMING_CASE "
    "don't DON'T I'm I'M we'll We'LL they're THEY'RE it's IT'S you've I'd "
).split()

DIGITS = (
    "0123456789"
    "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"  # Arabic-Indic
    "\u06f0\u06f1\u06f2\u06f3"  # Extended Arabic-Indic
    "\u0966\u0967\u0968\u0969\u096f"  # Devanagari
    "\u09e6\u09e7\u09e8"  # Bengali
    "\u0e50\u0e51\u0e52\u0e59"  # Thai
    "\uff10\uff11\uff12\uff19"  # Fullwidth
    "\u00b2\u00b3\u00b9\u00bc\u00bd\u2070\u2074\u2089"  # superscripts/fractions (No)
    "\u2160\u2161\u216b\u2170\u217b\u3007"  # Roman numerals, ideographic zero (Nl)
    "\u2460\u2461\u2473\u24ea"  # circled numbers (No)
    "\U0001d7ce\U0001d7d8\U0001d7ec"  # mathematical digits (Nd, astral)
    "\U00012400\U00010140"  # cuneiform / Greek acrophonic numbers (Nl)
)

PUNCT = (
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
    "''''''"  # apostrophes are important for contraction rules
    "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00ab\u00bb\u00a1\u00bf\u00b7"
    "\u3001\u3002\u300c\u300d\uff01\uff0c\uff1f"
    "\u00a9\u00ae\u2122\u00b0\u00b1\u00d7\u00f7\u20ac\u00a3\u00a5\u2192\u221e"
)

COMBINING = "".join(
    chr(c)
    for c in (
        0x0300, 0x0301, 0x0302, 0x0303, 0x0308, 0x030A, 0x0327, 0x0328, 0x0336,
        0x0345, 0x0483, 0x05B0, 0x05BC, 0x0610, 0x064B, 0x0651, 0x093C, 0x094D,
        0x0E31, 0x0E48, 0x1AB0, 0x1DC0, 0x20D0, 0x20E3, 0xFE0F, 0xFE0E, 0x302A,
        0x3099, 0x309A, 0x1D165, 0xE0100,
    )
)

TITLECASE = "\u01c5\u01c8\u01cb\u01f2\u1f88\u1f8f\u1f98\u1fbc\u1fcc\u1ffc"
MODIFIER_LETTERS = "\u02b0\u02b2\u02bc\u02c6\u02d0\u0374\u3005\u309d\u30fc\uff70\ua788"
CASE_ODDITIES = "\u017f\u212a\u0130\u0131\u00df\u1e9e\u03c2\u0345\u1fbe"  # ſ K İ ı ß ẞ ς

LATIN1 = "".join(chr(c) for c in range(0xC0, 0x100) if c not in (0xD7, 0xF7))

EMOJI_SEQS = [
    "\U0001f600", "\U0001f602", "\U0001f44d", "\U0001f44d\U0001f3fd",
    "\U0001f44b\U0001f3ff", "\u2764\ufe0f", "\U0001f355", "\U0001f680",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",
    "\U0001f469\U0001f3fd\u200d\U0001f4bb", "\U0001f3f3\ufe0f\u200d\U0001f308",
    "\U0001f1fa\U0001f1f8", "\U0001f1ef\U0001f1f5", "\U0001f1e9\U0001f1ea",
    "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    "1\ufe0f\u20e3", "#\ufe0f\u20e3", "*\ufe0f\u20e3", "\u263a", "\u2603\ufe0e",
    "\U0001faf1\U0001f3fb\u200d\U0001faf2\U0001f3ff",
]

# (lo, hi) inclusive ranges for scripts / blocks.
RANGES = {
    "cjk": [(0x4E00, 0x9FFF), (0x3400, 0x4DBF)],
    "cjk_ext": [(0x20000, 0x2A6DF), (0x2B740, 0x2B81D), (0x30000, 0x3134A)],
    "kana": [(0x3041, 0x3096), (0x30A1, 0x30FA), (0xFF66, 0xFF9D)],
    "hangul": [(0xAC00, 0xD7A3), (0x1100, 0x1112), (0x1161, 0x1175), (0x11A8, 0x11C2)],
    "cyrillic": [(0x0400, 0x04FF)],
    "greek": [(0x0370, 0x03FF), (0x1F00, 0x1FFF)],
    "arabic": [(0x0600, 0x06FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFC)],
    "hebrew": [(0x0591, 0x05F4)],
    "indic": [(0x0900, 0x097F), (0x0980, 0x09FF), (0x0B80, 0x0BFF), (0x0D00, 0x0D7F)],
    "thai": [(0x0E01, 0x0E5B), (0x0E81, 0x0EDF)],
    "misc_scripts": [
        (0x10A0, 0x10FF), (0x0530, 0x058F), (0x1200, 0x137F), (0x13A0, 0x13FF),
        (0x1780, 0x17FF), (0x1800, 0x18AF), (0x0F00, 0x0FFF), (0xA000, 0xA48C),
    ],
    "symbols": [(0x2190, 0x23FF), (0x2500, 0x27BF), (0x2900, 0x2BFF), (0x1F300, 0x1F5FF)],
    "math_alnum": [(0x1D400, 0x1D7FF)],
    "rare_planes": [
        (0x10000, 0x1007F), (0x10300, 0x1034F), (0x10400, 0x1044F), (0x11000, 0x1107F),
        (0x12000, 0x123FF), (0x13000, 0x1342F), (0x16800, 0x16A3F), (0x1E800, 0x1E8DF),
        (0x1E900, 0x1E95F), (0x1F000, 0x1F02F), (0x1F900, 0x1F9FF), (0x1FA70, 0x1FAFF),
    ],
    "private_use": [(0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD)],
    "specials": [(0xFFF0, 0xFFFF), (0xE0000, 0xE007F), (0xFE00, 0xFE0F)],
    "controls": [(0x0000, 0x001F), (0x007F, 0x009F)],
}


def _from_ranges(rng: random.Random, ranges) -> str:
    lo, hi = ranges[rng.randrange(len(ranges))]
    c = rng.randint(lo, hi)
    if c in SURROGATES:
        c = 0xE000
    return chr(c)


def any_scalar(rng: random.Random) -> str:
    """A uniformly random Unicode scalar value (any plane, no surrogates)."""
    while True:
        c = rng.randrange(0x110000)
        if c not in SURROGATES:
            return chr(c)


def _run(rng: random.Random, kind: str) -> str:
    n = rng.choice((1, 1, 1, 2, 2, 3, 4, 6, 9, 15))
    if kind == "words":
        sep = rng.choice((" ", " ", " ", "", "\n", "  ", "\t", "\u00a0", "_", "-"))
        return sep.join(rng.choice(ASCII_WORDS) for _ in range(n)) + rng.choice(("", " ", ".", ",", "'s"))
    if kind == "ascii":
        return "".join(chr(rng.randint(0x20, 0x7E)) for _ in range(n))
    if kind == "latin1":
        return "".join(rng.choice(LATIN1) for _ in range(n))
    if kind == "whitespace":
        return "".join(rng.choice(WHITESPACE + WHITESPACE_LOOKALIKES + "  \n\n\r\n") for _ in range(n))
    if kind == "digits":
        return "".join(rng.choice(DIGITS if rng.random() < 0.5 else "0123456789") for _ in range(n))
    if kind == "punct":
        return "".join(rng.choice(PUNCT) for _ in range(n))
    if kind == "combining":
        return "".join(rng.choice(COMBINING) for _ in range(rng.choice((1, 1, 2, 3, 8))))
    if kind == "titlecase":
        return "".join(rng.choice(TITLECASE + MODIFIER_LETTERS + CASE_ODDITIES) for _ in range(n))
    if kind == "emoji":
        return "".join(rng.choice(EMOJI_SEQS) for _ in range(rng.choice((1, 1, 2, 3))))
    if kind == "apostrophe":
        return rng.choice(("'", "'s", "'S", "'ll", "'LL", "'Re", "'ve", "'d", "'t", "'m", "'\u017f", "\u2019s", "'x"))
    if kind == "any":
        return "".join(any_scalar(rng) for _ in range(n))
    return "".join(_from_ranges(rng, RANGES[kind]) for _ in range(n))


KINDS = (
    ["words"] * 8
    + ["ascii"] * 3
    + ["latin1"] * 2
    + ["whitespace"] * 5
    + ["digits"] * 3
    + ["punct"] * 3
    + ["combining"] * 3
    + ["titlecase"] * 2
    + ["emoji"] * 3
    + ["apostrophe"] * 3
    + ["any"] * 2
    + list(RANGES) * 1
    + ["cjk", "kana", "hangul", "cyrillic", "greek", "arabic", "indic"]
)


def random_text(rng: random.Random, max_chars: int = 300) -> str:
    """One random string of up to about ``max_chars`` characters."""
    target = rng.randint(0, max_chars)
    parts: list[str] = []
    size = 0
    while size < target:
        s = _run(rng, rng.choice(KINDS))
        parts.append(s)
        size += len(s)
    return "".join(parts)


def random_texts(seed: int, count: int, max_chars: int = 300) -> list[str]:
    rng = random.Random(seed)
    return [random_text(rng, max_chars) for _ in range(count)]


def random_document(seed: int, approx_bytes: int) -> str:
    """A long random document of roughly ``approx_bytes`` UTF-8 bytes."""
    rng = random.Random(seed)
    parts: list[str] = []
    size = 0
    while size < approx_bytes:
        s = random_text(rng, 400)
        parts.append(s)
        size += len(s.encode("utf-8"))
    return "".join(parts)


if __name__ == "__main__":
    for t in random_texts(1, 5, 80):
        print(repr(t))
