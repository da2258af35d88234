#!/bin/sh
# cli_hostile.sh - the CLI on hostile data files (issue 9: findings 3, 7, 8,
# 17, 20): each must end with exit status 2 and `candor: FILE:LINE:COL:
# message` naming the place, never hang, never read forever.
# usage: cli_hostile.sh CANDOR_BIN
set -u
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
pass=0

# expect NAME STATUS REGEX CMD...: run CMD (with a time limit), check the
# exit status and that stderr matches REGEX (is empty when REGEX is '').
expect() {
	name=$1 want=$2 re=$3
	shift 3
	timeout 60 "$@" >"$dir/out" 2>"$dir/err"
	got=$?
	if [ -z "$re" ]; then
		matched=$([ -s "$dir/err" ] && echo no || echo yes)
	else
		matched=$(grep -Eq -- "$re" "$dir/err" && echo yes || echo no)
	fi
	if [ "$got" -ne "$want" ] || [ "$matched" != yes ]; then
		echo "FAIL $name: status $got (want $want), stderr: $(head -c 300 "$dir/err")"
		fails=$((fails + 1))
	else
		echo "ok   $name"
		pass=$((pass + 1))
	fi
}

printf 'a,b\n1,2\n1e400,3\n' >"$dir/ovf.csv"
expect overflow 2 "^candor: $dir/ovf.csv:3:1: '1e400' is beyond the range of a double" \
	"$bin" datasets inspect "$dir/ovf.csv"

printf 'a,b\n1,a\000b\n' >"$dir/nul.csv"
expect nul-field 2 "^candor: $dir/nul.csv:2:4: NUL byte" "$bin" datasets inspect "$dir/nul.csv"
printf 'y\000,b\n1,2\n' >"$dir/nulh.csv"
expect nul-header 2 "^candor: $dir/nulh.csv:1:2: NUL byte" "$bin" datasets inspect "$dir/nulh.csv"

expect dev-zero 2 '^candor: /dev/zero:1:1: NUL byte' "$bin" datasets inspect /dev/zero
expect dev-zero-fairness 2 '^candor: /dev/zero:1:1: NUL byte' \
	"$bin" fairness --data /dev/zero --label a --pred b --sensitive a

printf 'label,pred,g\n' >"$dir/header.csv"
expect header-only 2 "^candor: $dir/header.csv:2:1: no data rows" \
	"$bin" fairness --data "$dir/header.csv" --label label --pred pred --sensitive g
: >"$dir/empty.csv"
expect empty 2 "^candor: $dir/empty.csv:1:1: empty file" \
	"$bin" fairness --data "$dir/empty.csv" --label label --pred pred --sensitive g

# a 3 MB field, from a file and from a pipe: the field bound, not gigabytes
{ printf 'a,b\n1,'; head -c 3000000 /dev/zero | tr '\000' x; printf '\n'; } >"$dir/big.csv"
expect big-field 2 "^candor: $dir/big.csv:2:3: field longer than 1048576 bytes" \
	"$bin" datasets inspect "$dir/big.csv"
expect big-field-pipe 2 '^candor: /dev/stdin:2:3: field longer than 1048576 bytes' \
	sh -c "\"$bin\" datasets inspect /dev/stdin < \"$dir/big.csv\""

# 200,000 columns with a duplicate at the end: found, quickly
/usr/bin/python3 -c '
import sys
n = 200000
names = ["c%d" % j for j in range(n)]
with open(sys.argv[1], "w") as f:
    f.write(",".join(names) + "\n" + ",".join("0" for _ in names) + "\n")
names[-1] = "c0"
with open(sys.argv[2], "w") as f:
    f.write(",".join(names) + "\n" + ",".join("0" for _ in names) + "\n")
' "$dir/wide.csv" "$dir/wide-dup.csv"
expect wide 0 '' "$bin" datasets inspect "$dir/wide.csv"
col=$(/usr/bin/python3 -c 'import sys; h = open(sys.argv[1]).readline(); print(h.rindex(",") + 2)' "$dir/wide-dup.csv")
expect wide-duplicate 2 "^candor: $dir/wide-dup.csv:1:$col: duplicate column name 'c0'" \
	"$bin" datasets inspect "$dir/wide-dup.csv"

printf '@relation r\n@attribute a numeric\n@data\n1\n1e400\n' >"$dir/ovf.arff"
expect arff-overflow 2 "^candor: $dir/ovf.arff:5:1: '1e400' is beyond the range" \
	"$bin" datasets inspect "$dir/ovf.arff"
printf '@relation r\n@attribute a string\n@data\nx\000y\n' >"$dir/nul.arff"
expect arff-nul 2 "^candor: $dir/nul.arff:4:2: NUL byte" "$bin" datasets inspect "$dir/nul.arff"

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
