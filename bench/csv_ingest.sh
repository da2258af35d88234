#!/bin/bash
# csv_ingest.sh - CSV ingestion speed and peak memory of candor's reader,
# against Debian's libcsv doing the same job, and on the Adult dataset.
#
# usage: bench/csv_ingest.sh [BUILD_DIR] [SIZE_MB] [RUNS]
#   defaults: build 1000 5. Run from the repository's top folder after
#   `meson setup BUILD_DIR -Dbuildtype=release && ninja -C BUILD_DIR`.
# The file is read from the warm page cache: the figures measure parsing,
# not the disk. Medians of RUNS runs; one core (the reader is sequential).
set -eu
build=${1:-build}
mb=${2:-1000}
runs=${3:-5}
out=bench/out
mkdir -p "$out"
ninja -C "$build" bench/datasets/csv_bench bench/datasets/gen_numeric >/dev/null
data="$out/numeric-${mb}MB.csv"
[ -s "$data" ] || "$build/bench/datasets/gen_numeric" "$data" "$mb"
cat "$data" >/dev/null # warm the page cache

calc() { awk "BEGIN { print $1 }"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

run_candor() { # file -> prints "MBps peakKB table_bytes rows cols" per run
	for _ in $(seq "$runs"); do
		/usr/bin/time -f '%M' -o "$out/rss" "$build/bench/datasets/csv_bench" "$1" >"$out/line"
		read -r bytes rows cols secs mbps tbytes <"$out/line"
		echo "$mbps $(cat "$out/rss") $tbytes $rows $cols"
	done
}

run_candor "$data" >"$out/candor.txt"
mbps=$(cut -d' ' -f1 "$out/candor.txt" | median)
rss=$(cut -d' ' -f2 "$out/candor.txt" | median)
read -r _ _ tbytes rows cols < <(head -1 "$out/candor.txt")
printf 'candor CSV reader, %s MB numeric file (%s rows x %s columns), %s runs:\n' "$mb" "$rows" "$cols" "$runs"
printf '  median throughput  %8.1f MB/s   target 150 MB/s   ratio %.2fx\n' "$mbps" "$(calc "$mbps / 150")"
printf '  median peak RSS    %8.1f MB     table %.1f MB      ratio %.2fx (target <= 2x)\n' \
	"$(calc "$rss / 1024")" "$(calc "$tbytes / 1048576")" "$(calc "$rss * 1024 / $tbytes")"

if ninja -C "$build" bench/datasets/libcsv_bench >/dev/null 2>&1 && [ -x "$build/bench/datasets/libcsv_bench" ]; then
	for _ in $(seq "$runs"); do "$build/bench/datasets/libcsv_bench" "$data" | cut -d' ' -f4; done >"$out/libcsv.txt"
	lmbps=$(median <"$out/libcsv.txt")
	printf '  libcsv 3 + the same number parser: %.1f MB/s (candor is %.2fx)\n' "$lmbps" "$(calc "$mbps / $lmbps")"
fi

adult=../shared/datasets/adult.csv
if [ -f "$adult" ]; then
	cat "$adult" >/dev/null
	run_candor "$adult" >"$out/adult.txt"
	printf 'adult.csv (48,842 rows, 16 mixed columns, 5.4 MB): median %.1f MB/s\n' \
		"$(cut -d' ' -f1 "$out/adult.txt" | median)"
else
	echo "adult.csv: ../shared/datasets absent, skipped"
fi
echo "command: bench/csv_ingest.sh $build $mb $runs"
