#!/bin/bash
# cli_fairness.sh - `candor fairness` end to end: help, a good run whose JSON
# keys are checked against DESIGN.md ("Fairness JSON"), policy exit codes,
# thread-count independence of bootstrap output, and every bad-input error
# (exit 2 with the file and place named).
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

expect 0 "" -- "$BIN" fairness --help
grep -q -- "--sensitive" "$T/out" || fail "help lacks --sensitive"

"$BIN" datasets synth --kind credit --rows 3000 --seed 5 --out "$T/d.csv" || { echo "synth failed"; exit 1; }

# a good run, JSON keys as DESIGN.md
expect 0 "" -- "$BIN" fairness --data "$T/d.csv" --label label --pred pred --score score \
	--sensitive sex,race --json "$T/r.json"
grep -q "^\[race\]" "$T/out" || fail "table lacks [race]"
"$PY" - "$T/r.json" <<'EOF' || fail "JSON keys"
import json, math, sys
r = json.load(open(sys.argv[1]), parse_constant=lambda c: sys.exit("non-JSON constant " + c))
need = {"candor_version", "n", "attributes", "reference", "overall", "groups", "disparities",
        "summary", "checks", "verdict"}
assert need <= set(r), need - set(r)
assert r["n"] == 3000 and r["attributes"] == ["sex", "race"], r["attributes"]
assert set(r["reference"]) == {"sex", "race"}
metrics = ["selection_rate", "base_rate", "tpr", "fpr", "tnr", "fnr", "ppv", "npv", "fdr",
           "for", "accuracy", "error_rate", "f1", "auc", "brier", "ece", "mean_score"]
assert list(r["overall"]) == metrics, list(r["overall"])
for g in r["groups"]:
    assert {"attribute", "group", "n", "tp", "fp", "tn", "fn", "metrics"} <= set(g)
    assert g["n"] == g["tp"] + g["fp"] + g["tn"] + g["fn"]
    assert list(g["metrics"]) == metrics
    for m, v in g["metrics"].items():
        assert "value" in v and "ci" in v, (m, v)
        assert v["value"] is not None or "reason" in v
assert sum(g["n"] for g in r["groups"] if g["attribute"] == "race") == 3000
for d in r["disparities"]:
    assert {"attribute", "metric", "group", "reference", "difference", "ratio", "p_value"} <= set(d)
    assert d["metric"] in metrics
s = ["demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference",
     "equalized_odds_ratio", "equal_opportunity_difference", "average_odds_difference",
     "disparate_impact", "theil_index"]
assert set(s) <= set(r["summary"]), set(s) - set(r["summary"])
assert r["checks"] == [] and r["verdict"] == "pass"
EOF

# policy: pass (exit 0) and fail (exit 1), with the checks in the JSON
cat >"$T/pass.json" <<'EOF'
{"checks": [{"metric": "disparate_impact", "min": 0.1}, {"metric": "tpr", "max_difference": 0.9}]}
EOF
cat >"$T/fail.json" <<'EOF'
{"min_group_size": 30,
 "checks": [{"metric": "disparate_impact", "min": 0.9, "attribute": "race"},
            {"metric": "equalized_odds_difference", "max": 0.01}]}
EOF
expect 0 "" -- "$BIN" fairness --data "$T/d.csv" --label label --pred pred --sensitive race \
	--policy "$T/pass.json" --json "$T/p.json"
grep -q '"verdict": "pass"' "$T/p.json" || fail "pass verdict"
expect 1 "" -- "$BIN" fairness --data "$T/d.csv" --label label --pred pred --sensitive sex,race \
	--policy "$T/fail.json" --json "$T/f.json"
grep -q '"verdict": "fail"' "$T/f.json" || fail "fail verdict"
grep -q "FAIL disparate_impact\[race\]" "$T/out" || fail "table lacks the failed check"
"$PY" -c "
import json,sys; r=json.load(open('$T/f.json'))
c=r['checks']; assert len(c)==3, c
assert c[0]['metric']=='disparate_impact' and c[0]['attribute']=='race' and c[0]['min']==0.9
assert c[0]['pass'] is False and abs(c[0]['value']-r['summary_by_attribute']['race']['disparate_impact'])<1e-15
" || fail "checks JSON"

