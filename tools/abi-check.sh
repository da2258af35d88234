#!/bin/sh
# abi-check.sh BUILD_DIR [BASELINE] - compare BUILD_DIR's libcandor.so with
# the committed ABI baseline (abi/libcandor.abi, made by abi-baseline.sh)
# using abidiff. Exit 0 when the ABI is unchanged or only grew compatibly
# (new functions or variables; members appended to a versioned options
# struct; new enumerators: tools/abi-compatible.awk), or when it broke and
# the soname was bumped (then regenerate the baseline). Exit 1 when it
# changed in any other way without a soname bump, or when the soname
# changed although the ABI did not break (docs/abi.md: the soname changes
# only on a break). Exit 2 when the check itself cannot run.
#
# abidiff's exit status is a bit set: 1 error, 2 usage, 4 ABI change, 8
# incompatible change. It sets 8 only for removed symbols; a reordered or
# retyped struct member gives 4, as does a compatible appended member. So
# with additions filtered out (--no-added-syms) any change left is judged
# from abidiff's leaf report by tools/abi-compatible.awk. (libabigail 2.2's
# suppression files cannot say "appended only": a suppress_type naming a
# struct also hides its reordered members.)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: abi-check.sh BUILD_DIR [BASELINE]}
base=${2:-$root/abi/libcandor.abi}
[ -s "$base" ] || { echo "abi-check: no baseline $base (tools/abi-baseline.sh makes one)"; exit 2; }
command -v abidiff >/dev/null || { echo "abi-check: abidiff not found (Debian package abigail-tools)"; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$root/tools/abi-baseline.sh" "$build" "$tmp/current.abi" >/dev/null || exit 2

soname() { grep -o "soname='[^']*'" "$1" | head -1 | sed "s/soname='\(.*\)'/\1/"; }
old=$(soname "$base") new=$(soname "$tmp/current.abi")

# The sonames are compared here, the rest by abidiff (which counts a soname
# change as incompatible): the baseline is diffed under the current soname.
sed "s/soname='[^']*'/soname='$new'/" "$base" >"$tmp/base.abi"
base=$tmp/base.abi
abidiff --leaf-changes-only --no-added-syms "$base" "$tmp/current.abi" >"$tmp/report" 2>&1
rc=$?
if [ $((rc & 3)) -ne 0 ]; then
	cat "$tmp/report"
	echo "abi-check: abidiff failed (status $rc)"
	exit 2
fi
added=$(abidiff "$base" "$tmp/current.abi" 2>/dev/null | grep -cE '^  \[A\]' || true)
broke=0
: >"$tmp/why"
if [ $((rc & 8)) -ne 0 ]; then
	broke=1
elif [ $((rc & 4)) -ne 0 ]; then
	awk -f "$root/tools/abi-compatible.awk" "$tmp/report" >"$tmp/why" || broke=1
fi
if [ "$broke" = 1 ]; then
	if [ "$old" != "$new" ]; then
		echo "abi-check: the ABI broke and the soname moved from $old to $new: fine;" \
			"regenerate the baseline (tools/abi-baseline.sh)"
		exit 0
	fi
	cat "$tmp/report" "$tmp/why"
	echo "abi-check: FAILED: the ABI changed incompatibly and the soname is still $new;" \
		"undo the change, or bump CANDOR_SOVERSION in include/candor/version.h (docs/abi.md)"
	exit 1
fi
if [ "$old" != "$new" ]; then
	echo "abi-check: FAILED: the soname moved from $old to $new but the ABI did not break" \
		"(the soname changes only on a break, docs/abi.md)"
	exit 1
fi
if [ $((rc & 4)) -ne 0 ]; then
	cat "$tmp/report"
	echo "abi-check: compatible with the baseline ($new; $added added symbols; the changes above are compatible)"
else
	echo "abi-check: compatible with the baseline ($new; $added added symbols)"
fi
exit 0
