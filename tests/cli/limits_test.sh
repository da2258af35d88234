#!/bin/bash
# limits_test.sh - every numeric option's bound, against the table in
# docs/cli.md ("Limits"), the oracle: for each row, values just outside the
# documented interval, absurd values and non-numbers are exit 2 with a
# message naming the option and exactly the documented interval; values at
# the bounds are accepted by the parser; absurd sizes on otherwise valid
# command lines are exit 2 (not 3) and write nothing.
set -u
bin=${CANDOR_BIN:?CANDOR_BIN is not set}
doc=${CANDOR_SOURCE_ROOT:?}/docs/cli.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

check() { # check NAME EXPECTED_STATUS CMD...; stdout+stderr land in $tmp/out
	local name=$1 want=$2
	shift 2
	"$@" >"$tmp/out" 2>&1 </dev/null
	local got=$?
	if [ "$got" = "$want" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $name: exit $got, want $want"
		sed 's/^/    /' "$tmp/out" | head -5
	fi
}
expect_out() { # expect_out NAME FIXED_STRING (looked for in $tmp/out)
	if grep -Fq -- "$2" "$tmp/out"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $1: output lacks '$2'"
		sed 's/^/    /' "$tmp/out" | head -5
	fi
}
# refused CMD OPTION VALUE WANT: the parser refuses VALUE naming the bound
refused() {
	local cmd=$1 opt=$2 value=$3 want=$4
	# shellcheck disable=SC2086 # "datasets synth" is two words
	check "$cmd $opt $value" 2 "$bin" $cmd "$opt" "$value"
	expect_out "$cmd $opt $value message" "$opt $want, not '$value'"
}
# not_refused_by_bound CMD OPTION VALUE: the parser takes VALUE (the command
# may still stop later, for a missing --data, but not at this option)
accepted() {
	local cmd=$1 opt=$2 value=$3
	# shellcheck disable=SC2086
	"$bin" $cmd "$opt" "$value" >"$tmp/out" 2>&1 </dev/null
	if grep -Fq -- "$opt wants" "$tmp/out"; then
		fail=$((fail + 1))
		echo "FAIL $cmd $opt $value: refused at the bound"
		sed 's/^/    /' "$tmp/out" | head -3
	else
		pass=$((pass + 1))
	fi
}

# ---- the table of docs/cli.md -----------------------------------------------
rows=0
while IFS='|' read -r _ opt cmds bound _; do
	opt=$(echo "$opt" | tr -d '` ')
	cmds=$(echo "$cmds" | sed 's/([^)]*)//g; s/^ *//; s/ *$//')
	bound=$(echo "$bound" | sed 's/^ *//; s/ *$//')
	case $opt in --*) ;; *) continue ;; esac
	rows=$((rows + 1))
	IFS=',' read -ra list <<<"$cmds"
	for cmd in "${list[@]}"; do
		cmd=$(echo "$cmd" | sed 's/^ *//; s/ *$//')
		if [[ $bound =~ ^\[([0-9]+),\ ([0-9]+)\]$ ]]; then # integers
			lo=${BASH_REMATCH[1]} hi=${BASH_REMATCH[2]}
			want="wants an integer in [$lo, $hi]"
			refused "$cmd" "$opt" "$(echo "$hi + 1" | bc)" "$want"
			refused "$cmd" "$opt" "${hi}000" "$want"
			refused "$cmd" "$opt" 99999999999999999999999 "$want"
			refused "$cmd" "$opt" -1 "$want"
			refused "$cmd" "$opt" "+$lo" "$want"
			refused "$cmd" "$opt" " $lo" "$want"
			refused "$cmd" "$opt" 1e3 "$want"
			refused "$cmd" "$opt" abc "$want"
			[ "$lo" -gt 0 ] && refused "$cmd" "$opt" $((lo - 1)) "$want"
			accepted "$cmd" "$opt" "$lo"
			accepted "$cmd" "$opt" "$hi"
		elif [[ $bound =~ ^\(([0-9.e+-]+),\ ([0-9.e+-]+)\] ]]; then # (lo, hi]
			lo=${BASH_REMATCH[1]} hi=${BASH_REMATCH[2]}
			want="wants a number in ($lo, $hi]"
			refused "$cmd" "$opt" "$lo" "$want"
			refused "$cmd" "$opt" -1 "$want"
			refused "$cmd" "$opt" nan "$want"
			refused "$cmd" "$opt" inf "$want"
			refused "$cmd" "$opt" 1e400 "$want"
			refused "$cmd" "$opt" 1e-400 "$want"
			refused "$cmd" "$opt" 0,5 "$want"
			refused "$cmd" "$opt" "${hi}0" "$want"
			accepted "$cmd" "$opt" "$hi"
			accepted "$cmd" "$opt" 0.5
		elif [[ $bound =~ ^finite ]]; then
			want="wants a number in (-inf, inf)"
			refused "$cmd" "$opt" nan "$want"
			refused "$cmd" "$opt" inf "$want"
			refused "$cmd" "$opt" 1e400 "$want"
		else
			fail=$((fail + 1))
			echo "FAIL docs/cli.md: cannot read the bound of $opt: '$bound'"
		fi
	done
done < <(sed -n '/^## Limits/,/^## /p' "$doc" | grep '^| `--')
[ "$rows" -ge 14 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL docs/cli.md: only $rows limits"; }

# ---- absurd sizes on valid command lines: exit 2, nothing written --------------
"$bin" datasets synth --kind credit --rows 200 --seed 2 --out "$tmp/d.csv" >/dev/null
check synth-absurd-rows 2 "$bin" datasets synth --kind credit --rows 100000000000 --out "$tmp/big.csv"
expect_out synth-absurd-rows-msg "--rows wants an integer in [1, 10000000], not '100000000000'"
[ ! -e "$tmp/big.csv" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL synth wrote big.csv"; }
check demo-absurd-rows 2 "$bin" audit --demo --rows 100000000000 --out "$tmp/audit"
check fairness-absurd-bootstrap 2 "$bin" fairness --data "$tmp/d.csv" --label label --pred pred \
	--sensitive sex --ci bootstrap --bootstrap 1000000000000 --json "$tmp/f.json"
expect_out fairness-absurd-bootstrap-msg "--bootstrap wants an integer in [10, 100000]"
[ ! -e "$tmp/f.json" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL fairness wrote f.json"; }
check explain-absurd-nsamples 2 "$bin" explain --model "$CANDOR_SOURCE_ROOT/datasets/credit_model.json" \
	--data "$tmp/d.csv" --method kernel --nsamples 100000000000 --out "$tmp/s.csv"
check rows-without-demo 2 "$bin" audit --data "$tmp/d.csv" --model m --label label --sensitive sex \
	--rows 500 --out "$tmp/audit"
expect_out rows-without-demo-msg "--rows is for --demo"
# at the bounds, end to end
check synth-max-seed 0 "$bin" datasets synth --kind credit --rows 1 --seed 18446744073709551615 --out "$tmp/one.csv"
check fairness-min-bootstrap 0 "$bin" fairness --data "$tmp/d.csv" --label label --pred pred \
	--sensitive sex --ci bootstrap --bootstrap 10 --threads 1024 --quiet

echo "limits: $pass passed, $fail failed"
[ "$fail" = 0 ]