# --xlsx: the workbook of a fairness-only audit document. openpyxl reads it
# back and tests/report/check_workbook.py compares it cell for cell with the
# document expected here: the --json output of the same run as "fairness",
# and a manifest built from what this script knows (its command line, the
# pinned time, the files' SHA-256 from hashlib); no explanation sheets.
export SOURCE_DATE_EPOCH=1795000000 # 2026-11-18T11:06:40Z
expect 1 "" -- "$BIN" fairness --data "$T/d.csv" --label label --pred pred --score score \
	--sensitive sex,race --intersect --policy "$T/fail.json" --json "$T/x.json" \
	--xlsx "$T/x.xlsx" --quiet
unset SOURCE_DATE_EPOCH
"$PY" - "$T" "${CANDOR_SOURCE_ROOT:-.}/tests/report/check_workbook.py" <<'EOF' || fail "--xlsx workbook"
import hashlib, json, subprocess, sys
t, check = sys.argv[1], sys.argv[2]
fair = json.load(open(f"{t}/x.json"))
sha = lambda p: hashlib.sha256(open(p, "rb").read()).hexdigest()
doc = {"candor_version": fair["candor_version"], "kind": "candor-audit", "verdict": fair["verdict"],
       "manifest": {"candor_version": fair["candor_version"],
                    "command_line": f"candor fairness --data {t}/d.csv --label label --pred pred "
                                    f"--score score --sensitive sex,race --intersect --policy "
                                    f"{t}/fail.json --json {t}/x.json --xlsx {t}/x.xlsx --quiet",
                    "seed": 1, "threads": 0, "time": "2026-11-18T11:06:40Z", "rows": 3000,
                    "label": "label", "sensitive": ["sex", "race"],
                    "files": [{"role": "data", "path": f"{t}/d.csv", "sha256": sha(f"{t}/d.csv")},
                              {"role": "policy", "path": f"{t}/fail.json",
                               "sha256": sha(f"{t}/fail.json")}]},
       "fairness": fair}
assert fair["verdict"] == "fail" and any(not c["pass"] for c in fair["checks"])
json.dump(doc, open(f"{t}/x.doc.json", "w"))
# two charts (group bars, disparity) per attribute, the intersection too
ncharts = 2 * len(fair["attributes"])
sys.exit(subprocess.run([sys.executable, check, f"{t}/x.xlsx", f"{t}/x.doc.json",
                         str(ncharts)]).returncode)
EOF
# an unwritable workbook: exit 2, the place named, and no file at all (not
# even the JSON, which is renamed into place only after the workbook)
expect 2 "^candor: /proc/candor-nope/x.xlsx: cannot write" -- "$BIN" fairness --data "$T/d.csv" \
	--label label --pred pred --sensitive race --json "$T/nox.json" \
	--xlsx /proc/candor-nope/x.xlsx
[ ! -e "$T/nox.json" ] || fail "a failed --xlsx run wrote its JSON"
# a failed run leaves an earlier workbook as it was
cp "$T/x.xlsx" "$T/keep.xlsx"
printf 'y,p,g\n1,1,a\n0,0,b\n2,1,a\n' >"$T/third3.csv"
expect 2 "" -- "$BIN" fairness --data "$T/third3.csv" --label y --pred p --sensitive g \
	--xlsx "$T/x.xlsx"
cmp -s "$T/x.xlsx" "$T/keep.xlsx" || fail "a failed run touched the earlier workbook"
expect 0 "" -- "$BIN" fairness --help
grep -q -- "--xlsx OUT.xlsx" "$T/out" || fail "help lacks --xlsx"

# bootstrap: identical output for 1, 2 and 4 threads
for t in 1 2 4; do
	expect 0 "" -- "$BIN" fairness --data "$T/d.csv" --label label --pred pred --score score \
		--sensitive sex,race --intersect --ci bootstrap --bootstrap 200 --seed 9 \
		--threads $t --json "$T/b$t.json" --quiet
done
cmp -s "$T/b1.json" "$T/b2.json" || fail "bootstrap differs between 1 and 2 threads"
cmp -s "$T/b1.json" "$T/b4.json" || fail "bootstrap differs between 1 and 4 threads"
grep -q '"ci_method": "bootstrap"' "$T/b1.json" || fail "bootstrap not recorded"

# --score with --threshold and no --pred; --reference by name and @favoured
expect 0 "" -- "$BIN" fairness --data "$T/d.csv" --label label --score score --threshold 0.5 \
	--sensitive race --reference race=Black --json "$T/t.json"
