#!/usr/bin/python3
"""`candor explain --method tree` and `--interactions` against XGBoost's own
pred_contribs / pred_interactions (the fixtures of make_fixtures.py), and the
exit status 2 with a clear message for unsupported or malformed models.

Tolerance as in test_tree.c: |candor - xgboost| <= 1e-5 * max(|xgboost|,
0.1 * row max), XGBoost computing in float.
"""
import csv
import os
import subprocess
import sys
import tempfile

BIN = os.environ["CANDOR_BIN"]
FX = os.environ["CANDOR_TREE_FIXTURES"]
failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what)


def nums(path):
    with open(path) as f:
        return [[float(v) for v in line.strip().split(",")] for line in f if line.strip()]


def close(got, ref, what):
    big = max(abs(v) for v in ref)
    for j, (a, b) in enumerate(zip(got, ref)):
        if abs(a - b) > 1e-5 * max(abs(b), 0.1 * big):
            check(False, "%s entry %d: candor %r, xgboost %r" % (what, j, a, b))
            return


def explain(tmp, name, extra, data=None):
    out = os.path.join(tmp, name + ".shap.csv")
    r = subprocess.run([BIN, "explain", "--model", os.path.join(FX, name + ".json"),
                        "--data", os.path.join(FX, (data or name) + ".data.csv"), "--out", out,
                        "--threads", "2"] + extra, capture_output=True, text=True)
    return r, out


with tempfile.TemporaryDirectory() as tmp:
    for name, K in (("bin_d2", 1), ("multi_d3", 3), ("reg_d4", 1), ("logitraw_b0", 1),
                    ("poisson", 1)):
        inter = os.path.join(tmp, name + ".inter.csv")
        r, out = explain(tmp, name, ["--interactions", inter])  # --method tree is the default
        check(r.returncode == 0, "%s: exit %d: %s" % (name, r.returncode, r.stderr))
        if r.returncode:
            continue
        contribs = nums(os.path.join(FX, name + ".contribs.csv"))
        with open(out) as f:
            rows = list(csv.DictReader(f))
            header = rows and list(rows[0].keys())
        with open(os.path.join(FX, name + ".data.csv")) as f:
            feats = f.readline().strip().split(",")
        M = len(feats)
        # one line per (row, output): features, base_value, prediction
        check(len(rows) == len(contribs) * K, "%s: %d lines" % (name, len(rows)))
        check(header[-2:] == ["base_value", "prediction"], "%s header %s" % (name, header))
        for i, line in enumerate(rows):
            r_, k = divmod(i, K)
            got = [float(line[f]) for f in feats] + [float(line["base_value"])]
            close(got, contribs[r_][k * (M + 1):(k + 1) * (M + 1)], "%s shap row %d" % (name, i))
            check(abs(sum(got) - float(line["prediction"])) <= 1e-6 * max(1, abs(sum(got))),
                  "%s efficiency row %d" % (name, i))
        ref = nums(os.path.join(FX, name + ".inter.csv"))
        with open(inter) as f:
            lines = list(csv.reader(f))
        head = lines[0]
        check(head[-1] == "base_value" and head[-1 - M:-1] == feats, "%s inter header" % name)
        body = lines[1:]
        check(len(body) == len(ref) * K * (M + 1), "%s: %d interaction lines" % (name, len(body)))
        for r_ in range(len(ref)):
            for k in range(K):
                mat = []
                for i in range(M + 1):
                    mat += [float(v) for v in body[(r_ * K + k) * (M + 1) + i][-(M + 1):]]
                blk = (M + 1) * (M + 1)
                close(mat, ref[r_][k * blk:(k + 1) * blk], "%s inter row %d out %d" % (name, r_, k))

    for bad, needle in (("bad_objective", "rank:pairwise"),
                        ("bad_truncated", "bad_truncated.json:1:"), ("bad_gblinear", "gblinear"),
                        ("bad_cover", "covers are inconsistent"),
                        ("bad_leaf_overflow", "overflows a float"),
                        ("bad_dup_names", "twice"), ("bad_cover", "bad_cover.json:1:"),
                        ("bad_names_count", "bad_names_count.json:1:")):
        r, out = explain(tmp, bad, [], data="bin_d2")
        check(r.returncode == 2, "%s: exit %d, expected 2" % (bad, r.returncode))
        check(needle in r.stderr and r.stderr.startswith("candor: "),
              "%s: message %r lacks %r" % (bad, r.stderr, needle))
        check(not os.path.exists(out), "%s: left %s behind" % (bad, out))
    # --interactions is for the tree method only
    r, out = explain(tmp, "bin_d2", ["--method", "kernel", "--interactions",
                                     os.path.join(tmp, "x.csv")])
    check(r.returncode == 2 and "--interactions" in r.stderr, "interactions with kernel: %r" % r.stderr)
    check(not os.path.exists(os.path.join(tmp, "x.csv")), "kernel --interactions wrote a file")

print("cli_tree: %d failure(s)" % failures)
sys.exit(1 if failures else 0)
