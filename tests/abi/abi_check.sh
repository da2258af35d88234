#!/bin/sh
# abi_check.sh SOURCE_ROOT - tools/abi-check.sh fails on an incompatible
# change and passes on compatible ones. In a copy of the tree: build the
# library alone (-O0, with debug information), take its ABI as the
# baseline, then
#   1. swap two members of a public struct (candor_mitigate_columns' label
#      and score): the check must FAIL (exit 1);
#   2. with the same swap and a baseline of an older soname: passes (the
#      soname was bumped);
#   3. undo it and add a public function: passes;
#   4. add a member at the end of a versioned options struct and an
#      enumerator at the end of an enum: passes;
#   5. no change but a baseline of another soname: FAILS (needless bump);
#   6. a member appended to a struct that is not an options struct (a
#      view's part, embedded in the view): FAILS.
# Exit 77 (skip) without abigail-tools.
set -eu
src=$1
command -v abidiff >/dev/null || { echo "abigail-tools not installed"; exit 77; }
py=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/src"
tar -C "$src" --exclude='./build*' --exclude=./.git --exclude='./subprojects/packagecache' \
	-cf - . | tar -C "$tmp/src" -xf -
cd "$tmp/src"
ver=$(sed -n 's/^#define CANDOR_VERSION "\(.*\)"$/\1/p' include/candor/version.h)
meson setup "$tmp/b" -Dbuildtype=debug -Db_sanitize=none >"$tmp/setup.log" 2>&1 ||
	{ cat "$tmp/setup.log"; exit 1; }
lib() { ninja -C "$tmp/b" "libcandor.so.$ver" >"$tmp/ninja.log" 2>&1 || { cat "$tmp/ninja.log"; exit 1; }; }
lib
tools/abi-baseline.sh "$tmp/b" "$tmp/base.abi" >/dev/null
sed "s/soname='libcandor\.so\.[0-9]*'/soname='libcandor.so.older'/" "$tmp/base.abi" >"$tmp/older.abi"
cp include/candor/mitigate.h "$tmp/mitigate.h"
edit() { # edit FILE OLD NEW: replace the one occurrence of OLD by NEW
	"$py" -c 'import sys
p, old, new = sys.argv[1:]
s = open(p).read()
assert s.count(old) == 1, (p, old)
open(p, "w").write(s.replace(old, new))' "$@"
}
expect() { # expect STATUS CASE BASELINE
	set +e
	tools/abi-check.sh "$tmp/b" "$3" >"$tmp/check.log" 2>&1
	rc=$?
	set -e
	if [ "$rc" != "$1" ]; then
		cat "$tmp/check.log"
		echo "case $2: abi-check exited $rc, expected $1"
		exit 1
	fi
	echo "case $2: abi-check exited $rc as it should: $(tail -1 "$tmp/check.log")"
}

# 1 and 2: two members swapped
edit include/candor/mitigate.h \
	'	const char *label;             /**< required: a binary column */
	const char *score;             /**< required: a numeric column, higher = favourable */' \
	'	const char *score;             /**< required: a numeric column, higher = favourable */
	const char *label;             /**< required: a binary column */'
lib
expect 1 "swapped members" "$tmp/base.abi"
grep -q "offset changed" "$tmp/check.log" || { echo "the report does not name the moved members"; exit 1; }
expect 0 "swapped members, soname bumped" "$tmp/older.abi"

# 3: a new function
cp "$tmp/mitigate.h" include/candor/mitigate.h
edit include/candor/mitigate.h 'CANDOR_API const char *candor_mitigate_constraint_name(' \
	'CANDOR_API int candor_mitigate_abi_probe(void);
CANDOR_API const char *candor_mitigate_constraint_name('
printf '\nint candor_mitigate_abi_probe(void)\n{\n\treturn 2385;\n}\n' >>fairness/mitigate_run.c
lib
expect 0 "an added function" "$tmp/base.abi"
grep -q "1 added symbols" "$tmp/check.log" || { echo "the added function is not counted"; exit 1; }

# 4: a member at the end of an options struct
edit include/candor/mitigate.h '	const char *eval_source;       /**< the eval file'"'"'s name, for messages; NULL: none */' \
	'	const char *eval_source;       /**< the eval file'"'"'s name, for messages; NULL: none */
	int probe;'
edit include/candor/mitigate.h '	CANDOR_MITIGATE_BALANCED_ACCURACY = 1   /**< (tpr + tnr) / 2 */' \
	'	CANDOR_MITIGATE_BALANCED_ACCURACY = 1,  /**< (tpr + tnr) / 2 */
	CANDOR_MITIGATE_ABI_PROBE = 2'
lib
expect 0 "a member appended to an options struct, an enumerator added" "$tmp/base.abi"

# 5: nothing broke but the soname moved
expect 1 "a needless soname bump" "$tmp/older.abi"

# 6: a member appended to a struct of a view (it is embedded in others, so
# what follows it moves)
edit include/candor/mitigate.h '	const double *selection_rate, *tpr, *fpr; /**< per group (NaN where 0/0) */
} candor_mitigate_expected;' '	const double *selection_rate, *tpr, *fpr; /**< per group (NaN where 0/0) */
	double probe2;
} candor_mitigate_expected;'
lib
expect 1 "a member appended to a struct that is not an options struct" "$tmp/base.abi"
