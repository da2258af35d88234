#!/bin/sh
# symbols.sh LIB HEADER_DIR - the shared library exports exactly the public
# API: every defined dynamic symbol is a candor_ name (never an internal
# candor__ one, never a dependency's or the compiler's), every function a
# public header declares with CANDOR_API is exported, and nothing else is.
set -eu
lib=$1 headers=$2
exported=$(nm -D --defined-only "$lib" | awk '{print $3}' | sed 's/@.*//' | sort -u)
bad=$(printf '%s\n' "$exported" | grep -vxE '_edata|_end|__bss_start|_init|_fini' |
	grep -vE '^candor_[a-z0-9]' || true)
internal=$(printf '%s\n' "$exported" | grep -E '^candor__' || true)
if [ -n "$bad$internal" ]; then
	undeclared=$(printf '%s\n' "$exported" | grep '^candor_' | while read -r f; do
	printf '%s\n' "$declared" | grep -qx "$f" || echo "$f"
done)
if [ -n "$undeclared" ]; then
	echo "exported but declared by no public header:"
	printf '%s\n' $undeclared
	exit 1
fi
echo "libcandor exports names outside the public API:"
	printf '%s\n' $bad $internal
	exit 1
fi
# The functions the headers declare: "CANDOR_API <type> [*]candor_name(".
declared=$(cat "$headers"/*.h | tr '\n' ' ' | grep -oE 'CANDOR_API[^;(]*\(' |
	grep -oE 'candor_[a-z0-9_]+ *\($' | tr -d ' (' | sort -u)
missing=$(printf '%s\n' "$declared" | while read -r f; do
	printf '%s\n' "$exported" | grep -qx "$f" || echo "$f"
done)
if [ -n "$missing" ]; then
	echo "declared in the headers but not exported:"
	printf '%s\n' $missing
	exit 1
fi
undeclared=$(printf '%s\n' "$exported" | grep '^candor_' | while read -r f; do
	printf '%s\n' "$declared" | grep -qx "$f" || echo "$f"
done)
if [ -n "$undeclared" ]; then
	echo "exported but declared by no public header:"
	printf '%s\n' $undeclared
	exit 1
fi
echo "libcandor exports $(printf '%s\n' "$exported" | grep -c '^candor_') candor_ names, all $(printf '%s\n' "$declared" | wc -l) declared functions, nothing else"