grep -q '"race": "Black"' "$T/t.json" || fail "named reference"
expect 0 "" -- "$BIN" fairness --data "$T/d.csv" --label label --pred pred --sensitive race \
	--reference race=@favoured --quiet

# ---- issue 9, finding 4: intersection names are unambiguous ---------------
# A in {x, x&y} and B in {y&z, z}: (x, y&z) and (x&y, z) were both "x&y&z".
printf 'A,B,y,p\nx,y&z,1,1\nx&y,z,0,1\nx,y&z,1,0\nx&y,z,1,1\nx,z,0,0\nx&y,z,1,1\n' >"$T/amp.csv"
expect 0 "" -- "$BIN" fairness --data "$T/amp.csv" --label y --pred p --sensitive A,B \
	--intersect --reference 'A&B=x\&y&z' --json "$T/amp.json" --quiet
"$PY" - "$T/amp.csv" "$T/amp.json" <<'EOF' || fail "intersection names"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
r = json.load(open(sys.argv[2]))
inter = [g for g in r["groups"] if g["attribute"] == "A&B"]
names = [g["group"] for g in inter]
assert len(names) == len(set(names)) == 3, names
# the documented inverse: split on unescaped '&', drop the escapes
def parts(name):
    out, cur, i = [], "", 0
    while i < len(name):
        if name[i] == "\\" and i + 1 < len(name):
            cur += name[i + 1]; i += 2
        elif name[i] == "&":
            out.append(cur); cur = ""; i += 1
        else:
            cur += name[i]; i += 1
    return out + [cur]
for g in inter:
    a, b = parts(g["group"])
    assert g["levels"] == {"A": a, "B": b}, g
    n = sum(1 for x in rows if x["A"] == a and x["B"] == b)
    assert g["n"] == n, (g["group"], g["n"], n)
ref = [g for g in inter if g["reference"]]
assert len(ref) == 1 and ref[0]["levels"] == {"A": "x&y", "B": "z"}, ref
assert r["reference"]["A&B"] == "x\\&y&z"
EOF
expect 2 "reference group 'x&y&z' of attribute 'A&B' does not exist" -- "$BIN" fairness \
	--data "$T/amp.csv" --label y --pred p --sensitive A,B --intersect --reference 'A&B=x&y&z'

# ---- finding 24: a repeated --reference; --threshold 0 means 0 ------------
expect 2 "attribute 'race' is given a reference twice" -- "$BIN" fairness --data "$T/d.csv" \
	--label label --pred pred --sensitive race --reference race=Black --reference race=White
printf 'y,s,g\n1,-0.5,a\n0,0,a\n1,0.3,b\n0,0.6,b\n1,2.5,b\n0,-2,a\n' >"$T/margin.csv"
for thr in 0 -1 0.3 2; do
	expect 0 "" -- "$BIN" fairness --data "$T/margin.csv" --label y --score s --threshold $thr \
		--sensitive g --json "$T/thr.json" --quiet
	"$PY" - "$T/margin.csv" "$T/thr.json" "$thr" <<'EOF' || fail "--threshold $thr"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
r, t = json.load(open(sys.argv[2])), float(sys.argv[3])
for grp in ("a", "b"):
    sel = [float(x["s"]) >= t for x in rows if x["g"] == grp]
    g = [g for g in r["groups"] if g["group"] == grp][0]
    assert g["tp"] + g["fp"] == sum(sel), (grp, g, sel)
EOF
done
expect 2 "--threshold wants a number in \(-inf, inf\)" -- "$BIN" fairness --data "$T/margin.csv" \
	--label y --score s --threshold inf --sensitive g

# ---- finding 23: absurd --bootstrap is bad input (exit 2), not exit 3 -------
expect 2 "--bootstrap wants an integer in \[10, 100000\]" -- "$BIN" fairness --data "$T/d.csv" --label label \
	--pred pred --sensitive race --ci bootstrap --bootstrap 1000000000000000
expect 2 "ci is not bootstrap" -- "$BIN" fairness --data "$T/d.csv" --label label \
	--pred pred --sensitive race --bootstrap 200

# ---- finding 8: without --favorable, label and prediction hold 0/1 ---------
printf 'y,p,g\n1,1,a\nyes,0,b\n1,1,a\n0,0,b\n' >"$T/yes.csv"
expect 2 "yes.csv:3:1: label column 'y' holds 'yes', which is not 0/1 or true/false" -- \
	"$BIN" fairness --data "$T/yes.csv" --label y --pred p --sensitive g
