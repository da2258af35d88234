#!/bin/bash
# explainer_windows.sh - issue 10's speed goal: explaining 10 windows of
# 1,000 rows through one explainer handle costs at most 1.1x one run over
# the same 10,000 rows, for TreeSHAP, KernelSHAP and LIME.
#
# usage: bench/explainer_windows.sh [BUILD_DIR] [RUNS]
#   defaults: build 7. Run from the repository's top folder after
#   `meson setup BUILD_DIR -Dbuildtype=release && ninja -C BUILD_DIR`.
# Each run (bench/explain/bench_windows.c) times candor_explainer_new, the
# run(s) and candor_explainer_free: A = one run over 10,000 rows, B = 10 runs
# of 1,000 rows through the same handle (same rows, same ids, checked equal
# bit for bit once). Figures are medians of RUNS runs, 2 threads.
#  - TreeSHAP (path-dependent): bench/tree's model (python3-xgboost, 100
#    trees of depth 6, 12 features) and its 10,000 rows.
#  - KernelSHAP: datasets/credit_model.json (6 features) on 10,000 rows of
#    `candor datasets synth --kind credit --seed 1`, 100 background rows;
#    with 6 features every coalition (62) is enumerated, so --nsamples 400
#    is capped there and a run takes about 2 s on one core.
#  - LIME: the same model and rows, the 10,000 rows as training data,
#    200 samples per row (for the same reason).
# The machine has 2 cores shared with other work: expect noise. On 2 threads
# of a loaded machine each run's OpenMP barrier waits for a descheduled
# thread, and B has 10 runs to A's 1: the 1-thread figure isolates the cost
# of the handle itself.
set -eu
build=${1:-build}
runs=${2:-7}
out=bench/out/windows
py=/usr/bin/python3
mkdir -p "$out" bench/out/tree
ninja -C "$build" bench/explain/bench_windows cli/candor >/dev/null
[ -s bench/out/tree/model.json ] && [ -s bench/out/tree/data.csv ] ||
	"$py" bench/tree/xgb_bench.py train bench/out/tree
[ -s "$out/credit.csv" ] ||
	"$build/cli/candor" datasets synth --kind credit --rows 10000 --seed 1 --out "$out/credit.csv"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
bw="$build/bench/explain/bench_windows"

echo "one explainer: 10 windows x 1,000 rows (B) vs one run over 10,000 rows (A); median of $runs runs"
for spec in "tree bench/out/tree/model.json bench/out/tree/data.csv 0 0" \
            "kernel datasets/credit_model.json $out/credit.csv 400 100" \
            "lime datasets/credit_model.json $out/credit.csv 200 0"; do
	read -r method model data ns nbg <<<"$spec"
	for t in 1 2; do
		cmd="$bw $model $data $method $ns $nbg 10000 10 $t $runs"
		$cmd >"$out/$method$t.txt"
		a=$(cut -d' ' -f1 <"$out/$method$t.txt" | median)
		b=$(cut -d' ' -f2 <"$out/$method$t.txt" | median)
		printf '  %-7s %d thread(s): A %s s, B %s s, ratio B/A %sx (goal <= 1.1x)\n' "$method" \
			"$t" "$(calc "$a" 3)" "$(calc "$b" 3)" "$(calc "$b / $a" 3)"
		echo "          command: $cmd"
	done
done
