#!/bin/sh
# gsl.sh LIB SOURCE_ROOT - libcandor calls only the GSL functions audited
# not to reach GSL's error handler with the arguments it passes (the list
# below, one reason each; docs/abi.md), and only core/rng.c touches the two
# generator calls that can (gsl_rng_alloc, gsl_rng_uniform_int). A new GSL
# function in the library fails this test until it is audited and listed.
set -eu
lib=$1 root=$2
audited='
gsl_cdf_ugaussian_P             no error path
gsl_cdf_ugaussian_Pinv          no error path (0 and 1 give -inf and +inf)
gsl_ran_gaussian_ziggurat       no error path
gsl_ran_hypergeometric_pdf      no error path (k outside the support gives 0)
gsl_ran_multinomial             no error path
gsl_ran_shuffle                 no error path (gsl_ran_choose has one: unused)
gsl_rng_default_seed            a variable
gsl_rng_free                    no error path
gsl_rng_get                     no error path
gsl_rng_max                     no error path
gsl_rng_min                     no error path
gsl_rng_mt19937                 a variable
gsl_rng_set                     no error path
gsl_rng_uniform                 no error path
gsl_rng_uniform_pos             no error path
gsl_rng_uniform_int             core/rng.c only, with 1 <= n <= the range
gsl_sf_lnchoose                 m > n errors: fairness/stats.c passes m <= n (table margins)
gsl_sort                        no error path
gsl_stats_quantile_from_sorted_data  f outside [0, 1] errors: fairness/result.c passes (1 -+ conf) / 2, conf in (0, 1)
'
used=$(nm -D --undefined-only "$lib" | awk '{print $2}' | sed 's/@.*//' | grep '^gsl_' | sort -u)
fail=0
for f in $used; do
	if ! printf '%s\n' "$audited" | awk '{print $1}' | grep -qx "$f"; then
		echo "libcandor calls $f, which is not audited (tests/abi/gsl.sh): can it reach GSL's handler?"
		fail=1
	fi
done
direct=$(cd "$root" && grep -rlE 'gsl_rng_alloc *\(|gsl_rng_uniform_int *\(|gsl_set_error_handler' \
	--include='*.c' --include='*.h' core datasets models explain fairness report audit 2>/dev/null |
	grep -v '^core/rng\.c$' || true)
if [ -n "$direct" ]; then
	echo "gsl_rng_alloc, gsl_rng_uniform_int or gsl_set_error_handler outside core/rng.c: $direct"
	fail=1
fi
[ "$fail" = 0 ] && echo "libcandor calls $(printf '%s\n' "$used" | wc -l) GSL names, all audited; no handler is set"
exit "$fail"
