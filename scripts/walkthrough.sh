#!/usr/bin/env bash
# The README's walkthrough, end to end: train a vocabulary on Shakespeare, export shards,
# train tinygpt, sample. CI runs it with --quick (a few training steps) so the README's
# commands are known to work; without --quick it trains as the README says (minutes).
#
# Usage: scripts/walkthrough.sh [--quick] [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=1000
if [ "${1:-}" = "--quick" ]; then steps=20; shift; fi
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
[ -f .corpora/shakespeare.txt ] || scripts/fetch_corpora.sh
[ -x .build/release/bpe ] || swift build -c release --product bpe
[ -x .build/release/tinygpt ] || swift build -c release --product tinygpt

set -x
.build/release/bpe train .corpora/shakespeare.txt --vocab-size 2048 --special '<|endoftext|>' -o "$work/shk.tiktoken"
.build/release/bpe export --vocab "$work/shk.tiktoken" .corpora/shakespeare.txt --doc-separator '\n\n' --out "$work/shk-data"
.build/release/tinygpt train --data "$work/shk-data" --out "$work/shk.ckpt" --steps "$steps" --lr 1e-3 --eval-every 10
.build/release/tinygpt sample --checkpoint "$work/shk.ckpt" --prompt 'ROMEO:' --tokens 40 --temperature 0.8 --top-k 40
set +x
test -s "$work/shk.ckpt"
echo "walkthrough: ok"
