#!/bin/bash
# mitigate.sh - speed of the exact group thresholds.
#
# usage: bench/mitigate.sh [BUILD_DIR] [RUNS] [ROWS] [GROUPS]
#   defaults: build 5 10000000 10. Run from the repository's top folder after
#   `meson setup BUILD_DIR -Dbuildtype=release && ninja -C BUILD_DIR`.
#
# In memory: ROWS rows of (label, continuous score, group) in arrays, GROUPS
# groups of equal size (bench/mitigate/bench_mitigate.c says how they are
# generated). Each run fits the rule with candor_mitigate_rule_fit() on one
# core (the fit is single-threaded): sort every (group, label) cell, build
# the upper ROC hulls, find the exact optimum, build the rules. One line per
# constraint; target: under 2 s for 10 M rows and 10 groups. Medians of RUNS,
# wall time and the process's CPU time (the fit is single-threaded, so the
# CPU time is what one core needs on a busy machine).
set -eu
build=${1:-build}
runs=${2:-5}
rows=${3:-10000000}
groups=${4:-10}
ninja -C "$build" bench/mitigate/bench_mitigate >/dev/null

echo "machine: $(nproc) cores; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "group thresholds, $rows rows, $groups groups, one core"
cmd="taskset -c 0 $build/bench/mitigate/bench_mitigate $rows $groups $runs"
$cmd | while read -r name n g secs cpu hv; do
	printf '  %-20s median %.3f s wall, %.3f s CPU  (%d hull vertices in all; target < 2 s of CPU on one core: %s)\n' \
		"$name" "$secs" "$cpu" "$hv" "$(awk "BEGIN { print ($cpu < 2) ? \"met\" : \"MISSED\" }")"
done
echo "  command: $cmd"
