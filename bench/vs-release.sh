#!/bin/bash
# vs-release.sh - every bench of this tree beside the same bench of the last
# release (the commit on bench/RELEASE's first line), in one run, so that a
# regression shows as two lines that differ.
#
# usage: bench/vs-release.sh [BUILD_DIR] [RUNS] [BENCH ...]
#   defaults: build-rel 5, and every bench both trees have among
#   treeshap treeshap_interactions explain fairness csv_ingest mitigate audit.
#   BUILD_DIR is this tree's release build (made if absent). Run from the
#   repository's top folder.
# The release's source is exported with `git archive` into
# bench/out/release/COMMIT (no worktree, nothing of it is committed) and built
# there with -Dbuildtype=release. Each bench runs with the release's own
# script and binaries from that folder, then with this tree's, and again in
# that order RUNS times over inside each script (medians): the machine is
# shared, so compare the ratios each script prints (candor against XGBoost,
# against a target) more than the raw seconds, and rerun a bench whose two
# lines differ before calling it a regression. A bench this tree has and the
# release lacks is printed alone.
set -eu
build=${1:-build-rel}
runs=${2:-5}
shift $(($# < 2 ? $# : 2))
benches=${*:-treeshap treeshap_interactions explain fairness csv_ingest mitigate audit}
ref=$(sed -n '1{s/[[:space:]].*//;p}' bench/RELEASE)
full=$(git rev-parse --verify "$ref^{commit}")
now=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench/out' || echo +changes)
src=bench/out/release/$ref

if [ ! -e "$src/.built" ]; then
	rm -rf "$src"
	mkdir -p "$src"
	git archive "$full" | tar -x -C "$src"
	meson setup "$src/build-rel" "$src" -Dbuildtype=release >/dev/null
	ninja -C "$src/build-rel" >/dev/null
	touch "$src/.built"
fi
[ -d "$build" ] || meson setup "$build" -Dbuildtype=release >/dev/null
ninja -C "$build" >/dev/null

args() { # args BENCH: the arguments after BUILD_DIR for bench/BENCH.sh
	case $1 in
	csv_ingest) echo "200 $runs" ;;          # a 200 MB file, not 1 GB
	fairness) echo "$runs 1000000" ;;
	mitigate) echo "$runs 10000000 10" ;;
	treeshap_interactions) echo "$runs 1000" ;;
	*) echo "$runs" ;;
	esac
}
figures() { # the lines that carry a figure
	grep -E '[0-9] (s|ms|MB/s|M rows/s)\b|ratio|per row|rows/s' || true
}

echo "bench figures: release $ref (bench/RELEASE) beside now ($now); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for b in $benches; do
	echo
	echo "== bench/$b.sh BUILD $(args "$b")"
	if [ -f "$src/bench/$b.sh" ]; then
		# shellcheck disable=SC2046
		(cd "$src" && bash "bench/$b.sh" build-rel $(args "$b") 2>&1) | figures >"$src/$b.out" || true
	else
		: >"$src/$b.out"
		echo "  (the release has no bench/$b.sh)"
	fi
	# shellcheck disable=SC2046
	bash "bench/$b.sh" "$build" $(args "$b") 2>&1 | figures >"bench/out/$b.now" || true
	paste -d '\n' <(sed "s/^/  release: /" "$src/$b.out") <(sed "s/^/  now:     /" "bench/out/$b.now") | sed '/^$/d'
done
echo
echo "command: bench/vs-release.sh $build $runs $benches"
