#!/bin/bash
# cli_test.sh - the candor program's contract: help, version, exit statuses,
# error messages as `candor: FILE:LINE:COL: message`, deterministic synthetic
# data, and no half-written output after a failure.
set -u
bin=${CANDOR_BIN:?CANDOR_BIN is not set}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

check() { # check NAME EXPECTED_STATUS CMD...; stdout+stderr land in $tmp/out
	local name=$1 want=$2
	shift 2
	"$@" >"$tmp/out" 2>&1
	local got=$?
	if [ "$got" = "$want" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $name: exit $got, want $want"
		sed 's/^/    /' "$tmp/out" | head -5
	fi
}
expect_out() { # expect_out NAME EXTENDED_REGEX (matched against $tmp/out)
	if grep -Eq -- "$2" "$tmp/out"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $1: output does not match /$2/"
		sed 's/^/    /' "$tmp/out" | head -5
	fi
}

# ---- program level ----------------------------------------------------------
check version 0 "$bin" --version
expect_out version '^candor [0-9]+\.[0-9]+\.[0-9]+$'
check help 0 "$bin" --help
expect_out help-lists-commands 'fairness.*' 
check no-args 2 "$bin"
check unknown-command 2 "$bin" frobnicate
expect_out unknown-command "^candor: unknown command 'frobnicate'; see 'candor --help'$"
check unknown-option 2 "$bin" --frobnicate
for sub in fairness explain audit report datasets; do
	check "help-$sub" 0 "$bin" "$sub" --help
	expect_out "help-$sub-usage" "usage: candor $sub"
	check "help-cmd-$sub" 0 "$bin" help "$sub"
done
check help-unknown 2 "$bin" help frobnicate

# ---- datasets synth ---------------------------------------------------------
check synth 0 "$bin" datasets synth --kind credit --rows 10 --seed 3 --out "$tmp/a.csv" --model-out "$tmp/m.json"
[ "$(wc -l <"$tmp/a.csv")" = 11 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL synth rows"; }
head -1 "$tmp/a.csv" >"$tmp/out"
expect_out synth-header '^sex,race,age,income_k,credit_score,debt_ratio,loan_amount_k,zip_score,purpose,label,score,pred$'
cmp -s "$tmp/m.json" "$CANDOR_SOURCE_ROOT/datasets/credit_model.json" && pass=$((pass + 1)) ||
	{ fail=$((fail + 1)); echo "FAIL model-out differs from datasets/credit_model.json"; }
# outputs get the usual permissions (umask), not mkstemp's private 0600
# library messages name the library's parameters ("options.link"); the CLI
# names its flags instead
check flag-link 2 "$bin" explain --model "$tmp/m.json" --data "$tmp/a.csv" --method linear \
	--link identity --out "$tmp/s.csv"
expect_out flag-link "log-odds: set --link to logit"
check flag-intersect 2 "$bin" fairness --data "$tmp/a.csv" --label label --pred pred \
	--sensitive sex,race --reference 'sex&race=female&Black'
expect_out flag-intersect "an intersection needs --intersect\\)"
printf '@relation r\n@attribute x numeric\n@data\n1\n2\n' >"$tmp/arff.csv"
check flag-delimiter 2 "$bin" datasets inspect --delimiter ';' "$tmp/arff.csv"
expect_out flag-delimiter "arff.csv: the data is ARFF, and --delimiter applies to CSV only"
check arff-by-content 0 "$bin" datasets inspect "$tmp/arff.csv"
expect_out arff-by-content "arff.csv: 2 rows, 1 columns"
(umask 022 && "$bin" datasets synth --kind credit --rows 3 --out "$tmp/perm.csv" --model-out "$tmp/perm.json")
[ "$(stat -c %a "$tmp/perm.csv") $(stat -c %a "$tmp/perm.json")" = "644 644" ] && pass=$((pass + 1)) ||
	{ fail=$((fail + 1)); echo "FAIL output permissions: $(stat -c %a "$tmp/perm.csv" "$tmp/perm.json")"; }
check synth-again 0 "$bin" datasets synth --kind credit --rows 10 --seed 3 --out "$tmp/b.csv"
cmp -s "$tmp/a.csv" "$tmp/b.csv" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL synth not deterministic"; }
check synth-other-seed 0 "$bin" datasets synth --kind credit --rows 10 --seed 4 --out "$tmp/c.csv"
cmp -s "$tmp/a.csv" "$tmp/c.csv" && { fail=$((fail + 1)); echo "FAIL seeds 3 and 4 gave the same file"; } || pass=$((pass + 1))
check synth-bad-rows 2 "$bin" datasets synth --kind credit --rows abc --out "$tmp/x.csv"
expect_out synth-bad-rows-msg "--rows wants an integer in \[1, 10000000\], not 'abc'"
check synth-bad-kind 2 "$bin" datasets synth --kind nope --out "$tmp/x.csv"
check synth-no-out 2 "$bin" datasets synth --kind credit
check synth-no-kind 2 "$bin" datasets synth --out "$tmp/x.csv"
check synth-bad-option 2 "$bin" datasets synth --kind credit --out "$tmp/x.csv" --frob
check synth-missing-value 2 "$bin" datasets synth --kind credit --out
check synth-unwritable 2 "$bin" datasets synth --kind credit --rows 5 --out "$tmp/no/such/dir/x.csv"
expect_out synth-unwritable-msg "^candor: $tmp/no/such/dir/x.csv: cannot write"
check datasets-unknown 2 "$bin" datasets frob

# a failed write leaves the earlier file untouched and no temporary behind
cp "$tmp/a.csv" "$tmp/keep.csv"
chmod 0555 "$tmp"
if [ "$(id -u)" != 0 ]; then # root ignores permissions
	check synth-readonly-dir 2 "$bin" datasets synth --kind credit --rows 5 --out "$tmp/keep.csv"
	cmp -s "$tmp/a.csv" "$tmp/keep.csv" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL earlier file changed"; }
fi
chmod 0755 "$tmp"
ls "$tmp" | grep -q 'tmp-' && { fail=$((fail + 1)); echo "FAIL temporary file left behind"; } || pass=$((pass + 1))

# ---- reading data: every malformed input names FILE:LINE:COL, exit 2 -------
bad() { # bad NAME CONTENT REGEX
	printf '%b' "$2" >"$tmp/$1.csv"
	check "inspect-$1" 2 "$bin" datasets inspect "$tmp/$1.csv"
	expect_out "inspect-$1-msg" "^candor: $tmp/$1.csv:$3"
}
bad ragged 'a,b\n1,2\n3\n' '3:2: row has 1 fields, the header has 2$'
bad extra 'a,b\n1,2\n3,4,5\n' '3:5: row has more than'
bad unterminated 'a,b\n1,"open\n2,3\n' '2:3: unterminated quoted field$'
bad utf8 'a,b\n1,2\n3,\xff\n' '3:3: invalid UTF-8 byte 0xff$'
bad duplicate 'a,b,a\n1,2,3\n' "1:5: duplicate column name 'a'$"
bad empty '' '1:1: empty file: no header row$'
bad stray-quote 'a,b\n1,x"y\n' '2:4: quote inside an unquoted field'
printf '@relation r\n@attribute a {x,y}\n@data\nz\n' >"$tmp/bad.arff"
check inspect-arff 2 "$bin" datasets inspect "$tmp/bad.arff"
expect_out inspect-arff-msg "^candor: $tmp/bad.arff:4:1: 'z' is not a declared value of attribute 'a'$"
check inspect-missing-file 2 "$bin" datasets inspect "$tmp/nope.csv"
expect_out inspect-missing-file-msg "^candor: $tmp/nope.csv: cannot open: No such file or directory$"
check inspect-good 0 "$bin" datasets inspect "$tmp/a.csv"
expect_out inspect-good-out 'race +categorical +missing 0'
check inspect-column 0 "$bin" datasets inspect --columns race,age "$tmp/a.csv"
expect_out inspect-column-out '^  age +numeric'
check inspect-missing-column 2 "$bin" datasets inspect --columns race,income "$tmp/a.csv"
expect_out inspect-missing-column-msg "^candor: $tmp/a.csv:1:1: no column named 'income'$"
printf 'a;b\n1,5;2\n' >"$tmp/semi.csv"
check inspect-delimiter 0 "$bin" datasets inspect --delimiter ';' "$tmp/semi.csv"
expect_out inspect-delimiter-out 'a +categorical'

echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
