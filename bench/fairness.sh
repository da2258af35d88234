#!/bin/bash
# fairness.sh - speed of the fairness audit.
#
# usage: bench/fairness.sh [BUILD_DIR] [RUNS] [CSV_ROWS]
#   defaults: build 7 1000000. Run from the repository's top folder after
#   `meson setup BUILD_DIR -Dbuildtype=release && ninja -C BUILD_DIR`.
#
# 1. In memory: 10,000,000 rows of (label, prediction, group codes) in
#    arrays; each run builds an accumulator, adds the rows on one thread and
#    computes every count metric with Wilson intervals, the disparities with
#    p-values and the summaries. Two cases: one attribute with 4 groups, and
#    two attributes (2 x 4) with their intersection. Target: >= 100 million
#    rows per second per core. Medians of RUNS runs. The same at 2 threads
#    is shown for information.
# 2. End to end: `candor fairness` on a synthetic credit CSV of CSV_ROWS rows
#    (label, pred, score, sex, race, --intersect, --json), timed by
#    hyperfine; rows per second of wall time including reading the CSV.
set -eu
build=${1:-build}
runs=${2:-7}
csv_rows=${3:-1000000}
out=bench/out/fairness
mkdir -p "$out"
ninja -C "$build" bench/fairness/bench_fairness cli/candor >/dev/null
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }

echo "machine: $(nproc) cores; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "1. in memory, 10,000,000 rows, all metrics with Wilson intervals"
for threads in 1 2; do
	cmd="$build/bench/fairness/bench_fairness 10000000 $runs $threads"
	$cmd >"$out/mem-$threads.txt"
	while read -r name rows secs rps; do
		per_core=$(awk "BEGIN { print $rps / $threads }")
		printf '  %-24s %d thread(s): median %.4f s  %6.1f M rows/s  (%.1f M rows/s/core; target 100, ratio %sx)\n' \
			"$name" "$threads" "$secs" "$(calc "$rps / 1e6")" "$(calc "$per_core / 1e6")" \
			"$(calc "$per_core / 1e8")"
	done <"$out/mem-$threads.txt"
	echo "    command: $cmd"
done
echo
echo "2. end to end from CSV ($csv_rows rows, synthetic credit data)"
data="$out/credit-$csv_rows.csv"
[ -s "$data" ] || "$build/cli/candor" datasets synth --kind credit --rows "$csv_rows" --seed 1 --out "$data"
cat "$data" >/dev/null
cmd="$build/cli/candor fairness --data $data --label label --pred pred --score score --sensitive sex,race --intersect --json $out/r.json --quiet"
hyperfine --style none --warmup 1 --runs "$runs" --export-json "$out/e2e.json" "$cmd" >/dev/null
med=$(/usr/bin/python3 -c "import json; print(json.load(open('$out/e2e.json'))['results'][0]['median'])")
printf '  median %.3f s  %.2f M rows/s (wall, %d cores available)\n' "$med" "$(calc "$csv_rows / $med / 1e6")" "$(nproc)"
cmd2="$build/cli/candor fairness --data $data --label label --pred pred --sensitive sex,race --intersect --json $out/r.json --quiet"
hyperfine --style none --warmup 1 --runs "$runs" --export-json "$out/e2e2.json" "$cmd2" >/dev/null
med2=$(/usr/bin/python3 -c "import json; print(json.load(open('$out/e2e2.json'))['results'][0]['median'])")
printf '  without --score: median %.3f s  %.2f M rows/s\n' "$med2" "$(calc "$csv_rows / $med2 / 1e6")"
echo "    commands: hyperfine --runs $runs '$cmd'"
echo "              hyperfine --runs $runs '$cmd2'"
