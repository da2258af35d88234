#!/bin/sh
# check-install.sh BUILD_DIR - `meson install` into a staging folder, then
# build and run a small program against the installed libcandor through
# pkg-config, linked both dynamically and statically; then
# tests/install/explainer_windows.c (an explainer on three windows), built
# through pkg-config with -fsanitize=address and run with leak detection.
set -eu
build=$1
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
meson install -C "$build" --destdir "$stage" >/dev/null
pc=$(find "$stage" -name candor.pc | head -1)
[ -n "$pc" ] || { echo "no candor.pc installed"; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$stage
cat >"$stage/use.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <candor/candor.h>
int main(void)
{
	candor_table *t = NULL;
	const char csv[] = "a,b\n1,x\n2,y\n";
	if (candor_csv_read_buffer(&t, csv, strlen(csv), NULL) != CANDOR_OK)
		return 1;
	printf("candor %s: %zu rows\n", candor_version(), candor_table_nrows(t));
	candor_table_free(t);
	return 0;
}
C
libdir=$(dirname "$(find "$stage" -name 'libcandor.so' | head -1)")
cc -o "$stage/use" "$stage/use.c" $(pkg-config --cflags --libs candor)
LD_LIBRARY_PATH=$libdir "$stage/use"
cc -o "$stage/use-static" "$stage/use.c" $(pkg-config --cflags candor) \
	"$libdir/libcandor.a" $(pkg-config --libs --static candor | sed 's/-lcandor//') -fopenmp
"$stage/use-static"
# The explainer handle from outside the tree, under ASan + LeakSanitizer.
src=$(cd "$(dirname "$0")/.." && pwd)
cc -g -fsanitize=address -fno-omit-frame-pointer -o "$stage/explainer_windows" \
	"$src/tests/install/explainer_windows.c" $(pkg-config --cflags --libs candor)
for run in "$src/datasets/credit_model.json" "$src/datasets/credit_model.json kernel" \
           "$src/tests/explain/golden/xgb.json" \
           "$src/tests/explain/golden/xgb.json interventional"; do
	# shellcheck disable=SC2086 # model path and method are two words
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 LD_LIBRARY_PATH=$libdir \
		"$stage/explainer_windows" "$src/tests/explain/golden/credit.csv" $run
done
echo "install: headers, libcandor.so, libcandor.a and candor.pc work; an explainer on" \
	"three windows is freed with no leak under ASan"
