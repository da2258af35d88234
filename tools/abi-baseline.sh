#!/bin/sh
# abi-baseline.sh BUILD_DIR [OUT] - write the ABI of BUILD_DIR's libcandor.so
# (abidw, public types only: those of include/candor) to OUT, by default
# abi/libcandor.abi, the baseline tools/abi-check.sh compares with.
# Regenerate and commit it when a release is made, and after a soname bump.
# The build must carry debug information (meson's default debugoptimized,
# or debug).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: abi-baseline.sh BUILD_DIR [OUT]}
out=${2:-$root/abi/libcandor.abi}
lib=$build/libcandor.so
[ -e "$lib" ] || { echo "abi-baseline: no $lib (build the library first)" >&2; exit 2; }
if ! readelf -S "$lib" | grep -q '\.debug_info'; then
	echo "abi-baseline: $lib has no debug information (configure with -Dbuildtype=debugoptimized or debug)" >&2
	exit 2
fi
abidw --headers-dir "$root/include/candor" --drop-private-types --drop-undefined-syms \
	--no-corpus-path --no-comp-dir-path --no-show-locs --type-id-style hash \
	--out-file "$out" "$lib"
echo "abi-baseline: $out ($(grep -o "soname='[^']*'" "$out" | head -1))"
