#!/bin/bash
# treeshap.sh - candor's path-dependent TreeSHAP against XGBoost's own
# Booster.predict(pred_contribs=True), same model and rows, same threads.
#
# usage: bench/treeshap.sh [BUILD_DIR] [RUNS]
#   defaults: build 7. Run from the repository's top folder after
#   `meson setup BUILD_DIR -Dbuildtype=release && ninja -C BUILD_DIR`.
# The model: python3-xgboost, binary:logistic, 100 trees of depth 6 on 12
# features (5% missing values), explaining 10,000 rows. Each run times the
# call alone (after a warm-up call in the same process): candor's includes
# building its per-leaf tables; XGBoost's excludes building the DMatrix.
# Runs alternate candor and XGBoost, at 1 then 2 threads, so load from other
# processes hits both alike; the figures are medians of RUNS runs.
# Target: candor >= 1.5x faster at equal threads, values equal to 1e-5.
set -eu
build=${1:-build}
runs=${2:-7}
out=bench/out/tree
py=/usr/bin/python3
mkdir -p "$out"
ninja -C "$build" bench/tree/bench_treeshap >/dev/null
[ -s "$out/model.json" ] && [ -s "$out/data.csv" ] || "$py" bench/tree/xgb_bench.py train "$out"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }

for t in 1 2; do : >"$out/candor$t.txt"; : >"$out/xgb$t.txt"; done
for _ in $(seq "$runs"); do
	for t in 1 2; do
		"$build/bench/tree/bench_treeshap" "$out/model.json" "$out/data.csv" "$t" 1 \
			"$out/candor.bin" | cut -d' ' -f1 >>"$out/candor$t.txt"
		"$py" bench/tree/xgb_bench.py time "$out" "$t" >>"$out/xgb$t.txt"
	done
done
err=$("$py" bench/tree/xgb_bench.py compare "$out" "$out/candor.bin")
echo "TreeSHAP, 100 trees depth 6, 12 features, 10000 rows; median of $runs runs:"
for t in 1 2; do
	c=$(median <"$out/candor$t.txt")
	x=$(median <"$out/xgb$t.txt")
	printf '  %d thread(s): candor %8.4f s   xgboost %s pred_contribs %8.4f s   ratio %sx (target >= 1.5x)\n' \
		"$t" "$c" "$($py -c 'import xgboost; print(xgboost.__version__)')" "$x" "$(calc "$x / $c")"
done
echo "  max error against xgboost: $err (relative, as in tests/tree; target 1e-5)"
echo "command: bench/treeshap.sh $build $runs"
