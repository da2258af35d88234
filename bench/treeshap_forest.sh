#!/bin/bash
# treeshap_forest.sh - candor's path-dependent TreeSHAP on large forests:
#  a. XGBoost's own random forest (1 round, num_parallel_tree=500, max_depth
#     10, binary:logistic; bench/tree/rf_bench.py) against XGBoost's
#     Booster.predict(pred_contribs=True), same model, rows and threads;
#     values checked equal (1e-5 relative, as tests/tree) on the last run;
#     then scikit-learn's RandomForestClassifier (500 trees, max_depth 10)
#     through tools/candor-export-sklearn, candor alone (shap is not
#     installed: no comparison);
#  b. LightGBM: the 200-tree, num_leaves 255 model made by LightGBM v4.6.0
#     (../shared/fixtures/lightgbm/deep, Adult, depth up to 53), on its 500
#     rows repeated 20 times (10,000 rows; its "nan" fields written as empty
#     fields, which candor reads as missing), candor alone. From a git
#     worktree elsewhere, set LGB_DEEP to that folder.
#
# usage: bench/treeshap_forest.sh [BUILD_DIR] [RUNS] [ROWS]
#   defaults: build 3 10000. Run from the repository's top folder after
#   `meson setup BUILD_DIR -Dbuildtype=release && ninja -C BUILD_DIR`.
# ROWS is the number of rows explained in a (the first ROWS of 10,000):
# XGBoost needs about 0.2 s a row on this forest, so all 10,000 rows at
# 1 and 2 threads take over an hour per run; rows/s do not depend on ROWS.
# Each run times the call alone: candor's after a warm-up call in the same
# process, including its per-leaf tables; XGBoost's after a warm-up call on
# 16 rows, excluding building the DMatrix. Runs alternate candor and
# XGBoost, at 1 then 2 threads; the figures are medians of RUNS runs.
# Target (issue 12): candor >= 4x faster than XGBoost at equal threads.
set -eu
build=${1:-build}
runs=${2:-3}
rows=${3:-10000}
out=bench/out/forest
py=/usr/bin/python3
lgb=${LGB_DEEP:-../shared/fixtures/lightgbm/deep}
mkdir -p "$out"
ninja -C "$build" bench/tree/bench_treeshap >/dev/null
[ -s "$out/rf.json" ] && [ -s "$out/sk_rf.pkl" ] && [ -s "$out/data.csv" ] ||
	"$py" bench/tree/rf_bench.py train "$out"
[ -s "$out/sk_rf.json" ] || "$py" tools/candor-export-sklearn "$out/sk_rf.pkl" "$out/sk_rf.json"
csv=rows$rows.csv
head -n $((rows + 1)) "$out/data.csv" >"$out/$csv"
# sklearn was fitted on an array: its features are x0..x11
sed '1s/v\([0-9][0-9]\)/x\1/g;1s/x0\([0-9]\)/x\1/g' "$out/$csv" >"$out/sk_$csv"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }
bench() { "$build/bench/tree/bench_treeshap" "$@" | cut -d' ' -f1; }

for t in 1 2; do : >"$out/candor$t.txt"; : >"$out/xgb$t.txt"; : >"$out/sk$t.txt"; done
for _ in $(seq "$runs"); do
	for t in 1 2; do
		bench "$out/rf.json" "$out/$csv" "$t" 1 "$out/candor.bin" >>"$out/candor$t.txt"
		"$py" bench/tree/rf_bench.py time "$out" "$t" "$csv" >>"$out/xgb$t.txt"
		bench "$out/sk_rf.json" "$out/sk_$csv" "$t" 1 >>"$out/sk$t.txt"
	done
done
err=$("$py" bench/tree/rf_bench.py compare "$out" "$out/candor.bin" "$csv")
xv=$("$py" -c 'import xgboost; print(xgboost.__version__)')
echo "a. TreeSHAP, random forest of 500 trees, max_depth 10, 12 features, $rows rows; median of $runs runs:"
for t in 1 2; do
	c=$(median <"$out/candor$t.txt")
	x=$(median <"$out/xgb$t.txt")
	printf '  XGBoost RF, %d thread(s): candor %9.3f s (%s rows/s)   xgboost %s pred_contribs %9.3f s (%s rows/s)   ratio %sx (target >= 4x)\n' \
		"$t" "$c" "$(calc "$rows / $c")" "$xv" "$x" "$(calc "$rows / $x")" "$(calc "$x / $c")"
done
echo "  max error against xgboost: $err (relative, as in tests/tree; target 1e-5)"
for t in 1 2; do
	c=$(median <"$out/sk$t.txt")
	printf '  sklearn RandomForestClassifier, %d thread(s): candor %9.3f s (%s rows/s); no comparison (shap is not installed)\n' \
		"$t" "$c" "$(calc "$rows / $c")"
done

if [ -s "$lgb/model.txt" ]; then
	{
		head -n 1 "$lgb/data.csv"
		for _ in $(seq 20); do tail -n +2 "$lgb/data.csv"; done
	} | sed -E ':a;s/(^|,)nan(,|$)/\1\2/g;ta' >"$out/lgb10k.csv"
	for t in 1 2; do : >"$out/lgb$t.txt"; done
	for _ in $(seq "$runs"); do
		for t in 1 2; do bench "$lgb/model.txt" "$out/lgb10k.csv" "$t" 1 >>"$out/lgb$t.txt"; done
	done
	echo "b. TreeSHAP, LightGBM v4.6.0 model of 200 trees, num_leaves 255 ($lgb), 10000 rows; median of $runs runs:"
	for t in 1 2; do
		c=$(median <"$out/lgb$t.txt")
		printf '  %d thread(s): candor %9.3f s (%s rows/s)\n' "$t" "$c" "$(calc "10000 / $c")"
	done
else
	echo "b. skipped: $lgb is absent"
fi
echo "command: bench/treeshap_forest.sh $build $runs $rows"
