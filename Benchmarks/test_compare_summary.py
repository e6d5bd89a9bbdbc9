#!/usr/bin/env python3
"""Checks compare.py's verdict line on made-up results (no peers, no builds needed):
`ahead of every peer` is judged PASS only when every peer ran, FAIL whenever a peer that ran is
ahead, and NOT JUDGED otherwise; both it and x tiktoken are judged round by round (the median of
the rounds' ratios), not from medians taken in different rounds. Run by .ci/run."""
import contextlib
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare  # noqa: E402

ENC = ["cl100k_base"]


def summary(peers_run, times):
    """compare.summary on one file whose encoders took `times` (seconds, one per round)."""
    raw = {"tiktoken": [1.0, 1.0, 1.0], "ours (library)": [0.1, 0.1, 0.1], "ours (CLI)": [0.11, 0.11, 0.11], **times}
    row = compare.corpus_row(10 * compare.MB, raw)
    results = {"corpora": {"cl100k_base": {"english": row}}, "peers_run": peers_run, "missing_peers": []}
    with contextlib.redirect_stdout(io.StringIO()):
        compare.summary(results, ENC)
    return results["summary"]


def verdict(peers_run, times):
    return next(p for p in summary(peers_run, times) if p.startswith("ahead of every peer"))


def main() -> int:
    everyone = list(compare.PEERS)
    cases = [
        (["tiktoken"], {}, "NOT JUDGED"),
        (everyone, {p: [0.2, 0.2, 0.2] for p in everyone if p != "tiktoken"}, "PASS"),
        (["tiktoken", "gigatoken"], {"gigatoken (warm)": [0.07, 0.07, 0.07]}, "FAIL"),
        (everyone, {"splintr (warm)": [0.1, 0.1, 0.1]}, "FAIL"),   # a tie is not ahead
        # Round by round: the peer's median time (0.2 s) beats ours (0.3 s), but ours was
        # ahead in two rounds of three (the medians came from different rounds).
        (everyone, {"gigatoken (warm)": [0.2, 0.2, 0.4], "ours (library)": [0.1, 0.3, 0.3]}, "PASS"),
    ]
    failures = 0
    for peers_run, extra, want in cases:
        got = verdict(peers_run, extra)
        if not got.startswith(f"ahead of every peer: {want}"):
            print(f"FAIL: peers {peers_run}, {extra}: expected {want}, got: {got}")
            failures += 1
    # x tiktoken is paired too: tiktoken slowed in round 3 and ours in rounds 2 and 3 still
    # gives 10x, where the medians (1.0 s against 0.3 s) would give 3.3x.
    lines = summary(everyone, {"tiktoken": [1.0, 1.0, 3.0], "ours (library)": [0.1, 0.3, 0.3],
                               "ours (CLI)": [0.1, 0.3, 0.3]})
    got = next(p for p in lines if p.startswith("library >= 8x"))
    cases.append(None)
    if not got.startswith("library >= 8x tiktoken: PASS (min 10.00x"):
        print(f"FAIL: paired x tiktoken: expected PASS at 10.00x, got: {got}")
        failures += 1
    print(f"compare.py summary: {len(cases) - failures}/{len(cases)} cases as expected")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
