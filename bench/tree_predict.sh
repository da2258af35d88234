#!/bin/bash
# tree_predict.sh - candor's batch tree evaluator (models/tree.c) against
# XGBoost's own Booster.inplace_predict(), same model, rows and threads
# (issue 17, item 1; target: candor >= 3x faster).
#
# usage: bench/tree_predict.sh [BUILD_DIR] [RUNS] [ROWS]
#   defaults: build-rel 5 1000000. Run from the repository's top folder after
#   `meson setup BUILD_DIR -Dbuildtype=release && ninja -C BUILD_DIR`.
# The model is bench/treeshap.sh's (python3-xgboost, binary:logistic, 100
# trees of depth 6, 12 features, 5% missing values); its 10,000 rows are
# repeated to ROWS. Each run times the call alone after a warm-up: candor's
# candor_model_predict() with candor_model_set_threads(THREADS) on doubles,
# XGBoost's inplace_predict() with nthread THREADS on float32 (its native
# input). Runs alternate candor and XGBoost, at 1 then 2 threads; figures are
# medians of RUNS runs. The predictions are checked against XGBoost's once.
set -eu
build=${1:-build-rel}
runs=${2:-5}
rows=${3:-1000000}
out=bench/out/tree
py=/usr/bin/python3
mkdir -p "$out"
ninja -C "$build" bench/tree/bench_predict >/dev/null
[ -s "$out/model.json" ] && [ -s "$out/data.csv" ] || "$py" bench/tree/xgb_bench.py train "$out"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }
bp="$build/bench/tree/bench_predict"

for t in 1 2; do : >"$out/pred-candor$t.txt"; : >"$out/pred-xgb$t.txt"; done
for _ in $(seq "$runs"); do
	for t in 1 2; do
		"$bp" "$out/model.json" "$out/data.csv" "$rows" "$t" 1 | cut -d' ' -f1 >>"$out/pred-candor$t.txt"
		"$py" bench/tree/xgb_bench.py time_predict "$out" "$t" "$rows" 1 >>"$out/pred-xgb$t.txt"
	done
done
"$bp" "$out/model.json" "$out/data.csv" "$rows" 2 1 "$out/pred.bin" >/dev/null
err=$("$py" bench/tree/xgb_bench.py compare_predict "$out" "$out/pred.bin" "$rows")

echo "tree predictions, 100 trees depth 6, 12 features, $rows rows; median of $runs runs:"
for t in 1 2; do
	c=$(median <"$out/pred-candor$t.txt")
	x=$(median <"$out/pred-xgb$t.txt")
	printf '  %d thread(s): candor %7.4f s (%5.1f M rows/s)   xgboost inplace_predict %7.4f s   ratio %sx (target >= 3x)\n' \
		"$t" "$c" "$(calc "$rows / $c / 1e6")" "$x" "$(calc "$x / $c")"
done
echo "  max |candor - xgboost| of the probabilities: $err (XGBoost returns float32)"
echo "command: bench/tree_predict.sh $build $runs $rows"
