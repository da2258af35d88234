#!/bin/bash
# explain.sh - model-agnostic explainers: KernelSHAP and LIME speed, and the
# cost of the --model-cmd protocol.
#
# usage: bench/explain.sh [BUILD_DIR] [RUNS]
#   defaults: build 7. Run from the repository's top folder after
#   `meson setup BUILD_DIR -Dbuildtype=release && ninja -C BUILD_DIR`.
# Data: bench/explain/make_data.py, a 12-feature logistic model (DESIGN.md
# JSON) and 2000 rows, fixed seed. Figures are medians of RUNS runs.
#  1. KernelSHAP, 12 features, 100 background rows (random sample), 2048
#     coalitions, logit link, 20 rows: seconds per explained row on 1 and 2
#     threads, and the share of time outside the model's predict calls.
#     How the share is measured (bench/explain/bench_explain.c): the model's
#     predict function is wrapped by a stopwatch (CLOCK_MONOTONIC) inside
#     candor_model_predict, summed over every call of the run on all threads
#     (the rows' and background's own predictions included);
#     share = 1 - predict time / (threads x wall time of candor_explain).
#     Everything else counts as outside: building coalition rows, sums over
#     the background, the regression, sampling, idle threads at the end, and
#     half of the stopwatch's own two clock reads per call (~1000 calls per
#     explained row, since the built-in models get ~24 kB calls). Target:
#     outside share < 20%.
#  2. LIME, 5000 samples per row (quartile sampling, auto selection), 20 rows.
#  3. `candor explain` end to end on the same logistic model: in-process JSON,
#     then the same model as a Python/numpy --model-cmd
#     (bench/explain/logistic_cmd.py) with requests of 65536 rows and of 64
#     rows. The predictor reports the seconds it spent computing; the rest of
#     the difference to the in-process run is the protocol (formatting,
#     parsing, pipes). Batching is what keeps the per-request cost away.
# The machine has 2 cores shared with other work: expect noise.
set -eu
build=${1:-build}
runs=${2:-7}
out=bench/out/explain
py=/usr/bin/python3
mkdir -p "$out"
ninja -C "$build" bench/explain/bench_explain cli/candor >/dev/null
[ -s "$out/logistic12.json" ] && [ -s "$out/data12.csv" ] || "$py" bench/explain/make_data.py "$out"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
be="$build/bench/explain/bench_explain"

echo "KernelSHAP: logistic model, 12 features, 100 background rows, 2048 coalitions, 20 rows; median of $runs runs"
for t in 1 2; do
	"$be" "$out/logistic12.json" "$out/data12.csv" kernel 2048 100 20 "$t" "$runs" >"$out/kernel$t.txt"
	s=$(cut -d' ' -f1 <"$out/kernel$t.txt" | median)
	o=$(cut -d' ' -f2 <"$out/kernel$t.txt" | median)
	printf '  %d thread(s): %s ms per row, %s%% of the time outside predict (target < 20%%)\n' \
		"$t" "$(calc "$s * 1000")" "$(calc "$o * 100" 1)"
	eval "kernel$t=$s"
done
echo "  speed-up 2 threads / 1 thread: $(calc "$kernel1 / $kernel2")x"
echo "  command: $be $out/logistic12.json $out/data12.csv kernel 2048 100 20 THREADS $runs"

echo "LIME: 5000 samples per row, quartile sampling, auto selection, 20 rows; median of $runs runs"
for t in 1 2; do
	"$be" "$out/logistic12.json" "$out/data12.csv" lime 5000 2000 20 "$t" "$runs" >"$out/lime$t.txt"
	s=$(cut -d' ' -f1 <"$out/lime$t.txt" | median)
	o=$(cut -d' ' -f2 <"$out/lime$t.txt" | median)
	printf '  %d thread(s): %s ms per row, %s%% of the time outside predict\n' \
		"$t" "$(calc "$s * 1000")" "$(calc "$o * 100" 1)"
done
echo "  command: $be $out/logistic12.json $out/data12.csv lime 5000 2000 20 THREADS $runs"

echo "--model-cmd: candor explain --method kernel --nsamples 512 --background-size 50 --rows 0:10, 1 thread; median of $runs runs"
cmdrun() { # label, extra args...
	local label=$1
	shift
	: >"$out/cmd-$label.txt"
	: >"$out/cmd-$label-py.txt"
	for _ in $(seq "$runs"); do
		local t0 t1
		t0=$(date +%s.%N)
		"$build/cli/candor" explain --data "$out/data12.csv" --method kernel --nsamples 512 \
			--background-size 50 --rows 0:10 --link logit --threads 1 --out "$out/cmd.csv" "$@"
		t1=$(date +%s.%N)
		calc "$t1 - $t0" 4 >>"$out/cmd-$label.txt"
		echo >>"$out/cmd-$label.txt"
		if [ -s "$out/pytime.txt" ]; then
			cat "$out/pytime.txt" >>"$out/cmd-$label-py.txt"
			rm -f "$out/pytime.txt"
		fi
	done
	eval "t_$label=$(median <"$out/cmd-$label.txt")"
	if [ -s "$out/cmd-$label-py.txt" ]; then
		eval "py_$label=$(cut -d' ' -f1 <"$out/cmd-$label-py.txt" | median)"
		eval "req_$label=$(head -1 "$out/cmd-$label-py.txt" | cut -d' ' -f2)"
		eval "rows_$label=$(head -1 "$out/cmd-$label-py.txt" | cut -d' ' -f3)"
	fi
}
pycmd="$py bench/explain/logistic_cmd.py $out/logistic12.json $out/pytime.txt"
cmdrun inproc --model "$out/logistic12.json"
cmdrun big --model-cmd "$pycmd"
cmdrun small --model-cmd "$pycmd" --model-batch 64
# per-request cost from the two command runs (same rows, different request counts)
per_req=$(calc "($t_small - $t_big) / ($req_small - $req_big) * 1e6" 1)
printf '  in-process JSON model:            %8.4f s\n' "$t_inproc"
for b in big small; do
	eval "t=\$t_$b; p=\$py_$b; q=\$req_$b; r=\$rows_$b"
	proto=$(calc "$t - $t_inproc - $p" 4)
	printf '  --model-cmd, %6s rows/request: %8.4f s, %d requests, %d rows; Python computing %s s;\n' \
		"$(calc "$r / $q" 0)" "$t" "$q" "$r" "$p"
	printf '       protocol %s s = %s us per row, of which per-request costs %s%%\n' \
		"$proto" "$(calc "$proto / $r * 1e6" 2)" "$(calc "$q * $per_req / 1e6 / $proto * 100" 1)"
done
echo "  one request costs about $per_req us beyond its rows; batched requests spread it over"
echo "  $(calc "$rows_big / $req_big" 0) rows, so the protocol's cost is the text of the rows themselves"
echo "  command: $build/cli/candor explain --model-cmd '$pycmd' [--model-batch 64] --data $out/data12.csv --method kernel --nsamples 512 --background-size 50 --rows 0:10 --link logit --threads 1 --out $out/cmd.csv"
echo "command: bench/explain.sh $build $runs"
