#!/bin/bash
# treeshap_interactions.sh - candor's TreeSHAP interaction values against
# XGBoost's own Booster.predict(pred_interactions=True), same model and
# rows, same threads; then bench/treeshap.sh, so that the contributions
# figures are printed beside them.
#
# usage: bench/treeshap_interactions.sh [BUILD_DIR] [RUNS] [ROWS]
#   defaults: build 5 1000. Run from the repository's top folder after
#   `meson setup BUILD_DIR -Dbuildtype=release && ninja -C BUILD_DIR`.
# The model is bench/treeshap.sh's (python3-xgboost, binary:logistic, 100
# trees of depth 6 on 12 features); the rows are the first ROWS of its
# 10,000 (XGBoost needs minutes for all of them at one thread: its cost is
# 2 M + 1 contribution passes). Each run times the call alone: candor's
# after a warm-up call in the same process, including building its per-leaf
# tables; XGBoost's after a warm-up call on 16 rows, excluding building the
# DMatrix. Runs alternate candor and XGBoost, at 1 then 2 threads, so load
# from other processes hits both alike; the figures are medians of RUNS.
# Target: candor >= 3x faster at equal threads, values equal to 1e-5.
set -eu
build=${1:-build}
runs=${2:-5}
rows=${3:-1000}
out=bench/out/tree
py=/usr/bin/python3
mkdir -p "$out"
ninja -C "$build" bench/tree/bench_treeshap >/dev/null
[ -s "$out/model.json" ] && [ -s "$out/data.csv" ] || "$py" bench/tree/xgb_bench.py train "$out"
csv=inter$rows.csv
head -n $((rows + 1)) "$out/data.csv" >"$out/$csv"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }

for t in 1 2; do : >"$out/icandor$t.txt"; : >"$out/ixgb$t.txt"; done
for _ in $(seq "$runs"); do
	for t in 1 2; do
		"$build/bench/tree/bench_treeshap" "$out/model.json" "$out/$csv" "$t" 1 \
			"$out/candor_inter.bin" --interactions | cut -d' ' -f1 >>"$out/icandor$t.txt"
		"$py" bench/tree/xgb_bench.py time_inter "$out" "$t" "$csv" >>"$out/ixgb$t.txt"
	done
done
read -r rel abs < <("$py" bench/tree/xgb_bench.py compare_inter "$out" "$out/candor_inter.bin" "$csv")
xv=$("$py" -c 'import xgboost; print(xgboost.__version__)')
echo "TreeSHAP interactions, 100 trees depth 6, 12 features, $rows rows; median of $runs runs:"
for t in 1 2; do
	c=$(median <"$out/icandor$t.txt")
	x=$(median <"$out/ixgb$t.txt")
	printf '  %d thread(s): candor %8.4f s   xgboost %s pred_interactions %8.4f s   ratio %sx (target >= 3x)\n' \
		"$t" "$c" "$xv" "$x" "$(calc "$x / $c")"
done
echo "  max abs difference against xgboost: $abs; relative, as in tests/tree: $rel (target 1e-5)"
echo "command: bench/treeshap_interactions.sh $build $runs $rows"
echo
bench/treeshap.sh "$build" "$runs"
