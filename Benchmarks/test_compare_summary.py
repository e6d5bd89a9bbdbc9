#!/usr/bin/env python3
"""Checks compare.py's verdict line on made-up results (no peers, no builds needed):
`ahead of every peer` is judged PASS only when every peer ran, FAIL whenever a peer that ran is
ahead, and NOT JUDGED otherwise. Run by .ci/run."""
import contextlib
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare  # noqa: E402

ENC = ["cl100k_base"]


def verdict(peers_run, mb_per_s):
    row = {"mb_per_s": {"tiktoken": 10.0, "ours (library)": 100.0, "ours (CLI)": 90.0, **mb_per_s},
           "cli_vs_lib": 0.9}
    results = {"corpora": {"cl100k_base": {"english": row}}, "peers_run": peers_run, "missing_peers": []}
    with contextlib.redirect_stdout(io.StringIO()):
        compare.summary(results, ENC)
    return next(p for p in results["summary"] if p.startswith("ahead of every peer"))


def main() -> int:
    everyone = list(compare.PEERS)
    cases = [
        (["tiktoken"], {}, "NOT JUDGED"),
        (everyone, {p: 50.0 for p in everyone if p != "tiktoken"}, "PASS"),
        (["tiktoken", "gigatoken"], {"gigatoken (warm)": 150.0}, "FAIL"),
        (everyone, {"splintr (warm)": 100.0}, "FAIL"),   # a tie is not ahead
    ]
    failures = 0
    for peers_run, extra, want in cases:
        got = verdict(peers_run, extra)
        if not got.startswith(f"ahead of every peer: {want}"):
            print(f"FAIL: peers {peers_run}, {extra}: expected {want}, got: {got}")
            failures += 1
    print(f"compare.py summary: {len(cases) - failures}/{len(cases)} cases as expected")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
