#!/bin/bash
# cli_mitigate.sh - `candor mitigate` end to end: help, good runs with
# --split and --eval-data (JSON keys, the weight column's length, exit 1
# exactly when the constraint does not hold on the evaluation data), and
# every bad input: exit 2 with a message naming the file and place, and no
# output file left behind (not even a temporary one), an earlier output
# untouched.
set -u
BIN=${CANDOR_BIN:?}
PY=${PYTHON:-/usr/bin/python3}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect STATUS PATTERN -- CMD...: run, compare exit status, grep stderr
expect() {
	local want=$1 pat=$2; shift 3
	"$@" >"$T/out" 2>"$T/err"
	local got=$?
	[ "$got" = "$want" ] || fail "'$*' exited $got, expected $want: $(cat "$T/err")"
	if [ -n "$pat" ] && ! grep -qE -- "$pat" "$T/err"; then
		fail "'$*' stderr lacks /$pat/: $(cat "$T/err")"
	fi
}

expect 0 "" -- "$BIN" mitigate --help
grep -q -- "--constraint" "$T/out" || fail "help lacks --constraint"
expect 0 "" -- "$BIN" help mitigate
"$BIN" --help | grep -q "mitigate" || fail "candor --help lacks mitigate"

"$BIN" datasets synth --kind credit --rows 4000 --seed 5 --out "$T/d.csv" || { echo "synth failed"; exit 1; }
"$BIN" datasets synth --kind credit --rows 3000 --seed 6 --out "$T/e.csv" || { echo "synth failed"; exit 1; }
M=("$BIN" mitigate --data "$T/d.csv" --label label --score score --sensitive sex)

# --split: JSON keys, weights one per row of --data
"${M[@]}" --constraint demographic_parity --split 0.3 --seed 9 --json "$T/s.json" \
	--reweigh-out "$T/w.csv" 2>"$T/err"
rc=$?
[ $rc = 0 ] || [ $rc = 1 ] || fail "split run exited $rc: $(cat "$T/err")"
"$PY" - "$T/s.json" "$T/w.csv" $rc <<'EOF' || fail "split JSON"
import json, sys
r = json.load(open(sys.argv[1]), parse_constant=lambda c: sys.exit("non-JSON constant " + c))
need = {"candor_version", "label", "score", "attribute", "constraint", "objective", "rule",
        "reweighing", "fit", "eval", "accuracy_cost", "seed", "split"}
assert need <= set(r), need - set(r)
assert r["constraint"] == "demographic_parity" and r["attribute"] == "sex"
for g in r["rule"]["groups"]:
    assert len(g["probabilities"]) == len(g["thresholds"]) + 1
    assert g["thresholds"] == sorted(g["thresholds"])
for part in ("fit", "eval"):
    p = r[part]
    assert {"n", "before", "after", "expected", "constraint_holds", "reweighing"} <= set(p)
    assert p["before"]["n"] == p["n"] and p["after"]["n"] == p["n"]
    assert "accuracy" in p["before"]["overall"]
assert r["fit"]["n"] + r["eval"]["n"] == 4000
assert (int(sys.argv[3]) == 1) == (not r["eval"]["constraint_holds"])
assert (not r["eval"]["constraint_holds"]) == ("violation" in r["eval"])
w = open(sys.argv[2]).read().split()
assert w[0] == "weight" and len(w) == 4001, len(w)
EOF
# the same seed gives the same bytes
"${M[@]}" --constraint demographic_parity --split 0.3 --seed 9 --json "$T/s2.json" 2>/dev/null
cmp -s "$T/s.json" "$T/s2.json" || fail "same seed, different JSON"

# --eval-data, two attributes, balanced accuracy
"$BIN" mitigate --data "$T/d.csv" --eval-data "$T/e.csv" --label label --score score \
	--sensitive sex,race --constraint equalized_odds --objective balanced_accuracy \
	--json "$T/e.json" 2>"$T/err"
rc=$?
[ $rc = 0 ] || [ $rc = 1 ] || fail "eval run exited $rc: $(cat "$T/err")"
[ $rc = 1 ] && ! grep -q "does not hold on the evaluation data" "$T/err" && fail "exit 1 unexplained"
"$PY" - "$T/e.json" <<'EOF' || fail "eval JSON"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["attribute"] == "sex&race" and r["objective"] == "balanced_accuracy"
assert r["eval"]["n"] == 3000 and r["fit"]["n"] == 4000
assert all("&" in g["group"] for g in r["rule"]["groups"])
EOF