printf 'y,p,g\n1,1,a\n0,2,b\n1,1,a\n0,2,b\n' >"$T/two.csv"
expect 2 "two.csv:3:3: prediction column 'p' holds '2', which is not 0/1" -- \
	"$BIN" fairness --data "$T/two.csv" --label y --pred p --sensitive g
printf 'y,p,g\nTrue,approve,a\nFalse,deny,b\ntrue,approve,a\nFALSE,approve,b\n' >"$T/tf.csv"
expect 2 "tf.csv:2:6: prediction column 'p' holds 'approve'" -- \
	"$BIN" fairness --data "$T/tf.csv" --label y --pred p --sensitive g
expect 0 "" -- "$BIN" fairness --data "$T/tf.csv" --label y --pred p --pred-favorable approve \
	--sensitive g --json "$T/tf.json" --quiet
"$PY" -c "
import json; r = json.load(open('$T/tf.json'))
g = {x['group']: x for x in r['groups']}
assert (g['a']['tp'], g['a']['n']) == (2, 2) and (g['b']['fp'], g['b']['tn']) == (1, 1), g
" || fail "true/false label with --pred-favorable"
expect 2 "--pred-favorable applies only with --pred" -- "$BIN" fairness --data "$T/tf.csv" \
	--label y --score y --pred-favorable approve --sensitive g
# audit goes through the same code: a text label with --favorable works (it
# failed on the internal decision column 'candor.pred'), and errors name the
# user's column
"$BIN" datasets synth --kind credit --rows 400 --seed 3 --out "$T/a.csv" --model-out "$T/m.json" \
	|| fail "synth with model"
"$PY" - "$T/a.csv" "$T/a2.csv" "$T/a3.csv" <<'EOF' || fail "audit fixture"
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
i = rows[0].index("label")
good = [r[:i] + [{"1": "good", "0": "bad"}[r[i]]] + r[i + 1:] for r in rows[1:]]
csv.writer(open(sys.argv[2], "w", newline="")).writerows([rows[0]] + good)
mixed = [r[:i] + [{"1": "1", "0": "no"}[r[i]]] + r[i + 1:] for r in rows[1:]]
csv.writer(open(sys.argv[3], "w", newline="")).writerows([rows[0]] + mixed)
EOF
expect 0 "" -- "$BIN" audit --data "$T/a2.csv" --model "$T/m.json" --label label \
	--favorable good --sensitive sex --explain-rows 4 --lime-rows 1 --out "$T/aud"
"$PY" -c "
import csv, json
rows = list(csv.DictReader(open('$T/a2.csv')))
f = json.load(open('$T/aud/audit.json'))['fairness']
assert f['n'] == len(rows)
for g in f['groups']:
    pos = sum(1 for r in rows if r['sex'] == g['group'] and r['label'] == 'good')
    assert g['tp'] + g['fn'] == pos, (g['group'], g['tp'] + g['fn'], pos)
" || fail "audit with a text label"
expect 2 "a3.csv:[0-9]+:[0-9]+: label column 'label' holds 'no'" -- "$BIN" audit \
	--data "$T/a3.csv" --model "$T/m.json" --label label --sensitive sex --out "$T/aud3"
grep -q "candor\." "$T/err" && fail "audit error names an internal column: $(cat "$T/err")"

# ---- issue 13: p-values adjusted per (attribute, metric), raw kept ---------
for m in holm bh none; do
	expect 0 "" -- "$BIN" fairness --data "$T/d.csv" --label label --pred pred --sensitive sex,race \
		--intersect --p-adjust $m --json "$T/padj.json" --quiet
	"$PY" - "$T/padj.json" $m <<'EOF' || fail "--p-adjust $m"
import json, sys
r, method = json.load(open(sys.argv[1])), sys.argv[2]
assert r["p_adjust"] == method
fam = {}
for d in r["disparities"]:
    fam.setdefault((d["attribute"], d["metric"]), []).append(d)
def holm(p):   # R's p.adjust(p, "holm")
    o = sorted(range(len(p)), key=lambda i: p[i]); m = len(p); out = [0] * m; run = 0
    for j, i in enumerate(o):
        run = max(run, min(1, (m - j) * p[i])); out[i] = run
    return out
def bh(p):     # R's p.adjust(p, "BH")
    o = sorted(range(len(p)), key=lambda i: p[i]); m = len(p); out = [0] * m; run = 1
    for j in reversed(range(m)):
        i = o[j]; run = min(run, min(1, m * p[i] / (j + 1))); out[i] = run
    return out
