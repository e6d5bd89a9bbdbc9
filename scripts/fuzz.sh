#!/usr/bin/env bash
# fuzz.sh - build the libFuzzer targets (Sources/FuzzTargets/) and fuzz each for a while.
#
# Usage:
#   scripts/fuzz.sh [--seconds N] [--smoke] [TARGET...]
#
#   TARGET       FuzzEncode (encode/decode/count/batch round trips, every built-in encoding),
#                FuzzParsers (.tiktoken, sidecar JSON, word-counts file, llm.c shard),
#                FuzzSplit (pre-tokenizer tiling, lexer == PCRE2, gpt2/cl100k/o200k).
#                Default: all three, one after the other.
#   --seconds N  fuzz each target for N seconds (default 60).
#   --smoke      CI mode: 5 seconds per target.
#
# Each target starts from its seeds in Fixtures/fuzz/<TARGET>/, copied to a temporary corpus
# (the repository is never written to, except for crash inputs). Inputs are at most 4096
# bytes. The report gives, per target, the runs executed and the crashes found. A crash
# (trap, timeout, out-of-memory) stops that target; its input is copied to
# Fixtures/fuzz/crashes/<TARGET>-<sha1 prefix>, where Tests/BPETests/FuzzRegressionTests.swift
# replays it, and the script exits 1 once all targets have run.
#
# Longer runs: `scripts/fuzz.sh --seconds 3600 FuzzSplit`. To keep the corpus a run grows, or
# use libFuzzer's own options (-jobs, -dict, -only_ascii…), run the binary directly:
#   scripts/fuzz.sh --seconds 1 FuzzSplit      # builds .build-fuzz/release/FuzzSplit
#   mkdir -p /tmp/corpus && cp Fixtures/fuzz/FuzzSplit/* /tmp/corpus/
#   SWIFT_BACKTRACE=enable=no .build-fuzz/release/FuzzSplit /tmp/corpus -max_len=4096 -max_total_time=3600
# Replay one input with the fuzz binary: `.build-fuzz/release/FuzzSplit FILE`; or without
# the fuzzer, from a plain `swift build`: `.build/debug/FuzzSplit FILE|DIR...`.
#
# The build: `-sanitize=fuzzer` instruments the Swift modules (C code such as PCRE2 is not
# instrumented, so the fuzzer steers by the Swift side) and links libFuzzer; `-DFUZZING`
# selects the libFuzzer entry point over the regression runner; lld, because gold fails with
# an internal error on libFuzzer's archive. A separate scratch path keeps the instrumented
# build away from .build.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(FuzzEncode FuzzParsers FuzzSplit)
seconds=60
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds="${2:?--seconds needs a number}"; shift 2 ;;
        --smoke) seconds=5; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        Fuzz*) targets+=("$1"); shift ;;
        *) echo "fuzz.sh: unknown argument '$1' (targets: ${all_targets[*]}; see --help)" >&2; exit 2 ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
case "$seconds" in ''|*[!0-9]*) echo "fuzz.sh: --seconds wants a whole number, got '$seconds'" >&2; exit 2 ;; esac

flags=(--scratch-path .build-fuzz -c release
       -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING -Xswiftc -use-ld=lld)
for t in "${targets[@]}"; do
    [ -d "Fixtures/fuzz/$t" ] || { echo "fuzz.sh: no target '$t' (targets: ${all_targets[*]})" >&2; exit 2; }
    echo "fuzz.sh: building $t" >&2
    swift build "${flags[@]}" --product "$t" >&2
done
bin="$(swift build "${flags[@]}" --show-bin-path)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p Fixtures/fuzz/crashes
failed=0
summary=()
for t in "${targets[@]}"; do
    dir="$work/$t"
    mkdir -p "$dir/corpus" "$dir/artifacts"
    cp Fixtures/fuzz/"$t"/* "$dir/corpus/"
    echo "fuzz.sh: fuzzing $t for ${seconds}s" >&2
    status=0
    # The Swift runtime's backtracer would otherwise take over the crash signal, and
    # libFuzzer would never write the crash input.
    SWIFT_BACKTRACE=enable=no "$bin/$t" "$dir/corpus" \
        -max_len=4096 -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$dir/artifacts/" >"$dir/log" 2>&1 || status=$?
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)"
    if [ -z "$runs" ]; then
        # A crash skips the final stats; the last status line has the count.
        runs="$(grep -o '^#[0-9]*' "$dir/log" | tail -1 | tr -d '#')"
    fi
    crashes=0
    for f in "$dir"/artifacts/crash-* "$dir"/artifacts/timeout-* "$dir"/artifacts/oom-* "$dir"/artifacts/leak-*; do
        [ -f "$f" ] || continue
        crashes=$((crashes + 1))
        kind="$(basename "$f" | cut -d- -f1)"
        saved="Fixtures/fuzz/crashes/$t-$(sha1sum "$f" | cut -c1-16)"
        cp "$f" "$saved"
        echo "fuzz.sh: $t: $kind, input saved as $saved; libFuzzer said:" >&2
        grep -m1 -E 'Fatal error|Precondition failed|ERROR: libFuzzer' "$dir/log" | sed 's/^/    /' >&2
        grep -E '^(SUMMARY|MS:|Base64)' "$dir/log" | sed 's/^/    /' >&2
    done
    if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then
        echo "fuzz.sh: $t exited with status $status and left no input; its log:" >&2
        tail -25 "$dir/log" | sed 's/^/    /' >&2
        crashes="? (exit $status)"
    fi
    [ "$status" -eq 0 ] && [ "$crashes" = 0 ] || failed=1
    summary+=("$(printf '%-12s %12s runs in %ss, crashes: %s' "$t" "${runs:-?}" "$seconds" "$crashes")")
done

printf '%s\n' "${summary[@]}"
exit "$failed"
