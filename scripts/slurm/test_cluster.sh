#!/usr/bin/env bash
# Brings up a real single-node Slurm cluster (scripts/slurm/cluster.sh), runs job arrays on
# it, compares their outputs with single-machine runs, and tears it all down, even on failure.
#
#   scripts/slurm/test_cluster.sh [--keep]      # as root; BPE=path/to/bpe to skip the build
#
# 1. an array of 3 tasks reports SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT: the
#    convention `bpe --part slurm` relies on (task ids 0..N-1 for --array=0-(N-1));
# 2. count (an array of 4) → merge-counts → train --from-counts, chained with
#    --dependency=afterok and waited for with sbatch --wait: all.counts must be byte for
#    byte `bpe count-words` on the whole corpus, the vocabulary byte for byte `bpe train`;
# 3. a merge with a part missing is refused, naming it; rerunning that index alone
#    (sbatch --array=2) and merging again gives the same counts;
# 4. export (an array of 4, `bpe export --part`) → combine (`bpe export --combine`): the
#    combined folder must be byte for byte `bpe export` of the whole corpus (shards, meta.json);
# 5. a killed export part: task 2 is SIGKILLed halfway through writing (SWIFT_BPE_CRASH_AT),
#    leaves no part.json and no visible file, combine refuses naming it; rerunning index 2
#    alone and combining again gives the single-machine export, and no staging folder is left.
# Prints the time of each step. --keep leaves the scratch folder (the daemons still stop).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
slurm="$repo/scripts/slurm"
keep=0
[[ ${1:-} == --keep ]] && keep=1

t0=${EPOCHREALTIME/./}
step() {
    local us=$(( ${EPOCHREALTIME/./} - t0 ))
    printf '== %-62s %4d.%d s\n' "$1" $((us / 1000000)) $((us / 100000 % 10))
}
fail() { echo "FAIL: $*" >&2; exit 1; }

work=$(mktemp -d /tmp/bpe-slurm-test.XXXXXX)
cluster="$work/cluster"
cleanup() {
    local rc=$?
    "$slurm/cluster.sh" stop "$cluster" || rc=1
    if [[ $keep -eq 1 ]]; then echo "kept $work" >&2; else rm -rf -- "$work"; fi
    step "stopped, cleaned up (exit $rc)"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -z ${BPE:-} ]]; then
    (cd "$repo" && swift build --product bpe 2>&1 | tail -1)
    BPE="$(cd "$repo" && swift build --show-bin-path)/bpe"
fi
[[ -x $BPE ]] || fail "no bpe binary at $BPE"
export BPE
step "bpe binary: $BPE"

"$slurm/cluster.sh" start "$cluster"
eval "$("$slurm/cluster.sh" env "$cluster")"
step "cluster up: $(sinfo -h -N -o '%N %T, %c CPUs')"

# 1. The array variables, as Slurm sets them.
mkdir -p "$work/env"
cat >"$work/env/env.sbatch" <<'EOF'
#!/usr/bin/env bash
env | grep '^SLURM_ARRAY_TASK_' | LC_ALL=C sort >"$1/task-$SLURM_ARRAY_TASK_ID.env"
EOF
sbatch --wait --quiet --array=0-2 --output="$work/env/%A_%a.out" "$work/env/env.sbatch" "$work/env"
for k in 0 1 2; do
    grep -qx "SLURM_ARRAY_TASK_ID=$k" "$work/env/task-$k.env" || fail "task $k: $(cat "$work/env/task-$k.env" 2>&1)"
    grep -qx "SLURM_ARRAY_TASK_COUNT=3" "$work/env/task-$k.env" || fail "task $k: no SLURM_ARRAY_TASK_COUNT=3"
done
step "array 0-2: task ids 0,1,2 of SLURM_ARRAY_TASK_COUNT=3"