for ds in fam.values():
    ok = [d for d in ds if d["p_value"] is not None]
    want = {"holm": holm, "bh": bh, "none": lambda p: p}[method]([d["p_value"] for d in ok])
    for d, w in zip(ok, want):
        assert abs(d["p_value_adjusted"] - w) <= 1e-12 * max(1, w), (d, w)
    for d in ds:
        if d["p_value"] is None:
            assert d["p_value_adjusted"] is None and "p_value_adjusted_reason" in d
EOF
done
expect 2 "--p-adjust wants holm, bh or none" -- "$BIN" fairness --data "$T/d.csv" --label label \
	--pred pred --sensitive race --p-adjust bonferroni

# ---- bad input: exit 2, the file and the place named ----------------------
printf 'y,p,g\n1,1,a\n0,0,b\n2,1,a\n' >"$T/third.csv"
expect 2 "third.csv:4:1: label column 'y' holds '2', which is not 0/1 or true/false" -- \
	"$BIN" fairness --data "$T/third.csv" --label y --pred p --sensitive g
expect 2 "d.csv:1:1: no sensitive column 'religion'" -- \
	"$BIN" fairness --data "$T/d.csv" --label label --pred pred --sensitive sex,religion
expect 2 "reference group 'Martian' of attribute 'race' does not exist" -- \
	"$BIN" fairness --data "$T/d.csv" --label label --pred pred --sensitive race \
	--reference race=Martian
expect 2 "not a sensitive attribute" -- \
	"$BIN" fairness --data "$T/d.csv" --label label --pred pred --sensitive race \
	--reference planet=Mars
# the data's format is told by content (candor_table_read): an ARFF file
# named .csv and the same rows as CSV named .arff give the same JSON
printf '%% ARFF, named .csv\n@relation r\n@attribute y numeric\n@attribute p numeric\n@attribute g {a,b}\n@data\n1,1,a\n0,1,a\n1,0,b\n0,0,b\n1,1,b\n' >"$T/arff.csv"
printf 'y,p,g\n1,1,a\n0,1,a\n1,0,b\n0,0,b\n1,1,b\n' >"$T/csv.arff"
expect 0 "" -- "$BIN" fairness --data "$T/arff.csv" --label y --pred p --sensitive g --json "$T/by-arff.json"
expect 0 "" -- "$BIN" fairness --data "$T/csv.arff" --label y --pred p --sensitive g --json "$T/by-csv.json"
cmp -s "$T/by-arff.json" "$T/by-csv.json" || fail "ARFF named .csv and CSV named .arff differ"
grep -q '"n": 5' "$T/by-arff.json" || fail "ARFF named .csv: not 5 rows: $(head -c 300 "$T/by-arff.json")"
printf '{\n  "checks": [\n    {"metric": "disparate_impcat", "min": 0.8}\n  ]\n}\n' >"$T/unknown.json"
expect 2 "unknown.json:3:16: checks\\[0\\]\\.metric: unknown metric 'disparate_impcat'" -- \
	"$BIN" fairness --data "$T/d.csv" --label label --pred pred --sensitive race \
	--policy "$T/unknown.json"
printf '{\n  "checks": [\n    {"metric": "tpr" "max": 0.8}\n  ]\n}\n' >"$T/bad.json"
expect 2 "bad.json:3:22: expected ',' or '}'" -- \
	"$BIN" fairness --data "$T/d.csv" --label label --pred pred --sensitive race \
	--policy "$T/bad.json"
expect 2 "no such|cannot" -- \
	"$BIN" fairness --data "$T/nope.csv" --label label --pred pred --sensitive race
expect 2 "--sensitive is required" -- "$BIN" fairness --data "$T/d.csv" --label label --pred pred
expect 2 "--ci wants" -- "$BIN" fairness --data "$T/d.csv" --label label --pred pred \
	--sensitive race --ci jackknife
# a failed run leaves no output file behind
rm -f "$T/none.json"
expect 2 "" -- "$BIN" fairness --data "$T/third.csv" --label y --pred p --sensitive g \
	--json "$T/none.json"
[ ! -e "$T/none.json" ] || fail "a failed run wrote its JSON"
ls "$T" | grep -q "tmp-" && fail "temporary file left behind"

[ $fails = 0 ] && echo "all cli_fairness checks passed"
exit $((fails > 0))
