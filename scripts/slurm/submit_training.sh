#!/usr/bin/env bash
# Count, merge and train as three Slurm jobs that wait for each other:
#
#   scripts/slurm/submit_training.sh [--wait] N OUT VOCAB INPUT... -- [COUNT_WORDS_OPTION...] -- [TRAIN_OPTION...]
#   e.g. BPE=$HOME/bin/bpe scripts/slurm/submit_training.sh 64 /scratch/counts my.tiktoken /data/corpus/ \
#            -- --pattern o200k --doc-separator '\n\n' -- --pattern o200k --vocab-size 65536
#
# N count tasks (an array 0..N-1), then merge_counts.sbatch, then train.sbatch, each started
# only if the one before succeeded (a failure cancels the rest). Prints the training job's id.
# A count task that failed: rerun it alone (sbatch --array=K count_words.sbatch N ...), then
# merge_counts.sbatch and train.sbatch.
# --wait: return when training has finished; exit 1 unless it completed (for scripts and tests).
# Extra sbatch options (partition, account, time) go in SBATCH_* variables, e.g.
# SBATCH_PARTITION=cpu, which sbatch reads itself.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
wait=()
if [[ ${1:-} == --wait ]]; then wait=(--wait); shift; fi
[[ $# -ge 4 && $1 =~ ^[1-9][0-9]*$ ]] || { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
n=$1 out=$2 vocab=$3
shift 3
inputs=() count_options=() train_options=()
while [[ $# -gt 0 && $1 != -- ]]; do inputs+=("$1"); shift; done
[[ $# -gt 0 ]] && shift
while [[ $# -gt 0 && $1 != -- ]]; do count_options+=("$1"); shift; done
[[ $# -gt 0 ]] && shift
train_options=("$@")
mkdir -p "$out/logs"
common=(--parsable --chdir="$PWD")
count=$(sbatch "${common[@]}" --array="0-$((n - 1))" --output="$out/logs/count-%A_%a.out" \
    "$here/count_words.sbatch" "$n" "$out" "${inputs[@]}" -- "${count_options[@]}")
count=${count%%;*}
merge=$(sbatch "${common[@]}" --dependency="afterok:$count" --kill-on-invalid-dep=yes --output="$out/logs/merge-%j.out" \
    "$here/merge_counts.sbatch" "$out" "$n")
merge=${merge%%;*}
echo "count: $count  merge: $merge" >&2
train=$(sbatch "${common[@]}" "${wait[@]}" --dependency="afterok:$merge" --kill-on-invalid-dep=yes --output="$out/logs/train-%j.out" \
    "$here/train.sbatch" "$out" "$vocab" "${train_options[@]}")
train=${train%%;*}
echo "$train"
if [[ ${#wait[@]} -gt 0 ]]; then
    # sbatch --wait exits 0 for a job cancelled because a job it depends on failed
    # (DependencyNeverSatisfied, seen with 22.05), so ask for the state instead.
    state() { scontrol show job -o "$1" 2>/dev/null | grep -oE 'JobState=[A-Z_]+' | head -1 | cut -d= -f2; }
    final=$(state "$train")
    if [[ $final != COMPLETED ]]; then
        echo "submit_training.sh: training did not complete (${final:-unknown}); count $count: $(state "$count"), merge $merge: $(state "$merge"); logs in $out/logs" >&2
        exit 1
    fi
fi