# 2. Count, merge, train on the cluster; the same on one machine.
corpus="$work/corpus"
mkdir -p "$corpus/docs" "$corpus/src"
cp "$repo/README.md" "$corpus/docs/"
find "$repo/Sources" -name '*.swift' -exec cp {} "$corpus/src/" \;
echo "hidden files are skipped" >"$corpus/.hidden"
count_options=(--pattern o200k --doc-separator '\n\n')
train_options=(--pattern o200k --vocab-size 600)
out="$work/out"
"$slurm/submit_training.sh" --wait 4 "$out" "$work/cluster.tiktoken" "$corpus" \
    -- "${count_options[@]}" -- "${train_options[@]}" >/dev/null \
    || { tail -n 5 "$out"/logs/* >&2 || true; fail "the count → merge → train jobs failed"; }
step "count (array 0-3) → merge-counts → train on the cluster"

"$BPE" count-words "$corpus" "${count_options[@]}" -q -o "$work/whole.counts" || fail "bpe count-words on one machine failed"
"$BPE" train "$corpus" "${count_options[@]}" --vocab-size 600 -q -o "$work/whole.tiktoken" || fail "bpe train on one machine failed"
step "the same on one machine"
cmp "$out/all.counts" "$work/whole.counts" || fail "merged counts differ from count-words on the whole corpus"
cmp "$work/cluster.tiktoken" "$work/whole.tiktoken" || fail "the cluster's vocabulary differs from bpe train on the whole corpus"
[[ $(wc -l <"$work/whole.tiktoken") -eq 600 ]] || fail "expected 600 tokens"
step "identical: all.counts ($(wc -l <"$out/all.counts") lines), vocabulary (600 ranks)"

# 3. A lost part stops the merge, by name; rerunning that one index completes the set.
rm "$out/part-2.counts"
if sbatch --wait --quiet --output="$work/merge-missing.out" "$slurm/merge_counts.sbatch" "$out" 4; then
    fail "merge ran with part 2 missing"
fi
grep -q "missing part(s) 2 of 4" "$work/merge-missing.out" || fail "merge did not name the missing part: $(cat "$work/merge-missing.out")"
rm "$out/all.counts"
sbatch --wait --quiet --array=2 --output="$work/rerun-%A_%a.out" "$slurm/count_words.sbatch" 4 "$out" "$corpus" -- "${count_options[@]}" \
    || fail "rerunning part 2 failed: $(cat "$work"/rerun-*.out)"
sbatch --wait --quiet --output="$work/merge-again.out" "$slurm/merge_counts.sbatch" "$out" 4 \
    || fail "merge after the rerun failed: $(cat "$work/merge-again.out")"
cmp "$out/all.counts" "$work/whole.counts" || fail "after rerunning part 2 the merged counts differ"
step "a lost part: merge names it; rerun --array=2 alone; merge = one machine"

# 4. Export as parts on the cluster, combine, compare with one machine.
export_options=(--encoding gpt2 --doc-separator '\n\n' --shard-tokens 20000)
parts="$work/parts"
mkdir -p "$work/logs"
job=$(sbatch --parsable --array=0-3 --output="$work/logs/export-%A_%a.out" \
    "$slurm/export.sbatch" 4 "$parts" "$corpus" -- "${export_options[@]}")
job=${job%%;*}
sbatch --wait --quiet --dependency="afterok:$job" --kill-on-invalid-dep=yes --output="$work/logs/combine.out" \
    "$slurm/combine.sbatch" "$parts" 4 "$work/combined" \
    || { tail -n 5 "$work"/logs/* >&2 || true; fail "the export → combine jobs failed"; }
[[ -f $work/combined/meta.json ]] || { tail -n 5 "$work"/logs/* >&2 || true; fail "combine wrote no meta.json (the export array failed?)"; }
step "export --part (array 0-3) → export --combine on the cluster"
"$BPE" export "$corpus" "${export_options[@]}" -q --out "$work/whole-export" || fail "bpe export on one machine failed"
step "the same export on one machine"
same_folder() {
    local a=$1 b=$2 f
    [[ $(cd "$a" && ls -A | LC_ALL=C sort) == "$(cd "$b" && ls -A | LC_ALL=C sort)" ]] \
        || { diff <(cd "$a" && ls -A) <(cd "$b" && ls -A) >&2; return 1; }
    for f in "$a"/*; do cmp "$f" "$b/$(basename "$f")" || return 1; done
}
same_folder "$work/combined" "$work/whole-export" || fail "the combined export differs from bpe export on the whole corpus"
shards=$(ls "$work/whole-export" | grep -c '_train_')
[[ $shards -ge 2 ]] || fail "expected several train shards, got $shards"
step "identical: $(ls "$work/whole-export" | wc -l) files ($shards train shards, meta.json), cmp each"

# 5. A part killed halfway through writing: nothing of it appears; combine names it; a rerun completes.
rm -rf "$parts" "$work/combined"
job=$(sbatch --parsable --array=0,1,3 --output="$work/logs/export2-%A_%a.out" \
    "$slurm/export.sbatch" 4 "$parts" "$corpus" -- "${export_options[@]}")
job=${job%%;*}
# Task 2 alone is armed: SWIFT_BPE_CRASH_AT makes bpe SIGKILL itself in its second buffer
# write (its document index, after its tokens were written to the staging folder).
sbatch --wait --quiet --array=2 --export=ALL,SWIFT_BPE_CRASH_AT=write:2 --output="$work/logs/killed-%A_%a.out" \
    "$slurm/export.sbatch" 4 "$parts" "$corpus" -- "${export_options[@]}" && fail "the armed task was not killed"
sbatch --wait --quiet --dependency="afterany:$job" --output=/dev/null --wrap=true
for k in 0 1 3; do [[ -f $parts/part-$k/part.json ]] || fail "part $k did not finish"; done
[[ ! -e $parts/part-2/part.json && ! -e $parts/part-2/tokens.bin && ! -e $parts/part-2/documents.bin ]] \
    || fail "the killed part left output: $(ls -A "$parts/part-2")"
[[ -n $(find "$parts/part-2" -mindepth 1 -maxdepth 1 -name '.bpe-export-*') ]] || fail "expected the killed run's staging folder"
if sbatch --wait --quiet --output="$work/combine-missing.out" "$slurm/combine.sbatch" "$parts" 4 "$work/combined"; then
    fail "combine ran with part 2 killed"
fi
grep -q "missing part(s) 2 of 4" "$work/combine-missing.out" || fail "combine did not name the missing part: $(cat "$work/combine-missing.out")"
"$BPE" export --combine "$parts"/part-{0..3} -q --out "$work/combined" 2>"$work/combine-lib.err" && fail "bpe export --combine ran with part 2 killed"
grep -q "part-2: no part.json" "$work/combine-lib.err" || fail "bpe export --combine did not name the killed part: $(cat "$work/combine-lib.err")"
[[ ! -e $work/combined/meta.json ]] || fail "a refused combine wrote meta.json"
sbatch --wait --quiet --array=2 --output="$work/logs/rerun-export-%A_%a.out" \
    "$slurm/export.sbatch" 4 "$parts" "$corpus" -- "${export_options[@]}" || fail "rerunning export part 2 failed"
[[ -z $(find "$parts/part-2" -mindepth 1 -maxdepth 1 -name '.*') ]] || fail "the rerun left the killed run's staging folder"
sbatch --wait --quiet --output="$work/logs/combine-again.out" "$slurm/combine.sbatch" "$parts" 4 "$work/combined" \
    || fail "combine after the rerun failed: $(cat "$work/logs/combine-again.out")"
same_folder "$work/combined" "$work/whole-export" || fail "after rerunning part 2 the combined export differs"
step "a killed part: nothing published; combine names it; rerun --array=2; combine = one machine"
echo "PASS"