# bad usage and bad input: exit 2, nothing written, an old output kept
echo old >"$T/keep.json"
expect 2 "--constraint is required" -- "${M[@]}" --json "$T/keep.json"
expect 2 "--constraint wants" -- "${M[@]}" --constraint parity --json "$T/keep.json"
expect 2 "--json is required" -- "${M[@]}" --constraint demographic_parity
expect 2 "not both" -- "${M[@]}" --constraint demographic_parity --split 0.2 \
	--eval-data "$T/e.csv" --json "$T/keep.json"
expect 2 "--split wants" -- "${M[@]}" --constraint demographic_parity --split 1.5 --json "$T/keep.json"
expect 2 "--objective wants" -- "${M[@]}" --constraint demographic_parity --objective f1 \
	--json "$T/keep.json"
expect 2 "only with --constraint policy" -- "${M[@]}" --constraint demographic_parity \
	--policy "$T/pol.json" --json "$T/keep.json"
expect 2 "no score column 'nope'" -- "$BIN" mitigate --data "$T/d.csv" --label label \
	--score nope --sensitive sex --constraint demographic_parity --json "$T/keep.json"
# a group with a single label value: the ROC curve is undefined
printf 'g,y,s\na,1,0.9\na,0,0.2\nb,1,0.7\nb,1,0.4\n' >"$T/deg.csv"
expect 2 "group 'b' has no unfavourable label" -- "$BIN" mitigate --data "$T/deg.csv" \
	--label y --score s --sensitive g --constraint equalized_odds --json "$T/keep.json"
# a missing score names its line and column
printf 'g,y,s\na,1,0.9\na,0,\nb,1,0.7\nb,0,0.4\n' >"$T/miss.csv"
expect 2 "miss.csv:3:5: .*missing" -- "$BIN" mitigate --data "$T/miss.csv" \
	--label y --score s --sensitive g --constraint demographic_parity --json "$T/keep.json"
# a third label value
printf 'g,y,s\na,1,0.9\na,0,0.1\nb,1,0.7\nb,2,0.4\n' >"$T/three.csv"
expect 2 "three.csv:5:.*third value" -- "$BIN" mitigate --data "$T/three.csv" \
	--label y --score s --sensitive g --constraint demographic_parity --json "$T/keep.json"
# an eval group without a rule
printf 'g,y,s\na,1,0.9\na,0,0.1\nc,1,0.7\nc,0,0.4\n' >"$T/ev.csv"
printf 'g,y,s\na,1,0.9\na,0,0.1\nb,1,0.7\nb,0,0.4\n' >"$T/fit.csv"
expect 2 "ev.csv:4:1: group 'c' does not occur in the fitting data" -- "$BIN" mitigate \
	--data "$T/fit.csv" --eval-data "$T/ev.csv" --label y --score s --sensitive g \
	--constraint demographic_parity --json "$T/keep.json" --reweigh-out "$T/kw.csv"
# policies: one that the rule meets, one no rule can meet, two not linear
cat >"$T/pol.json" <<'EOP'
{"checks": [{"metric": "selection_rate", "min_ratio": 0.9}, {"metric": "tpr", "max_difference": 0.05}]}
EOP
"${M[@]}" --constraint policy --policy "$T/pol.json" --json "$T/p.json" 2>"$T/err" ||
	fail "policy run: $(cat "$T/err")"
"$PY" - "$T/p.json" <<'EOP' || fail "policy JSON"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["constraint"] == "policy"
assert [c["metric"] for c in r["fit"]["before"]["checks"]] == ["selection_rate", "tpr"]
g = r["rule"]["groups"]
lo, hi = min(x["selection_rate"] for x in g), max(x["selection_rate"] for x in g)
assert lo >= 0.9 * hi - 1e-12, (lo, hi)
EOP
echo '[{"metric": "base_rate", "min": 0.99}]' >"$T/impossible.json"
expect 2 "no decision rule meets every check of the policy" -- "${M[@]}" --constraint policy \
	--policy "$T/impossible.json" --json "$T/keep.json"
echo '[{"metric": "ppv", "max_difference": 0.1}]' >"$T/ppv.json"
expect 2 "ppv.*not linear" -- "${M[@]}" --constraint policy --policy "$T/ppv.json" \
	--json "$T/keep.json"
echo '[{"metric": "theil_index", "max": 0.1}]' >"$T/theil.json"
expect 2 "theil_index.*not a linear" -- "${M[@]}" --constraint policy --policy "$T/theil.json" \
	--json "$T/keep.json"
expect 2 "needs --policy" -- "${M[@]}" --constraint policy --json "$T/keep.json"
[ "$(cat "$T/keep.json")" = old ] || fail "a failed run changed an earlier output"
[ -e "$T/kw.csv" ] && fail "a failed run wrote the weights"
ls "$T" | grep -q "tmp-" && fail "temporary file left behind"

[ $fails = 0 ] && echo "all cli_mitigate checks passed"
exit $((fails > 0))
