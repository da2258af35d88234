#!/usr/bin/python3
"""`candor explain` on LightGBM text models (tree is the default method)
against LightGBM's predict_contrib (the committed fixtures of
tests/tree/lightgbm, README.md there), and the refusal of a linear-tree model
with exit status 2 at its line.

data.csv writes missing values as `nan`; this test rewrites them to empty
fields (missing) before giving the file to candor, so that it does not depend
on how candor's CSV reader treats such tokens.
Tolerance: 1e-6 of max(|value|, 0.1 * row max), as test_lightgbm.c.
"""
import csv
import os
import subprocess
import sys
import tempfile

BIN = os.environ["CANDOR_BIN"]
FX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lightgbm")
failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what)


def without_nan(src, dst):
    with open(src) as f, open(dst, "w") as g:
        for line in f:
            g.write(",".join("" if v == "nan" else v for v in line.rstrip("\n").split(",")) + "\n")


with tempfile.TemporaryDirectory() as tmp:
    for case in ("binary_nan_v3", "binary_categorical", "multiclass_softmax"):
        data = os.path.join(tmp, case + ".csv")
        without_nan(os.path.join(FX, case, "data.csv"), data)
        out = os.path.join(tmp, case + ".shap.csv")
        r = subprocess.run([BIN, "explain", "--model", os.path.join(FX, case, "model.txt"),
                            "--data", data, "--out", out, "--threads", "2"],
                           capture_output=True, text=True)
        check(r.returncode == 0, "%s: exit %d: %s" % (case, r.returncode, r.stderr))
        if r.returncode:
            continue
        with open(os.path.join(FX, case, "contrib.csv")) as f:
            ref = list(csv.reader(f))
        head, ref = ref[0], [[float(v) for v in row] for row in ref[1:]]
        with open(out) as f:
            got = list(csv.DictReader(f))
        K = 3 if case.startswith("multiclass") else 1
        M = len(head) // K - 1
        feats = [h.split("_", 1)[1] if K > 1 else h for h in head[:M]]
        check(len(got) == len(ref) * K, "%s: %d lines for %d rows" % (case, len(got), len(ref)))
        for i, line in enumerate(got):
            r_, k = divmod(i, K)
            want = ref[r_][k * (M + 1):(k + 1) * (M + 1)]
            have = [float(line[f]) for f in feats] + [float(line["base_value"])]
            big = max(abs(v) for v in want)
            for j, (a, b) in enumerate(zip(have, want)):
                if abs(a - b) > 1e-6 * max(abs(b), 0.1 * big):
                    check(False, "%s line %d entry %d: candor %r, lightgbm %r" % (case, i, j, a, b))
                    break
    # linear trees are refused, at the first is_linear=1 line
    out = os.path.join(tmp, "lin.csv")
    data = os.path.join(tmp, "lin_data.csv")
    without_nan(os.path.join(FX, "linear_tree", "data.csv"), data)
    r = subprocess.run([BIN, "explain", "--model", os.path.join(FX, "linear_tree", "model.txt"),
                        "--data", data, "--out", out], capture_output=True, text=True)
    check(r.returncode == 2, "linear_tree: exit %d, expected 2" % r.returncode)
    check("model.txt:27:" in r.stderr and "linear tree" in r.stderr and
          r.stderr.startswith("candor: "), "linear_tree message %r" % r.stderr)
    check(not os.path.exists(out), "linear_tree left %s behind" % out)

print("cli_lightgbm: %d failure(s)" % failures)
sys.exit(1 if failures else 0)
